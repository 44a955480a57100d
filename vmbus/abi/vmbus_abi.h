/* SPDX-License-Identifier: MIT */
/*
 * VMBus channel-management messages, ring-buffer layout and packet format,
 * as exchanged between a guest and the host.  Shared by host and guest.
 * Layouts: ../shared/docs/protocol-facts.md §5 (messages) and §6 (rings).
 * Every structure is packed and little-endian.
 */
#ifndef KVMBUS_VMBUS_ABI_H
#define KVMBUS_VMBUS_ABI_H

#include <stdint.h>

/* ---- GUIDs: u32, u16, u16 little-endian, then 8 bytes in order ------ */
struct vmbus_guid {
	uint8_t b[16];
} __attribute__((packed));

#define VMBUS_GUID(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7)                 \
	{ { (a) & 0xff, ((a) >> 8) & 0xff, ((a) >> 16) & 0xff, ((a) >> 24) & 0xff, \
	    (b) & 0xff, ((b) >> 8) & 0xff, (c) & 0xff, ((c) >> 8) & 0xff,      \
	    d0, d1, d2, d3, d4, d5, d6, d7 } }

/* Test class served by the echo service: every in-band packet returns. */
#define VMBUS_CLASS_ECHO VMBUS_GUID(0x6b6d7662, 0x7365, 0x6863, \
	0x8f, 0x01, 0x6b, 0x76, 0x6d, 0x62, 0x75, 0x73)
/* facts §10 */
#define VMBUS_CLASS_PCI VMBUS_GUID(0x44C4F61D, 0x4444, 0x4400, \
	0x9D, 0x52, 0x80, 0x2E, 0x27, 0xED, 0xE1, 0x9F)
#define VMBUS_CLASS_SYNTHVID VMBUS_GUID(0xDA0A7802, 0xE377, 0x4AAC, \
	0x8E, 0x77, 0x05, 0x58, 0xEB, 0x10, 0x73, 0xF8)

/* ---- Protocol versions: major << 16 | minor (facts §5.2) ----------- */
#define VMBUS_VERSION(maj, min)   (((uint32_t)(maj) << 16) | (uint32_t)(min))
#define VMBUS_VERSION_WIN8        VMBUS_VERSION(2, 4)
#define VMBUS_VERSION_WIN8_1      VMBUS_VERSION(3, 0)
#define VMBUS_VERSION_WIN10       VMBUS_VERSION(4, 0)
#define VMBUS_VERSION_WIN10_V4_1  VMBUS_VERSION(4, 1)
#define VMBUS_VERSION_WIN10_V5    VMBUS_VERSION(5, 0)
#define VMBUS_VERSION_WIN10_V5_1  VMBUS_VERSION(5, 1)
#define VMBUS_VERSION_WIN10_V5_2  VMBUS_VERSION(5, 2)
#define VMBUS_VERSION_WIN10_V5_3  VMBUS_VERSION(5, 3)
/* kvmbus serves 3.0 .. 5.3. */
#define VMBUS_VERSION_HOST_MIN    VMBUS_VERSION_WIN8_1
#define VMBUS_VERSION_HOST_MAX    VMBUS_VERSION_WIN10_V5_3

/* ---- Connection ids and SINT (facts §4.4) ------------------------- */
#define VMBUS_MESSAGE_CONNECTION_ID    1u  /* control messages, < 5.0 */
#define VMBUS_MESSAGE_CONNECTION_ID_4  4u  /* INITIATE_CONTACT, >= 5.0 */
#define VMBUS_MESSAGE_SINT             2u
#define VMBUS_HOST_CALLBACK_VECTOR     0xF3u /* what Linux programs */
/* kvmbus hands each channel the signalling connection id
 * VMBUS_CHANNEL_CONN_BASE + relid. */
#define VMBUS_CHANNEL_CONN_BASE        0x2000u
#define VMBUS_MAX_RELID                2047u

/* ---- Channel-management messages (facts §5.1, §5.3) ---------------- */
enum vmbus_msgtype {
	VMBUS_MSG_INVALID = 0,
	VMBUS_MSG_OFFERCHANNEL = 1,
	VMBUS_MSG_RESCIND_CHANNELOFFER = 2,
	VMBUS_MSG_REQUESTOFFERS = 3,
	VMBUS_MSG_ALLOFFERS_DELIVERED = 4,
	VMBUS_MSG_OPENCHANNEL = 5,
	VMBUS_MSG_OPENCHANNEL_RESULT = 6,
	VMBUS_MSG_CLOSECHANNEL = 7,
	VMBUS_MSG_GPADL_HEADER = 8,
	VMBUS_MSG_GPADL_BODY = 9,
	VMBUS_MSG_GPADL_CREATED = 10,
	VMBUS_MSG_GPADL_TEARDOWN = 11,
	VMBUS_MSG_GPADL_TORNDOWN = 12,
	VMBUS_MSG_RELID_RELEASED = 13,
	VMBUS_MSG_INITIATE_CONTACT = 14,
	VMBUS_MSG_VERSION_RESPONSE = 15,
	VMBUS_MSG_UNLOAD = 16,
	VMBUS_MSG_UNLOAD_RESPONSE = 17,
	VMBUS_MSG_MODIFYCHANNEL = 22,
	VMBUS_MSG_MODIFYCHANNEL_RESPONSE = 24,
	VMBUS_MSG_COUNT = 25,
};

