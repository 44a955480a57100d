/* SPDX-License-Identifier: MIT */
/*
 * The VPCI (Hyper-V PCI pass-through) wire ABI, shared by the kvmbus host
 * and the freestanding guest front-end.  Layouts: facts §7.  Every
 * structure is packed and little-endian; each is a VMBus in-band packet
 * payload (the 16-byte packet descriptor is not part of these structs).
 *
 * Also here: the 8 KiB config window (facts §7.6) and the register map
 * of the two kvmbus test functions, so the guest can check what it reads.
 */
#ifndef KVMBUS_VPCI_ABI_H
#define KVMBUS_VPCI_ABI_H

#include <stdint.h>

/* ---- Protocol versions: major << 16 | minor (facts §7.1) ----------- */
#define VPCI_PROTOCOL_VERSION(maj, min) \
	(((uint32_t)(maj) << 16) | (uint32_t)(min))
#define VPCI_PROTOCOL_VERSION_1_1 VPCI_PROTOCOL_VERSION(1, 1)
#define VPCI_PROTOCOL_VERSION_1_2 VPCI_PROTOCOL_VERSION(1, 2)
#define VPCI_PROTOCOL_VERSION_1_3 VPCI_PROTOCOL_VERSION(1, 3)
#define VPCI_PROTOCOL_VERSION_1_4 VPCI_PROTOCOL_VERSION(1, 4)
/* kvmbus serves 1.1 .. 1.4, the versions Linux probes (newest first). */
#define VPCI_PROTOCOL_VERSION_MIN VPCI_PROTOCOL_VERSION_1_1
#define VPCI_PROTOCOL_VERSION_MAX VPCI_PROTOCOL_VERSION_1_4

/* ---- Message types: u32 at payload offset 0 (facts §7.2) ----------- */
#define VPCI_MSG_BASE                      0x42490000u
#define VPCI_MSG_BUS_RELATIONS             (VPCI_MSG_BASE + 0x00u) /* H->G */
#define VPCI_MSG_QUERY_BUS_RELATIONS       (VPCI_MSG_BASE + 0x01u)
#define VPCI_MSG_INVALIDATE_DEVICE         (VPCI_MSG_BASE + 0x02u)
#define VPCI_MSG_INVALIDATE_BUS            (VPCI_MSG_BASE + 0x03u)
#define VPCI_MSG_POWER_STATE_CHANGE        (VPCI_MSG_BASE + 0x04u)
#define VPCI_MSG_QUERY_RESOURCE_REQUIREMENTS (VPCI_MSG_BASE + 0x05u)
#define VPCI_MSG_QUERY_RESOURCE_RESOURCES  (VPCI_MSG_BASE + 0x06u)
#define VPCI_MSG_BUS_D0ENTRY               (VPCI_MSG_BASE + 0x07u)
#define VPCI_MSG_BUS_D0EXIT                (VPCI_MSG_BASE + 0x08u)
#define VPCI_MSG_READ_BLOCK                (VPCI_MSG_BASE + 0x09u)
#define VPCI_MSG_WRITE_BLOCK               (VPCI_MSG_BASE + 0x0Au)
#define VPCI_MSG_EJECT                     (VPCI_MSG_BASE + 0x0Bu) /* H->G */
#define VPCI_MSG_QUERY_STOP                (VPCI_MSG_BASE + 0x0Cu)
#define VPCI_MSG_REENABLE                  (VPCI_MSG_BASE + 0x0Du)
#define VPCI_MSG_QUERY_STOP_FAILED         (VPCI_MSG_BASE + 0x0Eu)
#define VPCI_MSG_EJECTION_COMPLETE         (VPCI_MSG_BASE + 0x0Fu)
#define VPCI_MSG_RESOURCES_ASSIGNED        (VPCI_MSG_BASE + 0x10u) /* 1.1 */
#define VPCI_MSG_RESOURCES_RELEASED        (VPCI_MSG_BASE + 0x11u)
#define VPCI_MSG_INVALIDATE_BLOCK          (VPCI_MSG_BASE + 0x12u) /* H->G */
#define VPCI_MSG_QUERY_PROTOCOL_VERSION    (VPCI_MSG_BASE + 0x13u)
#define VPCI_MSG_CREATE_INTERRUPT          (VPCI_MSG_BASE + 0x14u) /* 1.1 */
#define VPCI_MSG_DELETE_INTERRUPT          (VPCI_MSG_BASE + 0x15u)
#define VPCI_MSG_RESOURCES_ASSIGNED2       (VPCI_MSG_BASE + 0x16u) /* >= 1.2 */
#define VPCI_MSG_CREATE_INTERRUPT2         (VPCI_MSG_BASE + 0x17u) /* 1.2, 1.3 */
#define VPCI_MSG_DELETE_INTERRUPT2         (VPCI_MSG_BASE + 0x18u)
#define VPCI_MSG_BUS_RELATIONS2            (VPCI_MSG_BASE + 0x19u) /* >= 1.3 */
#define VPCI_MSG_RESOURCES_ASSIGNED3       (VPCI_MSG_BASE + 0x1Au)
#define VPCI_MSG_CREATE_INTERRUPT3         (VPCI_MSG_BASE + 0x1Bu) /* 1.4 */

