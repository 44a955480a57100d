/* SPDX-License-Identifier: MIT */
/*
 * The PCI pass-through part of the guest test: one VPCI bus behind one
 * offer, probed by pci_front/ exactly as Linux's pci-hyperv would, then
 * every function exercised through its config space and its BARs.  Each
 * step is a TAP check.
 */
#ifndef GUEST_VPCI_TEST_H
#define GUEST_VPCI_TEST_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/channel.h"
#include "guest/vmbus_client.h"
#include "pci_front/mmio_alloc.h"
#include "pci_front/vpci_front.h"

struct vpci_test_bus {
	unsigned index;
	struct guest_channel ch;
	struct pcif_bus bus;
	bool came_up;                 /* probe succeeded */
	uint32_t failed_status;       /* e.g. 0xC0370048 from D0 entry */
	uint64_t config_window;       /* where the probe put it (0 = none) */
	unsigned functions_checked;
};

struct vpci_test_options {
	enum pcif_config_window_policy window_policy;
	/* Put the config window here instead of allocating it (a test of
	 * the host's refusal); 0 = allocate as Linux does. */
	uint64_t forced_window;
	/* After the probe, ask the host to hot-remove this slot and check
	 * both sides agree; < 0 = no hot-remove. */
	int eject_slot;
};

/* Open the channel, probe, check every function.  Returns t->came_up. */
bool vpci_test_probe(struct vpci_test_bus *t, unsigned index,
		     struct vmbus_client *c, const struct vmbus_offer_info *offer,
		     struct pcif_mmio_alloc *alloc,
		     const struct vpci_test_options *opts);
/* D0 exit, free the windows, close the channel (a clean driver unload). */
void vpci_test_remove(struct vpci_test_bus *t);

#endif
