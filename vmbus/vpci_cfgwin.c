// SPDX-License-Identifier: MIT
/*
 * The 8 KiB config window a bus serves while in D0 (facts §7.6):
 *   page 0, offset 0: u32 slot selector, the win_slot of the function the
 *                     guest wants to talk to (it writes it before each
 *                     access, under its own lock);
 *   page 1:           that function's 4 KiB config space, 1/2/4-byte
 *                     accesses.
 * Anything else -- other offsets of page 0, an absent function, a
 * malformed access -- reads all-ones, is ignored on write, and is logged
 * as a refusal: the guest is hostile, but we do not stop it.
 */
#include "vmbus/vpci_internal.h"

#include <string.h>

#include "vmm/log.h"

static uint32_t load_le(const void *data, unsigned len)
{
	const uint8_t *p = data;
	uint32_t v = 0;

	for (unsigned i = 0; i < len && i < 4; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static void store_le(void *data, unsigned len, uint32_t v)
{
	uint8_t *p = data;

	for (unsigned i = 0; i < len && i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static bool is_selector(uint64_t off, unsigned len)
{
	return off == VPCI_SLOT_SELECTOR_OFFSET && len == 4;
}

static void cfgwin_read(void *ctx, uint64_t off, void *data, unsigned len)
{
	struct vpci_bus *bus = ctx;
	struct vpci_slot *s;
	uint32_t v;

	memset(data, 0xff, len);
	pthread_mutex_lock(&bus->lock);
	if (!bus->in_d0) {
		/* A vCPU still held the handler as D0 exit removed it. */
	} else if (off < VPCI_CFG_PAGE_OFFSET) {
		if (is_selector(off, len))
			store_le(data, len, bus->slot_selector);
		else
			guest_refuse("vpci.cfgwin-page0",
				     "%s: config window read of %u bytes at +0x%llx "
				     "(only the u32 slot selector lives in page 0)",
				     bus->name, len, (unsigned long long)off);
	} else if (!(s = vpci_find_slot(bus, bus->slot_selector))) {
		guest_refuse("vpci.cfgwin-no-function",
			     "%s: config read at 0x%llx for slot 0x%x: no such function",
			     bus->name, (unsigned long long)(off - VPCI_CFG_PAGE_OFFSET),
			     bus->slot_selector);
	} else if (pci_func_cfg_read(&s->fn, (uint32_t)(off - VPCI_CFG_PAGE_OFFSET),
				     len, &v)) {
		guest_refuse("vpci.cfgwin-access",
			     "%s: malformed config read of %u bytes at 0x%llx",
			     bus->name, len,
			     (unsigned long long)(off - VPCI_CFG_PAGE_OFFSET));
	} else {
		store_le(data, len, v);
	}
	pthread_mutex_unlock(&bus->lock);
}

static void cfgwin_write(void *ctx, uint64_t off, const void *data,
			 unsigned len)
{
	struct vpci_bus *bus = ctx;
	struct vpci_slot *s;
	int ev;

	pthread_mutex_lock(&bus->lock);
	if (!bus->in_d0) {
		/* stale handler, see cfgwin_read */
	} else if (off < VPCI_CFG_PAGE_OFFSET) {
		if (is_selector(off, len))
			bus->slot_selector = load_le(data, len);
		else
			guest_refuse("vpci.cfgwin-page0",
				     "%s: config window write of %u bytes at +0x%llx ignored",
				     bus->name, len, (unsigned long long)off);
	} else if (!(s = vpci_find_slot(bus, bus->slot_selector))) {
		guest_refuse("vpci.cfgwin-no-function",
			     "%s: config write at 0x%llx for slot 0x%x: no such function",
			     bus->name, (unsigned long long)(off - VPCI_CFG_PAGE_OFFSET),
			     bus->slot_selector);
	} else if ((ev = pci_func_cfg_write(&s->fn,
					    (uint32_t)(off - VPCI_CFG_PAGE_OFFSET),
					    len, load_le(data, len))) < 0) {
		guest_refuse("vpci.cfgwin-access",
			     "%s: malformed config write of %u bytes at 0x%llx",
			     bus->name, len,
			     (unsigned long long)(off - VPCI_CFG_PAGE_OFFSET));
	} else {
		/* BAR placement and decode follow the write (facts §7.5 8). */
		pci_func_bars_update(&s->bars, (unsigned)ev);
	}
	pthread_mutex_unlock(&bus->lock);
}

int vpci_cfgwin_map(struct vpci_bus *bus, uint64_t base)
{
	struct mmio_handler h = {
		.base = base,
		.size = VPCI_CONFIG_WINDOW_SIZE,
		.owner = bus->name,
		.ctx = bus,
		.read = cfgwin_read,
		.write = cfgwin_write,
	};

	return mmio_bus_register(bus->mmio, &h);
}

void vpci_cfgwin_unmap(struct vpci_bus *bus)
{
	mmio_bus_unregister(bus->mmio, bus->window_base, bus);
}
