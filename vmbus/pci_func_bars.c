// SPDX-License-Identifier: MIT
/*
 * BAR placement: registry claims and MMIO handlers that follow what the
 * guest programs through config space (see vmbus/pci_func_bars.h).
 */
#include "vmbus/pci_func_bars.h"

#include <stdio.h>
#include <string.h>

#include "vmm/log.h"
#include "vmm/trace.h"

static void bar_mmio_read(void *ctx, uint64_t off, void *data, unsigned len)
{
	struct pci_func_bar_ref *ref = ctx;
	struct pci_func_bars *b = ref->bars;
	int ret = -1;

	pthread_mutex_lock(b->lock);
	/* A vCPU may still hold the handler the bus had before an unmap. */
	if (b->mapped_at[ref->bar])
		ret = pci_func_bar_read(b->fn, ref->bar, off, data, len);
	else
		memset(data, 0xff, len);
	pthread_mutex_unlock(b->lock);
	if (ret)
		guest_refuse("vpci.bar-access",
			     "%s: BAR%u read of %u bytes at +0x%llx refused",
			     b->owner, ref->bar, len, (unsigned long long)off);
}

static void bar_mmio_write(void *ctx, uint64_t off, const void *data,
			   unsigned len)
{
	struct pci_func_bar_ref *ref = ctx;
	struct pci_func_bars *b = ref->bars;
	int ret = -1;

	pthread_mutex_lock(b->lock);
	if (b->mapped_at[ref->bar])
		ret = pci_func_bar_write(b->fn, ref->bar, off, data, len);
	pthread_mutex_unlock(b->lock);
	if (ret)
		guest_refuse("vpci.bar-access",
			     "%s: BAR%u write of %u bytes at +0x%llx ignored",
			     b->owner, ref->bar, len, (unsigned long long)off);
}

void pci_func_bars_init(struct pci_func_bars *b, struct pci_func *fn,
			struct mmio_registry *registry, struct mmio_bus *mmio,
			pthread_mutex_t *lock, const char *owner)
{
	memset(b, 0, sizeof(*b));
	b->fn = fn;
	b->registry = registry;
	b->mmio = mmio;
	b->lock = lock;
	snprintf(b->owner, sizeof(b->owner), "%s", owner);
	for (unsigned i = 0; i < PCI_FUNC_NUM_BARS; i++) {
		b->ref[i].bars = b;
		b->ref[i].bar = i;
	}
}

static void trace_bar(const char *event, const struct pci_func_bars *b,
		      unsigned bar, uint64_t base, uint64_t size)
{
	struct trace_rec r;

	if (!trace_begin(&r, TRACE_HOST, TRACE_CTL, event))
		return;
	trace_str(&r, "owner", b->owner);
	trace_u64(&r, "bar", bar);
	trace_hex(&r, "base", base);
	trace_hex(&r, "size", size);
	trace_end(&r);
}

static void unmap(struct pci_func_bars *b, unsigned i)
{
	if (!b->mapped_at[i])
		return;
	mmio_bus_unregister(b->mmio, b->mapped_at[i], &b->ref[i]);
	b->mapped_at[i] = 0;
}

static void map(struct pci_func_bars *b, unsigned i)
{
	struct mmio_handler h = {
		.base = b->claimed[i],
		.size = pci_func_bar_size(b->fn, i),
		.owner = b->owner,
		.ctx = &b->ref[i],
		.read = bar_mmio_read,
		.write = bar_mmio_write,
	};

	if (mmio_bus_register(b->mmio, &h)) {
		/* The registry said the range was free, so only a handler
		 * registered without a claim can be in the way: a host bug. */
		log_err("%s: BAR%u at 0x%llx: MMIO handler not registered",
			b->owner, i, (unsigned long long)h.base);
		return;
	}
	b->mapped_at[i] = h.base;
}

static void unclaim(struct pci_func_bars *b, unsigned i)
{
	unmap(b, i);
	if (!b->claimed[i])
		return;
	mmio_registry_release(b->registry, b->owner, MMIO_CLAIM_BAR,
			      b->claimed[i]);
	trace_bar("PCI_BAR_RELEASED", b, i, b->claimed[i],
		  pci_func_bar_size(b->fn, i));
	b->claimed[i] = 0;
}

