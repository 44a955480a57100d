/* SPDX-License-Identifier: MIT */
/*
 * Dispatch of guest MMIO exits to the device models that claimed a range
 * (the VPCI config window, emulated BARs).  An access nobody claimed
 * reads all-ones, ignores writes, and is logged -- never fatal.
 */
#ifndef KVMBUS_MMIO_BUS_H
#define KVMBUS_MMIO_BUS_H

#include <stdbool.h>
#include <stdint.h>

#define MMIO_BUS_MAX_HANDLERS 64

struct mmio_handler {
	uint64_t base;
	uint64_t size;
	const char *owner;
	void *ctx;
	/* off is relative to base; len is 1, 2, 4 or 8. */
	void (*read)(void *ctx, uint64_t off, void *data, unsigned len);
	void (*write)(void *ctx, uint64_t off, const void *data, unsigned len);
};

struct mmio_bus {
	struct mmio_handler h[MMIO_BUS_MAX_HANDLERS];
	unsigned n;
};

/* 0, or -1 if the range overlaps a registered one or the table is full. */
int mmio_bus_register(struct mmio_bus *bus, const struct mmio_handler *h);
/* Removes the handler registered at exactly `base` with this ctx. */
void mmio_bus_unregister(struct mmio_bus *bus, uint64_t base, void *ctx);
void mmio_bus_access(struct mmio_bus *bus, uint64_t gpa, void *data,
		     unsigned len, bool is_write);

#endif
