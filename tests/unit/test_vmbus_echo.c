// SPDX-License-Identifier: MIT
/*
 * The echo service end to end: a simulated Linux-like guest negotiates,
 * opens the echo channel over scattered pages with small rings, and
 * pushes hundreds of packets of varying sizes through it, with both rings
 * running full so that pending_send_sz flow control works both ways.
 * Also: what echo drops, and the trace records the bus writes.
 */
#include "tests/unit/test_vmbus_guest.h"

#include <stdio.h>
#include <unistd.h>

struct fixture {
	struct tg *tg;
	uint64_t pfns[16];
	struct tg_ring out, in;
};

/* Connect, take the offer of two echo channels, open relid 1 with
 * `out_pages` + `in_pages` ring pages (headers included) over pages
 * allocated in a scattered order. */
static struct fixture *open_echo(uint32_t out_pages, uint32_t in_pages)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct vmbus_service echo = tg_echo_service();
	uint32_t n = out_pages + in_pages;

	assert_non_null(f);
	assert_true(n <= 16);
	f->tg = tg_new();
	assert_int_equal(vmbus_register_service(f->tg->host, &echo), 0);
	assert_int_equal(vmbus_register_service(f->tg->host, &echo), 1);
	tg_connect(f->tg, VMBUS_VERSION(5, 3));
	tg_request_offers(f->tg, 2, NULL);
	/* Every other page, backwards: nothing is contiguous. */
	for (uint32_t i = 0; i < n; i++)
		f->pfns[i] = TG_FIRST_FREE_PFN + 2 * (n - i);
	f->tg->next_pfn = TG_FIRST_FREE_PFN + 2 * n + 2;
	assert_int_equal(tg_create_gpadl(f->tg, 1, 0x100, f->pfns, n), 0);
	assert_int_equal(tg_open(f->tg, 1, 0x100, out_pages, 0), 0);
	f->out = tg_ring_of(f->tg, f->pfns, out_pages);
	f->in = tg_ring_of(f->tg, f->pfns + out_pages, in_pages);
	return f;
}

static void close_echo(struct fixture *f)
{
	tg_free(f->tg);
	free(f);
}

static uint32_t lcg(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 8;
}

static void fill(uint8_t *p, uint32_t len, uint32_t tag)
{
	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)(tag * 131 + i * 7);
}

struct run_stats {
	unsigned guest_blocked, host_blocked, events;
};

/* The guest loop: write while there is room (announcing pending_send_sz
 * when blocked), signal per the ring rules, and read replies only when
 * the host interrupts (SIEF bit).  Any lost signal ends in a stall,
 * which fails the test. */
static struct run_stats run_echo(struct fixture *f, unsigned count,
				 uint32_t max_len, uint32_t seed)
{
	struct tg *tg = f->tg;
	static uint32_t lens[2000];
	static uint8_t payload[4096], got[4096];
	struct run_stats st = { 0 };
	unsigned sent = 0, received = 0, idle = 0;

	assert_true(count <= 2000 && max_len <= sizeof(payload));
	for (unsigned i = 0; i < count; i++)
		lens[i] = lcg(&seed) % (max_len + 1);
	while (received < count) {
		bool signal, progress = false;

		while (sent < count) {
			fill(payload, lens[sent], sent);
			if (tg_ring_write(&f->out, VMBUS_PKT_DATA_INBAND,
					  sent & 1, 1000 + sent, payload,
					  lens[sent], &signal)) {
				/* Blocked: say how much room we need and
				 * wait for the host's signal (facts §6.5). */
				tg_ring_hdr(&f->out)->pending_send_sz =
					vmbus_packet_ring_bytes(16 + lens[sent]);
				st.guest_blocked++;
				break;
			}
			tg_ring_hdr(&f->out)->pending_send_sz = 0;
			sent++;
			progress = true;
			if (signal)
				assert_int_equal(tg_signal(tg, 1),
						 HV_STATUS_SUCCESS);
			if (tg_ring_hdr(&f->in)->pending_send_sz)
				st.host_blocked++;
		}
		if (tg_take_event(tg, 0, 1)) {
			struct vmbus_packet_desc d;
			uint32_t glen;
			bool sw;

			st.events++;
			progress = true;
			while (tg_ring_read(&f->in, &d, got, sizeof(got), &glen,
					    &sw) == 1) {
				assert_int_equal(d.type, VMBUS_PKT_DATA_INBAND);
				assert_int_equal(d.trans_id, 1000 + received);
				assert_int_equal(d.flags, received & 1);
				assert_int_equal(glen,
						 (lens[received] + 7) & ~7u);
				fill(payload, lens[received], received);
				assert_memory_equal(got, payload,
						    lens[received]);
				received++;
				if (sw)
					tg_signal(tg, 1);
			}
		}
		/* Two rounds without any progress: a signal was lost. */
		idle = progress ? 0 : idle + 1;
		assert_true(idle < 2);
	}
	/* Everything is back; both rings are empty. */
	assert_int_equal(tg_ring_hdr(&f->out)->read_index,
			 tg_ring_hdr(&f->out)->write_index);
	assert_int_equal(tg_ring_hdr(&f->in)->read_index,
			 tg_ring_hdr(&f->in)->write_index);
	assert_int_equal(tg_ring_hdr(&f->in)->pending_send_sz, 0);
	return st;
}

