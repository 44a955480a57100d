// SPDX-License-Identifier: MIT
/*
 * VMBus rings (facts §6): copies across pages and the wrap, packets both
 * ways over discontiguous pages, the signalling rules, malformed indices
 * and packets, and what a malformed ring does to its channel (and not to
 * the others).
 */
#include "tests/unit/test_vmbus_guest.h"

#include "vmbus/ring.h"

/* A 3-page ring (header + 2 data pages = 8 KiB data) over scattered,
 * out-of-order pages. */
static const uint64_t ring_pfns[3] = { 300, 120, 77 };
#define RING_PAGES 3u
#define RING_SIZE  (2u * TG_PAGE)

struct fixture {
	struct tg *tg;
	struct host_ring hr;
	struct tg_ring gr;
};

static int setup_ring(void **state, enum host_ring_role role)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->tg = tg_new();
	f->gr = tg_ring_of(f->tg, ring_pfns, RING_PAGES);
	assert_int_equal(host_ring_attach(&f->hr, &f->tg->mem, ring_pfns,
					  RING_PAGES, role, 1), 0);
	assert_int_equal(f->hr.size, RING_SIZE);
	*state = f;
	return 0;
}

static int setup_reader(void **state)
{
	return setup_ring(state, HOST_RING_READER);
}

static int setup_writer(void **state)
{
	return setup_ring(state, HOST_RING_WRITER);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tg_free(f->tg);
	free(f);
	return 0;
}

/* Deterministic pseudo-random numbers for packet sizes and contents. */
static uint32_t lcg(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 8;
}

static void fill(uint8_t *p, uint32_t len, uint32_t tag)
{
	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)(tag * 31 + i);
}

/* ---- copies ----------------------------------------------------------- */

static void test_copy_crosses_pages_and_wraps(void **state)
{
	struct fixture *f = *state;
	uint8_t in[300], out[300];

	fill(in, sizeof(in), 1);
	/* The last 100 bytes of the data area, then 200 from its start. */
	assert_int_equal(host_ring_copy_in(&f->hr, RING_SIZE - 100, in, 300), 0);
	assert_memory_equal(tg_page(f->tg, 77) + TG_PAGE - 100, in, 100);
	assert_memory_equal(tg_page(f->tg, 120), in + 100, 200);
	assert_int_equal(host_ring_copy_out(&f->hr, RING_SIZE - 100, out, 300),
			 0);
	assert_memory_equal(in, out, 300);

	/* Across the boundary between the two data pages. */
	fill(in, sizeof(in), 2);
	assert_int_equal(host_ring_copy_in(&f->hr, TG_PAGE - 8, in, 300), 0);
	assert_memory_equal(tg_page(f->tg, 120) + TG_PAGE - 8, in, 8);
	assert_memory_equal(tg_page(f->tg, 77), in + 8, 292);
	/* The header page is never touched by data copies. */
	assert_int_equal(host_ring_copy_in(&f->hr, 0, in, RING_SIZE + 1), -1);
	assert_int_equal(host_ring_copy_in(&f->hr, RING_SIZE, in, 1), -1);
}

/* ---- guest -> host ---------------------------------------------------- */

static void test_guest_to_host_packets_wrap(void **state)
{
	struct fixture *f = *state;
	static uint8_t buf[VMBUS_HOST_MAX_PACKET];
	uint8_t payload[2048];
	uint32_t lens[400], seed = 7, next_read = 0;
	uint64_t total = 0;
	unsigned written = 0, read = 0;
	bool signal;

	/* Enough traffic to wrap the 8 KiB ring dozens of times, with every
	 * split of descriptor, payload and trailer across the end. */
	while (read < 400) {
		struct vmbus_packet_desc d;
		uint32_t bytes;

		if (written < 400) {
			lens[written] = lcg(&seed) % 1500;
			fill(payload, lens[written], written);
			if (tg_ring_write(&f->gr, VMBUS_PKT_DATA_INBAND,
					  written & 1, written, payload,
					  lens[written], &signal) == 0) {
				written++;
				continue;
			}
		}
		/* Full (or all written): the host takes one packet. */
		assert_int_equal(host_ring_peek(&f->hr, buf, sizeof(buf), &d,
						&bytes), 1);
		assert_int_equal(d.trans_id, read);
		assert_int_equal(d.flags, read & 1);
		assert_int_equal(d.type, VMBUS_PKT_DATA_INBAND);
		assert_int_equal(d.len8, (16 + lens[read] + 7) / 8);
		fill(payload, lens[read], read);
		assert_memory_equal(buf + 16, payload, lens[read]);
		assert_int_equal(host_ring_consume(&f->hr, bytes), 0);
		next_read = (next_read + bytes) % RING_SIZE;
		assert_int_equal(tg_ring_hdr(&f->gr)->read_index, next_read);
		total += bytes;
		read++;
	}
	assert_true(total > 20 * RING_SIZE);
	assert_int_equal(host_ring_peek(&f->hr, buf, sizeof(buf),
					 &(struct vmbus_packet_desc){ 0 },
					 &(uint32_t){ 0 }), 0);
}

