// SPDX-License-Identifier: MIT
/*
 * VMBus control plane: version negotiation, connection ids, offers,
 * minimum message sizes, message types, unload.
 */
#include "tests/unit/test_vmbus_guest.h"

static int setup(void **state)
{
	*state = tg_new();
	return 0;
}

static int teardown(void **state)
{
	tg_free(*state);
	return 0;
}

static void unload(struct tg *tg)
{
	struct vmbus_msg_header u = { .msgtype = VMBUS_MSG_UNLOAD };
	uint8_t buf[TG_MSG_MAX];

	assert_int_equal(tg_post(tg, &u, sizeof(u)), HV_STATUS_SUCCESS);
	assert_int_equal(tg_expect(tg, VMBUS_MSG_UNLOAD_RESPONSE, buf),
			 (int)sizeof(u));
	assert_false(vmbus_host_connected(tg->host));
}

/* ---- versions --------------------------------------------------------- */

static void test_each_served_version_is_accepted(void **state)
{
	static const uint32_t versions[] = {
		VMBUS_VERSION(3, 0), VMBUS_VERSION(4, 0), VMBUS_VERSION(4, 1),
		VMBUS_VERSION(5, 0), VMBUS_VERSION(5, 1), VMBUS_VERSION(5, 2),
		VMBUS_VERSION(5, 3),
	};
	struct tg *tg = *state;

	for (unsigned i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		struct vmbus_msg_version_response r;

		TG_EXPECT_NO_REFUSAL(r = tg_initiate(tg, versions[i]));
		assert_int_equal(r.version_supported, 1);
		assert_int_equal(r.connection_state, 0);
		/* facts §5.3: >= 5.0 gets the message connection id 1. */
		if (versions[i] >= VMBUS_VERSION(5, 0))
			assert_int_equal(r.msg_conn_id, 1);
		assert_true(vmbus_host_connected(tg->host));
		unload(tg);
	}
}

static void test_unserved_versions_get_supported_zero(void **state)
{
	static const uint32_t versions[] = {
		0x0000000D, VMBUS_VERSION(1, 1), VMBUS_VERSION(2, 4),
		VMBUS_VERSION(3, 1), VMBUS_VERSION(5, 4), VMBUS_VERSION(6, 0),
		0, 0xFFFFFFFF,
	};
	struct tg *tg = *state;

	for (unsigned i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		struct vmbus_msg_version_response r = tg_initiate(tg, versions[i]);

		assert_int_equal(r.version_supported, 0);
		assert_false(vmbus_host_connected(tg->host));
	}
	/* Walking down like Linux ends at a served version. */
	tg_connect(tg, VMBUS_VERSION(5, 3));
}

static void test_version_on_wrong_connection_is_refused(void **state)
{
	struct tg *tg = *state;
	struct vmbus_msg_initiate_contact m = tg_initiate_msg(VMBUS_VERSION(5, 0));
	uint8_t buf[TG_MSG_MAX];
	struct vmbus_msg_version_response r;

	/* >= 5.0 must use connection 4 (facts §5.4). */
	TG_EXPECT_REFUSAL("vmbus.initiate-wrong-connection-id",
		assert_int_equal(tg_post_conn(tg, 1, &m, sizeof(m)),
				 HV_STATUS_SUCCESS));
	tg_expect(tg, VMBUS_MSG_VERSION_RESPONSE, buf);
	memcpy(&r, buf, sizeof(r));
	assert_int_equal(r.version_supported, 0);

	/* < 5.0 must use connection 1. */
	m = tg_initiate_msg(VMBUS_VERSION(4, 1));
	TG_EXPECT_REFUSAL("vmbus.initiate-wrong-connection-id",
		tg_post_conn(tg, 4, &m, sizeof(m)));
	tg_expect(tg, VMBUS_MSG_VERSION_RESPONSE, buf);
	memcpy(&r, buf, sizeof(r));
	assert_int_equal(r.version_supported, 0);
	assert_false(vmbus_host_connected(tg->host));

	/* Any other connection id is unknown to the hypervisor. */
	m = tg_initiate_msg(VMBUS_VERSION(5, 3));
	TG_EXPECT_REFUSAL("vmbus.unknown-connection-id",
		assert_int_equal(tg_post_conn(tg, 7, &m, sizeof(m)),
				 HV_STATUS_INVALID_CONNECTION_ID));
	tg_expect_nothing(tg);
}

