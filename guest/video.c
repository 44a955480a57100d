// SPDX-License-Identifier: MIT
/*
 * hyperv_drm's sequence (facts §8.5) against the host's synthvid service:
 *   OPENCHANNEL -> VERSION_REQUEST walk (§8.2) -> RESOLUTION_REQUEST
 *   (>= 3.5) -> VRAM from the MMIO allocator (min 0, max -1, 1 MiB
 *   aligned, fb_overlap_ok, §9.4) -> VRAM_LOCATION / ACK echoing the GPA
 *   -> SITUATION_UPDATE -> (FEATURE_CHANGE asked for dirt) pointer hidden
 *   -> pixels -> DIRT.
 * Linux never asks for completions on this channel (§8.3): every packet
 * is in-band, flags 0.
 */
#include "guest/video.h"

#include "guest/font.h"
#include "guest/lib/report.h"

#define VIDEO_TARGET_VP     0u        /* host interrupts to the BSP */
#define VIDEO_WAIT_SPINS    200000u   /* polls per packet awaited */
/* Packets read while waiting for one answer before giving up. */
#define VIDEO_MAX_STRAY     16u
#define VIDEO_BUF_SIZE      512u      /* > RESOLUTION_RESPONSE's 403 */
#define MIB                 (1024ull * 1024ull)

#define TITLE_SCALE         4u
#define LINE_SCALE          2u
#define MARGIN              16u

static bool send_msg(struct video *v, uint32_t type, const void *body,
		     uint32_t body_len)
{
	uint8_t buf[VIDEO_BUF_SIZE];
	uint32_t len = video_msg_build(buf, sizeof(buf), type, body, body_len);

	if (!len)
		return false;
	return guest_channel_send(&v->ch, VMBUS_PKT_DATA_INBAND, 0,
				  v->ch.next_trans_id++, buf, len) == 0;
}

/* A message the host may send at any time (facts §8.5 step 6). */
static void note_feature_change(struct video *v, const struct video_msg *m)
{
	if (m->body_len >= 1)
		v->dirt_needed = m->body[0] != 0;
}

/* Wait for a message of `type`; its body (up to cap bytes) goes to
 * body, its length to *body_len.  FEATURE_CHANGE is noted on the way,
 * anything else counted as unexpected. */
static bool wait_msg(struct video *v, uint32_t type, uint8_t *body,
		     uint32_t cap, uint32_t *body_len)
{
	uint8_t buf[VIDEO_BUF_SIZE];

	for (unsigned n = 0; n < VIDEO_MAX_STRAY; n++) {
		struct vmbus_packet_desc desc;
		struct video_msg m;
		uint32_t len = 0;
		int rc = guest_channel_recv(&v->ch, &desc, buf, sizeof(buf),
					    &len, VIDEO_WAIT_SPINS);

		if (rc <= 0)
			return false;
		if (len > sizeof(buf))
			len = sizeof(buf);
		if (desc.type != VMBUS_PKT_DATA_INBAND ||
		    !video_msg_parse(buf, len, &m)) {
			v->unexpected++;
			continue;
		}
		if (m.type == type) {
			uint32_t n_copy = m.body_len < cap ? m.body_len : cap;

			for (uint32_t i = 0; i < n_copy; i++)
				body[i] = m.body[i];
			*body_len = m.body_len;
			return true;
		}
		if (m.type == SYNTHVID_FEATURE_CHANGE)
			note_feature_change(v, &m);
		else
			v->unexpected++;
	}
	return false;
}

/* Drain what the host sent without being asked (FEATURE_CHANGE after the
 * version handshake): look once, without waiting. */
