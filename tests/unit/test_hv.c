/* SPDX-License-Identifier: MIT */
/*
 * The Hyper-V partition interface (vmm/hv.c): CPUID leaves, synthetic
 * MSRs, the hypercall page, and hypercall decoding down to a fake bus.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vmm/abi/platform_abi.h"
#include "vmm/hv.h"
#include "vmm/log.h"

#define RAM_SIZE      (1024 * 1024)
#define OUTSIDE       0x200000ull     /* beyond the 1 MiB of RAM */
#define HCALL_PAGE    0x5000ull
#define INPUT_GPA     0x6000ull
#define LINUX_OS_ID   0x8100000608000000ull   /* facts §2: Linux 6.8.0 */

#define CTL_POST      ((uint64_t)HV_CALL_POST_MESSAGE)
#define CTL_SIGNAL    ((uint64_t)HV_CALL_SIGNAL_EVENT)
#define CTL_SIGNAL_FAST (CTL_SIGNAL | HV_CONTROL_FAST)

/* ---- a fake bus that records what reaches it ------------------------ */

struct fake_bus {
	unsigned posts, signals, eoms;
	unsigned vp;
	uint32_t conn_id, msg_type, size;
	uint16_t flag;
	uint8_t payload[HV_MESSAGE_PAYLOAD_MAX];
	const void *payload_ptr;
	uint16_t status;              /* what the bus answers */
};

static uint16_t fake_post(void *bus, unsigned vp, uint32_t conn_id,
			  uint32_t msg_type, const void *payload, uint32_t size)
{
	struct fake_bus *b = bus;

	b->posts++;
	b->vp = vp;
	b->conn_id = conn_id;
	b->msg_type = msg_type;
	b->size = size;
	b->payload_ptr = payload;
	memcpy(b->payload, payload, size);
	return b->status;
}

static uint16_t fake_signal(void *bus, unsigned vp, uint32_t conn_id,
			    uint16_t flag)
{
	struct fake_bus *b = bus;

	b->signals++;
	b->vp = vp;
	b->conn_id = conn_id;
	b->flag = flag;
	return b->status;
}

static void fake_eom(void *bus, unsigned vp)
{
	struct fake_bus *b = bus;

	b->eoms++;
	b->vp = vp;
}

static const struct hv_bus_ops fake_ops = {
	.post_message = fake_post,
	.signal_event = fake_signal,
	.eom = fake_eom,
};

/* ---- fixture --------------------------------------------------------- */

struct fixture {
	uint8_t *ram;
	struct guest_mem gm;
	struct hv hv;
	struct fake_bus bus;
	unsigned injects;
};

