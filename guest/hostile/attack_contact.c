// SPDX-License-Identifier: MIT
/*
 * Control messages before and around the connection (facts §5.1-§5.4):
 * messages before INITIATE_CONTACT, malformed headers, types the guest
 * may not send, and INITIATE_CONTACT itself with every field wrong in
 * turn.  Then, connected: contact again, connection 4 misuse, and a
 * second REQUESTOFFERS.
 */
#include "guest/hostile/cases.h"

#include "guest/hostile/expect.h"
#include "guest/hostile/hmsg.h"
#include "guest/hostile/session.h"
#include "guest/lib/alloc.h"
#include "guest/lib/string.h"

#define UNKNOWN_MSGTYPE 99u
#define BAD_VERSION     0xDEAD0000u
#define NO_SUCH_VP      5u

static uint32_t msg[HV_MESSAGE_PAYLOAD_MAX / 4];

static bool header_only(struct hsaw *s, uint32_t msgtype, uint32_t size)
{
	struct vmbus_msg_header h = { .msgtype = msgtype };

	memset(msg, 0, sizeof(msg));
	memcpy(msg, &h, sizeof(h));
	return expect_unanswered(s, VMBUS_MESSAGE_CONNECTION_ID, msg, size);
}

/* A well-formed INITIATE_CONTACT the cases then spoil. */
static struct vmbus_msg_initiate_contact *contact(uint32_t version)
{
	struct vmbus_msg_initiate_contact *m = (void *)msg;

	memset(msg, 0, sizeof(msg));
	m->hdr.msgtype = VMBUS_MSG_INITIATE_CONTACT;
	m->version = version;
	m->target_vcpu = 0;
	if (version >= VMBUS_VERSION_WIN10_V5)
		m->msg_sint = VMBUS_MESSAGE_SINT;
	else
		m->interrupt_page = virt_to_phys(hs.client.interrupt_page);
	m->monitor_page1 = virt_to_phys(hs.client.monitor_pages[0]);
	m->monitor_page2 = virt_to_phys(hs.client.monitor_pages[1]);
	return m;
}

/* Post it and expect VERSION_RESPONSE with version_supported = 0. */
static bool contact_refused(struct hsaw *s, uint32_t conn)
{
	struct vmbus_msg_version_response r;
	uint16_t st = hm_post(conn, msg, sizeof(struct vmbus_msg_initiate_contact));

	memset(&r, 0xAA, sizeof(r));
	if (st != HV_STATUS_SUCCESS ||
	    !hm_wait(VMBUS_MSG_VERSION_RESPONSE, &r, sizeof(r))) {
		saw(s, "post status 0x%x, no VERSION_RESPONSE", st);
		return false;
	}
	saw(s, "VERSION_RESPONSE version_supported=%u", r.version_supported);
	return r.version_supported == 0;
}

/* ---- before INITIATE_CONTACT ----------------------------------------- */

/* facts §5.4: everything but INITIATE_CONTACT needs a connection. */
static bool offers_before_contact(struct hsaw *s)
{
	return header_only(s, VMBUS_MSG_REQUESTOFFERS,
			   sizeof(struct vmbus_msg_header));
}

static bool gpadl_before_contact(struct hsaw *s)
{
	struct vmbus_msg_gpadl_header *g = (void *)msg;

	memset(msg, 0, sizeof(msg));
	g->hdr.msgtype = VMBUS_MSG_GPADL_HEADER;
	g->child_relid = 1;
	g->gpadl = 0x7E570001u;
	g->range_buflen = 16;
	g->rangecount = 1;
	return expect_unanswered(s, VMBUS_MESSAGE_CONNECTION_ID, msg, sizeof(*g) + 16);
}

static bool unload_before_contact(struct hsaw *s)
{
	return header_only(s, VMBUS_MSG_UNLOAD, sizeof(struct vmbus_msg_header));
}

/* facts §5: every payload starts with the 8-byte header. */
static bool shorter_than_header(struct hsaw *s)
{
	return header_only(s, VMBUS_MSG_REQUESTOFFERS, 4);
}

static bool empty_message(struct hsaw *s)
{
	return header_only(s, VMBUS_MSG_REQUESTOFFERS, 0);
}

/* facts §5.1: the guest-to-host types are 3, 5, 7-9, 11, 13, 14, 16,
 * 22 (and 18, 19, 21, which kvmbus does not serve). */
static bool unknown_msgtype(struct hsaw *s)
{
	return header_only(s, UNKNOWN_MSGTYPE, 64);
}

static bool host_msgtype(struct hsaw *s)
{
	return header_only(s, VMBUS_MSG_OFFERCHANNEL,
			   sizeof(struct vmbus_msg_offer_channel));
}

/* facts §5.3: INITIATE_CONTACT is 40 bytes. */
static bool contact_truncated(struct hsaw *s)
{
	contact(VMBUS_VERSION_WIN10_V5_3);
	return expect_unanswered(s, VMBUS_MESSAGE_CONNECTION_ID_4, msg, 24);
}

/* Not a fault: a guest walks down its version list (facts §5.4), so an
 * unknown version is answered, not refused. */
