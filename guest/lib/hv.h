/* SPDX-License-Identifier: MIT */
/*
 * The guest side of the Hyper-V partition interface (facts §1-§3):
 * detection through CPUID, GUEST_OS_ID, the hypercall page, and the two
 * hypercalls VMBus needs.
 */
#ifndef GUEST_LIB_HV_H
#define GUEST_LIB_HV_H

#include <stdbool.h>
#include <stdint.h>

struct hv_info {
	bool hypervisor_bit;      /* CPUID 1 ECX bit 31 */
	uint32_t max_leaf;        /* CPUID 0x40000000 EAX */
	bool vendor_ok;           /* "Microsoft Hv" */
	char vendor[13];
	uint32_t interface;       /* CPUID 0x40000001 EAX ("Hv#1") */
	uint32_t privileges_low;  /* CPUID 0x40000003 EAX */
	uint32_t privileges_high; /* CPUID 0x40000003 EBX */
	uint32_t features;        /* CPUID 0x40000003 EDX */
	uint32_t hints;           /* CPUID 0x40000004 EAX */
	uint32_t max_vp_index;    /* CPUID 0x40000005 EAX */
};

/* Read the leaves Linux reads (facts §1.6).  Leaves past 0x40000000 are
 * read only when the vendor and max leaf say they exist. */
void hv_detect(struct hv_info *info);
/* The conditions under which Linux selects Hyper-V: hypervisor bit,
 * vendor, 0x40000005 <= max leaf <= 0x4000FFFF. */
bool hv_info_is_hyperv(const struct hv_info *info);

/* Linux-style GUEST_OS_ID: open source (bit 63), vendor 0x8100 in bits
 * 62:48, our version in bits 47:16 (facts §2). */
uint64_t hv_guest_os_id(void);
void hv_write_guest_os_id(void);

/* Allocate a page and enable the hypercall MSR on it (read-modify-write,
 * facts §1.6 step 3).  Returns the MSR value read back afterwards, or 0
 * if no page could be allocated. */
uint64_t hv_enable_hypercall_page(void);
const void *hv_hypercall_page(void);

/* Linux's hyperv_cleanup (before kexec, facts §2): GUEST_OS_ID back to
 * 0 and the hypercall page disabled (read-modify-write), so the next
 * kernel starts from a partition that looks fresh. */
void hv_cleanup(void);

/* Raw hypercall through the page.  Returns the result word (RAX). */
uint64_t hv_hypercall(uint64_t control, uint64_t input, uint64_t output);

/* HvPostMessage (slow call, facts §3.3).  Returns the 16-bit status. */
uint16_t hv_post_message(uint32_t connection_id, uint32_t message_type,
			 const void *payload, uint32_t payload_size);
/* HvSignalEvent, fast form: RDX = connection_id | flag << 32. */
uint16_t hv_signal_event(uint32_t connection_id, uint16_t flag);

/* TIME_REF_COUNT in 100 ns units, or 0 if the partition lacks it. */
uint64_t hv_time_ref_count(void);

#endif
