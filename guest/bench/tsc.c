// SPDX-License-Identifier: MIT
#include "guest/bench/tsc.h"

#include "guest/bench/mark.h"
#include "guest/lib/cpu.h"
#include "guest/lib/hv.h"

/* 20 ms of reference time: one RDMSR exit at each end (~50 us nested)
 * then costs at most 0.5% of accuracy. */
#define CALIBRATION_REF_TICKS 200000u
#define REF_TICKS_PER_SECOND  10000000u

static uint64_t from_cpuid(const char **source)
{
	uint32_t max = cpuid(0).eax;

	if (max >= 0x15) {
		struct cpuid_regs r = cpuid(0x15);

		/* EBX/EAX: TSC to crystal ratio; ECX: crystal Hz. */
		if (r.eax && r.ebx && r.ecx) {
			*source = "cpuid-15";
			return (uint64_t)r.ecx * r.ebx / r.eax;
		}
	}
	if (max >= 0x16) {
		struct cpuid_regs r = cpuid(0x16);

		if (r.eax & 0xFFFF) {
			*source = "cpuid-16";
			return (uint64_t)(r.eax & 0xFFFF) * 1000000u;
		}
	}
	return 0;
}

static uint64_t calibrate(uint64_t *ref_ticks)
{
	uint64_t r0 = hv_time_ref_count(), t0 = bench_rdtsc(), r1, t1;

	if (!r0)
		return 0;
	do {
		r1 = hv_time_ref_count();
		t1 = bench_rdtsc();
	} while (r1 - r0 < CALIBRATION_REF_TICKS);
	*ref_ticks = r1 - r0;
	return (t1 - t0) * REF_TICKS_PER_SECOND / (r1 - r0);
}

void tsc_rate_find(struct tsc_rate *r)
{
	r->calibration_ref = 0;
	r->source = "none";
	r->hz = from_cpuid(&r->source);
	if (r->hz)
		return;
	r->hz = calibrate(&r->calibration_ref);
	if (r->hz)
		r->source = "ref-counter";
}
