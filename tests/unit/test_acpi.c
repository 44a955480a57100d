// SPDX-License-Identifier: MIT
/*
 * The ACPI tables as an OSPM reads them: the RSDP found by the BIOS-area
 * scan, both of its checksums, the XSDT's pointers, the hardware-reduced
 * FADT, one enabled Local APIC per vCPU in the MADT, and a DSDT that
 * Debian's disassembler (iasl -d, from acpica-tools) reads back with the
 * VMBus names and both MMIO gaps in it.  That last check is skipped, with
 * a message, when iasl is not installed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "firmware/acpi.h"
#include "firmware/aml.h"

#define MIB (1ull << 20)
#define LOW_RAM (1 * MIB)

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	for (size_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

struct fixture {
	struct memmap map;
	uint8_t *ram;               /* guest RAM [0, 1 MiB) */
	struct guest_mem mem;
	char err[256];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	struct memmap_range low = { MEMMAP_DEFAULT_LOW_MMIO_BASE,
				    MEMMAP_DEFAULT_LOW_MMIO_SIZE };
	struct memmap_range high = { MEMMAP_DEFAULT_HIGH_MMIO_BASE,
				     MEMMAP_DEFAULT_HIGH_MMIO_SIZE };
	assert_int_equal(memmap_build(&f->map, 256 * MIB, low, high, f->err,
				      sizeof(f->err)), 0);
	f->ram = malloc(LOW_RAM);
	assert_non_null(f->ram);
	memset(f->ram, 0xA5, LOW_RAM);     /* acpi_install must clear */
	f->mem.bank[0] = (struct guest_mem_bank){ 0, LOW_RAM, f->ram };
	f->mem.nr_banks = 1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	free(f->ram);
	free(f);
	return 0;
}

/* Host pointer for a table the guest would find at gpa. */
static const uint8_t *at(const struct fixture *f, uint64_t gpa)
{
	assert_true(gpa < LOW_RAM);
	return f->ram + gpa;
}

/* OSPM's search (ACPI 6.5 §5.2.5.1): 16-byte boundaries of
 * [0xE0000, 0xFFFFF], signature and first checksum valid. */
static uint64_t scan_for_rsdp(const struct fixture *f)
{
	for (uint64_t a = 0xE0000; a < 0x100000; a += 16) {
		const uint8_t *p = at(f, a);
		if (memcmp(p, "RSD PTR ", 8) == 0 && sum(p, 20) == 0)
			return a;
	}
	return 0;
}

static void check_header(const uint8_t *t, const char *sig, uint32_t len)
{
	assert_memory_equal(t, sig, 4);
	assert_int_equal(rd32(t + 4), len);
	assert_int_equal(sum(t, len), 0);
	assert_memory_equal(t + 10, "KVMBUS", 6);
}

static void install(struct fixture *f, unsigned cpus, uint64_t *rsdp)
{
	assert_int_equal(acpi_install(&f->mem, &f->map, cpus, rsdp, f->err,
				      sizeof(f->err)), 0);
}

static void test_rsdp_found_with_both_checksums(void **state)
{
	struct fixture *f = *state;
	uint64_t rsdp = 0;

	install(f, 1, &rsdp);
	assert_int_equal(rsdp, ACPI_TABLES_GPA);
	assert_int_equal(scan_for_rsdp(f), rsdp);

	const uint8_t *r = at(f, rsdp);
	assert_int_equal(sum(r, 20), 0);
	assert_int_equal(sum(r, 36), 0);
	assert_int_equal(r[15], 2);                 /* revision */
	assert_int_equal(rd32(r + 16), 0);          /* no RSDT */
	assert_int_equal(rd32(r + 20), 36);         /* length */
	assert_memory_equal(r + 9, "KVMBUS", 6);

	uint64_t xsdt = rd64(r + 24);
	assert_true(xsdt > rsdp && xsdt < ACPI_TABLES_GPA + ACPI_TABLES_MAX);
	assert_int_equal(xsdt % 8, 0);
}

static void test_xsdt_points_at_fadt_and_madt(void **state)
{
	struct fixture *f = *state;
	uint64_t rsdp;

	install(f, 2, &rsdp);
	const uint8_t *x = at(f, rd64(at(f, rsdp) + 24));
	check_header(x, "XSDT", 36 + 2 * 8);
	assert_int_equal(x[8], 1);

	const uint8_t *t0 = at(f, rd64(x + 36)), *t1 = at(f, rd64(x + 44));
	check_header(t0, "FACP", rd32(t0 + 4));
	check_header(t1, "APIC", rd32(t1 + 4));
}

