// SPDX-License-Identifier: MIT
/*
 * Guest MMIO dispatch (see vmm/mmio_bus.h).
 *
 * Locking: registration may happen at run time (a guest moving a BAR
 * through config space) while another vCPU thread is dispatching.  One
 * lock guards every bus table, and it is never held while a device
 * callback runs: a callback may itself (un)register ranges, and a device
 * may call in here while holding its own lock.  The handler is therefore
 * copied out under the lock and called after it is dropped; a device that
 * unregisters must keep its ctx alive until its vCPUs are quiet.
 */
#include "vmm/mmio_bus.h"

#include <pthread.h>
#include <string.h>

#include "vmm/log.h"

/* A guest probing unclaimed space can exit on every access; log the first
 * few so the problem is visible, then stay quiet. */
#define UNCLAIMED_LOG_LIMIT 16

static pthread_mutex_t bus_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned unclaimed_logged;

/* Last byte of a range; the caller has checked size != 0 and no wrap. */
static uint64_t range_last(uint64_t base, uint64_t size)
{
	return base + (size - 1);
}

static bool ranges_overlap(uint64_t a_base, uint64_t a_size,
			   uint64_t b_base, uint64_t b_size)
{
	return a_base <= range_last(b_base, b_size) &&
	       b_base <= range_last(a_base, a_size);
}

int mmio_bus_register(struct mmio_bus *bus, const struct mmio_handler *h)
{
	int ret = -1;

	if (!bus || !h || h->size == 0)
		return -1;
	/* base + size must not pass 2^64: the last byte is base + size - 1. */
	if (h->size - 1 > UINT64_MAX - h->base)
		return -1;

	pthread_mutex_lock(&bus_lock);
	if (bus->n >= MMIO_BUS_MAX_HANDLERS)
		goto out;
	for (unsigned i = 0; i < bus->n; i++) {
		if (ranges_overlap(bus->h[i].base, bus->h[i].size,
				   h->base, h->size))
			goto out;
	}
	bus->h[bus->n++] = *h;
	ret = 0;
out:
	pthread_mutex_unlock(&bus_lock);
	return ret;
}

void mmio_bus_unregister(struct mmio_bus *bus, uint64_t base, void *ctx)
{
	if (!bus)
		return;
	pthread_mutex_lock(&bus_lock);
	unsigned n = bus->n < MMIO_BUS_MAX_HANDLERS ? bus->n
						      : MMIO_BUS_MAX_HANDLERS;
	for (unsigned i = 0; i < n; i++) {
		if (bus->h[i].base != base || bus->h[i].ctx != ctx)
			continue;
		/* Keep the order of the others: registration order is
		 * what a reader of a dump expects. */
		memmove(&bus->h[i], &bus->h[i + 1],
			(n - i - 1) * sizeof(bus->h[0]));
		bus->n = n - 1;
		break;
	}
	pthread_mutex_unlock(&bus_lock);
}

/* Copy out the handler whose range holds the whole access, if any.  An
 * access that only partly overlaps a range goes to nobody, so a device
 * never sees off + len beyond its size. */
static bool find_handler(struct mmio_bus *bus, uint64_t gpa, unsigned len,
			 struct mmio_handler *out)
{
	bool found = false;

	pthread_mutex_lock(&bus_lock);
	unsigned n = bus->n < MMIO_BUS_MAX_HANDLERS ? bus->n
						      : MMIO_BUS_MAX_HANDLERS;
	for (unsigned i = 0; i < n; i++) {
		const struct mmio_handler *h = &bus->h[i];

		if (gpa < h->base)
			continue;
		uint64_t off = gpa - h->base;
		if (off >= h->size || len > h->size - off)
			continue;
		*out = *h;
		found = true;
		break;
	}
	pthread_mutex_unlock(&bus_lock);
	return found;
}

static void log_unclaimed(uint64_t gpa, unsigned len, bool is_write)
{
	unsigned seen = __atomic_fetch_add(&unclaimed_logged, 1,
					   __ATOMIC_RELAXED);

	/* A refusal like any other, so it is counted and has a rule; past
	 * the limit a probing guest is no longer reported. */
	if (seen < UNCLAIMED_LOG_LIMIT)
		guest_refuse("mmio.unclaimed",
			     "MMIO %s of %u bytes at 0x%llx: no device there (%s)",
			     is_write ? "write" : "read", len,
			     (unsigned long long)gpa,
			     is_write ? "ignored" : "reads all-ones");
	else if (seen == UNCLAIMED_LOG_LIMIT)
		log_warn("further unclaimed MMIO accesses are not logged");
}

void mmio_bus_access(struct mmio_bus *bus, uint64_t gpa, void *data,
		     unsigned len, bool is_write)
{
	struct mmio_handler h;

	/* A KVM MMIO exit carries 1..8 bytes in kvm_run.mmio.data[8]; any
	 * other length is a caller bug, and touching data could overrun. */
	if (!data || len == 0 || len > 8)
		return;

	if (bus && find_handler(bus, gpa, len, &h)) {
		uint64_t off = gpa - h.base;

		if (is_write) {
			if (h.write)
				h.write(h.ctx, off, data, len);
		} else if (h.read) {
			h.read(h.ctx, off, data, len);
		} else {
			memset(data, 0xff, len);
		}
		return;
	}

	/* Nobody claimed it: behave like an empty bus (all-ones). */
	if (!is_write)
		memset(data, 0xff, len);
	log_unclaimed(gpa, len, is_write);
}