/* Writes one packet with a known payload, then checks the host sees it
 * byte for byte (descriptor copy included). */
static void test_guest_packet_contents(void **state)
{
	struct fixture *f = *state;
	static uint8_t buf[VMBUS_HOST_MAX_PACKET];
	uint8_t payload[777];
	struct vmbus_packet_desc d;
	uint32_t bytes;
	bool signal;

	/* Start near the end so the packet wraps. */
	tg_ring_hdr(&f->gr)->write_index = RING_SIZE - 40;
	tg_ring_hdr(&f->gr)->read_index = RING_SIZE - 40;
	assert_int_equal(host_ring_attach(&f->hr, &f->tg->mem, ring_pfns,
					  RING_PAGES, HOST_RING_READER, 1), 0);
	fill(payload, sizeof(payload), 9);
	assert_int_equal(tg_ring_write(&f->gr, VMBUS_PKT_COMP, 0, 0xABCDEF,
				       payload, sizeof(payload), &signal), 0);
	/* Empty -> non-empty with the mask clear that attach set. */
	assert_true(signal);
	assert_int_equal(host_ring_peek(&f->hr, buf, sizeof(buf), &d, &bytes),
			 1);
	assert_int_equal(d.type, VMBUS_PKT_COMP);
	assert_int_equal(d.trans_id, 0xABCDEF);
	assert_int_equal(bytes, vmbus_packet_ring_bytes(16 + 777));
	assert_memory_equal(buf, &d, 16);
	assert_memory_equal(buf + 16, payload, sizeof(payload));
}

/* ---- host -> guest ---------------------------------------------------- */

static void test_host_to_guest_packets_wrap(void **state)
{
	struct fixture *f = *state;
	uint8_t payload[2048], got[2048];
	uint32_t lens[400], seed = 99;
	unsigned written = 0, read = 0;
	uint64_t total = 0;
	bool signal, sw;

	assert_int_equal(tg_ring_hdr(&f->gr)->feature_bits &
			 VMBUS_RING_FEAT_PENDING_SEND_SZ, 1);
	while (read < 400) {
		struct vmbus_packet_desc d = {
			.type = VMBUS_PKT_DATA_INBAND, .trans_id = written,
		};
		uint32_t glen;

		if (written < 400) {
			lens[written] = lcg(&seed) % 1500;
			fill(payload, lens[written], written);
			if (host_ring_write(&f->hr, &d, payload, lens[written],
					    &signal) == 0) {
				written++;
				continue;
			}
		}
		/* Full (or all written): the guest takes one packet. */
		assert_int_equal(tg_ring_read(&f->gr, &d, got, sizeof(got),
					      &glen, &sw), 1);
		/* sw may be set: a failed write armed pending_send_sz. */
		(void)sw;
		assert_int_equal(d.trans_id, read);
		assert_int_equal(d.type, VMBUS_PKT_DATA_INBAND);
		assert_int_equal(glen, (lens[read] + 7) & ~7u);
		fill(payload, lens[read], read);
		assert_memory_equal(got, payload, lens[read]);
		total += (uint32_t)d.len8 * 8 + 8;
		read++;
	}
	assert_true(total > 20 * RING_SIZE);
}

