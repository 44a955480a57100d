// SPDX-License-Identifier: MIT
/*
 * Host tests of the guest's printf-style formatter (guest/lib/format.c),
 * compared against the C library where the two must agree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "guest/lib/format.c"

#define SAME_AS_LIBC(...)                                             \
	do {                                                          \
		char mine[128], libc[128];                            \
		int a = ksnprintf(mine, sizeof(mine), __VA_ARGS__);   \
		int b = snprintf(libc, sizeof(libc), __VA_ARGS__);    \
		assert_string_equal(mine, libc);                      \
		assert_int_equal(a, b);                               \
	} while (0)

/* Without the format attribute, for inputs the compiler would reject. */
static int format_unchecked(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void test_integers(void **state)
{
	(void)state;
	SAME_AS_LIBC("%d %d %d", 0, -1, 2147483647);
	SAME_AS_LIBC("%d", (int)-2147483647 - 1);
	SAME_AS_LIBC("%u %x %X", 4000000000u, 0xdeadbeefu, 0xabcu);
	SAME_AS_LIBC("%lx %lu %ld", 0xfedcba9876543210ul, 18446744073709551615ul,
		     -9223372036854775807l - 1);
	SAME_AS_LIBC("%llx %lld", 0x123456789abcdefull, -5ll);
	SAME_AS_LIBC("%zu", (size_t)12345);
	SAME_AS_LIBC("%i", 42);
}

static void test_width_and_padding(void **state)
{
	(void)state;
	SAME_AS_LIBC("[%5d] [%-5d] [%05d]", 42, 42, 42);
	SAME_AS_LIBC("[%05d] [%5d]", -42, -42);
	SAME_AS_LIBC("[%08x] [%2x] [%02x]", 0xbeefu, 0x1234u, 7u);
	SAME_AS_LIBC("[%016lx]", 0x1ul);
	SAME_AS_LIBC("[%*d] [%-*d]", 6, 1, 6, 1);
	SAME_AS_LIBC("[%8s] [%-8s] [%s]", "ab", "ab", "");
	SAME_AS_LIBC("[%c%c] [%3c]", 'o', 'k', 'x');
	SAME_AS_LIBC("100%%");
}

static void test_pointer_and_null_string(void **state)
{
	(void)state;
	char buf[64];

	ksnprintf(buf, sizeof(buf), "%p", (void *)0x100000);
	assert_string_equal(buf, "0x100000");
	format_unchecked(buf, sizeof(buf), "%s", (char *)NULL);
	assert_string_equal(buf, "(null)");
}

static void test_truncation(void **state)
{
	(void)state;
	char buf[8];

	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(ksnprintf(buf, sizeof(buf), "hello world %d", 12), 14);
	assert_string_equal(buf, "hello w");
	assert_int_equal(ksnprintf(buf, 1, "abc"), 3);
	assert_string_equal(buf, "");
	assert_int_equal(ksnprintf(NULL, 0, "abc%d", 5), 4);
}

static void test_unknown_conversion_copied(void **state)
{
	(void)state;
	char buf[32];

	format_unchecked(buf, sizeof(buf), "a%qb");
	assert_string_equal(buf, "a%qb");
	format_unchecked(buf, sizeof(buf), "end%");
	assert_string_equal(buf, "end%");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_width_and_padding),
		cmocka_unit_test(test_pointer_and_null_string),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_unknown_conversion_copied),
	};

	return cmocka_run_group_tests_name("guest formatter", tests, NULL, NULL);
}
