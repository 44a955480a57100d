// SPDX-License-Identifier: MIT
/* guest_mem: the one GPA -> host pointer translation refuses every byte
 * outside a single RAM bank, including wrap-around at 2^64. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "vmm/guest_mem.h"

#define BANK0_GPA  0x0ull
#define BANK0_SIZE 0x10000ull
/* Bank 1 starts right where bank 0 ends, to prove that a range spanning
 * two GPA-adjacent banks is still refused (they are separate mappings). */
#define BANK1_GPA  0x10000ull
#define BANK1_SIZE 0x8000ull
/* Bank at the very top of the address space, for wrap-around cases. */
#define TOP_SIZE   0x1000ull
#define TOP_GPA    (0ull - TOP_SIZE)

struct fixture {
	struct guest_mem gm;
	uint8_t *b0, *b1;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->b0 = calloc(1, BANK0_SIZE);
	f->b1 = calloc(1, BANK1_SIZE);
	assert_non_null(f->b0);
	assert_non_null(f->b1);
	f->gm.bank[0] = (struct guest_mem_bank){ BANK0_GPA, BANK0_SIZE, f->b0 };
	f->gm.bank[1] = (struct guest_mem_bank){ BANK1_GPA, BANK1_SIZE, f->b1 };
	f->gm.nr_banks = 2;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->b0);
	free(f->b1);
	free(f);
	return 0;
}

static void inside_a_bank_maps_to_its_host_bytes(void **state)
{
	struct fixture *f = *state;

	assert_ptr_equal(guest_mem_ptr(&f->gm, 0, 1), f->b0);
	assert_ptr_equal(guest_mem_ptr(&f->gm, 0x1234, 16), f->b0 + 0x1234);
	assert_ptr_equal(guest_mem_ptr(&f->gm, 0, BANK0_SIZE), f->b0);
	assert_ptr_equal(guest_mem_ptr(&f->gm, BANK1_GPA + 8, 8), f->b1 + 8);
	/* Last byte of each bank. */
	assert_ptr_equal(guest_mem_ptr(&f->gm, BANK0_SIZE - 1, 1),
			 f->b0 + BANK0_SIZE - 1);
	assert_ptr_equal(guest_mem_ptr(&f->gm, BANK1_GPA + BANK1_SIZE - 1, 1),
			 f->b1 + BANK1_SIZE - 1);
	assert_true(guest_mem_is_ram(&f->gm, 0x100, 0x100));
}

static void zero_length_is_refused(void **state)
{
	struct fixture *f = *state;

	assert_null(guest_mem_ptr(&f->gm, 0x100, 0));
	assert_false(guest_mem_is_ram(&f->gm, 0x100, 0));
}

static void straddling_a_bank_end_is_refused(void **state)
{
	struct fixture *f = *state;
	uint64_t end1 = BANK1_GPA + BANK1_SIZE;

	assert_null(guest_mem_ptr(&f->gm, end1 - 4, 8));
	assert_null(guest_mem_ptr(&f->gm, end1, 1));
	assert_null(guest_mem_ptr(&f->gm, 0, BANK0_SIZE + BANK1_SIZE + 1));
}

static void straddling_two_banks_is_refused(void **state)
{
	struct fixture *f = *state;

	/* Contiguous in GPA, but not in host memory. */
	assert_null(guest_mem_ptr(&f->gm, BANK0_SIZE - 4, 8));
	assert_null(guest_mem_ptr(&f->gm, 0, BANK0_SIZE + 1));
}

static void gap_between_banks_is_refused(void **state)
{
	struct fixture *f = *state;
	struct guest_mem gm = f->gm;

	/* Move bank 1 up to leave a hole. */
	gm.bank[1].gpa = 0x100000;
	assert_null(guest_mem_ptr(&gm, 0x20000, 1));
	assert_null(guest_mem_ptr(&gm, 0x0ffff, 2));
	assert_null(guest_mem_ptr(&gm, 0xfffff, 2));
	assert_ptr_equal(guest_mem_ptr(&gm, 0x100000, 1), f->b1);
}

