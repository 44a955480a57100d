// SPDX-License-Identifier: MIT
/*
 * Host tests of guest/vpci_transport.c, pci_front's transport over a
 * guest VMBus channel, against the simulated host of
 * test_guest_vpci_sim.h: requests with completion and fresh transaction
 * ids (facts §6.3, §7.4), host-initiated messages kept in order for
 * poll() while a request waits, stray and late completions, bounded
 * waits (ring looks or a clock), the config-window relocation, and
 * pci_front's whole probe over the transport up to a refused D0 entry.
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
#include "guest/vpci_transport.c"

#include "tests/unit/test_guest_vpci_sim.h"

static struct guest_channel ch;
static struct vpci_transport xp;

static int setup(void **state)
{
	(void)state;
	sim_open(&ch);
	memset(&xp, 0x5A, sizeof(xp));      /* init must not rely on zeroes */
	vpci_transport_init(&xp, &ch, NULL, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sim_free();
	return 0;
}

/* A 4-byte request of the given type; returns the transport result. */
static int request(uint32_t type, uint32_t *resp, uint32_t cap,
		   uint32_t *resp_len)
{
	return vpci_transport_request(&xp, &type, sizeof(type), resp, cap,
				      resp_len);
}

static void test_request_gets_its_completion(void **state)
{
	uint32_t resp[8] = { 0 }, len = 0;

	(void)state;
	sim.status = 0x1234;
	sim.delay = 3;
	assert_int_equal(request(0x42490013, resp, sizeof(resp), &len),
			 PCIF_XPORT_OK);
	assert_int_equal(sim.nseen, 1);
	assert_int_equal(sim.seen[0].type, VMBUS_PKT_DATA_INBAND);
	assert_int_equal(sim.seen[0].flags, VMBUS_PKT_FLAG_COMPLETION_REQUESTED);
	assert_int_equal(sim.seen[0].trans_id, 1);
	assert_int_equal(len, 16);              /* 12 bytes, padded to 8 */
	assert_int_equal(resp[0], 0x1234);
	assert_int_equal(resp[1], 0x42490013);
	assert_int_equal(resp[2], 1);
	assert_int_equal(resp[3], 0);

	/* A fresh id for the next one; the response is cut to resp_cap. */
	memset(resp, 0xEE, sizeof(resp));
	assert_int_equal(request(0x42490007, resp, 4, &len), PCIF_XPORT_OK);
	assert_int_equal(sim.seen[1].trans_id, 2);
	assert_int_equal(len, 16);
	assert_int_equal(resp[0], 0x1234);
	assert_int_equal(resp[1], 0xEEEEEEEEu);
	assert_int_equal(xp.stats.requests, 2);
	assert_int_equal(xp.stats.completions, 2);
	assert_int_equal(xp.last_trans_id, 2);
}

static void test_host_messages_during_request_are_kept_in_order(void **state)
{
	uint32_t resp[4], len, msg[4];

	(void)state;
	sim.pre_msgs = 3;
	assert_int_equal(request(1, resp, sizeof(resp), &len), PCIF_XPORT_OK);
	assert_int_equal(xp.stats.queued, 3);
	/* A later host message goes behind the queued ones. */
	sim_send_host_msg();
	for (uint32_t i = 0; i < 4; i++) {
		memset(msg, 0, sizeof(msg));
		assert_int_equal(vpci_transport_poll(&xp, msg, sizeof(msg),
						     &len, 0), PCIF_XPORT_OK);
		assert_int_equal(len, 8);
		assert_int_equal(msg[0], SIM_HOST_MSG);
		assert_int_equal(msg[1], i);
	}
	assert_int_equal(vpci_transport_poll(&xp, msg, sizeof(msg), &len, 0),
			 PCIF_XPORT_TIMEOUT);
	assert_int_equal(len, 0);
}

static void test_queue_overflow_drops_the_newest(void **state)
{
	uint32_t resp[4], len, msg[2];

	(void)state;
	sim.pre_msgs = VPCI_XPORT_FIFO + 2;
	assert_int_equal(request(1, resp, sizeof(resp), &len), PCIF_XPORT_OK);
	assert_int_equal(xp.stats.queued, VPCI_XPORT_FIFO);
	assert_int_equal(xp.stats.fifo_dropped, 2);
	for (uint32_t i = 0; i < VPCI_XPORT_FIFO; i++) {
		assert_int_equal(vpci_transport_poll(&xp, msg, sizeof(msg),
						     &len, 0), PCIF_XPORT_OK);
		assert_int_equal(msg[1], i);
	}
	assert_int_equal(vpci_transport_poll(&xp, msg, sizeof(msg), &len, 0),
			 PCIF_XPORT_TIMEOUT);
}

