// SPDX-License-Identifier: MIT
/*
 * The host side of a VMBus ring buffer (see vmbus/ring.h, facts §6).
 *
 * Memory-ordering rules kept here (facts §6.4, §6.5):
 *   - a reader loads the write index with acquire semantics before it
 *     looks at packet bytes;
 *   - a writer stores packet bytes, then publishes the write index with
 *     release semantics;
 *   - the signalling decision that follows a publication is taken after a
 *     full barrier, so that it sees the other side's latest index, mask
 *     and pending_send_sz.
 */
#include "vmbus/ring.h"

#include <stddef.h>
#include <string.h>

#include "vmm/log.h"

#define PAGE_SHIFT 12
#define MAX_PFN    (UINT64_MAX >> PAGE_SHIFT)

#define OFF_WRITE_INDEX    offsetof(struct vmbus_ring_header, write_index)
#define OFF_READ_INDEX     offsetof(struct vmbus_ring_header, read_index)
#define OFF_INTERRUPT_MASK offsetof(struct vmbus_ring_header, interrupt_mask)
#define OFF_PENDING_SEND   offsetof(struct vmbus_ring_header, pending_send_sz)
#define OFF_FEATURE_BITS   offsetof(struct vmbus_ring_header, feature_bits)

/* Smallest packet: a bare descriptor plus its trailer. */
#define MIN_PACKET_RING_BYTES \
	(sizeof(struct vmbus_packet_desc) + VMBUS_PKT_TRAILER_SIZE)

static const char *role_name(const struct host_ring *r)
{
	return r->role == HOST_RING_READER ? "guest->host" : "host->guest";
}

/* Host pointer to `len` bytes at `off` in page `idx` of the ring, or NULL.
 * The page list was validated when the GPADL was created; it is checked
 * again here because a pointer is only ever made by guest_mem_ptr(). */
static uint8_t *ring_page_ptr(const struct host_ring *r, uint32_t idx,
			      uint32_t off, uint32_t len)
{
	uint64_t pfn;

	if (idx >= r->npages || off >= VMBUS_PAGE_SIZE ||
	    len > VMBUS_PAGE_SIZE - off)
		return NULL;
	pfn = r->pfns[idx];
	if (pfn > MAX_PFN)
		return NULL;
	return guest_mem_ptr(r->mem, (pfn << PAGE_SHIFT) + off, len);
}

/* A 32-bit word of the ring header; the header page is page-aligned in
 * guest RAM, so every field is naturally aligned. */
static volatile uint32_t *hdr_word(const struct host_ring *r, size_t off)
{
	return (volatile uint32_t *)ring_page_ptr(r, 0, (uint32_t)off, 4);
}

static bool index_valid(const struct host_ring *r, uint32_t index)
{
	/* facts §6.2: indices are multiples of 8 and inside the data area. */
	return (index & 7u) == 0 && index < r->size;
}

/* Load a guest-owned index once and validate it.  0 or -1 (refused). */
static int load_guest_index(const struct host_ring *r, size_t off,
			    const char *rule, uint32_t *out)
{
	volatile uint32_t *p = hdr_word(r, off);
	uint32_t v;

	if (!p) {
		guest_refuse("ring.page-not-ram",
			     "relid %u %s ring: header page is not RAM",
			     r->relid, role_name(r));
		return -1;
	}
	v = __atomic_load_n(p, __ATOMIC_ACQUIRE);
	if (!index_valid(r, v)) {
		guest_refuse(rule, "relid %u %s ring: index %#x (data area %#x "
			     "bytes, must be 8-aligned and below it)",
			     r->relid, role_name(r), v, r->size);
		return -1;
	}
	*out = v;
	return 0;
}

static uint32_t load_word(const struct host_ring *r, size_t off)
{
	volatile uint32_t *p = hdr_word(r, off);

	return p ? __atomic_load_n(p, __ATOMIC_ACQUIRE) : 0;
}

