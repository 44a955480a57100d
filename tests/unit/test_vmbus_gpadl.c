// SPDX-License-Identifier: MIT
/*
 * GPADLs (facts §5.3): assembly from GPADL_HEADER + GPADL_BODY, every
 * refusal, teardown, limits.
 */
#include "tests/unit/test_vmbus_guest.h"

#include "vmbus/vmbus_internal.h"

struct fixture {
	struct tg *tg;
	struct tg_rec_svc rec;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct vmbus_service s;

	assert_non_null(f);
	f->tg = tg_new();
	s = tg_rec_service(&f->rec, 1);
	assert_int_equal(vmbus_register_service(f->tg->host, &s), 0);
	tg_connect(f->tg, VMBUS_VERSION(5, 3));
	tg_request_offers(f->tg, 1, NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tg_free(f->tg);
	free(f);
	return 0;
}

/* Post a GPADL_HEADER with an arbitrary range stream. */
static void post_header(struct tg *tg, uint32_t relid, uint32_t handle,
			uint16_t buflen, uint16_t rangecount, const void *data,
			uint32_t len)
{
	uint8_t buf[TG_MSG_MAX] = { 0 };
	struct vmbus_msg_gpadl_header h = {
		.hdr.msgtype = VMBUS_MSG_GPADL_HEADER, .child_relid = relid,
		.gpadl = handle, .range_buflen = buflen,
		.rangecount = rangecount,
	};

	assert_true(sizeof(h) + len <= TG_MSG_MAX);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), data, len);
	assert_int_equal(tg_post(tg, buf, (uint32_t)sizeof(h) + len),
			 HV_STATUS_SUCCESS);
}

static void post_body(struct tg *tg, uint32_t handle, const void *data,
		      uint32_t len)
{
	uint8_t buf[TG_MSG_MAX] = { 0 };
	struct vmbus_msg_gpadl_body b = {
		.hdr.msgtype = VMBUS_MSG_GPADL_BODY, .gpadl = handle,
	};

	assert_true(sizeof(b) + len <= TG_MSG_MAX);
	memcpy(buf, &b, sizeof(b));
	memcpy(buf + sizeof(b), data, len);
	assert_int_equal(tg_post(tg, buf, (uint32_t)sizeof(b) + len),
			 HV_STATUS_SUCCESS);
}

static uint32_t expect_created(struct tg *tg, uint32_t relid, uint32_t handle)
{
	struct vmbus_msg_gpadl_created c;
	uint8_t buf[TG_MSG_MAX];

	tg_expect(tg, VMBUS_MSG_GPADL_CREATED, buf);
	memcpy(&c, buf, sizeof(c));
	assert_int_equal(c.child_relid, relid);
	assert_int_equal(c.gpadl, handle);
	return c.creation_status;
}

/* A one-range stream: {byte_count, byte_offset} then the PFNs. */
static uint32_t make_range(uint8_t *out, uint32_t count, uint32_t offset,
			   const uint64_t *pfns, uint32_t n)
{
	memcpy(out, &count, 4);
	memcpy(out + 4, &offset, 4);
	memcpy(out + 8, pfns, n * 8u);
	return 8 + n * 8u;
}

/* ---- assembly --------------------------------------------------------- */

static void test_sixty_pages_across_header_and_bodies(void **state)
{
	struct fixture *f = *state;
	struct tg *tg = f->tg;
	uint64_t pfns[60];
	struct vmbus_gpadl *g;

	/* Discontiguous and out of order, as a guest's free pages are. */
	for (int i = 0; i < 60; i++)
		pfns[i] = TG_FIRST_FREE_PFN + (uint64_t)((i * 37) % 61) * 2;
	/* 26 PFNs in the header, 28 in the first body, 6 in the last. */
	TG_EXPECT_NO_REFUSAL(tg_send_gpadl_range(tg, 1, 0xE1E10, pfns, 60, 0,
						 60 * TG_PAGE));
	assert_int_equal(expect_created(tg, 1, 0xE1E10), 0);
	tg_expect_nothing(tg);
	g = vmbus_gpadl_find(&tg->host->gpadls, 0xE1E10);
	assert_non_null(g);
	assert_true(g->complete);
	assert_int_equal(g->pfn_count, 60);
	assert_int_equal(g->rangecount, 1);
	assert_int_equal(g->ranges[0].byte_count, 60 * TG_PAGE);
	assert_memory_equal(g->pfns, pfns, sizeof(pfns));
}

