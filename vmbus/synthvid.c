/* SPDX-License-Identifier: MIT */
/*
 * Synthetic video service: the host side of hyperv_drm's protocol
 * (facts §8).  Every guest message is validated before it changes state;
 * a refusal is logged by rule name and the channel keeps working.
 */
#include "vmbus/synthvid.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vmm/log.h"

#define MIB (1024ull * 1024ull)

/* Resolutions offered to >= 3.5 guests: each fits 8 MiB of VRAM at
 * 32 bpp.  The default (index 2) is what a Linux guest picks. */
static const struct synthvid_resolution offered_resolutions[] = {
	{ 640, 480 }, { 800, 600 }, { 1024, 768 }, { 1280, 1024 },
};
#define DEFAULT_RESOLUTION 2
#define MAX_DIMENSION 4096u

static const char *const msg_names[SYNTHVID_MSG_TYPE_COUNT] = {
	[SYNTHVID_ERROR] = "SYNTHVID_ERROR",
	[SYNTHVID_VERSION_REQUEST] = "SYNTHVID_VERSION_REQUEST",
	[SYNTHVID_VERSION_RESPONSE] = "SYNTHVID_VERSION_RESPONSE",
	[SYNTHVID_VRAM_LOCATION] = "SYNTHVID_VRAM_LOCATION",
	[SYNTHVID_VRAM_LOCATION_ACK] = "SYNTHVID_VRAM_LOCATION_ACK",
	[SYNTHVID_SITUATION_UPDATE] = "SYNTHVID_SITUATION_UPDATE",
	[SYNTHVID_SITUATION_UPDATE_ACK] = "SYNTHVID_SITUATION_UPDATE_ACK",
	[SYNTHVID_POINTER_POSITION] = "SYNTHVID_POINTER_POSITION",
	[SYNTHVID_POINTER_SHAPE] = "SYNTHVID_POINTER_SHAPE",
	[SYNTHVID_FEATURE_CHANGE] = "SYNTHVID_FEATURE_CHANGE",
	[SYNTHVID_DIRT] = "SYNTHVID_DIRT",
	[SYNTHVID_RESOLUTION_REQUEST] = "SYNTHVID_RESOLUTION_REQUEST",
	[SYNTHVID_RESOLUTION_RESPONSE] = "SYNTHVID_RESOLUTION_RESPONSE",
};

const char *synthvid_msg_name(uint32_t type)
{
	return type < SYNTHVID_MSG_TYPE_COUNT ? msg_names[type] : NULL;
}

/* ---- replies ------------------------------------------------------- */

static int send_msg(synthvid_send_fn send, void *ctx, uint32_t type,
		    const void *body, uint32_t body_len)
{
	uint8_t buf[SYNTHVID_HDRS_SIZE + sizeof(struct synthvid_resolution_resp)];
	struct pipe_msg_hdr pipe = {
		.type = PIPE_MSG_DATA,
		.size = (uint32_t)sizeof(struct synthvid_msg_hdr) + body_len,
	};
	/* Linux's convention: synthvid size counts header + body (§8.3). */
	struct synthvid_msg_hdr hdr = { .type = type, .size = pipe.size };

	if (body_len > sizeof(buf) - SYNTHVID_HDRS_SIZE)
		return -1;
	memcpy(buf, &pipe, sizeof(pipe));
	memcpy(buf + sizeof(pipe), &hdr, sizeof(hdr));
	memcpy(buf + SYNTHVID_HDRS_SIZE, body, body_len);
	return send(ctx, buf, SYNTHVID_HDRS_SIZE + body_len);
}

/* ---- handlers: each gets the body and its length ------------------- */

static bool version_supported(uint32_t v)
{
	return v == SYNTHVID_VERSION_WIN7 || v == SYNTHVID_VERSION_WIN8 ||
	       v == SYNTHVID_VERSION_WIN10;
}

