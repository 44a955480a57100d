// SPDX-License-Identifier: MIT
/* fdt: build the platform device tree, parse it back with libfdt and
 * check every property the guest relies on (platform_abi.h, facts §9.2). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <libfdt.h>

#include "firmware/fdt.h"
#include "vmm/abi/platform_abi.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

static uint8_t blob[KVMBUS_BOOT_FDT_MAX];

static struct memmap make_map(uint64_t ram)
{
	struct memmap m;
	struct memmap_range low = { MEMMAP_DEFAULT_LOW_MMIO_BASE,
				    MEMMAP_DEFAULT_LOW_MMIO_SIZE };
	struct memmap_range high = { MEMMAP_DEFAULT_HIGH_MMIO_BASE,
				     MEMMAP_DEFAULT_HIGH_MMIO_SIZE };

	assert_int_equal(memmap_build(&m, ram, low, high, NULL, 0), 0);
	return m;
}

static int build(const struct platform_desc *p)
{
	char err[128] = "";
	int n = fdt_build_platform(blob, sizeof(blob), p, err, sizeof(err));

	if (n < 0)
		fail_msg("fdt_build_platform: %s", err);
	assert_int_equal(fdt_check_header(blob), 0);
	assert_int_equal((int)fdt_totalsize(blob), n);
	return n;
}

/* Properties are only 4-byte aligned in a blob: read u64 cells by copy. */
static uint64_t rd64(const void *p)
{
	fdt64_t v;

	memcpy(&v, p, sizeof(v));
	return fdt64_to_cpu(v);
}

static const void *prop(const char *path, const char *name, int *len)
{
	int node = fdt_path_offset(blob, path);

	if (node < 0)
		fail_msg("node %s missing: %s", path, fdt_strerror(node));
	const void *v = fdt_getprop(blob, node, name, len);
	if (!v)
		fail_msg("property %s:%s missing", path, name);
	return v;
}

static uint32_t prop_u32(const char *path, const char *name)
{
	int len;
	const fdt32_t *v = prop(path, name, &len);

	assert_int_equal(len, 4);
	return fdt32_to_cpu(*v);
}

static uint64_t prop_u64(const char *path, const char *name)
{
	int len;
	const void *v = prop(path, name, &len);

	assert_int_equal(len, 8);
	return rd64(v);
}

static void assert_prop_str(const char *path, const char *name,
			    const char *want)
{
	int len;
	const char *v = prop(path, name, &len);

	assert_int_equal(len, (int)strlen(want) + 1);
	assert_string_equal(v, want);
}

static void assert_memory_node(const char *path, uint64_t base, uint64_t size)
{
	int len;
	const uint8_t *reg;

	assert_prop_str(path, "device_type", "memory");
	reg = prop(path, "reg", &len);
	assert_int_equal(len, 16);
	assert_int_equal(rd64(reg), base);
	assert_int_equal(rd64(reg + 8), size);
}

static void root_and_chosen(void **state)
{
	struct memmap m = make_map(256 * MiB);
	struct platform_desc p = {
		.map = &m, .nr_cpus = 2,
		.fb_base = 0xC0000000ull, .fb_size = 8 * MiB,
		.bootargs = "console=ttyS0 quiet",
	};

	(void)state;
	build(&p);
	assert_int_equal(prop_u32("/", "#address-cells"), 2);
	assert_int_equal(prop_u32("/", "#size-cells"), 2);
	assert_prop_str("/", "compatible", "kvmbus,platform");

	assert_prop_str(KVMBUS_FDT_CHOSEN, KVMBUS_FDT_BOOTARGS,
			"console=ttyS0 quiet");
	assert_int_equal(prop_u64(KVMBUS_FDT_CHOSEN, KVMBUS_FDT_FB_BASE),
			 0xC0000000ull);
	assert_int_equal(prop_u64(KVMBUS_FDT_CHOSEN, KVMBUS_FDT_FB_SIZE),
			 8 * MiB);
	assert_int_equal(prop_u32(KVMBUS_FDT_CHOSEN, KVMBUS_FDT_NR_CPUS), 2);
}

