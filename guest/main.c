// SPDX-License-Identifier: MIT
/*
 * The kvmbus guest test kernel, boot processor.
 *
 * Flow: device tree -> boot arguments -> page allocator -> IDT + LAPIC ->
 * Hyper-V detection, GUEST_OS_ID, hypercall page -> SynIC -> APs ->
 * interrupts on -> the VMBus scenario (vmbus_test.c) -> TAP verdict on
 * the exit port.  Every step reports TAP checks; a failed step skips what
 * depends on it but the run always reaches the verdict.
 */
#include "guest/bootargs.h"
#include "guest/entry.h"
#include "guest/smp.h"
#include "guest/vmbus_test.h"
#include "guest/lib/alloc.h"
#include "guest/lib/console.h"
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

static void describe_platform(void)
{
	report_info("RAM 0x%lx+0x%lx (%u bank%s), %u vCPU%s, bootargs \"%s\"",
		    (unsigned long)platform.ram.base,
		    (unsigned long)platform.ram.size, platform.nr_ram_banks,
		    platform.nr_ram_banks == 1 ? "" : "s", platform.nr_cpus,
		    platform.nr_cpus == 1 ? "" : "s", platform.bootargs);
	for (unsigned i = 0; i < platform.nr_vmbus_mmio; i++)
		report_info("VMBus MMIO range %u: 0x%lx+0x%lx", i,
			    (unsigned long)platform.vmbus_mmio[i].base,
			    (unsigned long)platform.vmbus_mmio[i].size);
	if (platform.fb_base)
		report_info("framebuffer 0x%lx+0x%lx",
			    (unsigned long)platform.fb_base,
			    (unsigned long)platform.fb_size);
}

/* facts §1: what Linux needs before it selects Hyper-V. */
static bool check_hyperv(void)
{
	struct hv_info hv;
	const uint32_t need_low = HV_PRIV_HYPERCALL | HV_PRIV_VP_INDEX |
				  HV_PRIV_SYNIC;
	const uint32_t need_high = HV_PRIV_HI_POST_MESSAGES |
				   HV_PRIV_HI_SIGNAL_EVENTS;

	hv_detect(&hv);
	bool is_hv = report(hv_info_is_hyperv(&hv),
			    "Hyper-V detected: hypervisor bit %u, vendor \"%s\", max leaf 0x%x",
			    hv.hypervisor_bit, hv.vendor, hv.max_leaf);

	report(hv.interface == HV_INTERFACE_HV1,
	       "Hyper-V interface \"Hv#1\" (0x%x)", hv.interface);
	report((hv.privileges_low & need_low) == need_low &&
	       (hv.privileges_high & need_high) == need_high,
	       "privileges: hypercall, VP index, SynIC, post/signal (0x%x/0x%x)",
	       hv.privileges_low, hv.privileges_high);
	report(hv.hints & HV_HINT_DEPRECATE_AEOI,
	       "host recommends guest EOI (deprecate-AEOI hint, 0x%x)", hv.hints);
	report_info("max VP index %u, features 0x%x", hv.max_vp_index,
		    hv.features);
	return is_hv;
}

static bool check_hypercall_page(void)
{
	hv_write_guest_os_id();

	uint64_t guest_os_id = rdmsr(HV_MSR_GUEST_OS_ID);
	uint64_t msr = hv_enable_hypercall_page();
	const uint8_t *stub = hv_hypercall_page();
	bool enabled = msr & HV_HYPERCALL_ENABLE;
	bool right_page = stub && (msr & HV_PAGE_GPN_MASK) == virt_to_phys(stub);

	report(guest_os_id == hv_guest_os_id(), "GUEST_OS_ID reads back 0x%lx",
	       (unsigned long)guest_os_id);
	/* The host overlays its stub on the page: a zero first byte means
	 * nothing was written there. */
	return report(enabled && right_page && stub[0] != 0,
		      "hypercall page enabled at 0x%lx (MSR 0x%lx, stub %02x %02x %02x)",
		      (unsigned long)virt_to_phys(stub), (unsigned long)msr,
		      stub ? stub[0] : 0, stub ? stub[1] : 0, stub ? stub[2] : 0);
}

static void check_cpu(unsigned i, bool up)
{
	struct percpu *c = &cpus[i];

	if (!up) {
		report(false, "vCPU %u came up", i);
		return;
	}
	report(c->vp_index == i, "vCPU %u: VP_INDEX MSR = %lu", i,
	       (unsigned long)c->vp_index);
	report(c->synic_ok,
	       "vCPU %u: SynIC enabled (SIMP 0x%lx SIEFP 0x%lx SINT2 0x%lx)%s%s",
	       i, (unsigned long)c->synic.simp, (unsigned long)c->synic.siefp,
	       (unsigned long)c->synic.sint, c->synic_ok ? "" : ": ",
	       c->synic_ok ? "" : c->synic_error);
}

static void bring_up_aps(void)
{
	unsigned ready = smp_release_aps(platform.nr_cpus);

	if (platform.nr_cpus > 1)
		report_info("%u of %u application processors ready", ready,
			    platform.nr_cpus - 1);
	for (unsigned i = 1; i < platform.nr_cpus; i++)
		check_cpu(i, cpus[i].ready != 0);
}

void guest_main(const void *fdt, uint64_t cpu_index)
{
	(void)cpu_index;
	percpu_init(0);
	stack_guard_init();
	report_info("kvmbus-guest: vCPU 0 up, device tree at %p", fdt);

	const char *err = platform_read(fdt, &platform);

	if (err)
		report_abort("device tree: %s", err);
	if (platform.nr_cpus > GUEST_MAX_CPUS) {
		report_info("only %u of %u vCPUs used", GUEST_MAX_CPUS,
			    platform.nr_cpus);
		platform.nr_cpus = GUEST_MAX_CPUS;
	}
	describe_platform();

	if (bootargs_has(platform.bootargs, "test=hang")) {
		/* For the VMM's --timeout test: nothing but a spin. */
		report_info("hanging on purpose");
		irq_disable();
		for (;;)
			cpu_relax();
	}

	page_alloc_init(virt_to_phys(_end),
			platform.ram.base + platform.ram.size);
	idt_init();
	idt_load();
	lapic_enable();

	bool hyperv = check_hyperv() && check_hypercall_page();

	if (hyperv) {
		cpus[0].vp_index = rdmsr(HV_MSR_VP_INDEX);
		synic_enable_this_cpu();
		check_cpu(0, true);
		bring_up_aps();
		/* IDT, LAPIC and SynIC are ready: host messages may come. */
		irq_enable();
		if (cpus[0].synic_ok)
			vmbus_test_run(platform.nr_cpus);
		else
			report(false, "VMBus tests need the SynIC");
	} else {
		report(false, "VMBus tests need Hyper-V and a hypercall page");
	}

	if (bootargs_has(platform.bootargs, "test=fail"))
		report(false, "deliberate failure (test=fail)");
	report_finish();
}