static int on_version_request(struct synthvid *sv, const uint8_t *body,
			      synthvid_send_fn send, void *ctx)
{
	struct synthvid_version_req req;
	struct synthvid_version_resp resp = { .max_video_outputs = 1 };

	memcpy(&req, body, sizeof(req));
	resp.version = req.version;
	/* Refusing lets the guest fall back to an older version (§8.2). */
	resp.is_accepted = version_supported(req.version);
	if (resp.is_accepted)
		sv->version = req.version;
	else
		log_info("synthvid: version %u.%u not supported",
			 SYNTHVID_VERSION_MAJOR(req.version),
			 SYNTHVID_VERSION_MINOR(req.version));
	if (send_msg(send, ctx, SYNTHVID_VERSION_RESPONSE, &resp, sizeof(resp)))
		return -1;
	if (!resp.is_accepted)
		return 0;
	/* A guest sends DIRT only once the host asks for it (§8.5 step 6). */
	struct synthvid_feature_change fc = { .is_dirt_needed = 1 };
	return send_msg(send, ctx, SYNTHVID_FEATURE_CHANGE, &fc, sizeof(fc));
}

static int on_resolution_request(struct synthvid *sv, const uint8_t *body,
				 synthvid_send_fn send, void *ctx)
{
	struct synthvid_resolution_resp resp;
	uint8_t max = body[0];
	unsigned n = sizeof(offered_resolutions) / sizeof(offered_resolutions[0]);

	if (sv->version < SYNTHVID_VERSION_WIN10) {
		guest_refuse("synthvid.resolution-before-3.5",
			     "RESOLUTION_REQUEST needs version 3.5, negotiated %u.%u",
			     SYNTHVID_VERSION_MAJOR(sv->version),
			     SYNTHVID_VERSION_MINOR(sv->version));
		return -1;
	}
	if (max == 0) {
		guest_refuse("synthvid.resolution-count-zero",
			     "RESOLUTION_REQUEST asks for at most 0 entries");
		return -1;
	}
	if (n > max)
		n = max;
	memset(&resp, 0, sizeof(resp));
	resp.resolution_count = (uint8_t)n;
	resp.default_resolution_index = DEFAULT_RESOLUTION < n ? DEFAULT_RESOLUTION : 0;
	memcpy(resp.supported_resolution, offered_resolutions,
	       n * sizeof(offered_resolutions[0]));
	/* Only the entries in use go on the wire. */
	return send_msg(send, ctx, SYNTHVID_RESOLUTION_RESPONSE, &resp,
			(uint32_t)(offsetof(struct synthvid_resolution_resp,
					    supported_resolution) +
				   n * sizeof(struct synthvid_resolution)));
}

/* Place the VRAM at gpa: claim it in the registry (replacing the old
 * claim only if the new one is accepted), then move the memory. */
static int place_vram(struct synthvid *sv, uint64_t gpa)
{
	struct mmio_claim holder;
	enum mmio_claim_result r;

	/* Already there.  vram_gpa 0 means "not placed", not a place: a
	 * request for GPA 0 goes to the registry and is refused. */
	if (sv->vram_gpa && gpa == sv->vram_gpa)
		return 0;
	r = mmio_registry_move(sv->registry, SYNTHVID_OWNER, MMIO_CLAIM_VRAM,
			       gpa, sv->vram_size, &holder);
	switch (r) {
	case MMIO_CLAIM_OK:
		break;
	case MMIO_CLAIM_OVERLAP:
		guest_refuse("synthvid.vram-overlap",
			     "VRAM [0x%llx, 0x%llx) overlaps %s %s [0x%llx, 0x%llx)",
			     (unsigned long long)gpa,
			     (unsigned long long)(gpa + sv->vram_size), holder.owner,
			     mmio_claim_kind_name(holder.kind),
			     (unsigned long long)holder.base,
			     (unsigned long long)(holder.base + holder.size));
		return -1;
	case MMIO_CLAIM_OUTSIDE_GAPS:
		guest_refuse("synthvid.vram-outside-gaps",
			     "VRAM [0x%llx, +0x%llx) is not inside a VMBus MMIO gap",
			     (unsigned long long)gpa, (unsigned long long)sv->vram_size);
		return -1;
	default:
		guest_refuse("synthvid.vram-refused",
			     "VRAM at 0x%llx refused by the MMIO registry (%d)",
			     (unsigned long long)gpa, (int)r);
		return -1;
	}
	if (sv->vram_gpa && sv->vram_ops.unmap)
		sv->vram_ops.unmap(sv->vram_ops.ctx, sv->vram_gpa, sv->vram_size);
	if (sv->vram_ops.map &&
	    sv->vram_ops.map(sv->vram_ops.ctx, gpa, sv->vram_size, sv->vram)) {
		log_err("synthvid: cannot map VRAM at 0x%llx",
			(unsigned long long)gpa);
		mmio_registry_release(sv->registry, SYNTHVID_OWNER,
				      MMIO_CLAIM_VRAM, gpa);
		sv->vram_gpa = 0;
		return -1;
	}
	sv->vram_gpa = gpa;
	sv->stats.vram_moves++;
	return 0;
}

