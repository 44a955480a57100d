// SPDX-License-Identifier: MIT
/*
 * Malformed ring buffers (facts §6) on the echo channel.  Each case opens
 * a fresh channel, writes the outbound (guest->host) ring or spoils the
 * inbound one by hand, rings the doorbell, and looks at what the host did.
 * A malformed ring makes the host close the channel's service at once
 * ("broken"): it then takes and sends nothing, and the guest closes the
 * channel and tears its GPADL down.  Packets the echo service cannot
 * answer are dropped instead, and the channel goes on.
 */
#include "guest/hostile/cases.h"

#include "guest/hostile/session.h"
#include "guest/lib/hv.h"
#include "guest/lib/string.h"

#define PKT_TYPE_UNKNOWN    0x42u
#define PKT_FLAGS_UNKNOWN   0x8u
#define RECV_SPINS          20000u
/* Bigger than the host takes in one packet (VMBUS_HOST_MAX_PACKET,
 * 64 KiB), in an outbound ring big enough to hold it. */
#define HUGE_LEN8           8194u
#define HUGE_OUT_PAGES      18u
/* A payload the 4 KiB inbound ring of a 2-page ring can never echo. */
#define UNECHOABLE          5000u
#define FLOOD_PACKETS       8u
#define FLOOD_LEN           1000u

static struct guest_channel ch;
static uint8_t payload[UNECHOABLE];
static uint8_t back[FLOOD_LEN];

static bool setup(void)
{
	return session_connect_and_offers();
}

static void signal_host(void)
{
	hv_signal_event(ch.offer.connection_id, 0);
}

/* A descriptor (facts §6.3) and its trailer at the start of the ring. */
static void put_packet(struct guest_ring *r, uint16_t type, uint16_t offset8,
		       uint16_t len8, uint16_t flags)
{
	volatile uint64_t *q = (volatile uint64_t *)r->data;

	q[0] = type | ((uint64_t)offset8 << 16) | ((uint64_t)len8 << 32) |
	       ((uint64_t)flags << 48);
	q[1] = 0x1234;
	if ((uint32_t)len8 * 8u + 8u <= r->size)
		q[len8] = 0;           /* trailer: packet start 0 << 32 */
}

/* The host read nothing and wrote nothing. */
static bool untouched(struct hsaw *s)
{
	uint32_t read = ch.out.hdr->read_index;
	uint32_t echoed = ch.in.hdr->write_index;

	saw(s, "host read index %u, %s", read,
	    echoed ? "something came back" : "nothing came back");
	return read == 0 && echoed == 0;
}

/* Open, spoil, signal, check, close. */
static bool broken_ring(struct hsaw *s, unsigned out_pages,
			void (*spoil)(struct guest_ring *out))
{
	bool ok;

	if (!session_open(&ch, &hs.echo, out_pages, 4)) {
		saw(s, "echo channel did not open");
		return false;
	}
	spoil(&ch.out);
	signal_host();
	ok = untouched(s);
	if (!session_close(&ch)) {
		saw(s, "closing the broken channel failed");
		ok = false;
	}
	return ok;
}

/* facts §6.2: indices are multiples of 8 and below the data size. */
static void write_index_past_end(struct guest_ring *r)
{
	r->hdr->write_index = r->size + 8;
}

static void write_index_at_end(struct guest_ring *r)
{
	r->hdr->write_index = r->size;
}

static void write_index_misaligned(struct guest_ring *r)
{
	r->hdr->write_index = 12;
}

/* facts §6.3: a packet is at least a 16-byte descriptor and a trailer;
 * offset8 >= 2 (the descriptor), len8 >= offset8, the packet and its
 * trailer within what was written; types 6, 7, 9, 0xB; flag bit 0 only. */
static void partial_packet(struct guest_ring *r)
{
	r->hdr->write_index = 8;
}

static void length_past_written(struct guest_ring *r)
{
	put_packet(r, VMBUS_PKT_DATA_INBAND, 2, 100, 0);
	r->hdr->write_index = 24;
}

