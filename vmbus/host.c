// SPDX-License-Identifier: MIT
/*
 * The VMBus host's control plane: lifetime, the connection (version
 * negotiation, offers, unload) and the dispatch of guest messages.
 *
 * Every message the guest posts is checked here before any handler sees
 * it (facts §5.1, §5.3): connection id, SynIC message type, header, known
 * guest-to-host message type, Linux's structure size as the minimum, and
 * whether the connection state allows it.  Handlers then only deal with
 * the values inside.
 */
#include "vmbus/vmbus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmbus/msg_names.h"
#include "vmbus/vmbus_internal.h"
#include "vmm/log.h"

struct msg_rule {
	uint32_t min_size;             /* Linux's sizeof of the message */
	bool needs_connection;
	vmbus_msg_handler *handle;
};

static vmbus_msg_handler on_initiate_contact;
static vmbus_msg_handler on_request_offers;
static vmbus_msg_handler on_unload;

/* Guest-to-host messages kvmbus serves; a NULL handler is refused. */
static const struct msg_rule msg_rules[VMBUS_MSG_COUNT] = {
	[VMBUS_MSG_INITIATE_CONTACT] = {
		sizeof(struct vmbus_msg_initiate_contact), false,
		on_initiate_contact },
	[VMBUS_MSG_REQUESTOFFERS] = {
		sizeof(struct vmbus_msg_header), true, on_request_offers },
	[VMBUS_MSG_GPADL_HEADER] = {
		sizeof(struct vmbus_msg_gpadl_header), true,
		vmbus_on_gpadl_header },
	[VMBUS_MSG_GPADL_BODY] = {
		sizeof(struct vmbus_msg_gpadl_body), true, vmbus_on_gpadl_body },
	[VMBUS_MSG_GPADL_TEARDOWN] = {
		sizeof(struct vmbus_msg_gpadl_teardown), true,
		vmbus_on_gpadl_teardown },
	[VMBUS_MSG_OPENCHANNEL] = {
		sizeof(struct vmbus_msg_open_channel), true,
		vmbus_on_open_channel },
	[VMBUS_MSG_CLOSECHANNEL] = {
		sizeof(struct vmbus_msg_relid), true, vmbus_on_close_channel },
	[VMBUS_MSG_RELID_RELEASED] = {
		sizeof(struct vmbus_msg_relid), true, vmbus_on_relid_released },
	[VMBUS_MSG_MODIFYCHANNEL] = {
		sizeof(struct vmbus_msg_modify_channel), true,
		vmbus_on_modify_channel },
	[VMBUS_MSG_UNLOAD] = {
		sizeof(struct vmbus_msg_header), true, on_unload },
};

/* ---- lifetime --------------------------------------------------------- */

struct vmbus_host *vmbus_host_create(const struct guest_mem *mem,
				     struct synic *synic)
{
	struct vmbus_host *h;
	pthread_mutexattr_t attr;

	if (!mem || !synic)
		return NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&h->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	h->mem = mem;
	h->synic = synic;
	h->sint = VMBUS_MESSAGE_SINT;
	return h;
}