static int on_vram_location(struct synthvid *sv, const uint8_t *body,
			    synthvid_send_fn send, void *ctx)
{
	struct synthvid_vram_location loc;
	struct synthvid_vram_location_ack ack = { 0 };

	memcpy(&loc, body, sizeof(loc));
	if (!loc.is_vram_gpa_specified) {
		guest_refuse("synthvid.vram-gpa-unspecified",
			     "VRAM_LOCATION without a GPA");
	} else if (loc.vram_gpa & 0xFFF) {
		guest_refuse("synthvid.vram-misaligned",
			     "VRAM GPA 0x%llx is not 4 KiB aligned",
			     (unsigned long long)loc.vram_gpa);
	} else if (place_vram(sv, loc.vram_gpa) == 0) {
		/* The ACK must echo the GPA, or Linux warns (§8.4). */
		ack.user_ctx = loc.user_ctx;
		return send_msg(send, ctx, SYNTHVID_VRAM_LOCATION_ACK, &ack,
				sizeof(ack));
	}
	/* A refusal is an ACK that does not echo the request: the guest
	 * learns at once instead of waiting out its 10 s timeout. */
	ack.user_ctx = ~loc.user_ctx;
	send_msg(send, ctx, SYNTHVID_VRAM_LOCATION_ACK, &ack, sizeof(ack));
	return -1;
}

static int on_situation_update(struct synthvid *sv, const uint8_t *body,
			       synthvid_send_fn send, void *ctx)
{
	struct synthvid_situation_update su;
	const struct synthvid_video_output *o = &su.output[0];
	struct synthvid_situation_update_ack ack;
	unsigned bpp;

	memcpy(&su, body, sizeof(su));
	ack.user_ctx = su.user_ctx;
	if (su.video_output_count != 1) {
		guest_refuse("synthvid.situation-output-count",
			     "SITUATION_UPDATE with %u outputs (1 supported)",
			     su.video_output_count);
		return -1;
	}
	if (!o->active) {
		sv->mode.active = false;
		return send_msg(send, ctx, SYNTHVID_SITUATION_UPDATE_ACK, &ack,
				sizeof(ack));
	}
	bpp = o->depth_bits / 8;
	if ((o->depth_bits != 32 && o->depth_bits != 16) || o->vram_offset != 0 ||
	    o->width_pixels == 0 || o->height_pixels == 0 ||
	    o->width_pixels > MAX_DIMENSION || o->height_pixels > MAX_DIMENSION ||
	    o->pitch_bytes < (uint64_t)o->width_pixels * bpp ||
	    (uint64_t)o->pitch_bytes * o->height_pixels > sv->vram_size) {
		guest_refuse("synthvid.situation-invalid-mode",
			     "mode %ux%u depth %u pitch %u offset %u does not fit %llu MiB of VRAM",
			     o->width_pixels, o->height_pixels, o->depth_bits,
			     o->pitch_bytes, o->vram_offset,
			     (unsigned long long)(sv->vram_size / MIB));
		return -1;
	}
	sv->mode = (struct synthvid_mode){
		.active = true,
		.width = o->width_pixels,
		.height = o->height_pixels,
		.pitch = o->pitch_bytes,
		.depth_bits = o->depth_bits,
	};
	return send_msg(send, ctx, SYNTHVID_SITUATION_UPDATE_ACK, &ack, sizeof(ack));
}

