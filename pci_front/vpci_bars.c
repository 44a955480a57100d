// SPDX-License-Identifier: MIT
/*
 * BAR arithmetic and programming for a VPCI bus: the sums the bridge
 * windows are sized from (Linux survey_child_resources), and the BAR
 * addresses written through the config window (Linux prepopulate_bars,
 * plus the sizing the PCI core's scan does).  protocol-facts §7.5.
 */
#include "pci_front/vpci_internal.h"

/* BAR low-bit fields (PCI spec). */
#define BAR_SPACE_IO        0x1u
#define BAR_MEM_TYPE_MASK   0x6u
#define BAR_MEM_TYPE_64     0x4u
#define BAR_MEM_PREFETCH    0x8u
#define BAR_MEM_ADDR_MASK   (~0xFull)
#define BAR_IO_ADDR_MASK    (~0x3ull)

/* Linux get_bar_size: the hypervisor maps whole pages, so a BAR smaller
 * than a page still takes one, starting at the page's beginning. */
uint64_t pcif_bar_size(uint64_t value)
{
	uint64_t size = ~(value & BAR_MEM_ADDR_MASK) + 1;

	if (size > UINT64_MAX - (PCIF_BAR_PAGE - 1))
		return size;
	return (size + PCIF_BAR_PAGE - 1) & ~(PCIF_BAR_PAGE - 1);
}

/* The 64-bit read-back value of BAR i from a mask array: a 64-bit BAR
 * takes its upper half from the next register, a 32-bit one reads as if
 * the upper half were all ones. */
static uint64_t bar_value(const uint32_t *mask, unsigned i)
{
	uint64_t v = mask[i];

	if ((v & BAR_MEM_TYPE_64) && i + 1 < VPCI_NUM_BARS)
		return v | ((uint64_t)mask[i + 1] << 32);
	return v | 0xFFFFFFFF00000000ull;
}

void pcif_survey_bar_space(struct pcif_bus *bus)
{
	unsigned k, i;

	/* "If the answer has already been computed, go with it." */
	if (bus->low_mmio_space || bus->high_mmio_space)
		return;

	/* BARs are powers of two and naturally aligned, so a plain sum is
	 * enough room when the window is aligned to its largest one. */
	for (k = 0; k < PCIF_MAX_FUNCS; k++) {
		const struct pcif_func *f = &bus->func[k];

		if (!f->present)
			continue;
		for (i = 0; i < VPCI_NUM_BARS; i++) {
			uint64_t value;

			if (f->probed_bar[i] & BAR_SPACE_IO)
				pcif_log_str(&bus->log, PCIF_LOG_ERR,
					     "There's an I/O BAR in this list!");
			if (!f->probed_bar[i])
				continue;
			value = bar_value(f->probed_bar, i);
			if (value & BAR_MEM_TYPE_64) {
				bus->high_mmio_space += pcif_bar_size(value);
				i++;
			} else {
				bus->low_mmio_space += pcif_bar_size(value);
			}
		}
	}
}

/* ---- Through the config window ---------------------------------------- */

static uint32_t cfg_read(struct pcif_bus *bus, const struct pcif_func *f,
			 uint32_t where, unsigned size)
{
	uint32_t v = 0;

	pcif_cfg_read(bus, f->desc.win_slot, where, size, &v);
	return v;
}

static void cfg_write(struct pcif_bus *bus, const struct pcif_func *f,
		      uint32_t where, unsigned size, uint32_t v)
{
	pcif_cfg_write(bus, f->desc.win_slot, where, size, v);
}

static void set_memory_decoding(struct pcif_bus *bus, const struct pcif_func *f,
				bool on)
{
	uint32_t command = cfg_read(bus, f, PCIF_PCI_COMMAND, 2);

	if (on)
		command |= PCIF_PCI_COMMAND_MEMORY;
	else
		command &= ~PCIF_PCI_COMMAND_MEMORY;
	cfg_write(bus, f, PCIF_PCI_COMMAND, 2, command);
}

/* Write all-ones, read back, restore: the mask of one BAR register. */
static uint32_t read_mask(struct pcif_bus *bus, const struct pcif_func *f,
			  unsigned reg_index)
{
	uint32_t where = PCIF_PCI_BAR0 + 4 * reg_index;
	uint32_t saved = cfg_read(bus, f, where, 4), mask;

	cfg_write(bus, f, where, 4, 0xFFFFFFFFu);
	mask = cfg_read(bus, f, where, 4);
	cfg_write(bus, f, where, 4, saved);
	return mask;
}

static void warn_probe_mismatch(struct pcif_bus *bus, const struct pcif_func *f,
				unsigned i, uint64_t cfg_value,
				uint64_t probed_value)
{
	struct pcif_text t;

	pcif_text_init(&t);
	pcif_text_str(&t, "slot ");
	pcif_text_hex_alt(&t, f->desc.win_slot);
	pcif_text_str(&t, " BAR");
	pcif_text_dec(&t, i);
	pcif_text_str(&t, ": config space reads ");
	pcif_text_hex_alt(&t, cfg_value);
	pcif_text_str(&t, ", the host probed ");
	pcif_text_hex_alt(&t, probed_value);
	pcif_log_text(&bus->log, PCIF_LOG_WARN, &t);
}

