// SPDX-License-Identifier: MIT
/*
 * CPL-3 code of the bench (see producer.h).  Everything here must stay
 * inside the user pages: no calls to kernel functions, no globals (they
 * would land in kernel .data), and nothing the compiler could turn into
 * a memcpy/memset call -- `make bench` checks the object for calls.
 *
 * The packet layout is facts §6.3: a 16-byte descriptor (type, offset8 =
 * 2, len8, flags; transaction id), the payload, the 8-byte trailer
 * holding the packet's start offset in its upper half.
 */
#include "guest/bench/producer.h"

#include <stddef.h>

#include "guest/bench/bench_abi.h"

#define DESC_BYTES     16u
#define TRAILER_BYTES  8u

static inline __attribute__((always_inline)) uint64_t user_rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline __attribute__((always_inline)) void user_pause(void)
{
	asm volatile("pause" : : : "memory");
}

static inline __attribute__((always_inline)) volatile uint32_t *
field(struct vmbus_ring_header *h, size_t offset)
{
	return (volatile uint32_t *)(void *)((uint8_t *)h + offset);
}

#define RING(h, f) field((h), offsetof(struct vmbus_ring_header, f))

/* HvSignalEvent through the kernel's gate; the hypercall status comes
 * back in RAX.  The gate keeps every other register. */
static inline __attribute__((always_inline)) uint64_t user_signal(void)
{
	uint64_t status;

	asm volatile("int %1" : "=a"(status) : "i"(BENCH_VEC_SIGNAL) : "memory");
	return status;
}

static inline __attribute__((always_inline, noreturn)) void
user_leave(struct producer_args *a)
{
	asm volatile("int %0" : : "i"(BENCH_VEC_LEAVE), "D"(a) : "memory");
	__builtin_unreachable();
}

/* Fill `qwords` payload words starting at word index q of a ring of nq
 * words; returns the index after them.  Two spans at most, so the inner
 * loops are plain stores. */
static inline __attribute__((always_inline)) uint32_t
fill_payload(uint64_t *d, uint32_t q, uint32_t nq, uint32_t qwords,
	     uint64_t value)
{
	uint32_t first = nq - q < qwords ? nq - q : qwords;
	uint64_t *p = d + q, *end = p + first;

	while (p < end)
		*p++ = value++;
	if (first == qwords)
		return q + first == nq ? 0 : q + first;
	p = d;
	end = d + (qwords - first);
	while (p < end)
		*p++ = value++;
	return qwords - first;
}

void producer_main(struct producer_args *a)
{
	struct vmbus_ring_header *h = a->hdr;
	uint64_t *d = a->data;
	const uint32_t size = a->size, nq = size / 8;
	const uint32_t qwords = a->payload_len / 8;
	const uint32_t total = DESC_BYTES + a->payload_len + TRAILER_BYTES;
	const uint64_t desc0 = (uint64_t)VMBUS_PKT_DATA_INBAND |
			       ((uint64_t)(DESC_BYTES / 8) << 16) |
			       ((uint64_t)((DESC_BYTES + a->payload_len) / 8) << 32);
	uint32_t write = *RING(h, write_index);     /* ours alone */
	uint32_t signals = 0, failures = 0;
	uint64_t full_polls = 0;

	a->tsc_start = user_rdtsc();
	for (uint32_t n = 0; n < a->count; n++) {
		uint32_t read = __atomic_load_n(RING(h, read_index),
						__ATOMIC_ACQUIRE);

		while (!vmbus_ring_can_write(write, read, size, total)) {
			full_polls++;
			user_pause();
			read = __atomic_load_n(RING(h, read_index),
					       __ATOMIC_ACQUIRE);
		}
		uint32_t q = write / 8;

		d[q] = desc0;
		q = q + 1 == nq ? 0 : q + 1;
		d[q] = n;                               /* transaction id */
		q = q + 1 == nq ? 0 : q + 1;
		q = fill_payload(d, q, nq, qwords, n);
		d[q] = (uint64_t)write << 32;           /* trailer */

		uint32_t old = write;

		write = old + total >= size ? old + total - size : old + total;
		/* Exchange: publishes the packet and is a full barrier, so
		 * the two loads below see the host's latest mask and index
		 * (facts §6.4, §6.5). */
		__atomic_exchange_n(RING(h, write_index), write,
				    __ATOMIC_SEQ_CST);
		if (vmbus_ring_should_signal_reader(
			    old, __atomic_load_n(RING(h, read_index),
						 __ATOMIC_ACQUIRE),
			    __atomic_load_n(RING(h, interrupt_mask),
					    __ATOMIC_ACQUIRE))) {
			signals++;
			if (user_signal() & 0xFFFF)
				failures++;
		}
	}
	a->tsc_written = user_rdtsc();
	while (__atomic_load_n(RING(h, read_index), __ATOMIC_ACQUIRE) != write)
		user_pause();
	a->tsc_drained = user_rdtsc();
	a->signals = signals;
	a->signal_failures = failures;
	a->full_polls = full_polls;
	user_leave(a);
}

void producer_signal_loop(struct producer_args *a)
{
	uint64_t best = ~0ull;
	uint32_t failures = 0;

	a->tsc_start = user_rdtsc();
	for (uint32_t n = 0; n < a->count; n++) {
		uint64_t t0 = user_rdtsc();

		if (user_signal() & 0xFFFF)
			failures++;

		uint64_t dt = user_rdtsc() - t0;

		if (dt < best)
			best = dt;
	}
	a->tsc_written = user_rdtsc();
	a->tsc_min = best;
	a->signals = a->count;
	a->signal_failures = failures;
	user_leave(a);
}
