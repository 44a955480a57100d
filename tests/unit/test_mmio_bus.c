// SPDX-License-Identifier: MIT
/* mmio_bus: registration rules, dispatch with range-relative offsets,
 * and the all-ones / ignored-write behaviour of unclaimed space. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/log.h"
#include "vmm/mmio_bus.h"

/* A fake device: remembers the last access and answers reads with a
 * pattern derived from the offset. */
struct fake_dev {
	unsigned reads, writes;
	uint64_t last_off;
	unsigned last_len;
	uint64_t last_written;
};

static void fake_read(void *ctx, uint64_t off, void *data, unsigned len)
{
	struct fake_dev *d = ctx;
	uint64_t v = 0x1100000000000000ull | off;

	d->reads++;
	d->last_off = off;
	d->last_len = len;
	memcpy(data, &v, len);
}

static void fake_write(void *ctx, uint64_t off, const void *data,
		       unsigned len)
{
	struct fake_dev *d = ctx;

	d->writes++;
	d->last_off = off;
	d->last_len = len;
	d->last_written = 0;
	memcpy(&d->last_written, data, len);
}

static struct mmio_handler handler(uint64_t base, uint64_t size,
				   struct fake_dev *d)
{
	return (struct mmio_handler){
		.base = base, .size = size, .owner = "fake", .ctx = d,
		.read = fake_read, .write = fake_write,
	};
}

/* Runs first: the warning budget is process-wide. */
static void unclaimed_accesses_are_logged_then_silenced(void **state)
{
	struct mmio_bus bus = { .n = 0 };
	char path[] = "/tmp/kvmbus-mmio-log-XXXXXX";
	int fd = mkstemp(path);
	int saved = dup(STDERR_FILENO);
	uint32_t v;
	char line[256];
	unsigned unclaimed = 0, further = 0;

	(void)state;
	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	for (int i = 0; i < 40; i++)
		mmio_bus_access(&bus, 0xD0000000ull + 4u * (unsigned)i, &v, 4,
				false);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);

	FILE *f = fdopen(fd, "r");
	assert_non_null(f);
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "kvmbus: guest refused [mmio.unclaimed]: MMIO read"))
			unclaimed++;
		if (strstr(line, "further unclaimed MMIO"))
			further++;
	}
	fclose(f);
	unlink(path);
	assert_int_equal(unclaimed, 16);
	assert_int_equal(further, 1);
}

static void register_refuses_bad_ranges(void **state)
{
	struct mmio_bus bus = { .n = 0 };
	struct fake_dev d = { 0 };
	struct mmio_handler h;

	(void)state;
	h = handler(0x1000, 0, &d);
	assert_int_equal(mmio_bus_register(&bus, &h), -1);
	h = handler(UINT64_MAX - 0xfff, 0x2000, &d);
	assert_int_equal(mmio_bus_register(&bus, &h), -1);
	assert_int_equal(mmio_bus_register(&bus, NULL), -1);
	assert_int_equal(mmio_bus_register(NULL, &h), -1);
	/* The very top of the address space is fine if it does not wrap. */
	h = handler(UINT64_MAX - 0xfff, 0x1000, &d);
	assert_int_equal(mmio_bus_register(&bus, &h), 0);
	assert_int_equal(bus.n, 1);
}

static void register_refuses_overlaps(void **state)
{
	struct mmio_bus bus = { .n = 0 };
	struct fake_dev d = { 0 };
	struct mmio_handler h = handler(0x10000, 0x1000, &d);

	(void)state;
	assert_int_equal(mmio_bus_register(&bus, &h), 0);
	h = handler(0x10000, 0x1000, &d);           /* identical */
	assert_int_equal(mmio_bus_register(&bus, &h), -1);
	h = handler(0x10fff, 0x10, &d);             /* last byte */
	assert_int_equal(mmio_bus_register(&bus, &h), -1);
	h = handler(0xf000, 0x1001, &d);            /* first byte */
	assert_int_equal(mmio_bus_register(&bus, &h), -1);
	h = handler(0x0, 0x100000, &d);             /* encloses */
	assert_int_equal(mmio_bus_register(&bus, &h), -1);
	h = handler(0x10800, 0x10, &d);             /* inside */
	assert_int_equal(mmio_bus_register(&bus, &h), -1);
	/* Adjacent on both sides is fine. */
	h = handler(0xf000, 0x1000, &d);
	assert_int_equal(mmio_bus_register(&bus, &h), 0);
	h = handler(0x11000, 0x1000, &d);
	assert_int_equal(mmio_bus_register(&bus, &h), 0);
	assert_int_equal(bus.n, 3);
}