static void test_no_answer_until_complete(void **state)
{
	struct fixture *f = *state;
	struct tg *tg = f->tg;
	uint64_t pfns[30];
	uint8_t stream[TG_MSG_MAX];
	uint32_t len;

	for (int i = 0; i < 30; i++)
		pfns[i] = TG_FIRST_FREE_PFN + (uint64_t)i;
	/* The header ends in the middle of the PFN list, a body carries
	 * four more and a last one the final PFN. */
	len = make_range(stream, 30 * TG_PAGE, 0, pfns, 25);
	post_header(tg, 1, 9, 8 + 30 * 8, 1, stream, len);
	tg_expect_nothing(tg);
	post_body(tg, 9, pfns + 25, 4 * 8);
	tg_expect_nothing(tg);
	/* A teardown of an unfinished GPADL is refused. */
	TG_EXPECT_REFUSAL("vmbus.gpadl-teardown-unknown-handle",
		tg_teardown(tg, 1, 9));
	post_body(tg, 9, pfns + 29, 8);
	assert_int_equal(expect_created(tg, 1, 9), 0);
}

static void test_two_ranges_and_partial_pages(void **state)
{
	struct fixture *f = *state;
	struct tg *tg = f->tg;
	uint64_t a[2] = { 20, 21 }, b[3] = { 40, 30, 50 };
	uint8_t stream[TG_MSG_MAX];
	uint32_t len;
	struct vmbus_gpadl *g;

	/* 100 bytes from offset 4000: two pages.  8192 from 1: three. */
	len = make_range(stream, 100, 4000, a, 2);
	len += make_range(stream + len, 8192, 1, b, 3);
	TG_EXPECT_NO_REFUSAL(post_header(tg, 1, 3, (uint16_t)len, 2, stream,
					 len));
	assert_int_equal(expect_created(tg, 1, 3), 0);
	g = vmbus_gpadl_find(&tg->host->gpadls, 3);
	assert_int_equal(g->pfn_count, 5);
	assert_int_equal(g->ranges[1].byte_offset, 1);
	assert_int_equal(g->ranges[1].first_pfn, 2);
	assert_int_equal(g->ranges[1].pfn_count, 3);
	assert_int_equal(g->pfns[4], 50);
}

static void test_full_size_messages_may_pad(void **state)
{
	struct fixture *f = *state;
	struct tg *tg = f->tg;
	uint64_t pfns[2] = { 20, 22 };
	uint8_t stream[TG_MSG_MAX] = { 0 };

	/* facts §5.3: some clients always send 240 bytes; range_buflen
	 * decides, the rest is padding. */
	make_range(stream, 2 * TG_PAGE, 0, pfns, 2);
	memset(stream + 24, 0xEE, sizeof(stream) - 24);
	TG_EXPECT_NO_REFUSAL(post_header(tg, 1, 4, 24, 1, stream,
					 TG_MSG_MAX - 20));
	assert_int_equal(expect_created(tg, 1, 4), 0);
}

/* ---- refusals --------------------------------------------------------- */

static void expect_header_refused(struct tg *tg, const char *rule,
				  uint32_t relid, uint16_t buflen,
				  uint16_t rangecount, const void *data,
				  uint32_t len)
{
	TG_EXPECT_REFUSAL(rule, post_header(tg, relid, 0x500, buflen,
					    rangecount, data, len));
	assert_int_equal(expect_created(tg, relid, 0x500),
			 VMBUS_STATUS_FAILURE);
	/* Nothing kept: the handle is free. */
	assert_null(vmbus_gpadl_find(&tg->host->gpadls, 0x500));
}

