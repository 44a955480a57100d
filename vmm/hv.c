/* SPDX-License-Identifier: MIT */
/*
 * The Hyper-V partition interface, emulated in user space: CPUID leaves
 * (facts §1), synthetic MSRs (facts §2), the hypercall page and the two
 * hypercalls VMBus needs (facts §3).  SynIC MSRs are passed to synic.c.
 *
 * Hypercall gating (TLFS "Reporting the Identity of a Guest OS"; KVM does
 * the same, facts §12): the guest must write a non-zero GUEST_OS_ID before
 * the hypercall page can be enabled, zeroing it disables the page, and a
 * hypercall is served only while the page is enabled and the OS id is
 * non-zero.  A real hypervisor would
 * raise #UD for a VMCALL outside that state; our trap is an OUT from the
 * stub, which can only be answered with a status, so such a call gets
 * HV_STATUS_INVALID_HYPERCALL_INPUT -- the status KVM returns when it
 * cannot forward a Hyper-V hypercall.  Linux never reaches this state.
 */
#include "vmm/hv.h"

#include <string.h>
#include <time.h>

#include "vmm/abi/platform_abi.h"
#include "vmm/log.h"

#define HV_PAGE_SIZE 4096u

_Static_assert(KVMBUS_PORT_HYPERCALL <= 0xFF, "OUT imm8 needs a byte port");

/* out %al, $KVMBUS_PORT_HYPERCALL ; ret */
const uint8_t hv_hypercall_stub[] = { 0xE6, KVMBUS_PORT_HYPERCALL, 0xC3 };
const unsigned hv_hypercall_stub_len = sizeof(hv_hypercall_stub);

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void hv_init(struct hv *hv, const struct guest_mem *mem, unsigned nr_vps,
	     void (*inject)(void *, unsigned, uint8_t), void *inject_ctx)
{
	/* Everything but the SynIC, whose queue buffers must stay untouched
	 * (see synic_init). */
	memset(hv, 0, offsetof(struct hv, synic));
	memset((uint8_t *)hv + offsetof(struct hv, synic) + sizeof(hv->synic), 0,
	       sizeof(*hv) - offsetof(struct hv, synic) - sizeof(hv->synic));
	hv->mem = mem;
	synic_init(&hv->synic, mem, nr_vps, inject, inject_ctx);
	hv->nr_vps = hv->synic.nr_vps;  /* clamped to what the SynIC holds */
	hv->start_ns = monotonic_ns();
}

void hv_set_bus(struct hv *hv, const struct hv_bus_ops *ops, void *bus)
{
	hv->bus = ops;
	hv->bus_ctx = bus;
}

void hv_reset(struct hv *hv)
{
	hv->guest_os_id = 0;
	hv->hypercall_msr = 0;
	memset(hv->vp_assist, 0, sizeof(hv->vp_assist));
	hv->tsc_invariant_control = 0;
	synic_reset(&hv->synic);
}

/* ---- CPUID (facts §1, §11) ------------------------------------------- */

int hv_cpuid(uint32_t leaf, unsigned nr_vps, uint32_t out[4])
{
	memset(out, 0, 4 * sizeof(out[0]));
	switch (leaf) {
	case HV_CPUID_VENDOR_AND_MAX:
		out[0] = HV_CPUID_MAX_LEAF;
		out[1] = HV_SIGNATURE_EBX;
		out[2] = HV_SIGNATURE_ECX;
		out[3] = HV_SIGNATURE_EDX;
		return 1;
	case HV_CPUID_INTERFACE:
		out[0] = HV_INTERFACE_HV1;
		return 1;
	case HV_CPUID_VERSION:
		return 1;                 /* no Windows build to report */
	case HV_CPUID_FEATURES:
		/* Bits 5 and 6 are required for Linux to pick Hyper-V;
		 * nothing else is emulated.  EBX bits 1, 12, 20 and 22 stay
		 * clear: they lead Linux into calls kvmbus does not serve. */
		out[0] = HV_PRIV_TIME_REF_COUNT | HV_PRIV_SYNIC |
			 HV_PRIV_HYPERCALL | HV_PRIV_VP_INDEX |
			 HV_PRIV_ACCESS_FREQUENCY | HV_PRIV_TSC_INVARIANT;
		out[1] = HV_PRIV_HI_POST_MESSAGES | HV_PRIV_HI_SIGNAL_EVENTS;
		out[3] = HV_FEATURE_FREQUENCY_MSRS;
		return 1;
	case HV_CPUID_ENLIGHTENMENT:
		/* Only "deprecating AEOI": guests EOI the in-kernel LAPIC. */
		out[0] = HV_HINT_DEPRECATE_AEOI;
		out[1] = 0xFFFFFFFFu;     /* never notify long spin waits */
		return 1;
	case HV_CPUID_LIMITS:
		out[0] = nr_vps;
		out[1] = nr_vps;
		return 1;
	}
	return 0;
}

