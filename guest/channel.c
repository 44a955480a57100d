// SPDX-License-Identifier: MIT
/*
 * An open VMBus channel (guest/channel.h).  Ring layout and rules from
 * facts §6: one GPADL holds the outbound (guest->host) ring first and the
 * inbound ring after it (§6.1); both advertise pending_send_sz (§6.2);
 * the host is signalled as reader only when our write turned an empty
 * ring non-empty and it has not masked interrupts, and as writer only
 * when it armed pending_send_sz and our read gave it the room (§6.5).
 *
 * Waits are polls with a bound; ring-0 code runs at ~1 us/instruction
 * under the emulator (KVM facts), so the loops stay short.
 */
#include "guest/channel.h"

#include <stddef.h>

#include "guest/lib/alloc.h"
#include "guest/lib/cpu.h"
#include "guest/lib/hv.h"
#include "vmm/abi/hv_abi.h"

/* Largest ring GPADL we describe (pages, both directions together). */
#define CHANNEL_MAX_PAGES 512u

static uint64_t ring_pfns[CHANNEL_MAX_PAGES];

static void channel_idle(struct guest_channel *ch)
{
	if (ch->idle)
		ch->idle(ch->idle_ctx);
	else
		cpu_relax();
}

static void channel_signal(struct guest_channel *ch)
{
	ch->signals++;
	if (hv_signal_event(ch->offer.connection_id, 0) != HV_STATUS_SUCCESS)
		ch->signal_failures++;
}

bool guest_channel_open(struct guest_channel *ch, struct vmbus_client *c,
			const struct vmbus_offer_info *offer,
			unsigned out_pages, unsigned in_pages,
			uint32_t target_vp, uint32_t *status)
{
	unsigned total = out_pages + in_pages;
	unsigned messages = 0;

	*status = ~0u;
	ch->client = c;
	ch->offer = *offer;
	ch->out_pages = out_pages;
	ch->in_pages = in_pages;
	ch->gpadl = 0;
	ch->target_vp = target_vp;
	ch->open = false;
	ch->next_trans_id = 1;
	ch->signals = 0;
	ch->signal_failures = 0;
	ch->send_full_waits = 0;
	ch->send_spins = GUEST_CHANNEL_SEND_SPINS;
	ch->idle = NULL;
	ch->idle_ctx = NULL;

	/* A ring is a header page plus at least one data page (§6.1). */
	if (out_pages < 2 || in_pages < 2 || total > CHANNEL_MAX_PAGES)
		return false;
	/* Fresh pages come back zero (alloc.h): both headers start with
	 * indices 0 and no mask, as the host expects at OPENCHANNEL. */
	ch->ring_pages = page_alloc(total);
	if (!ch->ring_pages)
		return false;

	uint8_t *base = ch->ring_pages;

	guest_ring_init(&ch->out, base, out_pages * PAGE_SIZE);
	guest_ring_init(&ch->in, base + out_pages * PAGE_SIZE,
			in_pages * PAGE_SIZE);
	guest_ring_set_features(&ch->out);
	guest_ring_set_features(&ch->in);
	for (unsigned i = 0; i < total; i++)
		ring_pfns[i] = virt_to_pfn(base + i * PAGE_SIZE);

	if (!vmbus_gpadl_create(c, offer->relid, ring_pfns, total, &ch->gpadl,
				&messages, status))
		return false;
	/* The inbound ring starts out_pages into the GPADL (§6.1). */
	if (!vmbus_open_channel(c, offer->relid, ch->gpadl, target_vp,
				out_pages, status)) {
		vmbus_gpadl_teardown(c, offer->relid, ch->gpadl);
		ch->gpadl = 0;
		return false;
	}
	ch->open = true;
	return true;
}

bool guest_channel_close(struct guest_channel *ch)
{
	bool ok = true;

	if (ch->open) {
		ok = vmbus_close_channel(ch->client, ch->offer.relid);
		ch->open = false;
	}
	if (ch->gpadl) {
		ok = vmbus_gpadl_teardown(ch->client, ch->offer.relid,
					  ch->gpadl) && ok;
		ch->gpadl = 0;
	}
	/* The ring pages stay allocated: the bump allocator never frees. */
	return ok;
}

int guest_channel_send(struct guest_channel *ch, uint16_t type, uint16_t flags,
		       uint64_t trans_id, const void *payload, uint32_t len)
{
	bool signal_reader = false;
	bool armed = false;
	uint32_t spins = ch->send_spins;
	int rc;

	if (!ch->open)
		return GUEST_CHANNEL_CLOSED;
	for (;;) {
		rc = guest_ring_send(&ch->out, type, flags, trans_id, payload,
				     len, &signal_reader);
		if (rc != GUEST_RING_FULL)
			break;
		if (!armed) {
			/* Ask the host to signal once it has made room,
			 * then look again at once: it may have read
			 * between our check and the request (§6.5). */
			guest_ring_set_pending_send(&ch->out,
						    guest_ring_packet_bytes(len));
			armed = true;
			ch->send_full_waits++;
			continue;
		}
		if (spins-- == 0)
			break;
		channel_idle(ch);
	}
	if (armed)
		guest_ring_set_pending_send(&ch->out, 0);
	if (rc == GUEST_RING_FULL)
		return GUEST_CHANNEL_TIMEOUT;
	if (rc == GUEST_RING_OK && signal_reader)
		channel_signal(ch);
	return rc;
}

int guest_channel_recv(struct guest_channel *ch, struct vmbus_packet_desc *desc,
		       void *buf, uint32_t cap, uint32_t *len, uint32_t spins)
{
	struct guest_ring_packet pkt;
	int rc;

	for (;;) {
		rc = guest_ring_peek(&ch->in, &pkt);
		if (rc != 0)
			break;
		if (spins-- == 0)
			return 0;
		channel_idle(ch);
	}
	if (rc < 0)
		return rc;
	*desc = pkt.desc;
	*len = pkt.payload_len;
	if (cap)
		guest_ring_copy_payload(&ch->in, &pkt, buf, cap);
	if (guest_ring_consume(&ch->in, &pkt))
		channel_signal(ch);
	return 1;
}
