// SPDX-License-Identifier: MIT
/*
 * Host tests of the guest's synthvid client logic: the version walk
 * (facts §8.2), framing (§8.3), the resolutions answer and the mode
 * choice (§8.4, §8.5), and the drawing into a framebuffer with the 8x8
 * font (guest/video_proto.c, guest/draw.c, guest/font.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "guest/draw.c"
#include "guest/font.c"
#include "guest/video_proto.c"

#define V(maj, min) ((uint32_t)(maj) << 16 | (min))

static void test_version_walk(void **state)
{
	uint32_t out[VIDEO_MAX_VERSIONS];

	(void)state;
	/* 4.0 and 5.0: 3.5, 3.2, 3.0. */
	assert_int_equal(video_versions_for(V(4, 0), out), 3);
	assert_int_equal(out[0], SYNTHVID_VERSION_WIN10);
	assert_int_equal(out[1], SYNTHVID_VERSION_WIN8);
	assert_int_equal(out[2], SYNTHVID_VERSION_WIN7);
	assert_int_equal(video_versions_for(V(5, 0), out), 3);
	/* 2.4 and 3.0: 3.2, 3.0. */
	assert_int_equal(video_versions_for(V(2, 4), out), 2);
	assert_int_equal(out[0], SYNTHVID_VERSION_WIN8);
	assert_int_equal(out[1], SYNTHVID_VERSION_WIN7);
	assert_int_equal(video_versions_for(V(3, 0), out), 2);
	/* 0.13 and 1.1: 3.0 only. */
	assert_int_equal(video_versions_for(V(0, 13), out), 1);
	assert_int_equal(out[0], SYNTHVID_VERSION_WIN7);
	assert_int_equal(video_versions_for(V(1, 1), out), 1);
	/* Everything else, 5.3 (what kvmbus serves) included: 3.5 only. */
	static const uint32_t others[] = { V(4, 1), V(5, 1), V(5, 2), V(5, 3),
					   V(6, 0) };
	for (unsigned i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		assert_int_equal(video_versions_for(others[i], out), 1);
		assert_int_equal(out[0], SYNTHVID_VERSION_WIN10);
	}
	/* Byte order of the version word: minor << 16 | major. */
	assert_int_equal(SYNTHVID_VERSION_WIN10, 0x00050003);
}

static void test_framing(void **state)
{
	uint8_t buf[64];
	struct synthvid_version_req req = { SYNTHVID_VERSION_WIN10 };
	uint32_t len = video_msg_build(buf, sizeof(buf),
				       SYNTHVID_VERSION_REQUEST, &req,
				       sizeof(req));
	uint32_t w[5];

	(void)state;
	assert_int_equal(len, 20);
	memcpy(w, buf, sizeof(w));
	assert_int_equal(w[0], PIPE_MSG_DATA);
	assert_int_equal(w[1], 12);           /* 8 + body */
	assert_int_equal(w[2], SYNTHVID_VERSION_REQUEST);
	assert_int_equal(w[3], 12);           /* Linux: header + body */
	assert_int_equal(w[4], SYNTHVID_VERSION_WIN10);

	struct video_msg m;

	assert_true(video_msg_parse(buf, len, &m));
	assert_int_equal(m.type, SYNTHVID_VERSION_REQUEST);
	assert_int_equal(m.body_len, 4);
	assert_ptr_equal(m.body, buf + 16);
	/* Too small, or not pipe DATA: refused as Linux refuses it. */
	assert_false(video_msg_parse(buf, 15, &m));
	buf[0] = 2;
	assert_false(video_msg_parse(buf, len, &m));
	/* A body that does not fit the buffer. */
	assert_int_equal(video_msg_build(buf, 19, 1, &req, sizeof(req)), 0);
	/* VRAM_LOCATION body: 17 bytes, unaligned GPA at +9. */
	struct synthvid_vram_location loc = video_vram_location(0xC0000000ull);
	uint64_t gpa;

	assert_int_equal(video_msg_build(buf, sizeof(buf), SYNTHVID_VRAM_LOCATION,
					 &loc, sizeof(loc)), 16 + 17);
	memcpy(&gpa, buf + 16, 8);
	assert_int_equal(gpa, 0xC0000000ull);     /* user context = GPA */
	assert_int_equal(buf[16 + 8], 1);
	memcpy(&gpa, buf + 16 + 9, 8);
	assert_int_equal(gpa, 0xC0000000ull);
}

