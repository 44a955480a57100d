// SPDX-License-Identifier: MIT
#include "guest/lib/msg_fifo.h"

#include "guest/lib/atomic.h"

#define MSG_QWORDS (sizeof(struct hv_message) / 8)

uint32_t msg_fifo_count(const struct msg_fifo *f)
{
	return load_acquire32(&f->tail) - load_acquire32(&f->head);
}

bool msg_fifo_push(struct msg_fifo *f, const volatile struct hv_message *m)
{
	uint32_t tail = f->tail;

	if (tail - load_acquire32(&f->head) >= MSG_FIFO_LEN)
		return false;

	/* The slot is at a 256-byte offset of a page: 8-aligned. */
	const volatile void *slot = m;
	const volatile uint64_t *src = slot;
	uint64_t *dst = (uint64_t *)&f->msgs[tail % MSG_FIFO_LEN];

	for (unsigned i = 0; i < MSG_QWORDS; i++)
		dst[i] = src[i];
	/* Publish the entry only after its bytes are in place. */
	store_release32(&f->tail, tail + 1);
	return true;
}

bool msg_fifo_pop(struct msg_fifo *f, struct hv_message *out)
{
	uint32_t head = f->head;

	if (head == load_acquire32(&f->tail))
		return false;

	const uint64_t *src = (const uint64_t *)&f->msgs[head % MSG_FIFO_LEN];
	void *out_bytes = out;                /* 8-aligned: see .h */
	uint64_t *dst = out_bytes;

	for (unsigned i = 0; i < MSG_QWORDS; i++)
		dst[i] = src[i];
	/* Hand the entry back to the producer only after copying it out. */
	store_release32(&f->head, head + 1);
	return true;
}
