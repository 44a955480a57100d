/* SPDX-License-Identifier: MIT */
/* --screenshot: the PNG is valid, of the mode's size, with the pixels. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/screenshot.h"

static void tmp_path(char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/kvmbus-test-%d.png", (int)getpid());
}

/* Read back with libpng's simplified API: the file must be a PNG. */
static uint8_t *read_png(const char *path, png_image *img)
{
	uint8_t *buf;

	memset(img, 0, sizeof(*img));
	img->version = PNG_IMAGE_VERSION;
	assert_true(png_image_begin_read_from_file(img, path));
	img->format = PNG_FORMAT_RGB;
	buf = malloc(PNG_IMAGE_SIZE(*img));
	assert_non_null(buf);
	assert_true(png_image_finish_read(img, NULL, buf, 0, NULL));
	return buf;
}

static void test_xrgb_roundtrip(void **state)
{
	enum { W = 5, H = 3, PITCH = W * 4 + 12 };
	uint8_t fb[PITCH * H];
	char path[64], err[128];
	png_image img;
	uint8_t *rgb;

	(void)state;
	memset(fb, 0xEE, sizeof(fb)); /* row padding must not leak in */
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			uint8_t *p = fb + y * PITCH + x * 4;
			p[0] = (uint8_t)(10 * x);     /* B */
			p[1] = (uint8_t)(20 * y);     /* G */
			p[2] = (uint8_t)(x + y);      /* R */
			p[3] = 0;
		}
	tmp_path(path, sizeof(path));
	assert_int_equal(screenshot_write_png(path, fb, W, H, PITCH, 32, err, sizeof(err)), 0);
	rgb = read_png(path, &img);
	assert_int_equal(img.width, W);
	assert_int_equal(img.height, H);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			uint8_t *p = rgb + (y * W + x) * 3;
			assert_int_equal(p[0], x + y);
			assert_int_equal(p[1], 20 * y);
			assert_int_equal(p[2], 10 * x);
		}
	free(rgb);
	unlink(path);
}

static void test_rgb565(void **state)
{
	uint16_t fb[2] = { 0xF800, 0x001F }; /* pure red, pure blue */
	char path[64], err[128];
	png_image img;
	uint8_t *rgb;

	(void)state;
	tmp_path(path, sizeof(path));
	assert_int_equal(screenshot_write_png(path, (uint8_t *)fb, 2, 1, 4, 16, err, sizeof(err)), 0);
	rgb = read_png(path, &img);
	assert_int_equal(rgb[0], 255);
	assert_int_equal(rgb[2], 0);
	assert_int_equal(rgb[3], 0);
	assert_int_equal(rgb[5], 255);
	free(rgb);
	unlink(path);
}

static void test_refusals(void **state)
{
	uint8_t fb[16] = { 0 };
	char err[128];

	(void)state;
	assert_int_equal(screenshot_write_png("/tmp/x.png", fb, 0, 1, 4, 32, err, sizeof(err)), -1);
	assert_int_equal(screenshot_write_png("/tmp/x.png", fb, 4, 1, 8, 32, err, sizeof(err)), -1);
	assert_int_equal(screenshot_write_png("/tmp/x.png", fb, 1, 1, 4, 24, err, sizeof(err)), -1);
	assert_int_equal(screenshot_write_png("/nonexistent-dir/x.png", fb, 1, 1, 4, 32, err,
					      sizeof(err)), -1);
	assert_non_null(strstr(err, "nonexistent-dir"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xrgb_roundtrip),
		cmocka_unit_test(test_rgb565),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests_name("screenshot", tests, NULL, NULL);
}