static void test_echo_round_trip_with_flow_control(void **state)
{
	/* 4 KiB each way: a few packets fill a ring. */
	struct fixture *f = open_echo(2, 2);
	const struct vmbus_stats *stats = vmbus_host_stats(f->tg->host);
	struct run_stats st;

	(void)state;
	st = run_echo(f, 600, 1200, 12345);
	assert_true(st.guest_blocked > 0);
	assert_true(st.host_blocked > 0);
	assert_int_equal(stats->pkts_in, 600);
	assert_int_equal(stats->pkts_out, 600);
	/* Signals only on transitions: far fewer than one per packet. */
	assert_true(stats->signals_out < 600);
	assert_true(stats->signals_in < 2 * 600);
	close_echo(f);
}

static void test_echo_with_bigger_rings_and_tiny_packets(void **state)
{
	struct fixture *f = open_echo(5, 3);
	struct run_stats st;

	(void)state;
	st = run_echo(f, 2000, 40, 777);
	assert_true(st.events > 0);
	close_echo(f);
}

static void test_echo_skips_what_it_cannot_answer(void **state)
{
	/* 12 KiB towards the host, 4 KiB back. */
	struct fixture *f = open_echo(4, 2);
	static uint8_t big[6000], got[4096];
	struct vmbus_packet_desc d;
	uint32_t glen;
	bool signal, sw;

	(void)state;
	/* A completion is not echoed; a 6000-byte packet cannot come back
	 * through a 4 KiB ring; the third packet is answered. */
	assert_int_equal(tg_ring_write(&f->out, VMBUS_PKT_COMP, 0, 1, "c", 1,
				       &signal), 0);
	assert_int_equal(tg_ring_write(&f->out, VMBUS_PKT_DATA_INBAND, 0, 2,
				       big, sizeof(big), &signal), 0);
	assert_int_equal(tg_ring_write(&f->out, VMBUS_PKT_DATA_INBAND, 0, 3,
				       "ok", 2, &signal), 0);
	{
		unsigned before = guest_refusal_count();

		tg_signal(f->tg, 1);
		assert_int_equal(guest_refusal_count(), before + 2);
		assert_string_equal(guest_last_refusal(), "echo.reply-too-large");
	}
	assert_true(tg_take_event(f->tg, 0, 1));
	assert_int_equal(tg_ring_read(&f->in, &d, got, sizeof(got), &glen,
				      &sw), 1);
	assert_int_equal(d.trans_id, 3);
	assert_memory_equal(got, "ok", 2);
	assert_int_equal(tg_ring_read(&f->in, &d, got, sizeof(got), &glen,
				      &sw), 0);
	close_echo(f);
}

static bool file_has(const char *text, const char *needle)
{
	return strstr(text, needle) != NULL;
}

static void test_trace_records(void **state)
{
	char path[] = "/tmp/kvmbus-vmbus-trace-XXXXXX";
	int fd = mkstemp(path);
	struct fixture *f;
	static char text[65536];
	size_t n;
	FILE *fp;
	bool signal;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(trace_open(path, TRACE_JSON), 0);
	f = open_echo(2, 2);
	assert_int_equal(tg_ring_write(&f->out, VMBUS_PKT_DATA_INBAND, 0, 0x77,
				       "abc", 3, &signal), 0);
	tg_signal(f->tg, 1);
	trace_close();
	close_echo(f);

	fp = fopen(path, "r");
	assert_non_null(fp);
	n = fread(text, 1, sizeof(text) - 1, fp);
	text[n] = 0;
	fclose(fp);
	unlink(path);
	assert_true(file_has(text, "\"msg\":\"INITIATE_CONTACT\",\"version\":\"5.3\""));
	assert_true(file_has(text, "\"msg\":\"VERSION_RESPONSE\",\"supported\":1"));
	assert_true(file_has(text, "\"msg\":\"OFFERCHANNEL\",\"relid\":1,"
				   "\"class\":\"6b6d7662-7365-6863-8f01-6b766d627573\""));
	assert_true(file_has(text, "\"msg\":\"ALLOFFERS_DELIVERED\""));
	assert_true(file_has(text, "\"msg\":\"GPADL_HEADER\",\"relid\":1,"
				   "\"gpadl\":\"0x100\""));
	assert_true(file_has(text, "\"msg\":\"GPADL_CREATED\",\"relid\":1,"
				   "\"gpadl\":\"0x100\",\"status\":\"0x0\","
				   "\"pages\":4"));
	assert_true(file_has(text, "\"msg\":\"OPENCHANNEL\",\"relid\":1"));
	assert_true(file_has(text, "\"msg\":\"OPENCHANNEL_RESULT\",\"relid\":1"));
	assert_true(file_has(text, "\"dir\":\"g2h\",\"chan\":1,\"msg\":"
				   "\"ECHO_REQUEST\",\"type\":\"INBAND\","
				   "\"len\":8,\"trans_id\":\"0x77\""));
	assert_true(file_has(text, "\"dir\":\"h2g\",\"chan\":1,\"msg\":"
				   "\"ECHO_REPLY\",\"type\":\"INBAND\","
				   "\"len\":8,\"trans_id\":\"0x77\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_round_trip_with_flow_control),
		cmocka_unit_test(test_echo_with_bigger_rings_and_tiny_packets),
		cmocka_unit_test(test_echo_skips_what_it_cannot_answer),
		cmocka_unit_test(test_trace_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