static void no_bootargs_and_no_framebuffer(void **state)
{
	struct memmap m = make_map(256 * MiB);
	struct platform_desc p = { .map = &m, .nr_cpus = 1 };
	int node, len;

	(void)state;
	build(&p);
	node = fdt_path_offset(blob, KVMBUS_FDT_CHOSEN);
	assert_true(node >= 0);
	assert_null(fdt_getprop(blob, node, KVMBUS_FDT_BOOTARGS, &len));
	assert_int_equal(prop_u64(KVMBUS_FDT_CHOSEN, KVMBUS_FDT_FB_BASE), 0);
	assert_int_equal(prop_u64(KVMBUS_FDT_CHOSEN, KVMBUS_FDT_FB_SIZE), 0);
	assert_int_equal(prop_u32(KVMBUS_FDT_CHOSEN, KVMBUS_FDT_NR_CPUS), 1);
}

static void scenario_knobs_reach_chosen(void **state)
{
	struct memmap m = make_map(256 * MiB);
	struct platform_desc p = {
		.map = &m, .nr_cpus = 1,
		.fb_base = 0xC8000000ull, .fb_size = 8 * MiB,
		.knobs = {
			.boot = SCENARIO_BOOT_KDUMP,
			.crash_fb_reserve = SCENARIO_FB_RESERVE_FALLBACK,
			.crash_config_window = SCENARIO_CONFIG_WINDOW_HIGH,
			.crash_load_order = SCENARIO_LOAD_VIDEO_FIRST,
		},
		.vpci_buses = 2,
	};

	(void)state;
	build(&p);
	assert_prop_str(KVMBUS_FDT_CHOSEN, KVMBUS_FDT_BOOT, "kdump");
	assert_prop_str(KVMBUS_FDT_CHOSEN, KVMBUS_FDT_CRASH_FB_RESERVE,
			"fallback");
	assert_prop_str(KVMBUS_FDT_CHOSEN, KVMBUS_FDT_CRASH_CONFIG_WINDOW,
			"high");
	assert_prop_str(KVMBUS_FDT_CHOSEN, KVMBUS_FDT_CRASH_LOAD_ORDER,
			"video-first");
	assert_int_equal(prop_u32(KVMBUS_FDT_CHOSEN, KVMBUS_FDT_VPCI_BUSES), 2);
	/* The first-boot framebuffer base travels unchanged beside them. */
	assert_int_equal(prop_u64(KVMBUS_FDT_CHOSEN, KVMBUS_FDT_FB_BASE),
			 0xC8000000ull);

	/* The other spelling of each knob, and no PCI bus at all. */
	p.knobs = (struct scenario_knobs){
		.boot = SCENARIO_BOOT_NORMAL,
		.crash_fb_reserve = SCENARIO_FB_RESERVE_LFB,
		.crash_config_window = SCENARIO_CONFIG_WINDOW_LEGACY,
		.crash_load_order = SCENARIO_LOAD_PCI_FIRST,
	};
	p.vpci_buses = 0;
	build(&p);
	assert_prop_str(KVMBUS_FDT_CHOSEN, KVMBUS_FDT_BOOT, "normal");
	assert_prop_str(KVMBUS_FDT_CHOSEN, KVMBUS_FDT_CRASH_FB_RESERVE, "lfb");
	assert_prop_str(KVMBUS_FDT_CHOSEN, KVMBUS_FDT_CRASH_CONFIG_WINDOW,
			"legacy");
	assert_prop_str(KVMBUS_FDT_CHOSEN, KVMBUS_FDT_CRASH_LOAD_ORDER,
			"pci-first");
	assert_int_equal(prop_u32(KVMBUS_FDT_CHOSEN, KVMBUS_FDT_VPCI_BUSES), 0);
}

/* A description that never set the knobs is a plain one-boot platform,
 * and still carries every property the guest looks for. */