struct vmbus_msg_header {
	uint32_t msgtype;
	uint32_t padding;
} __attribute__((packed));

struct vmbus_msg_initiate_contact {
	struct vmbus_msg_header hdr;
	uint32_t version;
	uint32_t target_vcpu;         /* VP that receives host messages */
	union {
		uint64_t interrupt_page;  /* < 5.0 */
		struct {
			uint8_t msg_sint;     /* >= 5.0 */
			uint8_t msg_vtl;
			uint8_t reserved[2];
			uint32_t feature_flags;
		} __attribute__((packed));
	};
	uint64_t monitor_page1;
	uint64_t monitor_page2;
} __attribute__((packed));

struct vmbus_msg_version_response {
	struct vmbus_msg_header hdr;
	uint8_t version_supported;
	uint8_t connection_state;
	uint16_t padding;
	uint32_t msg_conn_id;         /* >= 5.0: connection id for later messages */
} __attribute__((packed));

struct vmbus_msg_offer_channel {
	struct vmbus_msg_header hdr;
	struct vmbus_guid if_type;
	struct vmbus_guid if_instance;
	uint64_t reserved1;
	uint64_t reserved2;
	uint16_t chn_flags;
	uint16_t mmio_megabytes;
	uint8_t user_def[120];
	uint16_t sub_channel_index;
	uint16_t reserved3;
	uint32_t child_relid;
	uint8_t monitorid;
	uint8_t monitor_allocated;    /* bit 0; kvmbus always 0 */
	uint16_t is_dedicated_interrupt;
	uint32_t connection_id;       /* for HvSignalEvent */
} __attribute__((packed));

struct vmbus_msg_relid {         /* RESCIND_CHANNELOFFER, CLOSECHANNEL,
				   RELID_RELEASED */
	struct vmbus_msg_header hdr;
	uint32_t child_relid;
} __attribute__((packed));

struct vmbus_msg_open_channel {
	struct vmbus_msg_header hdr;
	uint32_t child_relid;
	uint32_t openid;
	uint32_t ringbuffer_gpadl;
	uint32_t target_vp;
	uint32_t downstream_ring_pageoffset; /* in 4 KiB pages */
	uint8_t userdata[120];
} __attribute__((packed));

struct vmbus_msg_open_result {
	struct vmbus_msg_header hdr;
	uint32_t child_relid;
	uint32_t openid;
	uint32_t status;              /* 0 = success */
} __attribute__((packed));

struct vmbus_gpa_range {
	uint32_t byte_count;
	uint32_t byte_offset;
	uint64_t pfn_array[];
} __attribute__((packed));

struct vmbus_msg_gpadl_header {
	struct vmbus_msg_header hdr;
	uint32_t child_relid;
	uint32_t gpadl;
	uint16_t range_buflen;        /* bytes of all ranges incl. PFNs */
	uint16_t rangecount;
	/* struct vmbus_gpa_range range[] follows */
} __attribute__((packed));

struct vmbus_msg_gpadl_body {
	struct vmbus_msg_header hdr;
	uint32_t msgnumber;
	uint32_t gpadl;
	uint64_t pfn[];
} __attribute__((packed));

struct vmbus_msg_gpadl_created {
	struct vmbus_msg_header hdr;
	uint32_t child_relid;
	uint32_t gpadl;
	uint32_t creation_status;     /* 0 = success */
} __attribute__((packed));

struct vmbus_msg_gpadl_teardown {
	struct vmbus_msg_header hdr;
	uint32_t child_relid;
	uint32_t gpadl;
} __attribute__((packed));

struct vmbus_msg_gpadl_torndown {
	struct vmbus_msg_header hdr;
	uint32_t gpadl;
} __attribute__((packed));

struct vmbus_msg_modify_channel {
	struct vmbus_msg_header hdr;
	uint32_t child_relid;
	uint32_t target_vp;
} __attribute__((packed));

struct vmbus_msg_modify_channel_response {
	struct vmbus_msg_header hdr;
	uint32_t child_relid;
	uint32_t status;
} __attribute__((packed));

