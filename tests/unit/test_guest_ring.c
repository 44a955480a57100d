// SPDX-License-Identifier: MIT
/*
 * Host tests of the guest ring code (guest/ring.c) against an independent,
 * byte-by-byte model of the other side of the ring (facts §6): packet
 * layout, trailer, wrap-around, the "never completely full" rule, and the
 * two signalling rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "guest/ring.c"

#define TEST_RING_BYTES (2 * 4096u)      /* header + 4 KiB of data */
#define DATA_SIZE (TEST_RING_BYTES - 4096u)

struct fixture {
	uint8_t *mem;                 /* header page + data */
	struct guest_ring ring;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->mem = aligned_alloc(4096, TEST_RING_BYTES);
	assert_non_null(f->mem);
	memset(f->mem, 0, TEST_RING_BYTES);
	guest_ring_init(&f->ring, f->mem, TEST_RING_BYTES);
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

/* ---- the other side, written without guest/ring.c ----------------- */

static uint32_t hdr_u32(const uint8_t *mem, unsigned off)
{
	uint32_t v;

	memcpy(&v, mem + off, 4);
	return v;
}

static void set_hdr_u32(uint8_t *mem, unsigned off, uint32_t v)
{
	memcpy(mem + off, &v, 4);
}

enum { H_WRITE = 0, H_READ = 4, H_MASK = 8, H_PENDING = 12, H_FEATURES = 64 };

static uint8_t data_byte(const uint8_t *mem, uint32_t off)
{
	return mem[4096 + off % DATA_SIZE];
}

static void set_data_byte(uint8_t *mem, uint32_t off, uint8_t v)
{
	mem[4096 + off % DATA_SIZE] = v;
}

static uint64_t data_u64(const uint8_t *mem, uint32_t off)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | data_byte(mem, off + (uint32_t)i);
	return v;
}

static void set_data_u64(uint8_t *mem, uint32_t off, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		set_data_byte(mem, off + (uint32_t)i, (uint8_t)(v >> (8 * i)));
}

struct model_packet {
	uint16_t type, offset8, len8, flags;
	uint64_t trans_id;
	uint8_t payload[4096];
	uint32_t payload_len;
};

/* Read one packet as a host would; checks the trailer.  0 if empty. */
static int model_read(uint8_t *mem, struct model_packet *p)
{
	uint32_t w = hdr_u32(mem, H_WRITE), r = hdr_u32(mem, H_READ);

	if (w == r)
		return 0;
	uint64_t d = data_u64(mem, r);

	p->type = (uint16_t)d;
	p->offset8 = (uint16_t)(d >> 16);
	p->len8 = (uint16_t)(d >> 32);
	p->flags = (uint16_t)(d >> 48);
	p->trans_id = data_u64(mem, r + 8);
	p->payload_len = (p->len8 - p->offset8) * 8u;
	for (uint32_t i = 0; i < p->payload_len; i++)
		p->payload[i] = data_byte(mem, r + p->offset8 * 8u + i);
	assert_int_equal(data_u64(mem, r + p->len8 * 8u), (uint64_t)r << 32);
	set_hdr_u32(mem, H_READ, (r + p->len8 * 8u + 8u) % DATA_SIZE);
	return 1;
}

/* Write one in-band packet as a host would.  0 if it does not fit. */
static int model_write(uint8_t *mem, uint64_t trans_id, const uint8_t *payload,
		       uint32_t len)
{
	uint32_t w = hdr_u32(mem, H_WRITE), r = hdr_u32(mem, H_READ);
	uint32_t len8 = (16 + len + 7) / 8;
	uint32_t total = len8 * 8 + 8;
	uint32_t used = (w + DATA_SIZE - r) % DATA_SIZE;

	if (total >= DATA_SIZE - used)
		return 0;
	set_data_u64(mem, w, 6u | (2ull << 16) | ((uint64_t)len8 << 32));
	set_data_u64(mem, w + 8, trans_id);
	for (uint32_t i = 0; i < len8 * 8 - 16; i++)
		set_data_byte(mem, w + 16 + i, i < len ? payload[i] : 0);
	set_data_u64(mem, w + len8 * 8, (uint64_t)w << 32);
	set_hdr_u32(mem, H_WRITE, (w + total) % DATA_SIZE);
	return 1;
}