/* Exact payload check in the host->guest direction, wrapping. */
static void test_host_packet_contents(void **state)
{
	struct fixture *f = *state;
	uint8_t payload[1001], got[2048];
	struct vmbus_packet_desc d = {
		.type = VMBUS_PKT_COMP, .flags = 0, .trans_id = 42,
	};
	uint32_t glen;
	bool signal, sw;

	for (int round = 0; round < 30; round++) {
		fill(payload, sizeof(payload), (uint32_t)round);
		d.trans_id = (uint64_t)round;
		assert_int_equal(host_ring_write(&f->hr, &d, payload,
						 sizeof(payload), &signal), 0);
		assert_int_equal(d.offset8, 2);
		assert_int_equal(d.len8, (16 + 1001 + 7) / 8);
		assert_true(signal);        /* the guest always emptied it */
		assert_int_equal(tg_ring_read(&f->gr, &d, got, sizeof(got),
					      &glen, &sw), 1);
		assert_int_equal(d.trans_id, (uint64_t)round);
		assert_memory_equal(got, payload, sizeof(payload));
		/* Zero padding after the payload. */
		for (uint32_t i = sizeof(payload); i < glen; i++)
			assert_int_equal(got[i], 0);
	}
}

/* ---- signalling (facts §6.5) ------------------------------------------- */

static void test_signal_reader_only_on_empty_to_non_empty(void **state)
{
	struct fixture *f = *state;
	struct vmbus_packet_desc d = { .type = VMBUS_PKT_DATA_INBAND };
	uint8_t got[64];
	uint32_t glen;
	bool signal, sw;

	assert_int_equal(host_ring_write(&f->hr, &d, "a", 1, &signal), 0);
	assert_true(signal);
	assert_int_equal(host_ring_write(&f->hr, &d, "b", 1, &signal), 0);
	assert_false(signal);
	while (tg_ring_read(&f->gr, &d, got, sizeof(got), &glen, &sw) == 1)
		;
	assert_int_equal(host_ring_write(&f->hr, &d, "c", 1, &signal), 0);
	assert_true(signal);
	tg_ring_read(&f->gr, &d, got, sizeof(got), &glen, &sw);
	/* A reader that masked interrupts is not signalled. */
	tg_ring_hdr(&f->gr)->interrupt_mask = 1;
	assert_int_equal(host_ring_write(&f->hr, &d, "d", 1, &signal), 0);
	assert_false(signal);
}

static void test_host_writer_arms_pending_send_sz(void **state)
{
	struct fixture *f = *state;
	struct vmbus_packet_desc d = { .type = VMBUS_PKT_DATA_INBAND };
	static uint8_t payload[3000], got[4096];
	uint32_t glen, big = vmbus_packet_ring_bytes(16 + 3000);
	bool signal, sw;
	int n = 0;

	/* 1000-byte payloads take 1024 ring bytes: seven fit in 8 KiB. */
	while (host_ring_write(&f->hr, &d, payload, 1000, &signal) == 0)
		n++;
	assert_int_equal(n, 7);
	assert_int_equal(tg_ring_hdr(&f->gr)->pending_send_sz, 1024);
	assert_false(host_ring_can_write(&f->hr, 1000));
	/* A bigger packet announces its own need. */
	assert_int_equal(host_ring_write(&f->hr, &d, payload, 3000, &signal),
			 -1);
	assert_int_equal(tg_ring_hdr(&f->gr)->pending_send_sz, big);
	/* The first read leaves 2048 free: not enough, no signal. */
	assert_int_equal(tg_ring_read(&f->gr, &d, got, sizeof(got), &glen,
				      &sw), 1);
	assert_false(sw);
	/* The second crosses the announced size: signal. */
	assert_int_equal(tg_ring_read(&f->gr, &d, got, sizeof(got), &glen,
				      &sw), 1);
	assert_true(sw);
	assert_true(host_ring_can_write(&f->hr, 3000));
	assert_int_equal(host_ring_write(&f->hr, &d, payload, 3000, &signal),
			 0);
	/* Sent: the announcement is withdrawn. */
	assert_int_equal(tg_ring_hdr(&f->gr)->pending_send_sz, 0);
	/* Never fits at all: refused without arming. */
	assert_int_equal(host_ring_max_payload(&f->hr), RING_SIZE - 32);
	assert_int_equal(host_ring_write(&f->hr, &d, payload,
					 RING_SIZE - 31, &signal), -2);
}

