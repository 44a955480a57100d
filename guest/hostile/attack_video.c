// SPDX-License-Identifier: MIT
/*
 * Malformed synthetic-video messages (facts §8.3-§8.5), in the order the
 * device comes up: before VERSION_REQUEST, at 3.2, at 3.5, with VRAM,
 * with a mode.  synthvid has no failure reply except for VRAM_LOCATION,
 * whose ACK then does not echo the request (vmbus/synthvid.c); every other
 * refusal leaves the guest with silence, and the channel working.
 */
#include "guest/hostile/cases.h"

#include "guest/hostile/env.h"
#include "guest/hostile/video_io.h"
#include "guest/hostile/vpci_io.h"
#include "guest/lib/string.h"
#include "vmbus/abi/synthvid_abi.h"

#define UNKNOWN_SYNTHVID_TYPE 99u
#define PIPE_MSG_PARTIAL      2u
#define VRAM_BYTES            (SYNTHVID_DEFAULT_MMIO_MB * 0x100000ull)

static struct synthvid_rect rects[SYNTHVID_MAX_DIRT_RECTS];
static uint8_t dirt[sizeof(struct synthvid_dirt) + sizeof(rects)];

static bool silence(struct hsaw *s, int sent)
{
	bool quiet = video_io_quiet();

	saw(s, "%s", sent != 0 ? "send failed" : quiet ? "no reply" : "a reply");
	return sent == 0 && quiet;
}

/* ---- before VERSION_REQUEST (facts §8.5 step 2) -------------------------- */

static bool early_setup(void)
{
	return video_io_open();
}

static bool situation_before_version(struct hsaw *s)
{
	struct synthvid_situation_update su;

	memset(&su, 0, sizeof(su));
	su.video_output_count = 1;
	return silence(s, video_io_send(SYNTHVID_SITUATION_UPDATE, &su, sizeof(su)));
}

/* Packets are whole qwords: 8 bytes is the shortest short one. */
static bool shorter_than_headers(struct hsaw *s)
{
	struct pipe_msg_hdr pipe = { .type = PIPE_MSG_DATA, .size = 0 };

	return silence(s, video_io_send_raw(VMBUS_PKT_DATA_INBAND, &pipe,
					    sizeof(pipe)));
}

/* facts §8.3: pipe type 1 (DATA); §8.4: the types a guest sends. */
static bool pipe_not_data(struct hsaw *s)
{
	uint32_t m[6] = { PIPE_MSG_PARTIAL, 12, SYNTHVID_VERSION_REQUEST, 12,
			  SYNTHVID_VERSION_WIN10, 0 };

	return silence(s, video_io_send_raw(VMBUS_PKT_DATA_INBAND, m, sizeof(m)));
}

static bool unknown_type(struct hsaw *s)
{
	uint32_t body = 0;

	return silence(s, video_io_send(UNKNOWN_SYNTHVID_TYPE, &body, sizeof(body)));
}

static bool host_type(struct hsaw *s)
{
	struct synthvid_version_resp r = { .version = SYNTHVID_VERSION_WIN10,
					   .is_accepted = 1 };

	return silence(s, video_io_send(SYNTHVID_VERSION_RESPONSE, &r, sizeof(r)));
}

static bool version_without_body(struct hsaw *s)
{
	return silence(s, video_io_send(SYNTHVID_VERSION_REQUEST, NULL, 0));
}

/* facts §8.3: synthvid rides in-band packets only. */
static bool gpa_direct(struct hsaw *s)
{
	uint32_t m[6] = { PIPE_MSG_DATA, 12, SYNTHVID_VERSION_REQUEST, 12,
			  SYNTHVID_VERSION_WIN10, 0 };

	return silence(s, video_io_send_raw(VMBUS_PKT_DATA_GPA_DIRECT, m, sizeof(m)));
}

static const struct hcase early_cases[] = {
	{ "SITUATION_UPDATE before VERSION_REQUEST", "synthvid.before-version", situation_before_version },
	{ "synthvid packet shorter than its headers", "synthvid.msg-truncated", shorter_than_headers },
	{ "synthvid pipe message type 2", "synthvid.pipe-type", pipe_not_data },
	{ "unknown synthvid message type 99", "synthvid.unknown-type", unknown_type },
	{ "host-to-guest VERSION_RESPONSE sent by the guest", "synthvid.unknown-type", host_type },
	{ "VERSION_REQUEST without its body", "synthvid.msg-truncated", version_without_body },
	{ "GPA-direct packet on the video channel", "synthvid.packet-type", gpa_direct },
};

