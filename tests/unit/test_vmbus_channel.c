// SPDX-License-Identifier: MIT
/*
 * VMBus channels: OPENCHANNEL checks, close, GPADL teardown around open
 * channels, MODIFYCHANNEL, rescind and RELID_RELEASED, the doorbell.
 */
#include "tests/unit/test_vmbus_guest.h"

#define HANDLE 0xE1E10u

struct fixture {
	struct tg *tg;
	struct tg_rec_svc rec[2];
	uint64_t pfns[8];
};

/* Two recording services, connected at `version`, offers taken, and an
 * 8-page GPADL for relid 1. */
static struct fixture *fixture_new(uint32_t version)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct vmbus_service s;

	assert_non_null(f);
	f->tg = tg_new();
	for (int i = 0; i < 2; i++) {
		s = tg_rec_service(&f->rec[i], (uint8_t)(i + 1));
		assert_int_equal(vmbus_register_service(f->tg->host, &s), i);
	}
	tg_connect(f->tg, version);
	tg_request_offers(f->tg, 2, NULL);
	for (int i = 0; i < 8; i++)
		f->pfns[i] = tg_alloc_pfn(f->tg);
	assert_int_equal(tg_create_gpadl(f->tg, 1, HANDLE, f->pfns, 8), 0);
	return f;
}

static int setup(void **state)
{
	*state = fixture_new(VMBUS_VERSION(5, 3));
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tg_free(f->tg);
	free(f);
	return 0;
}

static void test_open_and_close(void **state)
{
	struct fixture *f = *state;
	struct tg *tg = f->tg;
	struct vmbus_ring_header *out = (void *)tg_page(tg, f->pfns[0]);
	struct vmbus_ring_header *in = (void *)tg_page(tg, f->pfns[4]);

	out->interrupt_mask = 1;
	assert_int_equal(tg_open(tg, 1, HANDLE, 4, 1), 0);
	assert_int_equal(f->rec[0].opens, 1);
	/* We read the first ring and write the second (facts §6.2). */
	assert_int_equal(out->interrupt_mask, 0);
	assert_int_equal(in->feature_bits & VMBUS_RING_FEAT_PENDING_SEND_SZ, 1);

	/* The doorbell reaches the service. */
	assert_int_equal(tg_signal(tg, 1), HV_STATUS_SUCCESS);
	assert_int_equal(f->rec[0].signals, 1);
	assert_int_equal(vmbus_host_stats(tg->host)->signals_in, 1);

	tg_close(tg, 1);
	tg_expect_nothing(tg);                   /* no answer to a close */
	assert_int_equal(f->rec[0].closes, 1);
	TG_EXPECT_REFUSAL("vmbus.signal-unknown-connection",
		assert_int_equal(tg_signal(tg, 1),
				 HV_STATUS_INVALID_CONNECTION_ID));
	assert_int_equal(f->rec[0].signals, 1);

	/* It may be opened again on the same GPADL. */
	assert_int_equal(tg_open(tg, 1, HANDLE, 4, 0), 0);
	assert_int_equal(f->rec[0].opens, 2);
}