static void test_stray_completion_is_dropped(void **state)
{
	uint32_t resp[4], len;

	(void)state;
	sim.stray_first = true;
	sim.status = 7;
	assert_int_equal(request(1, resp, sizeof(resp), &len), PCIF_XPORT_OK);
	assert_int_equal(resp[0], 7);
	assert_int_equal(resp[2], 1);
	assert_int_equal(xp.stats.stray_completions, 1);
	assert_int_equal(xp.stats.queued, 0);
}

static void test_request_times_out_and_late_completion_is_ignored(void **state)
{
	uint32_t resp[4], len = 99;

	(void)state;
	sim.silent = true;
	xp.request_wait_ms = 4;
	xp.spins_per_ms = 5;
	assert_int_equal(request(1, resp, sizeof(resp), &len),
			 PCIF_XPORT_TIMEOUT);
	assert_int_equal(len, 0);
	assert_int_equal(xp.stats.timeouts, 1);
	/* Bounded: wait_ms * spins_per_ms rounds, one idle each, plus the
	 * first one. */
	assert_true(sim.idle_calls >= 20 && sim.idle_calls <= 21);

	/* The host answers the old request late; the next request skips
	 * that completion and takes its own. */
	sim_complete(1, 1);
	sim.silent = false;
	sim.status = 0x55;
	assert_int_equal(request(2, resp, sizeof(resp), &len), PCIF_XPORT_OK);
	assert_int_equal(sim.seen[1].trans_id, 2);
	assert_int_equal(resp[0], 0x55);
	assert_int_equal(resp[2], 2);
	assert_int_equal(xp.stats.stray_completions, 1);
}

static uint64_t fake_now;

static uint64_t fake_clock(void *ctx)
{
	(void)ctx;
	fake_now += 10000;                      /* 1 ms per reading */
	return fake_now;
}

static void test_clock_bounds_the_wait(void **state)
{
	uint32_t resp[4], len, msg[2];

	(void)state;
	vpci_transport_init(&xp, &ch, fake_clock, NULL);
	fake_now = 1;
	sim.silent = true;
	xp.request_wait_ms = 6;
	assert_int_equal(request(1, resp, sizeof(resp), &len),
			 PCIF_XPORT_TIMEOUT);
	/* One clock reading per idle round: ~6 of them. */
	assert_true(sim.idle_calls >= 5 && sim.idle_calls <= 7);

	unsigned before = sim.idle_calls;

	assert_int_equal(vpci_transport_poll(&xp, msg, sizeof(msg), &len, 3),
			 PCIF_XPORT_TIMEOUT);
	assert_true(sim.idle_calls - before >= 2 && sim.idle_calls - before <= 4);
	/* A clock reading 0 means none: ring looks count instead. */
	vpci_transport_init(&xp, &ch, NULL, NULL);
	xp.spins_per_ms = 2;
	before = sim.idle_calls;
	assert_int_equal(vpci_transport_poll(&xp, msg, sizeof(msg), &len, 3),
			 PCIF_XPORT_TIMEOUT);
	assert_int_equal(sim.idle_calls - before, 7);
}

static void test_poll_waits_for_host_message(void **state)
{
	uint32_t msg[2], len;

	(void)state;
	/* The host sends its message three idle rounds from now (a job
	 * without completion, with one host message in front). */
	sim.silent = true;
	sim.pre_msgs = 1;
	sim.jobs[0] = (struct sim_job){ 77, 0, 3 };
	sim.njobs = 1;
	assert_int_equal(vpci_transport_poll(&xp, msg, sizeof(msg), &len, 100),
			 PCIF_XPORT_OK);
	assert_int_equal(msg[0], SIM_HOST_MSG);
	assert_int_equal(sim.idle_calls, 4);

	/* Completions nobody waits for are skipped by poll. */
	sim_complete(1234, 1);
	sim_send_host_msg();
	assert_int_equal(vpci_transport_poll(&xp, msg, sizeof(msg), &len, 0),
			 PCIF_XPORT_OK);
	assert_int_equal(msg[1], 1);
	assert_int_equal(xp.stats.stray_completions, 1);
}

static void test_post_has_no_completion(void **state)
{
	uint32_t msg = 0x42490001;

	(void)state;
	assert_int_equal(vpci_transport_post(&xp, &msg, sizeof(msg)),
			 PCIF_XPORT_OK);
	sim_drain();
	assert_int_equal(sim.nseen, 1);
	assert_int_equal(sim.seen[0].type, VMBUS_PKT_DATA_INBAND);
	assert_int_equal(sim.seen[0].flags, 0);
	assert_int_equal(sim.seen[0].trans_id, 0);
	assert_int_equal(sim.seen[0].len, 8);
	assert_int_equal(sim.njobs, 0);
	assert_int_equal(ch.next_trans_id, 1);  /* no id used up */
}