static void register_refuses_when_full(void **state)
{
	struct mmio_bus *bus = calloc(1, sizeof(*bus));
	struct fake_dev d = { 0 };
	struct mmio_handler h;

	(void)state;
	assert_non_null(bus);
	for (unsigned i = 0; i < MMIO_BUS_MAX_HANDLERS; i++) {
		h = handler(0x1000ull * i, 0x1000, &d);
		assert_int_equal(mmio_bus_register(bus, &h), 0);
	}
	h = handler(0x1000000, 0x1000, &d);
	assert_int_equal(mmio_bus_register(bus, &h), -1);
	free(bus);
}

static void access_dispatches_with_relative_offset(void **state)
{
	struct mmio_bus bus = { .n = 0 };
	struct fake_dev a = { 0 }, b = { 0 };
	struct mmio_handler h;
	uint64_t v = 0;

	(void)state;
	h = handler(0xC0000000ull, 0x2000, &a);
	assert_int_equal(mmio_bus_register(&bus, &h), 0);
	h = handler(0xC0002000ull, 0x1000, &b);
	assert_int_equal(mmio_bus_register(&bus, &h), 0);

	mmio_bus_access(&bus, 0xC0000010ull, &v, 8, false);
	assert_int_equal(a.reads, 1);
	assert_int_equal(a.last_off, 0x10);
	assert_int_equal(a.last_len, 8);
	assert_int_equal(v, 0x1100000000000010ull);

	uint32_t w = 0xdeadbeef;
	mmio_bus_access(&bus, 0xC0002004ull, &w, 4, true);
	assert_int_equal(b.writes, 1);
	assert_int_equal(b.last_off, 4);
	assert_int_equal(b.last_len, 4);
	assert_int_equal(b.last_written, 0xdeadbeef);
	assert_int_equal(a.writes, 0);

	uint8_t byte = 0;
	mmio_bus_access(&bus, 0xC0002FFFull, &byte, 1, false);
	assert_int_equal(b.last_off, 0xFFF);
	assert_int_equal(byte, 0xFF);  /* low byte of the pattern */
}

static void unclaimed_reads_all_ones_and_writes_are_ignored(void **state)
{
	struct mmio_bus bus = { .n = 0 };
	struct fake_dev d = { 0 };
	struct mmio_handler h = handler(0x1000, 0x1000, &d);
	uint64_t v = 0;
	uint16_t s = 0;

	(void)state;
	log_set_quiet(1);
	assert_int_equal(mmio_bus_register(&bus, &h), 0);
	mmio_bus_access(&bus, 0x3000, &v, 8, false);
	assert_int_equal(v, UINT64_MAX);
	mmio_bus_access(&bus, 0x0ffe, &s, 2, false);
	assert_int_equal(s, 0xFFFF);
	v = 0x1234;
	mmio_bus_access(&bus, 0x3000, &v, 8, true);
	assert_int_equal(v, 0x1234);
	assert_int_equal(d.reads + d.writes, 0);
	log_set_quiet(0);
}

static void access_straddling_a_range_end_goes_to_nobody(void **state)
{
	struct mmio_bus bus = { .n = 0 };
	struct fake_dev d = { 0 };
	struct mmio_handler h = handler(0x1000, 0x1000, &d);
	uint64_t v = 0;

	(void)state;
	log_set_quiet(1);
	assert_int_equal(mmio_bus_register(&bus, &h), 0);
	mmio_bus_access(&bus, 0x1ffc, &v, 8, false);
	assert_int_equal(v, UINT64_MAX);
	mmio_bus_access(&bus, 0x0ffc, &v, 8, true);
	assert_int_equal(d.reads + d.writes, 0);
	/* A GPA near 2^64 with no handler: no wrap into low ranges. */
	mmio_bus_access(&bus, UINT64_MAX - 1, &v, 8, false);
	assert_int_equal(d.reads, 0);
	log_set_quiet(0);
}