static void refuse_placement(struct pci_func_bars *b, unsigned i,
			     uint64_t addr, uint64_t size,
			     enum mmio_claim_result res,
			     const struct mmio_claim *holder)
{
	char who[128];

	b->refusals++;
	trace_bar("PCI_BAR_REFUSED", b, i, addr, size);
	switch (res) {
	case MMIO_CLAIM_OVERLAP:
		mmio_claim_describe(holder, who, sizeof(who));
		guest_refuse("vpci.bar-overlap",
			     "%s: BAR%u [0x%llx, 0x%llx) overlaps %s; BAR cleared",
			     b->owner, i, (unsigned long long)addr,
			     (unsigned long long)(addr + size), who);
		break;
	case MMIO_CLAIM_OUTSIDE_GAPS:
		guest_refuse("vpci.bar-outside-gaps",
			     "%s: BAR%u [0x%llx, 0x%llx) is not inside a VMBus "
			     "MMIO gap; BAR cleared", b->owner, i,
			     (unsigned long long)addr,
			     (unsigned long long)(addr + size));
		break;
	default:
		guest_refuse("vpci.bar-refused",
			     "%s: BAR%u at 0x%llx refused by the MMIO registry "
			     "(%d); BAR cleared", b->owner, i,
			     (unsigned long long)addr, (int)res);
		break;
	}
}

/* The guest finished writing BAR i's address (or turned decode on). */
static void place(struct pci_func_bars *b, unsigned i)
{
	uint64_t addr = pci_func_bar_address(b->fn, i);
	uint64_t size = pci_func_bar_size(b->fn, i);
	struct mmio_claim holder;
	enum mmio_claim_result res;

	if (pci_func_bar_sizing(b->fn, i))
		return;
	if (addr == b->claimed[i])
		return;                 /* unchanged, or still unplaced */
	unclaim(b, i);
	if (addr == 0)
		return;
	memset(&holder, 0, sizeof(holder));
	res = mmio_registry_claim(b->registry, b->owner, MMIO_CLAIM_BAR, addr,
				  size, &holder);
	if (res != MMIO_CLAIM_OK) {
		refuse_placement(b, i, addr, size, res, &holder);
		pci_func_bar_set_address(b->fn, i, 0);
		return;
	}
	b->claimed[i] = addr;
	trace_bar("PCI_BAR_CLAIMED", b, i, addr, size);
}

/* Make the handlers match "placed and decoding". */
static void sync_mappings(struct pci_func_bars *b)
{
	bool decode = pci_func_mem_enabled(b->fn);

	for (unsigned i = 0; i < PCI_FUNC_NUM_BARS; i++) {
		if (!pci_func_bar_present(b->fn, i))
			continue;
		bool want = decode && b->claimed[i] &&
			    pci_func_bar_address(b->fn, i) == b->claimed[i];

		if (want && b->mapped_at[i] != b->claimed[i]) {
			unmap(b, i);
			map(b, i);
		} else if (!want) {
			unmap(b, i);
		}
	}
}

void pci_func_bars_update(struct pci_func_bars *b, unsigned events)
{
	for (unsigned r = 0; r < PCI_FUNC_NUM_BARS; r++) {
		bool completes = false;
		int bar;

		if (!(events & PCI_FUNC_EV_BAR(r)))
			continue;
		bar = pci_func_bar_of_register(b->fn, r, &completes);
		if (bar >= 0 && completes)
			place(b, (unsigned)bar);
	}
	/* Decode on: whatever the BARs hold now is where the guest wants
	 * them, even if it never wrote a 64-bit BAR's upper half. */
	if ((events & PCI_FUNC_EV_COMMAND) && pci_func_mem_enabled(b->fn)) {
		for (unsigned i = 0; i < PCI_FUNC_NUM_BARS; i++) {
			if (pci_func_bar_present(b->fn, i))
				place(b, i);
		}
	}
	sync_mappings(b);
}

void pci_func_bars_release(struct pci_func_bars *b)
{
	for (unsigned i = 0; i < PCI_FUNC_NUM_BARS; i++)
		unclaim(b, i);
}

bool pci_func_bars_mapped(const struct pci_func_bars *b, unsigned bar)
{
	return bar < PCI_FUNC_NUM_BARS && b->mapped_at[bar] != 0;
}
