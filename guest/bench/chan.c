// SPDX-License-Identifier: MIT
/*
 * Bench channels (see chan.h).  Ring layout as facts §6.1: one GPADL, the
 * outbound (guest->host) ring first, the inbound ring after it; both
 * advertise pending_send_sz (§6.2), as Linux does, even though the bench
 * producer polls instead of waiting for a signal.
 */
#include "guest/bench/chan.h"

#include <stddef.h>

#include "guest/lib/alloc.h"

#define MAX_RING_PAGES 512u

static uint64_t pfns[MAX_RING_PAGES];

const char *bench_vmbus_connect(struct vmbus_client *c)
{
	static const uint32_t version = VMBUS_VERSION_WIN10_V5_3;
	struct vmbus_version_attempt attempt;

	if (!vmbus_client_init(c, 0))
		return "out of memory for the VMBus client";
	if (vmbus_connect(c, &version, 1, &attempt) != 1 ||
	    attempt.result != VMBUS_VERSION_ACCEPTED)
		return "VMBus 5.3 not accepted";
	if (!vmbus_request_offers(c))
		return "no ALLOFFERS_DELIVERED";
	return NULL;
}

const char *bench_chan_open(struct vmbus_client *c,
			    const struct vmbus_guid *class_id,
			    uint32_t out_pages, uint32_t in_pages,
			    struct bench_chan *ch)
{
	const struct vmbus_offer_info *offer = vmbus_find_offer(c, class_id);
	uint32_t total = out_pages + in_pages, status = 0;
	unsigned messages = 0;

	if (!offer)
		return "not offered";
	if (out_pages < 2 || in_pages < 2 || total > MAX_RING_PAGES)
		return "bad ring size";
	ch->relid = offer->relid;
	ch->connection_id = offer->connection_id;
	ch->out_pages = out_pages;
	ch->in_pages = in_pages;
	/* Fresh pages are zero: indices 0, no mask, as OPENCHANNEL wants. */
	ch->ring = page_alloc(total);
	if (!ch->ring)
		return "out of memory for the rings";
	ch->out_hdr = (struct vmbus_ring_header *)ch->ring;
	ch->out_data = ch->ring + PAGE_SIZE;
	ch->out_size = (out_pages - 1) * PAGE_SIZE;
	ch->out_hdr->feature_bits |= VMBUS_RING_FEAT_PENDING_SEND_SZ;
	((struct vmbus_ring_header *)(ch->ring + out_pages * PAGE_SIZE))
		->feature_bits |= VMBUS_RING_FEAT_PENDING_SEND_SZ;
	for (uint32_t i = 0; i < total; i++)
		pfns[i] = virt_to_pfn(ch->ring + i * PAGE_SIZE);
	if (!vmbus_gpadl_create(c, ch->relid, pfns, total, &ch->gpadl,
				&messages, &status))
		return "GPADL not created";
	if (!vmbus_open_channel(c, ch->relid, ch->gpadl, 0, out_pages, &status))
		return "OPENCHANNEL refused";
	return NULL;
}
