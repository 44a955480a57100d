// SPDX-License-Identifier: MIT
/*
 * The kvmbus guest test kernel, boot processor.
 *
 * Flow: device tree -> scenario (guest/scenario.h: which kernel this is,
 * its policies, its RAM) -> page allocator -> IDT + LAPIC -> Hyper-V
 * detection, GUEST_OS_ID, hypercall page -> SynIC -> APs -> interrupts
 * on -> VMBus connect and offers -> (normal boot) the echo tests -> the
 * devices in the scenario's order -> either a clean unload and the TAP
 * verdict on the exit port, or (kdump first kernel) a panic and a kexec
 * into the crash kernel -- this same image, entered again at _start --
 * which does it all again with its own policies and reports for both.
 * Every step reports TAP checks; a failed step skips what depends on it
 * but the run always reaches a verdict.
 */
#include <libfdt.h>

#include "guest/bootargs.h"
#include "guest/devices.h"
#include "guest/entry.h"
#include "guest/kdump.h"
#include "guest/scenario.h"
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
static struct guest_scenario scenario;
static struct devices devices;

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
	report_info("scenario: %s (boot \"%s\"); crash kernel policies: fb reserve %s, config window %s, load order %s; %u VPCI bus%s",
		    scenario_stage_name(scenario.stage),
		    platform.boot ? platform.boot : "?",
		    scenario.crash_fb_reserve, scenario.crash_config_window,
		    scenario.crash_load_order, scenario.vpci_buses,
		    scenario.vpci_buses == 1 ? "" : "es");
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

static void bring_up_aps(unsigned nr_cpus)
{
	if (nr_cpus < 2)
		return;

	unsigned ready = smp_release_aps(nr_cpus);

	report_info("%u of %u application processors ready", ready,
		    nr_cpus - 1);
	for (unsigned i = 1; i < nr_cpus; i++)
		check_cpu(i, cpus[i].ready != 0);
}

/* VMBus and the devices; for a kdump first kernel this ends in the
 * crash kernel. */
static void run_vmbus(const void *fdt, unsigned nr_cpus,
		      const struct scenario_range *crash)
{
	struct vmbus_client *c = vmbus_test_connect();
	struct devices_options opts = {
		.hot_remove = scenario.stage == SCENARIO_NORMAL,
		.cfgwin_over_vram = bootargs_has(platform.bootargs,
						 "test=cfgwin-over-vram"),
	};

	if (!c)
		return;
	/* The echo tests belong to the one-kernel run; kdump boots and the
	 * refusal test keep to the devices. */
	if (scenario.stage == SCENARIO_NORMAL && !opts.cfgwin_over_vram)
		vmbus_test_echo(c, nr_cpus);
	if (opts.cfgwin_over_vram)
		opts.hot_remove = false;

	devices_mmio_init(&devices, &platform, &scenario);
	devices_up(&devices, c, &scenario, &opts);
	devices_show(&devices, &scenario);
	if (scenario.stage == SCENARIO_KDUMP_FIRST) {
		kdump_crash(c, fdt, crash, nr_cpus);
		return;                 /* no crash kernel: report as is */
	}
	devices_down(&devices);
	vmbus_test_unload(c);
}

static unsigned usable_cpus(void)
{
	unsigned n = platform.nr_cpus;
	uint32_t limit;

	if (n > GUEST_MAX_CPUS) {
		report_info("only %u of %u vCPUs used", GUEST_MAX_CPUS, n);
		n = GUEST_MAX_CPUS;
	}
	/* kdump gives its crash kernel "nr_cpus=1". */
	if (bootargs_get_u32(platform.bootargs, "nr_cpus", &limit) &&
	    limit >= 1 && limit < n) {
		report_info("nr_cpus=%u: %u of %u vCPUs used", limit, limit, n);
		n = limit;
	}
	return n;
}

void guest_main(const void *fdt, uint64_t cpu_index)
{
	(void)cpu_index;
	percpu_init(0);
	stack_guard_init();

	const char *err = platform_read(fdt, &platform);

	if (!err && platform.crash_kernel && platform.has_tap_state)
		report_resume(platform.tap_checks, platform.tap_failures);
	report_info("kvmbus-guest: vCPU 0 up, device tree at %p", fdt);
	if (err)
		report_abort("device tree: %s", err);

	const char *bad_knob = scenario_from_platform(&scenario, &platform);
	unsigned nr_cpus = usable_cpus();

	describe_platform();
	if (bootargs_has(platform.bootargs, "test=hang")) {
		/* For the VMM's --timeout test: nothing but a spin. */
		report_info("hanging on purpose");
		irq_disable();
		for (;;)
			cpu_relax();
	}

	struct scenario_range mine, crash;
	const char *mem_err = scenario_memory(&scenario, &platform,
					      virt_to_phys(_end),
					      virt_to_phys(fdt),
					      fdt_totalsize(fdt), &mine, &crash);

	if (mem_err)
		report_abort("memory: %s", mem_err);
	page_alloc_init(mine.start, mine.end);
	report_info("page allocator: [0x%lx, 0x%lx)%s", (unsigned long)mine.start,
		    (unsigned long)mine.end,
		    crash.end ? " (the upper half is kept for the crash kernel)" : "");
	if (bad_knob)
		report(false, "scenario knob %s has a known value", bad_knob);

	idt_init();
	idt_load();
	lapic_enable();

	bool hyperv = check_hyperv() && check_hypercall_page();

	if (hyperv) {
		cpus[0].vp_index = rdmsr(HV_MSR_VP_INDEX);
		synic_enable_this_cpu();
		check_cpu(0, true);
		bring_up_aps(nr_cpus);
		/* IDT, LAPIC and SynIC are ready: host messages may come. */
		irq_enable();
		if (cpus[0].synic_ok)
			run_vmbus(fdt, nr_cpus, &crash);
		else
			report(false, "VMBus tests need the SynIC");
	} else {
		report(false, "VMBus tests need Hyper-V and a hypercall page");
	}

	if (bootargs_has(platform.bootargs, "test=fail"))
		report(false, "deliberate failure (test=fail)");
	report_finish();
}
