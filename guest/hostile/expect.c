// SPDX-License-Identifier: MIT
/*
 * Guest-visible refusals of control messages (expect.h).
 */
#include "guest/hostile/expect.h"

#include "guest/hostile/hmsg.h"

/* The post returned `st`; now nothing may come back. */
static bool unanswered(struct hsaw *s, uint16_t st)
{
	uint32_t type = 0;
	bool quiet = hm_quiet(&type);

	if (quiet)
		saw(s, "status 0x%x, no answer", st);
	else
		saw(s, "status 0x%x, answered with type %u", st, type);
	return st == HV_STATUS_SUCCESS && quiet;
}

bool expect_unanswered(struct hsaw *s, uint32_t connection_id, const void *msg,
		       uint32_t size)
{
	return unanswered(s, hm_post(connection_id, msg, size));
}

bool expect_unanswered_ctl(struct hsaw *s, const void *msg, uint32_t size)
{
	return unanswered(s, hm_post_ctl(msg, size));
}

bool expect_open_refused(struct hsaw *s, uint32_t relid, uint32_t gpadl,
			 uint32_t target_vp, uint32_t downstream_pages)
{
	uint32_t status = 0;

	if (!hm_open(relid, gpadl, target_vp, downstream_pages, &status)) {
		saw(s, "no OPENCHANNEL_RESULT");
		return false;
	}
	saw(s, "OPENCHANNEL_RESULT status 0x%x", status);
	return status != 0;
}
