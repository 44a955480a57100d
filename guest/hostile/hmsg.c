// SPDX-License-Identifier: MIT
/*
 * Raw control messages (hmsg.h).  The SINT2 handler (lib/synic.c) copies
 * every host message into this vCPU's FIFO; we only pop from it.
 */
#include "guest/hostile/hmsg.h"

#include "guest/hostile/session.h"
#include "guest/lib/console.h"
#include "guest/lib/cpu.h"
#include "guest/lib/hv.h"
#include "guest/lib/string.h"
#include "guest/lib/synic.h"

/* A reply is normally there on the first look; ~0.2 s at 1 us/instr. */
#define WAIT_SPINS  100000u
/* "Nothing came": the SINT fires before the post returns, so a few
 * hundred polls are plenty. */
#define QUIET_SPINS 400u

static unsigned strays;

uint16_t hm_post(uint32_t connection_id, const void *msg, uint32_t size)
{
	return hv_post_message(connection_id, HV_MESSAGE_TYPE_VMBUS, msg, size);
}

uint16_t hm_post_ctl(const void *msg, uint32_t size)
{
	return hm_post(hs.client.msg_conn_id ? hs.client.msg_conn_id
					     : VMBUS_MESSAGE_CONNECTION_ID,
		       msg, size);
}

static uint32_t type_of(const struct hv_message *m)
{
	uint32_t t;

	memcpy(&t, m->payload, sizeof(t));
	return t;
}

bool hm_wait(uint32_t msgtype, void *out, uint32_t out_size)
{
	struct hv_message m __attribute__((aligned(8)));

	for (uint32_t spins = 0; spins < WAIT_SPINS;) {
		if (!synic_next_message(&m)) {
			cpu_relax();
			spins++;
			continue;
		}
		if (type_of(&m) != msgtype) {
			strays++;
			kprintf("# (dropped host message type %u while waiting "
				"for %u)\n", type_of(&m), msgtype);
			continue;
		}
		if (out)
			memcpy(out, m.payload, out_size < HV_MESSAGE_PAYLOAD_MAX
					       ? out_size
					       : HV_MESSAGE_PAYLOAD_MAX);
		return true;
	}
	return false;
}

bool hm_open(uint32_t relid, uint32_t gpadl, uint32_t target_vp,
	     uint32_t downstream_pages, uint32_t *status)
{
	struct vmbus_msg_open_channel m;
	struct vmbus_msg_open_result r;

	memset(&m, 0, sizeof(m));
	m.hdr.msgtype = VMBUS_MSG_OPENCHANNEL;
	m.child_relid = relid;
	m.openid = relid;
	m.ringbuffer_gpadl = gpadl;
	m.target_vp = target_vp;
	m.downstream_ring_pageoffset = downstream_pages;
	if (hm_post_ctl(&m, sizeof(m)) != HV_STATUS_SUCCESS)
		return false;
	/* kvmbus answers every OPENCHANNEL (Linux waits forever, §5.4). */
	for (;;) {
		if (!hm_wait(VMBUS_MSG_OPENCHANNEL_RESULT, &r, sizeof(r)))
			return false;
		if (r.child_relid == relid && r.openid == relid)
			break;
	}
	*status = r.status;
	return true;
}

bool hm_next(uint32_t *type, void *out, uint32_t out_size)
{
	struct hv_message m __attribute__((aligned(8)));

	for (uint32_t spins = 0; spins < QUIET_SPINS; spins++) {
		if (synic_next_message(&m)) {
			*type = type_of(&m);
			memcpy(out, m.payload, out_size < HV_MESSAGE_PAYLOAD_MAX
					       ? out_size
					       : HV_MESSAGE_PAYLOAD_MAX);
			return true;
		}
		cpu_relax();
	}
	return false;
}

bool hm_quiet(uint32_t *type)
{
	struct hv_message m __attribute__((aligned(8)));

	for (uint32_t spins = 0; spins < QUIET_SPINS; spins++) {
		if (synic_next_message(&m)) {
			if (type)
				*type = type_of(&m);
			return false;
		}
		cpu_relax();
	}
	return true;
}

void hm_drain(void)
{
	struct hv_message m __attribute__((aligned(8)));

	while (synic_next_message(&m)) {
		strays++;
		kprintf("# (dropped stray host message type %u)\n", type_of(&m));
	}
}

unsigned hm_strays(void)
{
	return strays;
}
