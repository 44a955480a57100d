// SPDX-License-Identifier: MIT
/*
 * Malformed hypercalls (facts §3): bad input blocks, bad control words,
 * bad HvPostMessage / HvSignalEvent inputs.  Every one must come back
 * with the status of facts §3.2 and nothing else happening.
 */
#include "guest/hostile/cases.h"

#include "guest/hostile/env.h"
#include "guest/hostile/hmsg.h"
#include "guest/lib/alloc.h"
#include "guest/lib/cpu.h"
#include "guest/lib/hv.h"
#include "guest/lib/string.h"
#include "vmbus/abi/vmbus_abi.h"
#include "vmm/abi/hv_abi.h"

#define STATUS(rax)        ((uint16_t)((rax) & 0xFFFF))
#define UNKNOWN_CONN       0x77u
#define UNKNOWN_CALL_CODE  0x0099u
/* The signalling id of relid 1 (vmbus_abi.h), while no channel is open. */
#define ECHO_SIGNAL_CONN   (VMBUS_CHANNEL_CONN_BASE + 1u)

/* Two pages: the second lets an input block cross a page boundary. */
static uint8_t *blk;

static bool setup(void)
{
	if (!blk)
		blk = page_alloc(2);
	return blk != NULL;
}

static uint64_t gpa(const void *p)
{
	return virt_to_phys(p);
}

/* A well-formed HvPostMessage block (REQUESTOFFERS to connection 1) at
 * blk + off, for the caller to spoil. */
static struct hv_post_message_input *post_block(uint32_t off)
{
	struct hv_post_message_input *in = (void *)(blk + off);
	struct vmbus_msg_header h = { .msgtype = VMBUS_MSG_REQUESTOFFERS };

	memset(in, 0, sizeof(*in));
	in->connection_id = VMBUS_MESSAGE_CONNECTION_ID;
	in->message_type = HV_MESSAGE_TYPE_VMBUS;
	in->payload_size = sizeof(h);
	memcpy(in->payload, &h, sizeof(h));
	return in;
}

static bool expect_status(struct hsaw *s, uint64_t rax, uint16_t want)
{
	saw(s, "status 0x%x", STATUS(rax));
	return STATUS(rax) == want;
}

static uint64_t post_at(uint64_t input)
{
	return hv_hypercall(HV_CALL_POST_MESSAGE, input, 0);
}

/* ---- the input block (facts §3.1) ----------------------------------- */

static bool input_outside_ram(struct hsaw *s)
{
	return expect_status(s, post_at(henv.hole), HV_STATUS_INVALID_ALIGNMENT);
}

static bool input_in_low_gap(struct hsaw *s)
{
	return expect_status(s, post_at(henv.low_base), HV_STATUS_INVALID_ALIGNMENT);
}

static bool input_in_high_gap(struct hsaw *s)
{
	return expect_status(s, post_at(henv.high_base), HV_STATUS_INVALID_ALIGNMENT);
}

static bool input_unaligned(struct hsaw *s)
{
	post_block(0);
	return expect_status(s, post_at(gpa(blk) + 4), HV_STATUS_INVALID_ALIGNMENT);
}

static bool input_crosses_page(struct hsaw *s)
{
	uint32_t off = PAGE_SIZE - 128;

	post_block(off);
	return expect_status(s, post_at(gpa(blk) + off),
			     HV_STATUS_INVALID_ALIGNMENT);
}

static bool input_wraps_address_space(struct hsaw *s)
{
	return expect_status(s, post_at(~0xFFFull), HV_STATUS_INVALID_ALIGNMENT);
}

/* ---- HvPostMessage input (facts §3.3) ------------------------------- */

static bool payload_241(struct hsaw *s)
{
	post_block(0)->payload_size = HV_MESSAGE_PAYLOAD_MAX + 1;
	return expect_status(s, post_at(gpa(blk)), HV_STATUS_INVALID_PARAMETER);
}

