// SPDX-License-Identifier: MIT
/*
 * The flattened device tree handed to the guest (see firmware/fdt.h and
 * the layout in vmm/abi/platform_abi.h).  Built with libfdt's
 * sequential-write API, which checks every write against the buffer
 * size, so a too-small buffer is an error and never an overrun.
 */
#include "firmware/fdt.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>

#include <libfdt.h>

#include "vmm/abi/platform_abi.h"

/* Every libfdt call returns < 0 on failure; stop at the first. */
#define TRY(call)                               \
	do {                                    \
		int try_err_ = (call);          \
		if (try_err_ < 0)               \
			return try_err_;        \
	} while (0)

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* "name@hex-address", the device-tree unit-address convention. */
static int begin_node_at(void *fdt, const char *name, uint64_t addr)
{
	char node[64];

	snprintf(node, sizeof(node), "%s@%llx", name,
		 (unsigned long long)addr);
	return fdt_begin_node(fdt, node);
}

static int add_chosen(void *fdt, const struct platform_desc *p)
{
	/* KVMBUS_FDT_CHOSEN is the path "/chosen"; the node name drops the "/". */
	TRY(fdt_begin_node(fdt, &KVMBUS_FDT_CHOSEN[1]));
	if (p->bootargs)
		TRY(fdt_property_string(fdt, KVMBUS_FDT_BOOTARGS,
					p->bootargs));
	TRY(fdt_property_u64(fdt, KVMBUS_FDT_FB_BASE, p->fb_base));
	TRY(fdt_property_u64(fdt, KVMBUS_FDT_FB_SIZE, p->fb_size));
	TRY(fdt_property_u32(fdt, KVMBUS_FDT_NR_CPUS, p->nr_cpus));
	/* Always all of them, crash policies included for a normal boot, so
	 * the guest reads one fixed set (check_desc made the names valid). */
	TRY(fdt_property_string(fdt, KVMBUS_FDT_BOOT,
				scenario_boot_name(p->knobs.boot)));
	TRY(fdt_property_string(fdt, KVMBUS_FDT_CRASH_FB_RESERVE,
				scenario_fb_reserve_name(
					p->knobs.crash_fb_reserve)));
	TRY(fdt_property_string(fdt, KVMBUS_FDT_CRASH_CONFIG_WINDOW,
				scenario_config_window_name(
					p->knobs.crash_config_window)));
	TRY(fdt_property_string(fdt, KVMBUS_FDT_CRASH_LOAD_ORDER,
				scenario_load_order_name(
					p->knobs.crash_load_order)));
	TRY(fdt_property_u32(fdt, KVMBUS_FDT_VPCI_BUSES, p->vpci_buses));
	return fdt_end_node(fdt);
}

/* /cpus with one cpu@N per vCPU; reg is the APIC ID, which equals the
 * vCPU index on this platform (platform_abi.h boot protocol). */
static int add_cpus(void *fdt, unsigned nr_cpus)
{
	TRY(fdt_begin_node(fdt, "cpus"));
	TRY(fdt_property_u32(fdt, "#address-cells", 1));
	TRY(fdt_property_u32(fdt, "#size-cells", 0));
	for (unsigned i = 0; i < nr_cpus; i++) {
		TRY(begin_node_at(fdt, "cpu", i));
		TRY(fdt_property_string(fdt, "device_type", "cpu"));
		TRY(fdt_property_u32(fdt, "reg", i));
		TRY(fdt_end_node(fdt));
	}
	return fdt_end_node(fdt);
}

/* One /memory@BASE node per RAM bank; reg = <base size>, two cells
 * each (root #address-cells = #size-cells = 2). */
static int add_memory(void *fdt, const struct memmap_range *bank)
{
	fdt64_t reg[2] = { cpu_to_fdt64(bank->base),
			   cpu_to_fdt64(bank->size) };

	TRY(begin_node_at(fdt, "memory", bank->base));
	TRY(fdt_property_string(fdt, "device_type", "memory"));
	TRY(fdt_property(fdt, "reg", reg, sizeof(reg)));
	return fdt_end_node(fdt);
}

/* facts §9.2: compatible "microsoft,vmbus", #address-cells 2,
 * #size-cells 1, and `ranges` with one identity entry per gap, low gap
 * first: <child-hi child-lo parent-hi parent-lo size>. */
