/* SPDX-License-Identifier: MIT */
/*
 * A small 8x8 bitmap font for the test kernel's screen: digits, capital
 * letters and a few symbols (space - : . , / = ( ) _ # + ! ? > < %).
 * Lower-case letters are drawn as capitals; anything else as '?'.
 *
 * Each glyph is 8 rows, top first; in a row, bit 7 is the leftmost
 * pixel.  The designs use a 5x7 box at columns 1..5, rows 0..6, so
 * glyphs set side by side get one column of space on the left and two
 * on the right, and one blank row below.  Pure C (host unit tests).
 */
#ifndef GUEST_FONT_H
#define GUEST_FONT_H

#include <stdint.h>

#define FONT_WIDTH  8u
#define FONT_HEIGHT 8u

/* The 8 rows of the glyph drawn for c (never NULL). */
const uint8_t *font_glyph(char c);

#endif
