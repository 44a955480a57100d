/* SPDX-License-Identifier: MIT */
/*
 * SynIC emulation (vmm/synic.c): MSR semantics, message delivery with the
 * pending flag and EOM redelivery, and event flags.
 *
 * This machine's LAPIC hides a missing EOI (kvm-on-this-machine.md,
 * "Traps"), so end-to-end runs cannot prove the redelivery logic: these
 * tests do, by playing the guest's side of facts §4.3 by hand.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "vmm/log.h"
#include "vmm/synic.h"

#define RAM_SIZE   (1024 * 1024)
#define SIMP_A     0x10000ull
#define SIMP_B     0x20000ull
#define SIEF_PAGE  0x30000ull
#define OUTSIDE    0x200000ull     /* beyond the 1 MiB of RAM */
#define SINT       2u              /* VMBus's SINT (facts §4.4) */
#define VECTOR     0xF3u
#define MAX_INJECT 256

struct fixture {
	uint8_t *ram;
	struct guest_mem gm;
	struct synic s;
	unsigned n_inject;
	unsigned inject_vp[MAX_INJECT];
	uint8_t inject_vector[MAX_INJECT];
};

static void capture_inject(void *ctx, unsigned vp, uint8_t vector)
{
	struct fixture *f = ctx;

	if (f->n_inject < MAX_INJECT) {
		f->inject_vp[f->n_inject] = vp;
		f->inject_vector[f->n_inject] = vector;
	}
	f->n_inject++;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->ram = aligned_alloc(4096, RAM_SIZE);
	assert_non_null(f->ram);
	memset(f->ram, 0, RAM_SIZE);
	f->gm.bank[0] = (struct guest_mem_bank){ .gpa = 0, .size = RAM_SIZE,
						 .host = f->ram };
	f->gm.nr_banks = 1;
	synic_init(&f->s, &f->gm, 2, capture_inject, f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->ram);
	free(f);
	return 0;
}

static struct hv_message *slot_at(struct fixture *f, uint64_t page,
				  unsigned sint)
{
	return (struct hv_message *)(void *)(f->ram + page +
					     HV_SIMP_SLOT_OFFSET(sint));
}

static void wr(struct fixture *f, unsigned vp, uint32_t msr, uint64_t v)
{
	assert_int_equal(synic_wrmsr(&f->s, vp, msr, v), 0);
}

static uint64_t rd(struct fixture *f, unsigned vp, uint32_t msr)
{
	uint64_t v = ~0ull;

	assert_int_equal(synic_rdmsr(&f->s, vp, msr, &v), 0);
	return v;
}

/* What Linux does in hv_synic_enable_regs(): pages, SINT2, then SCONTROL. */
static void guest_enable(struct fixture *f, unsigned vp)
{
	wr(f, vp, HV_MSR_SIMP, SIMP_A | HV_SYNIC_PAGE_ENABLE);
	wr(f, vp, HV_MSR_SIEFP, SIEF_PAGE | HV_SYNIC_PAGE_ENABLE);
	wr(f, vp, HV_MSR_SINT0 + SINT, VECTOR);
	wr(f, vp, HV_MSR_SCONTROL, HV_SCONTROL_ENABLE);
}

/* Linux's message tasklet, minus the handling: free the slot, and write
 * EOM only if the pending flag was set (facts §4.3). */
static void guest_consume(struct fixture *f, unsigned vp, uint64_t page)
{
	struct hv_message *m = slot_at(f, page, SINT);
	uint8_t flags = m->header.flags;

	m->header.message_type = HV_MESSAGE_TYPE_NONE;
	if (flags & HV_MESSAGE_FLAG_PENDING)
		wr(f, vp, HV_MSR_EOM, 0);
}

static void post_byte(struct fixture *f, unsigned vp, uint8_t tag)
{
	uint8_t payload[8];

	memset(payload, tag, sizeof(payload));
	assert_int_equal(synic_post_message(&f->s, vp, SINT, 1, payload,
					    sizeof(payload)), 0);
}