/* Service callbacks are not called: the services may be gone already. */
void vmbus_host_destroy(struct vmbus_host *h)
{
	if (!h)
		return;
	vmbus_gpadl_clear(&h->gpadls);
	for (unsigned i = 0; i < h->nr_chan; i++)
		free(h->chan[i].pkt_buf);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

int vmbus_register_service(struct vmbus_host *h, const struct vmbus_service *svc)
{
	struct vmbus_channel *ch;
	int index;

	if (!h || !svc || !svc->ops || !svc->ops->open || !svc->ops->close ||
	    !svc->ops->signal)
		return -1;
	pthread_mutex_lock(&h->lock);
	if (h->nr_chan >= VMBUS_HOST_MAX_SERVICES) {
		pthread_mutex_unlock(&h->lock);
		return -1;
	}
	index = (int)h->nr_chan++;
	ch = &h->chan[index];
	memset(ch, 0, sizeof(*ch));
	ch->host = h;
	ch->svc = *svc;
	ch->relid = (uint32_t)index + 1;   /* relid 0 is reserved (facts §4.2) */
	ch->state = CHAN_IDLE;
	/* Hot-add: the guest already enumerated, so offer it right away. */
	if (h->connected && h->offers_sent)
		vmbus_chan_offer(ch);
	pthread_mutex_unlock(&h->lock);
	return index;
}

const struct vmbus_stats *vmbus_host_stats(const struct vmbus_host *h)
{
	return &h->stats;
}

bool vmbus_host_connected(const struct vmbus_host *h)
{
	return h->connected;
}

struct vmbus_channel *vmbus_chan_by_relid(struct vmbus_host *h, uint32_t relid)
{
	if (relid == 0 || relid > h->nr_chan)
		return NULL;
	return &h->chan[relid - 1];
}

/* ---- sending ---------------------------------------------------------- */

void vmbus_post_to_guest(struct vmbus_host *h, unsigned vp, unsigned sint,
			 const void *msg, uint32_t size)
{
	int r = synic_post_message(h->synic, vp, sint, HV_MESSAGE_TYPE_VMBUS,
				   msg, size);
	if (r == -ENOSPC)
		return;	/* synic logged the refusal; --trace shows the message */
	if (r < 0) {
		struct vmbus_msg_header hdr;

		memcpy(&hdr, msg, sizeof(hdr));
		log_err("vmbus: could not post %s to VP %u SINT %u",
			vmbus_msg_name(hdr.msgtype), vp, sint);
		return;
	}
	h->stats.msgs_out++;
}

void vmbus_send_msg_to(struct vmbus_host *h, unsigned vp, unsigned sint,
		       const void *msg, uint32_t size)
{
	vmbus_trace_msg(TRACE_H2G, msg, size);
	vmbus_post_to_guest(h, vp, sint, msg, size);
}

void vmbus_send_msg(struct vmbus_host *h, const void *msg, uint32_t size)
{
	vmbus_send_msg_to(h, h->target_vcpu, h->sint, msg, size);
}

/* ---- version negotiation (facts §5.2, §5.4) ---------------------------- */

static bool version_served(uint32_t v)
{
	switch (v) {
	case VMBUS_VERSION_WIN8_1:
	case VMBUS_VERSION_WIN10:
	case VMBUS_VERSION_WIN10_V4_1:
	case VMBUS_VERSION_WIN10_V5:
	case VMBUS_VERSION_WIN10_V5_1:
	case VMBUS_VERSION_WIN10_V5_2:
	case VMBUS_VERSION_WIN10_V5_3:
		return true;
	default:
		return false;
	}
}

static void send_version_response(struct vmbus_host *h, unsigned vp,
				  unsigned sint, bool supported,
				  uint32_t msg_conn_id)
{
	struct vmbus_msg_version_response r = {
		.hdr.msgtype = VMBUS_MSG_VERSION_RESPONSE,
		.version_supported = supported,
		.connection_state = 0,
		.msg_conn_id = msg_conn_id,
	};

	vmbus_send_msg_to(h, vp, sint, &r, sizeof(r));
}

/* Why this INITIATE_CONTACT cannot be accepted, as a refusal; NULL = ok. */
static const char *initiate_contact_problem(const struct vmbus_host *h,
					    const struct vmbus_msg_ctx *ctx,
					    const struct vmbus_msg_initiate_contact *m)
{
	bool v5 = m->version >= VMBUS_VERSION_WIN10_V5;

	/* facts §5.4: >= 5.0 on connection 4, older versions on 1. */
	if (ctx->conn_id != (v5 ? VMBUS_MESSAGE_CONNECTION_ID_4 :
				  VMBUS_MESSAGE_CONNECTION_ID))
		return "vmbus.initiate-wrong-connection-id";
	if (m->target_vcpu >= h->synic->nr_vps)
		return "vmbus.target-vcpu-out-of-range";
	if (v5 && m->msg_sint >= HV_SINT_COUNT)
		return "vmbus.msg-sint-out-of-range";
	/* OpenVMM's rule: both monitor pages or neither. */
	if ((m->monitor_page1 == 0) != (m->monitor_page2 == 0))
		return "vmbus.monitor-pages-mismatched";
	return NULL;
}

static void on_initiate_contact(struct vmbus_host *h,
				const struct vmbus_msg_ctx *ctx,
				const void *msg, uint32_t size)
{
	const struct vmbus_msg_initiate_contact *m = msg;
	bool v5 = m->version >= VMBUS_VERSION_WIN10_V5;
	/* Where a refusal goes: the VP and SINT the guest asked for if they
	 * exist, else the sender's VP and the VMBus SINT. */
	unsigned vp = m->target_vcpu < h->synic->nr_vps ? m->target_vcpu
							 : ctx->vp;
	unsigned sint = v5 && m->msg_sint < HV_SINT_COUNT ? m->msg_sint
							  : VMBUS_MESSAGE_SINT;
	const char *problem;

	(void)size;
	if (h->connected) {
		guest_refuse("vmbus.initiate-while-connected",
			     "INITIATE_CONTACT %u.%u while connected at %u.%u "
			     "(UNLOAD first)", m->version >> 16,
			     m->version & 0xffff, h->version >> 16,
			     h->version & 0xffff);
		send_version_response(h, h->target_vcpu, h->sint, false, 0);
		return;
	}
	if (!version_served(m->version)) {
		/* Not a fault: the guest walks down its list (facts §5.4). */
		log_info("vmbus: guest asked for version %u.%u, not served",
			 m->version >> 16, m->version & 0xffff);
		send_version_response(h, vp, sint, false, 0);
		return;
	}
	problem = initiate_contact_problem(h, ctx, m);
	if (problem) {
		guest_refuse(problem, "INITIATE_CONTACT %u.%u on connection %u: "
			     "target_vcpu %u (of %u), msg_sint %u, monitor "
			     "pages %#llx/%#llx", m->version >> 16,
			     m->version & 0xffff, ctx->conn_id, m->target_vcpu,
			     h->synic->nr_vps, v5 ? m->msg_sint : 2,
			     (unsigned long long)m->monitor_page1,
			     (unsigned long long)m->monitor_page2);
		send_version_response(h, vp, sint, false, 0);
		return;
	}
	h->connected = true;
	if (h->on_connect)
		h->on_connect(h->on_connect_ctx, m->version);
	h->offers_sent = false;
	h->version = m->version;
	h->target_vcpu = m->target_vcpu;
	/* < 5.0: messages always arrive on SINT 2 (facts §4.4). */
	h->sint = v5 ? m->msg_sint : VMBUS_MESSAGE_SINT;
	/* >= 5.0: later messages come on the id we return (facts §5.3). */
	send_version_response(h, h->target_vcpu, h->sint, true,
			      v5 ? VMBUS_MESSAGE_CONNECTION_ID : 0);
}

/* ---- offers and unload ------------------------------------------------ */

static void on_request_offers(struct vmbus_host *h,
			      const struct vmbus_msg_ctx *ctx,
			      const void *msg, uint32_t size)
{
	struct vmbus_msg_header done = {
		.msgtype = VMBUS_MSG_ALLOFFERS_DELIVERED,
	};

	(void)ctx;
	(void)msg;
	(void)size;
	if (h->offers_sent) {
		guest_refuse("vmbus.requestoffers-repeated",
			     "REQUESTOFFERS again on the same connection");
		return;
	}
	/* Registration order, relid = index + 1 (facts §5.4). */
	for (unsigned i = 0; i < h->nr_chan; i++)
		if (h->chan[i].state == CHAN_IDLE)
			vmbus_chan_offer(&h->chan[i]);
	/* Always sent: Linux waits up to 60 s for it (facts §5.4). */
	vmbus_send_msg(h, &done, sizeof(done));
	h->offers_sent = true;
}

/* Everything the guest set up on this connection goes: open channels
 * are closed, GPADLs dropped, services reset (facts §5.4, UNLOAD). */
static void disconnect(struct vmbus_host *h)
{
	for (unsigned i = 0; i < h->nr_chan; i++)
		vmbus_chan_disconnect(&h->chan[i]);
	vmbus_gpadl_clear(&h->gpadls);
	for (unsigned i = 0; i < h->nr_chan; i++) {
		const struct vmbus_service *svc = &h->chan[i].svc;

		if (svc->ops->reset)
			svc->ops->reset(svc->ctx);
	}
	h->connected = false;
	h->offers_sent = false;
	h->version = 0;
}

static void on_unload(struct vmbus_host *h, const struct vmbus_msg_ctx *ctx,
		      const void *msg, uint32_t size)
{
	struct vmbus_msg_header resp = {
		.msgtype = VMBUS_MSG_UNLOAD_RESPONSE,
	};
	unsigned vp = h->target_vcpu, sint = h->sint;

	(void)ctx;
	(void)msg;
	(void)size;
	disconnect(h);
	/* A new INITIATE_CONTACT is welcome now (e.g. a crash kernel). */
	vmbus_send_msg_to(h, vp, sint, &resp, sizeof(resp));
}

void vmbus_host_reset(struct vmbus_host *h)
{
	pthread_mutex_lock(&h->lock);
	disconnect(h);
	pthread_mutex_unlock(&h->lock);
}

/* ---- the hypercall side ------------------------------------------------ */

static uint16_t dispatch_message(struct vmbus_host *h,
				 const struct vmbus_msg_ctx *ctx,
				 uint32_t msg_type, const void *payload,
				 uint32_t size)
{
	uint64_t buf[HV_MESSAGE_PAYLOAD_MAX / 8] = { 0 };
	struct vmbus_msg_header hdr;
	const struct msg_rule *rule = NULL;

	if (ctx->conn_id != VMBUS_MESSAGE_CONNECTION_ID &&
	    ctx->conn_id != VMBUS_MESSAGE_CONNECTION_ID_4) {
		guest_refuse("vmbus.unknown-connection-id",
			     "message posted to connection %#x", ctx->conn_id);
		return HV_STATUS_INVALID_CONNECTION_ID;
	}
	if (msg_type != HV_MESSAGE_TYPE_VMBUS) {
		guest_refuse("vmbus.msg-type-not-vmbus",
			     "SynIC message type %#x", msg_type);
		return HV_STATUS_SUCCESS;
	}
	if (size > sizeof(buf) || (size && !payload)) {
		guest_refuse("vmbus.msg-too-long", "%u bytes", size);
		return HV_STATUS_SUCCESS;
	}
	/* A private, aligned copy: handlers read each field exactly once
	 * from memory the guest cannot change. */
	if (size)
		memcpy(buf, payload, size);
	vmbus_trace_msg(TRACE_G2H, buf, size);
	if (size < sizeof(hdr)) {
		guest_refuse("vmbus.msg-truncated",
			     "%u bytes, shorter than the message header", size);
		return HV_STATUS_SUCCESS;
	}
	memcpy(&hdr, buf, sizeof(hdr));
	/* facts §5.4: connection 4 carries INITIATE_CONTACT only. */
	if (ctx->conn_id == VMBUS_MESSAGE_CONNECTION_ID_4 &&
	    hdr.msgtype != VMBUS_MSG_INITIATE_CONTACT) {
		guest_refuse("vmbus.wrong-connection-id",
			     "%s on connection 4", vmbus_msg_name(hdr.msgtype));
		return HV_STATUS_INVALID_CONNECTION_ID;
	}
	if (hdr.msgtype < VMBUS_MSG_COUNT)
		rule = &msg_rules[hdr.msgtype];
	if (!rule || !rule->handle) {
		guest_refuse("vmbus.msgtype-not-served",
			     "message type %u (%s) is not a guest-to-host "
			     "message kvmbus serves", hdr.msgtype,
			     vmbus_msg_name(hdr.msgtype));
		return HV_STATUS_SUCCESS;
	}
	if (size < rule->min_size) {
		guest_refuse("vmbus.msg-truncated", "%s of %u bytes, needs %u",
			     vmbus_msg_name(hdr.msgtype), size, rule->min_size);
		return HV_STATUS_SUCCESS;
	}
	if (rule->needs_connection && !h->connected) {
		guest_refuse("vmbus.not-connected",
			     "%s before INITIATE_CONTACT was accepted",
			     vmbus_msg_name(hdr.msgtype));
		return HV_STATUS_SUCCESS;
	}
	rule->handle(h, ctx, buf, size);
	return HV_STATUS_SUCCESS;
}

static uint16_t bus_post_message(void *bus, unsigned vp, uint32_t conn_id,
				 uint32_t msg_type, const void *payload,
				 uint32_t size)
{
	struct vmbus_host *h = bus;
	struct vmbus_msg_ctx ctx = {
		.vp = vp,
		.conn_id = conn_id & HV_CONNECTION_ID_MASK,
	};
	uint16_t status;

	pthread_mutex_lock(&h->lock);
	h->stats.msgs_in++;
	status = dispatch_message(h, &ctx, msg_type, payload, size);
	pthread_mutex_unlock(&h->lock);
	return status;
}

static uint16_t bus_signal_event(void *bus, unsigned vp, uint32_t conn_id,
				 uint16_t flag)
{
	struct vmbus_host *h = bus;
	uint16_t status;

	(void)vp;
	pthread_mutex_lock(&h->lock);
	status = vmbus_chan_on_signal_event(h, conn_id & HV_CONNECTION_ID_MASK,
					    flag);
	pthread_mutex_unlock(&h->lock);
	return status;
}

/* The SynIC redelivers queued messages itself; nothing waits on EOM here. */
static void bus_eom(void *bus, unsigned vp)
{
	(void)bus;
	(void)vp;
}

const struct hv_bus_ops vmbus_hv_bus_ops = {
	.post_message = bus_post_message,
	.signal_event = bus_signal_event,
	.eom = bus_eom,
};

void vmbus_host_on_connect(struct vmbus_host *h,
			   void (*fn)(void *ctx, uint32_t version), void *ctx)
{
	pthread_mutex_lock(&h->lock);
	h->on_connect = fn;
	h->on_connect_ctx = ctx;
	pthread_mutex_unlock(&h->lock);
}
