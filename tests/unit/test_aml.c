// SPDX-License-Identifier: MIT
/*
 * The AML emitter, byte for byte.  Every expected sequence below was
 * worked out by hand from the ACPI Specification 6.5 (§20.2 encodings,
 * §20.2.4 PkgLength, §6.4.2.9 End Tag, §6.4.3.5.1 QWord Address Space
 * Descriptor, §5.2.6 table header, §6.1.5 EISA IDs).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "firmware/aml.h"

#define BUF_SIZE 8192

static uint8_t mem[BUF_SIZE];

static struct aml_buf fresh(void)
{
	struct aml_buf b;

	memset(mem, 0xEE, sizeof(mem));
	aml_init(&b, mem, sizeof(mem));
	return b;
}

/* Compare with a hex dump of both sides on mismatch. */
static void expect_bytes(const struct aml_buf *b, const uint8_t *want,
			 size_t n)
{
	assert_false(b->overflow);
	if (b->len != n || memcmp(b->data, want, n) != 0) {
		fprintf(stderr, "got  (%zu):", b->len);
		for (size_t i = 0; i < b->len; i++)
			fprintf(stderr, " %02x", b->data[i]);
		fprintf(stderr, "\nwant (%zu):", n);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, " %02x", want[i]);
		fprintf(stderr, "\n");
		fail();
	}
}

#define EXPECT(b, ...)                                               \
	do {                                                         \
		static const uint8_t want_[] = { __VA_ARGS__ };      \
		expect_bytes((b), want_, sizeof(want_));             \
	} while (0)

/* ---- PkgLength ------------------------------------------------------------ */

static void check_pkglen(uint32_t total, const uint8_t *want, unsigned n)
{
	uint8_t out[AML_PKGLEN_MAX_BYTES] = { 0 };

	assert_int_equal(aml_pkglen_encode(total, out), n);
	assert_memory_equal(out, want, n);
}

static void test_pkglen_encode_boundaries(void **state)
{
	(void)state;
	check_pkglen(1, (const uint8_t[]){ 0x01 }, 1);
	check_pkglen(63, (const uint8_t[]){ 0x3F }, 1);
	/* 64 = 0x040: low nibble 0 in the lead byte, 0x04 follows. */
	check_pkglen(64, (const uint8_t[]){ 0x40, 0x04 }, 2);
	check_pkglen(65, (const uint8_t[]){ 0x41, 0x04 }, 2);
	check_pkglen(4095, (const uint8_t[]){ 0x4F, 0xFF }, 2);
	check_pkglen(4096, (const uint8_t[]){ 0x80, 0x00, 0x01 }, 3);
	check_pkglen(0xFFFFF, (const uint8_t[]){ 0x8F, 0xFF, 0xFF }, 3);
	check_pkglen(0x100000, (const uint8_t[]){ 0xC0, 0x00, 0x00, 0x01 }, 4);
	check_pkglen(0x0FFFFFFF, (const uint8_t[]){ 0xCF, 0xFF, 0xFF, 0xFF }, 4);
	check_pkglen(0x12345, (const uint8_t[]){ 0x85, 0x34, 0x12 }, 3);

	uint8_t out[AML_PKGLEN_MAX_BYTES];
	assert_int_equal(aml_pkglen_encode(0, out), 0);
	assert_int_equal(aml_pkglen_encode(0x10000000, out), 0);
}

/* The size counts itself: 62 content bytes + 1 = 63 fits one byte; 63
 * content bytes would make 64, which needs two. */
static void test_pkglen_size_boundaries(void **state)
{
	(void)state;
	assert_int_equal(aml_pkglen_size(0), 1);
	assert_int_equal(aml_pkglen_size(62), 1);
	assert_int_equal(aml_pkglen_size(63), 2);
	assert_int_equal(aml_pkglen_size(4093), 2);
	assert_int_equal(aml_pkglen_size(4094), 3);
	assert_int_equal(aml_pkglen_size(0xFFFFC), 3);
	assert_int_equal(aml_pkglen_size(0xFFFFD), 4);
	assert_int_equal(aml_pkglen_size(0xFFFFFFB), 4);
	assert_int_equal(aml_pkglen_size(0xFFFFFFC), 0);
}

