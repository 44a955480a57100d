// SPDX-License-Identifier: MIT
/*
 * libfdt glue and device-tree parsing.
 *
 * Debian's libfdt.a is built with -fstack-protector: its functions load a
 * canary from %fs:0x28 on entry and compare on exit.  We point the FS base
 * at a small block holding a constant there; a mismatch calls
 * __stack_chk_fail, which ends the run.  (The string functions libfdt
 * needs live in lib/string.c.)
 */
#include "guest/lib/fdt.h"

#include <libfdt.h>

#include "guest/lib/cpu.h"
#include "guest/lib/report.h"
#include "vmm/abi/platform_abi.h"

#define STACK_GUARD_OFFSET 0x28
#define STACK_GUARD_VALUE  0x6b766d6275735f21ull  /* arbitrary, non-zero */

static uint64_t stack_guard_block[8] __attribute__((aligned(64))) = {
	[STACK_GUARD_OFFSET / 8] = STACK_GUARD_VALUE,
};

void stack_guard_init(void)
{
	wrmsr(MSR_FS_BASE, (uint64_t)(uintptr_t)stack_guard_block);
}

void __stack_chk_fail(void);
void __stack_chk_fail(void)
{
	report_abort("stack smashing detected in libfdt");
}

/* A big-endian number of `cells` 32-bit cells (1 or 2). */
static uint64_t read_cells(const fdt32_t *p, int cells)
{
	uint64_t v = 0;

	for (int i = 0; i < cells; i++)
		v = (v << 32) | fdt32_ld(&p[i]);
	return v;
}

static const char *read_memory(const void *fdt, struct platform_info *p)
{
	static const char memory[] = "memory";
	int root_ac = fdt_address_cells(fdt, 0);
	int root_sc = fdt_size_cells(fdt, 0);
	int node = fdt_node_offset_by_prop_value(fdt, -1, "device_type",
						 memory, sizeof(memory));
	int len;

	if (node < 0)
		return "no /memory node";
	if (root_ac < 1 || root_ac > 2 || root_sc < 1 || root_sc > 2)
		return "unsupported #address-cells/#size-cells at /";

	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
	int entry = (root_ac + root_sc) * 4;

	if (!reg || len < entry)
		return "/memory has no reg";
	p->ram.base = read_cells(reg, root_ac);
	p->ram.size = read_cells(reg + root_ac, root_sc);
	p->nr_ram_banks = (unsigned)(len / entry);
	return NULL;
}

static const char *read_vmbus(const void *fdt, struct platform_info *p)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, KVMBUS_FDT_VMBUS_COMPAT);
	int len;

	if (node < 0)
		return "no microsoft,vmbus node";

	/* ranges = <child-address parent-address size> with the child
	 * address in the node's own #address-cells, the parent address in
	 * the root's, the size in the node's #size-cells (facts §9.2). */
	int child_ac = fdt_address_cells(fdt, node);
	int child_sc = fdt_size_cells(fdt, node);
	int parent_ac = fdt_address_cells(fdt, 0);
	const fdt32_t *r = fdt_getprop(fdt, node, "ranges", &len);

	if (child_ac < 1 || child_ac > 2 || child_sc < 1 || child_sc > 2 ||
	    parent_ac < 1 || parent_ac > 2)
		return "unsupported cell counts in /vmbus";
	if (!r || len <= 0)
		return "/vmbus has no ranges";

	int cells = child_ac + parent_ac + child_sc;

	for (int off = 0; off + cells * 4 <= len && p->nr_vmbus_mmio <
	     PLATFORM_MAX_MMIO_RANGES; off += cells * 4) {
		const fdt32_t *e = r + off / 4;
		struct platform_range *out = &p->vmbus_mmio[p->nr_vmbus_mmio++];

		out->base = read_cells(e + child_ac, parent_ac);
		out->size = read_cells(e + child_ac + parent_ac, child_sc);
	}
	return NULL;
}

static uint64_t chosen_u64(const void *fdt, int node, const char *name)
{
	int len;
	const fdt32_t *v = fdt_getprop(fdt, node, name, &len);

	if (!v)
		return 0;
	return len >= 8 ? read_cells(v, 2) : len >= 4 ? read_cells(v, 1) : 0;
}

/* A NUL-terminated string property, or NULL. */
static const char *chosen_string(const void *fdt, int node, const char *name)
{
	int len;
	const char *v = fdt_getprop(fdt, node, name, &len);

	return v && len > 0 && v[len - 1] == '\0' ? v : NULL;
}

static void read_chosen(const void *fdt, struct platform_info *p)
{
	int node = fdt_path_offset(fdt, KVMBUS_FDT_CHOSEN);
	int len;

	p->bootargs = "";
	p->nr_cpus = 1;
	if (node < 0)
		return;

	const char *args = fdt_getprop(fdt, node, KVMBUS_FDT_BOOTARGS, &len);

	if (args && len > 0 && args[len - 1] == '\0')
		p->bootargs = args;

	const fdt32_t *cpus = fdt_getprop(fdt, node, KVMBUS_FDT_NR_CPUS, &len);

	if (cpus && len >= 4 && fdt32_ld(cpus) > 0)
		p->nr_cpus = fdt32_ld(cpus);
	p->fb_base = chosen_u64(fdt, node, KVMBUS_FDT_FB_BASE);
	p->fb_size = chosen_u64(fdt, node, KVMBUS_FDT_FB_SIZE);

	p->boot = chosen_string(fdt, node, KVMBUS_FDT_BOOT);
	p->crash_fb_reserve = chosen_string(fdt, node,
					    KVMBUS_FDT_CRASH_FB_RESERVE);
	p->crash_config_window = chosen_string(fdt, node,
					       KVMBUS_FDT_CRASH_CONFIG_WINDOW);
	p->crash_load_order = chosen_string(fdt, node,
					    KVMBUS_FDT_CRASH_LOAD_ORDER);
	p->vpci_buses = (unsigned)chosen_u64(fdt, node, KVMBUS_FDT_VPCI_BUSES);

	p->crash_kernel = fdt_getprop(fdt, node, KVMBUS_FDT_CRASH_KERNEL,
				      &len) != NULL;

	int root_ac = fdt_address_cells(fdt, 0);
	int root_sc = fdt_size_cells(fdt, 0);
	const fdt32_t *usable = fdt_getprop(fdt, node, KVMBUS_FDT_USABLE_MEMORY,
					    &len);

	if (usable && root_ac >= 1 && root_ac <= 2 && root_sc >= 1 &&
	    root_sc <= 2 && len >= (root_ac + root_sc) * 4) {
		p->has_usable = true;
		p->usable.base = read_cells(usable, root_ac);
		p->usable.size = read_cells(usable + root_ac, root_sc);
	}

	const fdt32_t *tap = fdt_getprop(fdt, node, KVMBUS_FDT_TAP_STATE, &len);

	if (tap && len >= 8) {
		p->has_tap_state = true;
		p->tap_checks = fdt32_ld(&tap[0]);
		p->tap_failures = fdt32_ld(&tap[1]);
	}
}

const char *platform_read(const void *fdt, struct platform_info *p)
{
	const char *err;

	*p = (struct platform_info){ 0 };
	if (!fdt || fdt_check_header(fdt) != 0)
		return "no valid device tree at RDI";
	err = read_memory(fdt, p);
	if (err)
		return err;
	read_chosen(fdt, p);
	return read_vmbus(fdt, p);
}
