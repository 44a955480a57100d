// SPDX-License-Identifier: MIT
/*
 * Host tests of the guest's echo traffic driver (guest/echo.c) over the
 * guest ring code, against a simulated echo host that follows facts §6:
 * it drains the guest->host ring when signalled, echoes each packet into
 * the host->guest ring, and when that ring is full arms pending_send_sz
 * and stops until the guest signals it as a reader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "guest/echo.c"
#include "guest/ring.c"

#define RING_BYTES (4 * 4096u)      /* as the guest kernel uses */
#define DATA (RING_BYTES - 4096u)

/* One ring as the host sees it: plain offsets, byte-wise access. */
struct host_ring {
	uint8_t *mem;
};

enum { H_WRITE = 0, H_READ = 4, H_MASK = 8, H_PENDING = 12, H_FEATURES = 64 };

static uint32_t get32(const struct host_ring *r, unsigned off)
{
	uint32_t v;

	memcpy(&v, r->mem + off, 4);
	return v;
}

static void put32(struct host_ring *r, unsigned off, uint32_t v)
{
	memcpy(r->mem + off, &v, 4);
}

static uint8_t *byte_at(struct host_ring *r, uint32_t off)
{
	return r->mem + 4096 + off % DATA;
}

static uint64_t get64(struct host_ring *r, uint32_t off)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | *byte_at(r, off + (uint32_t)i);
	return v;
}

static void put64(struct host_ring *r, uint32_t off, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		*byte_at(r, off + (uint32_t)i) = (uint8_t)(v >> (8 * i));
}

static uint32_t used(struct host_ring *r)
{
	return (get32(r, H_WRITE) + DATA - get32(r, H_READ)) % DATA;
}

struct sim_host {
	struct host_ring out;         /* guest -> host: we read */
	struct host_ring in;          /* host -> guest: we write */
	bool dead;                    /* never answers */
	int corrupt_seq;              /* flip a payload byte of this packet */
	int wrong_trans_seq;          /* change this packet's trans id */
	unsigned echoed;
	unsigned signals_received;
	unsigned times_blocked;       /* in ring full: pending_send_sz armed */
	unsigned interrupts_to_guest; /* in ring empty -> non-empty, unmasked */
	unsigned writer_wakeups;      /* guest's pending_send_sz satisfied */
	unsigned relax_calls;
};

/* Drain the guest->host ring as far as the host->guest ring allows. */
static bool sim_signal(void *ctx)
{
	struct sim_host *h = ctx;

	h->signals_received++;
	if (h->dead)
		return true;
	while (used(&h->out)) {
		uint32_t r = get32(&h->out, H_READ);
		uint64_t d = get64(&h->out, r);
		uint32_t offset8 = (uint16_t)(d >> 16), len8 = (uint16_t)(d >> 32);
		uint32_t total = len8 * 8 + 8;
		uint64_t trans = get64(&h->out, r + 8);

		assert_int_equal(offset8, 2);
		assert_int_equal(get64(&h->out, r + len8 * 8), (uint64_t)r << 32);

		/* Room for the echo?  The writer must leave >= 1 byte free. */
		if (total >= DATA - used(&h->in)) {
			put32(&h->in, H_PENDING, total);
			h->times_blocked++;
			return true;
		}
		put32(&h->in, H_PENDING, 0);

		uint32_t w = get32(&h->in, H_WRITE);
		bool was_empty = used(&h->in) == 0;
		uint32_t seq = (uint32_t)(trans & 0xFFFFFFFF);

		if ((int)seq == h->wrong_trans_seq)
			trans ^= 0x100;
		put64(&h->in, w, (d & 0xFFFFFFFFFFFFull));   /* flags 0 */
		put64(&h->in, w + 8, trans);
		for (uint32_t i = 16; i < len8 * 8; i++)
			*byte_at(&h->in, w + i) = *byte_at(&h->out, r + i);
		if ((int)seq == h->corrupt_seq)
			*byte_at(&h->in, w + 16 + 3) ^= 0x40;
		put64(&h->in, w + len8 * 8, (uint64_t)w << 32);
		put32(&h->in, H_WRITE, (w + total) % DATA);
		if (was_empty && get32(&h->in, H_MASK) == 0)
			h->interrupts_to_guest++;

		/* Consume from the guest's ring; wake it if it waits. */
		uint32_t free_before = DATA - used(&h->out);

		put32(&h->out, H_READ, (r + total) % DATA);
		uint32_t free_after = DATA - used(&h->out);
		uint32_t pending = get32(&h->out, H_PENDING);

		if ((get32(&h->out, H_FEATURES) & 1) && pending &&
		    free_before <= pending && free_after > pending)
			h->writer_wakeups++;
		h->echoed++;
	}
	return true;
}

