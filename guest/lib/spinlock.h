/* SPDX-License-Identifier: MIT */
/*
 * A test-and-set lock for the few things vCPUs share (the console).
 * Bounded: a vCPU that cannot get the lock after `max_spins` goes ahead
 * anyway -- garbled output beats a hang when, say, an exception handler
 * interrupts the lock holder.
 */
#ifndef GUEST_LIB_SPINLOCK_H
#define GUEST_LIB_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/lib/atomic.h"
#include "guest/lib/cpu.h"

struct spinlock {
	volatile uint32_t locked;
};

/* Returns true if the lock was taken (and must be released). */
static inline bool spin_lock_bounded(struct spinlock *l, uint32_t max_spins)
{
	for (uint32_t i = 0; i < max_spins; i++) {
		if (l->locked == 0 && atomic_xchg32(&l->locked, 1) == 0)
			return true;
		cpu_relax();
	}
	return false;
}

static inline void spin_unlock(struct spinlock *l)
{
	store_release32(&l->locked, 0);
}

#endif