/* A RESOLUTION_RESPONSE body with the given entries. */
static uint32_t make_resolutions(uint8_t *body, unsigned count, unsigned def,
				 const uint16_t (*wh)[2])
{
	memset(body, 0, 131);
	body[128] = (uint8_t)count;
	body[129] = (uint8_t)def;
	for (unsigned i = 0; i < count; i++) {
		memcpy(body + 131 + i * 4, &wh[i][0], 2);
		memcpy(body + 131 + i * 4 + 2, &wh[i][1], 2);
	}
	return 131 + count * 4;
}

static void test_resolutions(void **state)
{
	static const uint16_t kvmbus[][2] = {
		{ 640, 480 }, { 800, 600 }, { 1024, 768 }, { 1280, 1024 },
	};
	static const uint16_t no_vga[][2] = {
		{ 1280, 1024 }, { 800, 600 }, { 1024, 768 },
	};
	uint8_t body[512];
	struct video_resolutions r;
	struct video_mode m;
	uint32_t len;

	(void)state;
	len = make_resolutions(body, 4, 2, kvmbus);
	assert_int_equal(video_parse_resolutions(body, len, &r), VIDEO_RES_OK);
	assert_int_equal(r.count, 4);
	assert_int_equal(r.list[r.default_index].width, 1024);
	assert_true(video_pick_mode(&r, SYNTHVID_VERSION_WIN10, 8u << 20, &m));
	assert_int_equal(m.width, 640);
	assert_int_equal(m.height, 480);
	assert_int_equal(m.depth_bits, 32);
	assert_int_equal(m.pitch, 2560);

	/* Without 640x480: the smallest that fits. */
	len = make_resolutions(body, 3, 0, no_vga);
	assert_int_equal(video_parse_resolutions(body, len, &r), VIDEO_RES_OK);
	assert_true(video_pick_mode(&r, SYNTHVID_VERSION_WIN10, 8u << 20, &m));
	assert_int_equal(m.width, 800);
	/* Nothing fits 1 MiB at 32 bpp. */
	assert_false(video_pick_mode(&r, SYNTHVID_VERSION_WIN10, 1u << 20, &m));

	/* Linux's errors: no entries, default out of range; and a body
	 * shorter than its count. */
	len = make_resolutions(body, 0, 0, kvmbus);
	assert_int_equal(video_parse_resolutions(body, len, &r), VIDEO_RES_EMPTY);
	len = make_resolutions(body, 2, 2, kvmbus);
	assert_int_equal(video_parse_resolutions(body, len, &r),
			 VIDEO_RES_BAD_DEFAULT);
	len = make_resolutions(body, 4, 0, kvmbus);
	assert_int_equal(video_parse_resolutions(body, len - 1, &r),
			 VIDEO_RES_TRUNCATED);
	assert_int_equal(video_parse_resolutions(body, 100, &r),
			 VIDEO_RES_TRUNCATED);
}