static void count_inject(void *ctx, unsigned vp, uint8_t vector)
{
	struct fixture *f = ctx;

	(void)vp;
	(void)vector;
	f->injects++;
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
	hv_init(&f->hv, &f->gm, 2, count_inject, f);
	hv_set_bus(&f->hv, &fake_ops, &f->bus);
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

static void wr(struct fixture *f, unsigned vp, uint32_t msr, uint64_t v)
{
	assert_int_equal(hv_wrmsr(&f->hv, vp, msr, v), 0);
}

static uint64_t rd(struct fixture *f, unsigned vp, uint32_t msr)
{
	uint64_t v = ~0ull;

	assert_int_equal(hv_rdmsr(&f->hv, vp, msr, &v), 0);
	return v;
}

static void expect_gp_write(struct fixture *f, uint32_t msr, uint64_t v,
			    const char *rule)
{
	assert_int_equal(hv_wrmsr(&f->hv, 0, msr, v), -1);
	assert_string_equal(guest_last_refusal(), rule);
}

/* Linux's hyperv_init(): GUEST_OS_ID, then enable the hypercall page. */
static void guest_init(struct fixture *f)
{
	wr(f, 0, HV_MSR_GUEST_OS_ID, LINUX_OS_ID);
	wr(f, 0, HV_MSR_HYPERCALL, HCALL_PAGE | HV_HYPERCALL_ENABLE);
}

/* ---- CPUID ----------------------------------------------------------- */

static void cpuid(uint32_t leaf, unsigned nr_vps, uint32_t r[4])
{
	assert_int_equal(hv_cpuid(leaf, nr_vps, r), 1);
}

static void test_cpuid_signature_leaves(void **state)
{
	uint32_t r[4];

	(void)state;
	cpuid(0x40000000, 2, r);
	assert_int_equal(r[0], 0x40000005);
	assert_memory_equal(&r[1], "Microsoft Hv", 12);
	cpuid(0x40000001, 2, r);
	assert_int_equal(r[0], 0x31237648);
	assert_memory_equal(&r[0], "Hv#1", 4);
	assert_int_equal(r[1] | r[2] | r[3], 0);
	cpuid(0x40000002, 2, r);
	assert_int_equal(r[0] | r[1] | r[2] | r[3], 0);
}

static void test_cpuid_features(void **state)
{
	uint32_t r[4];
	const uint32_t forbidden_ebx = (1u << 1) | (1u << 12) | (1u << 20) |
				       (1u << 22);

	(void)state;
	cpuid(0x40000003, 1, r);
	/* Time ref count, SynIC, hypercall, VP index, frequency MSRs, TSC
	 * invariant (facts §1.2); EDX bit 8 pairs with EAX bit 11. */
	assert_int_equal(r[0], (1u << 1) | (1u << 2) | (1u << 5) | (1u << 6) |
				       (1u << 11) | (1u << 15));
	assert_int_equal(r[1], (1u << 4) | (1u << 5));
	assert_int_equal(r[1] & forbidden_ebx, 0);
	assert_int_equal(r[2], 0);
	assert_int_equal(r[3], 1u << 8);
}

static void test_cpuid_hints_and_limits(void **state)
{
	uint32_t r[4];

	(void)state;
	cpuid(0x40000004, 1, r);
	assert_int_equal(r[0], 1u << 9);           /* deprecate AEOI, only */
	assert_int_equal(r[1], 0xFFFFFFFFu);
	assert_int_equal(r[2] | r[3], 0);
	cpuid(0x40000005, 2, r);
	assert_int_equal(r[0], 2);
	assert_int_equal(r[1], 2);
	assert_int_equal(r[2] | r[3], 0);
	cpuid(0x40000005, 1, r);
	assert_int_equal(r[0], 1);
}

static void test_cpuid_other_leaves(void **state)
{
	const uint32_t leaves[] = { 0, 1, 0x40000006, 0x4000000A, 0x40000100,
				    0x3FFFFFFF, 0x80000000 };

	(void)state;
	for (unsigned i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		uint32_t r[4] = { 1, 2, 3, 4 };

		assert_int_equal(hv_cpuid(leaves[i], 2, r), 0);
		assert_int_equal(r[0] | r[1] | r[2] | r[3], 0);
	}
}

/* ---- MSRs ------------------------------------------------------------ */

static void test_guest_os_id_partition_wide(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rd(f, 0, HV_MSR_GUEST_OS_ID), 0);
	wr(f, 1, HV_MSR_GUEST_OS_ID, LINUX_OS_ID);
	assert_int_equal(rd(f, 0, HV_MSR_GUEST_OS_ID), LINUX_OS_ID);
	assert_int_equal(rd(f, 1, HV_MSR_GUEST_OS_ID), LINUX_OS_ID);
}

static void test_hypercall_page_gets_stub(void **state)
{
	struct fixture *f = *state;
	const uint8_t stub[] = { 0xE6, 0xF0, 0xC3 };
	uint8_t *page = f->ram + HCALL_PAGE;

	assert_int_equal(hv_hypercall_stub_len, 3);
	assert_memory_equal(hv_hypercall_stub, stub, 3);
	assert_int_equal(hv_hypercall_stub[1], KVMBUS_PORT_HYPERCALL);
	memset(page, 0x90, 4096);
	guest_init(f);
	assert_memory_equal(page, stub, 3);
	assert_int_equal(page[3], 0x90);           /* exactly the stub */
	assert_int_equal(rd(f, 0, HV_MSR_HYPERCALL),
			 HCALL_PAGE | HV_HYPERCALL_ENABLE);
	assert_int_equal(rd(f, 1, HV_MSR_HYPERCALL),
			 HCALL_PAGE | HV_HYPERCALL_ENABLE);

	/* Disabling keeps the GPN for read-back and touches no memory. */
	wr(f, 0, HV_MSR_HYPERCALL, HCALL_PAGE);
	assert_int_equal(rd(f, 0, HV_MSR_HYPERCALL), HCALL_PAGE);
}