/* ---- MSRs ------------------------------------------------------------ */

static void test_reset_values(void **state)
{
	struct fixture *f = *state;

	for (unsigned i = 0; i < HV_SINT_COUNT; i++)
		assert_int_equal(rd(f, 0, HV_MSR_SINT0 + i), HV_SINT_MASKED);
	assert_int_equal(rd(f, 0, HV_MSR_SCONTROL), 0);
	assert_int_equal(rd(f, 0, HV_MSR_SIMP), 0);
	assert_int_equal(rd(f, 0, HV_MSR_SIEFP), 0);
	assert_int_equal(rd(f, 0, HV_MSR_SVERSION), 1);
	assert_int_equal(rd(f, 1, HV_MSR_SVERSION), 1);
	wr(f, 0, HV_MSR_EOM, 0x1234);
	assert_int_equal(rd(f, 0, HV_MSR_EOM), 0);
}

static void test_read_only_and_unknown_msrs(void **state)
{
	struct fixture *f = *state;
	uint64_t v;

	assert_int_equal(synic_wrmsr(&f->s, 0, HV_MSR_SVERSION, 1), -1);
	assert_string_equal(guest_last_refusal(), "synic.sversion-read-only");
	assert_int_equal(synic_rdmsr(&f->s, 0, 0x40000085, &v), -1);
	assert_string_equal(guest_last_refusal(), "synic.unknown-msr");
	assert_int_equal(synic_wrmsr(&f->s, 0, 0x4000008F, 0), -1);
	/* A VP the SynIC does not have is a VMM bug, refused too. */
	assert_int_equal(synic_rdmsr(&f->s, 2, HV_MSR_SCONTROL, &v), -1);
	assert_int_equal(synic_wrmsr(&f->s, 7, HV_MSR_SCONTROL, 1), -1);
}

static void test_scontrol_reserved_bits(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(synic_wrmsr(&f->s, 0, HV_MSR_SCONTROL, 0x3), -1);
	assert_string_equal(guest_last_refusal(), "synic.scontrol-reserved-bits");
	assert_int_equal(rd(f, 0, HV_MSR_SCONTROL), 0);
	wr(f, 0, HV_MSR_SCONTROL, 1);
	assert_int_equal(rd(f, 0, HV_MSR_SCONTROL), 1);
}

static void test_page_msrs_keep_bits_and_need_ram(void **state)
{
	struct fixture *f = *state;
	uint64_t simp = SIMP_A | 0xFFEull | HV_SYNIC_PAGE_ENABLE;

	wr(f, 0, HV_MSR_SIMP, simp);
	assert_int_equal(rd(f, 0, HV_MSR_SIMP), simp);
	wr(f, 0, HV_MSR_SIEFP, SIEF_PAGE | 0x2 | HV_SYNIC_PAGE_ENABLE);
	assert_int_equal(rd(f, 0, HV_MSR_SIEFP),
			 SIEF_PAGE | 0x2 | HV_SYNIC_PAGE_ENABLE);

	assert_int_equal(synic_wrmsr(&f->s, 0, HV_MSR_SIMP,
				     OUTSIDE | HV_SYNIC_PAGE_ENABLE), -1);
	assert_string_equal(guest_last_refusal(), "synic.simp-not-ram");
	assert_int_equal(rd(f, 0, HV_MSR_SIMP), simp);
	assert_int_equal(synic_wrmsr(&f->s, 0, HV_MSR_SIEFP,
				     OUTSIDE | HV_SYNIC_PAGE_ENABLE), -1);
	assert_string_equal(guest_last_refusal(), "synic.siefp-not-ram");
	/* The last page of RAM is fine. */
	wr(f, 0, HV_MSR_SIMP, (RAM_SIZE - 4096) | HV_SYNIC_PAGE_ENABLE);
	/* Disabled, the GPN is only stored. */
	wr(f, 0, HV_MSR_SIMP, OUTSIDE);
	assert_int_equal(rd(f, 0, HV_MSR_SIMP), OUTSIDE);
}

