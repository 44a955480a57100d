// SPDX-License-Identifier: MIT
/*
 * A guest that asks and does not listen: with its VMBus SINT masked it
 * can take no message (facts §4.3 step 1), yet it keeps posting requests
 * the host must answer.  The host may queue a bounded number of answers
 * and must drop the rest, not grow without bound; once the SINT is
 * unmasked the queued ones arrive in order.
 */
#include "guest/hostile/cases.h"

#include "guest/hostile/hmsg.h"
#include "guest/hostile/session.h"
#include "guest/lib/cpu.h"
#include "guest/lib/report.h"
#include "vmm/abi/hv_abi.h"

/* More than the host's per-SINT queue (vmm/synic.h: 64). */
#define REQUESTS  80u
#define SINT2_MSR (HV_MSR_SINT0 + VMBUS_MESSAGE_SINT)

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

/* MODIFYCHANNEL to VP 0 on an open channel is valid and, at 5.3,
 * answered (facts §5.1): every request costs the host one message. */
static bool answers_to_masked_sint(struct hsaw *s)
{
	struct vmbus_msg_modify_channel m = {
		.hdr.msgtype = VMBUS_MSG_MODIFYCHANNEL,
		.child_relid = hs.echo.relid,
		.target_vp = 0,
	};
	struct vmbus_msg_modify_channel_response r;
	uint64_t sint = rdmsr(SINT2_MSR);
	unsigned posted = 0, answers = 0, bad = 0;
	uint32_t type;

	wrmsr(SINT2_MSR, sint | HV_SINT_MASKED);
	for (unsigned i = 0; i < REQUESTS; i++)
		if (hm_post_ctl(&m, sizeof(m)) == HV_STATUS_SUCCESS)
			posted++;
	wrmsr(SINT2_MSR, sint);
	while (hm_next(&type, &r, sizeof(r))) {
		if (type == VMBUS_MSG_MODIFYCHANNEL_RESPONSE && r.status == 0 &&
		    r.child_relid == hs.echo.relid)
			answers++;
		else
			bad++;
	}
	saw(s, "%u posted, %u answers delivered after unmasking, %u others",
	    posted, answers, bad);
	return posted == REQUESTS && answers > 0 && answers < REQUESTS && bad == 0;
}

static const struct hcase cases[] = {
	{ "80 answered requests while SINT2 is masked", "synic.queue-full", answers_to_masked_sint },
};

const struct hgroup hostile_flood_group =
	HGROUP("message flood", setup, teardown, cases);
