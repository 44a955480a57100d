/* SPDX-License-Identifier: MIT */
/*
 * Per-vCPU state, found through the GS base (MSR 0xC0000101): offset 0 of
 * each block points to itself, so this_cpu() is one GS-relative load,
 * cheap enough for the interrupt path.  The FS base is taken already --
 * libfdt's stack protector reads its canary at %fs:0x28 (lib/fdt.c).
 */
#ifndef GUEST_LIB_PERCPU_H
#define GUEST_LIB_PERCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/lib/msg_fifo.h"
#include "guest/lib/sint_handler.h"

/* start.S reserves a stack for this many vCPUs. */
#define GUEST_MAX_CPUS 8

/* SynIC register values read back after programming (lib/synic.c). */
struct synic_readback {
	uint64_t scontrol, simp, siefp, sint;
	uint64_t sversion;
};

struct percpu {
	struct percpu *self;              /* must stay at offset 0 */
	uint32_t index;                   /* RSI at entry: vCPU index */
	volatile uint32_t ready;          /* AP: bring-up finished */
	uint64_t vp_index;                /* HV_MSR_VP_INDEX read here */
	bool synic_ok;
	const char *synic_error;          /* why synic_ok is false */
	struct synic_readback synic;
	void *simp_page, *siefp_page;
	struct sint_context sint;
	/* SIEF bits (channel interrupts) handled on this vCPU; written by
	 * its interrupt handler, read by the BSP. */
	volatile uint64_t channel_events;
	volatile uint64_t sint_interrupts;
	struct msg_fifo fifo;
};

extern struct percpu cpus[GUEST_MAX_CPUS];

/* Point GS at cpus[index] (first thing each vCPU does in C). */
void percpu_init(unsigned index);

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	asm volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

static inline unsigned this_cpu_index(void)
{
	return this_cpu()->index;
}

#endif