static void test_sint_validation(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(synic_wrmsr(&f->s, 0, HV_MSR_SINT0 + 3, 15), -1);
	assert_string_equal(guest_last_refusal(), "synic.sint-vector");
	assert_int_equal(rd(f, 0, HV_MSR_SINT0 + 3), HV_SINT_MASKED);
	/* A low vector is harmless while masked. */
	wr(f, 0, HV_MSR_SINT0 + 3, HV_SINT_MASKED | 5);
	assert_int_equal(rd(f, 0, HV_MSR_SINT0 + 3), HV_SINT_MASKED | 5);
	assert_int_equal(synic_wrmsr(&f->s, 0, HV_MSR_SINT0 + 3,
				     HV_SINT_MASKED | (1ull << 21)), -1);
	assert_string_equal(guest_last_refusal(), "synic.sint-reserved-bits");
	assert_int_equal(synic_wrmsr(&f->s, 0, HV_MSR_SINT15,
				     0x30 | (1ull << 63)), -1);
	wr(f, 0, HV_MSR_SINT15, 16);
	assert_int_equal(rd(f, 0, HV_MSR_SINT15), 16);
}

static void test_auto_eoi_stored_and_warned_once(void **state)
{
	struct fixture *f = *state;

	assert_false(f->s.auto_eoi_warned);
	wr(f, 0, HV_MSR_SINT0 + SINT, VECTOR | HV_SINT_AUTO_EOI);
	assert_int_equal(rd(f, 0, HV_MSR_SINT0 + SINT),
			 VECTOR | HV_SINT_AUTO_EOI);
	assert_true(f->s.auto_eoi_warned);
	wr(f, 1, HV_MSR_SINT0 + SINT, VECTOR | HV_SINT_AUTO_EOI);
	assert_true(f->s.auto_eoi_warned);
}

static void test_simp_enable_clears_page_once(void **state)
{
	struct fixture *f = *state;

	memset(f->ram + SIMP_A, 0xAA, 4096);
	wr(f, 0, HV_MSR_SIMP, SIMP_A | HV_SYNIC_PAGE_ENABLE);
	for (unsigned i = 0; i < 4096; i++)
		assert_int_equal(f->ram[SIMP_A + i], 0);
	/* Rewriting the same page must not wipe what it holds. */
	f->ram[SIMP_A + 17] = 0x55;
	wr(f, 0, HV_MSR_SIMP, SIMP_A | HV_SYNIC_PAGE_ENABLE);
	assert_int_equal(f->ram[SIMP_A + 17], 0x55);
}

/* ---- messages ---------------------------------------------------------- */

static void test_post_to_free_slot_injects_once(void **state)
{
	struct fixture *f = *state;
	uint8_t payload[40];
	struct hv_message *m = slot_at(f, SIMP_A, SINT);

	guest_enable(f, 0);
	for (unsigned i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + 1);
	assert_int_equal(synic_post_message(&f->s, 0, SINT, 1, payload,
					    sizeof(payload)), 0);

	assert_int_equal(f->n_inject, 1);
	assert_int_equal(f->inject_vp[0], 0);
	assert_int_equal(f->inject_vector[0], VECTOR);
	assert_int_equal(f->s.vp[0].interrupts_sent, 1);
	assert_int_equal(f->s.vp[1].interrupts_sent, 0);
	assert_int_equal(m->header.message_type, 1);
	assert_int_equal(m->header.payload_size, sizeof(payload));
	assert_int_equal(m->header.flags, 0);
	assert_int_equal(m->header.sender, 0);
	assert_memory_equal(m->payload, payload, sizeof(payload));
	assert_int_equal(m->payload[sizeof(payload)], 0);
	assert_int_equal(synic_pending(&f->s, 0, SINT), 0);
	/* Other slots untouched. */
	assert_int_equal(slot_at(f, SIMP_A, 3)->header.message_type, 0);
}

