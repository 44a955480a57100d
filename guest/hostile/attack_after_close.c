// SPDX-License-Identifier: MIT
/*
 * MMIO that outlived its session: once the PCI channel is closed the bus
 * leaves D0 (facts §7.5: the window and the BARs exist only in D0), so
 * the old config window and BAR must be nobody's MMIO -- all-ones, and no
 * stale handler touching a powered-down bus.
 */
#include "guest/hostile/cases.h"

#include "guest/hostile/env.h"
#include "vmbus/abi/vpci_abi.h"

#define CFG_VENDOR_ID 0x0u

static bool read_is_all_ones(struct hsaw *s, uint64_t gpa)
{
	uint32_t v = *(volatile uint32_t *)(uintptr_t)gpa;

	saw(s, "read 0x%x", v);
	return v == 0xFFFFFFFFu;
}

static bool window_after_close(struct hsaw *s)
{
	return read_is_all_ones(s, henv.window + VPCI_CFG_PAGE_OFFSET +
				   CFG_VENDOR_ID);
}

static bool bar_after_close(struct hsaw *s)
{
	return read_is_all_ones(s, henv.bar);
}

static const struct hcase cases[] = {
	{ "config window read after the PCI channel closed", "mmio.unclaimed", window_after_close },
	{ "BAR read after the PCI channel closed", "mmio.unclaimed", bar_after_close },
};

const struct hgroup hostile_after_close_group =
	HGROUP("after the PCI channel closed", NULL, NULL, cases);
