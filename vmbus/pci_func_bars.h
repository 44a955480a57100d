/* SPDX-License-Identifier: MIT */
/*
 * Where an emulated function's BARs live: their claims in the MMIO
 * registry and their handlers on the MMIO bus.
 *
 * Rules (facts §7.5 step 8 is how Linux programs BARs):
 *   - a BAR is *placed* when its address is complete: a write to a 32-bit
 *     BAR, or to the upper half of a 64-bit one (Linux writes low, then
 *     high), or memory decode being switched on.  Placing claims the
 *     range (kind BAR, owner "vpci0/slot1"); a range outside the VMBus
 *     MMIO gaps or overlapping another claim is refused -- logged, and
 *     the BAR is cleared so the guest reads back 0;
 *   - the all-ones sizing pattern is a measurement, not a placement: the
 *     claim is kept while the guest sizes and restores;
 *   - writing 0 unplaces the BAR (claim released);
 *   - guest MMIO reaches the function only while the BAR is placed and
 *     COMMAND.memory is on: the handler is registered and unregistered to
 *     follow exactly that.
 *
 * Locking: the owner's lock (given at init) is held by whoever calls
 * pci_func_bars_update/release, and is taken by the BAR MMIO handlers
 * around every access to the function.
 */
#ifndef KVMBUS_PCI_FUNC_BARS_H
#define KVMBUS_PCI_FUNC_BARS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmbus/mmio_registry.h"
#include "vmbus/pci_func.h"
#include "vmm/mmio_bus.h"

struct pci_func_bars;

/* The MMIO handler context of one BAR. */
struct pci_func_bar_ref {
	struct pci_func_bars *bars;
	unsigned bar;
};

struct pci_func_bars {
	struct pci_func *fn;
	struct mmio_registry *registry;
	struct mmio_bus *mmio;
	pthread_mutex_t *lock;
	char owner[MMIO_OWNER_LEN];           /* "vpci0/slot1" */
	uint64_t claimed[PCI_FUNC_NUM_BARS];  /* 0: no claim */
	uint64_t mapped_at[PCI_FUNC_NUM_BARS];/* handler base; 0: unmapped */
	struct pci_func_bar_ref ref[PCI_FUNC_NUM_BARS];
	unsigned refusals;                    /* placements refused so far */
};

void pci_func_bars_init(struct pci_func_bars *b, struct pci_func *fn,
			struct mmio_registry *registry, struct mmio_bus *mmio,
			pthread_mutex_t *lock, const char *owner);
/* After pci_func_cfg_write() returned `events` (lock held). */
void pci_func_bars_update(struct pci_func_bars *b, unsigned events);
/* Unmap and release every BAR; the BAR registers keep their values
 * (lock held).  For resources released, D0 exit, removal, reset. */
void pci_func_bars_release(struct pci_func_bars *b);
bool pci_func_bars_mapped(const struct pci_func_bars *b, unsigned bar);

#endif