/* ---- MSRs (facts §2) ------------------------------------------------- */

static bool is_synic_msr(uint32_t msr)
{
	return msr >= HV_MSR_SCONTROL && msr <= HV_MSR_SINT15;
}

/* Writes the stub into the hypercall page on enable and keeps the value
 * for read-back (Linux checks bit 0 to decide Hyper-V is initialized). */
static int write_hypercall_msr(struct hv *hv, unsigned vp, uint64_t val)
{
	uint8_t *page;

	if (hv->hypercall_msr & HV_HYPERCALL_LOCKED) {
		guest_refuse("hv.hypercall-msr-locked",
			     "VP %u wrote %#llx to a locked HYPERCALL MSR", vp,
			     (unsigned long long)val);
		return -1;
	}
	if (val & HV_HYPERCALL_RSVD_MASK) {
		guest_refuse("hv.hypercall-msr-reserved-bits",
			     "VP %u wrote %#llx", vp, (unsigned long long)val);
		return -1;
	}
	if (!(val & HV_HYPERCALL_ENABLE)) {
		hv->hypercall_msr = val;
		return 0;
	}
	if (hv->guest_os_id == 0) {
		/* The page cannot be enabled before the guest identified
		 * itself.  Like KVM the write is dropped without #GP; the
		 * guest sees bit 0 clear when it reads back. */
		guest_refuse("hv.hypercall-before-guest-os-id",
			     "VP %u enabled the hypercall page with "
			     "GUEST_OS_ID 0", vp);
		return 0;
	}
	page = guest_mem_ptr(hv->mem, val & HV_PAGE_GPN_MASK, HV_PAGE_SIZE);
	if (!page) {
		guest_refuse("hv.hypercall-page-not-ram",
			     "VP %u put the hypercall page at %#llx", vp,
			     (unsigned long long)(val & HV_PAGE_GPN_MASK));
		return -1;
	}
	memcpy(page, hv_hypercall_stub, hv_hypercall_stub_len);
	hv->hypercall_msr = val;
	return 0;
}

static void write_guest_os_id(struct hv *hv, uint64_t val)
{
	hv->guest_os_id = val;
	/* Zeroing the id disables the hypercall page (TLFS); a locked MSR
	 * stays as it is, and hypercalls are refused anyway while the id
	 * is 0 (hypercalls_enabled()). */
	if (val == 0 && !(hv->hypercall_msr & HV_HYPERCALL_LOCKED))
		hv->hypercall_msr &= ~HV_HYPERCALL_ENABLE;
}

/* Stored only (facts §2): bit 0 enable, bits 11:1 kept, and like every
 * page kvmbus accepts it must be RAM when enabled. */
static int write_vp_assist(struct hv *hv, unsigned vp, uint64_t val)
{
	if ((val & HV_SYNIC_PAGE_ENABLE) &&
	    !guest_mem_is_ram(hv->mem, val & HV_PAGE_GPN_MASK, HV_PAGE_SIZE)) {
		guest_refuse("hv.vp-assist-not-ram", "VP %u page %#llx", vp,
			     (unsigned long long)(val & HV_PAGE_GPN_MASK));
		return -1;
	}
	hv->vp_assist[vp] = val;
	return 0;
}

