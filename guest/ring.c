// SPDX-License-Identifier: MIT
/*
 * Guest ring-buffer access (facts §6).  Indices are multiples of 8 and
 * the data area size is a multiple of 8, so a qword never straddles the
 * end of the data area: packets wrap on qword boundaries.
 */
#include "guest/ring.h"

#include <stddef.h>

#include "guest/lib/atomic.h"

#define DESC_QWORDS 2u

/* The header mirrors the wire layout, so it is declared packed, but it
 * always starts a page: its 32-bit fields are naturally aligned and may
 * be used with atomics. */
static inline volatile uint32_t *header_field(const struct guest_ring *r,
					      size_t offset)
{
	return (volatile uint32_t *)(void *)((uint8_t *)r->hdr + offset);
}

#define RING_FIELD(r, field) \
	header_field((r), offsetof(struct vmbus_ring_header, field))

static inline volatile uint64_t *ring_qword(const struct guest_ring *r,
					    uint32_t offset)
{
	return (volatile uint64_t *)(r->data + offset % r->size);
}

void guest_ring_init(struct guest_ring *r, void *ring, uint32_t ring_bytes)
{
	r->hdr = ring;
	r->data = (uint8_t *)ring + VMBUS_PAGE_SIZE;
	r->size = ring_bytes - VMBUS_PAGE_SIZE;
	r->wrapped_packets = 0;
	r->index_wraps = 0;
}

void guest_ring_set_features(struct guest_ring *r)
{
	r->hdr->feature_bits |= VMBUS_RING_FEAT_PENDING_SEND_SZ;
}

uint32_t guest_ring_packet_bytes(uint32_t payload_len)
{
	return vmbus_packet_ring_bytes(sizeof(struct vmbus_packet_desc) +
				       payload_len);
}

int guest_ring_write(struct guest_ring *r, uint16_t type, uint16_t flags,
		     uint64_t trans_id, uint32_t payload_len,
		     guest_ring_fill_fn fill, void *ctx, bool *signal_reader)
{
	uint32_t total = guest_ring_packet_bytes(payload_len);
	uint32_t write = r->hdr->write_index;    /* ours alone */
	uint32_t read = load_acquire32(RING_FIELD(r, read_index));

	*signal_reader = false;
	if (total >= r->size)
		return GUEST_RING_TOO_BIG;
	if (!vmbus_ring_can_write(write, read, r->size, total))
		return GUEST_RING_FULL;

	uint32_t len8 = (total - VMBUS_PKT_TRAILER_SIZE) / 8;

	*ring_qword(r, write) = (uint64_t)type |
				((uint64_t)DESC_QWORDS << 16) |
				((uint64_t)len8 << 32) |
				((uint64_t)flags << 48);
	*ring_qword(r, write + 8) = trans_id;

	uint32_t payload = (write + 16) % r->size;
	uint32_t qwords = (payload_len + 7) / 8;
	uint32_t first = (r->size - payload) / 8;

	if (first > qwords)
		first = qwords;
	if (first)
		fill(ctx, (uint64_t *)(r->data + payload), first);
	if (qwords > first)
		fill(ctx, (uint64_t *)r->data, qwords - first);

	*ring_qword(r, write + total - VMBUS_PKT_TRAILER_SIZE) =
		(uint64_t)write << 32;

	uint32_t new_write = (write + total) % r->size;

	if (write + total > r->size)
		r->wrapped_packets++;
	if (new_write < write)
		r->index_wraps++;

	/* Publish after the packet bytes, with a full barrier so the reads
	 * of the reader's state below see its latest values (facts §6.4). */
	atomic_xchg32(RING_FIELD(r, write_index), new_write);
	*signal_reader = vmbus_ring_should_signal_reader(
		write, load_acquire32(RING_FIELD(r, read_index)),
		load_acquire32(RING_FIELD(r, interrupt_mask)));
	return GUEST_RING_OK;
}

struct memory_source {
	const uint8_t *src;
	uint32_t left;
};

static void fill_from_memory(void *ctx, uint64_t *dst, uint32_t qwords)
{
	struct memory_source *m = ctx;

	for (uint32_t q = 0; q < qwords; q++) {
		uint64_t v = 0;
		uint32_t n = m->left < 8 ? m->left : 8;

		for (uint32_t i = 0; i < n; i++)
			v |= (uint64_t)m->src[i] << (8 * i);
		dst[q] = v;
		m->src += n;
		m->left -= n;
	}
}

int guest_ring_send(struct guest_ring *r, uint16_t type, uint16_t flags,
		    uint64_t trans_id, const void *payload, uint32_t len,
		    bool *signal_reader)
{
	struct memory_source m = { payload, len };

	return guest_ring_write(r, type, flags, trans_id, len,
				fill_from_memory, &m, signal_reader);
}