static bool payload_huge(struct hsaw *s)
{
	post_block(0)->payload_size = 0xFFFFFFF0u;
	return expect_status(s, post_at(gpa(blk)), HV_STATUS_INVALID_PARAMETER);
}

static bool unknown_connection(struct hsaw *s)
{
	post_block(0)->connection_id = UNKNOWN_CONN;
	return expect_status(s, post_at(gpa(blk)),
			     HV_STATUS_INVALID_CONNECTION_ID);
}

static bool connection_reserved_bits(struct hsaw *s)
{
	post_block(0)->connection_id = 0x01000000u | VMBUS_MESSAGE_CONNECTION_ID;
	return expect_status(s, post_at(gpa(blk)), HV_STATUS_INVALID_PARAMETER);
}

static bool post_reserved_field(struct hsaw *s)
{
	post_block(0)->reserved = 1;
	return expect_status(s, post_at(gpa(blk)), HV_STATUS_INVALID_PARAMETER);
}

static bool message_type_zero(struct hsaw *s)
{
	post_block(0)->message_type = HV_MESSAGE_TYPE_NONE;
	return expect_status(s, post_at(gpa(blk)), HV_STATUS_INVALID_PARAMETER);
}

/* facts §4.1: types with bit 31 set belong to the hypervisor. */
static bool message_type_hypervisor(struct hsaw *s)
{
	post_block(0)->message_type = 0x80000010u;
	return expect_status(s, post_at(gpa(blk)), HV_STATUS_INVALID_PARAMETER);
}

/* A SynIC message type other than VMBus's 1: accepted by the hypercall,
 * dropped by the bus, no answer. */
static bool message_type_not_vmbus(struct hsaw *s)
{
	uint64_t rax;
	uint32_t type = 0;
	bool quiet;

	post_block(0)->message_type = 2;
	rax = post_at(gpa(blk));
	quiet = hm_quiet(&type);
	saw(s, "status 0x%x, %s", STATUS(rax), quiet ? "no answer" : "an answer");
	return STATUS(rax) == HV_STATUS_SUCCESS && quiet;
}

/* ---- the control word (facts §3.1) ----------------------------------- */

static bool control(struct hsaw *s, uint64_t ctl, uint64_t rdx, uint16_t want)
{
	post_block(0);
	return expect_status(s, hv_hypercall(ctl, rdx, 0), want);
}

static bool ctl_reserved_30_27(struct hsaw *s)
{
	return control(s, HV_CALL_POST_MESSAGE | (1ull << 27), gpa(blk),
		       HV_STATUS_INVALID_HYPERCALL_INPUT);
}

static bool ctl_reserved_47_44(struct hsaw *s)
{
	return control(s, HV_CALL_POST_MESSAGE | (1ull << 45), gpa(blk),
		       HV_STATUS_INVALID_HYPERCALL_INPUT);
}

static bool ctl_reserved_63_60(struct hsaw *s)
{
	return control(s, HV_CALL_POST_MESSAGE | (1ull << 63), gpa(blk),
		       HV_STATUS_INVALID_HYPERCALL_INPUT);
}

static bool ctl_nested(struct hsaw *s)
{
	return control(s, HV_CALL_POST_MESSAGE | HV_CONTROL_NESTED, gpa(blk),
		       HV_STATUS_INVALID_HYPERCALL_INPUT);
}

static bool ctl_unknown_code(struct hsaw *s)
{
	return control(s, UNKNOWN_CALL_CODE, gpa(blk),
		       HV_STATUS_INVALID_HYPERCALL_CODE);
}

static bool ctl_rep_count(struct hsaw *s)
{
	return control(s, HV_CALL_POST_MESSAGE | (3ull << 32), gpa(blk),
		       HV_STATUS_INVALID_HYPERCALL_INPUT);
}

