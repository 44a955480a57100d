// SPDX-License-Identifier: MIT
/*
 * The IDT: 256 interrupt gates (type 0xE: IF is cleared on entry, so a
 * handler never nests) in the boot code segment, no IST -- the guest
 * stays at CPL 0, so the CPU keeps using the interrupted stack.
 */
#include "guest/lib/idt.h"

#include "guest/lib/console.h"
#include "guest/lib/cpu.h"
#include "guest/lib/percpu.h"
#include "guest/lib/report.h"
#include "vmm/abi/platform_abi.h"

#define IDT_VECTORS      256
#define IDT_GATE_INTR64  0x8E   /* present, DPL 0, 64-bit interrupt gate */
#define ISR_STUB_SIZE    16     /* must match .p2align 4 in isr.S */

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));

extern const char isr_stubs[];

static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(16)));
static isr_handler_fn handlers[IDT_VECTORS];

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode",
	"#NM device not available", "#DF double fault",
	"coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved 15",
	"#MF x87 error", "#AC alignment check", "#MC machine check",
	"#XM SIMD error", "#VE virtualization", "#CP control protection",
	"reserved 22", "reserved 23", "reserved 24", "reserved 25",
	"reserved 26", "reserved 27", "#HV hypervisor injection",
	"#VC VMM communication", "#SX security", "reserved 31",
};

void idt_init(void)
{
	for (unsigned v = 0; v < IDT_VECTORS; v++) {
		uint64_t addr = (uint64_t)(uintptr_t)(isr_stubs + v * ISR_STUB_SIZE);

		idt[v].offset_low = (uint16_t)addr;
		idt[v].selector = KVMBUS_BOOT_CS;
		idt[v].ist = 0;
		idt[v].type_attr = IDT_GATE_INTR64;
		idt[v].offset_mid = (uint16_t)(addr >> 16);
		idt[v].offset_high = (uint32_t)(addr >> 32);
	}
}

void idt_load(void)
{
	load_idt(idt, sizeof(idt) - 1);
}

void idt_set_handler(uint8_t vector, isr_handler_fn fn)
{
	handlers[vector] = fn;
}

/* An exception means the guest itself is broken: say exactly where, then
 * stop the whole run with FAIL (there is nothing sensible to resume). */
static void fatal_exception(const struct isr_frame *f)
{
	unsigned cpu = this_cpu_index();

	kprintf("# vCPU %u: exception %lu (%s) error=0x%lx\n", cpu,
		(unsigned long)f->vector, exception_names[f->vector & 31],
		(unsigned long)f->error_code);
	kprintf("#   rip=0x%lx rsp=0x%lx rflags=0x%lx cr2=0x%lx\n",
		(unsigned long)f->rip, (unsigned long)f->rsp,
		(unsigned long)f->rflags, (unsigned long)read_cr2());
	kprintf("#   rax=0x%lx rbx=0x%lx rcx=0x%lx rdx=0x%lx\n",
		(unsigned long)f->rax, (unsigned long)f->rbx,
		(unsigned long)f->rcx, (unsigned long)f->rdx);
	kprintf("#   rsi=0x%lx rdi=0x%lx rbp=0x%lx\n",
		(unsigned long)f->rsi, (unsigned long)f->rdi,
		(unsigned long)f->rbp);
	report_abort("exception %lu on vCPU %u at rip 0x%lx",
		     (unsigned long)f->vector, cpu, (unsigned long)f->rip);
}

void isr_dispatch(struct isr_frame *f)
{
	isr_handler_fn fn = handlers[f->vector & (IDT_VECTORS - 1)];

	if (f->vector < 32 && !fn)
		fatal_exception(f);
	if (!fn)
		report_abort("unexpected interrupt vector 0x%lx on vCPU %u",
			     (unsigned long)f->vector, this_cpu_index());
	fn(f);
}
