/* SPDX-License-Identifier: MIT */
/*
 * What the files of the VMBus host share and services never see: the host
 * and channel structures, the control-message handlers, and the helpers
 * that send to the guest.
 *
 * Locking: one recursive mutex per host.  Every entry point (hypercall
 * side, registration, rescind, vmbus_chan_*) takes it, so two vCPUs never
 * race inside the bus; it is recursive because a service's signal()
 * runs under it and calls vmbus_chan_* back.
 */
#ifndef KVMBUS_VMBUS_INTERNAL_H
#define KVMBUS_VMBUS_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmbus/gpadl.h"
#include "vmbus/ring.h"
#include "vmbus/vmbus.h"

enum vmbus_chan_state {
	CHAN_IDLE,       /* registered, not offered on this connection */
	CHAN_OFFERED,    /* OFFERCHANNEL sent */
	CHAN_OPEN,       /* OPENCHANNEL accepted */
	CHAN_RESCINDED,  /* RESCIND_CHANNELOFFER sent, RELID_RELEASED due */
	CHAN_GONE,       /* withdrawn by the host for good */
};

struct vmbus_channel {
	struct vmbus_host *host;
	struct vmbus_service svc;
	uint32_t relid;                /* service index + 1 */
	enum vmbus_chan_state state;
	/* CHAN_OPEN only: */
	bool broken;                   /* a ring was malformed; the service
					  was closed, the guest must close */
	uint32_t target_vp;
	struct vmbus_gpadl *gpadl;     /* the ring GPADL, marked in use */
	struct host_ring outbound;     /* guest -> host, pages [0, offset) */
	struct host_ring inbound;      /* host -> guest, pages [offset, n) */
	uint8_t *pkt_buf;              /* VMBUS_HOST_MAX_PACKET bytes; kept
					  until the host is destroyed */
	uint32_t peeked_bytes;         /* ring bytes of the last peek; 0 none */
	bool peek_traced;              /* that packet is already traced */
};

struct vmbus_host {
	pthread_mutex_t lock;
	const struct guest_mem *mem;
	struct synic *synic;
	/* The connection (facts §5.4). */
	bool connected;
	bool offers_sent;
	uint32_t version;
	unsigned target_vcpu;          /* VP for control messages */
	unsigned sint;                 /* SINT for messages and events */
	struct vmbus_channel chan[VMBUS_HOST_MAX_SERVICES];
	unsigned nr_chan;
	struct vmbus_gpadl_table gpadls;
	struct vmbus_stats stats;
	/* Told of each accepted connection (a new guest "boot"). */
	void (*on_connect)(void *ctx, uint32_t version);
	void *on_connect_ctx;
};

/* Where a control message came from. */
struct vmbus_msg_ctx {
	unsigned vp;
	uint32_t conn_id;
};

/* A control-message handler: msg is an aligned private copy of `size`
 * bytes, at least the minimum size of its type, zero-padded to 240. */
typedef void vmbus_msg_handler(struct vmbus_host *h,
			       const struct vmbus_msg_ctx *ctx,
			       const void *msg, uint32_t size);

/* ---- host.c ----------------------------------------------------------- */
/* Post a control message to the connection's VP and SINT (traced). */
void vmbus_send_msg(struct vmbus_host *h, const void *msg, uint32_t size);
void vmbus_send_msg_to(struct vmbus_host *h, unsigned vp, unsigned sint,
		       const void *msg, uint32_t size);
/* The same without the trace record, for a sender that traces itself. */
void vmbus_post_to_guest(struct vmbus_host *h, unsigned vp, unsigned sint,
			 const void *msg, uint32_t size);
/* The channel with this relid, or NULL (any state). */
struct vmbus_channel *vmbus_chan_by_relid(struct vmbus_host *h, uint32_t relid);

/* ---- channel.c -------------------------------------------------------- */
vmbus_msg_handler vmbus_on_open_channel;
vmbus_msg_handler vmbus_on_close_channel;
vmbus_msg_handler vmbus_on_relid_released;
vmbus_msg_handler vmbus_on_modify_channel;
/* Send OFFERCHANNEL for an idle channel. */
void vmbus_chan_offer(struct vmbus_channel *ch);
/* Offered or open: the guest may use the relid (facts §5.4). */
bool vmbus_chan_offered(const struct vmbus_channel *ch);
/* Close an open channel: service->close (unless already broken), free
 * the ring GPADL for teardown. */
void vmbus_chan_close(struct vmbus_channel *ch);
/* A ring was malformed: service->close now, refuse all ring use until
 * the guest closes the channel. */
void vmbus_chan_break(struct vmbus_channel *ch);
/* The connection ended (UNLOAD): back to idle, or gone if rescinded. */
void vmbus_chan_disconnect(struct vmbus_channel *ch);
/* Interrupt the guest for this channel (SIEF bit relid, facts §4.2). */
void vmbus_chan_signal_guest(struct vmbus_channel *ch);
uint16_t vmbus_chan_on_signal_event(struct vmbus_host *h, uint32_t conn_id,
				    uint16_t flag);

/* ---- gpadl_msgs.c ----------------------------------------------------- */
vmbus_msg_handler vmbus_on_gpadl_header;
vmbus_msg_handler vmbus_on_gpadl_body;
vmbus_msg_handler vmbus_on_gpadl_teardown;

/* ---- chan_data.c ------------------------------------------------------ */
/* Forget a half-consumed peek (channel opened or closed). */
void vmbus_chan_reset_data(struct vmbus_channel *ch);

#endif