int hv_rdmsr(struct hv *hv, unsigned vp, uint32_t msr, uint64_t *val)
{
	hv->counts.rdmsr++;
	*val = 0;
	if (vp >= hv->nr_vps) {
		log_err("hv: rdmsr %#x on VP %u of %u", msr, vp, hv->nr_vps);
		return -1;
	}
	switch (msr) {
	case HV_MSR_GUEST_OS_ID:
		*val = hv->guest_os_id;
		return 0;
	case HV_MSR_HYPERCALL:
		*val = hv->hypercall_msr;
		return 0;
	case HV_MSR_VP_INDEX:
		*val = vp;
		return 0;
	case HV_MSR_TIME_REF_COUNT:
		/* 100 ns units since the partition was created. */
		*val = (monotonic_ns() - hv->start_ns) / 100;
		return 0;
	case HV_MSR_VP_ASSIST_PAGE:
		*val = hv->vp_assist[vp];
		return 0;
	case HV_MSR_TSC_FREQUENCY:
		if (!hv->tsc_hz) {
			guest_refuse("msr.tsc-frequency-unknown",
				     "VP %u read TSC_FREQUENCY; KVM did not say", vp);
			return -1;
		}
		*val = hv->tsc_hz;
		return 0;
	case HV_MSR_APIC_FREQUENCY:
		/* KVM's in-kernel LAPIC timer counts a 1 GHz bus clock. */
		*val = HV_APIC_BUS_HZ;
		return 0;
	case HV_MSR_TSC_INVARIANT_CONTROL:
		*val = hv->tsc_invariant_control;
		return 0;
	}
	if (is_synic_msr(msr))
		return synic_rdmsr(&hv->synic, vp, msr, val);
	guest_refuse("msr.unknown", "rdmsr %#x on VP %u", msr, vp);
	return -1;
}

int hv_wrmsr(struct hv *hv, unsigned vp, uint32_t msr, uint64_t val)
{
	hv->counts.wrmsr++;
	if (vp >= hv->nr_vps) {
		log_err("hv: wrmsr %#x on VP %u of %u", msr, vp, hv->nr_vps);
		return -1;
	}
	switch (msr) {
	case HV_MSR_GUEST_OS_ID:
		write_guest_os_id(hv, val);
		return 0;
	case HV_MSR_HYPERCALL:
		return write_hypercall_msr(hv, vp, val);
	case HV_MSR_VP_INDEX:
		guest_refuse("msr.vp-index-read-only", "VP %u wrote %#llx", vp,
			     (unsigned long long)val);
		return -1;
	case HV_MSR_TIME_REF_COUNT:
		guest_refuse("msr.time-ref-count-read-only",
			     "VP %u wrote %#llx", vp, (unsigned long long)val);
		return -1;
	case HV_MSR_VP_ASSIST_PAGE:
		return write_vp_assist(hv, vp, val);
	case HV_MSR_TSC_FREQUENCY:
	case HV_MSR_APIC_FREQUENCY:
		guest_refuse("msr.frequency-read-only", "VP %u wrote %#x", vp, msr);
		return -1;
	case HV_MSR_TSC_INVARIANT_CONTROL:
		/* Bit 0: expose the invariant TSC (facts §2); the TSC here is
		 * KVM's, already invariant, so only the value is kept. */
		if (val & ~1ull) {
			guest_refuse("msr.tsc-invariant-reserved",
				     "VP %u wrote %#llx", vp, (unsigned long long)val);
			return -1;
		}
		hv->tsc_invariant_control = val;
		return 0;
	case HV_MSR_EOM:
		if (synic_wrmsr(&hv->synic, vp, msr, val) != 0)
			return -1;
		/* The SynIC redelivered first; now the bus may post more. */
		if (hv->bus && hv->bus->eom)
			hv->bus->eom(hv->bus_ctx, vp);
		return 0;
	}
	if (is_synic_msr(msr))
		return synic_wrmsr(&hv->synic, vp, msr, val);
	guest_refuse("msr.unknown", "wrmsr %#x = %#llx on VP %u", msr,
		     (unsigned long long)val, vp);
	return -1;
}

/* ---- hypercalls (facts §3) ------------------------------------------- */