static void test_fadt_is_hardware_reduced(void **state)
{
	struct fixture *f = *state;
	struct acpi_layout l;
	static uint8_t buf[0x4000];

	assert_int_equal(acpi_build(buf, sizeof(buf), ACPI_TABLES_GPA, &f->map,
				    1, &l, f->err, sizeof(f->err)), 0);
	const uint8_t *fadt = buf + (l.fadt - ACPI_TABLES_GPA);
	check_header(fadt, "FACP", 276);
	assert_int_equal(l.fadt_len, 276);
	assert_int_equal(fadt[8], 6);                   /* major */
	assert_int_equal(fadt[131] & 0x0F, 5);          /* minor */
	uint32_t flags = rd32(fadt + 112);
	assert_true(flags & (1u << 20));                /* HW_REDUCED_ACPI */
	assert_int_equal(rd32(fadt + 40), l.dsdt);      /* DSDT */
	assert_int_equal(rd64(fadt + 140), l.dsdt);     /* X_DSDT */
	/* Hardware-reduced: no SCI, SMI port, PM1 or GPE blocks, FACS. */
	assert_int_equal(rd16(fadt + 46), 0);
	assert_int_equal(rd32(fadt + 48), 0);
	assert_int_equal(rd32(fadt + 56), 0);
	assert_int_equal(rd32(fadt + 80), 0);
	assert_int_equal(rd32(fadt + 36), 0);
	assert_int_equal(rd64(fadt + 132), 0);
	/* No 8042; no VGA; no CMOS RTC. */
	uint16_t iapc = rd16(fadt + 109);
	assert_false(iapc & (1u << 1));
	assert_true(iapc & (1u << 2));
	assert_true(iapc & (1u << 5));
	check_header(buf + (l.dsdt - ACPI_TABLES_GPA), "DSDT", l.dsdt_len);
}

/* Walk the MADT's interrupt controller structures as OSPM does. */
static void check_madt(const uint8_t *m, unsigned cpus)
{
	uint32_t len = rd32(m + 4);
	unsigned lapics = 0, ioapics = 0, isos = 0;

	check_header(m, "APIC", len);
	assert_int_equal(rd32(m + 36), 0xFEE00000u);
	assert_int_equal(rd32(m + 40), 0);              /* PCAT_COMPAT 0 */
	for (uint32_t off = 44; off < len;) {
		const uint8_t *e = m + off;
		assert_true(e[1] >= 2 && off + e[1] <= len);
		switch (e[0]) {
		case 0:
			assert_int_equal(e[1], 8);
			assert_int_equal(e[2], lapics);     /* UID */
			assert_int_equal(e[3], lapics);     /* APIC ID */
			assert_int_equal(rd32(e + 4), 1);   /* enabled */
			lapics++;
			break;
		case 1:
			assert_int_equal(e[1], 12);
			assert_int_equal(rd32(e + 4), 0xFEC00000u);
			assert_int_equal(rd32(e + 8), 0);
			ioapics++;
			break;
		case 2:
			assert_int_equal(e[1], 10);
			assert_int_equal(e[2], 0);          /* ISA */
			assert_int_equal(e[3], 0);          /* IRQ 0 */
			assert_int_equal(rd32(e + 4), 2);   /* -> GSI 2 */
			isos++;
			break;
		default:
			fail_msg("unexpected MADT entry type %u", e[0]);
		}
		off += e[1];
	}
	assert_int_equal(lapics, cpus);
	assert_int_equal(ioapics, 1);
	assert_int_equal(isos, 1);
}

static void test_madt_one_lapic_per_vcpu(void **state)
{
	struct fixture *f = *state;
	static uint8_t buf[0x4000];
	static const unsigned counts[] = { 1, 2, 8, 255 };

	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		struct acpi_layout l;
		memset(buf, 0, sizeof(buf));
		assert_int_equal(acpi_build(buf, sizeof(buf), ACPI_TABLES_GPA,
					    &f->map, counts[i], &l, f->err,
					    sizeof(f->err)), 0);
		assert_int_equal(l.madt_len, 44 + 8 * counts[i] + 12 + 10);
		check_madt(buf + (l.madt - ACPI_TABLES_GPA), counts[i]);
	}
}

/* The DSDT's named objects, found by their AML encodings. */
static bool contains(const uint8_t *hay, size_t n, const void *needle,
		     size_t m)
{
	for (size_t i = 0; i + m <= n; i++)
		if (memcmp(hay + i, needle, m) == 0)
			return true;
	return false;
}

