// SPDX-License-Identifier: MIT
/*
 * Host tests of the guest's SynIC interrupt logic (guest/lib/sint_handler.c)
 * and its message FIFO (guest/lib/msg_fifo.c), with fake SIMP/SIEF pages.
 * Rules under test: facts §4.2 (event flags), §4.3 (slot release, EOM only
 * when message_pending was set), and one LAPIC EOI per interrupt.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "guest/lib/msg_fifo.c"
#include "guest/lib/sint_handler.c"
#include "vmbus/abi/vmbus_abi.h"

struct fake_vp {
	uint8_t simp[4096];
	uint8_t sief[4096];
	struct msg_fifo fifo;
	struct sint_context sint;
	unsigned eoms, eois;
	/* Side effects in order: 'M' = EOM, 'I' = EOI. */
	char trace[64];
	unsigned trace_len;
	uint32_t slot_type_at_eom;
	uint32_t events[64];
	unsigned nr_events;
};

static struct hv_message *slot_of(struct fake_vp *vp)
{
	void *slot = vp->simp + HV_SIMP_SLOT_OFFSET(VMBUS_MESSAGE_SINT);

	return slot;
}

static void trace(struct fake_vp *vp, char what)
{
	if (vp->trace_len < sizeof(vp->trace))
		vp->trace[vp->trace_len++] = what;
}

static void fake_eom(void *ctx)
{
	struct fake_vp *vp = ctx;

	vp->eoms++;
	vp->slot_type_at_eom = slot_of(vp)->header.message_type;
	trace(vp, 'M');
}

static void fake_eoi(void *ctx)
{
	struct fake_vp *vp = ctx;

	vp->eois++;
	trace(vp, 'I');
}

static void fake_event(void *ctx, uint32_t relid)
{
	struct fake_vp *vp = ctx;

	if (vp->nr_events < 64)
		vp->events[vp->nr_events++] = relid;
}

static const struct sint_ops fake_ops = {
	.write_eom = fake_eom,
	.write_eoi = fake_eoi,
	.channel_event = fake_event,
};

