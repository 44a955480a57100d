// SPDX-License-Identifier: MIT
#include "guest/draw.h"

#include <stddef.h>

#include "guest/font.h"

static const uint32_t bar_colours[DRAW_NR_BARS] = {
	DRAW_WHITE, DRAW_YELLOW, DRAW_CYAN, DRAW_GREEN,
	DRAW_MAGENTA, DRAW_RED, DRAW_BLUE, DRAW_BLACK,
};

uint32_t draw_bar_colour(unsigned i)
{
	return i < DRAW_NR_BARS ? bar_colours[i] : DRAW_BLACK;
}

uint32_t draw_pixel_value(const struct draw_surface *s, uint32_t rgb)
{
	uint32_t r = (rgb >> 16) & 0xFF, g = (rgb >> 8) & 0xFF, b = rgb & 0xFF;

	if (s->bytes_per_pixel == 2)
		return (r >> 3) << 11 | (g >> 2) << 5 | b >> 3;
	return rgb & 0xFFFFFFu;       /* XRGB: X = 0 */
}

/* One pixel value repeated over 8 bytes. */
static uint64_t replicate(const struct draw_surface *s, uint32_t pixel)
{
	if (s->bytes_per_pixel == 2)
		return 0x0001000100010001ull * (pixel & 0xFFFF);
	return (uint64_t)pixel << 32 | pixel;
}

static void store_pixel(const struct draw_surface *s, uint8_t *p,
			uint32_t pixel)
{
	if (s->bytes_per_pixel == 2)
		*(volatile uint16_t *)(void *)p = (uint16_t)pixel;
	else
		*(volatile uint32_t *)(void *)p = pixel;
}

static void fill_qwords(uint64_t *dst, uint64_t pattern, size_t n)
{
#ifdef KVMBUS_GUEST
	/* The one fast way to fill memory under the ring-0 emulator. */
	asm volatile("rep stosq"
		     : "+D"(dst), "+c"(n)
		     : "a"(pattern)
		     : "memory");
#else
	for (size_t i = 0; i < n; i++)
		dst[i] = pattern;
#endif
}

/* n pixels of one value from p: single pixels up to 8-byte alignment,
 * then whole qwords, then the rest. */
static void fill_span(const struct draw_surface *s, uint8_t *p, uint32_t n,
		      uint32_t pixel)
{
	uint32_t bpp = s->bytes_per_pixel;

	for (; n && ((uintptr_t)p & 7); n--, p += bpp)
		store_pixel(s, p, pixel);

	uint32_t per_qword = 8 / bpp;
	uint32_t qwords = n / per_qword;

	if (qwords) {
		fill_qwords((uint64_t *)(void *)p, replicate(s, pixel), qwords);
		p += (size_t)qwords * 8;
		n -= qwords * per_qword;
	}
	for (; n; n--, p += bpp)
		store_pixel(s, p, pixel);
}

static uint8_t *pixel_at(const struct draw_surface *s, uint32_t x, uint32_t y)
{
	return s->base + (size_t)y * s->pitch + (size_t)x * s->bytes_per_pixel;
}

void draw_fill_rect(const struct draw_surface *s, uint32_t x, uint32_t y,
		    uint32_t w, uint32_t h, uint32_t rgb)
{
	if (x >= s->width || y >= s->height)
		return;
	if (w > s->width - x)
		w = s->width - x;
	if (h > s->height - y)
		h = s->height - y;

	uint32_t pixel = draw_pixel_value(s, rgb);

	for (uint32_t row = 0; row < h; row++)
		fill_span(s, pixel_at(s, x, y + row), w, pixel);
}

void draw_colour_bars(const struct draw_surface *s, uint32_t y, uint32_t h)
{
	uint32_t bar = s->width / DRAW_NR_BARS;

	for (unsigned i = 0; i < DRAW_NR_BARS; i++) {
		uint32_t w = i + 1 < DRAW_NR_BARS ? bar : s->width - i * bar;

		draw_fill_rect(s, i * bar, y, w, h, bar_colours[i]);
	}
}

uint32_t draw_text_width(const char *text, uint32_t scale)
{
	uint32_t n = 0;

	while (text[n])
		n++;
	return n * FONT_WIDTH * scale;
}

/* One glyph row: each run of set bits is one span per screen row. */
static void draw_glyph_row(const struct draw_surface *s, uint32_t x,
			   uint32_t y, uint32_t scale, uint8_t bits,
			   uint32_t rgb)
{
	uint32_t col = 0;

	while (col < FONT_WIDTH) {
		if (!(bits & (0x80u >> col))) {
			col++;
			continue;
		}
		uint32_t start = col;

		while (col < FONT_WIDTH && (bits & (0x80u >> col)))
			col++;
		draw_fill_rect(s, x + start * scale, y, (col - start) * scale,
			       scale, rgb);
	}
}

uint32_t draw_text(const struct draw_surface *s, uint32_t x, uint32_t y,
		   uint32_t scale, const char *text, uint32_t rgb)
{
	uint32_t start = x;

	if (scale == 0)
		return 0;
	for (; *text; text++, x += FONT_WIDTH * scale) {
		const uint8_t *g = font_glyph(*text);

		if (x >= s->width)
			break;
		for (uint32_t r = 0; r < FONT_HEIGHT; r++)
			if (g[r])
				draw_glyph_row(s, x, y + r * scale, scale,
					       g[r], rgb);
	}
	return x - start;
}

uint32_t draw_pixel(const struct draw_surface *s, uint32_t x, uint32_t y)
{
	if (x >= s->width || y >= s->height)
		return 0;

	const uint8_t *p = pixel_at(s, x, y);

	if (s->bytes_per_pixel == 2)
		return *(const volatile uint16_t *)(const void *)p;
	return *(const volatile uint32_t *)(const void *)p;
}
