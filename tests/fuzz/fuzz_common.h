/* SPDX-License-Identifier: MIT */
/*
 * Shared by the libFuzzer targets in tests/fuzz/: a reader that turns the
 * fuzzer's bytes into values (running dry yields zeros, never an error),
 * the one-time process setup (quiet log, trace on /dev/null so the trace
 * decoders run on hostile bytes too), an invariant check that aborts, and
 * the address and MMIO helpers the VPCI/synthvid targets share.
 *
 * Everything here is static: each target is its own program.
 */
#ifndef KVMBUS_FUZZ_COMMON_H
#define KVMBUS_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/memmap.h"
#include "vmbus/mmio_registry.h"
#include "vmm/log.h"
#include "vmm/mmio_bus.h"
#include "vmm/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* ---- the input --------------------------------------------------------- */

struct fz {
	const uint8_t *p;
	size_t n;
};

static inline struct fz fz_of(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };

	return f;
}

static inline bool fz_more(const struct fz *f)
{
	return f->n > 0;
}

static inline uint8_t fz_u8(struct fz *f)
{
	if (!f->n)
		return 0;
	f->n--;
	return *f->p++;
}

static inline uint16_t fz_u16(struct fz *f)
{
	uint16_t lo = fz_u8(f);

	return (uint16_t)(lo | (uint16_t)fz_u8(f) << 8);
}

static inline uint32_t fz_u32(struct fz *f)
{
	uint32_t lo = fz_u16(f);

	return lo | (uint32_t)fz_u16(f) << 16;
}

static inline uint64_t fz_u64(struct fz *f)
{
	uint64_t lo = fz_u32(f);

	return lo | (uint64_t)fz_u32(f) << 32;
}

static inline bool fz_bool(struct fz *f)
{
	return fz_u8(f) & 1;
}

/* len bytes into dst; what the input lacks is zero. */
static inline void fz_bytes(struct fz *f, void *dst, size_t len)
{
	size_t have = len < f->n ? len : f->n;

	if (have)
		memcpy(dst, f->p, have);
	if (len > have)
		memset((uint8_t *)dst + have, 0, len - have);
	f->p += have;
	f->n -= have;
}

/* An invariant of the host code failed: that is a finding, like a crash. */
#define FZ_CHECK(cond)                                                       \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", \
				#cond, __FILE__, __LINE__);                  \
			abort();                                             \
		}                                                            \
	} while (0)

/* ---- process setup --------------------------------------------------- */

static inline void fz_process_setup(void)
{
	static bool done;
	bool verbose;

	if (done)
		return;
	done = true;
	/* KVMBUS_FUZZ_VERBOSE=1 shows refusals and the trace, to follow
	 * what one input (a seed, a crash) does. */
	verbose = getenv("KVMBUS_FUZZ_VERBOSE") != NULL;
	log_set_quiet(!verbose);
	/* The trace decoders read guest bytes too: keep them in the run. */
	if (trace_open(verbose ? "-" : "/dev/null", TRACE_TEXT) != 0)
		fprintf(stderr, "fuzz: cannot open the trace\n");
}

/* ---- the default memory map and MMIO addresses ------------------------- */

#define FZ_MIB   0x100000ull
#define FZ_LOW   MEMMAP_DEFAULT_LOW_MMIO_BASE
#define FZ_HIGH  MEMMAP_DEFAULT_HIGH_MMIO_BASE

static inline void fz_memmap(struct memmap *m)
{
	struct memmap_range low = { FZ_LOW, MEMMAP_DEFAULT_LOW_MMIO_SIZE };
	struct memmap_range high = { FZ_HIGH, MEMMAP_DEFAULT_HIGH_MMIO_SIZE };
	char err[128];

	if (memmap_build(m, 256 * FZ_MIB, low, high, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz: memmap_build: %s\n", err);
		abort();
	}
}

/* An MMIO address the way a guest would pick one: mostly page- or
 * BAR-aligned inside the gaps (so claims can succeed and collide), some
 * at the gaps' edges, some anything at all. */
static inline uint64_t fz_addr(struct fz *f)
{
	uint8_t sel = fz_u8(f);

	switch (sel & 7) {
	case 0:
	case 1:
		return FZ_LOW + (uint64_t)fz_u8(f) * 0x1000;
	case 2:
		return FZ_HIGH + (uint64_t)fz_u8(f) * 0x4000;
	case 3:
		return FZ_LOW + (uint64_t)fz_u16(f) * 0x100;
	case 4:
		/* Near the end of a gap. */
		return (sel & 8 ? FZ_HIGH + MEMMAP_DEFAULT_HIGH_MMIO_SIZE
				: FZ_LOW + MEMMAP_DEFAULT_LOW_MMIO_SIZE) -
		       (uint64_t)fz_u8(f) * 0x1000;
	case 5:
		return FZ_LOW + fz_u32(f);
	default:
		return fz_u64(f);
	}
}

/* An MMIO access length: mostly 1/2/4/8, sometimes the odd ones a broken
 * caller could pass (mmio_bus_access must refuse 0 and > 8). */
static inline unsigned fz_access_len(struct fz *f)
{
	static const unsigned lens[8] = { 1, 2, 4, 8, 4, 4, 3, 0 };
	uint8_t sel = fz_u8(f);

	return sel & 0x80 ? (unsigned)(sel & 0xF) : lens[sel & 7];
}

/* One access through the MMIO bus with a value from the input. */
static inline void fz_mmio(struct fz *f, struct mmio_bus *bus, uint64_t gpa)
{
	uint8_t data[16];
	unsigned len = fz_access_len(f);
	bool write = fz_bool(f);
	uint64_t v = fz_u64(f);

	memset(data, 0xA5, sizeof(data));
	memcpy(data, &v, sizeof(v));
	mmio_bus_access(bus, gpa, data, len, write);
	/* An access is at most 8 bytes: nothing may land beyond them. */
	for (unsigned i = 8; i < sizeof(data); i++)
		FZ_CHECK(data[i] == 0xA5);
}

/* Every handler on the MMIO bus is backed by a live registry claim of
 * the same owner covering it: guest MMIO reaches a device model only in
 * a range the registry granted. */
static inline void fz_check_mmio_claims(const struct mmio_bus *bus,
					const struct mmio_registry *reg)
{
	FZ_CHECK(mmio_registry_consistent(reg));
	FZ_CHECK(bus->n <= MMIO_BUS_MAX_HANDLERS);
	for (unsigned i = 0; i < bus->n; i++) {
		const struct mmio_handler *h = &bus->h[i];
		struct mmio_claim c;

		FZ_CHECK(mmio_registry_lookup(reg, h->base, h->size, &c));
		FZ_CHECK(c.base <= h->base &&
			 h->base - c.base + h->size <= c.size);
		FZ_CHECK(h->owner && strcmp(h->owner, c.owner) == 0);
	}
}

/* libFuzzer calls this once per process; every target only needs the
 * process setup (quiet logs, trace to /dev/null).  Each target is its
 * own program, so defining it here gives each exactly one. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_process_setup();
	return 0;
}

#endif
