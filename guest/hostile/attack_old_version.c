// SPDX-License-Identifier: MIT
/*
 * A message the negotiated version does not have: MODIFYCHANNEL exists
 * from VMBus 4.1 on (facts §5.1, §5.2), so on a 4.0 connection it is
 * refused -- and, as before 5.3, not answered.
 */
#include "guest/hostile/cases.h"

#include "guest/hostile/hmsg.h"
#include "guest/hostile/session.h"

static bool setup(void)
{
	return session_connect(VMBUS_VERSION_WIN10) && session_offers();
}

static void teardown(void)
{
	session_unload();
}

static bool modify_at_4_0(struct hsaw *s)
{
	struct vmbus_msg_modify_channel m = {
		.hdr.msgtype = VMBUS_MSG_MODIFYCHANNEL,
		.child_relid = hs.echo.relid,
		.target_vp = 0,
	};
	uint16_t st = hm_post_ctl(&m, sizeof(m));
	bool quiet = hm_quiet(NULL);

	saw(s, "status 0x%x, %s", st, quiet ? "no answer" : "an answer");
	return st == HV_STATUS_SUCCESS && quiet;
}

static const struct hcase cases[] = {
	{ "MODIFYCHANNEL on a VMBus 4.0 connection", "vmbus.modify-channel-unsupported", modify_at_4_0 },
};

const struct hgroup hostile_old_version_group =
	HGROUP("connected at 4.0", setup, teardown, cases);