static void zeroed_knobs_mean_a_normal_boot(void **state)
{
	struct memmap m = make_map(256 * MiB);
	struct platform_desc p = { .map = &m, .nr_cpus = 1 };

	(void)state;
	build(&p);
	assert_prop_str(KVMBUS_FDT_CHOSEN, KVMBUS_FDT_BOOT,
			KVMBUS_FDT_BOOT_NORMAL);
	assert_prop_str(KVMBUS_FDT_CHOSEN, KVMBUS_FDT_CRASH_FB_RESERVE,
			KVMBUS_FDT_FB_RESERVE_NONE);
	assert_prop_str(KVMBUS_FDT_CHOSEN, KVMBUS_FDT_CRASH_CONFIG_WINDOW,
			KVMBUS_FDT_CONFIG_WINDOW_LEGACY);
	assert_prop_str(KVMBUS_FDT_CHOSEN, KVMBUS_FDT_CRASH_LOAD_ORDER,
			KVMBUS_FDT_LOAD_ORDER_PCI_FIRST);
	assert_int_equal(prop_u32(KVMBUS_FDT_CHOSEN, KVMBUS_FDT_VPCI_BUSES), 0);
}

static void one_memory_node_for_small_ram(void **state)
{
	struct memmap m = make_map(256 * MiB);
	struct platform_desc p = { .map = &m, .nr_cpus = 1 };

	(void)state;
	build(&p);
	assert_memory_node("/memory@0", 0, 256 * MiB);
	assert_true(fdt_path_offset(blob, "/memory@100000000") < 0);
}

static void two_memory_nodes_for_ram_above_the_low_gap(void **state)
{
	struct memmap m = make_map(4 * GiB);
	struct platform_desc p = { .map = &m, .nr_cpus = 1 };

	(void)state;
	build(&p);
	assert_memory_node("/memory@0", 0, 3 * GiB);
	assert_memory_node("/memory@100000000", MEMMAP_4G, 1 * GiB);
}

static void vmbus_node_follows_the_binding(void **state)
{
	struct memmap m = make_map(256 * MiB);
	struct platform_desc p = { .map = &m, .nr_cpus = 1 };
	const fdt32_t *r;
	int len, node;

	(void)state;
	build(&p);
	node = fdt_node_offset_by_compatible(blob, -1, KVMBUS_FDT_VMBUS_COMPAT);
	assert_int_equal(node, fdt_path_offset(blob, "/vmbus@c0000000"));
	assert_prop_str("/vmbus@c0000000", "compatible", "microsoft,vmbus");
	assert_int_equal(prop_u32("/vmbus@c0000000", "#address-cells"), 2);
	assert_int_equal(prop_u32("/vmbus@c0000000", "#size-cells"), 1);

	/* <child(2) parent(2) size(1)>, low gap first, identity mapped. */
	r = prop("/vmbus@c0000000", "ranges", &len);
	assert_int_equal(len, 2 * 5 * 4);
	assert_int_equal(fdt32_to_cpu(r[0]), 0);
	assert_int_equal(fdt32_to_cpu(r[1]), 0xC0000000u);
	assert_int_equal(fdt32_to_cpu(r[2]), 0);
	assert_int_equal(fdt32_to_cpu(r[3]), 0xC0000000u);
	assert_int_equal(fdt32_to_cpu(r[4]), MEMMAP_DEFAULT_LOW_MMIO_SIZE);
	assert_int_equal(fdt32_to_cpu(r[5]), 0x10u);
	assert_int_equal(fdt32_to_cpu(r[6]), 0);
	assert_int_equal(fdt32_to_cpu(r[7]), 0x10u);
	assert_int_equal(fdt32_to_cpu(r[8]), 0);
	assert_int_equal(fdt32_to_cpu(r[9]), MEMMAP_DEFAULT_HIGH_MMIO_SIZE);
}

