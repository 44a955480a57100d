// SPDX-License-Identifier: MIT
/*
 * Hyper-V detection and hypercalls.
 *
 * The hypercall page holds a stub written by the host.  kvmbus writes
 * "out %al, $0xF0; ret" (platform_abi.h), but the guest treats it as the
 * opaque function the TLFS describes: called with RCX = control, RDX =
 * input (GPA or fast value), R8 = output, it returns the result in RAX
 * and may clobber RCX, RDX, R8-R11 (facts §3.1).
 */
#include "guest/lib/hv.h"

#include <stddef.h>

#include "guest/lib/alloc.h"
#include "guest/lib/cpu.h"
#include "guest/lib/string.h"
#include "vmm/abi/hv_abi.h"

/* GUEST_OS_ID fields as Linux fills them (facts §2). */
#define GUEST_OS_OPEN_SOURCE   (1ull << 63)
#define GUEST_OS_VENDOR_LINUX  (0x0100ull << 48) /* with bit 63: 0x8100 */
#define KVMBUS_GUEST_VERSION   0x000100u         /* 0.1.0, like x.y.z */

#define HV_STATUS_MASK         0xFFFFull

static void *hypercall_page;
/* HvPostMessage input: one page, so the 256-byte block is 8-aligned and
 * never crosses a page boundary (facts §3.1). */
static struct hv_post_message_input *post_input;

void hv_detect(struct hv_info *info)
{
	struct cpuid_regs r = cpuid(1);

	*info = (struct hv_info){ 0 };
	info->hypervisor_bit = (r.ecx & CPUID_1_ECX_HYPERVISOR) != 0;
	if (!info->hypervisor_bit)
		return;

	r = cpuid(HV_CPUID_VENDOR_AND_MAX);
	info->max_leaf = r.eax;
	for (int i = 0; i < 4; i++) {
		info->vendor[i] = (char)(r.ebx >> (8 * i));
		info->vendor[4 + i] = (char)(r.ecx >> (8 * i));
		info->vendor[8 + i] = (char)(r.edx >> (8 * i));
	}
	info->vendor[12] = '\0';
	info->vendor_ok = r.ebx == HV_SIGNATURE_EBX &&
			  r.ecx == HV_SIGNATURE_ECX &&
			  r.edx == HV_SIGNATURE_EDX;
	if (!info->vendor_ok || info->max_leaf < HV_CPUID_MAX_LEAF)
		return;

	info->interface = cpuid(HV_CPUID_INTERFACE).eax;
	r = cpuid(HV_CPUID_FEATURES);
	info->privileges_low = r.eax;
	info->privileges_high = r.ebx;
	info->features = r.edx;
	info->hints = cpuid(HV_CPUID_ENLIGHTENMENT).eax;
	info->max_vp_index = cpuid(HV_CPUID_LIMITS).eax;
}

bool hv_info_is_hyperv(const struct hv_info *info)
{
	return info->hypervisor_bit && info->vendor_ok &&
	       info->max_leaf >= HV_CPUID_MAX_LEAF &&
	       info->max_leaf <= 0x4000FFFFu;
}

uint64_t hv_guest_os_id(void)
{
	return GUEST_OS_OPEN_SOURCE | GUEST_OS_VENDOR_LINUX |
	       ((uint64_t)KVMBUS_GUEST_VERSION << 16);
}

void hv_write_guest_os_id(void)
{
	/* Before the hypercall MSR, as Linux does (facts §2). */
	wrmsr(HV_MSR_GUEST_OS_ID, hv_guest_os_id());
}

uint64_t hv_enable_hypercall_page(void)
{
	if (!hypercall_page)
		hypercall_page = page_alloc(1);
	if (!post_input)
		post_input = page_alloc(1);
	if (!hypercall_page || !post_input)
		return 0;

	/* Read-modify-write: keep what the host reports in the other bits
	 * (reserved bits 11:2 must be written back as read). */
	uint64_t msr = rdmsr(HV_MSR_HYPERCALL);

	msr &= ~HV_PAGE_GPN_MASK;
	msr |= virt_to_phys(hypercall_page) | HV_HYPERCALL_ENABLE;
	wrmsr(HV_MSR_HYPERCALL, msr);
	return rdmsr(HV_MSR_HYPERCALL);
}

void hv_cleanup(void)
{
	wrmsr(HV_MSR_GUEST_OS_ID, 0);
	wrmsr(HV_MSR_HYPERCALL, rdmsr(HV_MSR_HYPERCALL) & ~HV_HYPERCALL_ENABLE);
}

const void *hv_hypercall_page(void)
{
	return hypercall_page;
}

uint64_t hv_hypercall(uint64_t control, uint64_t input, uint64_t output)
{
	uint64_t result;
	register uint64_t r8 asm("r8") = output;

	/* No red zone in this kernel (-mno-red-zone), so CALL may push its
	 * return address below RSP freely. */
	asm volatile("call *%[page]"
		     : "=a"(result), "+c"(control), "+d"(input), "+r"(r8)
		     : [page] "m"(hypercall_page)
		     : "r9", "r10", "r11", "cc", "memory");
	return result;
}

uint16_t hv_post_message(uint32_t connection_id, uint32_t message_type,
			 const void *payload, uint32_t payload_size)
{
	if (!post_input || payload_size > HV_MESSAGE_PAYLOAD_MAX)
		return HV_STATUS_INVALID_PARAMETER;

	post_input->connection_id = connection_id;
	post_input->reserved = 0;
	post_input->message_type = message_type;
	post_input->payload_size = payload_size;

	memcpy(post_input->payload, payload, payload_size);
	return (uint16_t)(hv_hypercall(HV_CALL_POST_MESSAGE,
				       virt_to_phys(post_input), 0) &
			  HV_STATUS_MASK);
}

uint16_t hv_signal_event(uint32_t connection_id, uint16_t flag)
{
	uint64_t input = connection_id | ((uint64_t)flag << 32);

	return (uint16_t)(hv_hypercall(HV_CALL_SIGNAL_EVENT | HV_CONTROL_FAST,
				       input, 0) & HV_STATUS_MASK);
}

uint64_t hv_time_ref_count(void)
{
	static int available = -1;   /* CPUID is a VM exit: ask once */

	if (available < 0)
		available = (cpuid(HV_CPUID_FEATURES).eax &
			     HV_PRIV_TIME_REF_COUNT) != 0;
	return available ? rdmsr(HV_MSR_TIME_REF_COUNT) : 0;
}