static void test_hypercall_msr_refusals(void **state)
{
	struct fixture *f = *state;

	wr(f, 0, HV_MSR_GUEST_OS_ID, LINUX_OS_ID);
	expect_gp_write(f, HV_MSR_HYPERCALL,
			HCALL_PAGE | HV_HYPERCALL_ENABLE | (1ull << 2),
			"hv.hypercall-msr-reserved-bits");
	expect_gp_write(f, HV_MSR_HYPERCALL,
			HCALL_PAGE | HV_HYPERCALL_ENABLE | (1ull << 11),
			"hv.hypercall-msr-reserved-bits");
	expect_gp_write(f, HV_MSR_HYPERCALL, OUTSIDE | HV_HYPERCALL_ENABLE,
			"hv.hypercall-page-not-ram");
	assert_int_equal(rd(f, 0, HV_MSR_HYPERCALL), 0);
}

static void test_hypercall_msr_locked(void **state)
{
	struct fixture *f = *state;
	const uint64_t locked = HCALL_PAGE | HV_HYPERCALL_ENABLE |
				HV_HYPERCALL_LOCKED;

	wr(f, 0, HV_MSR_GUEST_OS_ID, LINUX_OS_ID);
	wr(f, 0, HV_MSR_HYPERCALL, locked);
	assert_int_equal(rd(f, 0, HV_MSR_HYPERCALL), locked);
	expect_gp_write(f, HV_MSR_HYPERCALL, 0, "hv.hypercall-msr-locked");
	expect_gp_write(f, HV_MSR_HYPERCALL, locked, "hv.hypercall-msr-locked");
	assert_int_equal(rd(f, 0, HV_MSR_HYPERCALL), locked);
}

/* A kernel entered by kexec (--boot kdump) finds the partition as a new
 * boot would: even a locked hypercall MSR can be set up again. */
static void test_reset_for_kexec(void **state)
{
	struct fixture *f = *state;
	const uint64_t locked = HCALL_PAGE | HV_HYPERCALL_ENABLE |
				HV_HYPERCALL_LOCKED;

	wr(f, 0, HV_MSR_GUEST_OS_ID, LINUX_OS_ID);
	wr(f, 0, HV_MSR_HYPERCALL, locked);
	wr(f, 1, HV_MSR_VP_ASSIST_PAGE, 0x7000 | 1);
	wr(f, 1, HV_MSR_SINT0 + 2, 0xF3);
	wr(f, 1, HV_MSR_TSC_INVARIANT_CONTROL, 1);

	hv_reset(&f->hv);
	assert_int_equal(rd(f, 0, HV_MSR_GUEST_OS_ID), 0);
	assert_int_equal(rd(f, 0, HV_MSR_HYPERCALL), 0);
	assert_int_equal(rd(f, 1, HV_MSR_VP_ASSIST_PAGE), 0);
	assert_int_equal(rd(f, 1, HV_MSR_SINT0 + 2), HV_SINT_MASKED);
	assert_int_equal(rd(f, 1, HV_MSR_TSC_INVARIANT_CONTROL), 0);
	/* The bus stays attached, and the new kernel sets up again. */
	assert_ptr_equal(f->hv.bus, &fake_ops);
	wr(f, 0, HV_MSR_GUEST_OS_ID, LINUX_OS_ID);
	wr(f, 0, HV_MSR_HYPERCALL, locked);
	assert_int_equal(rd(f, 0, HV_MSR_HYPERCALL), locked);
}

