/* SPDX-License-Identifier: MIT */
/*
 * The host's side of one VMBus ring buffer (facts §6), laid over the page
 * list of a GPADL.  Page 0 is the ring header, pages 1.. the data area;
 * the pages need not be contiguous, so every copy walks the page list and
 * wraps at the end of the data area.
 *
 * The ring header lives in guest memory, where another vCPU can change it
 * at any moment.  The index the host owns is therefore kept here in
 * host_index and only ever *published* to the header; the guest's index
 * is read once per operation into a local and validated before use.
 *
 * Every guest mistake is reported with guest_refuse() under a "ring.*"
 * rule; the caller (the channel) decides what that means for the channel.
 */
#ifndef KVMBUS_VMBUS_RING_H
#define KVMBUS_VMBUS_RING_H

#include <stdbool.h>
#include <stdint.h>

#include "vmbus/abi/vmbus_abi.h"
#include "vmm/guest_mem.h"

enum host_ring_role {
	HOST_RING_READER,   /* guest -> host ring: the host reads */
	HOST_RING_WRITER,   /* host -> guest ring: the host writes */
};

struct host_ring {
	const struct guest_mem *mem;
	const uint64_t *pfns;     /* pfns[0] = header page, then data pages */
	uint32_t npages;          /* including the header page */
	uint32_t size;            /* data area bytes = (npages - 1) * 4096 */
	enum host_ring_role role;
	uint32_t relid;           /* for diagnostics only */
	/* Reader: our read index.  Writer: our write index.  The copy in
	 * the header is only an announcement to the guest. */
	uint32_t host_index;
	/* Writer: we wrote pending_send_sz and must clear it once a packet
	 * goes through (facts §6.5). */
	bool pending_armed;
};

/* Take over a ring of `npages` pages (>= 2) whose page frames are
 * pfns[0..npages).  Checks every page is RAM and the host-owned index in
 * the header is sane, then initialises our fields of the header:
 * reader -> interrupt_mask = 0 (we want to be signalled); writer ->
 * feature_bits bit 0 (we honour pending_send_sz), pending_send_sz = 0.
 * 0, or -1 (refused). */
int host_ring_attach(struct host_ring *r, const struct guest_mem *mem,
		     const uint64_t *pfns, uint32_t npages,
		     enum host_ring_role role, uint32_t relid);

/* Copy `len` bytes (<= size) of the data area starting at byte `offset`
 * (< size), wrapping at the end and crossing pages.  0, or -1 if a page
 * is not RAM (not refused here). */
int host_ring_copy_out(const struct host_ring *r, uint32_t offset, void *dst,
		       uint32_t len);
int host_ring_copy_in(const struct host_ring *r, uint32_t offset,
		      const void *src, uint32_t len);

/* Reader: validate the next packet (facts §6.3) and copy it, descriptor
 * included and trailer excluded, into buf (bufsize bytes).  1 = packet
 * (*desc, *ring_bytes = bytes to consume), 0 = empty, -1 = malformed
 * (refused; the ring must not be used again). */
int host_ring_peek(struct host_ring *r, uint8_t *buf, uint32_t bufsize,
		   struct vmbus_packet_desc *desc, uint32_t *ring_bytes);
/* Reader: drop `ring_bytes` (from the last peek), publish the read
 * index.  1 = the guest writer waits for this space and must be
 * signalled, 0 = no signal, -1 = malformed (refused). */
int host_ring_consume(struct host_ring *r, uint32_t ring_bytes);

/* Reader: set (true) or clear interrupt_mask in the header: "do not
 * signal me, I am draining anyway" (facts §6.5).  A full barrier follows
 * the store, so the caller's next look at the write index comes after
 * it: a guest write that still saw the mask set is seen by that look. */
void host_ring_set_interrupt_mask(struct host_ring *r, bool masked);

/* Writer: can a packet with `payload_len` bytes of payload go in now?
 * false also when the guest's read index is malformed (the next write
 * will refuse it). */
bool host_ring_can_write(const struct host_ring *r, uint32_t payload_len);
/* Writer: the largest payload that could ever fit in this ring. */
uint32_t host_ring_max_payload(const struct host_ring *r);
/* Writer: write descriptor (offset8 and len8 are filled in here), payload,
 * zero padding and trailer, then publish the write index.  0 = written
 * (*signal_reader says whether the guest must be interrupted), -1 = no
 * room (pending_send_sz armed), -2 = malformed ring (refused). */
int host_ring_write(struct host_ring *r, struct vmbus_packet_desc *desc,
		    const void *payload, uint32_t len, bool *signal_reader);

#endif
