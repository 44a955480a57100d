/* SPDX-License-Identifier: MIT */
/*
 * The VMBus control messages that host-side tests send in the guest's
 * place, laid out once for the unit suites, the fuzzers and the seed
 * generator.  A GPADL's page list goes out the way Linux's
 * vmbus_establish_gpadl() splits it: a GPADL_HEADER with one range and as
 * many PFNs as fit, then GPADL_BODY messages, each within one 240-byte
 * SynIC message (facts §5.3, §5.4).
 */
#ifndef KVMBUS_TESTS_VMBUS_TEST_MSGS_H
#define KVMBUS_TESTS_VMBUS_TEST_MSGS_H

#include <stdint.h>
#include <string.h>

#include "vmbus/abi/vmbus_abi.h"
#include "vmm/abi/hv_abi.h"

/* PFNs that fit beside a GPADL_HEADER and its 8-byte range header, and
 * beside a GPADL_BODY header. */
#define TMSG_GPADL_HDR_PFNS \
	((HV_MESSAGE_PAYLOAD_MAX - sizeof(struct vmbus_msg_gpadl_header) - 8) / 8)
#define TMSG_GPADL_BODY_PFNS \
	((HV_MESSAGE_PAYLOAD_MAX - sizeof(struct vmbus_msg_gpadl_body)) / 8)

static inline void tmsg_open_channel(struct vmbus_msg_open_channel *o,
				     uint32_t relid, uint32_t gpadl,
				     uint32_t downstream_pages,
				     uint32_t target_vp)
{
	memset(o, 0, sizeof(*o));
	o->hdr.msgtype = VMBUS_MSG_OPENCHANNEL;
	o->child_relid = relid;
	o->openid = relid;
	o->ringbuffer_gpadl = gpadl;
	o->target_vp = target_vp;
	o->downstream_ring_pageoffset = downstream_pages;
}

/* Hands one built message to the test's way of posting it. */
typedef void tmsg_post_fn(void *ctx, const void *msg, uint32_t len);

/* One range of n pages, byte_count bytes from byte_offset into the
 * first, as a GPADL_HEADER and its GPADL_BODY messages. */
static inline void tmsg_send_gpadl(uint32_t relid, uint32_t gpadl,
				   const uint64_t *pfns, uint32_t n,
				   uint32_t byte_offset, uint32_t byte_count,
				   tmsg_post_fn *post, void *ctx)
{
	uint8_t buf[HV_MESSAGE_PAYLOAD_MAX];
	struct vmbus_msg_gpadl_header h;
	uint32_t range[2] = { byte_count, byte_offset };
	uint32_t here = n < TMSG_GPADL_HDR_PFNS ? n :
			(uint32_t)TMSG_GPADL_HDR_PFNS;

	memset(&h, 0, sizeof(h));
	h.hdr.msgtype = VMBUS_MSG_GPADL_HEADER;
	h.child_relid = relid;
	h.gpadl = gpadl;
	h.range_buflen = (uint16_t)(8 + 8 * n);
	h.rangecount = 1;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), range, sizeof(range));
	memcpy(buf + sizeof(h) + 8, pfns, here * 8u);
	post(ctx, buf, (uint32_t)sizeof(h) + 8 + here * 8);

	for (uint32_t done = here; done < n; done += here) {
		struct vmbus_msg_gpadl_body b;

		here = n - done < TMSG_GPADL_BODY_PFNS ? n - done :
		       (uint32_t)TMSG_GPADL_BODY_PFNS;
		memset(&b, 0, sizeof(b));
		b.hdr.msgtype = VMBUS_MSG_GPADL_BODY;
		b.gpadl = gpadl;
		memcpy(buf, &b, sizeof(b));
		memcpy(buf + sizeof(b), pfns + done, here * 8u);
		post(ctx, buf, (uint32_t)sizeof(b) + here * 8);
	}
}

#endif
