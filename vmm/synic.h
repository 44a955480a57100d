/* SPDX-License-Identifier: MIT */
/*
 * The synthetic interrupt controller, emulated in user space (facts §4):
 * per VP, the SCONTROL/SIMP/SIEFP/SINTn MSRs, the message slots with the
 * pending flag and EOM redelivery, and the event-flag bits.  Interrupts
 * leave through the `inject` callback (the VM sends an MSI to the VP's
 * in-kernel LAPIC), never while the SINT is masked or the SynIC is off.
 */
#ifndef KVMBUS_SYNIC_H
#define KVMBUS_SYNIC_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/abi/hv_abi.h"
#include "vmm/guest_mem.h"

#define SYNIC_MAX_VPS     8
#define SYNIC_QUEUE_LEN   64   /* messages waiting per (VP, SINT) */

struct synic_queued_msg {
	uint32_t type;
	uint8_t size;
	uint8_t payload[HV_MESSAGE_PAYLOAD_MAX];
};

struct synic_queue {
	struct synic_queued_msg m[SYNIC_QUEUE_LEN];
	unsigned head, count;
};

struct synic_vp {
	uint64_t scontrol;
	uint64_t simp;
	uint64_t siefp;
	uint64_t sint[HV_SINT_COUNT];
	struct synic_queue queue[HV_SINT_COUNT];
	uint64_t interrupts_sent;   /* for tests and bench */
};

struct synic {
	const struct guest_mem *mem;
	unsigned nr_vps;
	struct synic_vp vp[SYNIC_MAX_VPS];
	/* Raise `vector` on VP `vp`'s LAPIC (fixed delivery, edge). */
	void (*inject)(void *ctx, unsigned vp, uint8_t vector);
	void *inject_ctx;
	/* A guest asked for auto-EOI, which the in-kernel LAPIC cannot do;
	 * warned once (we advertise HV_HINT_DEPRECATE_AEOI instead). */
	bool auto_eoi_warned;
};

void synic_init(struct synic *s, const struct guest_mem *mem, unsigned nr_vps,
		void (*inject)(void *, unsigned, uint8_t), void *ctx);
/* Back to power-on state (SINTs masked, pages off, queues empty). */
void synic_reset(struct synic *s);

/* MSR access for HV_MSR_SCONTROL..HV_MSR_SINT15.  Returns 0, or -1 if the
 * guest must take #GP (bad value, read-only MSR). */
int synic_rdmsr(struct synic *s, unsigned vp, uint32_t msr, uint64_t *val);
int synic_wrmsr(struct synic *s, unsigned vp, uint32_t msr, uint64_t val);

/* Deliver a message to SINT `sint` of VP `vp`: straight into the slot if
 * it is free and the SINT is usable, else queued (the occupied slot gets
 * its pending flag).  Returns 0 delivered or queued, -ENOSPC when the
 * queue is full (logged here as the guest's refusal), -EINVAL for a bad
 * vp/sint/size (a host bug, logged here too). */
int synic_post_message(struct synic *s, unsigned vp, unsigned sint,
		       uint32_t type, const void *payload, uint32_t size);
/* Set event flag `flag` in the SIEF region of `sint` on `vp`; raise the
 * SINT only if the bit was clear.  Returns 0, or -1 if refused. */
int synic_signal_event(struct synic *s, unsigned vp, unsigned sint,
		       unsigned flag);
/* Messages still waiting for delivery on (vp, sint). */
unsigned synic_pending(const struct synic *s, unsigned vp, unsigned sint);

#endif