static void test_host_reader_signals_blocked_writer(void **state)
{
	struct fixture *f = *state;
	static uint8_t buf[VMBUS_HOST_MAX_PACKET], payload[1000];
	struct vmbus_ring_header *h = tg_ring_hdr(&f->gr);
	struct vmbus_packet_desc d;
	uint32_t bytes;
	bool signal;
	int n = 0;

	h->feature_bits = VMBUS_RING_FEAT_PENDING_SEND_SZ;
	while (tg_ring_write(&f->gr, VMBUS_PKT_DATA_INBAND, 0, 0, payload,
			     1000, &signal) == 0)
		n++;
	assert_int_equal(n, 7);
	/* The guest writer waits for room for a 3000-byte payload. */
	h->pending_send_sz = vmbus_packet_ring_bytes(16 + 3000);
	assert_int_equal(host_ring_peek(&f->hr, buf, sizeof(buf), &d, &bytes),
			 1);
	assert_int_equal(host_ring_consume(&f->hr, bytes), 0);
	assert_int_equal(host_ring_peek(&f->hr, buf, sizeof(buf), &d, &bytes),
			 1);
	assert_int_equal(host_ring_consume(&f->hr, bytes), 1);
	/* Already had room before: no signal again. */
	assert_int_equal(host_ring_peek(&f->hr, buf, sizeof(buf), &d, &bytes),
			 1);
	assert_int_equal(host_ring_consume(&f->hr, bytes), 0);
	/* Without the feature bit the writer never asked to be told. */
	h->feature_bits = 0;
	h->pending_send_sz = 8 * 1024;
	assert_int_equal(host_ring_peek(&f->hr, buf, sizeof(buf), &d, &bytes),
			 1);
	assert_int_equal(host_ring_consume(&f->hr, bytes), 0);
}

/* ---- malformed rings --------------------------------------------------- */

/* Put a raw descriptor at offset 0 with write_index = `write`, and expect
 * the host's peek to refuse it under `rule`. */
static void expect_bad_packet(struct fixture *f, const char *rule,
			      struct vmbus_packet_desc d, uint32_t write,
			      uint32_t bufsize)
{
	static uint8_t buf[VMBUS_HOST_MAX_PACKET];
	struct vmbus_packet_desc out;
	uint32_t bytes;

	tg_ring_hdr(&f->gr)->read_index = 0;
	tg_ring_hdr(&f->gr)->write_index = 0;
	assert_int_equal(host_ring_attach(&f->hr, &f->tg->mem, ring_pfns,
					  RING_PAGES, HOST_RING_READER, 1), 0);
	tg_ring_copy(&f->gr, 0, &d, sizeof(d), true);
	tg_ring_hdr(&f->gr)->write_index = write;
	TG_EXPECT_REFUSAL(rule,
		assert_int_equal(host_ring_peek(&f->hr, buf, bufsize, &out,
						&bytes), -1));
}

static void test_malformed_packets(void **state)
{
	struct fixture *f = *state;
	struct vmbus_packet_desc good = {
		.type = VMBUS_PKT_DATA_INBAND, .offset8 = 2, .len8 = 4,
	}, d;

	expect_bad_packet(f, "ring.write-index-out-of-range", good, 4,
			  VMBUS_HOST_MAX_PACKET);
	expect_bad_packet(f, "ring.write-index-out-of-range", good, RING_SIZE,
			  VMBUS_HOST_MAX_PACKET);
	expect_bad_packet(f, "ring.write-index-out-of-range", good, 0xFFFFFFF8,
			  VMBUS_HOST_MAX_PACKET);
	expect_bad_packet(f, "ring.partial-packet", good, 16,
			  VMBUS_HOST_MAX_PACKET);
	d = good;
	d.type = 7;
	expect_bad_packet(f, "ring.unknown-packet-type", d, 40,
			  VMBUS_HOST_MAX_PACKET);
	d = good;
	d.offset8 = 1;
	expect_bad_packet(f, "ring.data-offset-inside-descriptor", d, 40,
			  VMBUS_HOST_MAX_PACKET);
	d = good;
	d.offset8 = 5;
	expect_bad_packet(f, "ring.data-offset-beyond-packet", d, 40,
			  VMBUS_HOST_MAX_PACKET);
	/* len8 4 = 32 bytes + 8 trailer, only 32 written. */
	expect_bad_packet(f, "ring.packet-beyond-ring", good, 32,
			  VMBUS_HOST_MAX_PACKET);
	d = good;
	d.len8 = 0xFFFF;
	expect_bad_packet(f, "ring.packet-beyond-ring", d, 40,
			  VMBUS_HOST_MAX_PACKET);
	expect_bad_packet(f, "ring.packet-too-large", good, 40, 24);
	d = good;
	d.flags = 2;
	expect_bad_packet(f, "ring.unknown-packet-flags", d, 40,
			  VMBUS_HOST_MAX_PACKET);
	/* And the good one passes. */
	TG_EXPECT_NO_REFUSAL(({
		static uint8_t b[64];
		struct vmbus_packet_desc o;
		uint32_t n;

		tg_ring_hdr(&f->gr)->write_index = 0;
		tg_ring_copy(&f->gr, 0, &good, sizeof(good), true);
		tg_ring_hdr(&f->gr)->write_index = 40;
		assert_int_equal(host_ring_peek(&f->hr, b, sizeof(b), &o, &n),
				 1);
	}));
}