static void test_initiate_contact_field_checks(void **state)
{
	struct tg *tg = *state;
	struct vmbus_msg_initiate_contact m;
	struct vmbus_msg_version_response r;
	uint8_t buf[TG_MSG_MAX];

	m = tg_initiate_msg(VMBUS_VERSION(5, 3));
	m.target_vcpu = TG_NR_VPS;
	TG_EXPECT_REFUSAL("vmbus.target-vcpu-out-of-range",
		tg_post_conn(tg, 4, &m, sizeof(m)));
	tg_expect(tg, VMBUS_MSG_VERSION_RESPONSE, buf);
	memcpy(&r, buf, sizeof(r));
	assert_int_equal(r.version_supported, 0);

	m = tg_initiate_msg(VMBUS_VERSION(5, 3));
	m.msg_sint = 16;
	TG_EXPECT_REFUSAL("vmbus.msg-sint-out-of-range",
		tg_post_conn(tg, 4, &m, sizeof(m)));
	tg_expect(tg, VMBUS_MSG_VERSION_RESPONSE, buf);
	memcpy(&r, buf, sizeof(r));
	assert_int_equal(r.version_supported, 0);

	m = tg_initiate_msg(VMBUS_VERSION(4, 0));
	m.monitor_page1 = 0x5000;
	TG_EXPECT_REFUSAL("vmbus.monitor-pages-mismatched",
		tg_post_conn(tg, 1, &m, sizeof(m)));
	tg_expect(tg, VMBUS_MSG_VERSION_RESPONSE, buf);
	memcpy(&r, buf, sizeof(r));
	assert_int_equal(r.version_supported, 0);
	assert_false(vmbus_host_connected(tg->host));

	/* Both monitor pages set is accepted (and never touched). */
	m.monitor_page2 = 0x6000;
	memset(tg_page(tg, 5), 0x5a, TG_PAGE);
	TG_EXPECT_NO_REFUSAL(tg_post_conn(tg, 1, &m, sizeof(m)));
	tg_expect(tg, VMBUS_MSG_VERSION_RESPONSE, buf);
	memcpy(&r, buf, sizeof(r));
	assert_int_equal(r.version_supported, 1);
	for (unsigned i = 0; i < TG_PAGE; i++)
		assert_int_equal(tg_page(tg, 5)[i], 0x5a);
}

static void test_msg_sint_and_target_vcpu_route_replies(void **state)
{
	struct tg *tg = *state;
	struct vmbus_msg_initiate_contact m = tg_initiate_msg(VMBUS_VERSION(5, 2));
	struct vmbus_msg_header ro = { .msgtype = VMBUS_MSG_REQUESTOFFERS };
	uint8_t buf[TG_MSG_MAX];

	tg_enable_sint(tg, 1, 5);
	m.target_vcpu = 1;
	m.msg_sint = 5;
	assert_int_equal(tg_post_conn(tg, 4, &m, sizeof(m)), HV_STATUS_SUCCESS);
	assert_int_equal(tg_recv(tg, buf), -1);       /* not VP 0 SINT 2 */
	assert_int_equal(tg_recv_on(tg, 1, 5, buf), 16);
	assert_int_equal(((struct vmbus_msg_header *)(void *)buf)->msgtype,
			 VMBUS_MSG_VERSION_RESPONSE);
	assert_int_equal(buf[8], 1);
	/* Later messages follow the connection. */
	assert_int_equal(tg_post(tg, &ro, sizeof(ro)), HV_STATUS_SUCCESS);
	assert_int_equal(tg_recv_on(tg, 1, 5, buf), 8);
	assert_int_equal(((struct vmbus_msg_header *)(void *)buf)->msgtype,
			 VMBUS_MSG_ALLOFFERS_DELIVERED);
}

