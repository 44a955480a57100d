/* SPDX-License-Identifier: MIT */
/*
 * Reading a SynIC message slot by polling, as a crashing Linux does while
 * it waits for UNLOAD_RESPONSE with interrupts off (facts §5.4;
 * vmbus_wait_for_unload): look at the slot directly -- no interrupt, no
 * FIFO -- and free whatever is there the way the message protocol wants
 * it (facts §4.3: message_type = 0 first, then EOM only if the host had
 * flagged message_pending), so the host can deliver the next one.
 * Pure C, tested on the host (tests/unit/test_guest_synic.c).
 */
#ifndef GUEST_LIB_SLOT_POLL_H
#define GUEST_LIB_SLOT_POLL_H

#include <stdint.h>

#include "vmm/abi/hv_abi.h"

enum slot_poll_result {
	SLOT_POLL_EMPTY,              /* message_type 0: nothing there */
	SLOT_POLL_OTHER,              /* another message: dropped, slot freed */
	SLOT_POLL_MATCH,              /* the VMBus message asked for: freed */
};

/* One look at `slot`.  A message whose VMBus msgtype (first payload u32)
 * is `vmbus_msgtype` gives SLOT_POLL_MATCH; every message found is
 * dropped and the slot freed, write_eom(ctx) called if the host had set
 * message_pending. */
enum slot_poll_result slot_poll(volatile struct hv_message *slot,
				uint32_t vmbus_msgtype,
				void (*write_eom)(void *ctx), void *ctx);

#endif
