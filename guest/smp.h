/* SPDX-License-Identifier: MIT */
/*
 * Bring-up of the application processors.  Every vCPU enters the kernel
 * at once; the APs wait until the BSP has done the partition-wide setup
 * (device tree, page allocator, IDT, hypercall page), then set up their
 * own LAPIC and SynIC and idle in HLT with interrupts on.
 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

/* BSP: let the APs go, then wait (bounded) until `nr_cpus - 1` of them
 * report ready.  Returns how many did. */
unsigned smp_release_aps(unsigned nr_cpus);

#endif