static void drain(struct video *v)
{
	uint8_t buf[VIDEO_BUF_SIZE];

	for (unsigned n = 0; n < VIDEO_MAX_STRAY; n++) {
		struct vmbus_packet_desc desc;
		struct video_msg m;
		uint32_t len = 0;

		if (guest_channel_recv(&v->ch, &desc, buf, sizeof(buf), &len,
				       0) <= 0)
			return;
		if (len > sizeof(buf))
			len = sizeof(buf);
		if (desc.type == VMBUS_PKT_DATA_INBAND &&
		    video_msg_parse(buf, len, &m) &&
		    m.type == SYNTHVID_FEATURE_CHANGE)
			note_feature_change(v, &m);
		else
			v->unexpected++;
	}
}

static bool negotiate(struct video *v, uint32_t vmbus_version)
{
	uint32_t versions[VIDEO_MAX_VERSIONS];
	unsigned n = video_versions_for(vmbus_version, versions);

	for (unsigned i = 0; i < n; i++) {
		struct synthvid_version_req req = { .version = versions[i] };
		struct synthvid_version_resp resp = { 0 };
		uint32_t len = 0;

		if (!send_msg(v, SYNTHVID_VERSION_REQUEST, &req, sizeof(req)) ||
		    !wait_msg(v, SYNTHVID_VERSION_RESPONSE, (uint8_t *)&resp,
			      sizeof(resp), &len) || len < sizeof(resp))
			break;
		/* Linux only tests is_accepted != 0 (facts §8.2). */
		if (resp.is_accepted) {
			v->version = versions[i];
			break;
		}
	}
	return report(v->version != 0,
		      "synthvid: version %u.%u accepted (Linux's walk for VMBus %u.%u: %u version%s, newest %u.%u)",
		      SYNTHVID_VERSION_MAJOR(v->version),
		      SYNTHVID_VERSION_MINOR(v->version), vmbus_version >> 16,
		      vmbus_version & 0xFFFF, n, n == 1 ? "" : "s",
		      SYNTHVID_VERSION_MAJOR(versions[0]),
		      SYNTHVID_VERSION_MINOR(versions[0]));
}

static bool choose_mode(struct video *v)
{
	static struct video_resolutions res;
	uint8_t body[VIDEO_BUF_SIZE];
	uint32_t len = 0;

	if (v->version < SYNTHVID_VERSION_WIN10) {
		/* No resolution query before 3.5 (facts §8.5 step 3). */
		v->mode = video_mode_make(VIDEO_WANT_WIDTH, VIDEO_WANT_HEIGHT,
					  v->version);
		return report(video_mode_fits(&v->mode, v->vram_size),
			      "synthvid: mode %ux%ux%u (no resolution query before 3.5)",
			      v->mode.width, v->mode.height, v->mode.depth_bits);
	}

	struct synthvid_resolution_req req = {
		.maximum_resolution_count = VIDEO_RESOLUTION_QUERY_MAX,
	};
	enum video_res_result r = VIDEO_RES_TRUNCATED;
	bool got = send_msg(v, SYNTHVID_RESOLUTION_REQUEST, &req, sizeof(req)) &&
		   wait_msg(v, SYNTHVID_RESOLUTION_RESPONSE, body, sizeof(body),
			    &len);

	if (got)
		r = video_parse_resolutions(body, len < sizeof(body) ? len
								 : sizeof(body),
					    &res);
	bool picked = r == VIDEO_RES_OK &&
		      video_pick_mode(&res, v->version, v->vram_size, &v->mode);
	const struct synthvid_resolution *def =
		r == VIDEO_RES_OK ? &res.list[res.default_index] : NULL;
	const char *why = !got ? "no RESOLUTION_RESPONSE" :
			  r != VIDEO_RES_OK ? video_res_result_name(r) : "";

	return report(picked,
		      "synthvid: %u resolutions offered (default %ux%u)%s%s; mode %ux%ux%u picked",
		      res.count, def ? def->width : 0, def ? def->height : 0,
		      *why ? ": " : "", why, v->mode.width, v->mode.height,
		      v->mode.depth_bits);
}

