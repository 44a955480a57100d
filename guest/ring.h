/* SPDX-License-Identifier: MIT */
/*
 * One direction of a VMBus channel's ring buffer, as the guest uses it
 * (facts §6): the guest writes the outbound (guest->host) ring and reads
 * the inbound (host->guest) ring.  Pure C over plain memory, so
 * tests/unit/test_guest_ring.c runs it on the host.
 *
 * Payloads are produced and consumed in place, 8 bytes at a time, through
 * callbacks: one call per contiguous span (two when the packet wraps past
 * the end of the data area).  Ring-0 code is slow on this project's
 * machines, so no intermediate copy is made.
 */
#ifndef GUEST_RING_H
#define GUEST_RING_H

#include <stdbool.h>
#include <stdint.h>

#include "vmbus/abi/vmbus_abi.h"

struct guest_ring {
	struct vmbus_ring_header *hdr;
	uint8_t *data;                /* data area, right after the header */
	uint32_t size;                /* data area bytes */
	/* Statistics: packets whose bytes cross the end of the data area,
	 * and times this side's index went back to the start. */
	uint32_t wrapped_packets;
	uint32_t index_wraps;
};

/* `ring` = header page followed by the data pages; `ring_bytes` counts
 * both (a multiple of 4 KiB, at least two pages). */
void guest_ring_init(struct guest_ring *r, void *ring, uint32_t ring_bytes);
/* Advertise pending_send_sz support (feature bit 0).  Linux sets it on
 * both rings before opening the channel (facts §6.2). */
void guest_ring_set_features(struct guest_ring *r);

/* ---- writer (outbound ring) --------------------------------------- */

/* Write `qwords` payload qwords at dst.  The caller of guest_ring_write
 * guarantees the last qword's bytes beyond payload_len are zeroed by the
 * callback (packets are zero-padded to 8 bytes, facts §6.3). */
typedef void (*guest_ring_fill_fn)(void *ctx, uint64_t *dst, uint32_t qwords);

enum guest_ring_status {
	GUEST_RING_OK = 0,
	GUEST_RING_FULL = -1,         /* not enough room now */
	GUEST_RING_TOO_BIG = -2,      /* could never fit */
};

/* Ring bytes a packet with `payload_len` payload bytes occupies. */
uint32_t guest_ring_packet_bytes(uint32_t payload_len);

/* Append one packet: 16-byte descriptor (offset8 = 2), the payload from
 * `fill`, the trailer (start offset << 32); publish the write index.
 * *signal_reader tells whether the host must be signalled (the ring was
 * empty and the host's interrupt_mask is 0, facts §6.5). */
int guest_ring_write(struct guest_ring *r, uint16_t type, uint16_t flags,
		     uint64_t trans_id, uint32_t payload_len,
		     guest_ring_fill_fn fill, void *ctx, bool *signal_reader);
/* Same, with the payload copied from memory. */
int guest_ring_send(struct guest_ring *r, uint16_t type, uint16_t flags,
		    uint64_t trans_id, const void *payload, uint32_t len,
		    bool *signal_reader);
/* Flow control, writer side: ask the reader to signal once more than
 * `bytes` are free (0 withdraws the request). */
void guest_ring_set_pending_send(struct guest_ring *r, uint32_t bytes);

/* ---- reader (inbound ring) ---------------------------------------- */

struct guest_ring_packet {
	struct vmbus_packet_desc desc;
	uint32_t start;               /* offset of the descriptor */
	uint32_t payload_len;         /* (len8 - offset8) * 8 */
	uint32_t total;               /* ring bytes incl. trailer */
};

/* Look at the next packet without consuming it.  1 = *pkt filled,
 * 0 = ring empty, -1 = the ring content violates facts §6 (bad index,
 * descriptor, length or trailer). */
int guest_ring_peek(const struct guest_ring *r, struct guest_ring_packet *pkt);

/* Span visitor: return false to stop early. */
typedef bool (*guest_ring_visit_fn)(void *ctx, const uint64_t *src,
				    uint32_t qwords);
/* Hand the payload of `pkt` to `visit` in one or two spans.  Returns
 * false if the visitor stopped early. */
bool guest_ring_visit_payload(const struct guest_ring *r,
			      const struct guest_ring_packet *pkt,
			      guest_ring_visit_fn visit, void *ctx);
/* Copy up to `max` payload bytes out; returns the number copied. */
uint32_t guest_ring_copy_payload(const struct guest_ring *r,
				 const struct guest_ring_packet *pkt,
				 void *dst, uint32_t max);

/* Drop `pkt` (the one peek returned) and publish the read index.
 * Returns true if the host writer must now be signalled (it announced
 * pending_send_sz, was blocked, and now has room, facts §6.5). */
bool guest_ring_consume(struct guest_ring *r,
			const struct guest_ring_packet *pkt);

#endif
