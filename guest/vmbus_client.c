// SPDX-License-Identifier: MIT
/*
 * VMBus channel management, guest side.
 *
 * Host replies arrive synchronously: the VMM handles HvPostMessage during
 * the hypercall exit and queues its answer in our SIMP slot, so the SINT
 * interrupt fires right after the hypercall returns and the answer is
 * usually in the FIFO on the first look.  The wait loops are bounded all
 * the same (KVM facts doc: every wait bounded).
 */
#include "guest/vmbus_client.h"

#include "guest/gpadl.h"
#include "guest/lib/alloc.h"
#include "guest/lib/console.h"
#include "guest/lib/cpu.h"
#include "guest/lib/format.h"
#include "guest/lib/hv.h"
#include "guest/lib/slot_poll.h"
#include "guest/lib/string.h"
#include "guest/lib/synic.h"
#include "vmm/abi/hv_abi.h"

#define POST_ATTEMPTS       100     /* Linux's retry budget (facts §3.3) */
#define POST_BACKOFF_MAX    1024u   /* pause iterations */
#define DEFAULT_WAIT_SPINS  200000u /* ~1 s of pause loops */
#define NOT_HOST_TO_GUEST   0xFFFFu

/* Smallest payload Linux accepts per host->guest message (facts §5.1);
 * NOT_HOST_TO_GUEST marks the types a host never sends. */
static const uint16_t min_payload[VMBUS_MSG_COUNT] = {
	[VMBUS_MSG_INVALID] = NOT_HOST_TO_GUEST,
	[VMBUS_MSG_OFFERCHANNEL] = 196,
	[VMBUS_MSG_RESCIND_CHANNELOFFER] = 12,
	[VMBUS_MSG_REQUESTOFFERS] = NOT_HOST_TO_GUEST,
	[VMBUS_MSG_ALLOFFERS_DELIVERED] = 0,
	[VMBUS_MSG_OPENCHANNEL] = NOT_HOST_TO_GUEST,
	[VMBUS_MSG_OPENCHANNEL_RESULT] = 20,
	[VMBUS_MSG_CLOSECHANNEL] = NOT_HOST_TO_GUEST,
	[VMBUS_MSG_GPADL_HEADER] = NOT_HOST_TO_GUEST,
	[VMBUS_MSG_GPADL_BODY] = NOT_HOST_TO_GUEST,
	[VMBUS_MSG_GPADL_CREATED] = 20,
	[VMBUS_MSG_GPADL_TEARDOWN] = NOT_HOST_TO_GUEST,
	[VMBUS_MSG_GPADL_TORNDOWN] = 12,
	[VMBUS_MSG_RELID_RELEASED] = NOT_HOST_TO_GUEST,
	[VMBUS_MSG_INITIATE_CONTACT] = NOT_HOST_TO_GUEST,
	[VMBUS_MSG_VERSION_RESPONSE] = 16,
	[VMBUS_MSG_UNLOAD] = NOT_HOST_TO_GUEST,
	[VMBUS_MSG_UNLOAD_RESPONSE] = 0,
	[18] = NOT_HOST_TO_GUEST,
	[19] = NOT_HOST_TO_GUEST,
	[20] = NOT_HOST_TO_GUEST,
	[21] = NOT_HOST_TO_GUEST,
	[VMBUS_MSG_MODIFYCHANNEL] = NOT_HOST_TO_GUEST,
	[23] = NOT_HOST_TO_GUEST,
	[VMBUS_MSG_MODIFYCHANNEL_RESPONSE] = 16,
};

