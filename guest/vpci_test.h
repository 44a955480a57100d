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
#include "guest/vpci_transport.h"
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
	/* Added by the implementation. */
	char name[12];                /* "vpci<index>": MMIO owner, log prefix */
	struct vpci_transport xport;
	bool refused;                 /* D0 entry refused by the host */
	bool ejected;                 /* the hot-remove went through */
};

struct vpci_test_options {
	enum pcif_config_window_policy window_policy;
	/* Put the config window here instead of allocating it (a test of
	 * the host's refusal); 0 = allocate as Linux does.  The front-end
	 * still takes its window from the allocator; the transport moves
	 * BUS_D0ENTRY's mmio_base and every config access to this address
	 * (vpci_transport_force_window), so nothing in the guest's
	 * allocator accounts for it -- as after a kexec. */
	uint64_t forced_window;
	/* After the probe, ask the host to hot-remove this slot and check
	 * both sides agree; < 0 = no hot-remove. */
	int eject_slot;
	/* A D0-entry refusal is the outcome the caller reports (kdump
	 * scenarios): print Linux's line, record failed_status, return
	 * false, but fail no TAP check.  false: the refusal fails the
	 * "D0 entry accepted" check. */
	bool refusal_is_outcome;
};

/* Open the channel (4 + 4 ring pages, facts §7.1, host interrupts to VP
 * 0), probe, check every function, hot-remove opts->eject_slot.  `index`
 * is the host's bus number (its "vpci<index>", VPCI_TEST_IDENTITY's bus
 * and the eject request's bus).  Returns t->came_up.  Call
 * vpci_test_remove() afterwards whatever the result: it closes the
 * channel if it was opened. */
bool vpci_test_probe(struct vpci_test_bus *t, unsigned index,
		     struct vmbus_client *c, const struct vmbus_offer_info *offer,
		     struct pcif_mmio_alloc *alloc,
		     const struct vpci_test_options *opts);
/* D0 exit, free the windows, close the channel (a clean driver unload).
 * After a failed probe only the channel is closed. */
void vpci_test_remove(struct vpci_test_bus *t);

#endif