/* A Scope whose body makes the package exactly 63, then 64+ bytes long:
 * the PkgLength grows from one byte to two and the body moves with it. */
static void test_scope_pkglen_one_and_two_bytes(void **state)
{
	(void)state;
	uint8_t filler[58];
	memset(filler, 0xA3, sizeof(filler));   /* 0xA3 = NoopOp */

	/* "\_SB" is 5 name bytes; 57 filler -> 62 content -> PkgLength 63. */
	struct aml_buf b = fresh();
	aml_mark m = aml_scope_begin(&b, "\\_SB");
	aml_bytes(&b, filler, 57);
	aml_end(&b, m);
	assert_false(b.overflow);
	assert_int_equal(b.len, 1 + 1 + 62);
	assert_int_equal(mem[0], AML_SCOPE_OP);
	assert_int_equal(mem[1], 0x3F);
	assert_memory_equal(&mem[2], "\\_SB_", 5);
	assert_int_equal(mem[7], 0xA3);
	assert_int_equal(mem[b.len - 1], 0xA3);
	/* The 3 bytes the 1-byte PkgLength freed are cleared; nothing
	 * beyond the worst-case reservation is touched. */
	assert_int_equal(mem[b.len] | mem[b.len + 1] | mem[b.len + 2], 0);
	assert_int_equal(mem[b.len + 3], 0xEE);

	/* 58 filler -> 63 content -> 2-byte PkgLength 65 = 0x41 0x04. */
	b = fresh();
	m = aml_scope_begin(&b, "\\_SB");
	aml_bytes(&b, filler, 58);
	aml_end(&b, m);
	assert_false(b.overflow);
	assert_int_equal(b.len, 1 + 2 + 63);
	assert_int_equal(mem[1], 0x41);
	assert_int_equal(mem[2], 0x04);
	assert_memory_equal(&mem[3], "\\_SB_", 5);
	assert_int_equal(mem[b.len - 1], 0xA3);
}

/* Around 4095/4096 with a Buffer: BufferSize 0x0B nn nn is 3 bytes. */
static void test_buffer_pkglen_two_and_three_bytes(void **state)
{
	(void)state;
	static uint8_t payload[4100];
	memset(payload, 0x5A, sizeof(payload));

	/* 4090 + 3 = 4093 content -> 2-byte PkgLength 4095 = 0x4F 0xFF. */
	struct aml_buf b = fresh();
	aml_buffer(&b, payload, 4090);
	assert_false(b.overflow);
	assert_int_equal(b.len, 1 + 2 + 3 + 4090);
	assert_int_equal(mem[1], 0x4F);
	assert_int_equal(mem[2], 0xFF);
	assert_int_equal(mem[3], AML_WORD_PREFIX);
	assert_int_equal(mem[4], 0xFA);          /* 4090 = 0x0FFA */
	assert_int_equal(mem[5], 0x0F);

	/* 4091 + 3 = 4094 content -> 3 bytes, total 4097 = 0x81 0x00 0x01. */
	b = fresh();
	aml_buffer(&b, payload, 4091);
	assert_false(b.overflow);
	assert_int_equal(b.len, 1 + 3 + 3 + 4091);
	assert_int_equal(mem[1], 0x81);
	assert_int_equal(mem[2], 0x00);
	assert_int_equal(mem[3], 0x01);
	assert_int_equal(mem[4], AML_WORD_PREFIX);
}

/* ---- Names -------------------------------------------------------------- */

static void test_names(void **state)
{
	(void)state;
	struct aml_buf b = fresh();
	aml_nameseg(&b, "_HID");
	EXPECT(&b, 0x5F, 0x48, 0x49, 0x44);

	b = fresh();
	aml_nameseg(&b, "AB");                  /* padded with '_' */
	EXPECT(&b, 'A', 'B', '_', '_');

	b = fresh();
	aml_namestring(&b, "\\_SB.VMOD");       /* DualNamePath */
	EXPECT(&b, 0x5C, 0x2E, '_', 'S', 'B', '_', 'V', 'M', 'O', 'D');

	b = fresh();
	aml_namestring(&b, "\\_SB.VMOD.VMBS");  /* MultiNamePath, count 3 */
	EXPECT(&b, 0x5C, 0x2F, 0x03, '_', 'S', 'B', '_', 'V', 'M', 'O', 'D',
	       'V', 'M', 'B', 'S');

	b = fresh();
	aml_namestring(&b, "^^FOO");
	EXPECT(&b, 0x5E, 0x5E, 'F', 'O', 'O', '_');

	b = fresh();
	aml_namestring(&b, "\\");               /* RootChar NullName */
	EXPECT(&b, 0x5C, 0x00);
}