static void test_open_refusals(void **state)
{
	struct fixture *f = *state;
	struct tg *tg = f->tg;
	uint64_t odd[3];

	/* Unknown relid, a GPADL that does not exist or is another relid's. */
	TG_EXPECT_REFUSAL("vmbus.unknown-relid",
		assert_int_equal(tg_open(tg, 3, HANDLE, 4, 0),
				 VMBUS_STATUS_FAILURE));
	TG_EXPECT_REFUSAL("vmbus.unknown-relid",
		assert_int_equal(tg_open(tg, 0, HANDLE, 4, 0),
				 VMBUS_STATUS_FAILURE));
	TG_EXPECT_REFUSAL("vmbus.open-unknown-gpadl",
		assert_int_equal(tg_open(tg, 1, 0x1234, 4, 0),
				 VMBUS_STATUS_FAILURE));
	TG_EXPECT_REFUSAL("vmbus.open-gpadl-wrong-relid",
		assert_int_equal(tg_open(tg, 2, HANDLE, 4, 0),
				 VMBUS_STATUS_FAILURE));
	/* Ring offsets: each ring needs a header and a data page. */
	TG_EXPECT_REFUSAL("vmbus.open-ring-offset-invalid",
		assert_int_equal(tg_open(tg, 1, HANDLE, 1, 0),
				 VMBUS_STATUS_FAILURE));
	TG_EXPECT_REFUSAL("vmbus.open-ring-offset-invalid",
		assert_int_equal(tg_open(tg, 1, HANDLE, 7, 0),
				 VMBUS_STATUS_FAILURE));
	TG_EXPECT_REFUSAL("vmbus.open-ring-offset-invalid",
		assert_int_equal(tg_open(tg, 1, HANDLE, 0xFFFFFFFF, 0),
				 VMBUS_STATUS_FAILURE));
	TG_EXPECT_REFUSAL("vmbus.open-target-vp-out-of-range",
		assert_int_equal(tg_open(tg, 1, HANDLE, 4, TG_NR_VPS),
				 VMBUS_STATUS_FAILURE));
	/* A GPADL that is not one whole-page range cannot hold rings. */
	for (int i = 0; i < 3; i++)
		odd[i] = tg_alloc_pfn(tg);
	tg_send_gpadl_range(tg, 2, 0x77, odd, 3, 16, 3 * TG_PAGE - 16);
	tg_expect(tg, VMBUS_MSG_GPADL_CREATED, (uint8_t[TG_MSG_MAX]){ 0 });
	TG_EXPECT_REFUSAL("vmbus.open-gpadl-not-ring-shaped",
		assert_int_equal(tg_open(tg, 2, 0x77, 2, 0),
				 VMBUS_STATUS_FAILURE));
	assert_int_equal(f->rec[0].opens, 0);
	assert_int_equal(f->rec[1].opens, 0);

	/* Already open: refused, and the open channel is untouched. */
	assert_int_equal(tg_open(tg, 1, HANDLE, 4, 0), 0);
	TG_EXPECT_REFUSAL("vmbus.channel-already-open",
		assert_int_equal(tg_open(tg, 1, HANDLE, 4, 0),
				 VMBUS_STATUS_FAILURE));
	assert_int_equal(f->rec[0].opens, 1);
	assert_int_equal(f->rec[0].closes, 0);
	assert_int_equal(tg_signal(tg, 1), HV_STATUS_SUCCESS);
}

static void test_service_may_refuse_open(void **state)
{
	struct fixture *f = *state;
	struct tg *tg = f->tg;

	f->rec[0].open_status = 0xC0000022;
	assert_int_equal(tg_open(tg, 1, HANDLE, 4, 0), 0xC0000022);
	/* Not open: no signals, and the GPADL may go. */
	TG_EXPECT_REFUSAL("vmbus.signal-unknown-connection", tg_signal(tg, 1));
	tg_teardown(tg, 1, HANDLE);
	tg_expect(tg, VMBUS_MSG_GPADL_TORNDOWN, (uint8_t[TG_MSG_MAX]){ 0 });
}

static void test_close_refusals(void **state)
{
	struct fixture *f = *state;
	struct tg *tg = f->tg;
	struct vmbus_msg_relid c = {
		.hdr.msgtype = VMBUS_MSG_CLOSECHANNEL, .child_relid = 1,
	};

	TG_EXPECT_REFUSAL("vmbus.close-channel-not-open",
		tg_post(tg, &c, sizeof(c)));
	c.child_relid = 99;
	TG_EXPECT_REFUSAL("vmbus.close-channel-not-open",
		tg_post(tg, &c, sizeof(c)));
	assert_int_equal(f->rec[0].closes, 0);
}

static void test_teardown_waits_for_close(void **state)
{
	struct fixture *f = *state;
	struct tg *tg = f->tg;
	struct vmbus_msg_gpadl_torndown t;
	uint8_t buf[TG_MSG_MAX];

	assert_int_equal(tg_open(tg, 1, HANDLE, 4, 0), 0);
	TG_EXPECT_REFUSAL("vmbus.gpadl-in-use", tg_teardown(tg, 1, HANDLE));
	tg_expect_nothing(tg);
	tg_close(tg, 1);
	TG_EXPECT_REFUSAL("vmbus.gpadl-relid-mismatch",
		tg_teardown(tg, 2, HANDLE));
	TG_EXPECT_NO_REFUSAL(tg_teardown(tg, 1, HANDLE));
	assert_int_equal(tg_expect(tg, VMBUS_MSG_GPADL_TORNDOWN, buf),
			 (int)sizeof(t));
	memcpy(&t, buf, sizeof(t));
	assert_int_equal(t.gpadl, HANDLE);
	/* Gone: a second teardown and an open on it are refused. */
	TG_EXPECT_REFUSAL("vmbus.gpadl-teardown-unknown-handle",
		tg_teardown(tg, 1, HANDLE));
	TG_EXPECT_REFUSAL("vmbus.open-unknown-gpadl",
		assert_int_equal(tg_open(tg, 1, HANDLE, 4, 0),
				 VMBUS_STATUS_FAILURE));
}

