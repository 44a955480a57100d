// SPDX-License-Identifier: MIT
/*
 * RSDP, XSDT, FADT and MADT, and the layout of the table block (see
 * firmware/acpi.h; the DSDT is in firmware/acpi_dsdt.c).  Section
 * numbers are those of the ACPI Specification 6.5.
 */
#include "firmware/acpi.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "firmware/aml.h"

/* Each table starts on this boundary; the RSDP needs 16 (§5.2.5.1). */
#define TABLE_ALIGN 64u

/* ---- RSDP (§5.2.5.3) ----------------------------------------------------- */
#define RSDP_SIGNATURE        "RSD PTR "
#define RSDP_REVISION         2      /* ACPI 2.0+: has the XSDT address */
#define RSDP_V1_LENGTH        20     /* the first checksum covers these */
#define RSDP_LENGTH           36
#define RSDP_CHECKSUM_AT      8
#define RSDP_EXT_CHECKSUM_AT  32

/* ---- XSDT (§5.2.8) ------------------------------------------------------- */
#define XSDT_REVISION         1

/* ---- FADT (§5.2.9, Table 5.9) --------------------------------------------- */
#define FADT_REVISION         6      /* FADT Major Version 6 ... */
#define FADT_MINOR_VERSION    5      /* ... Minor 5: ACPI 6.5 */
#define FADT_LENGTH           276    /* up to Hypervisor Vendor Identity */
#define FADT_DSDT_AT          40
#define FADT_IAPC_BOOT_ARCH_AT 109
#define FADT_FLAGS_AT         112
#define FADT_MINOR_VERSION_AT 131
#define FADT_X_DSDT_AT        140
#define FADT_HYPERVISOR_ID_AT 268
/* Fixed feature flags (Table 5.10). */
#define FADT_F_WBINVD         (1u << 0)   /* WBINVD works as specified */
#define FADT_F_PWR_BUTTON     (1u << 4)   /* no fixed-feature power button */
#define FADT_F_SLP_BUTTON     (1u << 5)   /* no fixed-feature sleep button */
#define FADT_F_HW_REDUCED_ACPI (1u << 20)
/* IA-PC boot architecture flags (Table 5.11).  No 8042 (bit 1 clear). */
#define IAPC_LEGACY_DEVICES   (1u << 0)   /* COM1 is an ISA-style device */
#define IAPC_VGA_NOT_PRESENT  (1u << 2)
#define IAPC_CMOS_RTC_NOT_PRESENT (1u << 5)

/* ---- MADT (§5.2.12) ------------------------------------------------------ */
#define MADT_REVISION         5      /* as defined since ACPI 6.3 */
/* Flags bit 0, PCAT_COMPAT, is left 0: kvmbus wires no device to the
 * 8259s (it raises only MSIs), and with a hardware-reduced FADT Linux
 * uses no legacy PIC anyway -- so there are no 8259s OSPM must mask
 * before using the IOAPIC, which is what PCAT_COMPAT = 1 would say. */
#define MADT_FLAGS            0u
#define MADT_TYPE_LAPIC       0
#define MADT_TYPE_IOAPIC      1
#define MADT_TYPE_ISO         2
#define MADT_LAPIC_LEN        8
#define MADT_IOAPIC_LEN       12
#define MADT_ISO_LEN          10
#define MADT_LAPIC_ENABLED    (1u << 0)
#define MADT_ISA_BUS          0
/* MPS INTI flags 0: polarity and trigger conform to the bus (ISA:
 * active high, edge). */
#define MPS_INTI_CONFORMS     0

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

static struct aml_table_id table_id(const char *sig, uint8_t rev,
				    const char *oem_table_id)
{
	struct aml_table_id id = {
		.revision = rev,
		.oem_revision = 1,
		.creator_revision = 1,
	};

	snprintf(id.signature, sizeof(id.signature), "%s", sig);
	snprintf(id.oem_id, sizeof(id.oem_id), "%s", ACPI_OEM_ID);
	snprintf(id.oem_table_id, sizeof(id.oem_table_id), "%s", oem_table_id);
	snprintf(id.creator_id, sizeof(id.creator_id), "%s", ACPI_CREATOR_ID);
	return id;
}

/* Zero bytes up to the next TABLE_ALIGN boundary of the block. */
static void align_block(struct aml_buf *b)
{
	size_t pad = (TABLE_ALIGN - b->len % TABLE_ALIGN) % TABLE_ALIGN;

	aml_fill(b, 0, pad);
}