static void test_hypercall_page_needs_guest_os_id(void **state)
{
	struct fixture *f = *state;

	/* Before GUEST_OS_ID: the write has no effect (TLFS, KVM). */
	wr(f, 0, HV_MSR_HYPERCALL, HCALL_PAGE | HV_HYPERCALL_ENABLE);
	assert_string_equal(guest_last_refusal(),
			    "hv.hypercall-before-guest-os-id");
	assert_int_equal(rd(f, 0, HV_MSR_HYPERCALL), 0);
	assert_int_equal(f->ram[HCALL_PAGE], 0);

	/* Zeroing the id later disables the page. */
	guest_init(f);
	wr(f, 0, HV_MSR_GUEST_OS_ID, 0);
	assert_int_equal(rd(f, 0, HV_MSR_HYPERCALL), HCALL_PAGE);
}

static void test_vp_index(void **state)
{
	struct fixture *f = *state;
	uint64_t v;

	assert_int_equal(rd(f, 0, HV_MSR_VP_INDEX), 0);
	assert_int_equal(rd(f, 1, HV_MSR_VP_INDEX), 1);
	expect_gp_write(f, HV_MSR_VP_INDEX, 0, "msr.vp-index-read-only");
	/* A VP the partition does not have is the VMM's bug: refused. */
	assert_int_equal(hv_rdmsr(&f->hv, 2, HV_MSR_VP_INDEX, &v), -1);
	assert_int_equal(hv_wrmsr(&f->hv, 2, HV_MSR_GUEST_OS_ID, 1), -1);
}

static void test_frequency_and_tsc_invariant_msrs(void **state)
{
	struct fixture *f = *state;
	uint64_t v;

	/* Unknown TSC frequency: #GP rather than a made-up number. */
	f->hv.tsc_hz = 0;
	assert_int_equal(hv_rdmsr(&f->hv, 0, HV_MSR_TSC_FREQUENCY, &v), -1);
	f->hv.tsc_hz = 2500000000ull;
	assert_int_equal(rd(f, 1, HV_MSR_TSC_FREQUENCY), 2500000000ull);
	assert_int_equal(rd(f, 0, HV_MSR_APIC_FREQUENCY), 1000000000ull);
	expect_gp_write(f, HV_MSR_TSC_FREQUENCY, 1, "msr.frequency-read-only");
	expect_gp_write(f, HV_MSR_APIC_FREQUENCY, 1, "msr.frequency-read-only");
	/* Linux writes bit 0 when EAX bit 15 is set; other bits #GP. */
	assert_int_equal(hv_wrmsr(&f->hv, 0, HV_MSR_TSC_INVARIANT_CONTROL, 1), 0);
	assert_int_equal(rd(f, 0, HV_MSR_TSC_INVARIANT_CONTROL), 1);
	expect_gp_write(f, HV_MSR_TSC_INVARIANT_CONTROL, 2, "msr.tsc-invariant-reserved");
}

static void test_time_ref_count(void **state)
{
	struct fixture *f = *state;
	struct timespec pause = { .tv_sec = 0, .tv_nsec = 5 * 1000 * 1000 };
	uint64_t t0, t1;

	t0 = rd(f, 0, HV_MSR_TIME_REF_COUNT);
	nanosleep(&pause, NULL);
	t1 = rd(f, 1, HV_MSR_TIME_REF_COUNT);
	/* 5 ms = 50000 units of 100 ns; allow a loaded machine slack above. */
	assert_true(t1 - t0 >= 50000);
	assert_true(t1 < 10ull * 1000 * 1000 * 60);  /* < 60 s since init */
	expect_gp_write(f, HV_MSR_TIME_REF_COUNT, 0,
			"msr.time-ref-count-read-only");
}

static void test_synic_msrs_forwarded(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rd(f, 0, HV_MSR_SVERSION), 1);
	assert_int_equal(rd(f, 1, HV_MSR_SINT0 + 2), HV_SINT_MASKED);
	wr(f, 1, HV_MSR_SINT0 + 2, 0xF3);
	assert_int_equal(rd(f, 1, HV_MSR_SINT0 + 2), 0xF3);
	assert_int_equal(rd(f, 0, HV_MSR_SINT0 + 2), HV_SINT_MASKED);
	expect_gp_write(f, HV_MSR_SINT0 + 2, 3, "synic.sint-vector");
	expect_gp_write(f, HV_MSR_SVERSION, 1, "synic.sversion-read-only");
}

