/* SPDX-License-Identifier: MIT */
/*
 * The pci_front transport (struct pcif_transport_ops) over an open VMBus
 * channel (guest/channel.h), as Linux's pci-hyperv uses its channel:
 *   request  in-band packet with completion requested (facts §6.3 flag
 *            bit 0) and a fresh transaction id; then read until the
 *            VM_PKT_COMP echoing that id (facts §7.4).  Host-initiated
 *            in-band messages read meanwhile (BUS_RELATIONS, EJECT, ...)
 *            are queued, in order, for poll();
 *   post     in-band packet without completion, transaction id 0;
 *   poll     the queue first, then the inbound ring;
 *   MMIO     volatile 1/2/4-byte accesses at the guest-physical address
 *            (the guest's map is the identity), with compiler barriers.
 * Completions nobody waits for (a request that timed out) are counted
 * and dropped.
 *
 * Pure C (no inline asm, no hypercall): the time source is a callback,
 * so tests/unit/test_guest_vpci_transport.c runs it over simulated rings.
 */
#ifndef GUEST_VPCI_TRANSPORT_H
#define GUEST_VPCI_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/channel.h"
#include "pci_front/vpci_front.h"

/* Largest host message kept whole: BUS_RELATIONS2 with 8 functions is
 * 232 bytes (facts §7.3); the host keeps its messages far below the
 * 4096 bytes Linux's pci-hyperv accepts (facts §6.5). */
#define VPCI_XPORT_MSG_MAX   256u
#define VPCI_XPORT_FIFO      8u
/* Without a clock: ring looks per millisecond of a pci_front wait (one
 * look + one idle round costs ~50 guest instructions, ~50 us emulated). */
#define VPCI_XPORT_DEFAULT_SPINS_PER_MS 20u

struct vpci_xport_msg {
	uint32_t len;                 /* full payload length (may exceed data) */
	uint8_t data[VPCI_XPORT_MSG_MAX];
};

struct vpci_xport_stats {
	uint32_t requests, posts, completions;
	uint32_t queued;              /* host messages put aside by request() */
	uint32_t fifo_dropped;        /* ... that found the queue full */
	uint32_t truncated;           /* host messages longer than MSG_MAX */
	uint32_t stray_completions;   /* wrong or stale transaction id */
	uint32_t unexpected_packets;  /* neither in-band nor completion */
	uint32_t timeouts;
	uint32_t send_failures;
};

struct vpci_transport {
	struct guest_channel *ch;
	/* 100 ns ticks (HV TIME_REF_COUNT); NULL or returning 0 = none,
	 * then waits are counted in ring looks (spins_per_ms). */
	uint64_t (*clock_100ns)(void *ctx);
	void *clock_ctx;
	uint32_t spins_per_ms;
	/* Bound of request()'s wait for its completion (Linux waits for
	 * most completions without a limit; kvmbus bounds every wait). */
	uint32_t request_wait_ms;
	/* Config-window relocation (vpci_transport_force_window): to = 0
	 * is off; from = the base the front-end put in its D0 entry. */
	uint64_t window_from, window_to;
	uint32_t windows_moved;               /* D0 entries rewritten */

	struct vpci_xport_msg fifo[VPCI_XPORT_FIFO];
	unsigned fifo_head, fifo_count;
	struct vpci_xport_msg scratch;        /* the packet being read */
	struct vmbus_packet_desc last_desc;
	struct vpci_xport_stats stats;
	uint64_t last_trans_id;               /* of the latest request */
};

/* Bind to an open channel; clock may be NULL. */
void vpci_transport_init(struct vpci_transport *x, struct guest_channel *ch,
			 uint64_t (*clock_100ns)(void *ctx), void *clock_ctx);
/* The pcif transport to hand to pcif_bus_init. */
struct pcif_transport vpci_transport_pcif(struct vpci_transport *x);
const struct pcif_transport_ops *vpci_transport_ops(void);

/* Make the front-end's config window appear at `to` instead of where
 * its allocator put it: every BUS_D0ENTRY's mmio_base is replaced by
 * `to` (the granted base is remembered in window_from) and config-window
 * accesses are moved along.  A test of the host's refusal of a window
 * the guest's allocator did not hand out (vpci_test_options.
 * forced_window); 0 turns it off. */
void vpci_transport_force_window(struct vpci_transport *x, uint64_t to);

/* The ops themselves (ctx = struct vpci_transport *). */
int vpci_transport_request(void *ctx, const void *msg, uint32_t len,
			   void *resp, uint32_t resp_cap, uint32_t *resp_len);
int vpci_transport_post(void *ctx, const void *msg, uint32_t len);
int vpci_transport_poll(void *ctx, void *buf, uint32_t cap, uint32_t *len,
			uint32_t wait_ms);
uint32_t vpci_transport_mmio_read(void *ctx, uint64_t gpa, unsigned size);
void vpci_transport_mmio_write(void *ctx, uint64_t gpa, unsigned size,
			       uint32_t value);

#endif