static void test_dsdt_describes_vmod_and_vmbus(void **state)
{
	struct fixture *f = *state;
	static uint8_t d[0x1000];
	long n = acpi_build_dsdt(d, sizeof(d), &f->map);

	assert_true(n > 36);
	check_header(d, "DSDT", (uint32_t)n);
	assert_int_equal(d[8], 2);
	static const uint8_t hid4[] = { 0x08, '_', 'H', 'I', 'D', 0x0D,
		'A', 'C', 'P', 'I', '0', '0', '0', '4', 0 };
	static const uint8_t hidv[] = { 0x08, '_', 'H', 'I', 'D', 0x0D,
		'V', 'M', 'B', 'u', 's', 0 };
	static const uint8_t sta[] = { 0x14, 0x09, '_', 'S', 'T', 'A', 0x00,
		0xA4, 0x0A, 0x0F };
	static const uint8_t empty_crs[] = { 0x08, '_', 'C', 'R', 'S', 0x11,
		0x05, 0x0A, 0x02, 0x79, 0x87 };
	assert_true(contains(d, (size_t)n, hid4, sizeof(hid4)));
	assert_true(contains(d, (size_t)n, hidv, sizeof(hidv)));
	assert_true(contains(d, (size_t)n, sta, sizeof(sta)));
	assert_true(contains(d, (size_t)n, empty_crs, sizeof(empty_crs)));
	/* The two QWords carry each gap's first and last byte. */
	uint8_t lo[16], hi[16];
	for (int i = 0; i < 8; i++) {
		lo[i] = (uint8_t)(f->map.low_mmio.base >> (8 * i));
		lo[8 + i] = (uint8_t)((f->map.low_mmio.base +
				       f->map.low_mmio.size - 1) >> (8 * i));
		hi[i] = (uint8_t)(f->map.high_mmio.base >> (8 * i));
		hi[8 + i] = (uint8_t)((f->map.high_mmio.base +
				       f->map.high_mmio.size - 1) >> (8 * i));
	}
	assert_true(contains(d, (size_t)n, lo, sizeof(lo)));
	assert_true(contains(d, (size_t)n, hi, sizeof(hi)));
	/* VMBS is declared inside VMOD: its Device op follows VMOD's. */
	const uint8_t *vmod = memmem(d, (size_t)n, "VMOD", 4);
	const uint8_t *vmbs = memmem(d, (size_t)n, "VMBS", 4);
	assert_non_null(vmod);
	assert_non_null(vmbs);
	assert_true(vmbs > vmod);
}

static void test_refusals(void **state)
{
	struct fixture *f = *state;
	static uint8_t buf[0x4000];
	struct acpi_layout l;

	assert_int_equal(acpi_build(buf, 100, ACPI_TABLES_GPA, &f->map, 1, &l,
				    f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "fit"));
	assert_int_equal(acpi_build(buf, sizeof(buf), ACPI_TABLES_GPA, &f->map,
				    0, &l, f->err, sizeof(f->err)), -1);
	assert_int_equal(acpi_build(buf, sizeof(buf), ACPI_TABLES_GPA, &f->map,
				    256, &l, f->err, sizeof(f->err)), -1);
	assert_int_equal(acpi_build(buf, sizeof(buf), ACPI_TABLES_GPA + 8,
				    &f->map, 1, &l, f->err, sizeof(f->err)), -1);
	assert_int_equal(acpi_build(buf, sizeof(buf), 0xFFFFF000ull, &f->map, 1,
				    &l, f->err, sizeof(f->err)), -1);
	assert_int_equal(acpi_build_dsdt(buf, 40, &f->map), -1);

	/* RAM that does not reach the table block. */
	struct guest_mem small = { .nr_banks = 1 };
	small.bank[0] = (struct guest_mem_bank){ 0, 0xE0000, f->ram };
	assert_int_equal(acpi_install(&small, &f->map, 1, NULL, f->err,
				      sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "ACPI"));
}

/* ---- iasl -d ------------------------------------------------------------ */

static bool have_iasl(void)
{
	return system("command -v iasl >/dev/null 2>&1") == 0;
}

/* Write `n` bytes to dir/name.aml, run `iasl -d` on it and return the
 * disassembly (malloc'd), or NULL if iasl failed. */
