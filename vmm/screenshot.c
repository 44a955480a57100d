/* SPDX-License-Identifier: MIT */
#include "vmm/screenshot.h"

#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One framebuffer pixel to 8-bit RGB. */
static void pixel_rgb(const uint8_t *p, uint32_t depth_bits, uint8_t rgb[3])
{
	if (depth_bits == 32) {
		/* XRGB8888 little-endian: bytes B, G, R, X. */
		rgb[0] = p[2];
		rgb[1] = p[1];
		rgb[2] = p[0];
	} else {
		uint16_t v = (uint16_t)(p[0] | p[1] << 8);
		rgb[0] = (uint8_t)(((v >> 11) & 0x1F) * 255 / 31);
		rgb[1] = (uint8_t)(((v >> 5) & 0x3F) * 255 / 63);
		rgb[2] = (uint8_t)((v & 0x1F) * 255 / 31);
	}
}

int screenshot_write_png(const char *path, const uint8_t *pixels,
			 uint32_t width, uint32_t height, uint32_t pitch,
			 uint32_t depth_bits, char *err, size_t errlen)
{
	png_structp png = NULL;
	png_infop info = NULL;
	uint8_t *row = NULL;
	FILE *f;
	uint32_t bpp = depth_bits / 8;

	if ((depth_bits != 32 && depth_bits != 16) || !width || !height ||
	    pitch < (uint64_t)width * bpp) {
		snprintf(err, errlen, "no usable framebuffer mode (%ux%u, depth %u)",
			 width, height, depth_bits);
		return -1;
	}
	f = fopen(path, "wb");
	if (!f) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	row = malloc((size_t)width * 3);
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	info = png ? png_create_info_struct(png) : NULL;
	if (!row || !png || !info) {
		snprintf(err, errlen, "out of memory writing %s", path);
		goto fail;
	}
	/* libpng reports errors by longjmp. */
	if (setjmp(png_jmpbuf(png))) {
		snprintf(err, errlen, "libpng failed writing %s", path);
		goto fail;
	}
	png_init_io(png, f);
	png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
		     PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (uint32_t y = 0; y < height; y++) {
		const uint8_t *src = pixels + (size_t)y * pitch;
		for (uint32_t x = 0; x < width; x++)
			pixel_rgb(src + (size_t)x * bpp, depth_bits, row + (size_t)x * 3);
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	free(row);
	if (fclose(f)) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
fail:
	png_destroy_write_struct(&png, &info);
	free(row);
	fclose(f);
	remove(path);
	return -1;
}
