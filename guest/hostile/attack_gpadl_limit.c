// SPDX-License-Identifier: MIT
/*
 * Exhausting the host's GPADL table (vmbus/gpadl.h: 256 per connection)
 * with GPADL_HEADERs whose bodies never come (facts §5.3: a GPADL is
 * complete only when range_buflen bytes arrived).  The host must refuse
 * the ones beyond its limit with a failed GPADL_CREATED, not grow without
 * bound; UNLOAD then frees them all (teardown).
 */
#include "guest/hostile/cases.h"

#include "guest/hostile/hmsg.h"
#include "guest/hostile/session.h"
#include "guest/lib/string.h"

#define FLOOD         256u
#define FIRST_HANDLE  0x7E571000u
/* Announces 240 bytes (1 range + 29 PFNs) and sends only the range. */
#define ANNOUNCED     240u

static bool flood(struct hsaw *s)
{
	uint64_t buf[4];
	struct vmbus_msg_gpadl_header h = {
		.hdr.msgtype = VMBUS_MSG_GPADL_HEADER,
		.child_relid = hs.echo.relid,
		.range_buflen = ANNOUNCED,
		.rangecount = 1,
	};
	uint64_t desc = 29ull * 4096u;        /* byte_count, offset 0 */
	unsigned posted = 0, failed = 0, other = 0;
	struct vmbus_msg_gpadl_created r;
	uint32_t type;

	for (unsigned i = 0; i < FLOOD; i++) {
		h.gpadl = FIRST_HANDLE + i;
		memcpy(buf, &h, sizeof(h));
		memcpy((uint8_t *)buf + sizeof(h), &desc, sizeof(desc));
		if (hm_post_ctl(buf, sizeof(h) + sizeof(desc)) == HV_STATUS_SUCCESS)
			posted++;
	}
	/* Every refused one is answered; the accepted ones wait silently. */
	while (hm_next(&type, &r, sizeof(r))) {
		if (type == VMBUS_MSG_GPADL_CREATED && r.creation_status != 0)
			failed++;
		else
			other++;
	}
	saw(s, "%u posted, %u refused with a failed GPADL_CREATED", posted, failed);
	return posted == FLOOD && failed > 0 && other == 0;
}

static void teardown(void)
{
	session_unload();
}

static const struct hcase cases[] = {
	{ "GPADL table flooded with 256 half-sent GPADLs", "vmbus.gpadl-limit", flood },
};

const struct hgroup hostile_gpadl_limit_group =
	HGROUP("GPADL table", NULL, teardown, cases);