static int on_dirt(struct synthvid *sv, const uint8_t *body, uint32_t len)
{
	uint8_t count = body[1];
	uint32_t clipped = 0;

	if (len < sizeof(struct synthvid_dirt) + (uint32_t)count * sizeof(struct synthvid_rect)) {
		guest_refuse("synthvid.dirt-truncated",
			     "DIRT announces %u rectangles in %u bytes", count, len);
		return -1;
	}
	if (body[0] != 0) {
		guest_refuse("synthvid.dirt-bad-output", "DIRT for output %u", body[0]);
		return -1;
	}
	for (unsigned i = 0; i < count; i++) {
		struct synthvid_rect r;

		memcpy(&r, body + sizeof(struct synthvid_dirt) + i * sizeof(r), sizeof(r));
		/* Clip to the mode; an empty or inverted rectangle is noted
		 * but harmless -- the host only reads VRAM for screenshots. */
		int32_t w = sv->mode.active ? (int32_t)sv->mode.width : 0;
		int32_t h = sv->mode.active ? (int32_t)sv->mode.height : 0;
		if (r.x1 < 0 || r.y1 < 0 || r.x2 > w || r.y2 > h || r.x1 >= r.x2 ||
		    r.y1 >= r.y2)
			clipped++;
	}
	sv->stats.dirt_msgs++;
	sv->stats.dirt_rects += count;
	sv->stats.dirt_rects_clipped += clipped;
	if (clipped) {
		guest_refuse("synthvid.dirt-out-of-bounds",
			     "DIRT: %u of %u rectangles outside the %ux%u mode (clipped)",
			     clipped, count, sv->mode.width, sv->mode.height);
		return -1;
	}
	return 0;
}

static int on_pointer_shape(const uint8_t *body)
{
	struct synthvid_pointer_shape ps;

	/* min_body() guarantees the header fields only, not data[]. */
	memcpy(&ps, body, offsetof(struct synthvid_pointer_shape, data));
	if (ps.width > SYNTHVID_MAX_POINTER_DIM || ps.height > SYNTHVID_MAX_POINTER_DIM) {
		guest_refuse("synthvid.pointer-too-large", "pointer shape %ux%u",
			     ps.width, ps.height);
		return -1;
	}
	return 0;
}

/* Minimum body size per message type a guest may send. */
static uint32_t min_body(uint32_t type)
{
	switch (type) {
	case SYNTHVID_VERSION_REQUEST: return sizeof(struct synthvid_version_req);
	case SYNTHVID_VRAM_LOCATION: return sizeof(struct synthvid_vram_location);
	case SYNTHVID_SITUATION_UPDATE: return sizeof(struct synthvid_situation_update);
	case SYNTHVID_POINTER_POSITION: return sizeof(struct synthvid_pointer_position);
	case SYNTHVID_POINTER_SHAPE: return offsetof(struct synthvid_pointer_shape, data);
	case SYNTHVID_DIRT: return sizeof(struct synthvid_dirt);
	case SYNTHVID_RESOLUTION_REQUEST: return sizeof(struct synthvid_resolution_req);
	default: return 0;
	}
}