static bool hypercalls_enabled(const struct hv *hv)
{
	return hv->guest_os_id != 0 &&
	       (hv->hypercall_msr & HV_HYPERCALL_ENABLE);
}

/* Copy a slow call's input block out of guest memory, once: everything
 * after this looks only at the copy, so a vCPU rewriting the block
 * meanwhile cannot change what was validated.  TLFS "common hypercall
 * status codes": misaligned, page-crossing, or outside the GPA space
 * are all HV_STATUS_INVALID_ALIGNMENT. */
static uint16_t read_input(const struct hv *hv, uint64_t gpa, void *buf,
			   uint64_t len)
{
	if (gpa & 7) {
		guest_refuse("hypercall.input-not-aligned", "input GPA %#llx",
			     (unsigned long long)gpa);
		return HV_STATUS_INVALID_ALIGNMENT;
	}
	if ((gpa & (HV_PAGE_SIZE - 1)) + len > HV_PAGE_SIZE) {
		guest_refuse("hypercall.input-crosses-page",
			     "input GPA %#llx, %llu bytes",
			     (unsigned long long)gpa, (unsigned long long)len);
		return HV_STATUS_INVALID_ALIGNMENT;
	}
	if (guest_mem_read(hv->mem, gpa, buf, len) != 0) {
		guest_refuse("hypercall.input-not-ram", "input GPA %#llx",
			     (unsigned long long)gpa);
		return HV_STATUS_INVALID_ALIGNMENT;
	}
	return HV_STATUS_SUCCESS;
}

/* HV_CONNECTION_ID: 24-bit id, upper 8 bits reserved (facts §3.3). */
static bool connection_id_valid(uint32_t conn_id)
{
	if (conn_id & ~HV_CONNECTION_ID_MASK) {
		guest_refuse("hypercall.connection-id-reserved-bits",
			     "connection id %#x", conn_id);
		return false;
	}
	return true;
}

static bool bus_attached(const struct hv *hv, uint32_t conn_id)
{
	if (hv->bus)
		return true;
	guest_refuse("hypercall.unknown-connection",
		     "connection id %#x: no bus attached", conn_id);
	return false;
}

static uint16_t post_message(struct hv *hv, unsigned vp, uint64_t control,
			     uint64_t input_gpa)
{
	struct hv_post_message_input in;
	uint16_t status;

	hv->counts.post_message++;
	if (control & HV_CONTROL_FAST) {
		guest_refuse("hypercall.post-message-fast",
			     "HvPostMessage has no register form here");
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	}
	status = read_input(hv, input_gpa, &in, sizeof(in));
	if (status != HV_STATUS_SUCCESS)
		return status;
	if (in.reserved != 0) {
		guest_refuse("hypercall.post-reserved-nonzero",
			     "reserved field %#x", in.reserved);
		return HV_STATUS_INVALID_PARAMETER;
	}
	if (!connection_id_valid(in.connection_id))
		return HV_STATUS_INVALID_PARAMETER;
	/* Types with bit 31 set belong to the hypervisor (facts §4.1). */
	if (in.message_type == HV_MESSAGE_TYPE_NONE ||
	    (in.message_type & 0x80000000u)) {
		guest_refuse("hypercall.message-type", "message type %#x",
			     in.message_type);
		return HV_STATUS_INVALID_PARAMETER;
	}
	if (in.payload_size > HV_MESSAGE_PAYLOAD_MAX) {
		guest_refuse("hypercall.payload-too-large", "payload_size %u",
			     in.payload_size);
		return HV_STATUS_INVALID_PARAMETER;
	}
	if (!bus_attached(hv, in.connection_id))
		return HV_STATUS_INVALID_CONNECTION_ID;
	return hv->bus->post_message(hv->bus_ctx, vp, in.connection_id,
				     in.message_type, in.payload,
				     in.payload_size);
}

