// SPDX-License-Identifier: MIT
/*
 * Host tests of guest/channel.c (an open VMBus channel as a guest driver
 * uses it) against the simulated host of test_guest_vpci_sim.h: the ring
 * GPADL and OPENCHANNEL arguments (facts §6.1), the feature bit on both
 * rings (§6.2), the two signalling rules and the writer's bounded wait
 * with pending_send_sz (§6.5), close and teardown.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "guest/channel.c"
#include "guest/ring.c"

#include "tests/unit/test_guest_vpci_sim.h"

static struct guest_channel ch;

static int teardown(void **state)
{
	(void)state;
	sim_free();
	return 0;
}

static struct vmbus_offer_info test_offer(void)
{
	struct vmbus_offer_info o;

	memset(&o, 0, sizeof(o));
	o.relid = SIM_RELID;
	o.connection_id = SIM_CONN_ID;
	return o;
}

static void test_open_describes_both_rings(void **state)
{
	(void)state;
	sim_open(&ch);
	assert_true(ch.open);
	assert_int_equal(sim.alloc_pages, 8);
	assert_int_equal(sim.gpadl_creates, 1);
	assert_int_equal(sim.gpadl_relid, SIM_RELID);
	assert_int_equal(sim.gpadl_count, 8);
	assert_true(sim.gpadl_contiguous);
	assert_int_equal(ch.gpadl, SIM_GPADL);
	/* Outbound ring first; the inbound one 4 pages in (facts §6.1). */
	assert_int_equal(sim.open_relid, SIM_RELID);
	assert_int_equal(sim.open_gpadl, SIM_GPADL);
	assert_int_equal(sim.open_downstream, 4);
	assert_int_equal(sim.open_vp, 0);
	assert_ptr_equal(ch.out.hdr, sim_out());
	assert_ptr_equal(ch.in.hdr, sim_in());
	assert_int_equal(ch.out.size, SIM_DATA);
	assert_int_equal(ch.in.size, SIM_DATA);
	/* pending_send_sz support on both rings (facts §6.2). */
	assert_int_equal(sim_get32(sim_out(), H_FEATURES) & 1, 1);
	assert_int_equal(sim_get32(sim_in(), H_FEATURES) & 1, 1);
	assert_int_equal(ch.next_trans_id, 1);
	assert_int_equal(ch.send_spins, GUEST_CHANNEL_SEND_SPINS);

	assert_true(guest_channel_close(&ch));
	assert_false(ch.open);
	assert_int_equal(sim.closes, 1);
	assert_int_equal(sim.teardowns, 1);
	/* Closing twice does nothing more. */
	assert_true(guest_channel_close(&ch));
	assert_int_equal(sim.closes, 1);
	assert_int_equal(sim.teardowns, 1);
}

static void test_open_failures(void **state)
{
	struct vmbus_offer_info o = test_offer();
	uint32_t status = 0;

	(void)state;
	memset(&sim, 0, sizeof(sim));
	sim.alloc_fail = true;
	assert_false(guest_channel_open(&ch, NULL, &o, 4, 4, 0, &status));
	assert_int_equal(status, ~0u);
	assert_int_equal(sim.gpadl_creates, 0);

	/* A ring needs a header page and a data page. */
	memset(&sim, 0, sizeof(sim));
	assert_false(guest_channel_open(&ch, NULL, &o, 1, 4, 0, &status));
	assert_int_equal(sim.gpadl_creates, 0);

	/* GPADL refused: its status, no OPENCHANNEL. */
	memset(&sim, 0, sizeof(sim));
	sim.gpadl_status = 0xC0000001u;
	assert_false(guest_channel_open(&ch, NULL, &o, 4, 4, 0, &status));
	assert_int_equal(status, 0xC0000001u);
	assert_int_equal(sim.opens, 0);
	assert_false(ch.open);
	sim_free();

	/* OPENCHANNEL refused: its status, and the GPADL goes away. */
	memset(&sim, 0, sizeof(sim));
	sim.open_status = 0xC000000Du;
	assert_false(guest_channel_open(&ch, NULL, &o, 4, 4, 1, &status));
	assert_int_equal(status, 0xC000000Du);
	assert_int_equal(sim.open_vp, 1);
	assert_int_equal(sim.teardowns, 1);
	assert_false(ch.open);
	assert_int_equal(ch.gpadl, 0);
	assert_true(guest_channel_close(&ch));
	assert_int_equal(sim.closes, 0);
	assert_int_equal(sim.teardowns, 1);
}