static int setup(void **state)
{
	/* Page-aligned like the real SIMP/SIEF pages (aligned_alloc wants
	 * a size that is a multiple of the alignment). */
	struct fake_vp *vp = aligned_alloc(4096, (sizeof(*vp) + 4095) & ~(size_t)4095);

	assert_non_null(vp);
	memset(vp, 0, sizeof(*vp));
	sint_context_init(&vp->sint, vp->simp, vp->sief, VMBUS_MESSAGE_SINT,
			  &vp->fifo, &fake_ops, vp);
	*state = vp;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/* What the host does in facts §4.3 step 3. */
static void host_deliver(struct fake_vp *vp, uint32_t msgtype, uint8_t size,
			 bool pending)
{
	struct hv_message *m = slot_of(vp);

	for (unsigned i = 0; i < HV_MESSAGE_PAYLOAD_MAX; i++)
		m->payload[i] = (uint8_t)(i * 7 + msgtype);
	memcpy(m->payload, &msgtype, 4);
	m->header.payload_size = size;
	m->header.flags = pending ? HV_MESSAGE_FLAG_PENDING : 0;
	m->header.message_type = HV_MESSAGE_TYPE_VMBUS;
}

static void set_sief_bit(struct fake_vp *vp, unsigned sint, unsigned bit)
{
	vp->sief[HV_SIEF_REGION_OFFSET(sint) + bit / 8] |= (uint8_t)(1u << (bit % 8));
}

static void test_message_with_pending_flag(void **state)
{
	struct fake_vp *vp = *state;
	struct hv_message out __attribute__((aligned(8)));

	host_deliver(vp, VMBUS_MSG_OFFERCHANNEL, 196, true);
	sint_handle_interrupt(&vp->sint);

	assert_int_equal(slot_of(vp)->header.message_type, HV_MESSAGE_TYPE_NONE);
	assert_int_equal(vp->eoms, 1);
	assert_int_equal(vp->eois, 1);
	/* The slot was already free when EOM went out, and EOI came last. */
	assert_int_equal(vp->slot_type_at_eom, HV_MESSAGE_TYPE_NONE);
	assert_memory_equal(vp->trace, "MI", 2);

	assert_true(msg_fifo_pop(&vp->fifo, &out));
	assert_int_equal(out.header.message_type, HV_MESSAGE_TYPE_VMBUS);
	assert_int_equal(out.header.payload_size, 196);
	assert_int_equal(*(uint32_t *)(void *)out.payload, VMBUS_MSG_OFFERCHANNEL);
	assert_int_equal(out.payload[200], (uint8_t)(200 * 7 + VMBUS_MSG_OFFERCHANNEL));
	assert_false(msg_fifo_pop(&vp->fifo, &out));
}

static void test_message_without_pending_flag(void **state)
{
	struct fake_vp *vp = *state;

	host_deliver(vp, VMBUS_MSG_VERSION_RESPONSE, 16, false);
	sint_handle_interrupt(&vp->sint);

	assert_int_equal(slot_of(vp)->header.message_type, HV_MESSAGE_TYPE_NONE);
	assert_int_equal(vp->eoms, 0);
	assert_int_equal(vp->eois, 1);
	assert_int_equal(msg_fifo_count(&vp->fifo), 1);
	assert_int_equal(vp->sint.stats.messages, 1);
}

static void test_empty_slot_only_eoi(void **state)
{
	struct fake_vp *vp = *state;

	sint_handle_interrupt(&vp->sint);

	assert_int_equal(vp->eoms, 0);
	assert_int_equal(vp->eois, 1);
	assert_int_equal(vp->nr_events, 0);
	assert_int_equal(msg_fifo_count(&vp->fifo), 0);
	assert_int_equal(vp->sint.stats.interrupts, 1);
}

static void test_sief_bits_collected_and_cleared(void **state)
{
	struct fake_vp *vp = *state;
	static const unsigned relids[] = { 1, 5, 63, 64, 130, 2047 };

	for (unsigned i = 0; i < 6; i++)
		set_sief_bit(vp, VMBUS_MESSAGE_SINT, relids[i]);
	/* Other SINTs' regions belong to other users: left alone. */
	set_sief_bit(vp, 0, 9);
	set_sief_bit(vp, 3, 1);

	sint_handle_interrupt(&vp->sint);

	assert_int_equal(vp->nr_events, 6);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(vp->events[i], relids[i]);
	for (unsigned i = 0; i < 256; i++)
		assert_int_equal(vp->sief[HV_SIEF_REGION_OFFSET(VMBUS_MESSAGE_SINT) + i], 0);
	assert_int_equal(vp->sief[HV_SIEF_REGION_OFFSET(0) + 1], 1u << 1);
	assert_int_equal(vp->sief[HV_SIEF_REGION_OFFSET(3)], 1u << 1);
	assert_int_equal(vp->eois, 1);
	assert_int_equal(vp->eoms, 0);
	assert_int_equal(vp->sint.stats.events, 6);

	/* A second interrupt finds nothing left. */
	sint_handle_interrupt(&vp->sint);
	assert_int_equal(vp->nr_events, 6);
	assert_int_equal(vp->eois, 2);
}

static void test_relid_zero_is_ignored(void **state)
{
	struct fake_vp *vp = *state;

	set_sief_bit(vp, VMBUS_MESSAGE_SINT, 0);
	set_sief_bit(vp, VMBUS_MESSAGE_SINT, 2);
	sint_handle_interrupt(&vp->sint);

	assert_int_equal(vp->nr_events, 1);
	assert_int_equal(vp->events[0], 2);
	assert_int_equal(vp->sint.stats.reserved_bit0, 1);
	assert_int_equal(vp->sief[HV_SIEF_REGION_OFFSET(VMBUS_MESSAGE_SINT)], 0);
	assert_int_equal(vp->eois, 1);
}

static void test_events_and_message_one_eoi(void **state)
{
	struct fake_vp *vp = *state;

	set_sief_bit(vp, VMBUS_MESSAGE_SINT, 7);
	host_deliver(vp, VMBUS_MSG_GPADL_CREATED, 20, true);
	sint_handle_interrupt(&vp->sint);

	assert_int_equal(vp->nr_events, 1);
	assert_int_equal(vp->events[0], 7);
	assert_int_equal(msg_fifo_count(&vp->fifo), 1);
	assert_int_equal(vp->eoms, 1);
	assert_int_equal(vp->eois, 1);
	assert_memory_equal(vp->trace, "MI", 2);
}

static void test_full_fifo_defers_then_consumer_takes(void **state)
{
	struct fake_vp *vp = *state;
	struct hv_message out __attribute__((aligned(8)));

	for (unsigned i = 0; i < MSG_FIFO_LEN; i++) {
		host_deliver(vp, VMBUS_MSG_OFFERCHANNEL, 196, false);
		sint_handle_interrupt(&vp->sint);
	}
	assert_int_equal(msg_fifo_count(&vp->fifo), MSG_FIFO_LEN);
	assert_int_equal(vp->eois, MSG_FIFO_LEN);

	/* FIFO full: the message must stay in the slot, no EOM, so the host
	 * holds back the rest; the interrupt is still acknowledged. */
	host_deliver(vp, VMBUS_MSG_ALLOFFERS_DELIVERED, 8, true);
	sint_handle_interrupt(&vp->sint);
	assert_int_equal(slot_of(vp)->header.message_type, HV_MESSAGE_TYPE_VMBUS);
	assert_int_equal(vp->eoms, 0);
	assert_int_equal(vp->eois, MSG_FIFO_LEN + 1);
	assert_int_equal(vp->sint.slot_deferred, 1);
	assert_int_equal(vp->sint.stats.deferred, 1);

	/* The consumer makes room and takes the parked message itself. */
	assert_true(msg_fifo_pop(&vp->fifo, &out));
	assert_int_equal(sint_take_message(&vp->sint), SINT_SLOT_TAKEN);
	assert_int_equal(slot_of(vp)->header.message_type, HV_MESSAGE_TYPE_NONE);
	assert_int_equal(vp->eoms, 1);
	assert_int_equal(vp->sint.slot_deferred, 0);
	assert_int_equal(vp->eois, MSG_FIFO_LEN + 1);   /* no extra EOI */

	for (unsigned i = 0; i < MSG_FIFO_LEN - 1; i++) {
		assert_true(msg_fifo_pop(&vp->fifo, &out));
		assert_int_equal(*(uint32_t *)(void *)out.payload, VMBUS_MSG_OFFERCHANNEL);
	}
	assert_true(msg_fifo_pop(&vp->fifo, &out));
	assert_int_equal(*(uint32_t *)(void *)out.payload, VMBUS_MSG_ALLOFFERS_DELIVERED);
	assert_false(msg_fifo_pop(&vp->fifo, &out));
	assert_int_equal(sint_take_message(&vp->sint), SINT_SLOT_EMPTY);
}

static void test_fifo_keeps_order_across_index_wrap(void **state)
{
	struct fake_vp *vp = *state;
	struct hv_message out __attribute__((aligned(8)));
	uint32_t next_in = 100, next_out = 100;

	/* Push and pop in uneven batches so head and tail wrap many times. */
	for (unsigned round = 0; round < 50; round++) {
		for (unsigned i = 0; i < 5 + round % 7; i++) {
			host_deliver(vp, next_in++, 240, false);
			assert_true(msg_fifo_push(&vp->fifo, (struct hv_message *)(void *)slot_of(vp)));
		}
		for (unsigned i = 0; i < 3 + round % 9 && msg_fifo_pop(&vp->fifo, &out); i++)
			assert_int_equal(*(uint32_t *)(void *)out.payload, next_out++);
	}
	while (msg_fifo_pop(&vp->fifo, &out))
		assert_int_equal(*(uint32_t *)(void *)out.payload, next_out++);
	assert_int_equal(next_in, next_out);
}

static void test_lowest_set_bit(void **state)
{
	(void)state;
	for (unsigned b = 0; b < 64; b++) {
		assert_int_equal(lowest_set_bit(1ull << b), b);
		assert_int_equal(lowest_set_bit(~0ull << b), b);
		assert_int_equal(lowest_set_bit((1ull << b) | (1ull << 63)), b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_message_with_pending_flag, setup, teardown),
		cmocka_unit_test_setup_teardown(test_message_without_pending_flag, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_slot_only_eoi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sief_bits_collected_and_cleared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relid_zero_is_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_and_message_one_eoi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_fifo_defers_then_consumer_takes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fifo_keeps_order_across_index_wrap, setup, teardown),
		cmocka_unit_test(test_lowest_set_bit),
	};

	return cmocka_run_group_tests_name("guest SynIC interrupt logic", tests, NULL, NULL);
}
