/* SPDX-License-Identifier: MIT */
/*
 * The C entry points start.S calls, one per kind of vCPU.
 */
#ifndef GUEST_ENTRY_H
#define GUEST_ENTRY_H

#include <stdint.h>

/* Boot processor: runs the whole test and reports. */
__attribute__((noreturn)) void guest_main(const void *fdt, uint64_t cpu_index);
/* Every other vCPU: sets itself up, then waits for interrupts. */
__attribute__((noreturn)) void ap_main(const void *fdt, uint64_t cpu_index);

#endif