static uint16_t signal_event(struct hv *hv, unsigned vp, uint64_t control,
			     uint64_t input)
{
	uint32_t conn_id;
	uint16_t flag;

	hv->counts.signal_event++;
	if (control & HV_CONTROL_FAST) {
		/* RDX = connection id | flag << 32; bits 63:48 reserved. */
		if (input >> 48) {
			guest_refuse("hypercall.signal-reserved-nonzero",
				     "fast input %#llx",
				     (unsigned long long)input);
			return HV_STATUS_INVALID_PARAMETER;
		}
		conn_id = (uint32_t)input;
		flag = (uint16_t)(input >> 32);
	} else {
		struct hv_signal_event_input in;
		uint16_t status = read_input(hv, input, &in, sizeof(in));

		if (status != HV_STATUS_SUCCESS)
			return status;
		if (in.reserved != 0) {
			guest_refuse("hypercall.signal-reserved-nonzero",
				     "reserved field %#x", in.reserved);
			return HV_STATUS_INVALID_PARAMETER;
		}
		conn_id = in.connection_id;
		flag = in.flag_number;
	}
	if (!connection_id_valid(conn_id))
		return HV_STATUS_INVALID_PARAMETER;
	if (flag >= HV_SIEF_REGION_BITS) {
		guest_refuse("hypercall.flag-out-of-range", "flag %u", flag);
		return HV_STATUS_INVALID_PARAMETER;
	}
	if (!bus_attached(hv, conn_id))
		return HV_STATUS_INVALID_CONNECTION_ID;
	return hv->bus->signal_event(hv->bus_ctx, vp, conn_id, flag);
}

/* Both calls kvmbus serves are simple (non-rep, fixed-size) calls: a rep
 * count, rep start or variable header is malformed input (facts §3.2). */
static bool simple_call_control_valid(uint64_t control)
{
	if (control & (HV_CONTROL_REP_COUNT_MASK | HV_CONTROL_REP_START_MASK)) {
		guest_refuse("hypercall.rep-on-simple-call", "control %#llx",
			     (unsigned long long)control);
		return false;
	}
	if (control & HV_CONTROL_VARHDR_MASK) {
		guest_refuse("hypercall.varhdr-on-simple-call",
			     "control %#llx", (unsigned long long)control);
		return false;
	}
	return true;
}

static uint16_t dispatch(struct hv *hv, unsigned vp, uint64_t control,
			 uint64_t rdx)
{
	uint16_t code = HV_CONTROL_CODE(control);

	if (!hypercalls_enabled(hv)) {
		guest_refuse("hypercall.interface-disabled",
			     "call %#x with GUEST_OS_ID %#llx, HYPERCALL %#llx",
			     code, (unsigned long long)hv->guest_os_id,
			     (unsigned long long)hv->hypercall_msr);
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	}
	if (control & (HV_CONTROL_RSVD1_MASK | HV_CONTROL_RSVD2_MASK |
		       HV_CONTROL_RSVD3_MASK)) {
		guest_refuse("hypercall.reserved-bits", "control %#llx",
			     (unsigned long long)control);
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	}
	/* "Send to L0" means nothing here: kvmbus advertises no nesting. */
	if (control & HV_CONTROL_NESTED) {
		guest_refuse("hypercall.nested", "control %#llx",
			     (unsigned long long)control);
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	}
	if (code != HV_CALL_POST_MESSAGE && code != HV_CALL_SIGNAL_EVENT) {
		guest_refuse("hypercall.unknown-code", "call code %#x", code);
		return HV_STATUS_INVALID_HYPERCALL_CODE;
	}
	if (!simple_call_control_valid(control))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (code == HV_CALL_POST_MESSAGE)
		return post_message(hv, vp, control, rdx);
	return signal_event(hv, vp, control, rdx);
}

uint64_t hv_hypercall(struct hv *hv, unsigned vp, uint64_t rcx, uint64_t rdx,
		      uint64_t r8)
{
	/* Neither call has output, so R8 (output GPA / fast qword 1) is
	 * not looked at. */
	(void)r8;
	hv->counts.hypercalls++;
	if (vp >= hv->nr_vps) {
		log_err("hv: hypercall on VP %u of %u", vp, hv->nr_vps);
		return HV_STATUS_INVALID_VP_INDEX;
	}
	/* Result word: status in 15:0, reps completed (0) in 43:32. */
	return dispatch(hv, vp, rcx, rdx);
}
