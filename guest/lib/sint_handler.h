/* SPDX-License-Identifier: MIT */
/*
 * What the VMBus SINT interrupt handler decides, without touching any
 * hardware: the hardware effects (EOM MSR write, LAPIC EOI) and the
 * per-channel work go through callbacks.  Pure C, so host unit tests
 * (tests/unit/test_guest_synic.c) drive it with fake SIMP/SIEF pages.
 *
 * Order in one interrupt (facts §4.2, §4.3; Linux's vmbus_isr):
 *   1. event flags: atomically test-and-clear every set bit of the SINT's
 *      SIEF region; bit n means "channel with relid n has work" (relid 0
 *      is reserved and ignored);
 *   2. message slot: if message_type != 0, copy the message to the FIFO,
 *      free the slot (atomic store of message_type = 0), and only then,
 *      if the host had flagged message_pending, write EOM so it delivers
 *      the next one;
 *   3. exactly one LAPIC EOI -- the host advertises the deprecate-AEOI
 *      hint, so the SINT runs without auto-EOI and a missing EOI would
 *      block every later interrupt of this priority on a real LAPIC.
 * If the FIFO is full the message stays in the slot (no EOM), which makes
 * the host hold further messages back; sint_take_message() is then run
 * again by the consumer once it has made room.
 */
#ifndef GUEST_LIB_SINT_HANDLER_H
#define GUEST_LIB_SINT_HANDLER_H

#include <stdint.h>

#include "guest/lib/msg_fifo.h"
#include "vmm/abi/hv_abi.h"

struct sint_ops {
	void (*write_eom)(void *ctx);
	void (*write_eoi)(void *ctx);
	/* The SIEF bit for `relid` was set (it is already cleared). */
	void (*channel_event)(void *ctx, uint32_t relid);
};

struct sint_stats {
	uint64_t interrupts;
	uint64_t events;          /* SIEF bits found set */
	uint64_t messages;        /* messages moved to the FIFO */
	uint64_t eoms;
	uint64_t deferred;        /* times the FIFO was full */
	uint64_t reserved_bit0;   /* relid 0 flagged: host bug, ignored */
};

struct sint_context {
	volatile struct hv_message *slot;  /* SIMP slot of this SINT */
	volatile uint64_t *event_flags;     /* SIEF region of this SINT */
	struct msg_fifo *fifo;
	const struct sint_ops *ops;
	void *ops_ctx;
	/* A message was left in the slot because the FIFO was full. */
	volatile uint32_t slot_deferred;
	struct sint_stats stats;
};

enum sint_slot_result {
	SINT_SLOT_EMPTY,          /* nothing in the slot */
	SINT_SLOT_TAKEN,          /* moved to the FIFO, slot freed */
	SINT_SLOT_DEFERRED,       /* FIFO full: left in the slot */
};

/* simp_page / siefp_page: the 4 KiB pages programmed into SIMP / SIEFP. */
void sint_context_init(struct sint_context *c, void *simp_page,
		       void *siefp_page, unsigned sint, struct msg_fifo *fifo,
		       const struct sint_ops *ops, void *ops_ctx);

/* Step 1.  Returns how many relid bits were set. */
unsigned sint_scan_events(struct sint_context *c);
/* Step 2. */
enum sint_slot_result sint_take_message(struct sint_context *c);
/* Steps 1-3: the whole interrupt. */
void sint_handle_interrupt(struct sint_context *c);

#endif
