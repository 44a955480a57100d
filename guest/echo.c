// SPDX-License-Identifier: MIT
/*
 * The echo exchange: keep up to `window` packets in flight so both rings
 * fill up and wrap, and drive flow control in both directions (facts
 * §6.5):
 *   - writer -> reader: signal the host only when our write turned an
 *     empty ring non-empty and the host has not masked interrupts;
 *   - writer blocked: arm pending_send_sz on the outbound ring, check the
 *     room once more (the host may have read meanwhile), else drain;
 *   - reader -> writer: after each read, signal the host if it had armed
 *     pending_send_sz on the inbound ring and now has room.
 */
#include "guest/echo.h"

#include <stddef.h>

#define PATTERN_STEP 0xD1B54A32D192ED03ull
#define PATTERN_SEED 0x9E3779B97F4A7C15ull

uint32_t echo_packet_size(uint32_t seq)
{
	/* A multiplicative hash of the sequence number: deterministic,
	 * spread over the whole range, cheap. */
	uint32_t h = (seq + 1) * 0x9E3779B1u;

	h ^= h >> 15;
	return ECHO_MIN_SIZE + h % (ECHO_MAX_SIZE - ECHO_MIN_SIZE + 1);
}

uint64_t echo_trans_id(uint32_t seq)
{
	return ECHO_TRANS_TAG | seq;
}

void echo_pattern_start(struct echo_pattern *p, uint32_t seq, uint32_t len)
{
	p->next = (uint64_t)(seq + 1) * PATTERN_SEED;
	p->words_left = (len + 7) / 8;
	p->last_mask = len % 8 ? (1ull << (8 * (len % 8))) - 1 : ~0ull;
	p->mismatch = false;
	p->mismatch_word = 0;
	p->word = 0;
}

void echo_pattern_fill(void *ctx, uint64_t *dst, uint32_t qwords)
{
	struct echo_pattern *p = ctx;
	uint64_t v = p->next;
	uint64_t *w = dst, *end = dst + qwords;

	/* Unrolled by hand, with a pointer rather than a 32-bit index (which
	 * costs an extra LEA per word): at ~1 us per guest instruction this
	 * brings the cost to about 3 instructions per word. */
	for (; end - w >= 4; w += 4) {
		w[0] = v;
		w[1] = v + PATTERN_STEP;
		w[2] = v + 2 * PATTERN_STEP;
		w[3] = v + 3 * PATTERN_STEP;
		v += 4 * PATTERN_STEP;
	}
	for (; w < end; w++) {
		*w = v;
		v += PATTERN_STEP;
	}
	p->next = v;
	p->word += qwords;
	p->words_left -= qwords;
	if (p->words_left == 0 && qwords)
		dst[qwords - 1] &= p->last_mask;  /* zero padding */
}

bool echo_pattern_check(void *ctx, const uint64_t *src, uint32_t qwords)
{
	struct echo_pattern *p = ctx;
	uint64_t v = p->next;
	/* The final word of the packet is compared masked, outside the
	 * loop, to keep the loop body minimal. */
	uint32_t full = p->words_left == qwords && qwords ? qwords - 1 : qwords;
	const uint64_t *w = src, *end = src + full;

	/* Four words per round while they all match; the word-by-word loop
	 * below finishes the rest and pinpoints a mismatch. */
	for (; end - w >= 4; w += 4) {
		if (w[0] != v || w[1] != v + PATTERN_STEP ||
		    w[2] != v + 2 * PATTERN_STEP ||
		    w[3] != v + 3 * PATTERN_STEP)
			break;
		v += 4 * PATTERN_STEP;
	}
	for (; w < end; w++) {
		if (*w != v)
			goto bad;
		v += PATTERN_STEP;
	}
	if (full != qwords) {
		if (*w != (v & p->last_mask))
			goto bad;
		v += PATTERN_STEP;
	}
	p->next = v;
	p->word += qwords;
	p->words_left -= qwords;
	return true;
bad:
	p->mismatch = true;
	p->mismatch_word = p->word + (uint32_t)(w - src);
	return false;
}

static void note_bad(struct echo_stats *st, uint32_t seq, uint32_t *counter)
{
	if (!(st->bad_length | st->bad_data | st->bad_trans_id | st->bad_type))
		st->first_bad_seq = seq;
	(*counter)++;
}