static void test_second_initiate_contact_is_refused(void **state)
{
	struct tg *tg = *state;
	struct tg_rec_svc rec = { 0 };
	struct vmbus_service svc = tg_rec_service(&rec, 1);
	struct vmbus_msg_version_response r;

	assert_int_equal(vmbus_register_service(tg->host, &svc), 0);
	tg_connect(tg, VMBUS_VERSION(5, 3));
	TG_EXPECT_REFUSAL("vmbus.initiate-while-connected",
		r = tg_initiate(tg, VMBUS_VERSION(5, 3)));
	assert_int_equal(r.version_supported, 0);
	/* The first connection is intact. */
	assert_true(vmbus_host_connected(tg->host));
	assert_int_equal(rec.resets, 0);
	tg_request_offers(tg, 1, NULL);
}

static void test_messages_before_connection_are_refused(void **state)
{
	struct tg *tg = *state;
	struct vmbus_msg_header ro = { .msgtype = VMBUS_MSG_REQUESTOFFERS };
	struct vmbus_msg_header u = { .msgtype = VMBUS_MSG_UNLOAD };

	TG_EXPECT_REFUSAL("vmbus.not-connected",
		assert_int_equal(tg_post(tg, &ro, sizeof(ro)),
				 HV_STATUS_SUCCESS));
	TG_EXPECT_REFUSAL("vmbus.not-connected", tg_post(tg, &u, sizeof(u)));
	tg_expect_nothing(tg);
}

/* ---- offers ----------------------------------------------------------- */

static void test_offers_in_registration_order(void **state)
{
	struct tg *tg = *state;
	struct tg_rec_svc rec1 = { 0 }, rec2 = { 0 };
	struct vmbus_service echo = tg_echo_service();
	struct vmbus_service s1 = tg_rec_service(&rec1, 7);
	struct vmbus_service s2 = tg_rec_service(&rec2, 8);
	struct vmbus_msg_offer_channel o[3];
	const struct vmbus_service *svcs[3] = { &echo, &s1, &s2 };
	struct vmbus_msg_header ro = { .msgtype = VMBUS_MSG_REQUESTOFFERS };

	assert_int_equal(vmbus_register_service(tg->host, &echo), 0);
	assert_int_equal(vmbus_register_service(tg->host, &s1), 1);
	assert_int_equal(vmbus_register_service(tg->host, &s2), 2);
	tg_connect(tg, VMBUS_VERSION(5, 3));
	tg_request_offers(tg, 3, o);
	for (unsigned i = 0; i < 3; i++) {
		assert_memory_equal(o[i].if_type.b, svcs[i]->class_id.b, 16);
		assert_memory_equal(o[i].if_instance.b, svcs[i]->instance_id.b,
				    16);
		assert_int_equal(o[i].mmio_megabytes, svcs[i]->mmio_megabytes);
		assert_int_equal(o[i].child_relid, i + 1);
		assert_int_equal(o[i].connection_id,
				 VMBUS_CHANNEL_CONN_BASE + i + 1);
		assert_int_equal(o[i].monitor_allocated, 0);
		assert_int_equal(o[i].is_dedicated_interrupt, 1);
		assert_int_equal(o[i].sub_channel_index, 0);
	}
	/* A repeat is refused and answered by nothing. */
	TG_EXPECT_REFUSAL("vmbus.requestoffers-repeated",
		tg_post(tg, &ro, sizeof(ro)));
	tg_expect_nothing(tg);
}

static void test_hot_added_service_is_offered_at_once(void **state)
{
	struct tg *tg = *state;
	struct tg_rec_svc rec = { 0 };
	struct vmbus_service s = tg_rec_service(&rec, 3);
	struct vmbus_msg_offer_channel o;
	uint8_t buf[TG_MSG_MAX];

	tg_connect(tg, VMBUS_VERSION(5, 3));
	tg_request_offers(tg, 0, NULL);
	assert_int_equal(vmbus_register_service(tg->host, &s), 0);
	tg_expect(tg, VMBUS_MSG_OFFERCHANNEL, buf);
	memcpy(&o, buf, sizeof(o));
	assert_int_equal(o.child_relid, 1);
	assert_int_equal(o.mmio_megabytes, 3);
}