bool vmbus_guid_equal(const struct vmbus_guid *a, const struct vmbus_guid *b)
{
	return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

void vmbus_guid_format(char *buf, const struct vmbus_guid *g)
{
	const uint8_t *b = g->b;

	/* First three fields little-endian, the last 8 bytes in order
	 * (facts §10). */
	ksnprintf(buf, 37,
		  "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		  b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9],
		  b[10], b[11], b[12], b[13], b[14], b[15]);
}

bool vmbus_client_init(struct vmbus_client *c, uint32_t target_vcpu)
{
	*c = (struct vmbus_client){ 0 };
	c->target_vcpu = target_vcpu;
	c->wait_spins = DEFAULT_WAIT_SPINS;
	c->next_gpadl = VMBUS_CLIENT_FIRST_GPADL;
	/* Linux always hands the host an interrupt page (< 5.0) and two
	 * monitor pages; kvmbus offers no monitored channels, but a host may
	 * insist the monitor pages be both set or both zero (facts §5.3). */
	c->interrupt_page = page_alloc(1);
	c->monitor_pages[0] = page_alloc(1);
	c->monitor_pages[1] = page_alloc(1);
	return c->interrupt_page && c->monitor_pages[0] && c->monitor_pages[1];
}

/* HvPostMessage with Linux's retry policy (facts §3.3). */
static uint16_t post(struct vmbus_client *c, uint32_t connection_id,
		     const void *msg, uint32_t size, bool initiate_contact)
{
	uint16_t status = HV_STATUS_SUCCESS;

	for (unsigned attempt = 0; attempt < POST_ATTEMPTS; attempt++) {
		status = hv_post_message(connection_id, HV_MESSAGE_TYPE_VMBUS,
					 msg, size);
		if (status == HV_STATUS_SUCCESS)
			break;
		if (status == HV_STATUS_INVALID_CONNECTION_ID &&
		    initiate_contact)
			break;  /* the caller tries the next version */
		if (status != HV_STATUS_INSUFFICIENT_MEMORY &&
		    status != HV_STATUS_INSUFFICIENT_BUFFERS &&
		    status != HV_STATUS_INVALID_CONNECTION_ID)
			break;
		uint32_t backoff = attempt < 10 ? 1u << attempt : POST_BACKOFF_MAX;

		for (uint32_t i = 0; i < backoff; i++)
			cpu_relax();
	}
	c->last_post_status = status;
	if (status != HV_STATUS_SUCCESS)
		kprintf("# HvPostMessage(conn %u, msgtype %u) failed: status 0x%x\n",
			connection_id, *(const uint32_t *)msg, status);
	return status;
}

static uint16_t post_control(struct vmbus_client *c, const void *msg,
			     uint32_t size)
{
	return post(c, c->msg_conn_id, msg, size, false);
}

static uint32_t message_type_of(const struct hv_message *m)
{
	const struct vmbus_msg_header *h = (const void *)m->payload;

	return h->msgtype;
}

/* Linux's acceptance checks (facts §5.5). */
static bool message_valid(struct vmbus_client *c, const struct hv_message *m)
{
	uint32_t type = message_type_of(m);
	const char *why = NULL;

	if (m->header.payload_size > HV_MESSAGE_PAYLOAD_MAX)
		why = "payload_size > 240";
	else if (type >= VMBUS_MSG_COUNT || min_payload[type] == NOT_HOST_TO_GUEST)
		why = "not a host-to-guest message type";
	else if (m->header.payload_size < min_payload[type])
		why = "payload shorter than Linux accepts";
	if (!why)
		return true;
	c->bad_messages++;
	kprintf("# bad host message: type %u, payload_size %u: %s\n", type,
		m->header.payload_size, why);
	return false;
}

static void record_offer(struct vmbus_client *c, const struct hv_message *m)
{
	const struct vmbus_msg_offer_channel *o = (const void *)m->payload;

	if (c->nr_offers >= VMBUS_CLIENT_MAX_OFFERS) {
		c->offers_dropped++;
		return;
	}
	struct vmbus_offer_info *info = &c->offers[c->nr_offers++];

	info->class_id = o->if_type;
	info->instance_id = o->if_instance;
	info->relid = o->child_relid;
	info->connection_id = o->connection_id;
	info->chn_flags = o->chn_flags;
	info->mmio_megabytes = o->mmio_megabytes;
	info->sub_channel_index = o->sub_channel_index;
	info->monitor_allocated = o->monitor_allocated;
	info->is_dedicated_interrupt = o->is_dedicated_interrupt;
}

/* A valid message nobody is waiting for right now. */
static void handle_unsolicited(struct vmbus_client *c,
			       const struct hv_message *m)
{
	uint32_t type = message_type_of(m);

	switch (type) {
	case VMBUS_MSG_OFFERCHANNEL:
		record_offer(c, m);
		return;
	case VMBUS_MSG_ALLOFFERS_DELIVERED:
		c->all_offers_delivered = true;
		return;
	case VMBUS_MSG_RESCIND_CHANNELOFFER: {
		const struct vmbus_msg_relid *r = (const void *)m->payload;

		kprintf("# host rescinded relid %u\n", r->child_relid);
		c->unexpected_messages++;
		return;
	}
	default:
		kprintf("# unexpected host message type %u\n", type);
		c->unexpected_messages++;
		return;
	}
}

typedef bool (*message_match_fn)(const void *payload, const void *key);

/* Wait for a message of `type` accepted by `match`, handling others on
 * the way.  False after c->wait_spins idle polls. */
static bool wait_for(struct vmbus_client *c, uint32_t type,
		     message_match_fn match, const void *key,
		     struct hv_message *out)
{
	for (uint32_t idle = 0; idle < c->wait_spins;) {
		if (!synic_next_message(out)) {
			cpu_relax();
			idle++;
			continue;
		}
		c->messages_received++;
		if (!message_valid(c, out))
			continue;
		if (message_type_of(out) == type &&
		    (!match || match(out->payload, key)))
			return true;
		handle_unsolicited(c, out);
	}
	kprintf("# timed out waiting for host message type %u\n", type);
	return false;
}

static enum vmbus_version_result try_version(struct vmbus_client *c,
					     uint32_t version,
					     struct vmbus_version_attempt *a)
{
	struct vmbus_msg_initiate_contact msg = { 0 };
	struct hv_message reply __attribute__((aligned(8)));
	bool v5 = version >= VMBUS_VERSION_WIN10_V5;

	msg.hdr.msgtype = VMBUS_MSG_INITIATE_CONTACT;
	msg.version = version;
	msg.target_vcpu = c->target_vcpu;
	if (v5) {
		/* Since 5.0 the guest names the SINT for host messages
		 * (facts §5.3). */
		msg.msg_sint = VMBUS_MESSAGE_SINT;
		msg.msg_vtl = 0;
	} else {
		msg.interrupt_page = virt_to_phys(c->interrupt_page);
	}
	msg.monitor_page1 = virt_to_phys(c->monitor_pages[0]);
	msg.monitor_page2 = virt_to_phys(c->monitor_pages[1]);

	*a = (struct vmbus_version_attempt){ .version = version };
	/* >= 5.0 contact goes to connection id 4, older to 1 (facts §4.4). */
	a->post_status = post(c, v5 ? VMBUS_MESSAGE_CONNECTION_ID_4
				    : VMBUS_MESSAGE_CONNECTION_ID,
			      &msg, sizeof(msg), true);
	if (a->post_status != HV_STATUS_SUCCESS)
		return a->result = VMBUS_VERSION_POST_FAILED;
	if (!wait_for(c, VMBUS_MSG_VERSION_RESPONSE, NULL, NULL, &reply))
		return a->result = VMBUS_VERSION_NO_REPLY;

	const struct vmbus_msg_version_response *r = (const void *)reply.payload;

	a->connection_state = r->connection_state;
	a->msg_conn_id = r->msg_conn_id;
	if (!r->version_supported)
		return a->result = VMBUS_VERSION_REFUSED;
	c->version = version;
	/* From now on: the connection id the host named (>= 5.0), else the
	 * fixed one (facts §5.3). */
	c->msg_conn_id = v5 ? r->msg_conn_id : VMBUS_MESSAGE_CONNECTION_ID;
	return a->result = VMBUS_VERSION_ACCEPTED;
}

unsigned vmbus_connect(struct vmbus_client *c, const uint32_t *versions,
		       unsigned nr_versions,
		       struct vmbus_version_attempt *attempts)
{
	for (unsigned i = 0; i < nr_versions; i++) {
		if (try_version(c, versions[i], &attempts[i]) ==
		    VMBUS_VERSION_ACCEPTED)
			return i + 1;
	}
	return nr_versions;
}

bool vmbus_request_offers(struct vmbus_client *c)
{
	struct vmbus_msg_header msg = { .msgtype = VMBUS_MSG_REQUESTOFFERS };
	struct hv_message reply __attribute__((aligned(8)));

	if (post_control(c, &msg, sizeof(msg)) != HV_STATUS_SUCCESS)
		return false;
	if (!wait_for(c, VMBUS_MSG_ALLOFFERS_DELIVERED, NULL, NULL, &reply))
		return false;
	c->all_offers_delivered = true;
	return true;
}

const struct vmbus_offer_info *vmbus_find_offer(const struct vmbus_client *c,
						 const struct vmbus_guid *class_id)
{
	for (unsigned i = 0; i < c->nr_offers; i++) {
		if (vmbus_guid_equal(&c->offers[i].class_id, class_id))
			return &c->offers[i];
	}
	return NULL;
}

struct gpadl_key {
	uint32_t relid, handle;
};

static bool match_gpadl_created(const void *payload, const void *key)
{
	const struct vmbus_msg_gpadl_created *m = payload;
	const struct gpadl_key *k = key;

	return m->child_relid == k->relid && m->gpadl == k->handle;
}

bool vmbus_gpadl_create(struct vmbus_client *c, uint32_t relid,
			const uint64_t *pfns, uint32_t count, uint32_t *handle,
			unsigned *messages, uint32_t *status)
{
	uint64_t buf[HV_MESSAGE_PAYLOAD_MAX / 8];
	struct hv_message reply __attribute__((aligned(8)));
	struct gpadl_writer w;
	uint32_t size;

	*handle = c->next_gpadl++;
	*status = ~0u;
	gpadl_writer_init(&w, relid, *handle, pfns, count);
	while ((size = gpadl_writer_next(&w, buf)) != 0) {
		if (post_control(c, buf, size) != HV_STATUS_SUCCESS) {
			*messages = w.messages;
			return false;
		}
	}
	*messages = w.messages;

	struct gpadl_key key = { relid, *handle };

	if (!wait_for(c, VMBUS_MSG_GPADL_CREATED, match_gpadl_created, &key,
		      &reply))
		return false;
	*status = ((const struct vmbus_msg_gpadl_created *)(const void *)
		   reply.payload)->creation_status;
	return *status == 0;
}

static bool match_gpadl_torndown(const void *payload, const void *key)
{
	const struct vmbus_msg_gpadl_torndown *m = payload;

	return m->gpadl == *(const uint32_t *)key;
}

bool vmbus_gpadl_teardown(struct vmbus_client *c, uint32_t relid,
			  uint32_t handle)
{
	struct vmbus_msg_gpadl_teardown msg = {
		.hdr.msgtype = VMBUS_MSG_GPADL_TEARDOWN,
		.child_relid = relid,
		.gpadl = handle,
	};
	struct hv_message reply __attribute__((aligned(8)));

	if (post_control(c, &msg, sizeof(msg)) != HV_STATUS_SUCCESS)
		return false;
	return wait_for(c, VMBUS_MSG_GPADL_TORNDOWN, match_gpadl_torndown,
			&handle, &reply);
}

struct open_key {
	uint32_t relid, openid;
};

static bool match_open_result(const void *payload, const void *key)
{
	const struct vmbus_msg_open_result *m = payload;
	const struct open_key *k = key;

	return m->child_relid == k->relid && m->openid == k->openid;
}

bool vmbus_open_channel(struct vmbus_client *c, uint32_t relid,
			uint32_t gpadl, uint32_t target_vp,
			uint32_t downstream_pages, uint32_t *status)
{
	struct vmbus_msg_open_channel msg = { 0 };
	struct hv_message reply __attribute__((aligned(8)));

	msg.hdr.msgtype = VMBUS_MSG_OPENCHANNEL;
	msg.child_relid = relid;
	msg.openid = relid;             /* as Linux does */
	msg.ringbuffer_gpadl = gpadl;
	msg.target_vp = target_vp;
	msg.downstream_ring_pageoffset = downstream_pages;
	*status = ~0u;
	if (post_control(c, &msg, sizeof(msg)) != HV_STATUS_SUCCESS)
		return false;

	struct open_key key = { relid, relid };

	if (!wait_for(c, VMBUS_MSG_OPENCHANNEL_RESULT, match_open_result, &key,
		      &reply))
		return false;
	*status = ((const struct vmbus_msg_open_result *)(const void *)
		   reply.payload)->status;
	return *status == 0;
}

bool vmbus_close_channel(struct vmbus_client *c, uint32_t relid)
{
	struct vmbus_msg_relid msg = {
		.hdr.msgtype = VMBUS_MSG_CLOSECHANNEL,
		.child_relid = relid,
	};

	return post_control(c, &msg, sizeof(msg)) == HV_STATUS_SUCCESS;
}

bool vmbus_unload(struct vmbus_client *c)
{
	struct vmbus_msg_header msg = { .msgtype = VMBUS_MSG_UNLOAD };
	struct hv_message reply __attribute__((aligned(8)));

	if (post_control(c, &msg, sizeof(msg)) != HV_STATUS_SUCCESS)
		return false;
	if (!wait_for(c, VMBUS_MSG_UNLOAD_RESPONSE, NULL, NULL, &reply))
		return false;
	c->version = 0;
	return true;
}

static void write_eom(void *ctx)
{
	(void)ctx;
	wrmsr(HV_MSR_EOM, 0);
}

bool vmbus_unload_polled(struct vmbus_client *c, volatile struct hv_message *slot,
			 unsigned *dropped)
{
	struct vmbus_msg_header msg = { .msgtype = VMBUS_MSG_UNLOAD };
	bool done = false;

	*dropped = 0;
	if (post_control(c, &msg, sizeof(msg)) != HV_STATUS_SUCCESS)
		return false;
	/* Linux polls every CPU's slot for up to 100 s; kvmbus answers
	 * UNLOAD while the hypercall exits, on the contact VP only. */
	for (uint32_t polls = 0; polls < c->wait_spins && !done; polls++) {
		switch (slot_poll(slot, VMBUS_MSG_UNLOAD_RESPONSE, write_eom,
				  NULL)) {
		case SLOT_POLL_MATCH:
			done = true;
			break;
		case SLOT_POLL_OTHER:
			(*dropped)++;
			break;
		case SLOT_POLL_EMPTY:
			cpu_relax();
			break;
		}
	}
	if (!done) {
		kprintf("# Continuing even though VMBus UNLOAD did not complete\n");
		return false;
	}
	/* Then Linux frees whatever else may have arrived, so the next
	 * kernel starts with an empty slot. */
	for (unsigned i = 0; i < VMBUS_CLIENT_MAX_OFFERS &&
	     slot_poll(slot, VMBUS_MSG_UNLOAD_RESPONSE, write_eom, NULL) !=
	     SLOT_POLL_EMPTY; i++)
		(*dropped)++;
	c->version = 0;
	return true;
}
