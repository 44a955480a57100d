/* SPDX-License-Identifier: MIT */
/*
 * Drawing into a linear framebuffer (the synthvid VRAM, facts §8.5 step
 * 4: top-left pixel at offset 0, rows `pitch` bytes apart; XRGB8888 at
 * depth 32, RGB565 at depth 16).
 *
 * Cost model (KVM facts doc): ring-0 code runs at ~1 us per instruction
 * and `rep stosq` fills 4 KiB in ~0.35 ms, so every horizontal run of one
 * colour is a single `rep stosq` (a C loop on the host, for unit tests),
 * text is drawn as runs of set glyph bits, and nothing reads VRAM except
 * draw_pixel().  Pure C apart from that one instruction.
 */
#ifndef GUEST_DRAW_H
#define GUEST_DRAW_H

#include <stdint.h>

struct draw_surface {
	uint8_t *base;
	uint32_t width, height;       /* pixels */
	uint32_t pitch;               /* bytes per row */
	uint32_t bytes_per_pixel;     /* 4 (depth 32) or 2 (depth 16) */
};

/* 0xRRGGBB colours. */
#define DRAW_WHITE   0xFFFFFFu
#define DRAW_YELLOW  0xFFFF00u
#define DRAW_CYAN    0x00FFFFu
#define DRAW_GREEN   0x00FF00u
#define DRAW_MAGENTA 0xFF00FFu
#define DRAW_RED     0xFF0000u
#define DRAW_BLUE    0x0000FFu
#define DRAW_BLACK   0x000000u
#define DRAW_GREY    0x202020u

#define DRAW_NR_BARS 8u

/* The pixel value of rgb on s (XRGB8888 or RGB565). */
uint32_t draw_pixel_value(const struct draw_surface *s, uint32_t rgb);
/* The colour of bar i of draw_colour_bars (0 = leftmost). */
uint32_t draw_bar_colour(unsigned i);

/* Fill [x, x + w) x [y, y + h), clipped to the surface. */
void draw_fill_rect(const struct draw_surface *s, uint32_t x, uint32_t y,
		    uint32_t w, uint32_t h, uint32_t rgb);
/* Eight vertical bars (white, yellow, cyan, green, magenta, red, blue,
 * black) over rows [y, y + h); the last bar takes the rounding rest. */
void draw_colour_bars(const struct draw_surface *s, uint32_t y, uint32_t h);
/* Text with the 8x8 font of guest/font.h, each font pixel scale x scale
 * screen pixels, background left as it is.  Clipped.  Returns the width
 * in pixels the text took. */
uint32_t draw_text(const struct draw_surface *s, uint32_t x, uint32_t y,
		   uint32_t scale, const char *text, uint32_t rgb);
/* Width draw_text would take. */
uint32_t draw_text_width(const char *text, uint32_t scale);
/* Raw pixel value at (x, y) read back from the surface; 0 outside. */
uint32_t draw_pixel(const struct draw_surface *s, uint32_t x, uint32_t y);

#endif
