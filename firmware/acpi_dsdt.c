// SPDX-License-Identifier: MIT
/*
 * The DSDT (see firmware/acpi.h).  In ASL it reads:
 *
 *   DefinitionBlock ("", "DSDT", 2, "KVMBUS", "KVMBUSDT", 1)
 *   {
 *       Scope (\_SB)
 *       {
 *           Device (VMOD)
 *           {
 *               Name (_HID, "ACPI0004")
 *               Name (_UID, Zero)
 *               Name (_CRS, ResourceTemplate () {
 *                   QWordMemory (ResourceProducer, PosDecode, MinFixed,
 *                       MaxFixed, Cacheable, ReadWrite, 0, <low gap>, 0, ..)
 *                   QWordMemory (... <high gap> ...)
 *               })
 *               Device (VMBS)
 *               {
 *                   Name (_HID, "VMBus")
 *                   Name (_UID, Zero)
 *                   Name (_CRS, ResourceTemplate () {})
 *                   Method (_STA, 0) { Return (0x0F) }
 *               }
 *           }
 *       }
 *   }
 *
 * ACPI0004 is the "Module Device" HID (ACPI 6.5 ch. 9): a container
 * whose _CRS is the address space it hands to its children, which is why
 * the gaps are produced (bit 0 of the general flags clear), as a
 * Hyper-V/OpenVMM VMOD describes them.
 */
#include "firmware/acpi.h"

#include "firmware/aml.h"

/* DSDT revision 2: integers are 64 bits wide (§5.2.11.1), which the
 * high gap's addresses need. */
#define DSDT_REVISION   2
/* _STA: present, enabled, shown in UI, functioning (§6.3.7 bits 0-3). */
#define STA_PRESENT_ENABLED_FUNCTIONING 0x0F

static void add_vmbus_device(struct aml_buf *b)
{
	struct aml_restemplate crs;

	aml_mark dev = aml_device_begin(b, "VMBS");
	/* facts §9.1: Linux matches _HID "VMBUS" or "VMBus". */
	aml_name(b, "_HID");
	aml_string(b, "VMBus");
	aml_name(b, "_UID");
	aml_integer(b, 0);
	/* Empty, but present: vmbus_acpi_add() fails without it. */
	aml_name(b, "_CRS");
	aml_restemplate_begin(b, &crs);
	aml_restemplate_end(b, &crs);
	aml_mark sta = aml_method_begin(b, "_STA", 0);
	aml_return_integer(b, STA_PRESENT_ENABLED_FUNCTIONING);
	aml_end(b, sta);
	aml_end(b, dev);
}

static void add_module_device(struct aml_buf *b, const struct memmap *map)
{
	struct aml_restemplate crs;

	aml_mark dev = aml_device_begin(b, "VMOD");
	aml_name(b, "_HID");
	aml_string(b, "ACPI0004");
	aml_name(b, "_UID");
	aml_integer(b, 0);
	/* facts §9.1: one QWordMemory per gap; Linux keeps ranges ending
	 * at or above 1 MiB and sorts them itself. */
	aml_name(b, "_CRS");
	aml_restemplate_begin(b, &crs);
	aml_qword_memory(b, map->low_mmio.base, map->low_mmio.size);
	aml_qword_memory(b, map->high_mmio.base, map->high_mmio.size);
	aml_restemplate_end(b, &crs);
	add_vmbus_device(b);
	aml_end(b, dev);
}

long acpi_build_dsdt(void *buf, size_t len, const struct memmap *map)
{
	static const struct aml_table_id id = {
		.signature = "DSDT",
		.revision = DSDT_REVISION,
		.oem_id = ACPI_OEM_ID,
		.oem_table_id = "KVMBUSDT",
		.oem_revision = 1,
		.creator_id = ACPI_CREATOR_ID,
		.creator_revision = 1,
	};
	struct aml_buf b;

	if (!map)
		return -1;
	aml_init(&b, buf, len);
	aml_mark table = aml_table_begin(&b, &id);
	aml_mark sb = aml_scope_begin(&b, "\\_SB");
	add_module_device(&b, map);
	aml_end(&b, sb);
	aml_table_end(&b, table);
	return aml_ok(&b) ? (long)b.len : -1;
}