static void test_masked_sint_queues_then_unmask_delivers(void **state)
{
	struct fixture *f = *state;

	guest_enable(f, 0);
	wr(f, 0, HV_MSR_SINT0 + SINT, VECTOR | HV_SINT_MASKED);
	post_byte(f, 0, 0x11);
	assert_int_equal(f->n_inject, 0);
	assert_int_equal(synic_pending(&f->s, 0, SINT), 1);
	assert_int_equal(slot_at(f, SIMP_A, SINT)->header.message_type, 0);

	wr(f, 0, HV_MSR_SINT0 + SINT, VECTOR);
	assert_int_equal(f->n_inject, 1);
	assert_int_equal(f->inject_vector[0], VECTOR);
	assert_int_equal(synic_pending(&f->s, 0, SINT), 0);
	assert_int_equal(slot_at(f, SIMP_A, SINT)->header.message_type, 1);
	assert_int_equal(slot_at(f, SIMP_A, SINT)->payload[0], 0x11);
}

static void test_disabled_synic_or_simp_queues(void **state)
{
	struct fixture *f = *state;

	/* SCONTROL off (its reset value). */
	wr(f, 0, HV_MSR_SIMP, SIMP_A | HV_SYNIC_PAGE_ENABLE);
	wr(f, 0, HV_MSR_SINT0 + SINT, VECTOR);
	post_byte(f, 0, 0x21);
	assert_int_equal(f->n_inject, 0);
	wr(f, 0, HV_MSR_SCONTROL, HV_SCONTROL_ENABLE);
	assert_int_equal(f->n_inject, 1);
	guest_consume(f, 0, SIMP_A);

	/* SIMP off. */
	wr(f, 0, HV_MSR_SIMP, SIMP_A);
	post_byte(f, 0, 0x22);
	assert_int_equal(f->n_inject, 1);
	assert_int_equal(synic_pending(&f->s, 0, SINT), 1);
	wr(f, 0, HV_MSR_SIMP, SIMP_A | HV_SYNIC_PAGE_ENABLE);
	assert_int_equal(f->n_inject, 2);
	assert_int_equal(slot_at(f, SIMP_A, SINT)->payload[0], 0x22);
}

static void test_busy_slot_sets_pending_then_eom_redelivers(void **state)
{
	struct fixture *f = *state;
	struct hv_message *m = slot_at(f, SIMP_A, SINT);

	guest_enable(f, 0);
	post_byte(f, 0, 0x31);
	post_byte(f, 0, 0x32);
	assert_int_equal(f->n_inject, 1);
	assert_int_equal(synic_pending(&f->s, 0, SINT), 1);
	assert_int_equal(m->payload[0], 0x31);
	assert_int_equal(m->header.flags & HV_MESSAGE_FLAG_PENDING,
			 HV_MESSAGE_FLAG_PENDING);

	/* EOM while the guest still holds the slot changes nothing. */
	wr(f, 0, HV_MSR_EOM, 0);
	assert_int_equal(f->n_inject, 1);
	assert_int_equal(m->payload[0], 0x31);

	guest_consume(f, 0, SIMP_A);
	assert_int_equal(f->n_inject, 2);
	assert_int_equal(f->inject_vector[1], VECTOR);
	assert_int_equal(m->header.message_type, 1);
	assert_int_equal(m->payload[0], 0x32);
	assert_int_equal(m->header.flags, 0);  /* nothing more behind it */
	assert_int_equal(synic_pending(&f->s, 0, SINT), 0);
}