int synthvid_handle(struct synthvid *sv, const uint8_t *payload, uint32_t len,
		    synthvid_send_fn send, void *send_ctx)
{
	struct pipe_msg_hdr pipe;
	struct synthvid_msg_hdr hdr;
	const uint8_t *body = payload + SYNTHVID_HDRS_SIZE;
	uint32_t body_len;

	if (len < SYNTHVID_HDRS_SIZE) {
		guest_refuse("synthvid.msg-truncated", "packet of %u bytes", len);
		return -1;
	}
	memcpy(&pipe, payload, sizeof(pipe));
	memcpy(&hdr, payload + sizeof(pipe), sizeof(hdr));
	if (pipe.type != PIPE_MSG_DATA) {
		guest_refuse("synthvid.pipe-type", "pipe message type %u", pipe.type);
		return -1;
	}
	body_len = len - SYNTHVID_HDRS_SIZE;
	if (!synthvid_msg_name(hdr.type) || !min_body(hdr.type)) {
		guest_refuse("synthvid.unknown-type", "message type %u", hdr.type);
		return -1;
	}
	if (body_len < min_body(hdr.type)) {
		guest_refuse("synthvid.msg-truncated", "%s body of %u bytes (need %u)",
			     synthvid_msg_name(hdr.type), body_len, min_body(hdr.type));
		return -1;
	}
	/* Everything but the version handshake needs a version first. */
	if (hdr.type != SYNTHVID_VERSION_REQUEST && !sv->version) {
		guest_refuse("synthvid.before-version", "%s before VERSION_REQUEST",
			     synthvid_msg_name(hdr.type));
		return -1;
	}
	switch (hdr.type) {
	case SYNTHVID_VERSION_REQUEST:
		return on_version_request(sv, body, send, send_ctx);
	case SYNTHVID_RESOLUTION_REQUEST:
		return on_resolution_request(sv, body, send, send_ctx);
	case SYNTHVID_VRAM_LOCATION:
		return on_vram_location(sv, body, send, send_ctx);
	case SYNTHVID_SITUATION_UPDATE:
		return on_situation_update(sv, body, send, send_ctx);
	case SYNTHVID_DIRT:
		return on_dirt(sv, body, body_len);
	case SYNTHVID_POINTER_SHAPE:
		return on_pointer_shape(body);
	case SYNTHVID_POINTER_POSITION:
		return 0;
	}
	return -1;
}

const uint8_t *synthvid_framebuffer(const struct synthvid *sv,
				    struct synthvid_mode *mode)
{
	*mode = sv->mode;
	return sv->mode.active && sv->vram_gpa ? sv->vram : NULL;
}

/* ---- VMBus glue ---------------------------------------------------- */

static int send_on_channel(void *ctx, const void *msg, uint32_t len)
{
	/* Linux never asks for completions on this channel (§8.3). */
	return vmbus_chan_send(ctx, VMBUS_PKT_DATA_INBAND, 0, 0, msg, len) ? -1 : 0;
}

static uint32_t synthvid_open(void *svc, struct vmbus_channel *ch)
{
	struct synthvid *sv = svc;

	(void)ch;
	/* A new session negotiates again; the screen keeps what the last
	 * one drew until the guest sets a mode (as a monitor would). */
	sv->version = 0;
	return 0;
}

static void synthvid_close(void *svc, struct vmbus_channel *ch)
{
	struct synthvid *sv = svc;

	(void)ch;
	/* The VRAM claim stays: the host keeps the VRAM where the guest
	 * put it until a new VRAM_LOCATION (Hyper-V behaviour).  So does
	 * the last mode, so --screenshot shows the guest's final frame. */
	sv->version = 0;
}

static void synthvid_signal(void *svc, struct vmbus_channel *ch)
{
	struct synthvid *sv = svc;
	struct vmbus_pkt pkt;

	while (vmbus_chan_peek(ch, &pkt) == 1) {
		if (pkt.desc.type == VMBUS_PKT_DATA_INBAND)
			synthvid_handle(sv, pkt.payload, pkt.payload_len,
					send_on_channel, ch);
		else
			guest_refuse("synthvid.packet-type",
				     "packet type %u on the video channel",
				     pkt.desc.type);
		vmbus_chan_consume(ch);
	}
}

