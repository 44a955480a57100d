// SPDX-License-Identifier: MIT
/*
 * Raw synthvid traffic (video_io.h).  kvmbus answers inside the
 * HvSignalEvent exit, so a reply is in the inbound ring when the send
 * returns.
 */
#include "guest/hostile/video_io.h"

#include "guest/hostile/session.h"
#include "guest/lib/report.h"
#include "guest/lib/string.h"
#include "vmbus/abi/synthvid_abi.h"

#define VIDEO_RING_PAGES 4u
#define RECV_SPINS       20000u
#define QUIET_SPINS      400u
#define MSG_MAX          (SYNTHVID_HDRS_SIZE + 2 + 255 * 16)

struct guest_channel video_ch;
static uint8_t out[MSG_MAX];
static uint8_t in[SYNTHVID_HDRS_SIZE + sizeof(struct synthvid_resolution_resp)];

bool video_io_open(void)
{
	return report(session_open(&video_ch, &hs.video, VIDEO_RING_PAGES,
				   VIDEO_RING_PAGES),
		      "setup: video channel opened (relid %u)", hs.video.relid);
}

void video_io_close(void)
{
	report(session_close(&video_ch), "setup: video channel closed");
}

int video_io_send_raw(uint16_t pkt_type, const void *payload, uint32_t len)
{
	return guest_channel_send(&video_ch, pkt_type, 0, 0, payload, len);
}

int video_io_send(uint32_t type, const void *body, uint32_t body_len)
{
	struct pipe_msg_hdr pipe = {
		.type = PIPE_MSG_DATA,
		.size = (uint32_t)sizeof(struct synthvid_msg_hdr) + body_len,
	};
	struct synthvid_msg_hdr hdr = { .type = type, .size = pipe.size };

	if (body_len > sizeof(out) - SYNTHVID_HDRS_SIZE)
		return -1;
	memcpy(out, &pipe, sizeof(pipe));
	memcpy(out + sizeof(pipe), &hdr, sizeof(hdr));
	memcpy(out + SYNTHVID_HDRS_SIZE, body, body_len);
	return video_io_send_raw(VMBUS_PKT_DATA_INBAND, out,
				 SYNTHVID_HDRS_SIZE + body_len);
}

bool video_io_expect(uint32_t type, void *body, uint32_t cap)
{
	struct vmbus_packet_desc d;
	struct synthvid_msg_hdr hdr;
	uint32_t got;

	for (;;) {
		if (guest_channel_recv(&video_ch, &d, in, sizeof(in), &got,
				       RECV_SPINS) != 1)
			return false;
		if (got < SYNTHVID_HDRS_SIZE)
			continue;
		memcpy(&hdr, in + sizeof(struct pipe_msg_hdr), sizeof(hdr));
		if (hdr.type != type)
			continue;
		if (body) {
			uint32_t n = got - SYNTHVID_HDRS_SIZE;

			memcpy(body, in + SYNTHVID_HDRS_SIZE, n < cap ? n : cap);
		}
		return true;
	}
}

bool video_io_quiet(void)
{
	struct vmbus_packet_desc d;
	uint32_t got;

	return guest_channel_recv(&video_ch, &d, in, sizeof(in), &got,
				  QUIET_SPINS) == 0;
}

bool video_io_version(uint32_t version)
{
	struct synthvid_version_req req = { .version = version };
	struct synthvid_version_resp resp = { 0 };
	bool ok = video_io_send(SYNTHVID_VERSION_REQUEST, &req, sizeof(req)) == 0 &&
		  video_io_expect(SYNTHVID_VERSION_RESPONSE, &resp, sizeof(resp));

	/* The host asks for DIRT right after accepting (facts §8.5 6). */
	ok = ok && resp.is_accepted &&
	     video_io_expect(SYNTHVID_FEATURE_CHANGE, NULL, 0);
	return report(ok, "setup: synthvid version %u.%u accepted",
		      SYNTHVID_VERSION_MAJOR(version),
		      SYNTHVID_VERSION_MINOR(version));
}

bool video_io_vram(uint64_t gpa)
{
	struct synthvid_vram_location loc = {
		.user_ctx = gpa,
		.is_vram_gpa_specified = 1,
		.vram_gpa = gpa,
	};
	struct synthvid_vram_location_ack ack = { 0 };
	bool ok = video_io_send(SYNTHVID_VRAM_LOCATION, &loc, sizeof(loc)) == 0 &&
		  video_io_expect(SYNTHVID_VRAM_LOCATION_ACK, &ack, sizeof(ack));

	return report(ok && ack.user_ctx == gpa,
		      "setup: VRAM placed at 0x%lx (ACK 0x%lx)",
		      (unsigned long)gpa, (unsigned long)ack.user_ctx);
}

bool video_io_mode(uint32_t width, uint32_t height)
{
	struct synthvid_situation_update su;
	bool ok;

	memset(&su, 0, sizeof(su));
	su.user_ctx = 0x51;
	su.video_output_count = 1;
	su.output[0].active = 1;
	su.output[0].depth_bits = 32;
	su.output[0].width_pixels = width;
	su.output[0].height_pixels = height;
	su.output[0].pitch_bytes = width * 4;
	ok = video_io_send(SYNTHVID_SITUATION_UPDATE, &su, sizeof(su)) == 0 &&
	     video_io_expect(SYNTHVID_SITUATION_UPDATE_ACK, NULL, 0);
	return report(ok, "setup: mode %ux%ux32 set", width, height);
}