static void test_fifo_order_across_three(void **state)
{
	struct fixture *f = *state;
	struct hv_message *m = slot_at(f, SIMP_A, SINT);

	guest_enable(f, 0);
	wr(f, 0, HV_MSR_SINT0 + SINT, VECTOR | HV_SINT_MASKED);
	post_byte(f, 0, 0xA1);
	post_byte(f, 0, 0xA2);
	post_byte(f, 0, 0xA3);
	assert_int_equal(synic_pending(&f->s, 0, SINT), 3);
	wr(f, 0, HV_MSR_SINT0 + SINT, VECTOR);

	assert_int_equal(m->payload[0], 0xA1);
	assert_true(m->header.flags & HV_MESSAGE_FLAG_PENDING);
	guest_consume(f, 0, SIMP_A);
	assert_int_equal(m->payload[0], 0xA2);
	assert_true(m->header.flags & HV_MESSAGE_FLAG_PENDING);
	/* A new post while two wait must not jump the queue. */
	post_byte(f, 0, 0xA4);
	guest_consume(f, 0, SIMP_A);
	assert_int_equal(m->payload[0], 0xA3);
	assert_true(m->header.flags & HV_MESSAGE_FLAG_PENDING);
	guest_consume(f, 0, SIMP_A);
	assert_int_equal(m->payload[0], 0xA4);
	assert_int_equal(m->header.flags, 0);
	assert_int_equal(f->n_inject, 4);
}

static void test_queue_overflow_refused(void **state)
{
	struct fixture *f = *state;
	uint8_t b = 0;

	guest_enable(f, 0);
	wr(f, 0, HV_MSR_SINT0 + SINT, VECTOR | HV_SINT_MASKED);
	for (unsigned i = 0; i < SYNIC_QUEUE_LEN; i++)
		post_byte(f, 0, (uint8_t)i);
	assert_int_equal(synic_post_message(&f->s, 0, SINT, 1, &b, 1), -ENOSPC);
	assert_int_equal(synic_pending(&f->s, 0, SINT), SYNIC_QUEUE_LEN);
	/* The oldest is still the first one delivered. */
	wr(f, 0, HV_MSR_SINT0 + SINT, VECTOR);
	assert_int_equal(slot_at(f, SIMP_A, SINT)->payload[0], 0);
}

static void test_slot_freed_without_eom_drains_on_next_post(void **state)
{
	struct fixture *f = *state;
	struct hv_message *m = slot_at(f, SIMP_A, SINT);

	guest_enable(f, 0);
	post_byte(f, 0, 0x41);
	post_byte(f, 0, 0x42);
	/* A guest that frees the slot but forgets EOM. */
	m->header.message_type = 0;
	post_byte(f, 0, 0x43);
	assert_int_equal(m->payload[0], 0x42);
	assert_true(m->header.flags & HV_MESSAGE_FLAG_PENDING);
	assert_int_equal(synic_pending(&f->s, 0, SINT), 1);
	assert_int_equal(f->n_inject, 2);
}

static void test_bad_post_arguments_refused(void **state)
{
	struct fixture *f = *state;
	uint8_t big[HV_MESSAGE_PAYLOAD_MAX + 1] = { 0 };

	guest_enable(f, 0);
	assert_int_equal(synic_post_message(&f->s, 2, SINT, 1, big, 1), -EINVAL);
	assert_int_equal(synic_post_message(&f->s, 0, 16, 1, big, 1), -EINVAL);
	assert_int_equal(synic_post_message(&f->s, 0, SINT, 1, big,
					    sizeof(big)), -EINVAL);
	assert_int_equal(synic_post_message(&f->s, 0, SINT, 0, big, 1), -EINVAL);
	assert_int_equal(synic_post_message(&f->s, 0, SINT, 1, NULL, 4), -EINVAL);
	assert_int_equal(f->n_inject, 0);
	/* 240 bytes and an empty payload are both fine. */
	assert_int_equal(synic_post_message(&f->s, 0, SINT, 1, big,
					    HV_MESSAGE_PAYLOAD_MAX), 0);
	assert_int_equal(synic_post_message(&f->s, 0, SINT, 4, NULL, 0), 0);
	assert_int_equal(synic_pending(&f->s, 0, SINT), 1);
}

