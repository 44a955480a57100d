/* SPDX-License-Identifier: MIT */
/*
 * Boot arguments from /chosen/bootargs: space-separated words.  The test
 * kernel knows "test=fail" (fail one check on purpose), "test=hang" (spin
 * forever with interrupts off), "test=cfgwin-over-vram" (put a PCI config
 * window over the video VRAM on purpose), and "nr_cpus=N" (use at most N
 * vCPUs -- what kdump appends for its crash kernel); other words are
 * ignored.  Pure C.
 */
#ifndef GUEST_BOOTARGS_H
#define GUEST_BOOTARGS_H

#include <stdbool.h>
#include <stdint.h>

/* True if `word` appears in `args` as a whole space-separated word. */
bool bootargs_has(const char *args, const char *word);
/* The decimal value of the last word "key=N" in args (as Linux, the last
 * one wins).  False if there is none or N is not a number that fits. */
bool bootargs_get_u32(const char *args, const char *key, uint32_t *out);

#endif
