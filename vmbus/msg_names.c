// SPDX-License-Identifier: MIT
/*
 * Names and trace decoding of VMBus control messages (facts §5.1, §5.3)
 * and packet types (facts §6.3).
 *
 * Each decoder runs only when the message is at least as long as its
 * structure; a shorter message is traced with its name and size only, so
 * a truncated message from a hostile guest is still visible in the trace.
 */
#include "vmbus/msg_names.h"

#include <string.h>

#include "vmbus/abi/vmbus_abi.h"

static const char *const msg_names[] = {
	[VMBUS_MSG_INVALID] = "INVALID",
	[VMBUS_MSG_OFFERCHANNEL] = "OFFERCHANNEL",
	[VMBUS_MSG_RESCIND_CHANNELOFFER] = "RESCIND_CHANNELOFFER",
	[VMBUS_MSG_REQUESTOFFERS] = "REQUESTOFFERS",
	[VMBUS_MSG_ALLOFFERS_DELIVERED] = "ALLOFFERS_DELIVERED",
	[VMBUS_MSG_OPENCHANNEL] = "OPENCHANNEL",
	[VMBUS_MSG_OPENCHANNEL_RESULT] = "OPENCHANNEL_RESULT",
	[VMBUS_MSG_CLOSECHANNEL] = "CLOSECHANNEL",
	[VMBUS_MSG_GPADL_HEADER] = "GPADL_HEADER",
	[VMBUS_MSG_GPADL_BODY] = "GPADL_BODY",
	[VMBUS_MSG_GPADL_CREATED] = "GPADL_CREATED",
	[VMBUS_MSG_GPADL_TEARDOWN] = "GPADL_TEARDOWN",
	[VMBUS_MSG_GPADL_TORNDOWN] = "GPADL_TORNDOWN",
	[VMBUS_MSG_RELID_RELEASED] = "RELID_RELEASED",
	[VMBUS_MSG_INITIATE_CONTACT] = "INITIATE_CONTACT",
	[VMBUS_MSG_VERSION_RESPONSE] = "VERSION_RESPONSE",
	[VMBUS_MSG_UNLOAD] = "UNLOAD",
	[VMBUS_MSG_UNLOAD_RESPONSE] = "UNLOAD_RESPONSE",
	/* 18-21, 23: defined by the protocol, not served by kvmbus. */
	[18] = "OPEN_RESERVED_CHANNEL",
	[19] = "CLOSE_RESERVED_CHANNEL",
	[20] = "CLOSE_RESERVED_RESPONSE",
	[21] = "TL_CONNECT_REQUEST",
	[VMBUS_MSG_MODIFYCHANNEL] = "MODIFYCHANNEL",
	[23] = "TL_CONNECT_RESULT",
	[VMBUS_MSG_MODIFYCHANNEL_RESPONSE] = "MODIFYCHANNEL_RESPONSE",
};

const char *vmbus_msg_name(uint32_t msgtype)
{
	if (msgtype < sizeof(msg_names) / sizeof(msg_names[0]) &&
	    msg_names[msgtype])
		return msg_names[msgtype];
	return "UNKNOWN";
}

const char *vmbus_pkt_type_name(uint16_t type)
{
	switch (type) {
	case VMBUS_PKT_DATA_INBAND:
		return "INBAND";
	case VMBUS_PKT_DATA_GPA_DIRECT:
		return "GPA_DIRECT";
	case VMBUS_PKT_COMP:
		return "COMP";
	default:
		return "UNKNOWN";
	}
}

/* ---- per-message decoders: msg is at least sizeof(the struct) -------- */

static void decode_initiate(struct trace_rec *r, const void *msg)
{
	const struct vmbus_msg_initiate_contact *m = msg;

	trace_ver(r, "version", m->version);
	trace_u64(r, "target_vcpu", m->target_vcpu);
	if (m->version >= VMBUS_VERSION_WIN10_V5)
		trace_u64(r, "msg_sint", m->msg_sint);
	else
		trace_hex(r, "interrupt_page", m->interrupt_page);
	trace_hex(r, "monitor1", m->monitor_page1);
	trace_hex(r, "monitor2", m->monitor_page2);
}

