/* SPDX-License-Identifier: MIT */
/*
 * The crash kernel's boot information, built the way kexec_load builds
 * it for a kdump kernel: a copy of the running kernel's device tree,
 * opened into a bigger buffer (fdt_open_into), then changed:
 *   - kvmbus,fb-base = kvmbus,fb-size = 0: no framebuffer is handed over,
 *     which is how a crash kernel ends up with screen_info.lfb_base = 0
 *     (facts §8.6);
 *   - kvmbus,crash-kernel (empty): this kernel is the crash kernel;
 *   - linux,usable-memory-range = <base size>: the crashkernel= region,
 *     the only RAM the crash kernel may use;
 *   - bootargs += " nr_cpus=1", as kdump's command line does;
 *   - kvmbus,tap-state = <checks failures>, so the TAP stream continues.
 * Pure C over libfdt, tested on the host (tests/unit/test_guest_kdump.c).
 */
#ifndef GUEST_KDUMP_BOOTINFO_H
#define GUEST_KDUMP_BOOTINFO_H

#include <stdint.h>

/* Room added to the copy for the new properties. */
#define KDUMP_BOOTINFO_SLACK 1024u
/* Longest command line handed on (with " nr_cpus=1" and the NUL). */
#define KDUMP_BOOTARGS_MAX 512u

struct kdump_bootinfo {
	uint64_t usable_base, usable_size;
	uint32_t tap_checks, tap_failures;
};

/* Bytes the boot info built from `fdt` needs. */
uint32_t kdump_bootinfo_size(const void *fdt);
/* Build it into buf (cap bytes).  0, or a negative libfdt error. */
int kdump_bootinfo_build(const void *fdt, void *buf, uint32_t cap,
			 const struct kdump_bootinfo *bi);
/* Update the TAP counters in a built blob, in place (the last checks of
 * the first kernel come after the blob was built).  0 or libfdt error. */
int kdump_bootinfo_set_tap(void *buf, uint32_t checks, uint32_t failures);

#endif