static bool contact_bad_version(struct hsaw *s)
{
	contact(BAD_VERSION);
	return contact_refused(s, VMBUS_MESSAGE_CONNECTION_ID_4);
}

/* facts §4.4, §5.4: >= 5.0 contacts on connection 4, older on 1. */
static bool contact_v53_on_conn1(struct hsaw *s)
{
	contact(VMBUS_VERSION_WIN10_V5_3);
	return contact_refused(s, VMBUS_MESSAGE_CONNECTION_ID);
}

static bool contact_v40_on_conn4(struct hsaw *s)
{
	contact(VMBUS_VERSION_WIN10);
	return contact_refused(s, VMBUS_MESSAGE_CONNECTION_ID_4);
}

/* facts §5.3: target_vcpu names the VP for host messages. */
static bool contact_bad_vcpu(struct hsaw *s)
{
	contact(VMBUS_VERSION_WIN10_V5_3)->target_vcpu = NO_SUCH_VP;
	return contact_refused(s, VMBUS_MESSAGE_CONNECTION_ID_4);
}

/* facts §5.3: msg_sint (>= 5.0) is one of the 16 SINTs. */
static bool contact_bad_sint(struct hsaw *s)
{
	contact(VMBUS_VERSION_WIN10_V5_3)->msg_sint = HV_SINT_COUNT;
	return contact_refused(s, VMBUS_MESSAGE_CONNECTION_ID_4);
}

/* facts §5.3: both monitor pages or neither (OpenVMM's rule). */
static bool contact_one_monitor_page(struct hsaw *s)
{
	contact(VMBUS_VERSION_WIN10_V5_3)->monitor_page2 = 0;
	return contact_refused(s, VMBUS_MESSAGE_CONNECTION_ID_4);
}

static const struct hcase precontact_cases[] = {
	{ "REQUESTOFFERS before INITIATE_CONTACT", "vmbus.not-connected", offers_before_contact },
	{ "GPADL_HEADER before INITIATE_CONTACT", "vmbus.not-connected", gpadl_before_contact },
	{ "UNLOAD before INITIATE_CONTACT", "vmbus.not-connected", unload_before_contact },
	{ "control message shorter than its header", "vmbus.msg-truncated", shorter_than_header },
	{ "empty control message", "vmbus.msg-truncated", empty_message },
	{ "unknown control message type 99", "vmbus.msgtype-not-served", unknown_msgtype },
	{ "host-to-guest OFFERCHANNEL sent by the guest", "vmbus.msgtype-not-served", host_msgtype },
	{ "INITIATE_CONTACT truncated to 24 bytes", "vmbus.msg-truncated", contact_truncated },
	{ "INITIATE_CONTACT with version 0xdead0000", HCASE_NO_RULE, contact_bad_version },
	{ "INITIATE_CONTACT 5.3 on connection 1", "vmbus.initiate-wrong-connection-id", contact_v53_on_conn1 },
	{ "INITIATE_CONTACT 4.0 on connection 4", "vmbus.initiate-wrong-connection-id", contact_v40_on_conn4 },
	{ "INITIATE_CONTACT naming a VP that does not exist", "vmbus.target-vcpu-out-of-range", contact_bad_vcpu },
	{ "INITIATE_CONTACT with message SINT 16", "vmbus.msg-sint-out-of-range", contact_bad_sint },
	{ "INITIATE_CONTACT with one monitor page only", "vmbus.monitor-pages-mismatched", contact_one_monitor_page },
};

const struct hgroup hostile_precontact_group =
	HGROUP("before INITIATE_CONTACT", session_init, NULL, precontact_cases);

/* ---- connected -------------------------------------------------------- */

/* facts §5.4: a new INITIATE_CONTACT only after UNLOAD. */
static bool contact_while_connected(struct hsaw *s)
{
	contact(VMBUS_VERSION_WIN10_V5_3);
	return contact_refused(s, VMBUS_MESSAGE_CONNECTION_ID_4);
}

/* facts §5.4: connection 4 carries INITIATE_CONTACT only. */
static bool offers_on_conn4(struct hsaw *s)
{
	struct vmbus_msg_header h = { .msgtype = VMBUS_MSG_REQUESTOFFERS };
	uint16_t st = hm_post(VMBUS_MESSAGE_CONNECTION_ID_4, &h, sizeof(h));
	bool quiet = hm_quiet(NULL);

	saw(s, "status 0x%x, %s", st, quiet ? "no offers" : "an answer");
	return st == HV_STATUS_INVALID_CONNECTION_ID && quiet;
}

/* facts §5.4: one REQUESTOFFERS per connection. */
static bool offers_twice(struct hsaw *s)
{
	return header_only(s, VMBUS_MSG_REQUESTOFFERS,
			   sizeof(struct vmbus_msg_header));
}

static const struct hcase connected_cases[] = {
	{ "INITIATE_CONTACT while connected", "vmbus.initiate-while-connected", contact_while_connected },
	{ "REQUESTOFFERS on connection 4", "vmbus.wrong-connection-id", offers_on_conn4 },
	{ "REQUESTOFFERS a second time", "vmbus.requestoffers-repeated", offers_twice },
};

const struct hgroup hostile_connected_group =
	HGROUP("connected at 5.3", session_connect_and_offers, NULL, connected_cases);
