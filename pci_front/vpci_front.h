/* SPDX-License-Identifier: MIT */
/*
 * The guest side of Hyper-V PCI pass-through: the probe sequence of
 * Linux's pci-hyperv (protocol-facts §7.5), its config-space access
 * through the 8 KiB window (§7.6), eject handling and teardown.
 *
 * It talks to the host through an abstract transport, so the same code
 * runs in the freestanding guest kernel (transport = its VMBus ring
 * client + real MMIO) and in host unit tests (transport = a scripted
 * stub, or the host VSP called directly).
 *
 * Probe, in Linux's order (hv_pci_probe):
 *   1. QUERY_PROTOCOL_VERSION 1.4, 1.3, 1.2, 1.1: status >= 0 accepts;
 *      0xC0000059 tries the next; any other failure ends the probe with
 *      "PCI Pass-through VSP failed version request: %#x".
 *   2. The 8 KiB config window from the MMIO allocator (4 KiB aligned,
 *      min per enum pcif_config_window_policy, fb_overlap_ok false).
 *   3. QUERY_BUS_RELATIONS (no completion), then wait for BUS_RELATIONS
 *      or BUS_RELATIONS2; for every new function QUERY_RESOURCE_
 *      REQUIREMENTS gives its probed BARs; BAR sizes are summed (64-bit
 *      BARs "high", 32-bit "low", each rounded up to 4 KiB).
 *   4. BUS_D0ENTRY(config window).  A negative status logs "PCI
 *      Pass-through VSP failed D0 Entry with status %x"; the first time
 *      the front-end then logs "Retrying D0 Entry", sends
 *      RESOURCES_RELEASED for each function (highest slot first) and
 *      D0EXIT, and starts again at step 3.  A second failure ends the
 *      probe; the status stays in bus->failed_status.
 *   5. Bridge windows from the allocator: low [0, 4 GiB) and high
 *      [4 GiB, max), each sized to its BAR sum, aligned to the largest
 *      power of two <= size.
 *   6. RESOURCES_ASSIGNED2 (>= 1.2) or RESOURCES_ASSIGNED (1.1) per
 *      function, ascending slots, each with completion.
 *   7. Through the config window: clear Memory Space Enable, size every
 *      BAR (write all-ones, read back, restore), give addresses biggest
 *      BARs first inside the windows -- a BAR smaller than a page still
 *      takes a whole 4 KiB page -- write them, enable memory decoding.
 *      A BAR that finds no room (config space disagreeing with the probed
 *      size) stays 0 and is counted in bus->unassigned_bars; as with
 *      Linux's PCI core, that does not fail the probe.
 *
 * Failure unwinds as hv_pci_probe does: after D0 entry succeeded the bus
 * leaves D0 (RESOURCES_RELEASED + D0EXIT); the windows go back to the
 * allocator.
 *
 * Every wait is bounded: the transport returns PCIF_XPORT_TIMEOUT.
 * No malloc, no stdio: state lives in struct pcif_bus.
 */
#ifndef KVMBUS_PCIF_VPCI_FRONT_H
#define KVMBUS_PCIF_VPCI_FRONT_H

#include <stdbool.h>
#include <stdint.h>

#include "pci_front/mmio_alloc.h"
#include "pci_front/pcif_log.h"
#include "vmbus/abi/vpci_abi.h"

/* ---- Transport --------------------------------------------------------- */
enum pcif_xport_result {
	PCIF_XPORT_OK = 0,
	PCIF_XPORT_TIMEOUT = -1,  /* the bounded wait ran out */
	PCIF_XPORT_BROKEN = -2,   /* channel closed, rescinded or malformed */
};

