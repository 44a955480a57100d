/* SPDX-License-Identifier: MIT */
/*
 * The first kernel's "panic" in a kdump boot, done the way Linux's
 * panic -> crash_kexec path does it on Hyper-V, ending in a jump into the
 * crash kernel (the same test kernel, entered again at _start).
 */
#ifndef GUEST_KDUMP_H
#define GUEST_KDUMP_H

#include "guest/scenario.h"
#include "guest/vmbus_client.h"

/* Panic now.  c: the live VMBus connection (UNLOADed here); fdt: this
 * kernel's boot device tree; crash: the RAM kept for the crash kernel
 * (its boot info goes at its start); nr_cpus: vCPUs this kernel runs.
 * Returns only if the crash kernel cannot be started (the run then
 * reports as it is). */
void kdump_crash(struct vmbus_client *c, const void *fdt,
		 const struct scenario_range *crash, unsigned nr_cpus);

#endif