static void test_header_refusals(void **state)
{
	struct fixture *f = *state;
	struct tg *tg = f->tg;
	uint64_t ok[3] = { 20, 21, 22 };
	uint64_t not_ram[2] = { 20, TG_RAM_SIZE / TG_PAGE };
	uint64_t huge[1] = { 1ull << 60 };
	uint8_t s[TG_MSG_MAX];
	uint32_t n;

	n = make_range(s, TG_PAGE, 0, ok, 1);
	expect_header_refused(tg, "vmbus.unknown-relid", 2, 16, 1, s, n);
	expect_header_refused(tg, "vmbus.unknown-relid", 0, 16, 1, s, n);
	expect_header_refused(tg, "vmbus.gpadl-buflen-invalid", 1, 20, 1, s, n);
	expect_header_refused(tg, "vmbus.gpadl-buflen-invalid", 1, 8, 1, s, 8);
	expect_header_refused(tg, "vmbus.gpadl-rangecount-invalid", 1, 16, 0,
			      s, n);
	expect_header_refused(tg, "vmbus.gpadl-rangecount-invalid", 1, 32, 3,
			      s, n);
	/* 4097 pages announced: more than VMBUS_GPADL_MAX_PAGES. */
	expect_header_refused(tg, "vmbus.gpadl-too-large", 1,
			      (uint16_t)(8 + 8 * (VMBUS_GPADL_MAX_PAGES + 1)),
			      1, s, n);

	n = make_range(s, TG_PAGE, TG_PAGE, ok, 2);
	expect_header_refused(tg, "vmbus.gpadl-range-offset-invalid", 1,
			      (uint16_t)n, 1, s, n);
	n = make_range(s, 0, 0, ok, 1);
	expect_header_refused(tg, "vmbus.gpadl-range-empty", 1, (uint16_t)n, 1,
			      s, n);
	/* byte_count says 2 pages, the stream holds 3 PFNs, or the reverse. */
	n = make_range(s, 2 * TG_PAGE, 0, ok, 3);
	expect_header_refused(tg, "vmbus.gpadl-range-trailing-data", 1,
			      (uint16_t)n, 1, s, n);
	n = make_range(s, 2 * TG_PAGE + 1, 0, ok, 2);
	expect_header_refused(tg, "vmbus.gpadl-range-truncated", 1,
			      (uint16_t)n, 1, s, n);
	/* Two ranges announced, the first eats the whole stream. */
	n = make_range(s, 3 * TG_PAGE, 0, ok, 3);
	expect_header_refused(tg, "vmbus.gpadl-range-truncated", 1,
			      (uint16_t)n, 2, s, n);
	/* Pages outside guest RAM, and a PFN whose address overflows. */
	n = make_range(s, 2 * TG_PAGE, 0, not_ram, 2);
	expect_header_refused(tg, "vmbus.gpadl-pfn-not-ram", 1, (uint16_t)n,
			      1, s, n);
	n = make_range(s, TG_PAGE, 0, huge, 1);
	expect_header_refused(tg, "vmbus.gpadl-pfn-not-ram", 1, (uint16_t)n,
			      1, s, n);
	/* More data than announced in a message that is not full-size. */
	n = make_range(s, TG_PAGE, 0, ok, 2);
	expect_header_refused(tg, "vmbus.gpadl-data-beyond-announced", 1, 16,
			      1, s, n);
}

static void test_handle_reuse(void **state)
{
	struct fixture *f = *state;
	struct tg *tg = f->tg;
	uint64_t pfns[40];
	uint8_t s[TG_MSG_MAX];
	uint32_t n;

	for (int i = 0; i < 40; i++)
		pfns[i] = tg_alloc_pfn(tg);
	/* While the first is still being assembled... */
	n = make_range(s, 40 * TG_PAGE, 0, pfns, 26);
	post_header(tg, 1, 0x42, 8 + 40 * 8, 1, s, n);
	TG_EXPECT_REFUSAL("vmbus.gpadl-handle-reused",
		post_header(tg, 1, 0x42, 8 + 40 * 8, 1, s, n));
	assert_int_equal(expect_created(tg, 1, 0x42), VMBUS_STATUS_FAILURE);
	/* ...it is unharmed and completes. */
	post_body(tg, 0x42, pfns + 26, 14 * 8);
	assert_int_equal(expect_created(tg, 1, 0x42), 0);
	/* And once created. */
	TG_EXPECT_REFUSAL("vmbus.gpadl-handle-reused",
		assert_int_equal(tg_create_gpadl(tg, 1, 0x42, pfns, 4),
				 VMBUS_STATUS_FAILURE));
	assert_int_equal(tg_open(tg, 1, 0x42, 20, 0), 0);
}

