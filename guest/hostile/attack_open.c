// SPDX-License-Identifier: MIT
/*
 * Misuse of an open channel (facts §5.4): opening it again, tearing down
 * the GPADL its rings live in, retargeting it to a VP that does not
 * exist, ringing its doorbell with a flag Linux never uses.
 */
#include "guest/hostile/cases.h"

#include "guest/hostile/expect.h"
#include "guest/hostile/hmsg.h"
#include "guest/hostile/session.h"
#include "guest/lib/hv.h"
#include "guest/lib/report.h"
#include "guest/lib/string.h"

#define NO_SUCH_VP 9u

uint32_t hostile_spare_gpadl(void);     /* attack_gpadl.c */

static struct guest_channel echo;

static bool setup(void)
{
	bool ok = session_open(&echo, &hs.echo, 4, 4);

	return report(ok, "setup: echo channel opened (GPADL 0x%x)", echo.gpadl);
}

static void teardown(void)
{
	report(session_close(&echo), "setup: echo channel closed, its GPADL torn down");
}

static bool open_twice(struct hsaw *s)
{
	return expect_open_refused(s, hs.echo.relid, hostile_spare_gpadl(), 0, 2);
}

static bool teardown_ring_gpadl(struct hsaw *s)
{
	struct vmbus_msg_gpadl_teardown t = {
		.hdr.msgtype = VMBUS_MSG_GPADL_TEARDOWN,
		.child_relid = hs.echo.relid,
		.gpadl = echo.gpadl,
	};
	uint16_t st = hm_post_ctl(&t, sizeof(t));
	bool quiet = hm_quiet(NULL);

	saw(s, "status 0x%x, %s", st, quiet ? "no GPADL_TORNDOWN" : "an answer");
	return st == HV_STATUS_SUCCESS && quiet;
}

static bool modify_bad_vp(struct hsaw *s)
{
	struct vmbus_msg_modify_channel m = {
		.hdr.msgtype = VMBUS_MSG_MODIFYCHANNEL,
		.child_relid = hs.echo.relid,
		.target_vp = NO_SUCH_VP,
	};
	struct vmbus_msg_modify_channel_response r;

	if (hm_post_ctl(&m, sizeof(m)) != HV_STATUS_SUCCESS ||
	    !hm_wait(VMBUS_MSG_MODIFYCHANNEL_RESPONSE, &r, sizeof(r))) {
		saw(s, "no MODIFYCHANNEL_RESPONSE");
		return false;
	}
	saw(s, "MODIFYCHANNEL_RESPONSE status 0x%x", r.status);
	return r.status != 0;
}

/* facts §3.3: Linux always signals flag 0 of the offer's id. */
static bool signal_flag_one(struct hsaw *s)
{
	uint16_t st = hv_signal_event(echo.offer.connection_id, 1);

	saw(s, "status 0x%x", st);
	return st == HV_STATUS_INVALID_CONNECTION_ID;
}

static const struct hcase cases[] = {
	{ "OPENCHANNEL of a channel already open", "vmbus.channel-already-open", open_twice },
	{ "GPADL_TEARDOWN of an open channel's ring", "vmbus.gpadl-in-use", teardown_ring_gpadl },
	{ "MODIFYCHANNEL to a VP that does not exist", "vmbus.modify-target-vp-out-of-range", modify_bad_vp },
	{ "HvSignalEvent flag 1 on an open channel", "vmbus.signal-unknown-connection", signal_flag_one },
};

const struct hgroup hostile_open_group = HGROUP("open echo channel", setup, teardown, cases);