static void place_indices(struct fixture *f, uint32_t at)
{
	set_hdr_u32(f->mem, H_WRITE, at);
	set_hdr_u32(f->mem, H_READ, at);
}

static void fill_bytes(uint8_t *buf, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed * 31 + i * 13 + (i >> 8));
}

/* ---- writer -------------------------------------------------------- */

static void test_packet_layout(void **state)
{
	struct fixture *f = *state;
	uint8_t payload[13];
	bool signal;
	struct model_packet p;

	fill_bytes(payload, sizeof(payload), 1);
	assert_int_equal(guest_ring_send(&f->ring, VMBUS_PKT_DATA_INBAND, 1,
					 0x1122334455667788ull, payload,
					 sizeof(payload), &signal),
			 GUEST_RING_OK);
	/* 16 descriptor + 13 payload -> 32 bytes (len8 4), + 8 trailer. */
	assert_int_equal(hdr_u32(f->mem, H_WRITE), 40);
	assert_int_equal(guest_ring_packet_bytes(13), 40);
	assert_int_equal(data_u64(f->mem, 0),
			 6u | (2ull << 16) | (4ull << 32) | (1ull << 48));
	assert_int_equal(data_u64(f->mem, 8), 0x1122334455667788ull);
	assert_memory_equal(f->mem + 4096 + 16, payload, 13);
	for (int i = 13; i < 16; i++)
		assert_int_equal(f->mem[4096 + 16 + i], 0);   /* zero padding */
	assert_int_equal(data_u64(f->mem, 32), 0);        /* trailer: 0 << 32 */

	assert_int_equal(model_read(f->mem, &p), 1);
	assert_int_equal(p.type, VMBUS_PKT_DATA_INBAND);
	assert_int_equal(p.offset8, 2);
	assert_int_equal(p.len8, 4);
	assert_int_equal(p.payload_len, 16);
	assert_memory_equal(p.payload, payload, 13);
}

static void test_signal_reader_rule(void **state)
{
	struct fixture *f = *state;
	uint8_t payload[24] = { 0 };
	bool signal;
	struct model_packet p;

	/* Empty -> non-empty with interrupts unmasked: signal. */
	guest_ring_send(&f->ring, 6, 0, 1, payload, 24, &signal);
	assert_true(signal);
	/* Host has not read yet: the ring was not empty, no signal. */
	guest_ring_send(&f->ring, 6, 0, 2, payload, 24, &signal);
	assert_false(signal);
	/* Host drains: next write signals again. */
	while (model_read(f->mem, &p))
		;
	guest_ring_send(&f->ring, 6, 0, 3, payload, 24, &signal);
	assert_true(signal);
	/* Host masked interrupts (it is polling): never signal. */
	while (model_read(f->mem, &p))
		;
	set_hdr_u32(f->mem, H_MASK, 1);
	guest_ring_send(&f->ring, 6, 0, 4, payload, 24, &signal);
	assert_false(signal);
}

static void test_write_wraps_around_end(void **state)
{
	struct fixture *f = *state;
	uint8_t payload[100];
	bool signal;
	struct model_packet p;
	uint32_t start = DATA_SIZE - 24;  /* descriptor fits, payload wraps */

	place_indices(f, start);
	fill_bytes(payload, sizeof(payload), 7);
	assert_int_equal(guest_ring_send(&f->ring, 6, 0, 99, payload, 100,
					 &signal), GUEST_RING_OK);
	assert_true(signal);
	assert_int_equal(f->ring.wrapped_packets, 1);
	assert_int_equal(f->ring.index_wraps, 1);
	assert_int_equal(hdr_u32(f->mem, H_WRITE),
			 (start + guest_ring_packet_bytes(100)) % DATA_SIZE);

	assert_int_equal(model_read(f->mem, &p), 1);    /* checks trailer */
	assert_int_equal(p.trans_id, 99);
	assert_memory_equal(p.payload, payload, 100);
}