static void test_register_service_limits(void **state)
{
	struct tg *tg = *state;
	struct tg_rec_svc rec = { 0 };
	struct vmbus_service s = tg_rec_service(&rec, 1);
	struct vmbus_service_ops no_signal = tg_rec_ops;
	struct vmbus_service bad = s;

	no_signal.signal = NULL;
	bad.ops = &no_signal;
	assert_int_equal(vmbus_register_service(tg->host, &bad), -1);
	assert_int_equal(vmbus_register_service(tg->host, NULL), -1);
	for (int i = 0; i < VMBUS_HOST_MAX_SERVICES; i++)
		assert_int_equal(vmbus_register_service(tg->host, &s), i);
	assert_int_equal(vmbus_register_service(tg->host, &s), -1);
}

/* ---- message validation ----------------------------------------------- */

static void test_each_type_truncated_by_one_byte_is_refused(void **state)
{
	static const struct { uint32_t type, size; } types[] = {
		{ VMBUS_MSG_INITIATE_CONTACT, 40 },
		{ VMBUS_MSG_REQUESTOFFERS, 8 },
		{ VMBUS_MSG_OPENCHANNEL, 148 },
		{ VMBUS_MSG_CLOSECHANNEL, 12 },
		{ VMBUS_MSG_GPADL_HEADER, 20 },
		{ VMBUS_MSG_GPADL_BODY, 16 },
		{ VMBUS_MSG_GPADL_TEARDOWN, 16 },
		{ VMBUS_MSG_RELID_RELEASED, 12 },
		{ VMBUS_MSG_UNLOAD, 8 },
		{ VMBUS_MSG_MODIFYCHANNEL, 16 },
	};
	struct tg *tg = *state;
	uint8_t buf[TG_MSG_MAX];

	tg_connect(tg, VMBUS_VERSION(5, 3));
	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		memset(buf, 0, sizeof(buf));
		memcpy(buf, &types[i].type, 4);
		TG_EXPECT_REFUSAL("vmbus.msg-truncated",
			assert_int_equal(tg_post(tg, buf, types[i].size - 1),
					 HV_STATUS_SUCCESS));
		tg_expect_nothing(tg);
	}
	/* Nothing was acted on: still connected, offers still to come. */
	assert_true(vmbus_host_connected(tg->host));
	tg_request_offers(tg, 0, NULL);
}

static void test_unknown_and_host_only_types_are_refused(void **state)
{
	static const uint32_t types[] = {
		VMBUS_MSG_INVALID, VMBUS_MSG_OFFERCHANNEL,
		VMBUS_MSG_VERSION_RESPONSE, VMBUS_MSG_GPADL_CREATED, 18, 21,
		VMBUS_MSG_MODIFYCHANNEL_RESPONSE, VMBUS_MSG_COUNT, 0xFFFFFFFF,
	};
	struct tg *tg = *state;
	uint8_t buf[TG_MSG_MAX] = { 0 };

	tg_connect(tg, VMBUS_VERSION(5, 3));
	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		memcpy(buf, &types[i], 4);
		TG_EXPECT_REFUSAL("vmbus.msgtype-not-served",
			assert_int_equal(tg_post(tg, buf, 240),
					 HV_STATUS_SUCCESS));
		tg_expect_nothing(tg);
	}
}

