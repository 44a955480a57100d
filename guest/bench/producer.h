/* SPDX-License-Identifier: MIT */
/*
 * The code the bench runs at CPL 3, as user-space VMBus drivers run their
 * data path: on this project's machines guest ring-0 code is emulated
 * (~1 us per instruction) while ring-3 code runs natively, so only a
 * ring-3 producer shows what the ring itself costs.
 *
 * producer.o is linked into the user pages (bench.ld) and calls nothing
 * outside them; it reaches the kernel only through the two gates of
 * bench_abi.h.  Arguments and results live in a struct the caller places
 * in user memory (.data.user).
 */
#ifndef GUEST_BENCH_PRODUCER_H
#define GUEST_BENCH_PRODUCER_H

#include <stdint.h>

#include "vmbus/abi/vmbus_abi.h"

struct producer_args {
	/* In: the guest->host ring (header page, then the data area). */
	struct vmbus_ring_header *hdr;
	uint64_t *data;
	uint32_t size;                /* data area bytes */
	uint32_t payload_len;         /* bytes per packet, multiple of 8 */
	uint32_t count;               /* packets, or signals for signal_loop */
	/* Out. */
	uint64_t tsc_start;           /* before the first packet */
	uint64_t tsc_written;         /* after the last packet was published */
	uint64_t tsc_drained;         /* the host has consumed everything */
	uint64_t tsc_min;             /* signal_loop: fastest round trip */
	uint32_t signals;             /* int $0x80 made (HvSignalEvent) */
	uint32_t signal_failures;     /* ... that returned a non-zero status */
	uint64_t full_polls;          /* looks at read_index while full */
};

/* Write args->count packets of args->payload_len bytes into the ring,
 * signalling the host only when the ring rules require it (the write
 * turned the ring non-empty and interrupt_mask is clear, facts §6.5);
 * when the ring is full, poll until the host makes room.  Then wait until
 * the host has consumed everything, and leave through BENCH_VEC_LEAVE. */
__attribute__((noreturn)) void producer_main(struct producer_args *args);

/* args->count round trips through the signal gate, each timed with the
 * TSC (sum in tsc_written - tsc_start, fastest in tsc_min); then leave. */
__attribute__((noreturn)) void producer_signal_loop(struct producer_args *args);

#endif