static void sim_relax(void *ctx)
{
	((struct sim_host *)ctx)->relax_calls++;
}

struct fixture {
	uint8_t *mem;
	struct guest_ring out, in;
	struct sim_host host;
	struct echo_config cfg;
	struct echo_stats st;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->mem = aligned_alloc(4096, 2 * RING_BYTES);
	assert_non_null(f->mem);
	memset(f->mem, 0, 2 * RING_BYTES);
	guest_ring_init(&f->out, f->mem, RING_BYTES);
	guest_ring_init(&f->in, f->mem + RING_BYTES, RING_BYTES);
	guest_ring_set_features(&f->out);
	guest_ring_set_features(&f->in);
	f->host.out.mem = f->mem;
	f->host.in.mem = f->mem + RING_BYTES;
	f->host.corrupt_seq = -1;
	f->host.wrong_trans_seq = -1;
	f->cfg = (struct echo_config){
		.packets = 1024, .window = 24, .idle_limit = 1000,
		.signal_host = sim_signal, .relax = sim_relax, .ctx = &f->host,
	};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->mem);
	free(f);
	return 0;
}

static void test_full_exchange_with_flow_control(void **state)
{
	struct fixture *f = *state;

	assert_true(echo_run(&f->cfg, &f->out, &f->in, &f->st));
	assert_int_equal(f->st.sent, 1024);
	assert_int_equal(f->st.received, 1024);
	assert_int_equal(f->st.verified, 1024);
	assert_int_equal(f->host.echoed, 1024);
	assert_false(f->st.timed_out);
	assert_false(f->st.malformed);
	/* Both rings wrapped many times. */
	assert_true(f->out.wrapped_packets > 10);
	assert_true(f->in.wrapped_packets > 10);
	/* The window overfills the 12 KiB rings: the host blocked on the
	 * inbound ring and the guest woke it as a reader; the guest blocked
	 * on the outbound ring and armed pending_send_sz. */
	assert_true(f->host.times_blocked > 0);
	assert_true(f->st.signals_as_reader > 0);
	assert_true(f->st.outbound_full > 0);
	assert_true(f->host.writer_wakeups > 0);
	assert_true(f->st.max_in_flight > 16 && f->st.max_in_flight <= 24);
	/* Every guest signal was one the rules asked for. */
	assert_int_equal(f->host.signals_received,
			 f->st.signals_as_writer + f->st.signals_as_reader);
	/* pending_send_sz withdrawn at the end. */
	assert_int_equal(get32(&f->host.out, H_PENDING), 0);
}

static void test_one_packet_in_flight(void **state)
{
	struct fixture *f = *state;

	f->cfg.window = 1;
	assert_true(echo_run(&f->cfg, &f->out, &f->in, &f->st));
	assert_int_equal(f->st.verified, 1024);
	/* Every write found the ring empty, so every write signalled. */
	assert_int_equal(f->st.signals_as_writer, 1024);
	assert_int_equal(f->st.signals_as_reader, 0);
	assert_int_equal(f->st.outbound_full, 0);
	assert_int_equal(f->host.interrupts_to_guest, 1024);
}

static void test_corrupted_byte_is_caught(void **state)
{
	struct fixture *f = *state;

	f->host.corrupt_seq = 17;
	assert_false(echo_run(&f->cfg, &f->out, &f->in, &f->st));
	assert_int_equal(f->st.bad_data, 1);
	assert_int_equal(f->st.first_bad_seq, 17);
	assert_int_equal(f->st.verified, 1023);
	assert_int_equal(f->st.received, 1024);
}

static void test_wrong_transaction_id_is_caught(void **state)
{
	struct fixture *f = *state;

	f->host.wrong_trans_seq = 5;
	assert_false(echo_run(&f->cfg, &f->out, &f->in, &f->st));
	assert_int_equal(f->st.bad_trans_id, 1);
	assert_int_equal(f->st.first_bad_seq, 5);
}