static void test_write_wraps_at_every_offset(void **state)
{
	struct fixture *f = *state;
	uint8_t payload[200];
	struct model_packet p;
	bool signal;

	/* Every 8-byte start position near the end, so the wrap falls in
	 * the descriptor, the payload and the trailer in turn. */
	for (uint32_t back = 8; back <= 240; back += 8) {
		place_indices(f, DATA_SIZE - back);
		fill_bytes(payload, sizeof(payload), back);
		assert_int_equal(guest_ring_send(&f->ring, 6, 0, back, payload,
						 sizeof(payload), &signal),
				 GUEST_RING_OK);
		assert_int_equal(model_read(f->mem, &p), 1);
		assert_int_equal(p.trans_id, back);
		assert_memory_equal(p.payload, payload, sizeof(payload));
	}
}

static void test_ring_never_fills_completely(void **state)
{
	struct fixture *f = *state;
	uint8_t payload[64] = { 0 };
	bool signal;
	unsigned written = 0;
	uint32_t per_packet = guest_ring_packet_bytes(64);   /* 88 bytes */

	while (guest_ring_send(&f->ring, 6, 0, written, payload, 64, &signal) ==
	       GUEST_RING_OK)
		written++;
	/* Free space must stay strictly larger than the packet (facts §6.2):
	 * 4096 / 88 = 46 packets use 4048 bytes, leaving 48 < 88. */
	assert_int_equal(written, (DATA_SIZE - 1) / per_packet);
	assert_int_not_equal(hdr_u32(f->mem, H_WRITE), hdr_u32(f->mem, H_READ));
	/* A packet that would leave exactly 0 bytes free is refused too. */
	place_indices(f, 0);
	assert_int_equal(guest_ring_send(&f->ring, 6, 0, 0, payload,
					 DATA_SIZE - 24, &signal),
			 GUEST_RING_TOO_BIG);
}

static void test_pending_send_request(void **state)
{
	struct fixture *f = *state;

	guest_ring_set_pending_send(&f->ring, 1234);
	assert_int_equal(hdr_u32(f->mem, H_PENDING), 1234);
	guest_ring_set_pending_send(&f->ring, 0);
	assert_int_equal(hdr_u32(f->mem, H_PENDING), 0);
	guest_ring_set_features(&f->ring);
	assert_int_equal(hdr_u32(f->mem, H_FEATURES), VMBUS_RING_FEAT_PENDING_SEND_SZ);
}

/* ---- reader -------------------------------------------------------- */

static void test_peek_copy_consume(void **state)
{
	struct fixture *f = *state;
	uint8_t payload[300], out[400];
	struct guest_ring_packet pkt;

	assert_int_equal(guest_ring_peek(&f->ring, &pkt), 0);
	fill_bytes(payload, sizeof(payload), 3);
	assert_true(model_write(f->mem, 0xABCD, payload, 300));

	assert_int_equal(guest_ring_peek(&f->ring, &pkt), 1);
	assert_int_equal(pkt.desc.type, VMBUS_PKT_DATA_INBAND);
	assert_int_equal(pkt.desc.trans_id, 0xABCD);
	assert_int_equal(pkt.payload_len, 304);
	assert_int_equal(pkt.total, guest_ring_packet_bytes(300));
	assert_int_equal(guest_ring_copy_payload(&f->ring, &pkt, out, sizeof(out)), 304);
	assert_memory_equal(out, payload, 300);
	/* Peek does not consume. */
	assert_int_equal(guest_ring_peek(&f->ring, &pkt), 1);
	guest_ring_consume(&f->ring, &pkt);
	assert_int_equal(hdr_u32(f->mem, H_READ), pkt.total);
	assert_int_equal(guest_ring_peek(&f->ring, &pkt), 0);
}