static void test_mode_and_situation(void **state)
{
	struct video_mode m = video_mode_make(640, 480, SYNTHVID_VERSION_WIN7);

	(void)state;
	/* 3.0 draws at 16 bpp (facts §8.2). */
	assert_int_equal(m.depth_bits, 16);
	assert_int_equal(m.pitch, 1280);
	assert_true(video_mode_fits(&m, 4u << 20));
	m = video_mode_make(1280, 1024, SYNTHVID_VERSION_WIN8);
	assert_false(video_mode_fits(&m, 4u << 20));

	m = video_mode_make(640, 480, SYNTHVID_VERSION_WIN10);
	struct synthvid_situation_update su = video_situation(&m, true);
	uint8_t raw[sizeof(su)];
	uint32_t v;

	memcpy(raw, &su, sizeof(su));
	assert_int_equal(sizeof(su), 27);
	assert_int_equal(raw[8], 1);           /* one output */
	assert_int_equal(raw[9], 1);           /* active */
	memcpy(&v, raw + 10, 4);
	assert_int_equal(v, 0);                /* VRAM offset must be 0 */
	assert_int_equal(raw[14], 32);
	memcpy(&v, raw + 15, 4);
	assert_int_equal(v, 640);
	memcpy(&v, raw + 19, 4);
	assert_int_equal(v, 480);
	memcpy(&v, raw + 23, 4);
	assert_int_equal(v, 2560);
}

static void test_font(void **state)
{
	(void)state;
	/* Every designed glyph lies in columns 1..5 and rows 0..6. */
	for (int c = ' '; c <= '_'; c++) {
		const uint8_t *g = font_glyph((char)c);

		for (unsigned r = 0; r < FONT_HEIGHT; r++)
			assert_int_equal(g[r] & 0x83, 0);
		assert_int_equal(g[7], 0);
	}
	/* The letters the screen needs exist and differ from '?'. */
	const char *need = "KVMBUS PASS CONFLICT FAIL NORMAL KDUMP:0123456789-";

	for (const char *p = need; *p; p++)
		if (*p != '?')
			assert_memory_not_equal(font_glyph(*p), font_glyph('?'),
						FONT_HEIGHT);
	/* Lower case as capitals; unknown characters as '?'. */
	assert_ptr_equal(font_glyph('k'), font_glyph('K'));
	assert_ptr_equal(font_glyph('@'), font_glyph('?'));
	assert_ptr_equal(font_glyph('\n'), font_glyph('?'));
	assert_ptr_equal(font_glyph((char)0xE9), font_glyph('?'));
	/* ' ' is blank. */
	for (unsigned r = 0; r < FONT_HEIGHT; r++)
		assert_int_equal(font_glyph(' ')[r], 0);
	/* Spot check: 'T' has a full top bar and a centre stem. */
	assert_int_equal(font_glyph('T')[0], 0x7C);
	assert_int_equal(font_glyph('T')[3], 0x10);
}

#define FB_W 64u
#define FB_H 32u

static uint32_t fb32[FB_W * FB_H];

static struct draw_surface surface32(void)
{
	memset(fb32, 0xAA, sizeof(fb32));
	return (struct draw_surface){
		.base = (uint8_t *)fb32, .width = FB_W, .height = FB_H,
		.pitch = FB_W * 4, .bytes_per_pixel = 4,
	};
}

static void test_draw_rect_and_clip(void **state)
{
	struct draw_surface s = surface32();

	(void)state;
	/* Odd start and width: single pixels around the qword fill. */
	draw_fill_rect(&s, 3, 2, 7, 2, 0x123456);
	for (uint32_t y = 0; y < FB_H; y++)
		for (uint32_t x = 0; x < FB_W; x++) {
			bool in = x >= 3 && x < 10 && y >= 2 && y < 4;

			assert_int_equal(draw_pixel(&s, x, y),
					 in ? 0x123456u : 0xAAAAAAAAu);
		}
	/* Clipped at the right and bottom edges, nothing beyond. */
	draw_fill_rect(&s, FB_W - 2, FB_H - 1, 100, 100, DRAW_RED);
	assert_int_equal(draw_pixel(&s, FB_W - 1, FB_H - 1), 0xFF0000);
	assert_int_equal(draw_pixel(&s, FB_W - 3, FB_H - 1), 0xAAAAAAAA);
	draw_fill_rect(&s, FB_W, 0, 10, 10, DRAW_RED);   /* wholly outside */
	assert_int_equal(draw_pixel(&s, FB_W, 0), 0);    /* read outside: 0 */
}