const struct hgroup hostile_video_early_group =
	HGROUP("video, no version yet", early_setup, NULL, early_cases);

/* ---- at 3.2 ------------------------------------------------------------- */

static bool v32_setup(void)
{
	return video_io_version(SYNTHVID_VERSION_WIN8);
}

/* facts §8.5 step 3: the resolution query exists from 3.5 on. */
static bool resolutions_at_3_2(struct hsaw *s)
{
	struct synthvid_resolution_req r = { .maximum_resolution_count = 64 };

	return silence(s, video_io_send(SYNTHVID_RESOLUTION_REQUEST, &r, sizeof(r)));
}

static const struct hcase v32_cases[] = {
	{ "RESOLUTION_REQUEST at synthvid 3.2", "synthvid.resolution-before-3.5", resolutions_at_3_2 },
};

const struct hgroup hostile_video_v32_group =
	HGROUP("video at 3.2", v32_setup, NULL, v32_cases);

/* ---- at 3.5, no VRAM yet ---------------------------------------------- */

static bool v35_setup(void)
{
	return video_io_version(SYNTHVID_VERSION_WIN10);
}

static bool zero_resolutions(struct hsaw *s)
{
	struct synthvid_resolution_req r = { .maximum_resolution_count = 0 };

	return silence(s, video_io_send(SYNTHVID_RESOLUTION_REQUEST, &r, sizeof(r)));
}

/* facts §8.5 step 4: VRAM is a 4 KiB-aligned GPA inside a VMBus gap,
 * clear of every other claim.  The refusal ACK carries a context that is
 * not the request's. */
static bool vram_refused(struct hsaw *s, uint8_t specified, uint64_t gpa)
{
	struct synthvid_vram_location loc = {
		.user_ctx = gpa,
		.is_vram_gpa_specified = specified,
		.vram_gpa = gpa,
	};
	struct synthvid_vram_location_ack ack = { 0 };

	if (video_io_send(SYNTHVID_VRAM_LOCATION, &loc, sizeof(loc)) != 0 ||
	    !video_io_expect(SYNTHVID_VRAM_LOCATION_ACK, &ack, sizeof(ack))) {
		saw(s, "no VRAM_LOCATION_ACK");
		return false;
	}
	saw(s, "ACK context 0x%lx for request 0x%lx", (unsigned long)ack.user_ctx,
	    (unsigned long)gpa);
	return ack.user_ctx != gpa;
}

static bool vram_in_ram(struct hsaw *s)
{
	return vram_refused(s, 1, 0x1000000);
}

static bool vram_misaligned(struct hsaw *s)
{
	return vram_refused(s, 1, henv.vram + 0x10);
}

static bool vram_unspecified(struct hsaw *s)
{
	return vram_refused(s, 0, henv.vram);
}

/* The PCI bus is in D0 with its config window there (attack_vpci.c). */
static bool vram_on_config_window(struct hsaw *s)
{
	return vram_refused(s, 1, henv.window);
}

static bool vram_across_gap_end(struct hsaw *s)
{
	return vram_refused(s, 1, henv.low_end - VRAM_BYTES / 2);
}

static bool vram_top_of_address_space(struct hsaw *s)
{
	return vram_refused(s, 1, ~0xFFFull);
}

static const struct hcase v35_cases[] = {
	{ "RESOLUTION_REQUEST for 0 entries", "synthvid.resolution-count-zero", zero_resolutions },
	{ "VRAM in RAM", "synthvid.vram-outside-gaps", vram_in_ram },
	{ "VRAM not 4 KiB aligned", "synthvid.vram-misaligned", vram_misaligned },
	{ "VRAM_LOCATION without a GPA", "synthvid.vram-gpa-unspecified", vram_unspecified },
	{ "VRAM over the PCI config window", "synthvid.vram-overlap", vram_on_config_window },
	{ "VRAM across the end of the low gap", "synthvid.vram-outside-gaps", vram_across_gap_end },
	{ "VRAM at the top of the address space", "synthvid.vram-outside-gaps", vram_top_of_address_space },
};

const struct hgroup hostile_video_v35_group =
	HGROUP("video at 3.5", v35_setup, NULL, v35_cases);

/* ---- with VRAM ---------------------------------------------------------- */

static bool vram_setup(void)
{
	return video_io_vram(henv.vram);
}