static void test_read_wraps_around_end(void **state)
{
	struct fixture *f = *state;
	uint8_t payload[500], out[512];
	struct guest_ring_packet pkt;

	for (uint32_t back = 8; back <= 520; back += 8) {
		place_indices(f, DATA_SIZE - back);
		f->ring.wrapped_packets = 0;
		fill_bytes(payload, sizeof(payload), back);
		assert_true(model_write(f->mem, back, payload, sizeof(payload)));
		assert_int_equal(guest_ring_peek(&f->ring, &pkt), 1);
		assert_int_equal(pkt.desc.trans_id, back);
		memset(out, 0, sizeof(out));
		guest_ring_copy_payload(&f->ring, &pkt, out, sizeof(out));
		assert_memory_equal(out, payload, sizeof(payload));
		guest_ring_consume(&f->ring, &pkt);
		assert_int_equal(f->ring.wrapped_packets, 1);
		assert_int_equal(hdr_u32(f->mem, H_READ), hdr_u32(f->mem, H_WRITE));
	}
}

static void test_malformed_ring_detected(void **state)
{
	struct fixture *f = *state;
	uint8_t payload[32] = { 0 };
	struct guest_ring_packet pkt;

	/* offset8 below the descriptor size */
	model_write(f->mem, 1, payload, 32);
	set_data_u64(f->mem, 0, 6u | (1ull << 16) | (6ull << 32));
	assert_int_equal(guest_ring_peek(&f->ring, &pkt), -1);
	/* len8 < offset8 */
	set_data_u64(f->mem, 0, 6u | (2ull << 16) | (1ull << 32));
	assert_int_equal(guest_ring_peek(&f->ring, &pkt), -1);
	/* packet longer than what was published */
	set_data_u64(f->mem, 0, 6u | (2ull << 16) | (60ull << 32));
	assert_int_equal(guest_ring_peek(&f->ring, &pkt), -1);
	/* bad trailer */
	set_data_u64(f->mem, 0, 6u | (2ull << 16) | (6ull << 32));
	assert_int_equal(guest_ring_peek(&f->ring, &pkt), 1);
	set_data_u64(f->mem, 48, 8ull << 32);
	assert_int_equal(guest_ring_peek(&f->ring, &pkt), -1);
	/* misaligned or out-of-range write index */
	set_hdr_u32(f->mem, H_WRITE, 13);
	assert_int_equal(guest_ring_peek(&f->ring, &pkt), -1);
	set_hdr_u32(f->mem, H_WRITE, DATA_SIZE);
	assert_int_equal(guest_ring_peek(&f->ring, &pkt), -1);
	/* fewer bytes than a descriptor and trailer */
	place_indices(f, 0);
	set_hdr_u32(f->mem, H_WRITE, 16);
	assert_int_equal(guest_ring_peek(&f->ring, &pkt), -1);
}

