// SPDX-License-Identifier: MIT
/*
 * Host tests of the guest's GPADL message construction (guest/gpadl.c):
 * header capacity 26 PFNs, body capacity 28, range_buflen covering the
 * range descriptor and every PFN, PFNs in order (facts §5.3).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "guest/gpadl.c"

struct built {
	uint32_t sizes[16];
	uint64_t msgs[16][30];
	unsigned count;
};

static void build_all(uint32_t relid, uint32_t handle, const uint64_t *pfns,
		      uint32_t count, struct built *b)
{
	struct gpadl_writer w;
	uint32_t size;

	memset(b, 0, sizeof(*b));
	gpadl_writer_init(&w, relid, handle, pfns, count);
	while ((size = gpadl_writer_next(&w, b->msgs[b->count])) != 0) {
		assert_true(size <= 240);
		b->sizes[b->count++] = size;
		assert_true(b->count < 16);
	}
	assert_int_equal(w.messages, b->count);
	/* Asking again after the end keeps returning 0. */
	assert_int_equal(gpadl_writer_next(&w, b->msgs[b->count]), 0);
}

static void check_all(uint32_t count)
{
	uint64_t pfns[200];
	struct built b;

	for (uint32_t i = 0; i < count; i++)
		pfns[i] = 0x1000 + i * 3;     /* not contiguous on purpose */
	build_all(7, 0xE1E10, pfns, count, &b);
	assert_int_equal(b.count, gpadl_message_count(count));

	const struct vmbus_msg_gpadl_header *h = (const void *)b.msgs[0];
	const struct vmbus_gpa_range *range = (const void *)(h + 1);

	assert_int_equal(h->hdr.msgtype, VMBUS_MSG_GPADL_HEADER);
	assert_int_equal(h->hdr.padding, 0);
	assert_int_equal(h->child_relid, 7);
	assert_int_equal(h->gpadl, 0xE1E10);
	assert_int_equal(h->rangecount, 1);
	assert_int_equal(h->range_buflen, 8 + 8 * count);
	assert_int_equal(range->byte_count, count * 4096);
	assert_int_equal(range->byte_offset, 0);

	uint32_t in_header = count < 26 ? count : 26;

	assert_int_equal(b.sizes[0], 20 + 8 + 8 * in_header);
	/* Reassemble the PFN stream as the host would. */
	uint64_t got[200];
	uint32_t n = 0;

	for (uint32_t i = 0; i < in_header; i++)
		got[n++] = range->pfn_array[i];
	for (unsigned m = 1; m < b.count; m++) {
		const struct vmbus_msg_gpadl_body *body = (const void *)b.msgs[m];
		uint32_t pfns_here = (b.sizes[m] - 16) / 8;

		assert_int_equal((b.sizes[m] - 16) % 8, 0);
		assert_int_equal(body->hdr.msgtype, VMBUS_MSG_GPADL_BODY);
		assert_int_equal(body->gpadl, 0xE1E10);
		assert_true(pfns_here >= 1 && pfns_here <= 28);
		/* Only the last body may be short. */
		if (m + 1 < b.count)
			assert_int_equal(pfns_here, 28);
		for (uint32_t i = 0; i < pfns_here; i++)
			got[n++] = body->pfn[i];
	}
	assert_int_equal(n, count);
	assert_memory_equal(got, pfns, count * 8);
}

static void test_capacities(void **state)
{
	(void)state;
	assert_int_equal(GPADL_HEADER_PFNS, 26);
	assert_int_equal(GPADL_BODY_PFNS, 28);
	assert_int_equal(gpadl_message_count(1), 1);
	assert_int_equal(gpadl_message_count(26), 1);
	assert_int_equal(gpadl_message_count(27), 2);
	assert_int_equal(gpadl_message_count(54), 2);
	assert_int_equal(gpadl_message_count(55), 3);
	assert_int_equal(gpadl_message_count(60), 3);
	assert_int_equal(gpadl_message_count(128), 5);   /* hyperv_drm's 2 x 256 KiB */
}

static void test_one_page(void **state)
{
	(void)state;
	check_all(1);
}

static void test_ring_sized(void **state)
{
	(void)state;
	check_all(8);      /* the echo ring: 4 + 4 pages */
	check_all(26);     /* exactly a full header */
}

static void test_header_plus_bodies(void **state)
{
	(void)state;
	check_all(27);     /* one PFN spills into a body */
	check_all(54);     /* header + one full body */
	check_all(60);     /* the guest's multi-message GPADL: 26 + 28 + 6 */
	check_all(128);
	check_all(200);
}

static void test_sixty_page_message_sizes(void **state)
{
	(void)state;
	uint64_t pfns[60];
	struct built b;

	for (int i = 0; i < 60; i++)
		pfns[i] = (uint64_t)i;
	build_all(1, 2, pfns, 60, &b);
	assert_int_equal(b.count, 3);
	assert_int_equal(b.sizes[0], 20 + 8 + 26 * 8);   /* 236 */
	assert_int_equal(b.sizes[1], 240);
	assert_int_equal(b.sizes[2], 16 + 6 * 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capacities),
		cmocka_unit_test(test_one_page),
		cmocka_unit_test(test_ring_sized),
		cmocka_unit_test(test_header_plus_bodies),
		cmocka_unit_test(test_sixty_page_message_sizes),
	};

	return cmocka_run_group_tests_name("guest GPADL messages", tests, NULL, NULL);
}