static bool place_vram(struct video *v, uint16_t mmio_megabytes)
{
	uint64_t gpa = 0;
	int rc = PCIF_MMIO_INVALID;

	v->vram_size = (uint64_t)mmio_megabytes * MIB;
	if (v->vram_size)
		rc = pcif_mmio_allocate_vram(v->mmio, v->vram_size,
					     "hyperv_drm", &gpa);
	v->vram_allocated = rc == PCIF_MMIO_OK;
	v->vram_gpa = v->vram_allocated ? gpa : 0;
	return report(v->vram_allocated,
		      "synthvid: %u MiB of VRAM from the MMIO allocator at 0x%lx (fb_overlap_ok%s)",
		      mmio_megabytes, (unsigned long)v->vram_gpa,
		      v->mmio->has_fb ? ", framebuffer reserved" :
					", no framebuffer reserved");
}

static bool locate_vram(struct video *v)
{
	struct synthvid_vram_location loc = video_vram_location(v->vram_gpa);
	struct synthvid_vram_location_ack ack = { 0 };
	uint32_t len = 0;
	bool got = send_msg(v, SYNTHVID_VRAM_LOCATION, &loc, sizeof(loc)) &&
		   wait_msg(v, SYNTHVID_VRAM_LOCATION_ACK, (uint8_t *)&ack,
			    sizeof(ack), &len) && len >= sizeof(ack);

	/* The ACK must echo the GPA (facts §8.4); only then is the range
	 * memory the guest may write (§8.5 step 4). */
	v->vram_acked = got && ack.user_ctx == v->vram_gpa;
	return report(v->vram_acked,
		      "synthvid: VRAM_LOCATION_ACK echoes the GPA 0x%lx (got %s0x%lx)",
		      (unsigned long)v->vram_gpa, got ? "" : "nothing, ",
		      (unsigned long)ack.user_ctx);
}

static bool set_mode(struct video *v)
{
	struct synthvid_situation_update su = video_situation(&v->mode, true);
	struct synthvid_situation_update_ack ack = { 0 };
	uint32_t len = 0;
	/* Linux ignores the ACK; waiting for it shows the host took the
	 * mode before any pixel is drawn. */
	bool ok = send_msg(v, SYNTHVID_SITUATION_UPDATE, &su, sizeof(su)) &&
		  wait_msg(v, SYNTHVID_SITUATION_UPDATE_ACK, (uint8_t *)&ack,
			   sizeof(ack), &len);

	drain(v);
	return report(ok, "synthvid: mode %ux%ux%u pitch %u set (SITUATION_UPDATE acknowledged)",
		      v->mode.width, v->mode.height, v->mode.depth_bits,
		      v->mode.pitch);
}

/* hyperv_drm, once dirt is needed: pointer visible at 0,0 with a 1x1
 * transparent shape, which hides the host's cursor (facts §8.5 step 6). */
static bool hide_pointer(struct video *v)
{
	struct synthvid_pointer_position pos = { .is_visible = 1 };
	struct synthvid_pointer_shape shape = {
		.part_idx = 0xFF,
		.is_argb = 1,
		.width = 1,
		.height = 1,
	};

	return send_msg(v, SYNTHVID_POINTER_POSITION, &pos, sizeof(pos)) &&
	       send_msg(v, SYNTHVID_POINTER_SHAPE, &shape, sizeof(shape));
}

static bool send_dirt(struct video *v, uint32_t y1, uint32_t y2)
{
	struct {
		struct synthvid_dirt hdr;
		struct synthvid_rect rect;
	} __attribute__((packed)) d = {
		.hdr = { .video_output = 0, .dirt_count = 1 },
		.rect = { 0, (int32_t)y1, (int32_t)v->mode.width, (int32_t)y2 },
	};

	return send_msg(v, SYNTHVID_DIRT, &d, sizeof(d));
}

/* Bars over the top half, a dark band for text below; then read back a
 * pixel of the first and of the sixth bar. */
