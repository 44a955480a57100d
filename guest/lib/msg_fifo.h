/* SPDX-License-Identifier: MIT */
/*
 * Software FIFO of SynIC messages: the SINT interrupt handler copies each
 * message out of the SIMP slot into it (so the slot can be freed at once
 * and the host can deliver the next one, facts §4.3), and the VMBus
 * client pops them at leisure.
 *
 * Single producer (the interrupt handler of one vCPU), single consumer
 * (code on that vCPU, or on another one): free-running head/tail indices
 * published with release stores, read with acquire loads.  Pure C, tested
 * on the host.
 */
#ifndef GUEST_LIB_MSG_FIFO_H
#define GUEST_LIB_MSG_FIFO_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/abi/hv_abi.h"

/* Power of two, above the 64 messages kvmbus queues per SINT plus the
 * one in the slot: a burst (say, all offers) fits without back-pressure. */
#define MSG_FIFO_LEN 128u

struct msg_fifo {
	struct hv_message msgs[MSG_FIFO_LEN];
	volatile uint32_t head;   /* next to pop; written by the consumer */
	volatile uint32_t tail;   /* next to fill; written by the producer */
} __attribute__((aligned(8)));

/* Copy one 8-aligned message (all 256 bytes, 8 at a time) into the FIFO.
 * False if the FIFO is full (nothing copied). */
bool msg_fifo_push(struct msg_fifo *f, const volatile struct hv_message *m);
/* Take the oldest message into `out`, which must be 8-byte aligned
 * (struct hv_message is packed; declare it __attribute__((aligned(8)))).
 * False if the FIFO is empty. */
bool msg_fifo_pop(struct msg_fifo *f, struct hv_message *out);
uint32_t msg_fifo_count(const struct msg_fifo *f);

#endif