static bool ctl_rep_start(struct hsaw *s)
{
	return control(s, HV_CALL_SIGNAL_EVENT | HV_CONTROL_FAST | (1ull << 48),
		       ECHO_SIGNAL_CONN, HV_STATUS_INVALID_HYPERCALL_INPUT);
}

static bool ctl_varhdr(struct hsaw *s)
{
	return control(s, HV_CALL_POST_MESSAGE | (2ull << HV_CONTROL_VARHDR_SHIFT),
		       gpa(blk), HV_STATUS_INVALID_HYPERCALL_INPUT);
}

static bool ctl_fast_post(struct hsaw *s)
{
	return control(s, HV_CALL_POST_MESSAGE | HV_CONTROL_FAST,
		       VMBUS_MESSAGE_CONNECTION_ID,
		       HV_STATUS_INVALID_HYPERCALL_INPUT);
}

/* ---- HvSignalEvent (facts §3.3) -------------------------------------- */

static uint64_t signal_fast(uint64_t rdx)
{
	return hv_hypercall(HV_CALL_SIGNAL_EVENT | HV_CONTROL_FAST, rdx, 0);
}

static bool signal_reserved_fast(struct hsaw *s)
{
	return expect_status(s, signal_fast(ECHO_SIGNAL_CONN | (1ull << 56)),
			     HV_STATUS_INVALID_PARAMETER);
}

static bool signal_reserved_slow(struct hsaw *s)
{
	struct hv_signal_event_input *in = (void *)blk;

	in->connection_id = ECHO_SIGNAL_CONN;
	in->flag_number = 0;
	in->reserved = 0x5A5A;
	return expect_status(s, hv_hypercall(HV_CALL_SIGNAL_EVENT, gpa(blk), 0),
			     HV_STATUS_INVALID_PARAMETER);
}

static bool signal_input_outside_ram(struct hsaw *s)
{
	return expect_status(s, hv_hypercall(HV_CALL_SIGNAL_EVENT, henv.hole, 0),
			     HV_STATUS_INVALID_ALIGNMENT);
}

static bool signal_flag_range(struct hsaw *s)
{
	return expect_status(s, signal_fast(ECHO_SIGNAL_CONN |
					    ((uint64_t)HV_SIEF_REGION_BITS << 32)),
			     HV_STATUS_INVALID_PARAMETER);
}

static bool signal_connection_reserved(struct hsaw *s)
{
	return expect_status(s, signal_fast(0x01000000u | ECHO_SIGNAL_CONN),
			     HV_STATUS_INVALID_PARAMETER);
}

static bool signal_no_channel(struct hsaw *s)
{
	return expect_status(s, signal_fast(ECHO_SIGNAL_CONN),
			     HV_STATUS_INVALID_CONNECTION_ID);
}

/* ---- hypercalls outside the enabled interface (TLFS, vmm/hv.c) -------- */

static void restore_interface(void)
{
	hv_write_guest_os_id();
	hv_enable_hypercall_page();
}

static bool call_without_os_id(struct hsaw *s)
{
	uint64_t rax;

	wrmsr(HV_MSR_GUEST_OS_ID, 0);
	post_block(0);
	rax = post_at(gpa(blk));
	restore_interface();
	saw(s, "status 0x%x, HYPERCALL MSR 0x%lx after restoring", STATUS(rax),
	    (unsigned long)rdmsr(HV_MSR_HYPERCALL));
	return STATUS(rax) == HV_STATUS_INVALID_HYPERCALL_INPUT &&
	       (rdmsr(HV_MSR_HYPERCALL) & HV_HYPERCALL_ENABLE);
}

