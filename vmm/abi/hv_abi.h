/* SPDX-License-Identifier: MIT */
/*
 * Hyper-V top-level-functional-specification ABI as seen by a guest:
 * CPUID leaves, synthetic MSRs, hypercall codes and statuses, SynIC pages.
 *
 * Shared by the host (vmm/) and the freestanding guest (guest/): the two
 * sides include this one file so they can never disagree.  Freestanding:
 * only <stdint.h>.  Numbers: ../shared/docs/protocol-facts.md §1-§4.
 */
#ifndef KVMBUS_HV_ABI_H
#define KVMBUS_HV_ABI_H

#include <stdint.h>

/* ---- CPUID (facts §1) ---------------------------------------------- */
#define HV_CPUID_VENDOR_AND_MAX   0x40000000u
#define HV_CPUID_INTERFACE        0x40000001u
#define HV_CPUID_VERSION          0x40000002u
#define HV_CPUID_FEATURES         0x40000003u
#define HV_CPUID_ENLIGHTENMENT    0x40000004u
#define HV_CPUID_LIMITS           0x40000005u
#define HV_CPUID_MAX_LEAF         HV_CPUID_LIMITS

/* "Microsoft Hv" in EBX, ECX, EDX of leaf 0x40000000. */
#define HV_SIGNATURE_EBX          0x7263694Du
#define HV_SIGNATURE_ECX          0x666F736Fu
#define HV_SIGNATURE_EDX          0x76482074u
/* "Hv#1" in EAX of leaf 0x40000001. */
#define HV_INTERFACE_HV1          0x31237648u

/* Leaf 1 ECX: a hypervisor is present. */
#define CPUID_1_ECX_HYPERVISOR    (1u << 31)

/* 0x40000003 EAX: partition privileges (low). */
#define HV_PRIV_TIME_REF_COUNT    (1u << 1)
#define HV_PRIV_SYNIC             (1u << 2)
#define HV_PRIV_HYPERCALL         (1u << 5)
#define HV_PRIV_VP_INDEX          (1u << 6)
/* With EDX bit 8: the TSC and APIC frequency MSRs replace calibration
 * (a hardware-reduced platform has no PIT to calibrate against). */
#define HV_PRIV_ACCESS_FREQUENCY  (1u << 11)
/* Linux then writes TSC_INVARIANT_CONTROL and trusts the TSC. */
#define HV_PRIV_TSC_INVARIANT     (1u << 15)
/* 0x40000003 EDX: features. */
#define HV_FEATURE_FREQUENCY_MSRS (1u << 8)
/* 0x40000003 EBX: partition privileges (high). Bits 1, 12, 20 and 22 must
 * stay clear: they send Linux down hypercall/root/isolation paths. */
#define HV_PRIV_HI_POST_MESSAGES  (1u << 4)
#define HV_PRIV_HI_SIGNAL_EVENTS  (1u << 5)
/* 0x40000004 EAX: recommendations.  Bit 9: guests must EOI the LAPIC
 * themselves (the in-kernel LAPIC cannot emulate auto-EOI). */
#define HV_HINT_DEPRECATE_AEOI    (1u << 9)

/* ---- Synthetic MSRs (facts §2) -------------------------------------- */
#define HV_MSR_GUEST_OS_ID        0x40000000u
#define HV_MSR_HYPERCALL          0x40000001u
#define HV_MSR_VP_INDEX           0x40000002u
#define HV_MSR_TIME_REF_COUNT     0x40000020u
#define HV_MSR_TSC_FREQUENCY      0x40000022u
#define HV_MSR_APIC_FREQUENCY     0x40000023u
#define HV_MSR_TSC_INVARIANT_CONTROL 0x40000118u
#define HV_MSR_SCONTROL           0x40000080u
#define HV_MSR_SVERSION           0x40000081u
#define HV_MSR_SIEFP              0x40000082u
#define HV_MSR_SIMP               0x40000083u
#define HV_MSR_EOM                0x40000084u
#define HV_MSR_SINT0              0x40000090u
#define HV_MSR_SINT15             0x4000009Fu
/* The whole range kvmbus claims from KVM with an MSR filter. */
#define HV_MSR_RANGE_FIRST        0x40000000u
#define HV_MSR_RANGE_COUNT        0x200u

#define HV_HYPERCALL_ENABLE       (1ull << 0)
#define HV_HYPERCALL_LOCKED       (1ull << 1)
#define HV_HYPERCALL_RSVD_MASK    0xFFCull       /* bits 11:2 */
#define HV_SCONTROL_ENABLE        (1ull << 0)
#define HV_SVERSION_VALUE         1u
#define HV_SYNIC_PAGE_ENABLE      (1ull << 0)   /* SIMP / SIEFP bit 0 */
#define HV_PAGE_GPN_MASK          (~0xFFFull)

