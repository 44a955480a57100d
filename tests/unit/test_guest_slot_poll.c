// SPDX-License-Identifier: MIT
/*
 * Host tests of the polled message-slot read a crashing guest uses to
 * wait for UNLOAD_RESPONSE with interrupts off (guest/lib/slot_poll.c):
 * facts §5.4 (vmbus_wait_for_unload) and §4.3 (free the slot first, EOM
 * only when message_pending was set).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "guest/lib/slot_poll.c"
#include "vmbus/abi/vmbus_abi.h"

struct fake {
	uint8_t simp[4096] __attribute__((aligned(4096)));
	unsigned eoms;
	uint32_t type_at_eom;
};

static struct hv_message *slot_of(struct fake *f)
{
	void *p = f->simp + HV_SIMP_SLOT_OFFSET(VMBUS_MESSAGE_SINT);

	return p;
}

static void eom(void *ctx)
{
	struct fake *f = ctx;

	f->eoms++;
	f->type_at_eom = slot_of(f)->header.message_type;
}

static void post(struct fake *f, uint32_t vmbus_msgtype, bool pending)
{
	struct hv_message *m = slot_of(f);

	memset(m, 0, sizeof(*m));
	memcpy(m->payload, &vmbus_msgtype, sizeof(vmbus_msgtype));
	m->header.payload_size = 8;
	m->header.flags = pending ? HV_MESSAGE_FLAG_PENDING : 0;
	m->header.message_type = HV_MESSAGE_TYPE_VMBUS;
}

static void test_empty(void **state)
{
	static struct fake f;

	(void)state;
	memset(&f, 0, sizeof(f));
	assert_int_equal(slot_poll(slot_of(&f), VMBUS_MSG_UNLOAD_RESPONSE, eom,
				   &f), SLOT_POLL_EMPTY);
	assert_int_equal(f.eoms, 0);
}

static void test_match_frees_slot(void **state)
{
	static struct fake f;

	(void)state;
	memset(&f, 0, sizeof(f));
	post(&f, VMBUS_MSG_UNLOAD_RESPONSE, false);
	assert_int_equal(slot_poll(slot_of(&f), VMBUS_MSG_UNLOAD_RESPONSE, eom,
				   &f), SLOT_POLL_MATCH);
	assert_int_equal(slot_of(&f)->header.message_type, HV_MESSAGE_TYPE_NONE);
	/* Nothing pending: no EOM. */
	assert_int_equal(f.eoms, 0);
	assert_int_equal(slot_poll(slot_of(&f), VMBUS_MSG_UNLOAD_RESPONSE, eom,
				   &f), SLOT_POLL_EMPTY);
}

static void test_other_dropped_with_eom(void **state)
{
	static struct fake f;

	(void)state;
	memset(&f, 0, sizeof(f));
	/* An offer that arrived late, with more queued behind it. */
	post(&f, VMBUS_MSG_OFFERCHANNEL, true);
	assert_int_equal(slot_poll(slot_of(&f), VMBUS_MSG_UNLOAD_RESPONSE, eom,
				   &f), SLOT_POLL_OTHER);
	/* EOM only after the slot was freed (facts §4.3). */
	assert_int_equal(f.eoms, 1);
	assert_int_equal(f.type_at_eom, HV_MESSAGE_TYPE_NONE);
	/* The host delivers the next one: the answer. */
	post(&f, VMBUS_MSG_UNLOAD_RESPONSE, false);
	assert_int_equal(slot_poll(slot_of(&f), VMBUS_MSG_UNLOAD_RESPONSE, eom,
				   &f), SLOT_POLL_MATCH);
	assert_int_equal(f.eoms, 1);
	/* No EOM callback given: the slot is still freed. */
	post(&f, VMBUS_MSG_OFFERCHANNEL, true);
	assert_int_equal(slot_poll(slot_of(&f), VMBUS_MSG_UNLOAD_RESPONSE, NULL,
				   NULL), SLOT_POLL_OTHER);
	assert_int_equal(slot_of(&f)->header.message_type, HV_MESSAGE_TYPE_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_match_frees_slot),
		cmocka_unit_test(test_other_dropped_with_eom),
	};

	return cmocka_run_group_tests_name("guest polled slot (crash UNLOAD)",
					   tests, NULL, NULL);
}
