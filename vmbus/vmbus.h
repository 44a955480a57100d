/* SPDX-License-Identifier: MIT */
/*
 * The VMBus host: the control plane (version negotiation, offers, GPADLs,
 * channel open/close/rescind, unload) and the channels' ring buffers.
 *
 * Services (echo, VPCI, synthvid) plug in through struct vmbus_service:
 * a class and instance GUID, an MMIO size for the offer, and callbacks.
 * The core never looks inside a service, and a service touches rings only
 * through the vmbus_chan_* calls below.
 *
 * Data path: guest HvSignalEvent -> vmbus_host -> service->signal() ->
 * vmbus_chan_peek/consume (validated packets) -> vmbus_chan_send (reply,
 * signalling the guest only when the ring rules require it).
 */
#ifndef KVMBUS_VMBUS_H
#define KVMBUS_VMBUS_H

#include <stdbool.h>
#include <stdint.h>

#include "vmbus/abi/vmbus_abi.h"
#include "vmm/guest_mem.h"
#include "vmm/hv.h"
#include "vmm/synic.h"
#include "vmm/trace.h"

struct vmbus_host;
struct vmbus_channel;

/* Largest packet (descriptor + payload) the host accepts from a guest. */
#define VMBUS_HOST_MAX_PACKET  (64u * 1024u)
#define VMBUS_HOST_MAX_SERVICES 16

/* One validated in-band/completion packet, copied out of the ring. */
struct vmbus_pkt {
	struct vmbus_packet_desc desc;
	const uint8_t *payload;       /* starts at desc.offset8 * 8 */
	uint32_t payload_len;         /* len8 * 8 - offset8 * 8 */
};

struct vmbus_service_ops {
	/* The guest opened a channel.  0 accepts; non-zero is the status
	 * put in OPENCHANNEL_RESULT. */
	uint32_t (*open)(void *svc, struct vmbus_channel *ch);
	/* The channel closed (CLOSECHANNEL, rescind, unload, or broken). */
	void (*close)(void *svc, struct vmbus_channel *ch);
	/* The guest signalled: drain what the ring holds. */
	void (*signal)(void *svc, struct vmbus_channel *ch);
	/* The guest's VMBus connection ended (UNLOAD; a second
	 * INITIATE_CONTACT while connected is refused, not a reset).
	 * Per-connection state goes; claims the host keeps across boots
	 * (e.g. VRAM) stay.  May be NULL. */
	void (*reset)(void *svc);
	/* Optional: for --trace, name a data packet (trace_set_name) and add
	 * its key fields; the core already added type, len and trans_id. */
	void (*describe)(void *svc, bool to_guest, const struct vmbus_pkt *pkt,
			 struct trace_rec *r);
};

struct vmbus_service {
	const char *name;             /* "echo", "vpci0", "synthvid" */
	struct vmbus_guid class_id;
	struct vmbus_guid instance_id;
	uint16_t mmio_megabytes;
	const struct vmbus_service_ops *ops;
	void *ctx;
};

struct vmbus_stats {
	uint64_t msgs_in, msgs_out, pkts_in, pkts_out, signals_in, signals_out;
};

struct vmbus_host *vmbus_host_create(const struct guest_mem *mem,
				     struct synic *synic);
void vmbus_host_destroy(struct vmbus_host *h);
/* Offers are made in registration order.  Returns the service index,
 * or -1 when full. */
int vmbus_register_service(struct vmbus_host *h, const struct vmbus_service *svc);
/* Host-initiated hot-remove: RESCIND_CHANNELOFFER for the service's
 * channel (closing it first if open).  0, or -1 if not offered (a
 * service not offered yet is withdrawn all the same: never offered). */
int vmbus_rescind(struct vmbus_host *h, int service_index);
const struct vmbus_stats *vmbus_host_stats(const struct vmbus_host *h);
/* The VM was reset without an UNLOAD: drop the connection as UNLOAD
 * does (channels closed, GPADLs gone, services reset), sending nothing. */
void vmbus_host_reset(struct vmbus_host *h);
/* Call fn each time the guest's INITIATE_CONTACT is accepted: a new VMBus
 * connection, i.e. a new guest boot (the MMIO registry stamps claims
 * with it). */
void vmbus_host_on_connect(struct vmbus_host *h,
			   void (*fn)(void *ctx, uint32_t version), void *ctx);
/* Connected (INITIATE_CONTACT accepted and not unloaded)? */
bool vmbus_host_connected(const struct vmbus_host *h);

/* The hypercall side, for hv_set_bus(): bus context = struct vmbus_host. */
extern const struct hv_bus_ops vmbus_hv_bus_ops;

/* ---- For services ---------------------------------------------------- */
uint32_t vmbus_chan_relid(const struct vmbus_channel *ch);
const char *vmbus_chan_name(const struct vmbus_channel *ch);
/* Next packet from the guest->host ring, validated (§6.3: type, offset8,
 * len8, trailer, bounds).  1 = *pkt filled (valid until the next call),
 * 0 = ring empty, -1 = the ring is malformed: it was logged and refused,
 * and the channel is closed for good. */
int vmbus_chan_peek(struct vmbus_channel *ch, struct vmbus_pkt *pkt);
/* Drop the packet returned by the last peek; signal the guest writer if
 * it was blocked on pending_send_sz and now has room. */
void vmbus_chan_consume(struct vmbus_channel *ch);
/* Interrupt suppression while draining (facts §6.5): masked = true asks
 * the guest not to signal, because the service is reading anyway; after
 * clearing it the service must look at the ring once more (peek), since
 * a packet written while the mask was set came without a signal. */
void vmbus_chan_mask_interrupts(struct vmbus_channel *ch, bool masked);
/* Write a packet into the host->guest ring and signal the guest if the
 * rules say so.  0 = sent; -1 = no room now (pending_send_sz is armed:
 * the service will be signalled again when the guest frees space);
 * -2 = channel not open or broken, or len > vmbus_chan_max_payload(). */
int vmbus_chan_send(struct vmbus_channel *ch, uint16_t type, uint16_t flags,
		    uint64_t trans_id, const void *payload, uint32_t len);
/* Room for a packet of `len` payload bytes right now? */
bool vmbus_chan_can_send(const struct vmbus_channel *ch, uint32_t len);
/* The largest payload the host->guest ring of this channel can ever take
 * (its data area minus descriptor, trailer and the slot kept free);
 * 0 when the channel is not open or broken. */
uint32_t vmbus_chan_max_payload(const struct vmbus_channel *ch);

/* The echo service: returns every in-band packet unchanged (same type
 * and transaction id).  Its ctx may be NULL. */
extern const struct vmbus_service_ops vmbus_echo_ops;
#define VMBUS_ECHO_INSTANCE VMBUS_GUID(0x6b6d7662, 0x7365, 0x6863, \
	0x8f, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01)

#endif