static void length_larger_than_bank_is_refused(void **state)
{
	struct fixture *f = *state;

	assert_null(guest_mem_ptr(&f->gm, 0, BANK0_SIZE * 4));
	assert_null(guest_mem_ptr(&f->gm, 0, UINT64_MAX));
	assert_null(guest_mem_ptr(&f->gm, 1, UINT64_MAX));
}

static void wrap_around_at_2_pow_64_is_refused(void **state)
{
	struct fixture *f = *state;
	uint8_t *top = calloc(1, TOP_SIZE);
	struct guest_mem gm = { .nr_banks = 1 };

	(void)f;
	assert_non_null(top);
	gm.bank[0] = (struct guest_mem_bank){ TOP_GPA, TOP_SIZE, top };

	assert_ptr_equal(guest_mem_ptr(&gm, UINT64_MAX, 1), top + TOP_SIZE - 1);
	assert_ptr_equal(guest_mem_ptr(&gm, TOP_GPA, TOP_SIZE), top);
	/* gpa + len wraps to a small number: must not look "inside". */
	assert_null(guest_mem_ptr(&gm, UINT64_MAX, 2));
	assert_null(guest_mem_ptr(&gm, TOP_GPA, TOP_SIZE + 1));
	assert_null(guest_mem_ptr(&gm, UINT64_MAX - 8, 0x20));
	free(top);

	/* In the fixture banks, a wrapping length from a high GPA. */
	assert_null(guest_mem_ptr(&f->gm, UINT64_MAX - 1, 0x10));
}

static void bad_tables_are_refused(void **state)
{
	struct fixture *f = *state;
	struct guest_mem gm = f->gm;

	assert_null(guest_mem_ptr(NULL, 0, 1));
	gm.nr_banks = 0;
	assert_null(guest_mem_ptr(&gm, 0, 1));
	/* A bank count beyond the array is clamped, not followed. */
	gm = f->gm;
	gm.nr_banks = 1000;
	assert_ptr_equal(guest_mem_ptr(&gm, 0, 1), f->b0);
	/* A bank with no mapping is never used. */
	gm = f->gm;
	gm.bank[0].host = NULL;
	assert_null(guest_mem_ptr(&gm, 0, 1));
}

static void read_and_write_copy_inside_ram(void **state)
{
	struct fixture *f = *state;
	const char msg[] = "hello, guest";
	char back[sizeof(msg)];

	assert_int_equal(guest_mem_write(&f->gm, 0x2000, msg, sizeof(msg)), 0);
	assert_memory_equal(f->b0 + 0x2000, msg, sizeof(msg));
	memset(back, 0, sizeof(back));
	assert_int_equal(guest_mem_read(&f->gm, 0x2000, back, sizeof(back)), 0);
	assert_memory_equal(back, msg, sizeof(msg));

	assert_int_equal(guest_mem_write(&f->gm, BANK1_GPA, msg, 4), 0);
	assert_memory_equal(f->b1, msg, 4);
}

static void read_and_write_refused_leave_memory_alone(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[16];

	memset(buf, 0xAA, sizeof(buf));
	/* Straddles banks 0 and 1: nothing is written to either. */
	assert_int_equal(guest_mem_write(&f->gm, BANK0_SIZE - 8, buf,
					 sizeof(buf)), -1);
	assert_int_equal(f->b0[BANK0_SIZE - 1], 0);
	assert_int_equal(f->b1[0], 0);

	memset(buf, 0x55, sizeof(buf));
	assert_int_equal(guest_mem_read(&f->gm, 0x40000, buf, sizeof(buf)), -1);
	assert_int_equal(buf[0], 0x55);
	assert_int_equal(guest_mem_read(&f->gm, 0, buf, 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(inside_a_bank_maps_to_its_host_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(zero_length_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(straddling_a_bank_end_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(straddling_two_banks_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(gap_between_banks_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(length_larger_than_bank_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(wrap_around_at_2_pow_64_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_tables_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(read_and_write_copy_inside_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(read_and_write_refused_leave_memory_alone, setup, teardown),
	};

	return cmocka_run_group_tests_name("guest_mem", tests, NULL, NULL);
}