static void test_send_signals_only_when_required(void **state)
{
	uint8_t payload[24] = { 1, 2, 3 };

	(void)state;
	sim_open(&ch);
	/* Empty ring, host not masking: signal (facts §6.5). */
	assert_int_equal(guest_channel_send(&ch, VMBUS_PKT_DATA_INBAND, 0, 7,
					    payload, sizeof(payload)), 0);
	assert_int_equal(sim.signals, 1);
	assert_int_equal(sim.last_signal_conn, SIM_CONN_ID);
	assert_int_equal(ch.signals, 1);
	/* Not empty any more: no signal. */
	assert_int_equal(guest_channel_send(&ch, VMBUS_PKT_DATA_INBAND, 0, 8,
					    payload, sizeof(payload)), 0);
	assert_int_equal(sim.signals, 1);

	sim_drain();
	assert_int_equal(sim.nseen, 2);
	assert_int_equal(sim.seen[0].trans_id, 7);
	assert_int_equal(sim.seen[0].len, 24);
	assert_int_equal(sim.seen[0].data[2], 3);
	assert_int_equal(sim.seen[1].trans_id, 8);

	/* Empty again, but the host masks interrupts: no signal. */
	sim_put32(sim_out(), H_MASK, 1);
	assert_int_equal(guest_channel_send(&ch, VMBUS_PKT_DATA_INBAND, 0, 9,
					    payload, sizeof(payload)), 0);
	assert_int_equal(sim.signals, 1);
	sim_put32(sim_out(), H_MASK, 0);
	sim_drain();

	/* A failing hypercall is counted. */
	sim.signal_status = 5;
	assert_int_equal(guest_channel_send(&ch, VMBUS_PKT_DATA_INBAND, 0, 10,
					    payload, sizeof(payload)), 0);
	assert_int_equal(ch.signal_failures, 1);
}

static void test_send_waits_bounded_when_full(void **state)
{
	static uint8_t big[1000];
	uint32_t bytes = guest_ring_packet_bytes(sizeof(big));
	unsigned sent = 0;
	int rc;

	(void)state;
	sim_open(&ch);
	sim.host_reads = false;
	ch.send_spins = 10;
	while ((rc = guest_channel_send(&ch, VMBUS_PKT_DATA_INBAND, 0, sent,
					big, sizeof(big))) == 0)
		sent++;
	assert_int_equal(rc, GUEST_CHANNEL_TIMEOUT);
	assert_int_equal(sent, (SIM_DATA - 1) / bytes);
	/* It asked the host to signal when room appears, waited exactly
	 * send_spins idle rounds, and withdrew the request. */
	assert_int_equal(sim.max_pending_seen, bytes);
	assert_int_equal(sim.idle_calls, 10);
	assert_int_equal(sim_get32(sim_out(), H_PENDING), 0);
	assert_int_equal(ch.send_full_waits, 1);

	/* The host reads during the wait: the send goes through. */
	sim.host_reads = true;
	assert_int_equal(guest_channel_send(&ch, VMBUS_PKT_DATA_INBAND, 0, 99,
					    big, sizeof(big)), 0);
	assert_int_equal(sim.idle_calls, 11);
	assert_int_equal(sim_get32(sim_out(), H_PENDING), 0);
	sim_drain();
	assert_int_equal(sim.nseen, sent + 1);
	assert_int_equal(sim.seen[sent].trans_id, 99);

	/* Never fits: refused at once. */
	assert_int_equal(guest_channel_send(&ch, VMBUS_PKT_DATA_INBAND, 0, 1,
					    big, SIM_DATA), GUEST_RING_TOO_BIG);
}

static void test_send_on_closed_channel(void **state)
{
	uint32_t x = 1;

	(void)state;
	sim_open(&ch);
	assert_true(guest_channel_close(&ch));
	assert_int_equal(guest_channel_send(&ch, VMBUS_PKT_DATA_INBAND, 0, 1,
					    &x, sizeof(x)), GUEST_CHANNEL_CLOSED);
}