static void test_bad_names_are_refused(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"1ABC", "abcd", "ABCDE", "A..B", "A.", ".A", "A-B",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct aml_buf b = fresh();
		aml_namestring(&b, bad[i]);
		assert_true(b.overflow);
	}
	struct aml_buf b = fresh();
	aml_namestring(&b, NULL);
	assert_true(b.overflow);
}

/* ---- Data objects --------------------------------------------------------- */

static void test_integers_use_shortest_encoding(void **state)
{
	(void)state;
	struct aml_buf b = fresh();
	aml_integer(&b, 0);
	aml_integer(&b, 1);
	aml_integer(&b, 2);
	aml_integer(&b, 0xFF);
	aml_integer(&b, 0x100);
	aml_integer(&b, 0x10000);
	aml_integer(&b, 0x100000000ull);
	EXPECT(&b, 0x00, 0x01, 0x0A, 0x02, 0x0A, 0xFF, 0x0B, 0x00, 0x01,
	       0x0C, 0x00, 0x00, 0x01, 0x00,
	       0x0E, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00);
}

static void test_name_string_and_integer(void **state)
{
	(void)state;
	struct aml_buf b = fresh();
	aml_name(&b, "_HID");
	aml_string(&b, "ACPI0004");
	EXPECT(&b, 0x08, '_', 'H', 'I', 'D', 0x0D,
	       'A', 'C', 'P', 'I', '0', '0', '0', '4', 0x00);

	b = fresh();
	aml_name(&b, "_UID");
	aml_integer(&b, 0);
	EXPECT(&b, 0x08, '_', 'U', 'I', 'D', 0x00);

	b = fresh();
	aml_string(&b, "\x80");                 /* not ASCII */
	assert_true(b.overflow);
}

/* PNP0A03: P=0x10 N=0x0E P=0x10 -> 0x41 0xD0, then 0x0A 0x03; the
 * well-known value 0x030AD041. */
static void test_eisaid(void **state)
{
	(void)state;
	bool ok;
	assert_int_equal(aml_eisaid_value("PNP0A03", &ok), 0x030AD041);
	assert_true(ok);
	assert_int_equal(aml_eisaid_value("PNP0C0A", &ok), 0x0A0CD041);
	assert_true(ok);

	struct aml_buf b = fresh();
	aml_name(&b, "_HID");
	aml_eisaid(&b, "PNP0A03");
	EXPECT(&b, 0x08, '_', 'H', 'I', 'D', 0x0C, 0x41, 0xD0, 0x0A, 0x03);

	static const char *const bad[] = { "pnp0a03", "PNP0A0", "PNP0A0G",
					   "PNP0A033", "P1P0A03" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		aml_eisaid_value(bad[i], &ok);
		assert_false(ok);
	}
}

static void test_buffer_and_package(void **state)
{
	(void)state;
	struct aml_buf b = fresh();
	aml_name(&b, "BUF0");
	aml_buffer(&b, (const uint8_t[]){ 1, 2, 3 }, 3);
	/* PkgLength 6 = itself + BufferSize (0A 03) + 3 bytes. */
	EXPECT(&b, 0x08, 'B', 'U', 'F', '0', 0x11, 0x06, 0x0A, 0x03,
	       0x01, 0x02, 0x03);

	b = fresh();
	aml_name(&b, "PKG0");
	aml_mark m = aml_package_begin(&b, 2);
	aml_integer(&b, 1);
	aml_string(&b, "a");
	aml_end(&b, m);
	/* PkgLength 6 = itself + NumElements + OneOp + "a" (0D 61 00). */
	EXPECT(&b, 0x08, 'P', 'K', 'G', '0', 0x12, 0x06, 0x02, 0x01,
	       0x0D, 'a', 0x00);
}