#define HV_SINT_VECTOR_MASK       0xFFull
#define HV_SINT_MASKED            (1ull << 16)
#define HV_SINT_AUTO_EOI          (1ull << 17)
#define HV_SINT_POLLING           (1ull << 18)
#define HV_SINT_RSVD_MASK         (~0x1F00FFull) /* bits 7:0, 16-20 defined */
#define HV_SINT_MIN_VECTOR        16u

/* ---- Hypercalls (facts §3) ----------------------------------------- */
#define HV_CALL_POST_MESSAGE      0x005Cu
#define HV_CALL_SIGNAL_EVENT      0x005Du

#define HV_CONTROL_CODE(c)        ((uint16_t)((c) & 0xFFFF))
#define HV_CONTROL_FAST           (1ull << 16)
#define HV_CONTROL_VARHDR_SHIFT   17
#define HV_CONTROL_VARHDR_MASK    (0x3FFull << 17)
#define HV_CONTROL_RSVD1_MASK     (0xFull << 27)  /* bits 30:27 */
#define HV_CONTROL_NESTED         (1ull << 31)
#define HV_CONTROL_REP_COUNT_MASK (0xFFFull << 32)
#define HV_CONTROL_RSVD2_MASK     (0xFull << 44)  /* bits 47:44 */
#define HV_CONTROL_REP_START_MASK (0xFFFull << 48)
#define HV_CONTROL_RSVD3_MASK     (0xFull << 60)  /* bits 63:60 */

#define HV_STATUS_SUCCESS                 0x0000u
#define HV_STATUS_INVALID_HYPERCALL_CODE  0x0002u
#define HV_STATUS_INVALID_HYPERCALL_INPUT 0x0003u
#define HV_STATUS_INVALID_ALIGNMENT       0x0004u
#define HV_STATUS_INVALID_PARAMETER       0x0005u
#define HV_STATUS_ACCESS_DENIED           0x0006u
#define HV_STATUS_INSUFFICIENT_MEMORY     0x000Bu
#define HV_STATUS_INVALID_VP_INDEX        0x000Eu
#define HV_STATUS_INVALID_PORT_ID         0x0011u
#define HV_STATUS_INVALID_CONNECTION_ID   0x0012u
#define HV_STATUS_INSUFFICIENT_BUFFERS    0x0013u
#define HV_STATUS_INVALID_SYNIC_STATE     0x0018u

/* HvPostMessage input block: 256 bytes, 8-byte aligned, within one page. */
#define HV_MESSAGE_PAYLOAD_MAX    240u
struct hv_post_message_input {
	uint32_t connection_id;       /* low 24 bits significant */
	uint32_t reserved;            /* must be zero */
	uint32_t message_type;        /* VMBus uses HV_MESSAGE_TYPE_VMBUS */
	uint32_t payload_size;        /* <= 240 */
	uint8_t  payload[HV_MESSAGE_PAYLOAD_MAX];
} __attribute__((packed));
_Static_assert(sizeof(struct hv_post_message_input) == 256, "post input");

#define HV_CONNECTION_ID_MASK     0x00FFFFFFu

/* HvSignalEvent: fast form RDX = connection_id | flag_number << 32. */
struct hv_signal_event_input {
	uint32_t connection_id;
	uint16_t flag_number;
	uint16_t reserved;
} __attribute__((packed));

/* ---- SynIC pages (facts §4) ---------------------------------------- */
#define HV_SINT_COUNT             16u
#define HV_MESSAGE_TYPE_NONE      0u
#define HV_MESSAGE_TYPE_VMBUS     1u
#define HV_MESSAGE_FLAG_PENDING   0x01u

struct hv_message_header {
	uint32_t message_type;        /* 0 = slot free */
	uint8_t  payload_size;
	uint8_t  flags;               /* bit 0: another message is pending */
	uint16_t reserved;
	uint64_t sender;              /* port id, 0 from kvmbus */
} __attribute__((packed));

struct hv_message {
	struct hv_message_header header;
	uint8_t payload[HV_MESSAGE_PAYLOAD_MAX];
} __attribute__((packed));
_Static_assert(sizeof(struct hv_message) == 256, "hv_message");

/* SIMP page: one 256-byte slot per SINT.  SIEF page: one 256-byte
 * (2048-bit) flag region per SINT. */
#define HV_SIMP_SLOT_OFFSET(sint) ((sint) * 256u)
#define HV_SIEF_REGION_OFFSET(sint) ((sint) * 256u)
#define HV_SIEF_REGION_BITS       2048u

#endif