static void test_recv_copies_and_bounds_its_wait(void **state)
{
	struct vmbus_packet_desc desc;
	uint8_t msg[20], buf[64];
	uint32_t len = 0;

	(void)state;
	sim_open(&ch);
	for (unsigned i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(0x40 + i);

	/* Nothing there: exactly `spins` idle rounds, then 0. */
	assert_int_equal(guest_channel_recv(&ch, &desc, buf, sizeof(buf), &len,
					    5), 0);
	assert_int_equal(sim.idle_calls, 5);
	/* spins 0: one look, no idling. */
	assert_int_equal(guest_channel_recv(&ch, &desc, buf, sizeof(buf), &len,
					    0), 0);
	assert_int_equal(sim.idle_calls, 5);

	assert_true(sim_write_packet(VMBUS_PKT_COMP, 0x1234, msg, sizeof(msg)));
	memset(buf, 0xEE, sizeof(buf));
	assert_int_equal(guest_channel_recv(&ch, &desc, buf, sizeof(buf), &len,
					    5), 1);
	assert_int_equal(sim.idle_calls, 5);
	assert_int_equal(desc.type, VMBUS_PKT_COMP);
	assert_int_equal(desc.trans_id, 0x1234);
	assert_int_equal(len, 24);              /* padded to 8 */
	assert_memory_equal(buf, msg, sizeof(msg));
	assert_int_equal(buf[20], 0);           /* padding */
	assert_int_equal(sim_used(sim_in()), 0);

	/* A smaller buffer gets the first `cap` bytes and the full length. */
	assert_true(sim_write_packet(VMBUS_PKT_DATA_INBAND, 0, msg, sizeof(msg)));
	memset(buf, 0xEE, sizeof(buf));
	assert_int_equal(guest_channel_recv(&ch, &desc, buf, 6, &len, 0), 1);
	assert_int_equal(len, 24);
	assert_memory_equal(buf, msg, 6);
	assert_int_equal(buf[6], 0xEE);

	/* The host writes meanwhile: found after one idle round. */
	sim.pre_msgs = 1;
	sim.silent = true;
	sim.jobs[0] = (struct sim_job){ 5, 0, 0 };
	sim.njobs = 1;
	assert_int_equal(guest_channel_recv(&ch, &desc, buf, sizeof(buf), &len,
					    3), 1);
	assert_int_equal(sim.idle_calls, 6);
	assert_int_equal(desc.type, VMBUS_PKT_DATA_INBAND);
}

static void test_recv_signals_blocked_host_writer(void **state)
{
	static uint8_t big[1000];
	struct vmbus_packet_desc desc;
	uint32_t len, n = 0;

	(void)state;
	sim_open(&ch);
	while (sim_write_packet(VMBUS_PKT_DATA_INBAND, n, big, sizeof(big)))
		n++;
	assert_true(n > 2);
	/* The host is blocked: it wants more than is free now. */
	uint32_t free_now = SIM_DATA - sim_used(sim_in());

	sim_put32(sim_in(), H_PENDING, free_now + 8);
	assert_int_equal(guest_channel_recv(&ch, &desc, NULL, 0, &len, 0), 1);
	assert_int_equal(sim.signals, 1);       /* it has room now */
	assert_int_equal(guest_channel_recv(&ch, &desc, NULL, 0, &len, 0), 1);
	assert_int_equal(sim.signals, 1);       /* it was not blocked */

	/* Without the request, no signal at all. */
	sim_put32(sim_in(), H_PENDING, 0);
	assert_int_equal(guest_channel_recv(&ch, &desc, NULL, 0, &len, 0), 1);
	assert_int_equal(sim.signals, 1);
}

static void test_recv_reports_broken_ring(void **state)
{
	struct vmbus_packet_desc desc;
	uint32_t msg = 1, len;
	uint8_t buf[8];

	(void)state;
	sim_open(&ch);
	assert_true(sim_write_packet(VMBUS_PKT_DATA_INBAND, 0, &msg, sizeof(msg)));
	sim_put64(sim_in(), 24, 0xDEAD);        /* the trailer */
	assert_true(guest_channel_recv(&ch, &desc, buf, sizeof(buf), &len, 0) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_open_describes_both_rings, teardown),
		cmocka_unit_test_teardown(test_open_failures, teardown),
		cmocka_unit_test_teardown(test_send_signals_only_when_required, teardown),
		cmocka_unit_test_teardown(test_send_waits_bounded_when_full, teardown),
		cmocka_unit_test_teardown(test_send_on_closed_channel, teardown),
		cmocka_unit_test_teardown(test_recv_copies_and_bounds_its_wait, teardown),
		cmocka_unit_test_teardown(test_recv_signals_blocked_host_writer, teardown),
		cmocka_unit_test_teardown(test_recv_reports_broken_ring, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