static void bad_lengths_touch_nothing(void **state)
{
	struct mmio_bus bus = { .n = 0 };
	struct fake_dev d = { 0 };
	struct mmio_handler h = handler(0x1000, 0x1000, &d);
	uint8_t buf[16];

	(void)state;
	assert_int_equal(mmio_bus_register(&bus, &h), 0);
	memset(buf, 0x5a, sizeof(buf));
	mmio_bus_access(&bus, 0x1000, buf, 0, false);
	mmio_bus_access(&bus, 0x1000, buf, 16, false);
	mmio_bus_access(&bus, 0x1000, NULL, 4, false);
	assert_int_equal(buf[0], 0x5a);
	assert_int_equal(buf[15], 0x5a);
	assert_int_equal(d.reads, 0);
}

static void handler_without_callbacks(void **state)
{
	struct mmio_bus bus = { .n = 0 };
	struct mmio_handler h = { .base = 0x1000, .size = 0x100,
				  .owner = "mute" };
	uint32_t v = 0;

	(void)state;
	assert_int_equal(mmio_bus_register(&bus, &h), 0);
	mmio_bus_access(&bus, 0x1000, &v, 4, false);
	assert_int_equal(v, 0xFFFFFFFFu);
	mmio_bus_access(&bus, 0x1000, &v, 4, true);  /* must not crash */
}

static void unregister_removes_only_the_matching_handler(void **state)
{
	struct mmio_bus bus = { .n = 0 };
	struct fake_dev a = { 0 }, b = { 0 }, c = { 0 };
	struct mmio_handler h;
	uint32_t v;

	(void)state;
	log_set_quiet(1);
	h = handler(0x1000, 0x1000, &a);
	assert_int_equal(mmio_bus_register(&bus, &h), 0);
	h = handler(0x2000, 0x1000, &b);
	assert_int_equal(mmio_bus_register(&bus, &h), 0);
	h = handler(0x3000, 0x1000, &c);
	assert_int_equal(mmio_bus_register(&bus, &h), 0);

	mmio_bus_unregister(&bus, 0x2000, &a);      /* wrong ctx: no-op */
	mmio_bus_unregister(&bus, 0x2004, &b);      /* wrong base: no-op */
	assert_int_equal(bus.n, 3);
	mmio_bus_unregister(&bus, 0x2000, &b);
	assert_int_equal(bus.n, 2);

	mmio_bus_access(&bus, 0x2000, &v, 4, false);
	assert_int_equal(b.reads, 0);
	assert_int_equal(v, 0xFFFFFFFFu);
	mmio_bus_access(&bus, 0x3000, &v, 4, false);
	assert_int_equal(c.reads, 1);
	mmio_bus_access(&bus, 0x1000, &v, 4, false);
	assert_int_equal(a.reads, 1);

	/* The freed range can be claimed again (a BAR moved back). */
	h = handler(0x2000, 0x1000, &b);
	assert_int_equal(mmio_bus_register(&bus, &h), 0);
	log_set_quiet(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unclaimed_accesses_are_logged_then_silenced),
		cmocka_unit_test(register_refuses_bad_ranges),
		cmocka_unit_test(register_refuses_overlaps),
		cmocka_unit_test(register_refuses_when_full),
		cmocka_unit_test(access_dispatches_with_relative_offset),
		cmocka_unit_test(unclaimed_reads_all_ones_and_writes_are_ignored),
		cmocka_unit_test(access_straddling_a_range_end_goes_to_nobody),
		cmocka_unit_test(bad_lengths_touch_nothing),
		cmocka_unit_test(handler_without_callbacks),
		cmocka_unit_test(unregister_removes_only_the_matching_handler),
	};

	return cmocka_run_group_tests_name("mmio_bus", tests, NULL, NULL);
}