static void test_delivery_uses_current_simp_page(void **state)
{
	struct fixture *f = *state;

	guest_enable(f, 0);
	post_byte(f, 0, 0x51);
	post_byte(f, 0, 0x52);
	memset(f->ram + SIMP_B, 0xEE, 4096);   /* stale bytes on the new page */
	wr(f, 0, HV_MSR_SIMP, SIMP_B | HV_SYNIC_PAGE_ENABLE);

	/* The moved-to page was cleared, so its slot is free: the waiting
	 * message lands there at once.  The old page keeps what it had. */
	assert_int_equal(f->n_inject, 2);
	assert_int_equal(slot_at(f, SIMP_B, SINT)->header.message_type, 1);
	assert_int_equal(slot_at(f, SIMP_B, SINT)->payload[0], 0x52);
	assert_int_equal(slot_at(f, SIMP_B, 0)->header.message_type, 0);
	assert_int_equal(slot_at(f, SIMP_A, SINT)->payload[0], 0x51);
	post_byte(f, 0, 0x53);
	assert_int_equal(slot_at(f, SIMP_A, SINT)->payload[0], 0x51);
	assert_true(slot_at(f, SIMP_B, SINT)->header.flags &
		    HV_MESSAGE_FLAG_PENDING);
}

static void test_messages_are_per_vp(void **state)
{
	struct fixture *f = *state;

	guest_enable(f, 0);
	wr(f, 1, HV_MSR_SIMP, SIMP_B | HV_SYNIC_PAGE_ENABLE);
	wr(f, 1, HV_MSR_SINT0 + SINT, 0x40);
	wr(f, 1, HV_MSR_SCONTROL, HV_SCONTROL_ENABLE);
	post_byte(f, 1, 0x61);
	assert_int_equal(f->n_inject, 1);
	assert_int_equal(f->inject_vp[0], 1);
	assert_int_equal(f->inject_vector[0], 0x40);
	assert_int_equal(f->s.vp[1].interrupts_sent, 1);
	assert_int_equal(f->s.vp[0].interrupts_sent, 0);
	assert_int_equal(slot_at(f, SIMP_B, SINT)->payload[0], 0x61);
	assert_int_equal(slot_at(f, SIMP_A, SINT)->header.message_type, 0);
}

static void test_reset_drops_queues(void **state)
{
	struct fixture *f = *state;

	guest_enable(f, 0);
	wr(f, 0, HV_MSR_SINT0 + SINT, VECTOR | HV_SINT_MASKED);
	post_byte(f, 0, 1);
	synic_reset(&f->s);
	assert_int_equal(synic_pending(&f->s, 0, SINT), 0);
	assert_int_equal(rd(f, 0, HV_MSR_SINT0 + SINT), HV_SINT_MASKED);
	assert_int_equal(rd(f, 0, HV_MSR_SIMP), 0);
	assert_int_equal(rd(f, 0, HV_MSR_SCONTROL), 0);
}

/* ---- event flags ------------------------------------------------------- */

static uint8_t *sief_byte(struct fixture *f, unsigned sint, unsigned flag)
{
	return f->ram + SIEF_PAGE + HV_SIEF_REGION_OFFSET(sint) + flag / 8;
}

