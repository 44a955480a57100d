/* SPDX-License-Identifier: MIT */
/*
 * Thin inline wrappers around the x86-64 instructions the guest needs.
 * Guest-only (inline asm); pure files use guest/lib/atomic.h instead.
 *
 * Cost model (KVM facts doc): ring-0 code is emulated at ~1 us per
 * instruction and every port or MSR access that leaves KVM costs ~12 us,
 * so callers keep these out of inner loops.
 */
#ifndef GUEST_LIB_CPU_H
#define GUEST_LIB_CPU_H

#include <stdint.h>

#define MSR_APIC_BASE   0x0000001Bu
#define MSR_FS_BASE     0xC0000100u
#define MSR_GS_BASE     0xC0000101u

#define RFLAGS_IF       (1ull << 9)

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf)
{
	struct cpuid_regs r;

	asm volatile("cpuid"
		     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
		     : "a"(leaf), "c"(0));
	return r;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
	asm volatile("wrmsr"
		     :
		     : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
		     : "memory");
}

static inline void outb(uint16_t port, uint8_t val)
{
	asm volatile("outb %0, %1" : : "a"(val), "Nd"(port) : "memory");
}

static inline void outl(uint16_t port, uint32_t val)
{
	asm volatile("outl %0, %1" : : "a"(val), "Nd"(port) : "memory");
}

static inline void cpu_relax(void)
{
	asm volatile("pause" : : : "memory");
}

static inline void irq_disable(void)
{
	asm volatile("cli" : : : "memory");
}

static inline void irq_enable(void)
{
	asm volatile("sti" : : : "memory");
}

/* Enable interrupts and halt as one step: STI's one-instruction shadow
 * guarantees an interrupt arriving in between still wakes the HLT. */
static inline void irq_enable_and_halt(void)
{
	asm volatile("sti; hlt" : : : "memory");
}

static inline void cpu_halt(void)
{
	asm volatile("hlt" : : : "memory");
}

static inline uint64_t read_rflags(void)
{
	uint64_t f;

	asm volatile("pushfq; popq %0" : "=r"(f) : : "memory");
	return f;
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline void compiler_barrier(void)
{
	asm volatile("" : : : "memory");
}

/* Full fence without MFENCE: a locked read-modify-write orders every
 * earlier load and store, and the instruction emulator this machine runs
 * ring 0 under handles locked ALU ops (it lacks several SSE-era ops). */
static inline void full_barrier(void)
{
	asm volatile("lock; orq $0, (%%rsp)" : : : "memory", "cc");
}

struct __attribute__((packed)) descriptor_pointer {
	uint16_t limit;
	uint64_t base;
};

static inline void load_idt(const void *base, uint16_t limit)
{
	struct descriptor_pointer p = { limit, (uint64_t)(uintptr_t)base };

	asm volatile("lidt %0" : : "m"(p));
}

static inline uint32_t mmio_read32(uintptr_t addr)
{
	return *(volatile uint32_t *)addr;
}

static inline void mmio_write32(uintptr_t addr, uint32_t val)
{
	*(volatile uint32_t *)addr = val;
}

#endif