/* Size every BAR of f through config space (decoding is off). */
static void size_bars(struct pcif_bus *bus, struct pcif_func *f)
{
	uint32_t mask[VPCI_NUM_BARS] = { 0 };
	unsigned i;

	for (i = 0; i < VPCI_NUM_BARS; i++) {
		mask[i] = read_mask(bus, f, i);
		if ((mask[i] & (BAR_SPACE_IO | BAR_MEM_TYPE_MASK)) ==
		    BAR_MEM_TYPE_64 && i + 1 < VPCI_NUM_BARS) {
			mask[i + 1] = read_mask(bus, f, i + 1);
			i++;
		}
	}

	for (i = 0; i < VPCI_NUM_BARS; i++) {
		struct pcif_bar *bar = &f->bar[i];
		uint64_t value, probed;

		pcif_zero(bar, sizeof(*bar));
		if (!mask[i])
			continue;
		if (mask[i] & BAR_SPACE_IO) {
			/* No I/O window on this bus: noted, never assigned. */
			bar->is_io = true;
			bar->size = (uint32_t)(~(mask[i] & BAR_IO_ADDR_MASK) + 1);
			continue;
		}
		value = bar_value(mask, i);
		probed = bar_value(f->probed_bar, i);
		if (f->probed_bar[i] != mask[i] ||
		    ((value & BAR_MEM_TYPE_64) && value != probed))
			warn_probe_mismatch(bus, f, i, value, probed);
		bar->size = pcif_bar_size(value);
		bar->is_64bit = (value & BAR_MEM_TYPE_64) != 0;
		bar->prefetchable = (value & BAR_MEM_PREFETCH) != 0;
		if (bar->is_64bit) {
			i++;
			pcif_zero(&f->bar[i], sizeof(f->bar[i]));
		}
	}
}

struct bar_ref {
	struct pcif_func *func;
	unsigned index;
};

/* Memory BARs of every function, biggest first; equal sizes keep
 * function and register order (Linux walks the children per size). */
static unsigned collect_bars_biggest_first(struct pcif_bus *bus,
					   struct bar_ref *out)
{
	unsigned n = 0, k, i, j;

	for (k = 0; k < PCIF_MAX_FUNCS; k++) {
		struct pcif_func *f = &bus->func[k];

		if (!f->present)
			continue;
		for (i = 0; i < VPCI_NUM_BARS; i++) {
			struct bar_ref ref = { f, i };

			if (!f->bar[i].size || f->bar[i].is_io)
				continue;
			/* Insertion sort, stable: move past every bigger one. */
			j = n++;
			while (j > 0 && out[j - 1].func->bar[out[j - 1].index].size <
					f->bar[i].size) {
				out[j] = out[j - 1];
				j--;
			}
			out[j] = ref;
		}
	}
	return n;
}

/* Worded after the PCI core's "BAR n: no space for [mem size ...]". */
static void log_no_space(struct pcif_bus *bus, const struct pcif_func *f,
			 unsigned i)
{
	struct pcif_text t;

	pcif_text_init(&t);
	pcif_text_str(&t, "slot ");
	pcif_text_hex_alt(&t, f->desc.win_slot);
	pcif_text_str(&t, " BAR ");
	pcif_text_dec(&t, i);
	pcif_text_str(&t, ": no space for [mem size ");
	pcif_text_hex_alt(&t, f->bar[i].size);
	pcif_text_str(&t, f->bar[i].is_64bit ? " 64bit] in the high bridge window"
					     : "] in the low bridge window");
	pcif_log_text(&bus->log, PCIF_LOG_ERR, &t);
}

void pcif_program_bars(struct pcif_bus *bus)
{
	struct bar_ref order[PCIF_MAX_FUNCS * VPCI_NUM_BARS];
	uint64_t low_next = bus->low_window, high_next = bus->high_window;
	uint64_t low_end = bus->low_window + bus->low_mmio_space;
	uint64_t high_end = bus->high_window + bus->high_mmio_space;
	unsigned n, k;

	/* Hyper-V ignores BAR writes while Memory Space Enable is set. */
	for (k = 0; k < PCIF_MAX_FUNCS; k++)
		if (bus->func[k].present)
			set_memory_decoding(bus, &bus->func[k], false);

	for (k = 0; k < PCIF_MAX_FUNCS; k++)
		if (bus->func[k].present)
			size_bars(bus, &bus->func[k]);

	n = collect_bars_biggest_first(bus, order);
	for (k = 0; k < n; k++) {
		struct pcif_func *f = order[k].func;
		unsigned i = order[k].index;
		struct pcif_bar *bar = &f->bar[i];
		bool high = bar->is_64bit;
		uint64_t *next = high ? &high_next : &low_next;
		uint64_t end = high ? high_end : low_end;
		bool have_window = high ? bus->has_high_window : bus->has_low_window;

		if (!have_window || *next > end || bar->size > end - *next) {
			log_no_space(bus, f, i);
			bus->unassigned_bars++;
			continue;
		}
		bar->base = *next;
		*next += bar->size;
		cfg_write(bus, f, PCIF_PCI_BAR0 + 4 * i, 4, (uint32_t)bar->base);
		if (high)
			cfg_write(bus, f, PCIF_PCI_BAR0 + 4 * (i + 1), 4,
				  (uint32_t)(bar->base >> 32));
	}

	for (k = 0; k < PCIF_MAX_FUNCS; k++) {
		const struct pcif_func *f = &bus->func[k];
		unsigned i;
		bool any = false;

		if (!f->present)
			continue;
		for (i = 0; i < VPCI_NUM_BARS; i++)
			any |= f->bar[i].base != 0;
		if (any)
			set_memory_decoding(bus, f, true);
	}
}
