// SPDX-License-Identifier: MIT
/*
 * Host tests of the guest's boot-argument matching (guest/bootargs.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "guest/bootargs.c"

static void test_whole_words_only(void **state)
{
	(void)state;
	assert_true(bootargs_has("test=fail", "test=fail"));
	assert_true(bootargs_has("quiet test=fail", "test=fail"));
	assert_true(bootargs_has("test=fail quiet", "test=fail"));
	assert_true(bootargs_has("  a   test=hang  b ", "test=hang"));
	assert_false(bootargs_has("test=failure", "test=fail"));
	assert_false(bootargs_has("mytest=fail", "test=fail"));
	assert_false(bootargs_has("test=fai", "test=fail"));
	assert_false(bootargs_has("test=hang", "test=fail"));
}

static void test_empty_inputs(void **state)
{
	(void)state;
	assert_false(bootargs_has("", "test=fail"));
	assert_false(bootargs_has(NULL, "test=fail"));
	assert_false(bootargs_has("test=fail", ""));
	assert_false(bootargs_has("   ", "test=fail"));
}

static void test_values(void **state)
{
	uint32_t v = 99;

	(void)state;
	assert_true(bootargs_get_u32("nr_cpus=1", "nr_cpus", &v));
	assert_int_equal(v, 1);
	assert_true(bootargs_get_u32("quiet nr_cpus=2 test=fail", "nr_cpus", &v));
	assert_int_equal(v, 2);
	/* As Linux: the last one wins (kdump appends its own). */
	assert_true(bootargs_get_u32("nr_cpus=2 x nr_cpus=1", "nr_cpus", &v));
	assert_int_equal(v, 1);
	assert_true(bootargs_get_u32("n=4294967295", "n", &v));
	assert_int_equal(v, 4294967295u);
	v = 7;
	assert_false(bootargs_get_u32("n=4294967296", "n", &v));
	assert_false(bootargs_get_u32("nr_cpus=", "nr_cpus", &v));
	assert_false(bootargs_get_u32("nr_cpus=x", "nr_cpus", &v));
	assert_false(bootargs_get_u32("nr_cpus=1x", "nr_cpus", &v));
	assert_false(bootargs_get_u32("my_nr_cpus=1", "nr_cpus", &v));
	assert_false(bootargs_get_u32("nr_cpus", "nr_cpus", &v));
	assert_false(bootargs_get_u32("nr_cpusx=1", "nr_cpus", &v));
	assert_false(bootargs_get_u32(NULL, "nr_cpus", &v));
	assert_false(bootargs_get_u32("nr_cpus=1", "", &v));
	assert_int_equal(v, 7);
	/* A bad later value does not undo a good earlier one. */
	assert_true(bootargs_get_u32("nr_cpus=3 nr_cpus=z", "nr_cpus", &v));
	assert_int_equal(v, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_words_only),
		cmocka_unit_test(test_empty_inputs),
		cmocka_unit_test(test_values),
	};

	return cmocka_run_group_tests_name("guest boot arguments", tests, NULL, NULL);
}