/* facts §8.4: one output, a mode that fits the VRAM. */
static bool two_outputs(struct hsaw *s)
{
	struct synthvid_situation_update su;

	memset(&su, 0, sizeof(su));
	su.video_output_count = 2;
	su.output[0].active = 1;
	su.output[0].depth_bits = 32;
	su.output[0].width_pixels = 640;
	su.output[0].height_pixels = 480;
	su.output[0].pitch_bytes = 640 * 4;
	return silence(s, video_io_send(SYNTHVID_SITUATION_UPDATE, &su, sizeof(su)));
}

static bool mode_beyond_vram(struct hsaw *s)
{
	struct synthvid_situation_update su;

	memset(&su, 0, sizeof(su));
	su.video_output_count = 1;
	su.output[0].active = 1;
	su.output[0].depth_bits = 32;
	su.output[0].width_pixels = 4096;
	su.output[0].height_pixels = 4096;
	su.output[0].pitch_bytes = 4096 * 4;
	return silence(s, video_io_send(SYNTHVID_SITUATION_UPDATE, &su, sizeof(su)));
}

static const struct hcase vram_cases[] = {
	{ "SITUATION_UPDATE with 2 outputs", "synthvid.situation-output-count", two_outputs },
	{ "mode of 4096x4096x32 in 8 MiB of VRAM", "synthvid.situation-invalid-mode", mode_beyond_vram },
};

const struct hgroup hostile_video_mode_group =
	HGROUP("video with VRAM", vram_setup, NULL, vram_cases);

/* ---- with a 1024x768 mode ------------------------------------------------ */

static bool mode_setup(void)
{
	return video_io_mode(1024, 768);
}

static void close_both(void)
{
	video_io_close();
	vpci_io_close();
}

static int send_dirt(uint8_t output, uint8_t count, unsigned carried)
{
	struct synthvid_dirt h = { .video_output = output, .dirt_count = count };

	memcpy(dirt, &h, sizeof(h));
	memcpy(dirt + sizeof(h), rects, carried * sizeof(rects[0]));
	return video_io_send(SYNTHVID_DIRT, dirt,
			     (uint32_t)(sizeof(h) + carried * sizeof(rects[0])));
}

/* facts §8.4: DIRT carries up to 255 rectangles, x2/y2 exclusive, of
 * output 0, inside the mode; pointer shapes are at most 96x96. */
static bool dirt_255_outside(struct hsaw *s)
{
	for (unsigned i = 0; i < SYNTHVID_MAX_DIRT_RECTS; i++)
		rects[i] = (struct synthvid_rect){ 2000 + (int32_t)i, 1000,
						   3000 + (int32_t)i, 2000 };
	return silence(s, send_dirt(0, SYNTHVID_MAX_DIRT_RECTS,
				    SYNTHVID_MAX_DIRT_RECTS));
}

static bool dirt_inverted(struct hsaw *s)
{
	rects[0] = (struct synthvid_rect){ 100, 100, 50, 50 };
	return silence(s, send_dirt(0, 1, 1));
}

static bool dirt_short(struct hsaw *s)
{
	rects[0] = (struct synthvid_rect){ 0, 0, 16, 16 };
	return silence(s, send_dirt(0, 10, 1));
}

static bool dirt_output_one(struct hsaw *s)
{
	rects[0] = (struct synthvid_rect){ 0, 0, 16, 16 };
	return silence(s, send_dirt(1, 1, 1));
}

static bool pointer_too_large(struct hsaw *s)
{
	struct synthvid_pointer_shape p;

	memset(&p, 0, sizeof(p));
	p.part_idx = 0xFF;
	p.is_argb = 1;
	p.width = 200;
	p.height = 200;
	return silence(s, video_io_send(SYNTHVID_POINTER_SHAPE, &p, sizeof(p)));
}

static const struct hcase mode_cases[] = {
	{ "DIRT with 255 rectangles outside the mode", "synthvid.dirt-out-of-bounds", dirt_255_outside },
	{ "DIRT with an inverted rectangle", "synthvid.dirt-out-of-bounds", dirt_inverted },
	{ "DIRT announcing 10 rectangles, carrying 1", "synthvid.dirt-truncated", dirt_short },
	{ "DIRT for output 1", "synthvid.dirt-bad-output", dirt_output_one },
	{ "pointer shape of 200x200", "synthvid.pointer-too-large", pointer_too_large },
};

const struct hgroup hostile_video_dirt_group =
	HGROUP("video with a mode", mode_setup, close_both, mode_cases);
