/* SPDX-License-Identifier: MIT */
/*
 * The synthvid protocol as Linux's hyperv_drm speaks it (facts §8),
 * without I/O: which versions to ask for, how packets are framed, how the
 * supported-resolutions answer is read and which mode the test kernel
 * takes.  Pure C, tested on the host (tests/unit/test_guest_video.c).
 */
#ifndef GUEST_VIDEO_PROTO_H
#define GUEST_VIDEO_PROTO_H

#include <stdbool.h>
#include <stdint.h>

#include "vmbus/abi/synthvid_abi.h"

#define VIDEO_MAX_VERSIONS 3u
/* The mode the test kernel wants: small, so drawing stays cheap (KVM
 * facts doc), and in every version's range. */
#define VIDEO_WANT_WIDTH   640u
#define VIDEO_WANT_HEIGHT  480u
/* hyperv_drm asks for up to 64 resolutions (facts §8.4). */
#define VIDEO_RESOLUTION_QUERY_MAX SYNTHVID_MAX_RESOLUTIONS

/* facts §8.2, Linux's choice by negotiated VMBus version: 4.0 or 5.0 ->
 * 3.5, 3.2, 3.0; 2.4 or 3.0 -> 3.2, 3.0; 0.13 or 1.1 -> 3.0; any other
 * (4.1, 5.1, 5.2, 5.3, ...) -> 3.5 only.  Fills out[] newest first and
 * returns how many. */
unsigned video_versions_for(uint32_t vmbus_version,
			    uint32_t out[VIDEO_MAX_VERSIONS]);

/* Pipe header + synthvid header + body into buf (facts §8.3; both sizes
 * as Linux writes them: pipe size = 8 + body, synthvid size = 8 + body).
 * Returns the packet length, 0 if it does not fit cap. */
uint32_t video_msg_build(void *buf, uint32_t cap, uint32_t type,
			 const void *body, uint32_t body_len);

struct video_msg {
	uint32_t type;
	const uint8_t *body;
	uint32_t body_len;
};

/* Split a host packet.  False unless it carries both headers and the
 * pipe type is DATA -- Linux accepts nothing else (facts §8.3). */
bool video_msg_parse(const void *pkt, uint32_t len, struct video_msg *m);

struct video_resolutions {
	unsigned count;
	unsigned default_index;
	struct synthvid_resolution list[SYNTHVID_MAX_RESOLUTIONS];
};

enum video_res_result {
	VIDEO_RES_OK = 0,
	VIDEO_RES_TRUNCATED,          /* shorter than its count says */
	VIDEO_RES_EMPTY,              /* count 0: Linux's error */
	VIDEO_RES_BAD_DEFAULT,        /* default index >= count: error */
};

/* Read a RESOLUTION_RESPONSE body (facts §8.4: 128-byte EDID, count,
 * default index, is_standard, {u16 w, u16 h}[count]) with Linux's
 * checks (facts §8.5 step 3). */
enum video_res_result video_parse_resolutions(const uint8_t *body,
					      uint32_t len,
					      struct video_resolutions *out);
const char *video_res_result_name(enum video_res_result r);

struct video_mode {
	uint32_t width, height;
	uint32_t depth_bits;          /* 32, or 16 for version 3.0 */
	uint32_t pitch;               /* bytes per row */
};

/* Depth for a synthvid version: 16 for 3.0 (WIN7), else 32 (§8.2). */
uint32_t video_depth_for(uint32_t version);
/* width x height at the version's depth, rows packed (pitch = width *
 * bytes per pixel, as hyperv_drm's framebuffer has it). */
struct video_mode video_mode_make(uint32_t width, uint32_t height,
				  uint32_t version);
bool video_mode_fits(const struct video_mode *m, uint64_t vram_size);

/* The test kernel's choice among the offered modes: 640x480 if offered
 * and it fits the VRAM, else the smallest offered mode that fits.  False
 * if none fits. */
bool video_pick_mode(const struct video_resolutions *r, uint32_t version,
		     uint64_t vram_size, struct video_mode *out);

/* Message bodies as hyperv_drm fills them (facts §8.4). */
struct synthvid_vram_location video_vram_location(uint64_t gpa);
struct synthvid_situation_update video_situation(const struct video_mode *m,
						 bool active);

#endif
