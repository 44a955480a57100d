// SPDX-License-Identifier: MIT
#include "guest/video_proto.h"

#include <stddef.h>

/* VMBus versions (major << 16 | minor, facts §5.2) named in §8.2. */
#define VMBUS_V(maj, min) ((uint32_t)(maj) << 16 | (min))

unsigned video_versions_for(uint32_t vmbus_version,
			    uint32_t out[VIDEO_MAX_VERSIONS])
{
	switch (vmbus_version) {
	case VMBUS_V(4, 0):
	case VMBUS_V(5, 0):
		out[0] = SYNTHVID_VERSION_WIN10;
		out[1] = SYNTHVID_VERSION_WIN8;
		out[2] = SYNTHVID_VERSION_WIN7;
		return 3;
	case VMBUS_V(2, 4):
	case VMBUS_V(3, 0):
		out[0] = SYNTHVID_VERSION_WIN8;
		out[1] = SYNTHVID_VERSION_WIN7;
		return 2;
	case VMBUS_V(0, 13):
	case VMBUS_V(1, 1):
		out[0] = SYNTHVID_VERSION_WIN7;
		return 1;
	default:
		/* Every other version: 3.5, with no fallback. */
		out[0] = SYNTHVID_VERSION_WIN10;
		return 1;
	}
}

static void put_bytes(uint8_t *dst, const void *src, uint32_t n)
{
	const uint8_t *s = src;

	for (uint32_t i = 0; i < n; i++)
		dst[i] = s[i];
}

uint32_t video_msg_build(void *buf, uint32_t cap, uint32_t type,
			 const void *body, uint32_t body_len)
{
	uint32_t total = (uint32_t)SYNTHVID_HDRS_SIZE + body_len;
	struct synthvid_msg_hdr vid = {
		.type = type,
		.size = (uint32_t)sizeof(struct synthvid_msg_hdr) + body_len,
	};
	struct pipe_msg_hdr pipe = { .type = PIPE_MSG_DATA, .size = vid.size };
	uint8_t *p = buf;

	if (body_len > cap || total > cap)
		return 0;
	put_bytes(p, &pipe, sizeof(pipe));
	put_bytes(p + sizeof(pipe), &vid, sizeof(vid));
	put_bytes(p + SYNTHVID_HDRS_SIZE, body, body_len);
	return total;
}

bool video_msg_parse(const void *pkt, uint32_t len, struct video_msg *m)
{
	const uint8_t *p = pkt;
	struct pipe_msg_hdr pipe;
	struct synthvid_msg_hdr vid;

	if (len < SYNTHVID_HDRS_SIZE)
		return false;
	put_bytes((uint8_t *)&pipe, p, sizeof(pipe));
	put_bytes((uint8_t *)&vid, p + sizeof(pipe), sizeof(vid));
	if (pipe.type != PIPE_MSG_DATA)
		return false;
	/* Linux does not check the synthvid size field on receive, and the
	 * two conventions differ (facts §8.3): the packet length rules. */
	m->type = vid.type;
	m->body = p + SYNTHVID_HDRS_SIZE;
	m->body_len = len - (uint32_t)SYNTHVID_HDRS_SIZE;
	return true;
}

enum video_res_result video_parse_resolutions(const uint8_t *body,
					      uint32_t len,
					      struct video_resolutions *out)
{
	const uint32_t fixed = offsetof(struct synthvid_resolution_resp,
					supported_resolution);

	out->count = 0;
	out->default_index = 0;
	if (len < fixed)
		return VIDEO_RES_TRUNCATED;

	unsigned count = body[SYNTHVID_EDID_SIZE];
	unsigned def = body[SYNTHVID_EDID_SIZE + 1];

	if (count > SYNTHVID_MAX_RESOLUTIONS ||
	    len < fixed + count * sizeof(struct synthvid_resolution))
		return VIDEO_RES_TRUNCATED;
	if (count == 0)
		return VIDEO_RES_EMPTY;
	if (def >= count)
		return VIDEO_RES_BAD_DEFAULT;
	for (unsigned i = 0; i < count; i++) {
		const uint8_t *e = body + fixed + i * 4;

		out->list[i].width = (uint16_t)(e[0] | e[1] << 8);
		out->list[i].height = (uint16_t)(e[2] | e[3] << 8);
	}
	out->count = count;
	out->default_index = def;
	return VIDEO_RES_OK;
}

const char *video_res_result_name(enum video_res_result r)
{
	switch (r) {
	case VIDEO_RES_OK:
		return "ok";
	case VIDEO_RES_TRUNCATED:
		return "truncated";
	case VIDEO_RES_EMPTY:
		return "no resolutions";
	case VIDEO_RES_BAD_DEFAULT:
		return "default index out of range";
	}
	return "?";
}

uint32_t video_depth_for(uint32_t version)
{
	return version == SYNTHVID_VERSION_WIN7 ? 16 : 32;
}

struct video_mode video_mode_make(uint32_t width, uint32_t height,
				  uint32_t version)
{
	struct video_mode m = {
		.width = width,
		.height = height,
		.depth_bits = video_depth_for(version),
	};

	m.pitch = width * (m.depth_bits / 8);
	return m;
}

bool video_mode_fits(const struct video_mode *m, uint64_t vram_size)
{
	return m->width && m->height &&
	       (uint64_t)m->pitch * m->height <= vram_size;
}

bool video_pick_mode(const struct video_resolutions *r, uint32_t version,
		     uint64_t vram_size, struct video_mode *out)
{
	bool found = false;
	uint64_t best_area = 0;

	for (unsigned i = 0; i < r->count; i++) {
		struct video_mode m = video_mode_make(r->list[i].width,
						      r->list[i].height,
						      version);
		uint64_t area = (uint64_t)m.width * m.height;

		if (!video_mode_fits(&m, vram_size))
			continue;
		if (m.width == VIDEO_WANT_WIDTH && m.height == VIDEO_WANT_HEIGHT) {
			*out = m;
			return true;
		}
		if (!found || area < best_area) {
			*out = m;
			best_area = area;
			found = true;
		}
	}
	return found;
}

struct synthvid_vram_location video_vram_location(uint64_t gpa)
{
	/* hyperv_drm passes the GPA as the user context too; the host must
	 * echo it in the ACK (facts §8.4). */
	return (struct synthvid_vram_location){
		.user_ctx = gpa,
		.is_vram_gpa_specified = 1,
		.vram_gpa = gpa,
	};
}

struct synthvid_situation_update video_situation(const struct video_mode *m,
						 bool active)
{
	struct synthvid_situation_update su = {
		.user_ctx = 0,
		.video_output_count = 1,
	};

	su.output[0].active = active;
	su.output[0].vram_offset = 0;   /* must be 0 (facts §8.4) */
	su.output[0].depth_bits = (uint8_t)m->depth_bits;
	su.output[0].width_pixels = m->width;
	su.output[0].height_pixels = m->height;
	su.output[0].pitch_bytes = m->pitch;
	return su;
}