struct pcif_transport_ops {
	/* Send msg (len bytes) as an in-band packet with completion
	 * requested, and wait (bounded) for that completion.  Its payload
	 * is copied to resp (at most resp_cap bytes) and *resp_len set to
	 * the full payload length.  Host-initiated in-band messages that
	 * arrive meanwhile must be kept, in order, for poll(). */
	int (*request)(void *ctx, const void *msg, uint32_t len, void *resp,
		       uint32_t resp_cap, uint32_t *resp_len);
	/* Send msg as an in-band packet without completion. */
	int (*post)(void *ctx, const void *msg, uint32_t len);
	/* Take the next host-initiated in-band message (BUS_RELATIONS,
	 * EJECT, ...), waiting at most wait_ms (0: do not wait).  Copies at
	 * most cap bytes and sets *len to the full payload length. */
	int (*poll)(void *ctx, void *buf, uint32_t cap, uint32_t *len,
		    uint32_t wait_ms);
	/* 1-, 2- or 4-byte MMIO access at a guest-physical address inside
	 * the config window (the guest: volatile access with a barrier). */
	uint32_t (*mmio_read)(void *ctx, uint64_t gpa, unsigned size);
	void (*mmio_write)(void *ctx, uint64_t gpa, unsigned size,
			   uint32_t value);
};

struct pcif_transport {
	const struct pcif_transport_ops *ops;
	void *ctx;
};

/* ---- Results and failure reports ------------------------------------- */
enum pcif_result {
	PCIF_OK = 0,
	PCIF_ERR_TRANSPORT = -1,  /* send failed / channel gone (-ENODEV) */
	PCIF_ERR_TIMEOUT = -2,    /* a bounded wait ran out (-ETIMEDOUT) */
	PCIF_ERR_REFUSED = -3,    /* the host answered with a failure status
				     (-EPROTO): see bus->failed_status */
	PCIF_ERR_NO_MMIO = -4,    /* the allocator had no room (-ENXIO) */
	PCIF_ERR_NO_DEVICE = -5,  /* no function at that slot */
	PCIF_ERR_INVALID = -6,    /* bad argument or state */
	PCIF_ERR_PROTOCOL = -7,   /* the host never sent what we wait for */
};

/* Which probe step failed (bus->failed_stage). */
enum pcif_stage {
	PCIF_STAGE_NONE,
	PCIF_STAGE_VERSION,
	PCIF_STAGE_CONFIG_WINDOW,
	PCIF_STAGE_RELATIONS,
	PCIF_STAGE_D0_ENTRY,
	PCIF_STAGE_BRIDGE_WINDOWS,
	PCIF_STAGE_RESOURCES_ASSIGNED,
};

const char *pcif_result_name(int result);
const char *pcif_stage_name(enum pcif_stage stage);

/* ---- State ----------------------------------------------------------- */
#define PCIF_MAX_FUNCS        8
#define PCIF_MSG_BUF_SIZE     512
#define PCIF_DEFAULT_WAIT_MS  10000u  /* Linux waits 10 s for D0EXIT */
/* Host messages that are not the relations the probe waits for, before
 * it gives up (keeps the relations wait bounded). */
#define PCIF_MAX_STRAY_MESSAGES 32
#define PCIF_BAR_PAGE         0x1000ull  /* every BAR takes >= one page */

/* PCI config registers used here. */
#define PCIF_PCI_COMMAND          0x04u
#define PCIF_PCI_COMMAND_MEMORY   0x02u
#define PCIF_PCI_BAR0             0x10u
#define PCIF_PCI_SUBSYSTEM_VENDOR 0x2Cu
#define PCIF_PCI_ROM_ADDRESS      0x30u
#define PCIF_PCI_CAPABILITY_LIST  0x34u
#define PCIF_PCI_INTERRUPT_LINE   0x3Cu
#define PCIF_PCI_INTERRUPT_PIN    0x3Du

struct pcif_bar {
	uint64_t size;            /* MMIO taken, page-rounded; 0 = none */
	uint64_t base;            /* assigned address (0 = not assigned) */
	bool is_64bit;            /* this BAR and the next register form it */
	bool prefetchable;
	bool is_io;
};

struct pcif_func {
	bool present;
	struct vpci_func_desc desc;
	/* From QUERY_RESOURCE_REQUIREMENTS. */
	uint32_t probed_bar[VPCI_NUM_BARS];
	/* Indexed by BAR register; the upper half of a 64-bit BAR is 0. */
	struct pcif_bar bar[VPCI_NUM_BARS];
	bool reported_missing;    /* scratch while relations are applied */
	bool resources_assigned;  /* RESOURCES_ASSIGNED* completed */
};

struct pcif_bus_config {
	const char *name;                       /* "vpci0": owner of MMIO */
	enum pcif_config_window_policy window_policy;
	uint32_t wait_ms;                       /* 0: PCIF_DEFAULT_WAIT_MS */
};