static void test_eom_reaches_bus_after_synic(void **state)
{
	struct fixture *f = *state;

	wr(f, 1, HV_MSR_EOM, 0);
	assert_int_equal(f->bus.eoms, 1);
	assert_int_equal(f->bus.vp, 1);
}

static void test_unknown_msrs_gp(void **state)
{
	struct fixture *f = *state;
	const uint32_t msrs[] = { 0x40000003, 0x40000010, 0x40000021,
				  0x40000085, 0x400000B0, 0x400001FF };
	uint64_t v;

	for (unsigned i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
		assert_int_equal(hv_rdmsr(&f->hv, 0, msrs[i], &v), -1);
		assert_int_equal(hv_wrmsr(&f->hv, 0, msrs[i], 0), -1);
	}
	assert_int_equal(hv_rdmsr(&f->hv, 0, 0x40000021, &v), -1);
	assert_string_equal(guest_last_refusal(), "msr.unknown");
}

static void test_vp_assist_page_stored(void **state)
{
	struct fixture *f = *state;

	wr(f, 1, HV_MSR_VP_ASSIST_PAGE, 0x7000 | 1);
	assert_int_equal(rd(f, 1, HV_MSR_VP_ASSIST_PAGE), 0x7001);
	assert_int_equal(rd(f, 0, HV_MSR_VP_ASSIST_PAGE), 0);
	expect_gp_write(f, HV_MSR_VP_ASSIST_PAGE, OUTSIDE | 1,
			"hv.vp-assist-not-ram");
}

static void test_msr_counts(void **state)
{
	struct fixture *f = *state;

	rd(f, 0, HV_MSR_VP_INDEX);
	rd(f, 0, HV_MSR_SVERSION);
	wr(f, 0, HV_MSR_GUEST_OS_ID, 1);
	assert_int_equal(f->hv.counts.rdmsr, 2);
	assert_int_equal(f->hv.counts.wrmsr, 1);
}

/* ---- hypercalls ------------------------------------------------------ */

static uint64_t call(struct fixture *f, uint64_t rcx, uint64_t rdx)
{
	return hv_hypercall(&f->hv, 0, rcx, rdx, 0);
}

static void expect_status(struct fixture *f, uint64_t rcx, uint64_t rdx,
			  uint16_t status, const char *rule)
{
	assert_int_equal(call(f, rcx, rdx), status);
	if (rule)
		assert_string_equal(guest_last_refusal(), rule);
}

static struct hv_post_message_input *post_input(struct fixture *f,
						 uint64_t gpa, uint32_t size)
{
	struct hv_post_message_input *in =
		(struct hv_post_message_input *)(void *)(f->ram + gpa);

	in->connection_id = 1;
	in->reserved = 0;
	in->message_type = HV_MESSAGE_TYPE_VMBUS;
	in->payload_size = size;
	for (unsigned i = 0; i < HV_MESSAGE_PAYLOAD_MAX; i++)
		in->payload[i] = (uint8_t)(0xC0 ^ i);
	return in;
}

static void test_post_message_reaches_bus(void **state)
{
	struct fixture *f = *state;

	guest_init(f);
	post_input(f, INPUT_GPA, 48)->connection_id = 4;
	assert_int_equal(hv_hypercall(&f->hv, 1, CTL_POST, INPUT_GPA, 0), 0);
	assert_int_equal(f->bus.posts, 1);
	assert_int_equal(f->bus.vp, 1);
	assert_int_equal(f->bus.conn_id, 4);
	assert_int_equal(f->bus.msg_type, HV_MESSAGE_TYPE_VMBUS);
	assert_int_equal(f->bus.size, 48);
	assert_memory_equal(f->bus.payload, f->ram + INPUT_GPA + 16, 48);
	/* The bus sees a host copy, not guest memory a vCPU could rewrite. */
	assert_true((const uint8_t *)f->bus.payload_ptr < f->ram ||
		    (const uint8_t *)f->bus.payload_ptr >= f->ram + RAM_SIZE);
	assert_int_equal(f->hv.counts.hypercalls, 1);
	assert_int_equal(f->hv.counts.post_message, 1);
}

