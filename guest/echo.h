/* SPDX-License-Identifier: MIT */
/*
 * Traffic against the host's echo service (VMBUS_CLASS_ECHO), which sends
 * every in-band packet back unchanged.  Pure C: the rings are plain
 * memory and the two side effects (signalling the host, idling) are
 * callbacks, so tests/unit/test_guest_echo.c runs the same driver against
 * a simulated host.
 *
 * Packet n carries a deterministic size in [ECHO_MIN_SIZE, ECHO_MAX_SIZE],
 * transaction id ECHO_TRANS_TAG | n, and a payload of 8-byte words
 * base(n) + i * step, the last word cut to the size and zero-padded.
 * Generating and checking cost two instructions per 8 bytes or so, which
 * matters at ~1 us per guest instruction.
 */
#ifndef GUEST_ECHO_H
#define GUEST_ECHO_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/ring.h"

#define ECHO_MIN_SIZE   8u
#define ECHO_MAX_SIZE   2048u
#define ECHO_TRANS_TAG  0xEC40000000000000ull

uint32_t echo_packet_size(uint32_t seq);
uint64_t echo_trans_id(uint32_t seq);

/* Pattern state for one packet; usable as guest_ring_fill_fn /
 * guest_ring_visit_fn context. */
struct echo_pattern {
	uint64_t next;                /* value of the next word */
	uint64_t last_mask;           /* bytes of the final word in use */
	uint32_t words_left;
	bool mismatch;
	uint32_t mismatch_word;       /* index of the first bad word */
	uint32_t word;                /* words produced/checked so far */
};

void echo_pattern_start(struct echo_pattern *p, uint32_t seq, uint32_t len);
void echo_pattern_fill(void *ctx, uint64_t *dst, uint32_t qwords);
bool echo_pattern_check(void *ctx, const uint64_t *src, uint32_t qwords);

struct echo_config {
	uint32_t packets;             /* how many to echo */
	uint32_t window;              /* most packets in flight at once */
	uint32_t idle_limit;          /* idle rounds before giving up */
	/* HvSignalEvent to the channel; false if the hypercall failed. */
	bool (*signal_host)(void *ctx);
	/* Nothing to do this round: pause a little. */
	void (*relax)(void *ctx);
	void *ctx;
};

struct echo_stats {
	uint32_t sent, received, verified;
	uint32_t bad_length, bad_data, bad_trans_id, bad_type;
	uint32_t first_bad_seq;       /* valid if any bad_* is non-zero */
	uint32_t signals_as_writer;   /* ring went empty -> non-empty */
	uint32_t signals_as_reader;   /* host writer was blocked, now has room */
	uint32_t signal_failures;
	uint32_t outbound_full;       /* times pending_send_sz was armed */
	uint32_t max_in_flight;
	uint64_t payload_bytes;       /* sent (and expected back) */
	bool malformed;               /* inbound ring content broke facts §6 */
	bool timed_out;
};

/* Run the exchange; true iff every packet came back byte-exact. */
bool echo_run(const struct echo_config *cfg, struct guest_ring *out,
	      struct guest_ring *in, struct echo_stats *st);

#endif
