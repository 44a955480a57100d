/* SPDX-License-Identifier: MIT */
/*
 * The well-behaved end of the hostile run (clean.c).
 */
#ifndef GUEST_HOSTILE_CLEAN_H
#define GUEST_HOSTILE_CLEAN_H

#include <stdbool.h>

/* UNLOAD, reconnect, 100 echoed packets on a fresh channel, close,
 * UNLOAD; TAP checks.  True if all of it worked. */
bool hostile_clean_exchange(void);

#endif