static int add_vmbus(void *fdt, const struct memmap *m)
{
	const struct memmap_range gaps[2] = { m->low_mmio, m->high_mmio };
	fdt32_t ranges[2 * 5];

	for (unsigned i = 0; i < 2; i++) {
		fdt32_t *e = &ranges[i * 5];

		e[0] = e[2] = cpu_to_fdt32((uint32_t)(gaps[i].base >> 32));
		e[1] = e[3] = cpu_to_fdt32((uint32_t)gaps[i].base);
		e[4] = cpu_to_fdt32((uint32_t)gaps[i].size);
	}

	TRY(begin_node_at(fdt, "vmbus", m->low_mmio.base));
	TRY(fdt_property_string(fdt, "compatible", KVMBUS_FDT_VMBUS_COMPAT));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 1));
	TRY(fdt_property(fdt, "ranges", ranges, sizeof(ranges)));
	return fdt_end_node(fdt);
}

static int build_tree(void *fdt, int size, const struct platform_desc *p)
{
	const struct memmap *m = p->map;

	TRY(fdt_create(fdt, size));
	TRY(fdt_finish_reservemap(fdt));
	TRY(fdt_begin_node(fdt, ""));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property_string(fdt, "compatible", "kvmbus,platform"));
	TRY(fdt_property_string(fdt, "model", "kvmbus"));

	TRY(add_chosen(fdt, p));
	TRY(add_cpus(fdt, p->nr_cpus));
	for (unsigned i = 0; i < m->nr_ram; i++)
		TRY(add_memory(fdt, &m->ram[i]));
	TRY(add_vmbus(fdt, m));

	TRY(fdt_end_node(fdt));
	TRY(fdt_finish(fdt));
	/* fdt_finish already leaves no slack; fdt_pack makes that explicit
	 * and re-checks the header before we report the size. */
	TRY(fdt_pack(fdt));
	return (int)fdt_totalsize(fdt);
}

/* The description comes from our own option parsing, but check what the
 * blob's encoding cannot carry rather than write a wrong tree. */
static int check_desc(const struct platform_desc *p, char *err,
		      size_t errlen)
{
	if (!p || !p->map)
		return fail(err, errlen, "device tree: no platform description");
	const struct memmap *m = p->map;

	if (m->nr_ram == 0 || m->nr_ram > 2)
		return fail(err, errlen, "device tree: %u RAM banks (1 or 2)",
			    m->nr_ram);
	if (p->nr_cpus == 0)
		return fail(err, errlen, "device tree: no vCPUs");
	/* A knob with no spelling would reach the guest as nothing at all. */
	if (!scenario_boot_name(p->knobs.boot) ||
	    !scenario_fb_reserve_name(p->knobs.crash_fb_reserve) ||
	    !scenario_config_window_name(p->knobs.crash_config_window) ||
	    !scenario_load_order_name(p->knobs.crash_load_order))
		return fail(err, errlen,
			    "device tree: unknown scenario knob value "
			    "(boot %d, fb-reserve %d, config-window %d, "
			    "load-order %d)",
			    (int)p->knobs.boot, (int)p->knobs.crash_fb_reserve,
			    (int)p->knobs.crash_config_window,
			    (int)p->knobs.crash_load_order);
	/* One 32-bit size cell per vmbus range (facts §9.2). */
	if (m->low_mmio.size == 0 || m->low_mmio.size > UINT32_MAX ||
	    m->high_mmio.size == 0 || m->high_mmio.size > UINT32_MAX)
		return fail(err, errlen,
			    "device tree: MMIO gap sizes 0x%llx/0x%llx must be "
			    "non-zero and fit 32 bits",
			    (unsigned long long)m->low_mmio.size,
			    (unsigned long long)m->high_mmio.size);
	return 0;
}

int fdt_build_platform(void *buf, size_t len, const struct platform_desc *p,
		       char *err, size_t errlen)
{
	if (check_desc(p, err, errlen))
		return -1;
	if (!buf)
		return fail(err, errlen, "device tree: no buffer");

	int size = len > INT_MAX ? INT_MAX : (int)len;
	int ret = build_tree(buf, size, p);

	if (ret == -FDT_ERR_NOSPACE)
		return fail(err, errlen,
			    "device tree does not fit in %zu bytes", len);
	if (ret < 0)
		return fail(err, errlen, "device tree: libfdt: %s",
			    fdt_strerror(ret));
	return ret;
}