/* ---- Device, Method ------------------------------------------------------- */

/* Method(_STA) { Return (0x0F) }: PkgLength 9 = itself + name(4) +
 * flags(1) + ReturnOp BytePrefix 0x0F (3). */
static void test_method_sta(void **state)
{
	(void)state;
	struct aml_buf b = fresh();
	aml_mark m = aml_method_begin(&b, "_STA", 0);
	aml_return_integer(&b, 0x0F);
	aml_end(&b, m);
	EXPECT(&b, 0x14, 0x09, '_', 'S', 'T', 'A', 0x00, 0xA4, 0x0A, 0x0F);

	b = fresh();
	m = aml_method_begin(&b, "_STA", 8);   /* at most 7 arguments */
	assert_true(b.overflow);
}

/* Device (VMBS) { Name (_UID, Zero) } inside Scope (\_SB). */
static void test_nested_device(void **state)
{
	(void)state;
	struct aml_buf b = fresh();
	aml_mark s = aml_scope_begin(&b, "\\_SB");
	aml_mark d = aml_device_begin(&b, "VMBS");
	aml_name(&b, "_UID");
	aml_integer(&b, 0);
	aml_end(&b, d);
	aml_end(&b, s);
	/* device: 5B 82, PkgLength 11 = 1 + 4 + 6; scope: 1 + 5 + 13 = 19 */
	EXPECT(&b, 0x10, 0x13, 0x5C, '_', 'S', 'B', '_',
	       0x5B, 0x82, 0x0B, 'V', 'M', 'B', 'S',
	       0x08, '_', 'U', 'I', 'D', 0x00);
}

/* ---- Resource templates ----------------------------------------------------- */

/* ResourceTemplate () {}: Buffer of just the End Tag; 0x79 + 0x87 = 0. */
static void test_empty_resource_template(void **state)
{
	(void)state;
	struct aml_buf b = fresh();
	struct aml_restemplate t;
	aml_restemplate_begin(&b, &t);
	aml_restemplate_end(&b, &t);
	EXPECT(&b, 0x11, 0x05, 0x0A, 0x02, 0x79, 0x87);
}

static void test_qword_memory_descriptor(void **state)
{
	(void)state;
	struct aml_buf b = fresh();
	aml_qword_memory(&b, 0xC0000000ull, 0x3EC00000ull);
	EXPECT(&b,
	       0x8A, 0x2B, 0x00,            /* tag, length 43 */
	       0x00,                        /* memory range */
	       0x0C,                        /* MaxFixed MinFixed, PosDecode, producer */
	       0x03,                        /* Cacheable, ReadWrite */
	       0, 0, 0, 0, 0, 0, 0, 0,      /* _GRA */
	       0x00, 0x00, 0x00, 0xC0, 0, 0, 0, 0,   /* _MIN 0xC0000000 */
	       0xFF, 0xFF, 0xBF, 0xFE, 0, 0, 0, 0,   /* _MAX 0xFEBFFFFF */
	       0, 0, 0, 0, 0, 0, 0, 0,      /* _TRA */
	       0x00, 0x00, 0xC0, 0x3E, 0, 0, 0, 0);  /* _LEN */
	assert_int_equal(b.len, AML_RES_QWORD_SIZE);

	b = fresh();
	aml_qword_memory(&b, 0x1000, 0);
	assert_true(b.overflow);
	b = fresh();
	aml_qword_memory(&b, UINT64_MAX, 2);     /* would wrap */
	assert_true(b.overflow);
}

/* Two QWords: 92 + 2 descriptor bytes -> BufferSize 0A 5E, PkgLength
 * 1+2+94 -> two bytes, 98 = 0x42 0x06.  The descriptors sum to zero. */
