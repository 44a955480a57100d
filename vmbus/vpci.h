/* SPDX-License-Identifier: MIT */
/*
 * The VPCI service (Hyper-V PCI pass-through, host side): one emulated
 * PCI bus per VMBus channel, with test functions behind it (facts §7).
 *
 * Layering, so the protocol can be tested without the VMBus core:
 *   vpci_handle_packet()  pure protocol: one guest packet in, replies out
 *                         through the bus's send function (tests capture);
 *   vpci_service.c        the thin glue to struct vmbus_service: open,
 *                         close, signal (drain the ring), reset, describe.
 *
 * Life of a bus: created at VMM start (offered by the glue), opened when
 * the guest opens its channel, powered (D0) while the guest's config
 * window is accepted.  The registry holds the window and BAR claims only
 * while the bus is in D0: D0 exit, channel close and VMBus reset all
 * release them, unregister the MMIO handlers and reset the functions.
 *
 * Locking: one mutex per bus guards its state; it is held around config
 * window and BAR MMIO, and never while calling the send function (so a
 * host thread calling vpci_bus_eject() and the VMBus thread cannot
 * deadlock through the core's locks).  Replies wait in a small outbox
 * and go out in order.
 */
#ifndef KVMBUS_VPCI_H
#define KVMBUS_VPCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmbus/abi/vpci_abi.h"
#include "vmbus/mmio_registry.h"
#include "vmbus/pci_func.h"
#include "vmbus/pci_func_bars.h"
#include "vmbus/vmbus.h"
#include "vmm/mmio_bus.h"

#define VPCI_MAX_BUSES        8u    /* instance GUIDs / PCI domains differ */
#define VPCI_MAX_FUNCS        8u    /* per bus */
#define VPCI_OUTBOX_SLOTS     8u
/* The largest host->guest message: BUS_RELATIONS2 with every function. */
#define VPCI_MSG_MAX \
	(sizeof(struct vpci_bus_relations2) + \
	 VPCI_MAX_FUNCS * sizeof(struct vpci_func_desc2))
/* PCI domain Linux derives from the instance GUID (bytes 5:4). */
#define VPCI_DOMAIN_BASE      0x6B00u
#define VPCI_DOMAIN(index)    (VPCI_DOMAIN_BASE + (index))

/* ---- Configuration ---------------------------------------------------- */
struct vpci_func_config {
	uint32_t win_slot;            /* VPCI_WIN_SLOT(dev, fn) */
	const struct pci_func_model *model;
};

struct vpci_bus_config {
	unsigned index;               /* bus number: name "vpci<index>" */
	unsigned nr_vps;              /* the guest's VPs (interrupt targets) */
	unsigned nr_funcs;
	struct vpci_func_config funcs[VPCI_MAX_FUNCS];
};

/* The default bus: kvmbus-test64 at slot 0, kvmbus-test32 at slot 1. */
void vpci_bus_config_default(struct vpci_bus_config *c, unsigned index,
			     unsigned nr_vps);
/* Replace c's functions by a spec "MODEL@DEV[.FN][,MODEL@DEV[.FN]...]",
 * e.g. "kvmbus-test64@0,kvmbus-test32@1" ("test64" short names work).
 * 0, or -1 with a one-line reason in err. */
int vpci_bus_config_parse(struct vpci_bus_config *c, const char *spec,
			  char *err, size_t errlen);

/* ---- The bus ------------------------------------------------------------ */
/* Sends one packet to the guest: 0 sent, -1 no room now (retry when
 * vpci_bus_flush() is called again), -2 channel gone (dropped). */
typedef int (*vpci_send_fn)(void *ctx, uint16_t pkt_type, uint64_t trans_id,
			    const void *payload, uint32_t len);

struct vpci_bus;

/* One position on the bus and the function in it. */
struct vpci_slot {
	struct vpci_bus *bus;
	uint32_t win_slot;
	uint32_t serial;              /* descriptor serial: Linux's slot name */
	bool present;                 /* false once ejected */
	bool eject_pending;           /* PCI_EJECT sent, no EJECTION_COMPLETE */
	bool resources_assigned;
	unsigned interrupts;          /* created and not deleted */
	char owner[MMIO_OWNER_LEN];   /* "vpci0/slot1": its BAR claims */
	struct pci_func fn;
	struct pci_func_bars bars;
};