void guest_ring_set_pending_send(struct guest_ring *r, uint32_t bytes)
{
	/* Exchange: the request must be visible before the caller looks
	 * at the read index again, or a wake-up could be lost. */
	atomic_xchg32(RING_FIELD(r, pending_send_sz), bytes);
}

int guest_ring_peek(const struct guest_ring *r, struct guest_ring_packet *pkt)
{
	uint32_t read = r->hdr->read_index;      /* ours alone */
	uint32_t write = load_acquire32(RING_FIELD(r, write_index));

	if (write >= r->size || read >= r->size || ((write | read) & 7))
		return -1;

	uint32_t avail = vmbus_ring_avail_read(write, read, r->size);

	if (avail == 0)
		return 0;
	if (avail < sizeof(struct vmbus_packet_desc) + VMBUS_PKT_TRAILER_SIZE)
		return -1;

	uint64_t q0 = *ring_qword(r, read);

	pkt->desc.type = (uint16_t)q0;
	pkt->desc.offset8 = (uint16_t)(q0 >> 16);
	pkt->desc.len8 = (uint16_t)(q0 >> 32);
	pkt->desc.flags = (uint16_t)(q0 >> 48);
	pkt->desc.trans_id = *ring_qword(r, read + 8);
	pkt->start = read;
	pkt->total = (uint32_t)pkt->desc.len8 * 8 + VMBUS_PKT_TRAILER_SIZE;

	if (pkt->desc.offset8 < DESC_QWORDS ||
	    pkt->desc.len8 < pkt->desc.offset8 || pkt->total > avail)
		return -1;
	if (*ring_qword(r, read + pkt->desc.len8 * 8u) != (uint64_t)read << 32)
		return -1;
	pkt->payload_len = (uint32_t)(pkt->desc.len8 - pkt->desc.offset8) * 8;
	return 1;
}

bool guest_ring_visit_payload(const struct guest_ring *r,
			      const struct guest_ring_packet *pkt,
			      guest_ring_visit_fn visit, void *ctx)
{
	uint32_t payload = (pkt->start + pkt->desc.offset8 * 8u) % r->size;
	uint32_t qwords = pkt->payload_len / 8;
	uint32_t first = (r->size - payload) / 8;

	if (first > qwords)
		first = qwords;
	if (first && !visit(ctx, (const uint64_t *)(r->data + payload), first))
		return false;
	if (qwords > first &&
	    !visit(ctx, (const uint64_t *)r->data, qwords - first))
		return false;
	return true;
}

struct memory_sink {
	uint8_t *dst;
	uint32_t left;
};

static bool copy_to_memory(void *ctx, const uint64_t *src, uint32_t qwords)
{
	struct memory_sink *m = ctx;

	for (uint32_t q = 0; q < qwords && m->left; q++) {
		uint64_t v = src[q];
		uint32_t n = m->left < 8 ? m->left : 8;

		for (uint32_t i = 0; i < n; i++)
			m->dst[i] = (uint8_t)(v >> (8 * i));
		m->dst += n;
		m->left -= n;
	}
	return m->left != 0;
}

uint32_t guest_ring_copy_payload(const struct guest_ring *r,
				 const struct guest_ring_packet *pkt,
				 void *dst, uint32_t max)
{
	struct memory_sink m = { dst, max < pkt->payload_len ? max : pkt->payload_len };
	uint32_t want = m.left;

	guest_ring_visit_payload(r, pkt, copy_to_memory, &m);
	return want - m.left;
}

bool guest_ring_consume(struct guest_ring *r,
			const struct guest_ring_packet *pkt)
{
	uint32_t new_read = (pkt->start + pkt->total) % r->size;

	if (pkt->start + pkt->total > r->size)
		r->wrapped_packets++;
	if (new_read < pkt->start)
		r->index_wraps++;

	/* Publish with a full barrier, then read the writer's request: a
	 * request made before our publish is seen here; one made after it
	 * will see our new read index (facts §6.5). */
	atomic_xchg32(RING_FIELD(r, read_index), new_read);

	uint32_t pending = load_acquire32(RING_FIELD(r, pending_send_sz));
	uint32_t write = load_acquire32(RING_FIELD(r, write_index));
	uint32_t free_after = vmbus_ring_avail_write(write, new_read, r->size);
	/* The space this packet occupied was not free before; measuring
	 * both against the same write index keeps a writer racing ahead
	 * from hiding the transition (Linux's hv_pkt_iter_close). */
	uint32_t free_before = free_after - pkt->total;

	return vmbus_ring_should_signal_writer(r->hdr->feature_bits, pending,
					       free_before, free_after);
}