static void decode_version_response(struct trace_rec *r, const void *msg)
{
	const struct vmbus_msg_version_response *m = msg;

	trace_u64(r, "supported", m->version_supported);
	trace_u64(r, "state", m->connection_state);
	trace_u64(r, "msg_conn_id", m->msg_conn_id);
}

static void decode_offer(struct trace_rec *r, const void *msg)
{
	const struct vmbus_msg_offer_channel *m = msg;

	trace_u64(r, "relid", m->child_relid);
	trace_guid(r, "class", m->if_type.b);
	trace_guid(r, "instance", m->if_instance.b);
	trace_u64(r, "mmio_megabytes", m->mmio_megabytes);
	trace_hex(r, "conn_id", m->connection_id);
}

static void decode_relid(struct trace_rec *r, const void *msg)
{
	const struct vmbus_msg_relid *m = msg;

	trace_u64(r, "relid", m->child_relid);
}

static void decode_open(struct trace_rec *r, const void *msg)
{
	const struct vmbus_msg_open_channel *m = msg;

	trace_u64(r, "relid", m->child_relid);
	trace_u64(r, "openid", m->openid);
	trace_hex(r, "gpadl", m->ringbuffer_gpadl);
	trace_u64(r, "target_vp", m->target_vp);
	trace_u64(r, "downstream_pages", m->downstream_ring_pageoffset);
}

static void decode_open_result(struct trace_rec *r, const void *msg)
{
	const struct vmbus_msg_open_result *m = msg;

	trace_u64(r, "relid", m->child_relid);
	trace_u64(r, "openid", m->openid);
	trace_hex(r, "status", m->status);
}

static void decode_gpadl_header(struct trace_rec *r, const void *msg,
				uint32_t size)
{
	const struct vmbus_msg_gpadl_header *m = msg;

	trace_u64(r, "relid", m->child_relid);
	trace_hex(r, "gpadl", m->gpadl);
	trace_u64(r, "range_buflen", m->range_buflen);
	trace_u64(r, "ranges", m->rangecount);
	/* Pages the whole GPADL announces: every qword of the range stream
	 * that is not a range descriptor is a PFN. */
	if (m->range_buflen / 8u >= m->rangecount)
		trace_u64(r, "pages", m->range_buflen / 8u - m->rangecount);
	trace_u64(r, "bytes_here", size - (uint32_t)sizeof(*m));
}

static void decode_gpadl_body(struct trace_rec *r, const void *msg,
			      uint32_t size)
{
	const struct vmbus_msg_gpadl_body *m = msg;

	trace_hex(r, "gpadl", m->gpadl);
	trace_u64(r, "msgnumber", m->msgnumber);
	trace_u64(r, "pfns_here", (size - (uint32_t)sizeof(*m)) / 8u);
}

static void decode_gpadl_created(struct trace_rec *r, const void *msg)
{
	const struct vmbus_msg_gpadl_created *m = msg;

	trace_u64(r, "relid", m->child_relid);
	trace_hex(r, "gpadl", m->gpadl);
	trace_hex(r, "status", m->creation_status);
}

static void decode_gpadl_teardown(struct trace_rec *r, const void *msg)
{
	const struct vmbus_msg_gpadl_teardown *m = msg;

	trace_u64(r, "relid", m->child_relid);
	trace_hex(r, "gpadl", m->gpadl);
}

static void decode_gpadl_torndown(struct trace_rec *r, const void *msg)
{
	const struct vmbus_msg_gpadl_torndown *m = msg;

	trace_hex(r, "gpadl", m->gpadl);
}

static void decode_modify(struct trace_rec *r, const void *msg)
{
	const struct vmbus_msg_modify_channel *m = msg;

	trace_u64(r, "relid", m->child_relid);
	trace_u64(r, "target_vp", m->target_vp);
}

static void decode_modify_response(struct trace_rec *r, const void *msg)
{
	const struct vmbus_msg_modify_channel_response *m = msg;

	trace_u64(r, "relid", m->child_relid);
	trace_hex(r, "status", m->status);
}

