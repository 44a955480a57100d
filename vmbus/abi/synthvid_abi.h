/* SPDX-License-Identifier: MIT */
/*
 * Synthetic video (synthvid) wire format, shared by the host service and
 * the guest's framebuffer client.  facts §8.  Packed, little-endian.
 *
 * Each VMBus in-band packet = pipe header + synthvid header + body.
 */
#ifndef KVMBUS_SYNTHVID_ABI_H
#define KVMBUS_SYNTHVID_ABI_H

#include <stdint.h>

/* Versions: minor << 16 | major -- the opposite of VMBus (facts §8.2). */
#define SYNTHVID_VERSION(maj, min) (((uint32_t)(min) << 16) | (uint32_t)(maj))
#define SYNTHVID_VERSION_WIN7      SYNTHVID_VERSION(3, 0)
#define SYNTHVID_VERSION_WIN8      SYNTHVID_VERSION(3, 2)
#define SYNTHVID_VERSION_WIN10     SYNTHVID_VERSION(3, 5)
#define SYNTHVID_VERSION_MAJOR(v)  ((v) & 0xFFFF)
#define SYNTHVID_VERSION_MINOR(v)  ((v) >> 16)

#define SYNTHVID_DEFAULT_MMIO_MB   8u
#define SYNTHVID_RING_SIZE         (256u * 1024u)
#define SYNTHVID_VRAM_ALIGN        0x100000u   /* hyperv_drm: 1 MiB */
#define SYNTHVID_MAX_RESOLUTIONS   64u
#define SYNTHVID_EDID_SIZE         128u
#define SYNTHVID_MAX_DIRT_RECTS    255u
#define SYNTHVID_MAX_POINTER_DIM   96u

/* Pipe header (facts §8.3). */
#define PIPE_MSG_DATA              1u
struct pipe_msg_hdr {
	uint32_t type;                /* PIPE_MSG_DATA */
	uint32_t size;                /* bytes after this header */
} __attribute__((packed));

enum synthvid_msg_type {
	SYNTHVID_ERROR = 0,
	SYNTHVID_VERSION_REQUEST = 1,
	SYNTHVID_VERSION_RESPONSE = 2,
	SYNTHVID_VRAM_LOCATION = 3,
	SYNTHVID_VRAM_LOCATION_ACK = 4,
	SYNTHVID_SITUATION_UPDATE = 5,
	SYNTHVID_SITUATION_UPDATE_ACK = 6,
	SYNTHVID_POINTER_POSITION = 7,
	SYNTHVID_POINTER_SHAPE = 8,
	SYNTHVID_FEATURE_CHANGE = 9,
	SYNTHVID_DIRT = 10,
	SYNTHVID_RESOLUTION_REQUEST = 13,
	SYNTHVID_RESOLUTION_RESPONSE = 14,
	SYNTHVID_MSG_TYPE_COUNT = 15,
};

/* Linux puts header + body in size; OpenVMM the body only (facts §8.3).
 * The host accepts either and sends header + body. */
struct synthvid_msg_hdr {
	uint32_t type;
	uint32_t size;
} __attribute__((packed));

#define SYNTHVID_HDRS_SIZE (sizeof(struct pipe_msg_hdr) + sizeof(struct synthvid_msg_hdr))

struct synthvid_version_req {
	uint32_t version;
} __attribute__((packed));

struct synthvid_version_resp {
	uint32_t version;
	uint8_t is_accepted;
	uint8_t max_video_outputs;
} __attribute__((packed));

struct synthvid_vram_location {
	uint64_t user_ctx;            /* Linux: the GPA */
	uint8_t is_vram_gpa_specified;
	uint64_t vram_gpa;
} __attribute__((packed));

struct synthvid_vram_location_ack {
	uint64_t user_ctx;            /* must echo the GPA */
} __attribute__((packed));

struct synthvid_video_output {
	uint8_t active;
	uint32_t vram_offset;         /* must be 0 */
	uint8_t depth_bits;           /* 32 (16 for 3.0) */
	uint32_t width_pixels;
	uint32_t height_pixels;
	uint32_t pitch_bytes;
} __attribute__((packed));

struct synthvid_situation_update {
	uint64_t user_ctx;
	uint8_t video_output_count;   /* 1 */
	struct synthvid_video_output output[1];
} __attribute__((packed));

struct synthvid_situation_update_ack {
	uint64_t user_ctx;
} __attribute__((packed));

struct synthvid_pointer_position {
	uint8_t is_visible;
	uint8_t video_output;
	int32_t image_x;
	int32_t image_y;
} __attribute__((packed));

struct synthvid_pointer_shape {
	uint8_t part_idx;             /* 0xFF: complete */
	uint8_t is_argb;
	uint32_t width;
	uint32_t height;
	uint32_t hot_x;
	uint32_t hot_y;
	uint8_t data[4];
} __attribute__((packed));

struct synthvid_feature_change {
	uint8_t is_dirt_needed;
	uint8_t is_ptr_pos_needed;
	uint8_t is_ptr_shape_needed;
	uint8_t is_situ_needed;
} __attribute__((packed));

struct synthvid_rect {
	int32_t x1, y1;               /* inclusive */
	int32_t x2, y2;               /* exclusive */
} __attribute__((packed));

struct synthvid_dirt {
	uint8_t video_output;
	uint8_t dirt_count;
	struct synthvid_rect rect[];
} __attribute__((packed));

struct synthvid_resolution_req {
	uint8_t maximum_resolution_count;
} __attribute__((packed));

struct synthvid_resolution {
	uint16_t width;
	uint16_t height;
} __attribute__((packed));

struct synthvid_resolution_resp {
	uint8_t edid_block[SYNTHVID_EDID_SIZE];
	uint8_t resolution_count;
	uint8_t default_resolution_index;
	uint8_t is_standard;
	struct synthvid_resolution supported_resolution[SYNTHVID_MAX_RESOLUTIONS];
} __attribute__((packed));

_Static_assert(sizeof(struct synthvid_version_resp) == 6, "version resp");
_Static_assert(sizeof(struct synthvid_vram_location) == 17, "vram location");
_Static_assert(sizeof(struct synthvid_situation_update) == 27, "situation");
_Static_assert(sizeof(struct synthvid_pointer_position) == 10, "pointer pos");
_Static_assert(sizeof(struct synthvid_dirt) == 2, "dirt");
_Static_assert(sizeof(struct synthvid_rect) == 16, "rect");

#endif