static void store_word(const struct host_ring *r, size_t off, uint32_t v)
{
	volatile uint32_t *p = hdr_word(r, off);

	if (p)
		__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

int host_ring_attach(struct host_ring *r, const struct guest_mem *mem,
		     const uint64_t *pfns, uint32_t npages,
		     enum host_ring_role role, uint32_t relid)
{
	size_t own = role == HOST_RING_READER ? OFF_READ_INDEX : OFF_WRITE_INDEX;
	uint32_t index;

	memset(r, 0, sizeof(*r));
	r->mem = mem;
	r->pfns = pfns;
	r->npages = npages;
	r->role = role;
	r->relid = relid;
	/* One header page and at least one data page (facts §6.1). */
	if (npages < 2 || npages > UINT32_MAX / VMBUS_PAGE_SIZE) {
		guest_refuse("ring.too-small", "relid %u %s ring: %u pages",
			     relid, role_name(r), npages);
		return -1;
	}
	r->size = (npages - 1) * VMBUS_PAGE_SIZE;
	for (uint32_t i = 0; i < npages; i++) {
		if (!ring_page_ptr(r, i, 0, VMBUS_PAGE_SIZE)) {
			guest_refuse("ring.page-not-ram",
				     "relid %u %s ring: page %u (pfn %#llx) is "
				     "not RAM", relid, role_name(r), i,
				     (unsigned long long)pfns[i]);
			return -1;
		}
	}
	/* Our index starts where the guest left it (Linux zeroes the header,
	 * but any consistent value works); it must still be a valid one. */
	if (load_guest_index(r, own, "ring.initial-index-invalid", &index))
		return -1;
	r->host_index = index;
	if (role == HOST_RING_READER) {
		store_word(r, OFF_INTERRUPT_MASK, 0);
	} else {
		volatile uint32_t *feat = hdr_word(r, OFF_FEATURE_BITS);

		if (feat)
			__atomic_fetch_or(feat, VMBUS_RING_FEAT_PENDING_SEND_SZ,
					  __ATOMIC_SEQ_CST);
		store_word(r, OFF_PENDING_SEND, 0);
	}
	return 0;
}

/* Copy between the data area and host memory; to_ring picks direction. */
static int ring_copy(const struct host_ring *r, uint32_t offset, uint8_t *host,
		     uint32_t len, bool to_ring)
{
	if (offset >= r->size || len > r->size)
		return -1;
	while (len) {
		uint32_t page = 1 + offset / VMBUS_PAGE_SIZE;
		uint32_t in_page = offset % VMBUS_PAGE_SIZE;
		uint32_t chunk = VMBUS_PAGE_SIZE - in_page;
		uint8_t *p;

		if (chunk > len)
			chunk = len;
		p = ring_page_ptr(r, page, in_page, chunk);
		if (!p)
			return -1;
		if (to_ring)
			memcpy(p, host, chunk);
		else
			memcpy(host, p, chunk);
		host += chunk;
		len -= chunk;
		offset += chunk;
		if (offset == r->size)    /* facts §6.4: wrap to the start */
			offset = 0;
	}
	return 0;
}

int host_ring_copy_out(const struct host_ring *r, uint32_t offset, void *dst,
		       uint32_t len)
{
	return ring_copy(r, offset, dst, len, false);
}

int host_ring_copy_in(const struct host_ring *r, uint32_t offset,
		      const void *src, uint32_t len)
{
	/* ring_copy only reads from `host` in this direction. */
	return ring_copy(r, offset, (uint8_t *)(uintptr_t)src, len, true);
}

static uint32_t ring_advance(const struct host_ring *r, uint32_t offset,
			     uint32_t bytes)
{
	return (uint32_t)(((uint64_t)offset + bytes) % r->size);
}

/* ---- reader ----------------------------------------------------------- */

static bool packet_type_known(uint16_t type)
{
	return type == VMBUS_PKT_DATA_INBAND || type == VMBUS_PKT_DATA_GPA_DIRECT ||
	       type == VMBUS_PKT_COMP;
}

/* The descriptor rules of facts §6.3, on a local copy.  0 or -1. */
static int check_descriptor(const struct host_ring *r,
			    const struct vmbus_packet_desc *d, uint32_t avail,
			    uint32_t bufsize)
{
	uint32_t len = (uint32_t)d->len8 * 8u;

	if (!packet_type_known(d->type)) {
		guest_refuse("ring.unknown-packet-type",
			     "relid %u: packet type %#x", r->relid, d->type);
		return -1;
	}
	if (d->offset8 < 2) {
		guest_refuse("ring.data-offset-inside-descriptor",
			     "relid %u: offset8 %u < 2", r->relid, d->offset8);
		return -1;
	}
	if (d->len8 < d->offset8) {
		guest_refuse("ring.data-offset-beyond-packet",
			     "relid %u: offset8 %u > len8 %u", r->relid,
			     d->offset8, d->len8);
		return -1;
	}
	if (len + VMBUS_PKT_TRAILER_SIZE > avail) {
		guest_refuse("ring.packet-beyond-ring",
			     "relid %u: packet of %u bytes + trailer, %u "
			     "written", r->relid, len, avail);
		return -1;
	}
	if (len > bufsize) {
		guest_refuse("ring.packet-too-large",
			     "relid %u: packet of %u bytes, limit %u",
			     r->relid, len, bufsize);
		return -1;
	}
	if (d->flags & ~VMBUS_PKT_FLAG_COMPLETION_REQUESTED) {
		guest_refuse("ring.unknown-packet-flags",
			     "relid %u: flags %#x", r->relid, d->flags);
		return -1;
	}
	return 0;
}

int host_ring_peek(struct host_ring *r, uint8_t *buf, uint32_t bufsize,
		   struct vmbus_packet_desc *desc, uint32_t *ring_bytes)
{
	struct vmbus_packet_desc d;
	uint32_t write, read = r->host_index, avail, len;

	if (load_guest_index(r, OFF_WRITE_INDEX, "ring.write-index-out-of-range",
			     &write))
		return -1;
	avail = vmbus_ring_avail_read(write, read, r->size);
	if (avail == 0)
		return 0;
	if (avail < MIN_PACKET_RING_BYTES) {
		guest_refuse("ring.partial-packet",
			     "relid %u: %u bytes written, less than a packet",
			     r->relid, avail);
		return -1;
	}
	if (host_ring_copy_out(r, read, &d, sizeof(d))) {
		guest_refuse("ring.page-not-ram", "relid %u: data page is not "
			     "RAM", r->relid);
		return -1;
	}
	if (check_descriptor(r, &d, avail, bufsize))
		return -1;
	/* The buffer gets the descriptor we validated, not a second read of
	 * guest memory that might have changed since. */
	len = (uint32_t)d.len8 * 8u;
	memcpy(buf, &d, sizeof(d));
	if (len > sizeof(d) &&
	    host_ring_copy_out(r, ring_advance(r, read, sizeof(d)),
			       buf + sizeof(d), len - (uint32_t)sizeof(d))) {
		guest_refuse("ring.page-not-ram", "relid %u: data page is not "
			     "RAM", r->relid);
		return -1;
	}
	*desc = d;
	*ring_bytes = len + VMBUS_PKT_TRAILER_SIZE;
	return 1;
}

int host_ring_consume(struct host_ring *r, uint32_t ring_bytes)
{
	uint32_t write, old = r->host_index, free_before, free_after;
	uint32_t pending, features;

	if (load_guest_index(r, OFF_WRITE_INDEX, "ring.write-index-out-of-range",
			     &write))
		return -1;
	free_before = vmbus_ring_avail_write(write, old, r->size);
	r->host_index = ring_advance(r, old, ring_bytes);
	/* The packet was copied out at peek time, so the space may be reused
	 * as soon as the guest sees the new index. */
	store_word(r, OFF_READ_INDEX, r->host_index);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	free_after = vmbus_ring_avail_write(write, r->host_index, r->size);
	pending = load_word(r, OFF_PENDING_SEND);
	features = load_word(r, OFF_FEATURE_BITS);
	return vmbus_ring_should_signal_writer(features, pending, free_before,
					       free_after);
}

void host_ring_set_interrupt_mask(struct host_ring *r, bool masked)
{
	/* The mask belongs to the reader; a writer has no business here. */
	if (r->role != HOST_RING_READER)
		return;
	store_word(r, OFF_INTERRUPT_MASK, masked ? 1u : 0u);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* ---- writer ----------------------------------------------------------- */

static uint32_t packet_bytes(uint32_t payload_len)
{
	return vmbus_packet_ring_bytes((uint32_t)sizeof(struct vmbus_packet_desc) +
				       payload_len);
}

uint32_t host_ring_max_payload(const struct host_ring *r)
{
	/* can_write needs bytes < size on an empty ring, bytes is a multiple
	 * of 8: at most size - 8 ring bytes, i.e. descriptor + payload +
	 * trailer <= size - 8. */
	uint32_t overhead = (uint32_t)sizeof(struct vmbus_packet_desc) +
			    VMBUS_PKT_TRAILER_SIZE + 8u;

	return r->size > overhead ? r->size - overhead : 0;
}

bool host_ring_can_write(const struct host_ring *r, uint32_t payload_len)
{
	volatile uint32_t *p = hdr_word(r, OFF_READ_INDEX);
	uint32_t read;

	if (!p || payload_len > host_ring_max_payload(r))
		return false;
	read = __atomic_load_n(p, __ATOMIC_ACQUIRE);
	if (!index_valid(r, read))
		return false;
	return vmbus_ring_can_write(r->host_index, read, r->size,
				    packet_bytes(payload_len));
}

int host_ring_write(struct host_ring *r, struct vmbus_packet_desc *desc,
		    const void *payload, uint32_t len, bool *signal_reader)
{
	static const uint8_t zeros[8];
	uint32_t old_write = r->host_index, read, bytes, pos, padded;
	uint64_t trailer;

	*signal_reader = false;
	if (len > host_ring_max_payload(r))
		return -2;
	if (load_guest_index(r, OFF_READ_INDEX, "ring.read-index-out-of-range",
			     &read))
		return -2;
	bytes = packet_bytes(len);
	if (!vmbus_ring_can_write(old_write, read, r->size, bytes)) {
		/* We are this ring's writer, so pending_send_sz is ours to
		 * announce; the guest reader signals once it frees that much
		 * (facts §6.5).  It may have freed space between our read and
		 * the announcement without seeing it, so look once more. */
		store_word(r, OFF_PENDING_SEND, bytes);
		r->pending_armed = true;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (load_guest_index(r, OFF_READ_INDEX,
				     "ring.read-index-out-of-range", &read))
			return -2;
		if (!vmbus_ring_can_write(old_write, read, r->size, bytes))
			return -1;
	}
	padded = bytes - VMBUS_PKT_TRAILER_SIZE;
	desc->offset8 = (uint16_t)(sizeof(*desc) / 8);
	desc->len8 = (uint16_t)(padded / 8);
	trailer = (uint64_t)old_write << 32;   /* facts §6.3 */

	pos = old_write;
	if (host_ring_copy_in(r, pos, desc, sizeof(*desc)))
		goto not_ram;
	pos = ring_advance(r, pos, sizeof(*desc));
	if (len && host_ring_copy_in(r, pos, payload, len))
		goto not_ram;
	pos = ring_advance(r, pos, len);
	if (padded > sizeof(*desc) + len &&
	    host_ring_copy_in(r, pos, zeros, padded - (uint32_t)sizeof(*desc) - len))
		goto not_ram;
	pos = ring_advance(r, old_write, padded);
	if (host_ring_copy_in(r, pos, &trailer, sizeof(trailer)))
		goto not_ram;

	if (r->pending_armed) {
		store_word(r, OFF_PENDING_SEND, 0);
		r->pending_armed = false;
	}
	r->host_index = ring_advance(r, old_write, bytes);
	/* Release: the packet bytes are visible before the new index. */
	store_word(r, OFF_WRITE_INDEX, r->host_index);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*signal_reader = vmbus_ring_should_signal_reader(
		old_write, load_word(r, OFF_READ_INDEX),
		load_word(r, OFF_INTERRUPT_MASK));
	return 0;

not_ram:
	guest_refuse("ring.page-not-ram", "relid %u: data page is not RAM",
		     r->relid);
	return -2;
}