/* ---- Completion statuses: NTSTATUS, negative = failure (facts §7.4) -- */
#define VPCI_STATUS_SUCCESS                0x00000000u
/* The guest walks down to its next older version on this one only. */
#define VPCI_STATUS_REVISION_MISMATCH      0xC0000059u
#define VPCI_STATUS_INVALID_PARAMETER      0xC000000Du
#define VPCI_STATUS_NO_SUCH_DEVICE         0xC000000Eu
#define VPCI_STATUS_INSUFFICIENT_RESOURCES 0xC000009Au
#define VPCI_STATUS_NOT_SUPPORTED          0xC00000BBu
#define VPCI_STATUS_INVALID_DEVICE_STATE   0xC0000184u
#define VPCI_STATUS_BAD_DATA               0xC000090Bu
/* Hyper-V returns this when a requested guest-physical range overlaps one
 * it already tracks -- as D0 entry's config window overlapping the
 * framebuffer VRAM it still believes in (facts §7.5).  Facility 0x37 is
 * VID; the symbolic name is not public (UNVERIFIED), hence our own. */
#define VPCI_STATUS_MMIO_OVERLAP           0xC0370048u

/* Is a completion status a failure (negative as an s32)? */
static inline int vpci_status_failed(uint32_t status)
{
	return (status & 0x80000000u) != 0;
}

/* ---- win_slot: bits 4:0 device, 7:5 function, rest 0 (facts §7.3) --- */
#define VPCI_WIN_SLOT(dev, fn)   ((((uint32_t)(fn) & 0x7u) << 5) | \
				  ((uint32_t)(dev) & 0x1Fu))
#define VPCI_WIN_SLOT_DEV(slot)  ((uint32_t)(slot) & 0x1Fu)
#define VPCI_WIN_SLOT_FN(slot)   (((uint32_t)(slot) >> 5) & 0x7u)
#define VPCI_WIN_SLOT_MAX        0xFFu

/* ---- Config window (facts §7.6) ------------------------------------ */
#define VPCI_CONFIG_WINDOW_SIZE  0x2000u   /* 8 KiB at D0 entry's mmio_base */
#define VPCI_CONFIG_WINDOW_ALIGN 0x1000u
#define VPCI_SLOT_SELECTOR_OFFSET 0x0u     /* u32: win_slot of the function */
#define VPCI_CFG_PAGE_OFFSET     0x1000u   /* selected function's config */
#define VPCI_CFG_SPACE_SIZE      0x1000u

/* ---- Messages ------------------------------------------------------ */
struct vpci_message {                    /* header-only messages */
	uint32_t type;
} __attribute__((packed));

struct vpci_query_protocol_version {
	uint32_t type;
	uint32_t version;
} __attribute__((packed));

/* Every host completion starts with this (>= 4 payload bytes: Linux
 * drops packets of 20 raw bytes or fewer, facts §7.4). */
struct vpci_completion {
	uint32_t status;
} __attribute__((packed));

struct vpci_bus_d0_entry {
	uint32_t type;
	uint32_t reserved;
	uint64_t mmio_base;                  /* GPA of the 8 KiB config window */
} __attribute__((packed));

struct vpci_func_desc {
	uint16_t vendor_id;
	uint16_t device_id;
	uint8_t revision;
	uint8_t prog_if;
	uint8_t subclass;
	uint8_t base_class;
	uint32_t subsystem;                  /* low 16: vendor, high 16: id */
	uint32_t win_slot;
	uint32_t serial;                     /* Linux names the slot after it */
} __attribute__((packed));

#define VPCI_FUNC_FLAG_NUMA_AFFINITY 0x1u

struct vpci_func_desc2 {
	struct vpci_func_desc d;
	uint32_t flags;
	uint16_t virtual_numa_node;
	uint16_t reserved;
} __attribute__((packed));

