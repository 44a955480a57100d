// SPDX-License-Identifier: MIT
/*
 * Host tests of the guest's scenario reading and its kdump hand-off:
 * the platform's device tree as kvmbus builds it (firmware/fdt.c) is read
 * as the guest reads it (guest/lib/fdt.c), turned into policies and RAM
 * windows (guest/scenario.c), and turned into the crash kernel's boot
 * info (guest/kdump_bootinfo.c), which the guest then reads again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "firmware/fdt.h"
#include "guest/kdump_bootinfo.c"
#include "guest/lib/fdt.c"
#include "guest/scenario.c"

/* guest/lib/fdt.c's stack-protector hook ends the run through this. */
void report_abort(const char *fmt, ...)
{
	(void)fmt;
	fail_msg("report_abort called");
	abort();
}

#define MiB (1024ull * 1024ull)
#define IMAGE_END 0x180000ull

static uint8_t blob[64 * 1024];

static const void *platform_fdt(const char *bootargs, struct scenario_knobs k,
				uint64_t fb_base)
{
	static struct memmap map;
	char err[128];
	struct memmap_range low = { MEMMAP_DEFAULT_LOW_MMIO_BASE,
				    MEMMAP_DEFAULT_LOW_MMIO_SIZE };
	struct memmap_range high = { MEMMAP_DEFAULT_HIGH_MMIO_BASE,
				     MEMMAP_DEFAULT_HIGH_MMIO_SIZE };

	assert_int_equal(memmap_build(&map, 256 * MiB, low, high, err,
				      sizeof(err)), 0);

	struct platform_desc d = {
		.map = &map,
		.nr_cpus = 2,
		.fb_base = fb_base,
		.fb_size = 8 * MiB,
		.bootargs = bootargs,
		.knobs = k,
		.vpci_buses = 1,
	};

	assert_true(fdt_build_platform(blob, sizeof(blob), &d, err,
				       sizeof(err)) > 0);
	return blob;
}

static const struct scenario_knobs kdump_knobs = {
	.boot = SCENARIO_BOOT_KDUMP,
	.crash_fb_reserve = SCENARIO_FB_RESERVE_NONE,
	.crash_config_window = SCENARIO_CONFIG_WINDOW_HIGH,
	.crash_load_order = SCENARIO_LOAD_VIDEO_FIRST,
};

static void test_normal_boot(void **state)
{
	struct scenario_knobs k = { .boot = SCENARIO_BOOT_NORMAL };
	const void *fdt = platform_fdt("quiet", k, 0xC0000000ull);
	struct platform_info p;
	struct guest_scenario s;
	struct scenario_range mine, crash;

	(void)state;
	assert_null(platform_read(fdt, &p));
	assert_string_equal(p.boot, "normal");
	assert_false(p.crash_kernel);
	assert_false(p.has_usable);
	assert_false(p.has_tap_state);
	assert_int_equal(p.vpci_buses, 1);
	assert_null(scenario_from_platform(&s, &p));
	assert_int_equal(s.stage, SCENARIO_NORMAL);
	/* First-kernel policies, whatever the crash knobs say. */
	assert_int_equal(s.fb_policy, PCIF_FB_LFB);
	assert_int_equal(s.window_policy, PCIF_CFGWIN_LEGACY);
	assert_int_equal(s.order[0], SCENARIO_DEV_VIDEO);
	assert_int_equal(s.order[1], SCENARIO_DEV_PCI);
	assert_int_equal(s.lfb_base, 0xC0000000ull);
	assert_int_equal(s.lfb_size, 8 * MiB);
	/* All of RAM after the image. */
	assert_null(scenario_memory(&s, &p, IMAGE_END + 5, 0x90000, 0x1000,
				    &mine, &crash));
	assert_int_equal(mine.start, IMAGE_END + 0x1000);
	assert_int_equal(mine.end, 256 * MiB);
	assert_int_equal(crash.end, 0);
}

