// SPDX-License-Identifier: MIT
/*
 * Channel-management messages with bad contents while connected (facts
 * §5.3): every guest-to-host type cut short of Linux's structure size,
 * relids that were never offered, channels that are not open, a GPADL
 * that was never created.
 */
#include "guest/hostile/cases.h"

#include "guest/hostile/expect.h"
#include "guest/hostile/hmsg.h"
#include "guest/hostile/session.h"
#include "guest/lib/string.h"

#define NO_SUCH_RELID  99u
#define NO_SUCH_GPADL  0x7E570099u

static uint32_t msg[HV_MESSAGE_PAYLOAD_MAX / 4];

static void *fresh(uint32_t msgtype)
{
	struct vmbus_msg_header *h = (void *)msg;

	memset(msg, 0, sizeof(msg));
	h->msgtype = msgtype;
	return msg;
}

/* ---- truncated messages: one byte short of Linux's sizeof (facts §5.3) - */

static bool truncated(struct hsaw *s, uint32_t msgtype, uint32_t full)
{
	fresh(msgtype);
	return expect_unanswered_ctl(s, msg, full - 1);
}

static bool open_truncated(struct hsaw *s)
{
	return truncated(s, VMBUS_MSG_OPENCHANNEL,
			 sizeof(struct vmbus_msg_open_channel));
}

static bool gpadl_header_truncated(struct hsaw *s)
{
	return truncated(s, VMBUS_MSG_GPADL_HEADER,
			 sizeof(struct vmbus_msg_gpadl_header));
}

static bool gpadl_body_truncated(struct hsaw *s)
{
	return truncated(s, VMBUS_MSG_GPADL_BODY,
			 sizeof(struct vmbus_msg_gpadl_body));
}

static bool teardown_truncated(struct hsaw *s)
{
	return truncated(s, VMBUS_MSG_GPADL_TEARDOWN,
			 sizeof(struct vmbus_msg_gpadl_teardown));
}

static bool close_truncated(struct hsaw *s)
{
	return truncated(s, VMBUS_MSG_CLOSECHANNEL, sizeof(struct vmbus_msg_relid));
}

static bool modify_truncated(struct hsaw *s)
{
	return truncated(s, VMBUS_MSG_MODIFYCHANNEL,
			 sizeof(struct vmbus_msg_modify_channel));
}

static bool released_truncated(struct hsaw *s)
{
	return truncated(s, VMBUS_MSG_RELID_RELEASED,
			 sizeof(struct vmbus_msg_relid));
}

/* ---- wrong relids and states (facts §5.4) ----------------------------- */

/* Relids come from OFFERCHANNEL; 0 is reserved (facts §4.2). */
static bool open_unknown_relid(struct hsaw *s)
{
	return expect_open_refused(s, NO_SUCH_RELID, NO_SUCH_GPADL, 0, 2);
}

static bool open_relid_zero(struct hsaw *s)
{
	return expect_open_refused(s, 0, NO_SUCH_GPADL, 0, 2);
}

/* The ring GPADL must exist and be complete (facts §5.4 "open"). */
static bool open_unknown_gpadl(struct hsaw *s)
{
	return expect_open_refused(s, hs.echo.relid, NO_SUCH_GPADL, 0, 2);
}

/* Only an open channel can be closed. */
static bool close_unopened(struct hsaw *s)
{
	struct vmbus_msg_relid *m = fresh(VMBUS_MSG_CLOSECHANNEL);

	m->child_relid = hs.echo.relid;
	return expect_unanswered_ctl(s, msg, sizeof(*m));
}

static bool close_unknown_relid(struct hsaw *s)
{
	struct vmbus_msg_relid *m = fresh(VMBUS_MSG_CLOSECHANNEL);

	m->child_relid = NO_SUCH_RELID;
	return expect_unanswered_ctl(s, msg, sizeof(*m));
}

/* At 5.3 MODIFYCHANNEL is answered (facts §5.1): with a failure here. */
static bool modify_unopened(struct hsaw *s)
{
	struct vmbus_msg_modify_channel *m = fresh(VMBUS_MSG_MODIFYCHANNEL);
	struct vmbus_msg_modify_channel_response r;

	m->child_relid = hs.echo.relid;
	m->target_vp = 0;
	if (hm_post_ctl(m, sizeof(*m)) != HV_STATUS_SUCCESS ||
	    !hm_wait(VMBUS_MSG_MODIFYCHANNEL_RESPONSE, &r, sizeof(r))) {
		saw(s, "no MODIFYCHANNEL_RESPONSE");
		return false;
	}
	saw(s, "MODIFYCHANNEL_RESPONSE status 0x%x", r.status);
	return r.status != 0;
}

/* RELID_RELEASED answers RESCIND_CHANNELOFFER and nothing else. */
static bool released_not_rescinded(struct hsaw *s)
{
	struct vmbus_msg_relid *m = fresh(VMBUS_MSG_RELID_RELEASED);

	m->child_relid = hs.echo.relid;
	return expect_unanswered_ctl(s, msg, sizeof(*m));
}

static const struct hcase cases[] = {
	{ "OPENCHANNEL one byte short", "vmbus.msg-truncated", open_truncated },
	{ "GPADL_HEADER one byte short", "vmbus.msg-truncated", gpadl_header_truncated },
	{ "GPADL_BODY one byte short", "vmbus.msg-truncated", gpadl_body_truncated },
	{ "GPADL_TEARDOWN one byte short", "vmbus.msg-truncated", teardown_truncated },
	{ "CLOSECHANNEL one byte short", "vmbus.msg-truncated", close_truncated },
	{ "MODIFYCHANNEL one byte short", "vmbus.msg-truncated", modify_truncated },
	{ "RELID_RELEASED one byte short", "vmbus.msg-truncated", released_truncated },
	{ "OPENCHANNEL for a relid never offered", "vmbus.unknown-relid", open_unknown_relid },
	{ "OPENCHANNEL for the reserved relid 0", "vmbus.unknown-relid", open_relid_zero },
	{ "OPENCHANNEL with a GPADL never created", "vmbus.open-unknown-gpadl", open_unknown_gpadl },
	{ "CLOSECHANNEL of a channel that is not open", "vmbus.close-channel-not-open", close_unopened },
	{ "CLOSECHANNEL of a relid never offered", "vmbus.close-channel-not-open", close_unknown_relid },
	{ "MODIFYCHANNEL of a channel that is not open", "vmbus.modify-channel-not-open", modify_unopened },
	{ "RELID_RELEASED for a channel never rescinded", "vmbus.relid-released-not-rescinded", released_not_rescinded },
};

const struct hgroup hostile_control_group =
	HGROUP("control messages", NULL, NULL, cases);