static void signal_counted(const struct echo_config *cfg,
			   struct echo_stats *st, uint32_t *counter)
{
	(*counter)++;
	if (!cfg->signal_host(cfg->ctx))
		st->signal_failures++;
}

/* Send what the window and the ring allow.  Returns packets sent. */
static uint32_t send_some(const struct echo_config *cfg, struct guest_ring *out,
			  struct echo_stats *st, bool *waiting_for_room)
{
	uint32_t sent = 0;

	while (st->sent < cfg->packets &&
	       st->sent - st->received < cfg->window) {
		uint32_t seq = st->sent;
		uint32_t len = echo_packet_size(seq);
		struct echo_pattern pat;
		bool signal_reader;

		echo_pattern_start(&pat, seq, len);
		int rc = guest_ring_write(out, VMBUS_PKT_DATA_INBAND, 0,
					  echo_trans_id(seq), len,
					  echo_pattern_fill, &pat,
					  &signal_reader);
		if (rc == GUEST_RING_FULL) {
			if (*waiting_for_room)
				break;
			/* Ask the host to signal when it has made room,
			 * then look once more: it may have read between
			 * our check and the request. */
			st->outbound_full++;
			guest_ring_set_pending_send(out,
						    guest_ring_packet_bytes(len));
			*waiting_for_room = true;
			continue;
		}
		if (rc != GUEST_RING_OK)
			break;          /* cannot happen with ECHO_MAX_SIZE */
		if (*waiting_for_room) {
			guest_ring_set_pending_send(out, 0);
			*waiting_for_room = false;
		}
		st->sent++;
		st->payload_bytes += len;
		sent++;
		if (st->sent - st->received > st->max_in_flight)
			st->max_in_flight = st->sent - st->received;
		if (signal_reader)
			signal_counted(cfg, st, &st->signals_as_writer);
	}
	return sent;
}

static void check_packet(struct guest_ring *in,
			 const struct guest_ring_packet *pkt,
			 struct echo_stats *st)
{
	uint32_t seq = st->received;
	uint32_t len = echo_packet_size(seq);

	if (pkt->desc.type != VMBUS_PKT_DATA_INBAND) {
		note_bad(st, seq, &st->bad_type);
		return;
	}
	if (pkt->desc.trans_id != echo_trans_id(seq)) {
		note_bad(st, seq, &st->bad_trans_id);
		return;
	}
	if (pkt->payload_len != ((len + 7) & ~7u)) {
		note_bad(st, seq, &st->bad_length);
		return;
	}

	struct echo_pattern pat;

	echo_pattern_start(&pat, seq, len);
	if (!guest_ring_visit_payload(in, pkt, echo_pattern_check, &pat)) {
		note_bad(st, seq, &st->bad_data);
		return;
	}
	st->verified++;
}

/* Read and check everything the host has echoed.  Returns packets read,
 * or -1 if the ring is malformed. */
static int receive_some(const struct echo_config *cfg, struct guest_ring *in,
			struct echo_stats *st)
{
	int got = 0;
	struct guest_ring_packet pkt;
	int rc;

	while ((rc = guest_ring_peek(in, &pkt)) == 1) {
		check_packet(in, &pkt, st);
		st->received++;
		got++;
		if (guest_ring_consume(in, &pkt))
			signal_counted(cfg, st, &st->signals_as_reader);
	}
	if (rc < 0) {
		st->malformed = true;
		return -1;
	}
	return got;
}

bool echo_run(const struct echo_config *cfg, struct guest_ring *out,
	      struct guest_ring *in, struct echo_stats *st)
{
	bool waiting_for_room = false;
	uint32_t idle = 0;

	*st = (struct echo_stats){ 0 };
	while (st->received < cfg->packets) {
		uint32_t sent = send_some(cfg, out, st, &waiting_for_room);
		int got = receive_some(cfg, in, st);

		if (got < 0)
			break;
		if (sent || got) {
			idle = 0;
			continue;
		}
		if (++idle > cfg->idle_limit) {
			st->timed_out = true;
			break;
		}
		cfg->relax(cfg->ctx);
	}
	if (waiting_for_room)
		guest_ring_set_pending_send(out, 0);
	return !st->malformed && !st->timed_out &&
	       st->received == cfg->packets && st->verified == cfg->packets;
}
