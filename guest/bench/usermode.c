// SPDX-License-Identifier: MIT
/*
 * Descriptors for CPL 3 (see usermode.h).  Layout of the GDT:
 *   0 null, 1 kernel code (0x08), 2 kernel data (0x10) -- as the boot
 *   GDT, so CS/SS and the IDT gates stay valid across the switch --
 *   3 user data (0x18 | 3), 4 user code (0x20 | 3), 5-6 the 64-bit TSS.
 * The TSS has no I/O bitmap, so with IOPL 0 user code cannot do port
 * I/O: every exit it causes goes through the kernel's gates.
 */
#include "guest/bench/usermode.h"

#include <stddef.h>

#include "guest/bench/bench_abi.h"
#include "guest/lib/cpu.h"
#include "guest/lib/hv.h"
#include "vmm/abi/hv_abi.h"

#define IDT_VECTORS       256
#define GATE_INTR_USER    0xEE   /* present, DPL 3, 64-bit interrupt gate */
#define TSS_TYPE_AVAIL    0x89   /* present, DPL 0, available 64-bit TSS */
#define KERNEL_STACK_SIZE 0x4000

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS");

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));

/* Flat descriptors (SDM vol. 3 §3.4.5), accessed bit preset so the CPU
 * never writes the GDT. */
static uint64_t gdt[7] __attribute__((aligned(16))) = {
	0,
	0x00AF9B000000FFFFull,   /* kernel code: L=1, DPL 0 */
	0x00CF93000000FFFFull,   /* kernel data: DPL 0 */
	0x00CFF3000000FFFFull,   /* user data: DPL 3 */
	0x00AFFB000000FFFFull,   /* user code: L=1, DPL 3 */
	0, 0,                    /* TSS, filled in at init */
};
static struct tss64 tss __attribute__((aligned(16)));
static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(16)));
static uint8_t kernel_stack[KERNEL_STACK_SIZE] __attribute__((aligned(16)));

/* Read by gate.S. */
const void *bench_hypercall_page;
uint64_t bench_signal_control = HV_CALL_SIGNAL_EVENT | HV_CONTROL_FAST;
uint64_t bench_signal_input;

void bench_gate_signal(void);
void bench_gate_leave(void);

static void set_user_gate(unsigned vector, void (*handler)(void))
{
	uint64_t a = (uint64_t)(uintptr_t)handler;
	struct idt_gate *g = &idt[vector];

	g->offset_low = (uint16_t)a;
	g->selector = BENCH_SEL_KCODE;
	g->ist = 0;
	g->type_attr = GATE_INTR_USER;
	g->offset_mid = (uint16_t)(a >> 16);
	g->offset_high = (uint32_t)(a >> 32);
	g->reserved = 0;
}

static void load_gdt_and_tss(void)
{
	uint64_t base = (uint64_t)(uintptr_t)&tss;
	uint64_t limit = sizeof(tss) - 1;
	struct descriptor_pointer p = { sizeof(gdt) - 1,
					(uint64_t)(uintptr_t)gdt };

	tss.rsp[0] = (uint64_t)(uintptr_t)(kernel_stack + KERNEL_STACK_SIZE);
	tss.iomap_base = sizeof(tss);           /* no I/O bitmap */
	gdt[5] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) |
		 ((uint64_t)TSS_TYPE_AVAIL << 40) |
		 (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
	gdt[6] = base >> 32;

	asm volatile("lgdt %0" : : "m"(p) : "memory");
	asm volatile("ltr %w0" : : "r"((uint16_t)BENCH_SEL_TSS) : "memory");
}

/* Null DS/ES/FS/GS: IRETQ to CPL 3 would null any that hold a DPL-0
 * selector, and on Intel that also zeroes the FS/GS base.  Loading the
 * null selector ourselves may zero them too, so the bases (the percpu
 * block and libfdt's canary) are written back afterwards. */
static void null_data_segments(void)
{
	uint64_t fs = rdmsr(MSR_FS_BASE), gs = rdmsr(MSR_GS_BASE);

	asm volatile("mov %0, %%ds; mov %0, %%es; mov %0, %%fs; mov %0, %%gs"
		     : : "r"(0u) : "memory");
	wrmsr(MSR_FS_BASE, fs);
	wrmsr(MSR_GS_BASE, gs);
}

/* Take over the loaded IDT (the library's stubs and handlers stay in
 * charge of every other vector) and add the user gates. */
static void load_idt_with_gates(void)
{
	struct descriptor_pointer cur;

	asm volatile("sidt %0" : "=m"(cur));
	const struct idt_gate *old = (const struct idt_gate *)(uintptr_t)cur.base;
	unsigned n = (cur.limit + 1u) / sizeof(struct idt_gate);

	for (unsigned v = 0; v < n && v < IDT_VECTORS; v++)
		idt[v] = old[v];
	set_user_gate(BENCH_VEC_SIGNAL, bench_gate_signal);
	set_user_gate(BENCH_VEC_LEAVE, bench_gate_leave);
	load_idt(idt, sizeof(idt) - 1);
}

void usermode_set_signal_connection(uint32_t connection_id)
{
	/* Fast HvSignalEvent input: connection id, flag 0 (facts §3.3). */
	bench_signal_input = connection_id;
}

void usermode_init(uint32_t signal_connection_id)
{
	bench_hypercall_page = hv_hypercall_page();
	usermode_set_signal_connection(signal_connection_id);
	load_gdt_and_tss();
	null_data_segments();
	load_idt_with_gates();
}