enum pcif_bus_state {
	PCIF_BUS_INIT,            /* Linux hv_pcibus_init */
	PCIF_BUS_PROBED,          /* probe finished, BARs programmed */
	PCIF_BUS_REMOVED,         /* teardown done (or probe failed) */
};

struct pcif_bus {
	struct pcif_transport xport;
	struct pcif_mmio_alloc *mmio;
	struct pcif_log log;
	struct pcif_bus_config cfg;
	enum pcif_bus_state state;

	uint32_t protocol_version;
	bool has_config_window;
	uint64_t config_window;                 /* GPA, 8 KiB */
	uint64_t low_mmio_space, high_mmio_space;   /* BAR sums */
	bool has_low_window, has_high_window;
	uint64_t low_window, high_window;       /* bridge window bases */
	int wslot_res_allocated;                /* Linux: highest slot, -1 */

	struct pcif_func func[PCIF_MAX_FUNCS];
	bool relations_seen;                    /* a relations message applied */

	/* Why the probe failed: the step and, for a host refusal, the
	 * status it sent (e.g. 0xC0370048 at PCIF_STAGE_D0_ENTRY). */
	enum pcif_stage failed_stage;
	uint32_t failed_status;
	unsigned d0_entry_attempts;
	/* Memory BARs that found no room in their bridge window (config
	 * space disagreeing with the probed sizes): left at 0, as Linux's
	 * PCI core leaves a BAR it has "no space for".  Not a probe failure. */
	unsigned unassigned_bars;

	uint8_t msg[PCIF_MSG_BUF_SIZE];         /* incoming message scratch */
};

/* ---- Calls ------------------------------------------------------------- */
/* Prepare bus (no messages yet).  mmio is the guest's one allocator,
 * shared with every other VMBus driver; log may be NULL. */
void pcif_bus_init(struct pcif_bus *bus, const struct pcif_transport *xport,
		   struct pcif_mmio_alloc *mmio, const struct pcif_log *log,
		   const struct pcif_bus_config *cfg);
/* Run the probe sequence (see top of file).  PCIF_OK, or a negative
 * enum pcif_result with bus->failed_stage / failed_status set. */
int pcif_probe(struct pcif_bus *bus);
/* Handle at most one host-initiated message, waiting up to wait_ms:
 * BUS_RELATIONS/BUS_RELATIONS2 update the function list (new functions
 * get QUERY_RESOURCE_REQUIREMENTS; after the probe their BARs are left
 * unassigned); EJECT drops the function, sends RESOURCES_RELEASED if it
 * had resources assigned, then EJECTION_COMPLETE.  Returns 1 if a message
 * was handled, 0 if none came, or a negative enum pcif_result. */
int pcif_poll(struct pcif_bus *bus, uint32_t wait_ms);
/* Teardown (Linux hv_pci_remove): D0EXIT, then the bridge windows and
 * the config window go back to the allocator. */
int pcif_remove(struct pcif_bus *bus);

/* Config space of the function at win_slot, as Linux's pci-hyperv does
 * it: IDs, class/revision, subsystem, ROM BAR (0) and interrupt line (0)
 * come from the relations descriptor; everything else goes through the
 * window (slot to page 0, then 0x1000 + where).  size is 1, 2 or 4.
 * Writes to the subsystem IDs and ROM BAR are dropped. */
int pcif_cfg_read(struct pcif_bus *bus, uint32_t win_slot, uint32_t where,
		  unsigned size, uint32_t *val);
int pcif_cfg_write(struct pcif_bus *bus, uint32_t win_slot, uint32_t where,
		   unsigned size, uint32_t val);

/* The function at win_slot, or NULL. */
const struct pcif_func *pcif_find_func(const struct pcif_bus *bus,
				       uint32_t win_slot);
unsigned pcif_func_count(const struct pcif_bus *bus);
/* MMIO a BAR takes, as Linux's get_bar_size: 1 + ~(value & ~0xF),
 * rounded up to a page.  value = the 64-bit read-back mask (the upper 32
 * bits all-ones for a 32-bit BAR). */
uint64_t pcif_bar_size(uint64_t value);

#endif