static void test_kdump_first_and_crash(void **state)
{
	const void *fdt = platform_fdt("test=x", kdump_knobs, 0xC0000000ull);
	struct platform_info p;
	struct guest_scenario s;
	struct scenario_range mine, crash;

	(void)state;
	assert_null(platform_read(fdt, &p));
	assert_null(scenario_from_platform(&s, &p));
	assert_int_equal(s.stage, SCENARIO_KDUMP_FIRST);
	assert_int_equal(s.fb_policy, PCIF_FB_LFB);
	assert_int_equal(s.window_policy, PCIF_CFGWIN_LEGACY);
	assert_string_equal(s.crash_fb_reserve, "none");
	assert_string_equal(s.crash_config_window, "high");
	assert_string_equal(s.crash_load_order, "video-first");
	/* The first kernel keeps to the lower half. */
	assert_null(scenario_memory(&s, &p, IMAGE_END, 0x90000, 0x1000,
				    &mine, &crash));
	assert_int_equal(mine.start, IMAGE_END);
	assert_int_equal(mine.end, 128 * MiB);
	assert_int_equal(crash.start, 128 * MiB);
	assert_int_equal(crash.end, 256 * MiB);

	/* kexec_load: the crash kernel's boot info at the start of its
	 * region. */
	static uint8_t info[64 * 1024];
	struct kdump_bootinfo bi = {
		.usable_base = crash.start,
		.usable_size = crash.end - crash.start,
		.tap_checks = 40,
		.tap_failures = 1,
	};
	uint32_t size = kdump_bootinfo_size(fdt);

	assert_true(size > fdt_totalsize(fdt));
	assert_int_equal(kdump_bootinfo_build(fdt, info, size, &bi), 0);
	assert_int_equal(kdump_bootinfo_set_tap(info, 42, 2), 0);

	struct platform_info q;

	assert_null(platform_read(info, &q));
	assert_true(q.crash_kernel);
	assert_int_equal(q.fb_base, 0);
	assert_int_equal(q.fb_size, 0);
	assert_true(q.has_usable);
	assert_int_equal(q.usable.base, 128 * MiB);
	assert_int_equal(q.usable.size, 128 * MiB);
	assert_true(q.has_tap_state);
	assert_int_equal(q.tap_checks, 42);
	assert_int_equal(q.tap_failures, 2);
	assert_string_equal(q.bootargs, "test=x nr_cpus=1");
	/* Everything else is the platform's, unchanged. */
	assert_int_equal(q.nr_cpus, 2);
	assert_int_equal(q.nr_vmbus_mmio, 2);
	assert_int_equal(q.vmbus_mmio[0].base, MEMMAP_DEFAULT_LOW_MMIO_BASE);
	assert_int_equal(q.ram.size, 256 * MiB);
	assert_string_equal(q.boot, "kdump");

	assert_null(scenario_from_platform(&s, &q));
	assert_int_equal(s.stage, SCENARIO_KDUMP_CRASH);
	assert_int_equal(s.fb_policy, PCIF_FB_NONE);
	assert_int_equal(s.window_policy, PCIF_CFGWIN_HIGH);
	assert_int_equal(s.order[0], SCENARIO_DEV_VIDEO);
	assert_int_equal(s.lfb_base, 0);      /* its own boot info */
	/* The crash kernel allocates from its region, past its boot info. */
	uint64_t at = 128 * MiB;

	assert_null(scenario_memory(&s, &q, IMAGE_END, at,
				    fdt_totalsize(info), &mine, &crash));
	assert_int_equal(mine.start,
			 at + ((fdt_totalsize(info) + 0xFFF) & ~0xFFFull));
	assert_int_equal(mine.end, 256 * MiB);
	assert_int_equal(crash.end, 0);
}

static void test_crash_policies(void **state)
{
	struct scenario_knobs k = {
		.boot = SCENARIO_BOOT_KDUMP,
		.crash_fb_reserve = SCENARIO_FB_RESERVE_FALLBACK,
		.crash_config_window = SCENARIO_CONFIG_WINDOW_LEGACY,
		.crash_load_order = SCENARIO_LOAD_PCI_FIRST,
	};
	const void *fdt = platform_fdt(NULL, k, 0xC8000000ull);
	static uint8_t info[64 * 1024];
	struct kdump_bootinfo bi = { 128 * MiB, 128 * MiB, 0, 0 };
	struct platform_info p;
	struct guest_scenario s;

	(void)state;
	assert_int_equal(kdump_bootinfo_build(fdt, info, sizeof(info), &bi), 0);
	assert_null(platform_read(info, &p));
	/* No command line before: just the one kdump adds. */
	assert_string_equal(p.bootargs, "nr_cpus=1");
	assert_null(scenario_from_platform(&s, &p));
	assert_int_equal(s.fb_policy, PCIF_FB_FALLBACK);
	assert_int_equal(s.window_policy, PCIF_CFGWIN_LEGACY);
	assert_int_equal(s.order[0], SCENARIO_DEV_PCI);
	assert_int_equal(s.order[1], SCENARIO_DEV_VIDEO);
	/* Too small a buffer is an error, not an overrun. */
	assert_true(kdump_bootinfo_build(fdt, info, fdt_totalsize(fdt), &bi) < 0);
}

static void test_bad_knobs(void **state)
{
	struct platform_info p = {
		.boot = "kdump",
		.crash_kernel = true,
		.crash_fb_reserve = "lfb",
		.crash_config_window = "sideways",
		.crash_load_order = "pci-first",
	};
	struct guest_scenario s;
	struct scenario_range mine, crash;

	(void)state;
	assert_string_equal(scenario_from_platform(&s, &p),
			    "kvmbus,crash-config-window");
	assert_int_equal(s.fb_policy, PCIF_FB_LFB);
	assert_int_equal(s.window_policy, PCIF_CFGWIN_LEGACY);
	p.boot = "twice";
	assert_string_equal(scenario_from_platform(&s, &p), "kvmbus,boot");
	assert_int_equal(s.stage, SCENARIO_NORMAL);
	/* Knobs missing altogether: a normal boot, "?" on the screen. */
	p = (struct platform_info){ 0 };
	assert_null(scenario_from_platform(&s, &p));
	assert_string_equal(s.crash_load_order, "?");
	/* A crash kernel without its usable range cannot place itself. */
	p = (struct platform_info){ .boot = "kdump", .crash_kernel = true,
				    .crash_fb_reserve = "none",
				    .crash_config_window = "legacy",
				    .crash_load_order = "pci-first" };
	assert_null(scenario_from_platform(&s, &p));
	assert_non_null(scenario_memory(&s, &p, IMAGE_END, 0, 0, &mine,
					&crash));
	/* ... nor one whose range overlaps the kernel image. */
	p.has_usable = true;
	p.usable = (struct platform_range){ 0x100000, 16 * MiB };
	assert_non_null(scenario_memory(&s, &p, IMAGE_END, 0, 0, &mine,
					&crash));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normal_boot),
		cmocka_unit_test(test_kdump_first_and_crash),
		cmocka_unit_test(test_crash_policies),
		cmocka_unit_test(test_bad_knobs),
	};

	return cmocka_run_group_tests_name("guest scenario and kdump hand-off",
					   tests, NULL, NULL);
}
