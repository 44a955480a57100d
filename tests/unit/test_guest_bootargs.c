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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_words_only),
		cmocka_unit_test(test_empty_inputs),
	};

	return cmocka_run_group_tests_name("guest boot arguments", tests, NULL, NULL);
}
