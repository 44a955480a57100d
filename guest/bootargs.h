/* SPDX-License-Identifier: MIT */
/*
 * Boot arguments from /chosen/bootargs: space-separated words.  The test
 * kernel knows "test=fail" (fail one check on purpose) and "test=hang"
 * (spin forever with interrupts off); other words are ignored.  Pure C.
 */
#ifndef GUEST_BOOTARGS_H
#define GUEST_BOOTARGS_H

#include <stdbool.h>

/* True if `word` appears in `args` as a whole space-separated word. */
bool bootargs_has(const char *args, const char *word);

#endif