static void test_draw_bars(void **state)
{
	struct draw_surface s = surface32();
	uint32_t bar = FB_W / DRAW_NR_BARS;

	(void)state;
	draw_colour_bars(&s, 0, FB_H / 2);
	for (unsigned i = 0; i < DRAW_NR_BARS; i++) {
		assert_int_equal(draw_pixel(&s, i * bar, 0), draw_bar_colour(i));
		assert_int_equal(draw_pixel(&s, i * bar + bar - 1, FB_H / 2 - 1),
				 draw_bar_colour(i));
	}
	assert_int_equal(draw_pixel(&s, 0, FB_H / 2), 0xAAAAAAAA);
	assert_int_equal(draw_bar_colour(0), DRAW_WHITE);
	assert_int_equal(draw_bar_colour(5), DRAW_RED);
}

static void test_draw_text(void **state)
{
	struct draw_surface s = surface32();
	const uint8_t *g = font_glyph('A');

	(void)state;
	draw_fill_rect(&s, 0, 0, FB_W, FB_H, DRAW_BLACK);
	assert_int_equal(draw_text(&s, 4, 4, 2, "AB", DRAW_GREEN), 32);
	assert_int_equal(draw_text_width("AB", 2), 32);
	/* Every font pixel of 'A' became a 2x2 block; the rest stayed. */
	for (unsigned r = 0; r < FONT_HEIGHT; r++)
		for (unsigned c = 0; c < FONT_WIDTH; c++) {
			uint32_t want = (g[r] & (0x80u >> c)) ? 0x00FF00u : 0;

			assert_int_equal(draw_pixel(&s, 4 + 2 * c, 4 + 2 * r), want);
			assert_int_equal(draw_pixel(&s, 5 + 2 * c, 5 + 2 * r), want);
		}
	/* Text running off the right edge is clipped, not wrapped. */
	draw_text(&s, FB_W - 4, 0, 1, "WWWW", DRAW_WHITE);
	assert_int_equal(draw_pixel(&s, 0, 0), 0);
}

static void test_draw_16bpp(void **state)
{
	static uint16_t fb16[FB_W * FB_H];
	struct draw_surface s = {
		.base = (uint8_t *)fb16, .width = FB_W, .height = FB_H,
		.pitch = FB_W * 2, .bytes_per_pixel = 2,
	};

	(void)state;
	assert_int_equal(draw_pixel_value(&s, DRAW_WHITE), 0xFFFF);
	assert_int_equal(draw_pixel_value(&s, DRAW_RED), 0xF800);
	assert_int_equal(draw_pixel_value(&s, DRAW_GREEN), 0x07E0);
	assert_int_equal(draw_pixel_value(&s, DRAW_BLUE), 0x001F);
	/* Start 1 pixel past alignment, 13 pixels: 3 + 2 qwords + 2. */
	draw_fill_rect(&s, 1, 0, 13, 1, DRAW_RED);
	for (uint32_t x = 0; x < 16; x++)
		assert_int_equal(draw_pixel(&s, x, 0),
				 x >= 1 && x < 14 ? 0xF800u : 0u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_walk),
		cmocka_unit_test(test_framing),
		cmocka_unit_test(test_resolutions),
		cmocka_unit_test(test_mode_and_situation),
		cmocka_unit_test(test_font),
		cmocka_unit_test(test_draw_rect_and_clip),
		cmocka_unit_test(test_draw_bars),
		cmocka_unit_test(test_draw_text),
		cmocka_unit_test(test_draw_16bpp),
	};

	return cmocka_run_group_tests_name("guest synthvid client", tests, NULL,
					   NULL);
}