struct vpci_bus_relations {
	uint32_t type;                       /* VPCI_MSG_BUS_RELATIONS */
	uint32_t device_count;
	struct vpci_func_desc func[];
} __attribute__((packed));

struct vpci_bus_relations2 {
	uint32_t type;                       /* VPCI_MSG_BUS_RELATIONS2 */
	uint32_t device_count;
	struct vpci_func_desc2 func[];
} __attribute__((packed));

/* QUERY_RESOURCE_REQUIREMENTS, RESOURCES_RELEASED, EJECT, ... */
struct vpci_child_message {
	uint32_t type;
	uint32_t win_slot;
} __attribute__((packed));

#define VPCI_NUM_BARS 6

struct vpci_resource_requirements_completion {
	uint32_t status;
	/* What BARn reads back after all-ones was written: size mask plus
	 * type bits; a 64-bit BAR's upper mask sits in BARn+1. */
	uint32_t probed_bar[VPCI_NUM_BARS];
} __attribute__((packed));

/* Windows CM_PARTIAL_RESOURCE_DESCRIPTOR as VPCI carries it (20 bytes). */
#define VPCI_RES_TYPE_NULL          0u
#define VPCI_RES_TYPE_MEMORY        3u
#define VPCI_RES_TYPE_MEMORY_LARGE  7u
#define VPCI_RES_FLAG_LARGE_40      0x0200u  /* length in 256 B units */
#define VPCI_RES_FLAG_LARGE_48      0x0400u  /* length in 64 KiB units */
#define VPCI_RES_FLAG_LARGE_64      0x0800u  /* length in 4 GiB units */

struct vpci_partial_resource {
	uint8_t type;
	uint8_t share;
	uint16_t flags;
	uint64_t start;
	uint32_t length;
	uint32_t pad;
} __attribute__((packed));

struct vpci_resources_assigned {         /* protocol 1.1 */
	uint32_t type;
	uint32_t win_slot;
	struct vpci_partial_resource memory_range[VPCI_NUM_BARS];
	uint32_t msi_descriptors;
	uint32_t reserved[4];
} __attribute__((packed));

struct vpci_resources_assigned2 {        /* protocol >= 1.2 */
	uint32_t type;
	uint32_t win_slot;
	struct vpci_partial_resource memory_range[VPCI_NUM_BARS];
	uint32_t msi_descriptor_count;
	uint8_t reserved[70];
} __attribute__((packed));

#define VPCI_DELIVERY_FIXED        0u
#define VPCI_DELIVERY_LOWEST_PRIO  1u
#define VPCI_MAX_PROCESSORS        32u

struct vpci_msi_desc {                   /* CREATE_INTERRUPT (1.1) */
	uint8_t vector;
	uint8_t delivery_mode;
	uint16_t vector_count;
	uint32_t reserved;
	uint64_t cpu_mask;                   /* Linux: all-ones */
} __attribute__((packed));

struct vpci_msi_desc2 {                  /* CREATE_INTERRUPT2 (1.2, 1.3) */
	uint8_t vector;
	uint8_t delivery_mode;
	uint16_t vector_count;
	uint16_t processor_count;
	uint16_t processor_array[VPCI_MAX_PROCESSORS];   /* VP indices */
} __attribute__((packed));

struct vpci_msi_desc3 {                  /* CREATE_INTERRUPT3 (1.4) */
	uint32_t vector;
	uint8_t delivery_mode;
	uint8_t reserved;
	uint16_t vector_count;
	uint16_t processor_count;
	uint16_t processor_array[VPCI_MAX_PROCESSORS];
} __attribute__((packed));

struct vpci_create_interrupt {
	uint32_t type;
	uint32_t win_slot;
	struct vpci_msi_desc int_desc;
} __attribute__((packed));

struct vpci_create_interrupt2 {
	uint32_t type;
	uint32_t win_slot;
	struct vpci_msi_desc2 int_desc;
} __attribute__((packed));

struct vpci_create_interrupt3 {
	uint32_t type;
	uint32_t win_slot;
	struct vpci_msi_desc3 int_desc;
} __attribute__((packed));

/* The interrupt the host made: what the guest programs into MSI/MSI-X. */
struct vpci_int_desc {
	uint16_t reserved;
	uint16_t vector_count;
	uint32_t data;
	uint64_t address;
} __attribute__((packed));

struct vpci_create_interrupt_completion {
	uint32_t status;
	uint32_t reserved;
	struct vpci_int_desc int_desc;
} __attribute__((packed));

struct vpci_delete_interrupt {
	uint32_t type;
	uint32_t win_slot;
	struct vpci_int_desc int_desc;
} __attribute__((packed));