struct vpci_outbox_msg {
	uint16_t pkt_type;            /* VMBUS_PKT_DATA_INBAND or _COMP */
	uint64_t trans_id;
	uint32_t len;
	uint8_t data[VPCI_MSG_MAX];
};

struct vpci_stats {
	uint64_t packets, completions, refusals;
	uint64_t d0_entries, d0_refused, d0_refused_overlap;
	uint64_t ejects, dropped_msgs;
};

struct vpci_bus {
	/* Fixed at creation. */
	unsigned index;
	char name[16];                /* "vpci0": registry owner, logs */
	struct vmbus_guid instance_id;
	unsigned nr_vps;
	struct mmio_registry *registry;
	struct mmio_bus *mmio;
	unsigned nr_slots;
	struct vpci_slot slot[VPCI_MAX_FUNCS];

	pthread_mutex_t lock;         /* everything below */
	bool open;                    /* the guest's channel is open */
	uint32_t protocol_version;    /* 0 until negotiated */
	bool in_d0;
	uint64_t window_base;         /* config window GPA, while in_d0 */
	uint32_t slot_selector;       /* config window page 0 */
	uint32_t last_d0_status;
	struct vpci_stats stats;

	vpci_send_fn send;
	void *send_ctx;
	struct vpci_outbox_msg outbox[VPCI_OUTBOX_SLOTS];
	unsigned out_head, out_count, out_generation;
	bool flushing, blocked;

	/* Recent completions' request types, so --trace can name them. */
	struct { uint64_t trans_id; uint32_t msg_type; } recent[16];
	unsigned recent_next;

	/* For the VMBus glue. */
	pthread_mutex_t drain_lock;
	struct vmbus_channel *chan;
	struct vmbus_service service;
};

/* NULL with a reason in err if the configuration is invalid (index >=
 * VPCI_MAX_BUSES, no VPs, duplicate or invalid slots, bad models). */
struct vpci_bus *vpci_bus_create(const struct vpci_bus_config *c,
				 struct mmio_registry *registry,
				 struct mmio_bus *mmio, char *err,
				 size_t errlen);
void vpci_bus_destroy(struct vpci_bus *bus);
void vpci_bus_set_sender(struct vpci_bus *bus, vpci_send_fn send, void *ctx);

/* The guest opened the channel: a fresh session (no version, not in D0). */
void vpci_bus_open(struct vpci_bus *bus);
/* The channel closed or VMBus was reset: implicit D0 exit, everything
 * released, pending ejects completed, queued messages dropped. */
void vpci_bus_close(struct vpci_bus *bus);

/* Handle one guest->host packet (the pure protocol entry point).  Sends
 * the replies, then returns the status the request earned (also when
 * the guest asked for no completion): VPCI_STATUS_SUCCESS or a failure. */
uint32_t vpci_handle_packet(struct vpci_bus *bus, const struct vmbus_pkt *pkt);

/* Host-initiated hot-remove of the function at win_slot: PCI_EJECT goes
 * to the guest; its EJECTION_COMPLETE removes the function (claims and
 * handlers dropped) and updated bus relations follow.  With no guest
 * driver on the bus, the function goes at once.  0, or -1 if there is no
 * such function or its eject is already pending. */
int vpci_bus_eject(struct vpci_bus *bus, uint32_t win_slot);

/* Send what the outbox holds, in order.  Returns true if the outbox is
 * empty, false if the guest's ring is full (call again when it drains). */
bool vpci_bus_flush(struct vpci_bus *bus);
/* True if the last send found the guest's ring full. */
bool vpci_bus_blocked(struct vpci_bus *bus);

/* The function at win_slot if present, else NULL (tests, reports). */
struct vpci_slot *vpci_bus_slot(struct vpci_bus *bus, uint32_t win_slot);

/* ---- VMBus glue (vmbus/vpci_service.c) --------------------------------- */
/* The service to pass to vmbus_register_service(): class PCI, the bus's
 * instance GUID, ctx = bus.  Valid as long as the bus. */
const struct vmbus_service *vpci_bus_service(struct vpci_bus *bus);
extern const struct vmbus_service_ops vpci_service_ops;

/* ---- Trace (vmbus/vpci_describe.c) ------------------------------------- */
/* "PCI_BUS_D0ENTRY", or NULL for an unknown type. */
const char *vpci_msg_name(uint32_t type);
/* The describe() callback: svc is the bus. */
void vpci_describe(void *svc, bool to_guest, const struct vmbus_pkt *pkt,
		   struct trace_rec *r);

#endif