static void test_post_message_bus_status_returned(void **state)
{
	struct fixture *f = *state;

	guest_init(f);
	post_input(f, INPUT_GPA, 0);
	f->bus.status = HV_STATUS_INSUFFICIENT_BUFFERS;
	expect_status(f, CTL_POST, INPUT_GPA, HV_STATUS_INSUFFICIENT_BUFFERS,
		      NULL);
	assert_int_equal(f->bus.posts, 1);
	assert_int_equal(f->bus.size, 0);
}

static void test_post_message_limits(void **state)
{
	struct fixture *f = *state;

	guest_init(f);
	post_input(f, INPUT_GPA, 241);
	expect_status(f, CTL_POST, INPUT_GPA, HV_STATUS_INVALID_PARAMETER,
		      "hypercall.payload-too-large");
	post_input(f, INPUT_GPA, 240);
	expect_status(f, CTL_POST, INPUT_GPA, HV_STATUS_SUCCESS, NULL);
	assert_int_equal(f->bus.size, 240);
	assert_int_equal(f->bus.payload[239], (uint8_t)(0xC0 ^ 239));

	post_input(f, INPUT_GPA, 8)->reserved = 1;
	expect_status(f, CTL_POST, INPUT_GPA, HV_STATUS_INVALID_PARAMETER,
		      "hypercall.post-reserved-nonzero");
	post_input(f, INPUT_GPA, 8)->message_type = 0;
	expect_status(f, CTL_POST, INPUT_GPA, HV_STATUS_INVALID_PARAMETER,
		      "hypercall.message-type");
	post_input(f, INPUT_GPA, 8)->message_type = 0x80000010;
	expect_status(f, CTL_POST, INPUT_GPA, HV_STATUS_INVALID_PARAMETER,
		      "hypercall.message-type");
	post_input(f, INPUT_GPA, 8)->connection_id = 0x01000001;
	expect_status(f, CTL_POST, INPUT_GPA, HV_STATUS_INVALID_PARAMETER,
		      "hypercall.connection-id-reserved-bits");
	assert_int_equal(f->bus.posts, 1);
}

static void test_post_message_input_placement(void **state)
{
	struct fixture *f = *state;

	guest_init(f);
	post_input(f, INPUT_GPA, 8);
	expect_status(f, CTL_POST, INPUT_GPA + 4, HV_STATUS_INVALID_ALIGNMENT,
		      "hypercall.input-not-aligned");
	/* 0xF08 + 256 runs into the next page. */
	expect_status(f, CTL_POST, INPUT_GPA + 0xF08,
		      HV_STATUS_INVALID_ALIGNMENT,
		      "hypercall.input-crosses-page");
	expect_status(f, CTL_POST, OUTSIDE, HV_STATUS_INVALID_ALIGNMENT,
		      "hypercall.input-not-ram");
	expect_status(f, CTL_POST, ~0ull - 0xFF, HV_STATUS_INVALID_ALIGNMENT,
		      "hypercall.input-not-ram");
	assert_int_equal(f->bus.posts, 0);

	/* The last 256 bytes of a page, and of RAM, are fine. */
	post_input(f, INPUT_GPA + 0xF00, 8);
	expect_status(f, CTL_POST, INPUT_GPA + 0xF00, HV_STATUS_SUCCESS, NULL);
	post_input(f, RAM_SIZE - 256, 8);
	expect_status(f, CTL_POST, RAM_SIZE - 256, HV_STATUS_SUCCESS, NULL);
	assert_int_equal(f->bus.posts, 2);
}

static void test_post_message_fast_refused(void **state)
{
	struct fixture *f = *state;

	guest_init(f);
	expect_status(f, CTL_POST | HV_CONTROL_FAST, INPUT_GPA,
		      HV_STATUS_INVALID_HYPERCALL_INPUT,
		      "hypercall.post-message-fast");
	assert_int_equal(f->bus.posts, 0);
}

