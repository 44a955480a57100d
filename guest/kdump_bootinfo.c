// SPDX-License-Identifier: MIT
#include "guest/kdump_bootinfo.h"

#include <libfdt.h>

#include "vmm/abi/platform_abi.h"

#define NR_CPUS_ARG " nr_cpus=1"

uint32_t kdump_bootinfo_size(const void *fdt)
{
	return fdt_totalsize(fdt) + KDUMP_BOOTINFO_SLACK;
}

/* Cells of the root (the usable range is written in them). */
static int put_range(void *fdt, int node, uint64_t base, uint64_t size)
{
	int ac = fdt_address_cells(fdt, 0), sc = fdt_size_cells(fdt, 0);
	fdt32_t cells[4];
	int n = 0;

	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return -FDT_ERR_BADNCELLS;
	if (ac == 2)
		cells[n++] = cpu_to_fdt32((uint32_t)(base >> 32));
	cells[n++] = cpu_to_fdt32((uint32_t)base);
	if (sc == 2)
		cells[n++] = cpu_to_fdt32((uint32_t)(size >> 32));
	cells[n++] = cpu_to_fdt32((uint32_t)size);
	return fdt_setprop(fdt, node, KVMBUS_FDT_USABLE_MEMORY, cells,
			   n * (int)sizeof(cells[0]));
}

static int put_tap(void *fdt, int node, uint32_t checks, uint32_t failures)
{
	fdt32_t v[2] = { cpu_to_fdt32(checks), cpu_to_fdt32(failures) };

	return fdt_setprop(fdt, node, KVMBUS_FDT_TAP_STATE, v, sizeof(v));
}

/* bootargs += " nr_cpus=1" (just "nr_cpus=1" if there were none).  The
 * command line is one string, so it is rebuilt, not appended to (that
 * would make it a string list). */
static int append_nr_cpus(void *fdt, int node)
{
	char line[KDUMP_BOOTARGS_MAX];
	int len = 0, n = 0;
	const char *old = fdt_getprop(fdt, node, KVMBUS_FDT_BOOTARGS, &len);
	const char *add = NR_CPUS_ARG;

	if (old && len > 0 && old[len - 1] == '\0') {
		for (; old[n]; n++) {
			if (n + 1 >= (int)sizeof(line))
				return -FDT_ERR_NOSPACE;
			line[n] = old[n];
		}
	}
	if (n == 0)
		add++;                 /* no leading space */
	for (; *add; add++, n++) {
		if (n + 1 >= (int)sizeof(line))
			return -FDT_ERR_NOSPACE;
		line[n] = *add;
	}
	line[n] = '\0';
	return fdt_setprop_string(fdt, node, KVMBUS_FDT_BOOTARGS, line);
}

int kdump_bootinfo_build(const void *fdt, void *buf, uint32_t cap,
			 const struct kdump_bootinfo *bi)
{
	int rc = fdt_open_into(fdt, buf, (int)cap);

	if (rc < 0)
		return rc;

	int node = fdt_path_offset(buf, KVMBUS_FDT_CHOSEN);

	if (node < 0)
		return node;
	/* No framebuffer for the crash kernel (facts §8.6). */
	rc = fdt_setprop_u64(buf, node, KVMBUS_FDT_FB_BASE, 0);
	if (rc >= 0)
		rc = fdt_setprop_u64(buf, node, KVMBUS_FDT_FB_SIZE, 0);
	if (rc >= 0)
		rc = fdt_setprop(buf, node, KVMBUS_FDT_CRASH_KERNEL, NULL, 0);
	if (rc >= 0)
		rc = put_range(buf, node, bi->usable_base, bi->usable_size);
	if (rc >= 0)
		rc = put_tap(buf, node, bi->tap_checks, bi->tap_failures);
	if (rc >= 0)
		rc = append_nr_cpus(buf, node);
	return rc < 0 ? rc : 0;
}

int kdump_bootinfo_set_tap(void *buf, uint32_t checks, uint32_t failures)
{
	int node = fdt_path_offset(buf, KVMBUS_FDT_CHOSEN);
	fdt32_t v[2] = { cpu_to_fdt32(checks), cpu_to_fdt32(failures) };

	if (node < 0)
		return node;
	return fdt_setprop_inplace(buf, node, KVMBUS_FDT_TAP_STATE, v,
				   sizeof(v));
}
