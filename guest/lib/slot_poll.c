// SPDX-License-Identifier: MIT
#include "guest/lib/slot_poll.h"

#include <stdbool.h>

#include "guest/lib/atomic.h"

enum slot_poll_result slot_poll(volatile struct hv_message *slot,
				uint32_t vmbus_msgtype,
				void (*write_eom)(void *ctx), void *ctx)
{
	/* The slot is 256-byte aligned in its page: the casts are safe. */
	volatile void *base = slot;
	volatile uint32_t *type = base;

	/* Acquire: the host writes the type last (facts §4.3 step 3). */
	if (load_acquire32(type) == HV_MESSAGE_TYPE_NONE)
		return SLOT_POLL_EMPTY;

	const volatile uint32_t *msgtype =
		(const volatile uint32_t *)((volatile uint8_t *)base +
					    sizeof(struct hv_message_header));
	bool match = *msgtype == vmbus_msgtype;

	/* Free with a full barrier before reading the pending flag, as the
	 * interrupt path does (lib/sint_handler.c). */
	atomic_xchg32(type, HV_MESSAGE_TYPE_NONE);
	if ((slot->header.flags & HV_MESSAGE_FLAG_PENDING) && write_eom)
		write_eom(ctx);
	return match ? SLOT_POLL_MATCH : SLOT_POLL_OTHER;
}