_Static_assert(sizeof(struct vmbus_msg_initiate_contact) == 40, "initiate");
_Static_assert(sizeof(struct vmbus_msg_version_response) == 16, "version");
_Static_assert(sizeof(struct vmbus_msg_offer_channel) == 196, "offer");
_Static_assert(sizeof(struct vmbus_msg_open_channel) == 148, "open");
_Static_assert(sizeof(struct vmbus_msg_open_result) == 20, "open result");
_Static_assert(sizeof(struct vmbus_msg_gpadl_header) == 20, "gpadl hdr");
_Static_assert(sizeof(struct vmbus_msg_gpadl_body) == 16, "gpadl body");
_Static_assert(sizeof(struct vmbus_msg_gpadl_created) == 20, "gpadl created");
_Static_assert(sizeof(struct vmbus_msg_gpadl_torndown) == 12, "torndown");

/* Status kvmbus puts in GPADL_CREATED / OPENCHANNEL_RESULT on refusal. */
#define VMBUS_STATUS_FAILURE      0xC0000001u

/* ---- Ring buffers (facts §6) --------------------------------------- */
#define VMBUS_PAGE_SIZE           4096u
#define VMBUS_RING_FEAT_PENDING_SEND_SZ 0x1u

struct vmbus_ring_header {
	volatile uint32_t write_index;    /* byte offset into the data area */
	volatile uint32_t read_index;
	volatile uint32_t interrupt_mask; /* reader: 1 = do not signal me */
	volatile uint32_t pending_send_sz;/* writer waits for this many bytes */
	uint32_t reserved1[12];
	uint32_t feature_bits;            /* bit 0: pending_send_sz honoured */
	uint8_t reserved2[VMBUS_PAGE_SIZE - 68];
} __attribute__((packed));
_Static_assert(sizeof(struct vmbus_ring_header) == VMBUS_PAGE_SIZE, "ring hdr");

/* Packet types (facts §6.3). */
#define VMBUS_PKT_DATA_INBAND     0x6u
#define VMBUS_PKT_DATA_GPA_DIRECT 0x9u
#define VMBUS_PKT_COMP            0xBu
#define VMBUS_PKT_FLAG_COMPLETION_REQUESTED 0x1u

struct vmbus_packet_desc {
	uint16_t type;
	uint16_t offset8;             /* header length in qwords */
	uint16_t len8;                /* packet length in qwords, no trailer */
	uint16_t flags;
	uint64_t trans_id;
} __attribute__((packed));
_Static_assert(sizeof(struct vmbus_packet_desc) == 16, "desc");

/* The u64 after every packet: its start offset in the ring << 32. */
#define VMBUS_PKT_TRAILER_SIZE    8u

/* ---- Ring arithmetic both sides share ------------------------------ */
/* Bytes a reader can take from a ring whose data area is `size` bytes. */
static inline uint32_t vmbus_ring_avail_read(uint32_t write, uint32_t read,
					     uint32_t size)
{
	return write >= read ? write - read : size - read + write;
}

/* Bytes a writer can still add.  The writer never fills the ring
 * completely (read == write means empty), so one 8-byte slot stays free. */
static inline uint32_t vmbus_ring_avail_write(uint32_t write, uint32_t read,
					      uint32_t size)
{
	return size - vmbus_ring_avail_read(write, read, size);
}

/* A writer may add `bytes` only if that leaves at least one byte free:
 * Linux refuses when free <= needed, and so does kvmbus. */
static inline int vmbus_ring_can_write(uint32_t write, uint32_t read,
				       uint32_t size, uint32_t bytes)
{
	return bytes < vmbus_ring_avail_write(write, read, size);
}

/* Ring bytes one packet occupies: descriptor + payload padded to 8 + trailer. */
static inline uint32_t vmbus_packet_ring_bytes(uint32_t desc_and_payload)
{
	return ((desc_and_payload + 7u) & ~7u) + VMBUS_PKT_TRAILER_SIZE;
}

/* Writer -> reader rule: signal only if the reader has not masked
 * interrupts and the ring was empty before this write (§6.5). */
static inline int vmbus_ring_should_signal_reader(uint32_t old_write,
						  uint32_t read,
						  uint32_t interrupt_mask)
{
	return interrupt_mask == 0 && old_write == read;
}

/* Reader -> writer rule: signal iff the writer announced it waits for
 * pending bytes, was blocked before this read (free <= pending) and now
 * has room (free > pending) (§6.5). */
static inline int vmbus_ring_should_signal_writer(uint32_t feature_bits,
						  uint32_t pending_send_sz,
						  uint32_t free_before,
						  uint32_t free_after)
{
	if (!(feature_bits & VMBUS_RING_FEAT_PENDING_SEND_SZ) || !pending_send_sz)
		return 0;
	return free_before <= pending_send_sz && free_after > pending_send_sz;
}

#endif