static void test_malformed_indices(void **state)
{
	struct fixture *f = *state;
	struct host_ring w;
	struct vmbus_packet_desc d = { .type = VMBUS_PKT_DATA_INBAND };
	bool signal;
	uint64_t outside[3] = { 300, 120, TG_RAM_SIZE / TG_PAGE };

	/* Writer: the guest's read index is checked on every write. */
	assert_int_equal(host_ring_attach(&w, &f->tg->mem, ring_pfns,
					  RING_PAGES, HOST_RING_WRITER, 1), 0);
	tg_ring_hdr(&f->gr)->read_index = 12;
	assert_false(host_ring_can_write(&w, 8));
	TG_EXPECT_REFUSAL("ring.read-index-out-of-range",
		assert_int_equal(host_ring_write(&w, &d, "x", 1, &signal), -2));
	tg_ring_hdr(&f->gr)->read_index = RING_SIZE;
	TG_EXPECT_REFUSAL("ring.read-index-out-of-range",
		assert_int_equal(host_ring_write(&w, &d, "x", 1, &signal), -2));
	/* Attach: our own index must start sane too. */
	TG_EXPECT_REFUSAL("ring.initial-index-invalid",
		assert_int_equal(host_ring_attach(&w, &f->tg->mem, ring_pfns,
						  RING_PAGES, HOST_RING_READER,
						  1), -1));
	/* Pages outside RAM are never used, even if a GPADL let them in. */
	TG_EXPECT_REFUSAL("ring.page-not-ram",
		assert_int_equal(host_ring_attach(&w, &f->tg->mem, outside, 3,
						  HOST_RING_WRITER, 1), -1));
	TG_EXPECT_REFUSAL("ring.too-small",
		assert_int_equal(host_ring_attach(&w, &f->tg->mem, ring_pfns,
						  1, HOST_RING_WRITER, 1), -1));
}

/* ---- a malformed ring closes only its own channel ---------------------- */

struct drain_svc {
	unsigned signals, closes, packets;
	int last_rc;
	struct vmbus_channel *ch;
};

static uint32_t drain_open(void *svc, struct vmbus_channel *ch)
{
	((struct drain_svc *)svc)->ch = ch;
	return 0;
}

static void drain_close(void *svc, struct vmbus_channel *ch)
{
	(void)ch;
	((struct drain_svc *)svc)->closes++;
}

static void drain_signal(void *svc, struct vmbus_channel *ch)
{
	struct drain_svc *s = svc;
	struct vmbus_pkt pkt;

	s->signals++;
	while ((s->last_rc = vmbus_chan_peek(ch, &pkt)) == 1) {
		s->packets++;
		vmbus_chan_consume(ch);
	}
}

static const struct vmbus_service_ops drain_ops = {
	.open = drain_open, .close = drain_close, .signal = drain_signal,
};