static void put_u32_at(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64_at(uint8_t *p, uint64_t v)
{
	for (unsigned i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Signature(8) Checksum(1) OEMID(6) Revision(1) RsdtAddress(4)
 * Length(4) XsdtAddress(8) ExtendedChecksum(1) Reserved(3).
 * RsdtAddress is 0: there is no RSDT; with revision 2 and a non-zero
 * XsdtAddress OSPM uses the XSDT (§5.2.5.3, §5.2.7). */
static void write_rsdp(struct aml_buf *b, uint64_t xsdt)
{
	size_t at = b->len;

	aml_bytes(b, RSDP_SIGNATURE, 8);
	aml_u8(b, 0);
	aml_bytes(b, ACPI_OEM_ID, ACPI_OEM_ID_LEN);
	aml_u8(b, RSDP_REVISION);
	aml_u32(b, 0);
	aml_u32(b, RSDP_LENGTH);
	aml_u64(b, xsdt);
	aml_u8(b, 0);
	aml_fill(b, 0, 3);
	if (!aml_ok(b))
		return;

	uint8_t *r = b->data + at;
	r[RSDP_CHECKSUM_AT] = aml_checksum(r, RSDP_V1_LENGTH);
	r[RSDP_EXT_CHECKSUM_AT] = aml_checksum(r, RSDP_LENGTH);
}

/* Header, then one 64-bit address per table. */
static void write_xsdt(struct aml_buf *b, const uint64_t *tables, size_t n)
{
	struct aml_table_id id = table_id("XSDT", XSDT_REVISION, "KVMBUSXS");
	aml_mark t = aml_table_begin(b, &id);

	for (size_t i = 0; i < n; i++)
		aml_u64(b, tables[i]);
	aml_table_end(b, t);
}

/* Hardware-reduced (§4.1): no PM1/GPE blocks, no SCI, no FACS -- every
 * field for them stays 0.  DSDT and X_DSDT both hold the DSDT address
 * (the block is below 4 GiB), so OSPMs reading either agree. */
static void write_fadt(struct aml_buf *b, uint64_t dsdt)
{
	struct aml_table_id id = table_id("FACP", FADT_REVISION, "KVMBUSFA");
	size_t at = b->len;
	aml_mark t = aml_table_begin(b, &id);

	aml_fill(b, 0, FADT_LENGTH - ACPI_TABLE_HEADER_SIZE);
	if (!aml_ok(b))
		return;

	uint8_t *f = b->data + at;
	put_u32_at(f + FADT_DSDT_AT, (uint32_t)dsdt);
	f[FADT_IAPC_BOOT_ARCH_AT] = IAPC_LEGACY_DEVICES | IAPC_VGA_NOT_PRESENT |
				    IAPC_CMOS_RTC_NOT_PRESENT;
	put_u32_at(f + FADT_FLAGS_AT, FADT_F_WBINVD | FADT_F_PWR_BUTTON |
		   FADT_F_SLP_BUTTON | FADT_F_HW_REDUCED_ACPI);
	f[FADT_MINOR_VERSION_AT] = FADT_MINOR_VERSION;
	put_u64_at(f + FADT_X_DSDT_AT, dsdt);
	/* Hypervisor Vendor Identity: 8 bytes, informational only. */
	memcpy(f + FADT_HYPERVISOR_ID_AT, "KVMBUS  ", 8);
	aml_table_end(b, t);
}

static void madt_lapic(struct aml_buf *b, unsigned cpu)
{
	aml_u8(b, MADT_TYPE_LAPIC);
	aml_u8(b, MADT_LAPIC_LEN);
	aml_u8(b, (uint8_t)cpu);          /* ACPI Processor UID */
	aml_u8(b, (uint8_t)cpu);          /* APIC ID = vCPU index */
	aml_u32(b, MADT_LAPIC_ENABLED);
}

static void madt_iso(struct aml_buf *b, uint8_t irq, uint32_t gsi)
{
	aml_u8(b, MADT_TYPE_ISO);
	aml_u8(b, MADT_ISO_LEN);
	aml_u8(b, MADT_ISA_BUS);
	aml_u8(b, irq);
	aml_u32(b, gsi);
	aml_u16(b, MPS_INTI_CONFORMS);
}

/* Local APICs in APIC-ID order, the boot processor first (§5.2.12.1),
 * then KVM's in-kernel IOAPIC (24 pins from GSI 0) and one override:
 * ISA IRQ 0 (the PIT) arrives on GSI 2, as on every PC.  There is no
 * IRQ 9 override: that one exists for the SCI, which a hardware-reduced
 * platform does not have. */
static void write_madt(struct aml_buf *b, unsigned nr_cpus)
{
	struct aml_table_id id = table_id("APIC", MADT_REVISION, "KVMBUSAP");
	aml_mark t = aml_table_begin(b, &id);

	aml_u32(b, ACPI_LAPIC_ADDR);
	aml_u32(b, MADT_FLAGS);
	for (unsigned cpu = 0; cpu < nr_cpus; cpu++)
		madt_lapic(b, cpu);

	aml_u8(b, MADT_TYPE_IOAPIC);
	aml_u8(b, MADT_IOAPIC_LEN);
	aml_u8(b, ACPI_IOAPIC_ID);
	aml_u8(b, 0);
	aml_u32(b, ACPI_IOAPIC_ADDR);
	aml_u32(b, ACPI_IOAPIC_GSI_BASE);

	madt_iso(b, 0, 2);
	aml_table_end(b, t);
}

static uint32_t table_len(const struct aml_buf *b, size_t at)
{
	return (uint32_t)(b->len - at);
}

/* Order in the block: RSDP, DSDT, FADT, MADT, XSDT -- each table is
 * written after the ones it points to, so every address is known when
 * it is needed, and the RSDP is filled in last. */
int acpi_build(void *buf, size_t len, uint64_t base, const struct memmap *map,
	       unsigned nr_cpus, struct acpi_layout *out, char *err,
	       size_t errlen)
{
	struct acpi_layout l = { 0 };
	struct aml_buf b;

	if (!buf || !map || !out)
		return fail(err, errlen, "no buffer or memory map for ACPI");
	if (base % 16)
		return fail(err, errlen, "ACPI block at 0x%llx is not 16-byte "
			    "aligned", (unsigned long long)base);
	if (len > MEMMAP_4G || base > MEMMAP_4G - len)
		return fail(err, errlen, "ACPI block [0x%llx, +0x%zx) does not lie "
			    "below 4 GiB", (unsigned long long)base, len);
	if (nr_cpus == 0 || nr_cpus > ACPI_MAX_CPUS)
		return fail(err, errlen, "%u vCPUs: the MADT describes 1 to %u",
			    nr_cpus, ACPI_MAX_CPUS);
	if (map->low_mmio.size == 0 || map->high_mmio.size == 0)
		return fail(err, errlen, "both MMIO gaps must be non-empty");

	aml_init(&b, buf, len);
	l.rsdp = base;
	aml_fill(&b, 0, RSDP_LENGTH);
	align_block(&b);

	size_t at = b.len;
	long dsdt_len = aml_ok(&b) ? acpi_build_dsdt(b.data + at, len - at, map)
				   : -1;
	if (dsdt_len < 0)
		return fail(err, errlen, "the DSDT does not fit in 0x%zx bytes",
			    len);
	b.len += (size_t)dsdt_len;
	l.dsdt = base + at;
	l.dsdt_len = (uint32_t)dsdt_len;
	align_block(&b);

	at = b.len;
	write_fadt(&b, l.dsdt);
	l.fadt = base + at;
	l.fadt_len = table_len(&b, at);
	align_block(&b);

	at = b.len;
	write_madt(&b, nr_cpus);
	l.madt = base + at;
	l.madt_len = table_len(&b, at);
	align_block(&b);

	at = b.len;
	const uint64_t entries[] = { l.fadt, l.madt };
	write_xsdt(&b, entries, sizeof(entries) / sizeof(entries[0]));
	l.xsdt = base + at;
	l.xsdt_len = table_len(&b, at);
	l.total = b.len;

	struct aml_buf r;
	aml_init(&r, b.data, RSDP_LENGTH);
	write_rsdp(&r, l.xsdt);
	if (!aml_ok(&b) || !aml_ok(&r))
		return fail(err, errlen, "ACPI tables do not fit in 0x%zx bytes",
			    len);
	*out = l;
	return 0;
}

int acpi_install(const struct guest_mem *mem, const struct memmap *map,
		 unsigned nr_cpus, uint64_t *rsdp, char *err, size_t errlen)
{
	struct acpi_layout l;
	uint8_t *block = guest_mem_ptr(mem, ACPI_TABLES_GPA, ACPI_TABLES_MAX);

	if (!block)
		return fail(err, errlen, "guest RAM does not cover the ACPI "
			    "tables at [0x%llx, 0x%llx)",
			    (unsigned long long)ACPI_TABLES_GPA,
			    (unsigned long long)(ACPI_TABLES_GPA + ACPI_TABLES_MAX));
	memset(block, 0, ACPI_TABLES_MAX);
	if (acpi_build(block, ACPI_TABLES_MAX, ACPI_TABLES_GPA, map, nr_cpus,
		       &l, err, errlen) < 0)
		return -1;
	if (rsdp)
		*rsdp = l.rsdp;
	return 0;
}