static void offset_in_descriptor(struct guest_ring *r)
{
	put_packet(r, VMBUS_PKT_DATA_INBAND, 1, 2, 0);
	r->hdr->write_index = 24;
}

static void offset_past_packet(struct guest_ring *r)
{
	put_packet(r, VMBUS_PKT_DATA_INBAND, 3, 2, 0);
	r->hdr->write_index = 24;
}

static void unknown_type(struct guest_ring *r)
{
	put_packet(r, PKT_TYPE_UNKNOWN, 2, 2, 0);
	r->hdr->write_index = 24;
}

static void unknown_flags(struct guest_ring *r)
{
	put_packet(r, VMBUS_PKT_DATA_INBAND, 2, 2, PKT_FLAGS_UNKNOWN);
	r->hdr->write_index = 24;
}

static void huge_packet(struct guest_ring *r)
{
	put_packet(r, VMBUS_PKT_DATA_INBAND, 2, HUGE_LEN8, 0);
	r->hdr->write_index = HUGE_LEN8 * 8u + 8u;
}

static bool r_write_index_past_end(struct hsaw *s)
{
	return broken_ring(s, 4, write_index_past_end);
}

static bool r_write_index_at_end(struct hsaw *s)
{
	return broken_ring(s, 4, write_index_at_end);
}

static bool r_write_index_misaligned(struct hsaw *s)
{
	return broken_ring(s, 4, write_index_misaligned);
}

static bool r_partial_packet(struct hsaw *s)
{
	return broken_ring(s, 4, partial_packet);
}

static bool r_length_past_written(struct hsaw *s)
{
	return broken_ring(s, 4, length_past_written);
}

static bool r_offset_in_descriptor(struct hsaw *s)
{
	return broken_ring(s, 4, offset_in_descriptor);
}

static bool r_offset_past_packet(struct hsaw *s)
{
	return broken_ring(s, 4, offset_past_packet);
}

static bool r_unknown_type(struct hsaw *s)
{
	return broken_ring(s, 4, unknown_type);
}

static bool r_unknown_flags(struct hsaw *s)
{
	return broken_ring(s, 4, unknown_flags);
}

static bool r_huge_packet(struct hsaw *s)
{
	return broken_ring(s, HUGE_OUT_PAGES, huge_packet);
}

/* The guest's own read index of the inbound ring, spoiled: the host finds
 * it when it writes the echo (facts §6.2: indices are 8-aligned). */
static bool r_read_index_misaligned(struct hsaw *s)
{
	bool ok;

	if (!session_open(&ch, &hs.echo, 4, 4)) {
		saw(s, "echo channel did not open");
		return false;
	}
	ch.in.hdr->read_index = 4;
	guest_channel_send(&ch, VMBUS_PKT_DATA_INBAND, 0, 1, payload, 32);
	ok = untouched(s);
	if (!session_close(&ch))
		ok = false;
	return ok;
}

/* ---- packets the echo service drops, channel alive ------------------- */

/* Send one packet the service must consume and not answer, then prove
 * the channel still echoes. */
static bool dropped(struct hsaw *s, unsigned in_pages, uint16_t type,
		    uint32_t len)
{
	struct vmbus_packet_desc d;
	uint32_t got = 0, consumed;
	bool none, alive;

	if (!session_open(&ch, &hs.echo, 4, in_pages)) {
		saw(s, "echo channel did not open");
		return false;
	}
	guest_channel_send(&ch, type, 0, 7, payload, len);
	consumed = ch.out.hdr->read_index;
	none = ch.in.hdr->write_index == 0;
	guest_channel_send(&ch, VMBUS_PKT_DATA_INBAND, 0, 8, payload, 64);
	alive = guest_channel_recv(&ch, &d, back, sizeof(back), &got,
				   RECV_SPINS) == 1 &&
		d.trans_id == 8 && got == 64;
	session_close(&ch);
	saw(s, "host consumed %u bytes, %s; next packet %s", consumed,
	    none ? "no echo" : "ECHOED", alive ? "echoed" : "NOT echoed");
	return consumed == guest_ring_packet_bytes(len) && none && alive;
}