static void test_broken_channel_leaves_others_working(void **state)
{
	struct tg *tg = tg_new();
	struct drain_svc s[2] = { { 0 } };
	uint64_t pfns[2][4];
	struct tg_ring out[2], in[2];
	struct vmbus_packet_desc bad = {
		.type = 0x42, .offset8 = 2, .len8 = 2,
	};
	bool signal;

	(void)state;
	for (int i = 0; i < 2; i++) {
		struct vmbus_service svc = tg_echo_service();

		svc.ops = &drain_ops;
		svc.ctx = &s[i];
		assert_int_equal(vmbus_register_service(tg->host, &svc), i);
	}
	tg_connect(tg, VMBUS_VERSION(5, 3));
	tg_request_offers(tg, 2, NULL);
	for (int i = 0; i < 2; i++) {
		for (int p = 0; p < 4; p++)
			pfns[i][p] = tg_alloc_pfn(tg);
		assert_int_equal(tg_create_gpadl(tg, (uint32_t)i + 1,
						 (uint32_t)i + 10, pfns[i], 4),
				 0);
		assert_int_equal(tg_open(tg, (uint32_t)i + 1, (uint32_t)i + 10,
					 2, 0), 0);
		out[i] = tg_ring_of(tg, pfns[i], 2);
		in[i] = tg_ring_of(tg, pfns[i] + 2, 2);
	}

	/* Channel 1 gets a packet of an unknown type. */
	tg_ring_copy(&out[0], 0, &bad, sizeof(bad), true);
	tg_ring_hdr(&out[0])->write_index = 24;
	TG_EXPECT_REFUSAL("ring.unknown-packet-type", tg_signal(tg, 1));
	assert_int_equal(s[0].last_rc, -1);
	assert_int_equal(s[0].closes, 1);
	/* From then on it is dead to the host, quietly. */
	TG_EXPECT_NO_REFUSAL(assert_int_equal(tg_signal(tg, 1),
					      HV_STATUS_SUCCESS));
	assert_int_equal(s[0].signals, 1);
	assert_int_equal(vmbus_chan_send(s[0].ch, VMBUS_PKT_DATA_INBAND, 0, 0,
					 "x", 1), -2);
	assert_false(vmbus_chan_can_send(s[0].ch, 1));
	assert_int_equal(vmbus_chan_max_payload(s[0].ch), 0);

	/* Channel 2 works on. */
	assert_int_equal(tg_ring_write(&out[1], VMBUS_PKT_DATA_INBAND, 0, 5,
				       "hello", 5, &signal), 0);
	assert_true(signal);
	tg_signal(tg, 2);
	assert_int_equal(s[1].packets, 1);
	assert_int_equal(s[1].last_rc, 0);

	/* The guest closes channel 1: the service is not closed twice, the
	 * GPADL can go, and a fresh open works. */
	tg_close(tg, 1);
	assert_int_equal(s[0].closes, 1);
	tg_teardown(tg, 1, 10);
	tg_expect(tg, VMBUS_MSG_GPADL_TORNDOWN, (uint8_t[TG_MSG_MAX]){ 0 });
	memset(tg_page(tg, pfns[0][0]), 0, TG_PAGE);
	assert_int_equal(tg_create_gpadl(tg, 1, 12, pfns[0], 4), 0);
	assert_int_equal(tg_open(tg, 1, 12, 2, 0), 0);
	assert_int_equal(vmbus_chan_send(s[0].ch, VMBUS_PKT_DATA_INBAND, 0, 0,
					 "x", 1), 0);

	/* Host->guest: a bad read index in channel 2's inbound ring. */
	tg_ring_hdr(&in[1])->read_index = 3;
	TG_EXPECT_REFUSAL("ring.read-index-out-of-range",
		assert_int_equal(vmbus_chan_send(s[1].ch, VMBUS_PKT_DATA_INBAND,
						 0, 0, "x", 1), -2));
	assert_int_equal(s[1].closes, 1);
	assert_int_equal(vmbus_chan_peek(s[1].ch, &(struct vmbus_pkt){ 0 }),
			 -1);
	/* Channel 1 (reopened) is unaffected. */
	assert_int_equal(vmbus_chan_send(s[0].ch, VMBUS_PKT_DATA_INBAND, 0, 0,
					 "y", 1), 0);
	tg_free(tg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_copy_crosses_pages_and_wraps, setup_writer, teardown),
		cmocka_unit_test_setup_teardown(test_guest_to_host_packets_wrap, setup_reader, teardown),
		cmocka_unit_test_setup_teardown(test_guest_packet_contents, setup_reader, teardown),
		cmocka_unit_test_setup_teardown(test_host_to_guest_packets_wrap, setup_writer, teardown),
		cmocka_unit_test_setup_teardown(test_host_packet_contents, setup_writer, teardown),
		cmocka_unit_test_setup_teardown(test_signal_reader_only_on_empty_to_non_empty, setup_writer, teardown),
		cmocka_unit_test_setup_teardown(test_host_writer_arms_pending_send_sz, setup_writer, teardown),
		cmocka_unit_test_setup_teardown(test_host_reader_signals_blocked_writer, setup_reader, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_packets, setup_reader, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_indices, setup_reader, teardown),
		cmocka_unit_test(test_broken_channel_leaves_others_working),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