static void synthvid_describe(void *svc, bool to_guest,
			      const struct vmbus_pkt *pkt, struct trace_rec *r)
{
	struct synthvid_msg_hdr hdr;
	const uint8_t *body = pkt->payload + SYNTHVID_HDRS_SIZE;

	(void)svc;
	(void)to_guest;
	if (pkt->payload_len < SYNTHVID_HDRS_SIZE)
		return;
	memcpy(&hdr, pkt->payload + sizeof(struct pipe_msg_hdr), sizeof(hdr));
	if (!synthvid_msg_name(hdr.type))
		return;
	trace_set_name(r, synthvid_msg_name(hdr.type));
	uint32_t body_len = pkt->payload_len - SYNTHVID_HDRS_SIZE;
	switch (hdr.type) {
	case SYNTHVID_VERSION_REQUEST:
	case SYNTHVID_VERSION_RESPONSE:
		if (body_len >= 4) {
			uint32_t v;
			memcpy(&v, body, 4);
			char s[16];
			snprintf(s, sizeof(s), "%u.%u", SYNTHVID_VERSION_MAJOR(v),
				 SYNTHVID_VERSION_MINOR(v));
			trace_str(r, "version", s);
		}
		if (hdr.type == SYNTHVID_VERSION_RESPONSE && body_len >= 5)
			trace_u64(r, "accepted", body[4]);
		break;
	case SYNTHVID_VRAM_LOCATION:
		if (body_len >= sizeof(struct synthvid_vram_location)) {
			struct synthvid_vram_location loc;
			memcpy(&loc, body, sizeof(loc));
			trace_hex(r, "vram_gpa", loc.vram_gpa);
		}
		break;
	case SYNTHVID_VRAM_LOCATION_ACK:
		if (body_len >= 8) {
			uint64_t v;
			memcpy(&v, body, 8);
			trace_hex(r, "user_ctx", v);
		}
		break;
	case SYNTHVID_SITUATION_UPDATE:
		if (body_len >= sizeof(struct synthvid_situation_update)) {
			struct synthvid_situation_update su;
			memcpy(&su, body, sizeof(su));
			trace_u64(r, "active", su.output[0].active);
			trace_u64(r, "width", su.output[0].width_pixels);
			trace_u64(r, "height", su.output[0].height_pixels);
			trace_u64(r, "depth", su.output[0].depth_bits);
			trace_u64(r, "pitch", su.output[0].pitch_bytes);
		}
		break;
	case SYNTHVID_FEATURE_CHANGE:
		if (body_len >= 1)
			trace_u64(r, "dirt_needed", body[0]);
		break;
	case SYNTHVID_DIRT:
		if (body_len >= 2)
			trace_u64(r, "rects", body[1]);
		break;
	case SYNTHVID_RESOLUTION_RESPONSE:
		if (body_len > SYNTHVID_EDID_SIZE + 1) {
			trace_u64(r, "count", body[SYNTHVID_EDID_SIZE]);
			trace_u64(r, "default", body[SYNTHVID_EDID_SIZE + 1]);
		}
		break;
	}
}

static const struct vmbus_service_ops synthvid_ops = {
	.open = synthvid_open,
	.close = synthvid_close,
	.signal = synthvid_signal,
	.reset = NULL,
	.describe = synthvid_describe,
};

struct synthvid *synthvid_create(struct mmio_registry *registry,
				 uint16_t mmio_megabytes,
				 const struct synthvid_vram_ops *vram_ops)
{
	struct synthvid *sv = calloc(1, sizeof(*sv));

	if (!sv || mmio_megabytes == 0) {
		free(sv);
		log_err("synthvid: bad configuration");
		return NULL;
	}
	sv->registry = registry;
	if (vram_ops)
		sv->vram_ops = *vram_ops;
	sv->mmio_megabytes = mmio_megabytes;
	sv->vram_size = (uint64_t)mmio_megabytes * MIB;
	/* Anonymous memory: page-aligned, zero, and mappable into the VM. */
	sv->vram = mmap(NULL, sv->vram_size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (sv->vram == MAP_FAILED) {
		log_err("synthvid: cannot allocate %u MiB of VRAM", mmio_megabytes);
		free(sv);
		return NULL;
	}
	sv->service = (struct vmbus_service){
		.name = "synthvid",
		.class_id = VMBUS_CLASS_SYNTHVID,
		.instance_id = VMBUS_GUID(0x5620E0C7, 0x8062, 0x4DCE, 0xAE, 0xB7,
					  0x52, 0x0C, 0x7E, 0xF7, 0x61, 0x71),
		.mmio_megabytes = mmio_megabytes,
		.ops = &synthvid_ops,
		.ctx = sv,
	};
	return sv;
}

void synthvid_destroy(struct synthvid *sv)
{
	if (!sv)
		return;
	munmap(sv->vram, sv->vram_size);
	free(sv);
}

const struct vmbus_service *synthvid_service(struct synthvid *sv)
{
	return &sv->service;
}