static void test_body_refusals(void **state)
{
	struct fixture *f = *state;
	struct tg *tg = f->tg;
	uint64_t pfns[30];
	uint8_t s[TG_MSG_MAX];
	uint32_t n;

	for (int i = 0; i < 30; i++)
		pfns[i] = TG_FIRST_FREE_PFN + (uint64_t)i;
	TG_EXPECT_REFUSAL("vmbus.gpadl-body-unknown-handle",
		post_body(tg, 0x99, pfns, 8));
	tg_expect_nothing(tg);

	/* Complete GPADL: more data is refused, the GPADL stays. */
	assert_int_equal(tg_create_gpadl(tg, 1, 1, pfns, 2), 0);
	TG_EXPECT_REFUSAL("vmbus.gpadl-data-beyond-announced",
		post_body(tg, 1, pfns, 8));
	tg_expect_nothing(tg);
	assert_non_null(vmbus_gpadl_find(&tg->host->gpadls, 1));

	/* A body with more PFNs than announced fails the GPADL. */
	n = make_range(s, 27 * TG_PAGE, 0, pfns, 26);
	post_header(tg, 1, 2, 8 + 27 * 8, 1, s, n);
	TG_EXPECT_REFUSAL("vmbus.gpadl-data-beyond-announced",
		post_body(tg, 2, pfns + 26, 2 * 8));
	assert_int_equal(expect_created(tg, 1, 2), VMBUS_STATUS_FAILURE);
	assert_null(vmbus_gpadl_find(&tg->host->gpadls, 2));
	TG_EXPECT_REFUSAL("vmbus.gpadl-body-unknown-handle",
		post_body(tg, 2, pfns, 8));

	/* A bad PFN arriving in a body fails the GPADL at completion. */
	n = make_range(s, 27 * TG_PAGE, 0, pfns, 26);
	post_header(tg, 1, 3, 8 + 27 * 8, 1, s, n);
	pfns[0] = 0xFFFFFF;
	TG_EXPECT_REFUSAL("vmbus.gpadl-pfn-not-ram", post_body(tg, 3, pfns, 8));
	assert_int_equal(expect_created(tg, 1, 3), VMBUS_STATUS_FAILURE);
}

static void test_limit_per_connection(void **state)
{
	struct fixture *f = *state;
	struct tg *tg = f->tg;
	uint64_t pfn = 20;
	uint8_t buf[TG_MSG_MAX];

	for (uint32_t h = 1; h <= VMBUS_GPADL_MAX_PER_CONN; h++)
		assert_int_equal(tg_create_gpadl(tg, 1, h, &pfn, 1), 0);
	TG_EXPECT_REFUSAL("vmbus.gpadl-limit",
		assert_int_equal(tg_create_gpadl(tg, 1, 0x1000, &pfn, 1),
				 VMBUS_STATUS_FAILURE));
	/* Tearing down makes room. */
	tg_teardown(tg, 1, 7);
	tg_expect(tg, VMBUS_MSG_GPADL_TORNDOWN, buf);
	tg_teardown(tg, 1, 8);
	tg_expect(tg, VMBUS_MSG_GPADL_TORNDOWN, buf);
	assert_int_equal(tg_create_gpadl(tg, 1, 0x1000, &pfn, 1), 0);
	/* UNLOAD drops them all, half-built ones included. */
	TG_EXPECT_NO_REFUSAL(post_header(tg, 1, 0x2000, 8 + 30 * 8, 1, buf,
					 16));
	tg_expect_nothing(tg);
	tg_post(tg, &(struct vmbus_msg_header){ .msgtype = VMBUS_MSG_UNLOAD },
		sizeof(struct vmbus_msg_header));
	tg_expect(tg, VMBUS_MSG_UNLOAD_RESPONSE, buf);
	assert_null(tg->host->gpadls.head);
	assert_int_equal(tg->host->gpadls.count, 0);
}

static void test_gpadl_needs_connection(void **state)
{
	struct tg *tg = tg_new();
	uint64_t pfn = 20;

	(void)state;
	TG_EXPECT_REFUSAL("vmbus.not-connected",
		tg_send_gpadl_range(tg, 1, 1, &pfn, 1, 0, TG_PAGE));
	tg_expect_nothing(tg);
	tg_free(tg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sixty_pages_across_header_and_bodies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_answer_until_complete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_ranges_and_partial_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_size_messages_may_pad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handle_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_body_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit_per_connection, setup, teardown),
		cmocka_unit_test(test_gpadl_needs_connection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
