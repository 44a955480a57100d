// SPDX-License-Identifier: MIT
/*
 * Malformed MMIO on a PCI bus in D0 (facts §7.6): the 8 KiB config window
 * (page 0: a u32 slot selector and nothing else; page 1: the selected
 * function's config space) and a function's BAR placed where the MMIO
 * registry must refuse it.  Refused reads return all-ones, as an empty
 * PCI bus does; refused writes change nothing.
 */
#include "guest/hostile/cases.h"

#include "guest/hostile/env.h"
#include "guest/lib/cpu.h"
#include "vmbus/abi/vpci_abi.h"

#define TEST32_SLOT      VPCI_WIN_SLOT(1, 0)
#define EMPTY_SLOT       VPCI_WIN_SLOT(7, 0)
#define CFG_COMMAND      0x04u
#define CFG_BAR0         0x10u
#define COMMAND_MEMORY   0x0002u
#define BAR_ADDR_MASK    0xFFFFFFF0u

static volatile uint8_t *win(uint64_t off)
{
	return (volatile uint8_t *)(uintptr_t)(henv.window + off);
}

static void select_slot(uint32_t slot)
{
	*(volatile uint32_t *)win(VPCI_SLOT_SELECTOR_OFFSET) = slot;
}

static uint32_t cfg_read32(uint32_t reg)
{
	return *(volatile uint32_t *)win(VPCI_CFG_PAGE_OFFSET + reg);
}

static void cfg_write32(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)win(VPCI_CFG_PAGE_OFFSET + reg) = v;
}

static bool all_ones(struct hsaw *s, uint32_t v, uint32_t ones)
{
	saw(s, "read 0x%x", v);
	return v == ones;
}

static bool page0_beyond_selector(struct hsaw *s)
{
	return all_ones(s, *(volatile uint32_t *)win(0x10), 0xFFFFFFFFu);
}

static bool page0_write(struct hsaw *s)
{
	*(volatile uint32_t *)win(0x8) = 0x12345678u;
	return all_ones(s, *(volatile uint32_t *)win(0x8), 0xFFFFFFFFu);
}

static bool absent_function(struct hsaw *s)
{
	uint32_t v;

	select_slot(EMPTY_SLOT);
	v = cfg_read32(0);
	select_slot(TEST32_SLOT);
	return all_ones(s, v, 0xFFFFFFFFu);
}

static bool misaligned_config_read(struct hsaw *s)
{
	select_slot(TEST32_SLOT);
	return all_ones(s, *(volatile uint16_t *)win(VPCI_CFG_PAGE_OFFSET + 1),
			0xFFFFu);
}

/* Just past the 8 KiB window: nobody's MMIO (facts §7.6). */
static bool past_the_window(struct hsaw *s)
{
	return all_ones(s, *(volatile uint32_t *)win(VPCI_CONFIG_WINDOW_SIZE),
			0xFFFFFFFFu);
}

/* The registry clears a refused BAR (vmbus/pci_func_bars.c). */
static bool bar_refused(struct hsaw *s, uint64_t where)
{
	uint32_t back;

	select_slot(TEST32_SLOT);
	cfg_write32(CFG_BAR0, (uint32_t)where);
	back = cfg_read32(CFG_BAR0) & BAR_ADDR_MASK;
	saw(s, "BAR0 reads back 0x%x", back);
	return back == 0;
}

static bool bar_in_ram(struct hsaw *s)
{
	return bar_refused(s, 0x200000);
}

static bool bar_on_config_window(struct hsaw *s)
{
	return bar_refused(s, henv.window);
}

/* A legitimately placed BAR, then a 2-byte read at an odd offset. */
static bool bar_misaligned_read(struct hsaw *s)
{
	volatile uint8_t *bar = (volatile uint8_t *)(uintptr_t)henv.bar;
	uint32_t magic;
	uint16_t odd;

	select_slot(TEST32_SLOT);
	cfg_write32(CFG_BAR0, (uint32_t)henv.bar);
	cfg_write32(CFG_COMMAND, cfg_read32(CFG_COMMAND) | COMMAND_MEMORY);
	magic = *(volatile uint32_t *)bar;
	odd = *(volatile uint16_t *)(bar + 1);
	saw(s, "magic 0x%x at the BAR, then read 0x%x", magic, odd);
	return magic == VPCI_TEST_MAGIC && odd == 0xFFFF;
}

static const struct hcase cases[] = {
	{ "config window page 0 read past the slot selector", "vpci.cfgwin-page0", page0_beyond_selector },
	{ "config window page 0 write past the slot selector", "vpci.cfgwin-page0", page0_write },
	{ "config read of an empty slot", "vpci.cfgwin-no-function", absent_function },
	{ "config read of 2 bytes at an odd offset", "vpci.cfgwin-access", misaligned_config_read },
	{ "read just past the config window", "mmio.unclaimed", past_the_window },
	{ "BAR placed in RAM", "vpci.bar-outside-gaps", bar_in_ram },
	{ "BAR placed on the config window", "vpci.bar-overlap", bar_on_config_window },
	{ "BAR read of 2 bytes at an odd offset", "vpci.bar-access", bar_misaligned_read },
};

const struct hgroup hostile_vpci_mmio_group = HGROUP("PCI config window and BARs", NULL, NULL, cases);
