// SPDX-License-Identifier: MIT
/*
 * kvmbus-hostile: a guest kernel that feeds kvmbus every malformed input
 * in its case table (cases.h), checks for each that it was refused the
 * way the protocol lets a guest see, then proves the host still serves a
 * well-behaved guest (clean.c), and reports PASS or FAIL on the exit port.
 *
 * Boot is the test kernel's (guest/main.c): device tree, page allocator,
 * IDT + LAPIC, Hyper-V detection, GUEST_OS_ID, hypercall page, SynIC --
 * plus a #GP handler for the MSR attacks.  One vCPU does everything;
 * others park.
 */
#include "guest/entry.h"
#include "guest/hostile/cases.h"
#include "guest/hostile/clean.h"
#include "guest/hostile/env.h"
#include "guest/hostile/gp_trap.h"
#include "guest/lib/alloc.h"
#include "guest/lib/cpu.h"
#include "guest/lib/fdt.h"
#include "guest/lib/hv.h"
#include "guest/lib/idt.h"
#include "guest/lib/lapic.h"
#include "guest/lib/percpu.h"
#include "guest/lib/report.h"
#include "guest/lib/synic.h"
#include "vmm/abi/hv_abi.h"

extern char _end[];     /* guest.ld: first byte after the image */

static struct platform_info platform;

static bool boot_hyperv(void)
{
	struct hv_info hv;
	uint64_t msr;

	hv_detect(&hv);
	if (!report(hv_info_is_hyperv(&hv), "setup: Hyper-V detected (\"%s\")",
		    hv.vendor))
		return false;
	hv_write_guest_os_id();
	msr = hv_enable_hypercall_page();
	if (!report(msr & HV_HYPERCALL_ENABLE,
		    "setup: hypercall page enabled (MSR 0x%lx)",
		    (unsigned long)msr))
		return false;
	cpus[0].vp_index = rdmsr(HV_MSR_VP_INDEX);
	synic_enable_this_cpu();
	return report(cpus[0].synic_ok, "setup: SynIC enabled%s%s",
		      cpus[0].synic_ok ? "" : ": ",
		      cpus[0].synic_ok ? "" : cpus[0].synic_error);
}

void guest_main(const void *fdt, uint64_t cpu_index)
{
	const char *err;
	unsigned cases;

	(void)cpu_index;
	percpu_init(0);
	stack_guard_init();
	report_info("kvmbus-hostile: vCPU 0 up");
	err = platform_read(fdt, &platform);
	if (err)
		report_abort("device tree: %s", err);
	page_alloc_init(virt_to_phys(_end), platform.ram.base + platform.ram.size);
	idt_init();
	idt_load();
	lapic_enable();
	gp_trap_install();

	if (!env_init(&platform) || !boot_hyperv())
		report_abort("cannot aim the attacks: setup failed");
	irq_enable();

	cases = hostile_run_all();
	report(hostile_failed_cases() == 0,
	       "hostile: %u malformed inputs, every refusal seen by the guest (%u not)",
	       cases, hostile_failed_cases());
	if (hostile_clean_exchange())
		report_info("hostile: clean exchange after the attacks passed");
	report_finish();
}

/* The attacks run on the boot processor alone. */
void ap_main(const void *fdt, uint64_t cpu_index)
{
	(void)fdt;
	(void)cpu_index;
	irq_disable();
	for (;;)
		cpu_halt();
}