static void test_long_host_message_is_truncated(void **state)
{
	static uint8_t big[300], buf[512];
	uint32_t len;

	(void)state;
	for (unsigned i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	assert_true(sim_write_packet(VMBUS_PKT_DATA_INBAND, 0, big, sizeof(big)));
	memset(buf, 0xEE, sizeof(buf));
	assert_int_equal(vpci_transport_poll(&xp, buf, sizeof(buf), &len, 0),
			 PCIF_XPORT_OK);
	assert_int_equal(len, 304);
	assert_memory_equal(buf, big, VPCI_XPORT_MSG_MAX);
	assert_int_equal(buf[VPCI_XPORT_MSG_MAX], 0xEE);
	assert_int_equal(xp.stats.truncated, 1);
}

static void test_broken_and_closed_channel(void **state)
{
	uint32_t resp[4], len, msg = 1;

	(void)state;
	sim.silent = true;
	assert_true(sim_write_packet(VMBUS_PKT_DATA_INBAND, 0, &msg, sizeof(msg)));
	sim_put64(sim_in(), 24, 0xDEAD);        /* bad trailer */
	assert_int_equal(request(1, resp, sizeof(resp), &len),
			 PCIF_XPORT_BROKEN);
	assert_int_equal(vpci_transport_poll(&xp, resp, sizeof(resp), &len, 0),
			 PCIF_XPORT_BROKEN);

	assert_true(guest_channel_close(&ch));
	assert_int_equal(request(1, resp, sizeof(resp), &len),
			 PCIF_XPORT_BROKEN);
	assert_int_equal(vpci_transport_post(&xp, &msg, sizeof(msg)),
			 PCIF_XPORT_BROKEN);
}

static void test_forced_window_moves_d0_entry_and_config_access(void **state)
{
	static uint8_t granted[0x2000], forced[0x2000];
	uint64_t a = (uintptr_t)granted, b = (uintptr_t)forced;
	struct vpci_bus_d0_entry d0 = { VPCI_MSG_BUS_D0ENTRY, 0, a };
	uint32_t resp[4], len;

	(void)state;
	/* Off: accesses go where they are aimed. */
	vpci_transport_mmio_write(&xp, a + 0x1004, 4, 0x11223344);
	assert_int_equal(vpci_transport_mmio_read(&xp, a + 0x1004, 4),
			 0x11223344);
	assert_int_equal(vpci_transport_mmio_read(&xp, a + 0x1005, 1), 0x33);
	assert_int_equal(vpci_transport_mmio_read(&xp, a + 0x1006, 2), 0x1122);

	vpci_transport_force_window(&xp, b);
	assert_int_equal(vpci_transport_request(&xp, &d0, sizeof(d0), resp,
						sizeof(resp), &len),
			 PCIF_XPORT_OK);
	struct vpci_bus_d0_entry seen;

	memcpy(&seen, sim.seen[0].data, sizeof(seen));
	assert_int_equal(seen.type, VPCI_MSG_BUS_D0ENTRY);
	assert_int_equal(seen.mmio_base, b);
	assert_int_equal(xp.window_from, a);
	assert_int_equal(xp.windows_moved, 1);
	assert_int_equal(d0.mmio_base, a);      /* the caller's copy intact */

	vpci_transport_mmio_write(&xp, a + 0x0000, 4, 0x21);
	vpci_transport_mmio_write(&xp, a + 0x1010, 2, 0xBEEF);
	vpci_transport_mmio_write(&xp, a + 0x1FFF, 1, 0x7A);
	assert_int_equal(forced[0], 0x21);
	assert_int_equal(forced[0x1010], 0xEF);
	assert_int_equal(forced[0x1011], 0xBE);
	assert_int_equal(forced[0x1FFF], 0x7A);
	assert_int_equal(granted[0x1FFF], 0);
	assert_int_equal(vpci_transport_mmio_read(&xp, a + 0x1010, 4), 0xBEEF);
	/* Beyond the 8 KiB window nothing moves. */
	assert_int_equal(relocate(&xp, a + 0x2000), a + 0x2000);

	/* Other requests are sent unchanged. */
	uint32_t other[4] = { VPCI_MSG_QUERY_RESOURCE_REQUIREMENTS, 1, 2, 3 };

	assert_int_equal(vpci_transport_request(&xp, other, sizeof(other), resp,
						sizeof(resp), &len),
			 PCIF_XPORT_OK);
	assert_memory_equal(sim.seen[1].data, other, sizeof(other));
}

/* ---- pci_front's probe over the transport --------------------------------- */

/* A VPCI host just good enough for the probe up to D0 entry: versions
 * from 1.2 accepted, relations (no functions) whenever asked, D0 entry
 * refused as Hyper-V refuses a window on remembered VRAM (facts §7.5). */
static unsigned relations_asked;

static uint32_t vpci_status(uint32_t type)
{
	switch (type) {
	case VPCI_MSG_QUERY_PROTOCOL_VERSION:
		return sim.nseen <= 2 ? VPCI_STATUS_REVISION_MISMATCH : 0;
	case VPCI_MSG_BUS_D0ENTRY:
		return VPCI_STATUS_MMIO_OVERLAP;
	}
	return 0;
}

static void vpci_packet(const struct sim_packet *p)
{
	uint32_t type;

	memcpy(&type, p->data, 4);
	if (type == VPCI_MSG_QUERY_BUS_RELATIONS) {
		struct vpci_bus_relations rel = { VPCI_MSG_BUS_RELATIONS, 0 };

		relations_asked++;
		/* Something stray first: must not upset the survey. */
		sim_send_host_msg();
		assert_true(sim_write_packet(VMBUS_PKT_DATA_INBAND, 0, &rel,
					     sizeof(rel)));
	}
}

#define LOG_LINES 16
static char log_text[LOG_LINES][PCIF_TEXT_MAX];
static unsigned log_lines;

static void capture_log(void *ctx, enum pcif_log_level level, const char *text)
{
	(void)ctx;
	(void)level;
	if (log_lines < LOG_LINES)
		strcpy(log_text[log_lines], text);
	log_lines++;
}

static bool logged(const char *text)
{
	for (unsigned i = 0; i < log_lines && i < LOG_LINES; i++)
		if (strcmp(log_text[i], text) == 0)
			return true;
	return false;
}

static void test_probe_over_transport_reports_refusal(void **state)
{
	static struct pcif_mmio_alloc alloc;
	static struct pcif_bus bus;
	static uint8_t window[0x2000];
	struct pcif_transport t = vpci_transport_pcif(&xp);
	struct pcif_log log = { capture_log, NULL };
	struct pcif_bus_config cfg = { "vpci0", PCIF_CFGWIN_LEGACY, 50 };

	(void)state;
	sim.status_for = vpci_status;
	sim.on_packet = vpci_packet;
	sim.delay = 1;
	relations_asked = 0;
	log_lines = 0;
	pcif_mmio_init(&alloc, NULL);
	assert_int_equal(pcif_mmio_add_range(&alloc, 0xC0000000ull,
					     0x4000000ull), PCIF_MMIO_OK);
	vpci_transport_force_window(&xp, (uintptr_t)window);
	pcif_bus_init(&bus, &t, &alloc, &log, &cfg);

	assert_int_equal(pcif_probe(&bus), PCIF_ERR_REFUSED);
	assert_int_equal(bus.protocol_version, VPCI_PROTOCOL_VERSION_1_2);
	assert_int_equal(bus.failed_stage, PCIF_STAGE_D0_ENTRY);
	assert_int_equal(bus.failed_status, VPCI_STATUS_MMIO_OVERLAP);
	assert_int_equal(bus.d0_entry_attempts, 2);
	assert_int_equal(relations_asked, 2);
	assert_true(logged("PCI Pass-through VSP failed D0 Entry with status c0370048"));
	assert_true(logged("Retrying D0 Entry"));
	/* Both D0 entries named the forced window, not the granted one. */
	unsigned d0s = 0;

	for (unsigned i = 0; i < sim.nseen; i++) {
		struct vpci_bus_d0_entry d0;

		memcpy(&d0, sim.seen[i].data, sizeof(d0));
		if (d0.type != VPCI_MSG_BUS_D0ENTRY)
			continue;
		d0s++;
		assert_int_equal(d0.mmio_base, (uintptr_t)window);
	}
	assert_int_equal(d0s, 2);
	assert_int_equal(xp.window_from, 0xC0000000ull);
	/* Every completion found its request; the stray host messages were
	 * handed to the front-end, which ignored them. */
	assert_int_equal(xp.stats.stray_completions, 0);
	assert_int_equal(xp.stats.timeouts, 0);
	assert_int_equal(xp.fifo_count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_request_gets_its_completion),
		T(test_host_messages_during_request_are_kept_in_order),
		T(test_queue_overflow_drops_the_newest),
		T(test_stray_completion_is_dropped),
		T(test_request_times_out_and_late_completion_is_ignored),
		T(test_clock_bounds_the_wait),
		T(test_poll_waits_for_host_message),
		T(test_post_has_no_completion),
		T(test_long_host_message_is_truncated),
		T(test_broken_and_closed_channel),
		T(test_forced_window_moves_d0_entry_and_config_access),
		T(test_probe_over_transport_reports_refusal),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