static void cpus_node_lists_each_vcpu(void **state)
{
	struct memmap m = make_map(256 * MiB);
	struct platform_desc p = { .map = &m, .nr_cpus = 2 };

	(void)state;
	build(&p);
	assert_int_equal(prop_u32("/cpus", "#address-cells"), 1);
	assert_int_equal(prop_u32("/cpus", "#size-cells"), 0);
	assert_int_equal(prop_u32("/cpus/cpu@0", "reg"), 0);
	assert_int_equal(prop_u32("/cpus/cpu@1", "reg"), 1);
	assert_prop_str("/cpus/cpu@1", "device_type", "cpu");
	assert_true(fdt_path_offset(blob, "/cpus/cpu@2") < 0);
}

static void blob_is_packed(void **state)
{
	struct memmap m = make_map(256 * MiB);
	struct platform_desc p = { .map = &m, .nr_cpus = 1 };
	int n;

	(void)state;
	n = build(&p);
	/* Strings block ends the blob: nothing left over. */
	assert_int_equal(fdt_off_dt_strings(blob) + fdt_size_dt_strings(blob),
			 (unsigned)n);
	assert_true(n < 1024);
}

static void too_small_buffer_is_an_error(void **state)
{
	struct memmap m = make_map(256 * MiB);
	struct platform_desc p = { .map = &m, .nr_cpus = 2,
				   .bootargs = "console=ttyS0" };
	uint8_t small[64];
	char err[128] = "";
	int full;

	(void)state;
	full = build(&p);
	assert_int_equal(fdt_build_platform(small, sizeof(small), &p, err,
					    sizeof(err)), -1);
	assert_non_null(strstr(err, "does not fit"));
	/* One byte short of the blob's final size cannot hold it. */
	int n = fdt_build_platform(blob, (size_t)full - 1, &p, err,
				   sizeof(err));
	assert_int_equal(n, -1);
}

static void bad_descriptions_are_refused(void **state)
{
	struct memmap m = make_map(256 * MiB);
	struct platform_desc p = { .map = &m, .nr_cpus = 1 };
	char err[128];

	(void)state;
	assert_int_equal(fdt_build_platform(blob, sizeof(blob), NULL, err,
					    sizeof(err)), -1);
	p.nr_cpus = 0;
	assert_int_equal(fdt_build_platform(blob, sizeof(blob), &p, err,
					    sizeof(err)), -1);
	p.nr_cpus = 1;
	m.high_mmio.size = 4 * GiB;
	assert_int_equal(fdt_build_platform(blob, sizeof(blob), &p, err,
					    sizeof(err)), -1);
	assert_non_null(strstr(err, "32 bits"));
	m = make_map(256 * MiB);
	m.nr_ram = 3;
	assert_int_equal(fdt_build_platform(blob, sizeof(blob), &p, err,
					    sizeof(err)), -1);
	m.nr_ram = 1;
	assert_int_equal(fdt_build_platform(NULL, sizeof(blob), &p, err,
					    sizeof(err)), -1);

	/* A knob value with no spelling is refused, not written empty. */
	p.knobs.crash_config_window = (enum scenario_config_window)7;
	memset(err, 0, sizeof(err));
	assert_int_equal(fdt_build_platform(blob, sizeof(blob), &p, err,
					    sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown scenario knob"));
	p.knobs.crash_config_window = SCENARIO_CONFIG_WINDOW_LEGACY;
	p.knobs.boot = (enum scenario_boot)-1;
	assert_int_equal(fdt_build_platform(blob, sizeof(blob), &p, err,
					    sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(root_and_chosen),
		cmocka_unit_test(no_bootargs_and_no_framebuffer),
		cmocka_unit_test(scenario_knobs_reach_chosen),
		cmocka_unit_test(zeroed_knobs_mean_a_normal_boot),
		cmocka_unit_test(one_memory_node_for_small_ram),
		cmocka_unit_test(two_memory_nodes_for_ram_above_the_low_gap),
		cmocka_unit_test(vmbus_node_follows_the_binding),
		cmocka_unit_test(cpus_node_lists_each_vcpu),
		cmocka_unit_test(blob_is_packed),
		cmocka_unit_test(too_small_buffer_is_an_error),
		cmocka_unit_test(bad_descriptions_are_refused),
	};

	return cmocka_run_group_tests_name("fdt", tests, NULL, NULL);
}