static void test_signal_writer_rule(void **state)
{
	struct fixture *f = *state;
	uint8_t payload[1000] = { 0 };
	struct guest_ring_packet pkt;
	uint32_t per_packet = guest_ring_packet_bytes(1000);  /* 1024 */

	/* Host fills the ring: 3 packets (3072 bytes) leave 1024 free,
	 * not enough for a 4th (needs > 1024). */
	for (int i = 0; i < 3; i++)
		assert_true(model_write(f->mem, i, payload, 1000));
	assert_false(model_write(f->mem, 3, payload, 1000));
	set_hdr_u32(f->mem, H_FEATURES, VMBUS_RING_FEAT_PENDING_SEND_SZ);
	set_hdr_u32(f->mem, H_PENDING, per_packet);

	/* First read: free goes 1024 -> 2048, crossing 1024: signal. */
	assert_int_equal(guest_ring_peek(&f->ring, &pkt), 1);
	assert_true(guest_ring_consume(&f->ring, &pkt));
	/* Second read: the writer was not blocked before it: no signal. */
	assert_int_equal(guest_ring_peek(&f->ring, &pkt), 1);
	assert_false(guest_ring_consume(&f->ring, &pkt));

	/* Without the feature bit, or without a request, never signal. */
	for (int i = 0; i < 2; i++)
		assert_true(model_write(f->mem, 10 + i, payload, 1000));
	set_hdr_u32(f->mem, H_FEATURES, 0);
	assert_int_equal(guest_ring_peek(&f->ring, &pkt), 1);
	assert_false(guest_ring_consume(&f->ring, &pkt));
	set_hdr_u32(f->mem, H_FEATURES, VMBUS_RING_FEAT_PENDING_SEND_SZ);
	set_hdr_u32(f->mem, H_PENDING, 0);
	assert_int_equal(guest_ring_peek(&f->ring, &pkt), 1);
	assert_false(guest_ring_consume(&f->ring, &pkt));
}

/* Thousands of packets of pseudo-random sizes through a small ring, in
 * both directions, reader and writer interleaved unevenly. */
static void test_stress_both_directions(void **state)
{
	struct fixture *f = *state;
	static uint8_t payload[1500], out[1600];
	struct model_packet *p = malloc(sizeof(*p));
	struct guest_ring_packet pkt;
	uint32_t rnd = 12345, sent = 0, got = 0;
	bool signal;

	assert_non_null(p);
	uint32_t lens[8] = { 0 };

	/* Guest writes, model reads. */
	while (got < 3000) {
		rnd = rnd * 1103515245u + 12345u;
		uint32_t len = 1 + (rnd >> 8) % 1400;

		fill_bytes(payload, len, sent);
		if (sent - got < 8 &&
		    guest_ring_send(&f->ring, 6, 0, sent, payload, len, &signal) ==
		    GUEST_RING_OK)
			lens[sent++ % 8] = len;
		if ((rnd >> 4) % 3 == 0 || sent - got >= 8) {
			while (model_read(f->mem, p)) {
				uint32_t want = lens[got % 8];

				assert_int_equal(p->trans_id, got);
				assert_int_equal(p->payload_len, (want + 7) & ~7u);
				fill_bytes(payload, want, got);
				assert_memory_equal(p->payload, payload, want);
				got++;
			}
		}
	}
	assert_true(f->ring.wrapped_packets > 50);

	/* Model writes, guest reads. */
	memset(f->mem, 0, TEST_RING_BYTES);
	guest_ring_init(&f->ring, f->mem, TEST_RING_BYTES);
	sent = got = 0;

	while (got < 3000) {
		rnd = rnd * 1103515245u + 12345u;
		uint32_t len = 1 + (rnd >> 8) % 1400;

		fill_bytes(payload, len, sent);
		if (sent - got < 8 && model_write(f->mem, sent, payload, len))
			lens[sent++ % 8] = len;
		if ((rnd >> 4) % 3 == 0 || sent - got >= 8) {
			while (guest_ring_peek(&f->ring, &pkt) == 1) {
				uint32_t want = lens[got % 8];

				assert_int_equal(pkt.desc.trans_id, got);
				assert_int_equal(pkt.payload_len, (want + 7) & ~7u);
				guest_ring_copy_payload(&f->ring, &pkt, out, sizeof(out));
				fill_bytes(payload, want, got);
				assert_memory_equal(out, payload, want);
				guest_ring_consume(&f->ring, &pkt);
				got++;
			}
		}
	}
	assert_true(f->ring.wrapped_packets > 50);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_packet_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signal_reader_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_wraps_around_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_wraps_at_every_offset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_never_fills_completely, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_send_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peek_copy_consume, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_wraps_around_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_ring_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signal_writer_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stress_both_directions, setup, teardown),
	};

	return cmocka_run_group_tests_name("guest ring buffer", tests, NULL, NULL);
}
