// SPDX-License-Identifier: MIT
#include "guest/lib/sint_handler.h"

#include <stddef.h>

#include "guest/lib/atomic.h"

#define SIEF_QWORDS (HV_SIEF_REGION_BITS / 64)

/* Index of the lowest set bit of a non-zero word by de Bruijn
 * multiplication: plain ALU instructions only.  __builtin_ctzll would
 * emit TZCNT, which the ring-0 emulator may not know (it lacks several
 * post-baseline instructions, KVM facts doc) -- and GCC recognises this
 * very idiom and emits TZCNT for it too, unless the table is volatile. */
static unsigned lowest_set_bit(uint64_t v)
{
	static const volatile uint8_t position[64] = {
		0, 1, 48, 2, 57, 49, 28, 3, 61, 58, 50, 42, 38, 29, 17, 4,
		62, 55, 59, 36, 53, 51, 43, 22, 45, 39, 33, 30, 24, 18, 12, 5,
		63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21, 44, 32, 23, 11,
		46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9, 13, 8, 7, 6,
	};

	return position[((v & (0 - v)) * 0x03F79D71B4CB0A89ull) >> 58];
}

void sint_context_init(struct sint_context *c, void *simp_page,
		       void *siefp_page, unsigned sint, struct msg_fifo *fifo,
		       const struct sint_ops *ops, void *ops_ctx)
{
	c->slot = (volatile struct hv_message *)((uint8_t *)simp_page +
						 HV_SIMP_SLOT_OFFSET(sint));
	c->event_flags = (volatile uint64_t *)((uint8_t *)siefp_page +
					       HV_SIEF_REGION_OFFSET(sint));
	c->fifo = fifo;
	c->ops = ops;
	c->ops_ctx = ops_ctx;
	c->slot_deferred = 0;
}

unsigned sint_scan_events(struct sint_context *c)
{
	unsigned found = 0;

	for (unsigned w = 0; w < SIEF_QWORDS; w++) {
		/* A cheap plain read first: almost every word is zero, and
		 * the locked exchange is only worth it when bits are set. */
		if (!c->event_flags[w])
			continue;
		/* Test-and-clear all 64 bits at once: the host sets bits
		 * atomically, so a bit set after this exchange survives for
		 * the next interrupt (facts §4.2). */
		uint64_t bits = atomic_xchg64(&c->event_flags[w], 0);

		while (bits) {
			unsigned b = lowest_set_bit(bits);
			uint32_t relid = w * 64 + b;

			bits &= bits - 1;
			if (relid == 0) {
				c->stats.reserved_bit0++;
				continue;
			}
			found++;
			if (c->ops->channel_event)
				c->ops->channel_event(c->ops_ctx, relid);
		}
	}
	c->stats.events += found;
	return found;
}

enum sint_slot_result sint_take_message(struct sint_context *c)
{
	volatile uint32_t *type = (volatile uint32_t *)(uintptr_t)c->slot;

	/* Acquire: read the body only after seeing the type the host wrote
	 * last (facts §4.3 step 3). */
	if (load_acquire32(type) == HV_MESSAGE_TYPE_NONE)
		return SINT_SLOT_EMPTY;

	if (!msg_fifo_push(c->fifo, c->slot)) {
		c->stats.deferred++;
		store_release32(&c->slot_deferred, 1);
		return SINT_SLOT_DEFERRED;
	}
	c->stats.messages++;
	store_release32(&c->slot_deferred, 0);

	/* Free the slot with a full barrier, then look at the pending flag:
	 * the host sets it while the slot is occupied, so reading it after
	 * the release cannot miss a message queued before it (facts §4.3). */
	atomic_xchg32(type, HV_MESSAGE_TYPE_NONE);
	if (c->slot->header.flags & HV_MESSAGE_FLAG_PENDING) {
		c->stats.eoms++;
		c->ops->write_eom(c->ops_ctx);
	}
	return SINT_SLOT_TAKEN;
}

void sint_handle_interrupt(struct sint_context *c)
{
	c->stats.interrupts++;
	sint_scan_events(c);
	sint_take_message(c);
	c->ops->write_eoi(c->ops_ctx);
}