static void test_modify_channel(void **state)
{
	struct fixture *f = *state;
	struct tg *tg = f->tg;
	struct vmbus_msg_modify_channel m = {
		.hdr.msgtype = VMBUS_MSG_MODIFYCHANNEL, .child_relid = 1,
		.target_vp = 1,
	};
	struct vmbus_msg_modify_channel_response r;
	uint8_t buf[TG_MSG_MAX];

	TG_EXPECT_REFUSAL("vmbus.modify-channel-not-open",
		tg_post(tg, &m, sizeof(m)));
	tg_expect(tg, VMBUS_MSG_MODIFYCHANNEL_RESPONSE, buf);
	memcpy(&r, buf, sizeof(r));
	assert_int_equal(r.status, VMBUS_STATUS_FAILURE);

	assert_int_equal(tg_open(tg, 1, HANDLE, 4, 0), 0);
	m.target_vp = TG_NR_VPS;
	TG_EXPECT_REFUSAL("vmbus.modify-target-vp-out-of-range",
		tg_post(tg, &m, sizeof(m)));
	tg_expect(tg, VMBUS_MSG_MODIFYCHANNEL_RESPONSE, buf);
	memcpy(&r, buf, sizeof(r));
	assert_int_equal(r.status, VMBUS_STATUS_FAILURE);

	m.target_vp = 1;
	TG_EXPECT_NO_REFUSAL(tg_post(tg, &m, sizeof(m)));
	tg_expect(tg, VMBUS_MSG_MODIFYCHANNEL_RESPONSE, buf);
	memcpy(&r, buf, sizeof(r));
	assert_int_equal(r.child_relid, 1);
	assert_int_equal(r.status, 0);
	/* Host->guest interrupts now go to VP 1: a first packet signals. */
	assert_int_equal(vmbus_chan_send(f->rec[0].ch, VMBUS_PKT_DATA_INBAND,
					 0, 1, "x", 1), 0);
	assert_false(tg_take_event(tg, 0, 1));
	assert_true(tg_take_event(tg, 1, 1));
}

static void test_modify_channel_by_version(void **state)
{
	struct fixture *f;
	struct vmbus_msg_modify_channel m = {
		.hdr.msgtype = VMBUS_MSG_MODIFYCHANNEL, .child_relid = 1,
		.target_vp = 1,
	};

	(void)state;
	/* 4.1: allowed, but no response before 5.3 (facts §5.1). */
	f = fixture_new(VMBUS_VERSION(4, 1));
	assert_int_equal(tg_open(f->tg, 1, HANDLE, 4, 0), 0);
	TG_EXPECT_NO_REFUSAL(tg_post(f->tg, &m, sizeof(m)));
	tg_expect_nothing(f->tg);
	teardown((void **)&f);

	/* 4.0: no MODIFYCHANNEL at all. */
	f = fixture_new(VMBUS_VERSION(4, 0));
	assert_int_equal(tg_open(f->tg, 1, HANDLE, 4, 0), 0);
	TG_EXPECT_REFUSAL("vmbus.modify-channel-unsupported",
		tg_post(f->tg, &m, sizeof(m)));
	tg_expect_nothing(f->tg);
	teardown((void **)&f);
}