/* The write is dropped without #GP (as KVM does); bit 0 reads back 0. */
static bool page_before_os_id(struct hsaw *s)
{
	uint64_t page = virt_to_phys(hv_hypercall_page());
	uint64_t back;

	wrmsr(HV_MSR_GUEST_OS_ID, 0);
	wrmsr(HV_MSR_HYPERCALL, page | HV_HYPERCALL_ENABLE);
	back = rdmsr(HV_MSR_HYPERCALL);
	restore_interface();
	saw(s, "HYPERCALL MSR read back 0x%lx", (unsigned long)back);
	return !(back & HV_HYPERCALL_ENABLE) &&
	       (rdmsr(HV_MSR_HYPERCALL) & HV_HYPERCALL_ENABLE);
}

static const struct hcase cases[] = {
	{ "hypercall input outside RAM", "hypercall.input-not-ram", input_outside_ram },
	{ "hypercall input in the low MMIO gap", "hypercall.input-not-ram", input_in_low_gap },
	{ "hypercall input in the high MMIO gap", "hypercall.input-not-ram", input_in_high_gap },
	{ "hypercall input at the top of the address space", "hypercall.input-not-ram", input_wraps_address_space },
	{ "hypercall input not 8-byte aligned", "hypercall.input-not-aligned", input_unaligned },
	{ "hypercall input crossing a page", "hypercall.input-crosses-page", input_crosses_page },
	{ "HvPostMessage payload_size 241", "hypercall.payload-too-large", payload_241 },
	{ "HvPostMessage payload_size 0xfffffff0", "hypercall.payload-too-large", payload_huge },
	{ "HvPostMessage to an unknown connection id", "vmbus.unknown-connection-id", unknown_connection },
	{ "HvPostMessage connection id with reserved bits", "hypercall.connection-id-reserved-bits", connection_reserved_bits },
	{ "HvPostMessage reserved field set", "hypercall.post-reserved-nonzero", post_reserved_field },
	{ "HvPostMessage message type 0", "hypercall.message-type", message_type_zero },
	{ "HvPostMessage hypervisor message type", "hypercall.message-type", message_type_hypervisor },
	{ "HvPostMessage SynIC message type 2", "vmbus.msg-type-not-vmbus", message_type_not_vmbus },
	{ "control word reserved bits 30:27", "hypercall.reserved-bits", ctl_reserved_30_27 },
	{ "control word reserved bits 47:44", "hypercall.reserved-bits", ctl_reserved_47_44 },
	{ "control word reserved bits 63:60", "hypercall.reserved-bits", ctl_reserved_63_60 },
	{ "control word nested bit", "hypercall.nested", ctl_nested },
	{ "unknown hypercall code", "hypercall.unknown-code", ctl_unknown_code },
	{ "rep count on HvPostMessage", "hypercall.rep-on-simple-call", ctl_rep_count },
	{ "rep start index on HvSignalEvent", "hypercall.rep-on-simple-call", ctl_rep_start },
	{ "variable header size on HvPostMessage", "hypercall.varhdr-on-simple-call", ctl_varhdr },
	{ "fast (register) HvPostMessage", "hypercall.post-message-fast", ctl_fast_post },
	{ "fast HvSignalEvent with reserved bits 63:48", "hypercall.signal-reserved-nonzero", signal_reserved_fast },
	{ "memory HvSignalEvent with its reserved field set", "hypercall.signal-reserved-nonzero", signal_reserved_slow },
	{ "memory HvSignalEvent input outside RAM", "hypercall.input-not-ram", signal_input_outside_ram },
	{ "HvSignalEvent flag number 2048", "hypercall.flag-out-of-range", signal_flag_range },
	{ "HvSignalEvent connection id with reserved bits", "hypercall.connection-id-reserved-bits", signal_connection_reserved },
	{ "HvSignalEvent to a channel that is not open", "vmbus.signal-unknown-connection", signal_no_channel },
	{ "hypercall after GUEST_OS_ID was cleared", "hypercall.interface-disabled", call_without_os_id },
	{ "hypercall page enabled with GUEST_OS_ID 0", "hv.hypercall-before-guest-os-id", page_before_os_id },
};

const struct hgroup hostile_hypercall_group =
	HGROUP("hypercalls", setup, NULL, cases);