static char *disassemble(const char *dir, const char *name, const void *p,
			 size_t n)
{
	char path[512], cmd[1200];

	snprintf(path, sizeof(path), "%s/%s.aml", dir, name);
	FILE *out = fopen(path, "wb");
	assert_non_null(out);
	assert_int_equal(fwrite(p, 1, n, out), n);
	fclose(out);

	snprintf(cmd, sizeof(cmd), "cd '%s' && iasl -d '%s.aml' >'%s.log' 2>&1",
		 dir, name, name);
	if (system(cmd) != 0)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s.dsl", dir, name);
	FILE *in = fopen(path, "r");
	if (!in)
		return NULL;
	static char text[1 << 16];
	size_t got = fread(text, 1, sizeof(text) - 1, in);
	fclose(in);
	text[got] = '\0';
	return strdup(text);
}

static void expect_in(const char *text, const char *what)
{
	if (!strstr(text, what))
		fail_msg("'%s' not in the disassembly:\n%s", what, text);
}

static void test_iasl_reads_the_tables(void **state)
{
	struct fixture *f = *state;
	static uint8_t buf[0x4000];
	struct acpi_layout l;

	if (!have_iasl()) {
		fprintf(stderr, "SKIP: iasl not installed (apt-get install "
			"acpica-tools); the AML well-formedness check did not "
			"run\n");
		skip();
	}
	assert_int_equal(acpi_build(buf, sizeof(buf), ACPI_TABLES_GPA, &f->map,
				    2, &l, f->err, sizeof(f->err)), 0);

	char dir[] = "/tmp/kvmbus-acpi-XXXXXX";
	assert_non_null(mkdtemp(dir));

	char *dsl = disassemble(dir, "dsdt", buf + (l.dsdt - ACPI_TABLES_GPA),
				l.dsdt_len);
	assert_non_null(dsl);
	expect_in(dsl, "Device (VMOD)");
	expect_in(dsl, "\"ACPI0004\"");
	expect_in(dsl, "Device (VMBS)");
	expect_in(dsl, "\"VMBus\"");
	expect_in(dsl, "Method (_STA, 0, NotSerialized)");
	/* VMBS has a _CRS (an End Tag only, which iasl shows as a plain
	 * two-byte Buffer, as it does for its own empty templates). */
	const char *vmbs = strstr(dsl, "Device (VMBS)");
	assert_non_null(vmbs);
	expect_in(vmbs, "Name (_CRS, Buffer (0x02)");
	expect_in(dsl, "QWordMemory (ResourceProducer, PosDecode, MinFixed, "
		  "MaxFixed, Cacheable, ReadWrite,");
	expect_in(dsl, "0x00000000C0000000, // Range Minimum");
	expect_in(dsl, "0x00000000FEBFFFFF, // Range Maximum");
	expect_in(dsl, "0x0000001000000000, // Range Minimum");
	expect_in(dsl, "0x000000101FFFFFFF, // Range Maximum");
	expect_in(dsl, "0x000000003EC00000, // Length");
	expect_in(dsl, "0x0000000020000000, // Length");
	free(dsl);
	/* And the disassembly compiles again without errors -- but for one
	 * expected complaint: iasl wants a _HID string of 7 or 8 characters
	 * (error 6033), and "VMBus" is what Hyper-V uses and Linux matches
	 * (facts §9.1).  -vx makes iasl fail if that error is *not* seen. */
	char again[1200];
	snprintf(again, sizeof(again), "cd '%s' && iasl -vx 6033 -p again "
		 "dsdt.dsl >again.log 2>&1", dir);
	assert_int_equal(system(again), 0);

	char *madt = disassemble(dir, "apic", buf + (l.madt - ACPI_TABLES_GPA),
				 l.madt_len);
	assert_non_null(madt);
	expect_in(madt, "Processor Local APIC");
	expect_in(madt, "Local Apic ID : 01");
	expect_in(madt, "Address : FEC00000");
	free(madt);

	char *fadt = disassemble(dir, "facp", buf + (l.fadt - ACPI_TABLES_GPA),
				 l.fadt_len);
	assert_non_null(fadt);
	/* The field's label differs between iasl versions. */
	const char *hw = strstr(fadt, "Hardware Reduced");
	assert_non_null(hw);
	const char *eol = strchr(hw, '\n');
	assert_non_null(eol);
	assert_true(eol - hw > 3 && memcmp(eol - 3, ": 1", 3) == 0);
	free(fadt);

	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rsdp_found_with_both_checksums,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_xsdt_points_at_fadt_and_madt,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_fadt_is_hardware_reduced,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_madt_one_lapic_per_vcpu,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_dsdt_describes_vmod_and_vmbus,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iasl_reads_the_tables,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
