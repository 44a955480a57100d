/* SPDX-License-Identifier: MIT */
/*
 * The TSC rate, so TSC deltas become times: CPUID leaf 0x15 (TSC/crystal
 * ratio and crystal rate) or 0x16 (base MHz) when the CPU reports them,
 * else calibrated against the partition reference counter (TIME_REF_COUNT,
 * 100 ns units), which the VMM derives from the host's monotonic clock.
 */
#ifndef GUEST_BENCH_TSC_H
#define GUEST_BENCH_TSC_H

#include <stdint.h>

struct tsc_rate {
	uint64_t hz;
	const char *source;           /* "cpuid-15", "cpuid-16", "ref-counter" */
	uint64_t calibration_ref;     /* ref-counter ticks the calibration took */
};

/* 0 and source "none" if nothing works. */
void tsc_rate_find(struct tsc_rate *r);

#endif
