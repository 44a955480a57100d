/* SPDX-License-Identifier: MIT */
/* --screenshot: the guest's framebuffer as a PNG, written with libpng. */
#ifndef KVMBUS_SCREENSHOT_H
#define KVMBUS_SCREENSHOT_H

#include <stddef.h>
#include <stdint.h>

/* Pixels are little-endian XRGB8888 (depth 32) or RGB565 (depth 16), as a
 * synthvid guest lays them out, `pitch` bytes per row.  Returns 0, or -1
 * with a one-line reason in err. */
int screenshot_write_png(const char *path, const uint8_t *pixels,
			 uint32_t width, uint32_t height, uint32_t pitch,
			 uint32_t depth_bits, char *err, size_t errlen);

#endif