static void test_event_injects_once_until_cleared(void **state)
{
	struct fixture *f = *state;

	guest_enable(f, 0);
	assert_int_equal(synic_signal_event(&f->s, 0, SINT, 13), 0);
	assert_int_equal(*sief_byte(f, SINT, 13), 1u << 5);
	assert_int_equal(f->n_inject, 1);
	assert_int_equal(f->inject_vector[0], VECTOR);

	assert_int_equal(synic_signal_event(&f->s, 0, SINT, 13), 0);
	assert_int_equal(f->n_inject, 1);

	/* Another clear bit raises again. */
	assert_int_equal(synic_signal_event(&f->s, 0, SINT, 14), 0);
	assert_int_equal(f->n_inject, 2);

	*sief_byte(f, SINT, 13) &= (uint8_t)~(1u << 5); /* guest clears 13 */
	assert_int_equal(synic_signal_event(&f->s, 0, SINT, 13), 0);
	assert_int_equal(f->n_inject, 3);
	assert_int_equal(*sief_byte(f, SINT, 13), (1u << 5) | (1u << 6));
}

static void test_event_flag_bounds(void **state)
{
	struct fixture *f = *state;

	guest_enable(f, 0);
	assert_int_equal(synic_signal_event(&f->s, 0, SINT, 2047), 0);
	assert_int_equal(*sief_byte(f, SINT, 2047), 0x80);
	/* Region 2 ends where region 3 starts. */
	assert_int_equal(*sief_byte(f, 3, 0), 0);
	assert_int_equal(synic_signal_event(&f->s, 0, SINT, 2048), -1);
	assert_int_equal(synic_signal_event(&f->s, 0, 16, 1), -1);
	assert_int_equal(synic_signal_event(&f->s, 5, SINT, 1), -1);
	assert_int_equal(f->n_inject, 1);
}

static void test_event_without_siefp_refused(void **state)
{
	struct fixture *f = *state;

	wr(f, 0, HV_MSR_SINT0 + SINT, VECTOR);
	wr(f, 0, HV_MSR_SCONTROL, HV_SCONTROL_ENABLE);
	assert_int_equal(synic_signal_event(&f->s, 0, SINT, 1), -1);
	assert_int_equal(f->n_inject, 0);
}

static void test_event_while_masked_raised_on_unmask(void **state)
{
	struct fixture *f = *state;

	guest_enable(f, 0);
	wr(f, 0, HV_MSR_SINT0 + SINT, VECTOR | HV_SINT_MASKED);
	assert_int_equal(synic_signal_event(&f->s, 0, SINT, 3), 0);
	assert_int_equal(*sief_byte(f, SINT, 3), 1u << 3);
	assert_int_equal(f->n_inject, 0);
	assert_int_equal(synic_signal_event(&f->s, 0, SINT, 3), 0);
	assert_int_equal(f->n_inject, 0);

	/* Nobody would ever raise the SINT for this bit otherwise. */
	wr(f, 0, HV_MSR_SINT0 + SINT, VECTOR);
	assert_int_equal(f->n_inject, 1);
	/* Rewriting the already-unmasked SINT raises nothing new. */
	wr(f, 0, HV_MSR_SINT0 + SINT, VECTOR);
	assert_int_equal(f->n_inject, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_reset_values),
		T(test_read_only_and_unknown_msrs),
		T(test_scontrol_reserved_bits),
		T(test_page_msrs_keep_bits_and_need_ram),
		T(test_sint_validation),
		T(test_auto_eoi_stored_and_warned_once),
		T(test_simp_enable_clears_page_once),
		T(test_post_to_free_slot_injects_once),
		T(test_masked_sint_queues_then_unmask_delivers),
		T(test_disabled_synic_or_simp_queues),
		T(test_busy_slot_sets_pending_then_eom_redelivers),
		T(test_fifo_order_across_three),
		T(test_queue_overflow_refused),
		T(test_slot_freed_without_eom_drains_on_next_post),
		T(test_bad_post_arguments_refused),
		T(test_delivery_uses_current_simp_page),
		T(test_messages_are_per_vp),
		T(test_reset_drops_queues),
		T(test_event_injects_once_until_cleared),
		T(test_event_flag_bounds),
		T(test_event_without_siefp_refused),
		T(test_event_while_masked_raised_on_unmask),
#undef T
	};

	log_set_quiet(1);
	return cmocka_run_group_tests_name("synic", tests, NULL, NULL);
}