static void test_resource_template_two_qwords(void **state)
{
	(void)state;
	struct aml_buf b = fresh();
	struct aml_restemplate t;
	aml_restemplate_begin(&b, &t);
	aml_qword_memory(&b, 0xC0000000ull, 0x3EC00000ull);
	aml_qword_memory(&b, 0x1000000000ull, 0x20000000ull);
	aml_restemplate_end(&b, &t);
	assert_false(b.overflow);
	assert_int_equal(b.len, 1 + 2 + 2 + 94);
	assert_int_equal(mem[0], AML_BUFFER_OP);
	assert_int_equal(mem[1], 0x42);
	assert_int_equal(mem[2], 0x06);
	assert_int_equal(mem[3], AML_BYTE_PREFIX);
	assert_int_equal(mem[4], 94);
	assert_int_equal(mem[5], AML_RES_QWORD_ADDRESS);
	assert_int_equal(mem[5 + 46], AML_RES_QWORD_ADDRESS);
	assert_int_equal(mem[5 + 92], AML_RES_END_TAG);

	uint8_t sum = 0;
	for (size_t i = 5; i < b.len; i++)
		sum = (uint8_t)(sum + mem[i]);
	assert_int_equal(sum, 0);
}

/* ---- Table header ------------------------------------------------------------- */

static void test_table_header(void **state)
{
	(void)state;
	static const struct aml_table_id id = {
		.signature = "DSDT", .revision = 2, .oem_id = "KVMBUS",
		.oem_table_id = "KVMBUSDT", .oem_revision = 1,
		.creator_id = "KVMB", .creator_revision = 0x01020304,
	};
	struct aml_buf b = fresh();
	aml_mark t = aml_table_begin(&b, &id);
	aml_u8(&b, 0xA3);
	aml_table_end(&b, t);
	assert_false(b.overflow);
	assert_int_equal(b.len, 37);
	assert_memory_equal(mem, "DSDT", 4);
	assert_int_equal(mem[4], 37);
	assert_int_equal(mem[5] | mem[6] | mem[7], 0);
	assert_int_equal(mem[8], 2);
	assert_memory_equal(&mem[10], "KVMBUS", 6);
	assert_memory_equal(&mem[16], "KVMBUSDT", 8);
	assert_int_equal(mem[24], 1);
	assert_memory_equal(&mem[28], "KVMB", 4);
	assert_int_equal(mem[32], 0x04);
	assert_int_equal(mem[35], 0x01);
	assert_int_equal(aml_checksum(mem, b.len), 0);

	/* Short OEM fields are padded with spaces. */
	static const struct aml_table_id shortid = {
		.signature = "APIC", .oem_id = "AB", .oem_table_id = "C",
		.creator_id = "D",
	};
	b = fresh();
	t = aml_table_begin(&b, &shortid);
	aml_table_end(&b, t);
	assert_memory_equal(&mem[10], "AB    C       ", 14);
	assert_memory_equal(&mem[28], "D   ", 4);
}

/* ---- Overflow --------------------------------------------------------------- */

static void test_overflow_never_writes_past_capacity(void **state)
{
	(void)state;
	uint8_t small[16 + 8];
	memset(small, 0xEE, sizeof(small));

	struct aml_buf b;
	aml_init(&b, small, 16);
	aml_mark d = aml_device_begin(&b, "\\_SB.VMOD.VMBS");
	aml_name(&b, "_HID");
	aml_string(&b, "VMBus");
	aml_end(&b, d);
	assert_true(b.overflow);
	assert_true(b.len <= 16);
	for (size_t i = 16; i < sizeof(small); i++)
		assert_int_equal(small[i], 0xEE);

	/* aml_end() with a foreign mark is refused, not obeyed. */
	struct aml_buf c = fresh();
	aml_u8(&c, 1);
	aml_end(&c, 100);
	assert_true(c.overflow);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pkglen_encode_boundaries),
		cmocka_unit_test(test_pkglen_size_boundaries),
		cmocka_unit_test(test_scope_pkglen_one_and_two_bytes),
		cmocka_unit_test(test_buffer_pkglen_two_and_three_bytes),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_bad_names_are_refused),
		cmocka_unit_test(test_integers_use_shortest_encoding),
		cmocka_unit_test(test_name_string_and_integer),
		cmocka_unit_test(test_eisaid),
		cmocka_unit_test(test_buffer_and_package),
		cmocka_unit_test(test_method_sta),
		cmocka_unit_test(test_nested_device),
		cmocka_unit_test(test_empty_resource_template),
		cmocka_unit_test(test_qword_memory_descriptor),
		cmocka_unit_test(test_resource_template_two_qwords),
		cmocka_unit_test(test_table_header),
		cmocka_unit_test(test_overflow_never_writes_past_capacity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