struct vpci_ejection_complete {
	uint32_t type;
	uint32_t win_slot;
	uint32_t status;
} __attribute__((packed));

_Static_assert(sizeof(struct vpci_query_protocol_version) == 8, "version");
_Static_assert(sizeof(struct vpci_completion) == 4, "completion");
_Static_assert(sizeof(struct vpci_bus_d0_entry) == 16, "d0 entry");
_Static_assert(sizeof(struct vpci_func_desc) == 20, "func desc");
_Static_assert(sizeof(struct vpci_func_desc2) == 28, "func desc2");
_Static_assert(sizeof(struct vpci_bus_relations) == 8, "relations");
_Static_assert(sizeof(struct vpci_bus_relations2) == 8, "relations2");
_Static_assert(sizeof(struct vpci_child_message) == 8, "child msg");
_Static_assert(sizeof(struct vpci_resource_requirements_completion) == 28,
	       "res req completion");
_Static_assert(sizeof(struct vpci_partial_resource) == 20, "partial res");
_Static_assert(sizeof(struct vpci_resources_assigned) == 148, "assigned");
_Static_assert(sizeof(struct vpci_resources_assigned2) == 202, "assigned2");
_Static_assert(sizeof(struct vpci_msi_desc) == 16, "msi desc");
_Static_assert(sizeof(struct vpci_msi_desc2) == 70, "msi desc2");
_Static_assert(sizeof(struct vpci_msi_desc3) == 74, "msi desc3");
_Static_assert(sizeof(struct vpci_create_interrupt) == 24, "create int");
_Static_assert(sizeof(struct vpci_create_interrupt2) == 78, "create int2");
_Static_assert(sizeof(struct vpci_create_interrupt3) == 82, "create int3");
_Static_assert(sizeof(struct vpci_int_desc) == 16, "int desc");
_Static_assert(sizeof(struct vpci_create_interrupt_completion) == 24,
	       "create int completion");
_Static_assert(sizeof(struct vpci_delete_interrupt) == 24, "delete int");
_Static_assert(sizeof(struct vpci_ejection_complete) == 12, "eject complete");

/* ---- x86 MSI the host hands out (facts §11.7, DESIGN NOTE) ---------- */
/* Address 0xFEE00000 | destination APIC ID << 12; kvmbus's APIC IDs equal
 * VP indices (platform_abi.h).  Data: vector, delivery mode in 10:8, edge. */
#define VPCI_MSI_ADDRESS_BASE      0xFEE00000ull
#define VPCI_MSI_ADDRESS(vp)       (VPCI_MSI_ADDRESS_BASE | ((uint64_t)(vp) << 12))
#define VPCI_MSI_DATA(vector, mode) (((uint32_t)(mode) << 8) | ((vector) & 0xFFu))
#define VPCI_MSI_MIN_VECTOR        16u   /* 0..15 are exceptions/reserved */

/* ---- The kvmbus test functions ------------------------------------- */
/* 0x6B76 ("kv") is not a PCI-SIG assignment kvmbus holds: these IDs name
 * test functions that exist only inside kvmbus. */
#define VPCI_TEST_VENDOR_ID        0x6B76u
#define VPCI_TEST_DEVICE_TEST64    0x0001u   /* 64-bit prefetchable BAR0, MSI-X */
#define VPCI_TEST_DEVICE_TEST32    0x0002u   /* 32-bit 256-byte BAR0, MSI */
#define VPCI_TEST_TEST64_BAR0_SIZE 0x4000u
#define VPCI_TEST_TEST32_BAR0_SIZE 0x100u

/* BAR0 register map, both functions. */
#define VPCI_TEST_REG_MAGIC        0x00u  /* u32 RO: VPCI_TEST_MAGIC */
#define VPCI_TEST_REG_IDENTITY     0x04u  /* u32 RO: VPCI_TEST_IDENTITY() */
#define VPCI_TEST_REG_SCRATCH      0x08u  /* u64 RW, 0 after reset */
#define VPCI_TEST_MAGIC            0x4B564D42u  /* "KVMB" */
#define VPCI_TEST_IDENTITY(device_id, bus, win_slot) \
	(((uint32_t)(device_id) << 16) | (((uint32_t)(bus) & 0xFFu) << 8) | \
	 ((uint32_t)(win_slot) & 0xFFu))
/* test64's MSI-X table and PBA, inside BAR0. */
#define VPCI_TEST_TEST64_MSIX_VECTORS 4u
#define VPCI_TEST_TEST64_MSIX_TABLE   0x2000u
#define VPCI_TEST_TEST64_MSIX_PBA     0x3000u

#endif
