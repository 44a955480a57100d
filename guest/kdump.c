// SPDX-License-Identifier: MIT
/*
 * Linux on Hyper-V, from panic to the crash kernel:
 *   1. interrupts off on the panicking CPU;
 *   2. the other CPUs stopped (Linux shoots them down with an NMI; here a
 *      fixed IPI whose handler halts with interrupts off);
 *   3. hv_crash_handler: vmbus_initiate_unload(crash = true) -- UNLOAD,
 *      then the answer polled from the message page, interrupts being
 *      off (facts §5.4) -- and hv_synic_disable_regs on this CPU;
 *   4. hyperv_cleanup: GUEST_OS_ID 0, hypercall page off (facts §2);
 *   5. machine_kexec: into the crash kernel with the boot info kexec_load
 *      prepared (guest/kdump_bootinfo.h) placed in the crash region.
 * The crash kernel then redoes the whole Hyper-V and VMBus bring-up.
 *
 * kexec copies a fresh kernel image; here the crash kernel is this same
 * image at the same place, so the jump first zeroes .bss: every static
 * starts as in a fresh image (per-CPU blocks, IDT, allocator, client and
 * driver state, the stacks).  .data is left as is: it holds only the
 * stack-guard block, constant tables and hv.c's cached CPUID answer,
 * which is the same partition's.  The first kernel's pages (SIMP page,
 * rings) lie in the lower half of RAM, which the crash kernel never
 * allocates from (guest/scenario.h).
 */
#include "guest/kdump.h"

#include "guest/kdump_bootinfo.h"
#include "guest/lib/atomic.h"
#include "guest/lib/cpu.h"
#include "guest/lib/hv.h"
#include "guest/lib/idt.h"
#include "guest/lib/lapic.h"
#include "guest/lib/percpu.h"
#include "guest/lib/report.h"
#include "guest/lib/synic.h"
#include "vmbus/abi/vmbus_abi.h"

/* A vector of its own for the stop IPI (0xF3 is VMBus, 0xFF spurious). */
#define KDUMP_STOP_VECTOR 0xFCu
#define KDUMP_STOP_SPINS  1000000u

extern char _start[], _bss_start[], _bss_end[];

static volatile uint32_t stopped[GUEST_MAX_CPUS];

/* Runs on the other vCPUs: never returns, interrupts stay off (an
 * interrupt gate cleared IF). */
static void stop_this_cpu(struct isr_frame *frame)
{
	(void)frame;
	store_release32(&stopped[this_cpu_index()], 1);
	for (;;)
		cpu_halt();
}

static void stop_other_cpus(unsigned nr_cpus)
{
	unsigned sent = 0, done = 0;

	if (nr_cpus < 2)
		return;
	idt_set_handler(KDUMP_STOP_VECTOR, stop_this_cpu);
	/* APIC ID = vCPU index on this platform (platform_abi.h). */
	for (unsigned i = 1; i < nr_cpus; i++)
		sent += lapic_send_ipi(i, KDUMP_STOP_VECTOR);
	for (unsigned i = 1; i < nr_cpus; i++) {
		for (uint32_t s = 0; s < KDUMP_STOP_SPINS; s++) {
			if (load_acquire32(&stopped[i])) {
				done++;
				break;
			}
			cpu_relax();
		}
	}
	report(done == nr_cpus - 1,
	       "kdump: other vCPUs stopped before kexec (%u of %u; %u IPIs sent)",
	       done, nr_cpus - 1, sent);
}

/* Zero .bss and enter the kernel at _start as the platform enters it
 * (platform_abi.h boot protocol): RDI = boot info, RSI = 0 (the BSP).
 * Registers only from here on: the stack being zeroed is this one. */
static __attribute__((noreturn)) void kexec_jump(const void *bootinfo)
{
	uint64_t qwords = ((uint64_t)(_bss_end - _bss_start) + 7) / 8;
	register uint64_t r8 asm("r8") = (uint64_t)(uintptr_t)bootinfo;
	register uint64_t r9 asm("r9") = (uint64_t)(uintptr_t)_start;

	asm volatile("rep stosq\n\t"
		     "movq %%r8, %%rdi\n\t"
		     "xorl %%esi, %%esi\n\t"
		     "jmp *%%r9"
		     :
		     : "D"(_bss_start), "c"(qwords), "a"(0), "r"(r8), "r"(r9)
		     : "memory");
	__builtin_unreachable();
}

void kdump_crash(struct vmbus_client *c, const void *fdt,
		 const struct scenario_range *crash, unsigned nr_cpus)
{
	void *bootinfo = (void *)(uintptr_t)crash->start;
	struct kdump_bootinfo bi = {
		.usable_base = crash->start,
		.usable_size = crash->end - crash->start,
	};
	unsigned dropped = 0;

	report_info("kdump: the first kernel panics (on purpose); crash kernel region [0x%lx, 0x%lx)",
		    (unsigned long)crash->start, (unsigned long)crash->end);
	irq_disable();
	stop_other_cpus(nr_cpus);

	/* hv_crash_handler (facts §5.4): the reply lands in SIMP slot 2 of
	 * the contact VP -- this one -- and is read from there. */
	volatile struct hv_message *slot =
		(volatile struct hv_message *)((uint8_t *)this_cpu()->simp_page +
					       HV_SIMP_SLOT_OFFSET(VMBUS_MESSAGE_SINT));

	report(vmbus_unload_polled(c, slot, &dropped),
	       "kdump: UNLOAD_RESPONSE polled from the SIMP slot with interrupts off (%u other messages dropped)",
	       dropped);
	synic_disable_this_cpu();
	hv_cleanup();

	/* kexec_load: the crash kernel's boot info at the start of its
	 * region; the counters are final only after the check below. */
	uint32_t size = kdump_bootinfo_size(fdt);
	int rc = -1;

	if (size < crash->end - crash->start) {
		bi.tap_checks = report_checks();
		bi.tap_failures = report_failures();
		rc = kdump_bootinfo_build(fdt, bootinfo, size, &bi);
	}
	if (!report(rc == 0,
		    "kdump: crash kernel boot info at 0x%lx: framebuffer base 0, usable memory [0x%lx, 0x%lx), nr_cpus=1 (libfdt %d)",
		    (unsigned long)crash->start, (unsigned long)crash->start,
		    (unsigned long)crash->end, rc))
		return;
	kdump_bootinfo_set_tap(bootinfo, report_checks(), report_failures());
	report_info("kexec: entering the crash kernel at _start (0x%lx), RDI = 0x%lx, RSI = 0",
		    (unsigned long)(uintptr_t)_start, (unsigned long)crash->start);
	kexec_jump(bootinfo);
}