struct msg_decoder {
	uint32_t size;
	void (*fixed)(struct trace_rec *r, const void *msg);
	void (*sized)(struct trace_rec *r, const void *msg, uint32_t size);
};

#define FIXED(type, fn) { sizeof(type), fn, NULL }
#define SIZED(type, fn) { sizeof(type), NULL, fn }

static const struct msg_decoder decoders[VMBUS_MSG_COUNT] = {
	[VMBUS_MSG_INITIATE_CONTACT] =
		FIXED(struct vmbus_msg_initiate_contact, decode_initiate),
	[VMBUS_MSG_VERSION_RESPONSE] =
		FIXED(struct vmbus_msg_version_response, decode_version_response),
	[VMBUS_MSG_OFFERCHANNEL] =
		FIXED(struct vmbus_msg_offer_channel, decode_offer),
	[VMBUS_MSG_RESCIND_CHANNELOFFER] =
		FIXED(struct vmbus_msg_relid, decode_relid),
	[VMBUS_MSG_CLOSECHANNEL] = FIXED(struct vmbus_msg_relid, decode_relid),
	[VMBUS_MSG_RELID_RELEASED] = FIXED(struct vmbus_msg_relid, decode_relid),
	[VMBUS_MSG_OPENCHANNEL] =
		FIXED(struct vmbus_msg_open_channel, decode_open),
	[VMBUS_MSG_OPENCHANNEL_RESULT] =
		FIXED(struct vmbus_msg_open_result, decode_open_result),
	[VMBUS_MSG_GPADL_HEADER] =
		SIZED(struct vmbus_msg_gpadl_header, decode_gpadl_header),
	[VMBUS_MSG_GPADL_BODY] =
		SIZED(struct vmbus_msg_gpadl_body, decode_gpadl_body),
	[VMBUS_MSG_GPADL_CREATED] =
		FIXED(struct vmbus_msg_gpadl_created, decode_gpadl_created),
	[VMBUS_MSG_GPADL_TEARDOWN] =
		FIXED(struct vmbus_msg_gpadl_teardown, decode_gpadl_teardown),
	[VMBUS_MSG_GPADL_TORNDOWN] =
		FIXED(struct vmbus_msg_gpadl_torndown, decode_gpadl_torndown),
	[VMBUS_MSG_MODIFYCHANNEL] =
		FIXED(struct vmbus_msg_modify_channel, decode_modify),
	[VMBUS_MSG_MODIFYCHANNEL_RESPONSE] =
		FIXED(struct vmbus_msg_modify_channel_response,
		      decode_modify_response),
};

bool vmbus_trace_msg_begin(struct trace_rec *r, enum trace_dir dir,
			   const void *msg, uint32_t size)
{
	struct vmbus_msg_header hdr;
	const struct msg_decoder *d = NULL;

	if (size < sizeof(hdr)) {
		if (!trace_begin(r, dir, TRACE_CTL, "TRUNCATED"))
			return false;
		trace_u64(r, "size", size);
		return true;
	}
	memcpy(&hdr, msg, sizeof(hdr));
	if (!trace_begin(r, dir, TRACE_CTL, vmbus_msg_name(hdr.msgtype)))
		return false;
	if (hdr.msgtype < VMBUS_MSG_COUNT)
		d = &decoders[hdr.msgtype];
	if (!d || (!d->fixed && !d->sized) || size < d->size) {
		/* No fields to show, or too short to show them. */
		if (hdr.msgtype >= sizeof(msg_names) / sizeof(msg_names[0]) ||
		    !msg_names[hdr.msgtype])
			trace_u64(r, "msgtype", hdr.msgtype);
		trace_u64(r, "size", size);
		return true;
	}
	if (d->fixed)
		d->fixed(r, msg);
	else
		d->sized(r, msg, size);
	return true;
}

void vmbus_trace_msg(enum trace_dir dir, const void *msg, uint32_t size)
{
	struct trace_rec r;

	if (vmbus_trace_msg_begin(&r, dir, msg, size))
		trace_end(&r);
}
