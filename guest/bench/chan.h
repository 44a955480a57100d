/* SPDX-License-Identifier: MIT */
/*
 * The bench's VMBus channels: connect (version 5.3 only -- the test
 * kernel proves the version walk; the bench wants its figures), take the
 * offers, and open a channel by class with rings of the sizes asked for.
 */
#ifndef GUEST_BENCH_CHAN_H
#define GUEST_BENCH_CHAN_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/vmbus_client.h"

struct bench_chan {
	uint32_t relid;
	uint32_t connection_id;       /* for HvSignalEvent */
	uint32_t gpadl;
	uint8_t *ring;                /* out_pages + in_pages, contiguous */
	uint32_t out_pages, in_pages; /* each with its header page */
	struct vmbus_ring_header *out_hdr;
	uint8_t *out_data;
	uint32_t out_size;            /* data bytes of the outbound ring */
};

/* Connect and collect the offers.  NULL on success, else what failed. */
const char *bench_vmbus_connect(struct vmbus_client *c);
/* GPADL and OPENCHANNEL for the offer of `class_id` (interrupts to VP 0).
 * NULL on success, else what failed. */
const char *bench_chan_open(struct vmbus_client *c,
			    const struct vmbus_guid *class_id,
			    uint32_t out_pages, uint32_t in_pages,
			    struct bench_chan *ch);

#endif
