/* SPDX-License-Identifier: MIT */
/*
 * Exit costs seen from the guest: N back-to-back operations between two
 * TSC reads, each operation one VM exit to the VMM, against the same loop
 * with an empty body (its cost is taken off).  Marks around every loop
 * let tests/bench/run.py check that each operation was exactly one exit.
 * Runs at CPL 0, where a hypercall has to be made from.
 */
#ifndef GUEST_BENCH_COST_H
#define GUEST_BENCH_COST_H

#include <stdint.h>

struct cost_targets {
	uintptr_t mmio_addr;          /* unclaimed, in the low MMIO gap */
	uint32_t echo_connection;     /* HvSignalEvent, cheap service */
	uint32_t sink_connection;     /* HvSignalEvent, wakes the drain thread */
};

/* Measure every kind and print one "bench: cost ..." line per kind. */
void cost_run_all(const struct cost_targets *t, uint32_t iterations);

#endif
