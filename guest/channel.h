/* SPDX-License-Identifier: MIT */
/*
 * An open VMBus channel as a guest driver uses it: the ring GPADL, the
 * OPENCHANNEL handshake, and packets in and out with the ring rules of
 * facts §6 (signal the host only when required, honour flow control).
 * Shared by the VPCI front-end transport and the synthvid client.
 * Every wait is bounded.
 */
#ifndef GUEST_CHANNEL_H
#define GUEST_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/ring.h"
#include "guest/vmbus_client.h"

struct guest_channel {
	struct vmbus_client *client;
	struct vmbus_offer_info offer;    /* copy */
	struct guest_ring out;            /* guest -> host */
	struct guest_ring in;             /* host -> guest */
	void *ring_pages;
	unsigned out_pages, in_pages;     /* each includes its header page */
	uint32_t gpadl;
	uint32_t target_vp;
	bool open;
	uint64_t next_trans_id;
	/* Set by guest_channel_open; the caller may change them after. */
	uint32_t send_spins;              /* bound of a send's wait for room */
	void (*idle)(void *ctx);          /* one idle round; NULL = PAUSE */
	void *idle_ctx;
	/* Statistics. */
	uint32_t signals;                 /* HvSignalEvent calls */
	uint32_t signal_failures;         /* ... that did not succeed */
	uint32_t send_full_waits;         /* sends that found the ring full */
};

/* Default bound of a send's wait for ring room (idle rounds). */
#define GUEST_CHANNEL_SEND_SPINS 200000u
/* guest_channel_send results beyond enum guest_ring_status. */
#define GUEST_CHANNEL_TIMEOUT (-10)
#define GUEST_CHANNEL_CLOSED  (-11)

/* Allocate out_pages + in_pages of ring memory, create the GPADL and open
 * the channel with host interrupts to target_vp.  *status gets the
 * OPENCHANNEL_RESULT status (or the GPADL_CREATED one if that failed;
 * ~0u if no answer).  True when open. */
bool guest_channel_open(struct guest_channel *ch, struct vmbus_client *c,
			const struct vmbus_offer_info *offer,
			unsigned out_pages, unsigned in_pages,
			uint32_t target_vp, uint32_t *status);
/* CLOSECHANNEL, then GPADL_TEARDOWN.  True if both went through. */
bool guest_channel_close(struct guest_channel *ch);

/* One packet to the host; waits (bounded) while the ring is full.
 * 0, or a negative guest_ring_status / GUEST_CHANNEL_TIMEOUT (-10) on
 * timeout / GUEST_CHANNEL_CLOSED if the channel is not open. */
int guest_channel_send(struct guest_channel *ch, uint16_t type, uint16_t flags,
		       uint64_t trans_id, const void *payload, uint32_t len);

/* The next packet from the host, waiting at most `spins` polls.  Copies
 * up to `cap` payload bytes into buf, the descriptor into *desc and the
 * full payload length into *len.  1 = got one, 0 = timeout, < 0 broken
 * ring.  Signals the host when the reader->writer rule requires it. */
int guest_channel_recv(struct guest_channel *ch, struct vmbus_packet_desc *desc,
		       void *buf, uint32_t cap, uint32_t *len, uint32_t spins);

#endif