static void test_silent_host_times_out(void **state)
{
	struct fixture *f = *state;

	f->host.dead = true;
	assert_false(echo_run(&f->cfg, &f->out, &f->in, &f->st));
	assert_true(f->st.timed_out);
	assert_int_equal(f->st.received, 0);
	assert_int_equal(f->host.relax_calls, f->cfg.idle_limit);
	assert_true(f->st.sent >= 6 && f->st.sent <= 24);  /* then nothing */
}

static void test_malformed_inbound_ring_stops(void **state)
{
	struct fixture *f = *state;

	put32(&f->host.in, H_WRITE, 12);     /* not a multiple of 8 */
	assert_false(echo_run(&f->cfg, &f->out, &f->in, &f->st));
	assert_true(f->st.malformed);
}

static void test_pattern_split_spans_and_padding(void **state)
{
	(void)state;
	uint64_t buf[300];
	struct echo_pattern fill, check;

	for (uint32_t len = 1; len <= 2048; len += 37) {
		uint32_t words = (len + 7) / 8;
		uint32_t split = words / 3;

		memset(buf, 0xAA, sizeof(buf));
		echo_pattern_start(&fill, 42, len);
		echo_pattern_fill(&fill, buf, split);
		echo_pattern_fill(&fill, buf + split, words - split);
		/* Bytes past the length are zero (facts §6.3 padding). */
		const uint8_t *bytes = (const uint8_t *)buf;

		for (uint32_t i = len; i < words * 8; i++)
			assert_int_equal(bytes[i], 0);

		echo_pattern_start(&check, 42, len);
		assert_true(echo_pattern_check(&check, buf, split + 1 <= words ? split : words));
		assert_true(echo_pattern_check(&check, buf + split, words - split));
		assert_false(check.mismatch);

		/* Any flipped bit is found, at the right word. */
		buf[words - 1] ^= 1ull << ((len - 1) % 8 * 8);
		echo_pattern_start(&check, 42, len);
		assert_false(echo_pattern_check(&check, buf, words));
		assert_true(check.mismatch);
		assert_int_equal(check.mismatch_word, words - 1);
	}
	/* Different packets get different patterns. */
	echo_pattern_start(&fill, 1, 64);
	echo_pattern_fill(&fill, buf, 8);
	echo_pattern_start(&check, 2, 64);
	assert_false(echo_pattern_check(&check, buf, 8));
}

static void test_mismatch_found_at_every_word(void **state)
{
	(void)state;
	uint64_t buf[64];
	struct echo_pattern p;

	for (uint32_t len = 8 * 64 - 3; len <= 8 * 64; len += 3) {
		uint32_t words = (len + 7) / 8;

		for (uint32_t bad = 0; bad < words; bad++) {
			echo_pattern_start(&p, 9, len);
			echo_pattern_fill(&p, buf, words);
			buf[bad] ^= 1;
			echo_pattern_start(&p, 9, len);
			assert_false(echo_pattern_check(&p, buf, words));
			assert_int_equal(p.mismatch_word, bad);
		}
	}
}

static void test_packet_sizes(void **state)
{
	(void)state;
	uint32_t min = ~0u, max = 0;
	uint64_t sum = 0;

	for (uint32_t seq = 0; seq < 1024; seq++) {
		uint32_t s = echo_packet_size(seq);

		assert_true(s >= ECHO_MIN_SIZE && s <= ECHO_MAX_SIZE);
		min = s < min ? s : min;
		max = s > max ? s : max;
		sum += s;
	}
	assert_true(min < 64);
	assert_true(max > 1984);
	assert_true(sum / 1024 > 800 && sum / 1024 < 1250);
	assert_int_equal(echo_trans_id(7), ECHO_TRANS_TAG | 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full_exchange_with_flow_control, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_packet_in_flight, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupted_byte_is_caught, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_transaction_id_is_caught, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silent_host_times_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_inbound_ring_stops, setup, teardown),
		cmocka_unit_test(test_pattern_split_spans_and_padding),
		cmocka_unit_test(test_mismatch_found_at_every_word),
		cmocka_unit_test(test_packet_sizes),
	};

	return cmocka_run_group_tests_name("guest echo traffic", tests, NULL, NULL);
}