static void test_envelope_checks(void **state)
{
	struct tg *tg = *state;
	struct vmbus_msg_header ro = { .msgtype = VMBUS_MSG_REQUESTOFFERS };

	tg_connect(tg, VMBUS_VERSION(5, 3));
	TG_EXPECT_REFUSAL("vmbus.msg-truncated", tg_post(tg, &ro, 0));
	TG_EXPECT_REFUSAL("vmbus.msg-too-long",
		vmbus_hv_bus_ops.post_message(tg->host, 0, 1,
					      HV_MESSAGE_TYPE_VMBUS, &ro, 241));
	TG_EXPECT_REFUSAL("vmbus.msg-type-not-vmbus",
		vmbus_hv_bus_ops.post_message(tg->host, 0, 1, 2, &ro,
					      sizeof(ro)));
	/* Connection 4 carries INITIATE_CONTACT only. */
	TG_EXPECT_REFUSAL("vmbus.wrong-connection-id",
		assert_int_equal(tg_post_conn(tg, 4, &ro, sizeof(ro)),
				 HV_STATUS_INVALID_CONNECTION_ID));
	tg_expect_nothing(tg);
	/* After all that, the real thing works. */
	tg_request_offers(tg, 0, NULL);
	assert_true(vmbus_host_stats(tg->host)->msgs_in >= 6);
}

/* ---- unload ----------------------------------------------------------- */

static void test_unload_resets_services_and_allows_reconnect(void **state)
{
	struct tg *tg = *state;
	struct tg_rec_svc rec = { 0 };
	struct vmbus_service s = tg_rec_service(&rec, 1);
	uint64_t pfns[4];

	assert_int_equal(vmbus_register_service(tg->host, &s), 0);
	tg_connect(tg, VMBUS_VERSION(5, 3));
	tg_request_offers(tg, 1, NULL);
	for (int i = 0; i < 4; i++)
		pfns[i] = tg_alloc_pfn(tg);
	assert_int_equal(tg_create_gpadl(tg, 1, 0xE1E10, pfns, 4), 0);
	assert_int_equal(tg_open(tg, 1, 0xE1E10, 2, 0), 0);
	assert_int_equal(rec.opens, 1);

	unload(tg);
	assert_int_equal(rec.closes, 1);
	assert_int_equal(rec.resets, 1);

	/* A crash kernel connects again, at an older version, and finds the
	 * same offer and no leftovers (the GPADL handle is free again). */
	tg_connect(tg, VMBUS_VERSION(4, 0));
	tg_request_offers(tg, 1, NULL);
	assert_int_equal(tg_create_gpadl(tg, 1, 0xE1E10, pfns, 4), 0);
	assert_int_equal(tg_open(tg, 1, 0xE1E10, 2, 0), 0);
	assert_int_equal(rec.opens, 2);
}

static void test_vm_reset_drops_connection_silently(void **state)
{
	struct tg *tg = *state;
	struct tg_rec_svc rec = { 0 };
	struct vmbus_service s = tg_rec_service(&rec, 1);
	uint64_t pfns[4];

	assert_int_equal(vmbus_register_service(tg->host, &s), 0);
	tg_connect(tg, VMBUS_VERSION(5, 0));
	tg_request_offers(tg, 1, NULL);
	for (int i = 0; i < 4; i++)
		pfns[i] = tg_alloc_pfn(tg);
	assert_int_equal(tg_create_gpadl(tg, 1, 1, pfns, 4), 0);
	assert_int_equal(tg_open(tg, 1, 1, 2, 0), 0);

	vmbus_host_reset(tg->host);
	tg_expect_nothing(tg);
	assert_false(vmbus_host_connected(tg->host));
	assert_int_equal(rec.closes, 1);
	assert_int_equal(rec.resets, 1);
	tg_connect(tg, VMBUS_VERSION(5, 3));
	tg_request_offers(tg, 1, NULL);
	assert_int_equal(tg_create_gpadl(tg, 1, 1, pfns, 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_each_served_version_is_accepted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unserved_versions_get_supported_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version_on_wrong_connection_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_initiate_contact_field_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msg_sint_and_target_vcpu_route_replies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_initiate_contact_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_messages_before_connection_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offers_in_registration_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hot_added_service_is_offered_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_service_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_type_truncated_by_one_byte_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_and_host_only_types_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_envelope_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unload_resets_services_and_allows_reconnect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_reset_drops_connection_silently, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