static void test_control_word_refusals(void **state)
{
	struct fixture *f = *state;
	const uint64_t reserved[] = { 1ull << 27, 1ull << 30, 1ull << 44,
				      1ull << 47, 1ull << 60, 1ull << 63 };

	guest_init(f);
	post_input(f, INPUT_GPA, 8);
	for (unsigned i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		expect_status(f, CTL_POST | reserved[i], INPUT_GPA,
			      HV_STATUS_INVALID_HYPERCALL_INPUT,
			      "hypercall.reserved-bits");
	expect_status(f, CTL_POST | (1ull << 32), INPUT_GPA,
		      HV_STATUS_INVALID_HYPERCALL_INPUT,
		      "hypercall.rep-on-simple-call");
	expect_status(f, CTL_SIGNAL_FAST | (3ull << 48), 1,
		      HV_STATUS_INVALID_HYPERCALL_INPUT,
		      "hypercall.rep-on-simple-call");
	expect_status(f, CTL_POST | (1ull << 17), INPUT_GPA,
		      HV_STATUS_INVALID_HYPERCALL_INPUT,
		      "hypercall.varhdr-on-simple-call");
	expect_status(f, CTL_POST | HV_CONTROL_NESTED, INPUT_GPA,
		      HV_STATUS_INVALID_HYPERCALL_INPUT, "hypercall.nested");
	assert_int_equal(f->bus.posts + f->bus.signals, 0);
}

static void test_unknown_codes(void **state)
{
	struct fixture *f = *state;
	const uint16_t codes[] = { 0x0000, 0x0001, 0x0046, 0x005E, 0x007E,
				   0x8001, 0xFFFF };

	guest_init(f);
	for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		expect_status(f, codes[i], INPUT_GPA,
			      HV_STATUS_INVALID_HYPERCALL_CODE,
			      "hypercall.unknown-code");
	assert_int_equal(f->hv.counts.hypercalls, 7);
	assert_int_equal(f->hv.counts.post_message, 0);
}

static void test_no_bus_invalid_connection(void **state)
{
	struct fixture *f = *state;

	guest_init(f);
	hv_set_bus(&f->hv, NULL, NULL);
	post_input(f, INPUT_GPA, 8);
	expect_status(f, CTL_POST, INPUT_GPA, HV_STATUS_INVALID_CONNECTION_ID,
		      "hypercall.unknown-connection");
	expect_status(f, CTL_SIGNAL_FAST, 0x2001,
		      HV_STATUS_INVALID_CONNECTION_ID,
		      "hypercall.unknown-connection");
}

static void test_hypercalls_need_enabled_interface(void **state)
{
	struct fixture *f = *state;

	post_input(f, INPUT_GPA, 8);
	expect_status(f, CTL_POST, INPUT_GPA, HV_STATUS_INVALID_HYPERCALL_INPUT,
		      "hypercall.interface-disabled");
	guest_init(f);
	wr(f, 0, HV_MSR_HYPERCALL, HCALL_PAGE);   /* page disabled */
	expect_status(f, CTL_SIGNAL_FAST, 1, HV_STATUS_INVALID_HYPERCALL_INPUT,
		      "hypercall.interface-disabled");
	/* A locked page with the OS id cleared afterwards: still refused. */
	wr(f, 0, HV_MSR_HYPERCALL, HCALL_PAGE | HV_HYPERCALL_ENABLE |
				   HV_HYPERCALL_LOCKED);
	wr(f, 0, HV_MSR_GUEST_OS_ID, 0);
	expect_status(f, CTL_POST, INPUT_GPA, HV_STATUS_INVALID_HYPERCALL_INPUT,
		      "hypercall.interface-disabled");
	assert_int_equal(f->bus.posts + f->bus.signals, 0);
}

static void test_signal_event_fast(void **state)
{
	struct fixture *f = *state;

	guest_init(f);
	assert_int_equal(hv_hypercall(&f->hv, 1, CTL_SIGNAL_FAST,
				      0x2001 | (5ull << 32), 0), 0);
	assert_int_equal(f->bus.signals, 1);
	assert_int_equal(f->bus.vp, 1);
	assert_int_equal(f->bus.conn_id, 0x2001);
	assert_int_equal(f->bus.flag, 5);
	expect_status(f, CTL_SIGNAL_FAST, 0x2001 | (2047ull << 32),
		      HV_STATUS_SUCCESS, NULL);
	assert_int_equal(f->bus.flag, 2047);
	assert_int_equal(f->hv.counts.signal_event, 2);

	expect_status(f, CTL_SIGNAL_FAST, 0x2001 | (2048ull << 32),
		      HV_STATUS_INVALID_PARAMETER, "hypercall.flag-out-of-range");
	expect_status(f, CTL_SIGNAL_FAST, 0x2001 | (1ull << 48),
		      HV_STATUS_INVALID_PARAMETER,
		      "hypercall.signal-reserved-nonzero");
	expect_status(f, CTL_SIGNAL_FAST, 0xFF002001,
		      HV_STATUS_INVALID_PARAMETER,
		      "hypercall.connection-id-reserved-bits");
	f->bus.status = HV_STATUS_INVALID_CONNECTION_ID;
	expect_status(f, CTL_SIGNAL_FAST, 0x2002,
		      HV_STATUS_INVALID_CONNECTION_ID, NULL);
	assert_int_equal(f->bus.signals, 3);
}

static void test_signal_event_slow(void **state)
{
	struct fixture *f = *state;
	struct hv_signal_event_input *in =
		(struct hv_signal_event_input *)(void *)(f->ram + INPUT_GPA);

	guest_init(f);
	in->connection_id = 0x2003;
	in->flag_number = 9;
	in->reserved = 0;
	expect_status(f, CTL_SIGNAL, INPUT_GPA, HV_STATUS_SUCCESS, NULL);
	assert_int_equal(f->bus.signals, 1);
	assert_int_equal(f->bus.conn_id, 0x2003);
	assert_int_equal(f->bus.flag, 9);

	in->reserved = 1;
	expect_status(f, CTL_SIGNAL, INPUT_GPA, HV_STATUS_INVALID_PARAMETER,
		      "hypercall.signal-reserved-nonzero");
	in->reserved = 0;
	in->flag_number = 4096;
	expect_status(f, CTL_SIGNAL, INPUT_GPA, HV_STATUS_INVALID_PARAMETER,
		      "hypercall.flag-out-of-range");
	expect_status(f, CTL_SIGNAL, INPUT_GPA + 2, HV_STATUS_INVALID_ALIGNMENT,
		      "hypercall.input-not-aligned");
	expect_status(f, CTL_SIGNAL, OUTSIDE, HV_STATUS_INVALID_ALIGNMENT,
		      "hypercall.input-not-ram");
	assert_int_equal(f->bus.signals, 1);
}

static void test_result_word_is_status_only(void **state)
{
	struct fixture *f = *state;
	uint64_t r;

	guest_init(f);
	f->bus.status = 0x0013;
	r = call(f, CTL_SIGNAL_FAST, 1);
	assert_int_equal(r & 0xFFFF, 0x0013);
	assert_int_equal(r >> 16, 0);     /* reps completed 0, rest reserved */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_cpuid_signature_leaves),
		T(test_cpuid_features),
		T(test_cpuid_hints_and_limits),
		T(test_frequency_and_tsc_invariant_msrs),
		T(test_cpuid_other_leaves),
		T(test_guest_os_id_partition_wide),
		T(test_hypercall_page_gets_stub),
		T(test_hypercall_msr_refusals),
		T(test_hypercall_msr_locked),
		T(test_reset_for_kexec),
		T(test_hypercall_page_needs_guest_os_id),
		T(test_vp_index),
		T(test_time_ref_count),
		T(test_synic_msrs_forwarded),
		T(test_eom_reaches_bus_after_synic),
		T(test_unknown_msrs_gp),
		T(test_vp_assist_page_stored),
		T(test_msr_counts),
		T(test_post_message_reaches_bus),
		T(test_post_message_bus_status_returned),
		T(test_post_message_limits),
		T(test_post_message_input_placement),
		T(test_post_message_fast_refused),
		T(test_control_word_refusals),
		T(test_unknown_codes),
		T(test_no_bus_invalid_connection),
		T(test_hypercalls_need_enabled_interface),
		T(test_signal_event_fast),
		T(test_signal_event_slow),
		T(test_result_word_is_status_only),
#undef T
	};

	log_set_quiet(1);
	return cmocka_run_group_tests_name("hv", tests, NULL, NULL);
}