static bool r_gpa_direct(struct hsaw *s)
{
	return dropped(s, 4, VMBUS_PKT_DATA_GPA_DIRECT, 32);
}

static bool r_completion(struct hsaw *s)
{
	return dropped(s, 4, VMBUS_PKT_COMP, 32);
}

static bool r_unechoable(struct hsaw *s)
{
	return dropped(s, 2, VMBUS_PKT_DATA_INBAND, UNECHOABLE);
}

/* A guest that never reads its inbound ring: the host fills it, announces
 * pending_send_sz (facts §6.5) and stops taking packets -- no spinning (we
 * would never return from the hypercall), no dropping.  Draining it then
 * signals the host, which finishes the job. */
static bool r_never_drains(struct hsaw *s)
{
	struct vmbus_packet_desc d;
	uint32_t pending, taken, got = 0, ok_back = 0;

	if (!session_open(&ch, &hs.echo, 4, 2)) {
		saw(s, "echo channel did not open");
		return false;
	}
	for (unsigned i = 0; i < FLOOD_PACKETS; i++) {
		memset(payload, 0xA0 + (int)i, FLOOD_LEN);
		guest_channel_send(&ch, VMBUS_PKT_DATA_INBAND, 0, 100 + i,
				   payload, FLOOD_LEN);
	}
	pending = ch.in.hdr->pending_send_sz;
	taken = ch.out.hdr->read_index;
	for (unsigned i = 0; i < FLOOD_PACKETS; i++) {
		if (guest_channel_recv(&ch, &d, back, sizeof(back), &got,
				       RECV_SPINS) != 1)
			break;
		if (d.trans_id == 100 + i && got == FLOOD_LEN &&
		    back[0] == 0xA0 + i && back[FLOOD_LEN - 1] == 0xA0 + i)
			ok_back++;
	}
	session_close(&ch);
	saw(s, "host stopped at %u bytes with pending_send_sz %u; %u of %u echoed after draining",
	    taken, pending, ok_back, FLOOD_PACKETS);
	return pending != 0 && taken < FLOOD_PACKETS * guest_ring_packet_bytes(FLOOD_LEN) &&
	       ok_back == FLOOD_PACKETS;
}

static const struct hcase cases[] = {
	{ "ring write index past the data area", "ring.write-index-out-of-range", r_write_index_past_end },
	{ "ring write index equal to the data size", "ring.write-index-out-of-range", r_write_index_at_end },
	{ "ring write index not 8-aligned", "ring.write-index-out-of-range", r_write_index_misaligned },
	{ "ring holding less than a packet", "ring.partial-packet", r_partial_packet },
	{ "packet length beyond the bytes written", "ring.packet-beyond-ring", r_length_past_written },
	{ "packet data offset inside the descriptor", "ring.data-offset-inside-descriptor", r_offset_in_descriptor },
	{ "packet data offset past the packet", "ring.data-offset-beyond-packet", r_offset_past_packet },
	{ "packet of unknown type 0x42", "ring.unknown-packet-type", r_unknown_type },
	{ "packet with unknown flags", "ring.unknown-packet-flags", r_unknown_flags },
	{ "packet of 64 KiB + 16 bytes", "ring.packet-too-large", r_huge_packet },
	{ "inbound read index not 8-aligned", "ring.read-index-out-of-range", r_read_index_misaligned },
	{ "GPA-direct packet to the echo service", "echo.not-inband", r_gpa_direct },
	{ "completion packet to the echo service", "echo.not-inband", r_completion },
	{ "echo request larger than the inbound ring", "echo.reply-too-large", r_unechoable },
	{ "inbound ring never drained", HCASE_NO_RULE, r_never_drains },
};

const struct hgroup hostile_ring_group = HGROUP("rings", setup, NULL, cases);
