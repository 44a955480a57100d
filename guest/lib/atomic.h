/* SPDX-License-Identifier: MIT */
/*
 * Atomics for code shared with host unit tests: compiler builtins only,
 * no inline asm.  On x86-64 these compile to plain MOVs (acquire/release)
 * or to XCHG / LOCK-prefixed ops (exchange, fetch-add, compare-exchange).
 *
 * Deliberately absent: __atomic_thread_fence and seq_cst stores, which
 * GCC turns into MFENCE -- an instruction the ring-0 emulator on this
 * project's machines may not implement.  Where a store must be ordered
 * before a later load (the ring signalling rules, facts §6.5, and the
 * SynIC slot release, facts §4.3) use atomic_xchg32, which is a full
 * barrier on x86.
 */
#ifndef GUEST_LIB_ATOMIC_H
#define GUEST_LIB_ATOMIC_H

#include <stdint.h>

static inline uint32_t load_acquire32(const volatile uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline uint64_t load_acquire64(const volatile uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void store_release32(volatile uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline void store_release64(volatile uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Store with a full barrier: nothing after it is performed before it. */
static inline uint32_t atomic_xchg32(volatile uint32_t *p, uint32_t v)
{
	return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);
}

static inline uint64_t atomic_xchg64(volatile uint64_t *p, uint64_t v)
{
	return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);
}

static inline uint64_t atomic_inc64(volatile uint64_t *p)
{
	return __atomic_add_fetch(p, 1, __ATOMIC_SEQ_CST);
}

static inline int atomic_cas64(volatile uint64_t *p, uint64_t *expected,
			       uint64_t desired)
{
	return __atomic_compare_exchange_n(p, expected, desired, 0,
					   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

#endif