static bool draw_pattern(struct video *v)
{
	struct draw_surface *s = &v->fb;
	uint32_t bar_w = s->width / DRAW_NR_BARS;

	v->band_top = s->height / 2;
	draw_colour_bars(s, 0, v->band_top);
	draw_fill_rect(s, 0, v->band_top, s->width, s->height - v->band_top,
		       DRAW_GREY);

	uint32_t white = draw_pixel(s, bar_w / 2, 1);
	uint32_t red = draw_pixel(s, 5 * bar_w + bar_w / 2, v->band_top - 1);

	return report(white == draw_pixel_value(s, draw_bar_colour(0)) &&
		      red == draw_pixel_value(s, draw_bar_colour(5)),
		      "synthvid: colour bars drawn, VRAM reads back (0x%x white, 0x%x red)",
		      white, red);
}

bool video_up(struct video *v, struct vmbus_client *c,
	      const struct vmbus_offer_info *offer,
	      struct pcif_mmio_alloc *mmio)
{
	uint32_t status = ~0u;

	*v = (struct video){ .mmio = mmio };
	bool opened = guest_channel_open(&v->ch, c, offer, VIDEO_RING_PAGES,
					 VIDEO_RING_PAGES, VIDEO_TARGET_VP,
					 &status);

	if (!report(opened, "synthvid: channel opened (relid %u, %u+%u ring pages, status 0x%x)",
		    offer->relid, VIDEO_RING_PAGES, VIDEO_RING_PAGES, status))
		return false;
	/* The VRAM size comes first: the mode must fit it. */
	v->vram_size = (uint64_t)offer->mmio_megabytes * MIB;
	if (!negotiate(v, c->version) || !choose_mode(v) ||
	    !place_vram(v, offer->mmio_megabytes) || !locate_vram(v) ||
	    !set_mode(v))
		return false;

	v->fb = (struct draw_surface){
		.base = (uint8_t *)(uintptr_t)v->vram_gpa,   /* identity map */
		.width = v->mode.width,
		.height = v->mode.height,
		.pitch = v->mode.pitch,
		.bytes_per_pixel = v->mode.depth_bits / 8,
	};
	v->up = draw_pattern(v);
	/* DIRT only once the host asked for it (facts §8.5 step 6). */
	report(v->dirt_needed && hide_pointer(v) &&
	       send_dirt(v, 0, v->mode.height),
	       "synthvid: host asked for DIRT (FEATURE_CHANGE); pointer hidden, whole screen sent");
	if (v->unexpected)
		report_info("synthvid: %u unexpected host packets", v->unexpected);
	return v->up;
}

void video_show(struct video *v, const char *title, const char *const *lines,
		unsigned nr, const char *result, uint32_t result_rgb)
{
	struct draw_surface *s = &v->fb;
	uint32_t y = v->band_top + MARGIN;

	if (!v->up)
		return;
	draw_fill_rect(s, 0, v->band_top, s->width, s->height - v->band_top,
		       DRAW_GREY);
	draw_text(s, MARGIN, y, TITLE_SCALE, title, DRAW_WHITE);
	y += FONT_HEIGHT * TITLE_SCALE + MARGIN / 2;
	for (unsigned i = 0; i < nr; i++) {
		draw_text(s, MARGIN, y, LINE_SCALE, lines[i], DRAW_CYAN);
		y += FONT_HEIGHT * LINE_SCALE + MARGIN / 4;
	}
	if (s->height > FONT_HEIGHT * TITLE_SCALE + MARGIN)
		draw_text(s, MARGIN, s->height - FONT_HEIGHT * TITLE_SCALE - MARGIN,
			  TITLE_SCALE, result, result_rgb);
	report(!v->dirt_needed || send_dirt(v, v->band_top, s->height),
	       "synthvid: screen shows \"%s\"%s", result,
	       v->dirt_needed ? " (DIRT sent)" : "");
}

void video_down(struct video *v)
{
	if (v->ch.open || v->ch.gpadl)
		report(guest_channel_close(&v->ch),
		       "synthvid: channel closed and ring GPADL torn down");
	if (v->vram_allocated)
		pcif_mmio_free(v->mmio, v->vram_gpa, v->vram_size);
	v->vram_allocated = false;
	v->up = false;
}