static void test_rescind_and_release(void **state)
{
	struct fixture *f = *state;
	struct tg *tg = f->tg;
	struct vmbus_msg_relid m, rel = {
		.hdr.msgtype = VMBUS_MSG_RELID_RELEASED, .child_relid = 1,
	};
	struct vmbus_msg_header unload = { .msgtype = VMBUS_MSG_UNLOAD };
	struct vmbus_msg_offer_channel o;
	uint8_t buf[TG_MSG_MAX];

	TG_EXPECT_REFUSAL("vmbus.relid-released-not-rescinded",
		tg_post(tg, &rel, sizeof(rel)));
	assert_int_equal(tg_open(tg, 1, HANDLE, 4, 0), 0);
	assert_int_equal(vmbus_rescind(tg->host, 0), 0);
	assert_int_equal(f->rec[0].closes, 1);
	assert_int_equal(tg_expect(tg, VMBUS_MSG_RESCIND_CHANNELOFFER, buf),
			 (int)sizeof(m));
	memcpy(&m, buf, sizeof(m));
	assert_int_equal(m.child_relid, 1);
	/* Twice is not possible; the other service is untouched. */
	assert_int_equal(vmbus_rescind(tg->host, 0), -1);
	assert_int_equal(vmbus_rescind(tg->host, 5), -1);
	assert_int_equal(vmbus_rescind(tg->host, -1), -1);

	/* Linux closes, tears the ring GPADL down, then releases. */
	TG_EXPECT_NO_REFUSAL(tg_close(tg, 1));
	assert_int_equal(f->rec[0].closes, 1);
	tg_teardown(tg, 1, HANDLE);
	tg_expect(tg, VMBUS_MSG_GPADL_TORNDOWN, buf);
	/* No new GPADL or open for a rescinded relid. */
	TG_EXPECT_REFUSAL("vmbus.unknown-relid",
		assert_int_equal(tg_create_gpadl(tg, 1, 5, f->pfns, 8),
				 VMBUS_STATUS_FAILURE));
	TG_EXPECT_NO_REFUSAL(tg_post(tg, &rel, sizeof(rel)));
	TG_EXPECT_REFUSAL("vmbus.relid-released-not-rescinded",
		tg_post(tg, &rel, sizeof(rel)));

	/* Not offered again on the next connection. */
	tg_post(tg, &unload, sizeof(unload));
	tg_expect(tg, VMBUS_MSG_UNLOAD_RESPONSE, buf);
	tg_connect(tg, VMBUS_VERSION(5, 3));
	tg_request_offers(tg, 1, &o);
	assert_int_equal(o.child_relid, 2);
}

static void test_rescind_before_offer_withdraws(void **state)
{
	struct tg *tg = tg_new();
	struct tg_rec_svc rec = { 0 };
	struct vmbus_service s = tg_rec_service(&rec, 1);

	(void)state;
	assert_int_equal(vmbus_register_service(tg->host, &s), 0);
	assert_int_equal(vmbus_rescind(tg->host, 0), -1);
	tg_connect(tg, VMBUS_VERSION(5, 3));
	tg_request_offers(tg, 0, NULL);
	tg_free(tg);
}

static void test_signal_refusals(void **state)
{
	struct fixture *f = *state;
	struct tg *tg = f->tg;

	assert_int_equal(tg_open(tg, 1, HANDLE, 4, 0), 0);
	TG_EXPECT_REFUSAL("vmbus.signal-unknown-connection",
		assert_int_equal(vmbus_hv_bus_ops.signal_event(tg->host, 0,
				 VMBUS_CHANNEL_CONN_BASE + 1, 1),
				 HV_STATUS_INVALID_CONNECTION_ID));
	TG_EXPECT_REFUSAL("vmbus.signal-unknown-connection",
		assert_int_equal(vmbus_hv_bus_ops.signal_event(tg->host, 0,
				 1, 0), HV_STATUS_INVALID_CONNECTION_ID));
	TG_EXPECT_REFUSAL("vmbus.signal-unknown-connection",
		assert_int_equal(tg_signal(tg, 2),
				 HV_STATUS_INVALID_CONNECTION_ID));
	TG_EXPECT_REFUSAL("vmbus.signal-unknown-connection",
		assert_int_equal(tg_signal(tg, 0),
				 HV_STATUS_INVALID_CONNECTION_ID));
	assert_int_equal(f->rec[0].signals, 0);
	assert_int_equal(f->rec[1].signals, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_and_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_service_may_refuse_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_teardown_waits_for_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modify_channel, setup, teardown),
		cmocka_unit_test(test_modify_channel_by_version),
		cmocka_unit_test_setup_teardown(test_rescind_and_release, setup, teardown),
		cmocka_unit_test(test_rescind_before_offer_withdraws),
		cmocka_unit_test_setup_teardown(test_signal_refusals, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
