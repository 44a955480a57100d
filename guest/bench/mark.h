/* SPDX-License-Identifier: MIT */
/*
 * Marks: the VMM prints its counters (exits by kind, sink figures) each
 * time the guest writes a mark number to KVMBUS_PORT_BENCH_MARK (with
 * --stats), so the difference between two marks is what happened in
 * between.  The mark's own OUT is one io exit, counted in the second
 * mark's figures; tests/bench/run.py takes it off.
 */
#ifndef GUEST_BENCH_MARK_H
#define GUEST_BENCH_MARK_H

#include <stdint.h>

/* Write the next mark number and return it (1, 2, ...). */
uint32_t bench_mark(void);

static inline uint64_t bench_rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

#endif
