// SPDX-License-Identifier: MIT
/*
 * Config space and BAR0 registers of an emulated PCI function (see
 * vmbus/pci_func.h).
 *
 * The header's 256 bytes are kept with a per-byte write mask: a write
 * changes only the writable bits of each byte it covers.  That one rule
 * gives read-only IDs, the fixed type bits of a BAR and BAR sizing
 * (all-ones reads back as the size mask) without special cases.
 */
#include "vmbus/pci_func.h"

#include <string.h>

#include "vmbus/abi/vpci_abi.h"

static void put8(uint8_t *b, uint32_t off, uint8_t v)
{
	b[off] = v;
}

static void put16(uint8_t *b, uint32_t off, uint16_t v)
{
	b[off] = (uint8_t)v;
	b[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *b, uint32_t off, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		b[off + i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *b, uint32_t off)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < 4; i++)
		v |= (uint32_t)b[off + i] << (8 * i);
	return v;
}

static uint16_t get16(const uint8_t *b, uint32_t off)
{
	return (uint16_t)(b[off] | (b[off + 1] << 8));
}

static bool is_power_of_two(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

static uint32_t bar_reg(unsigned i)
{
	return PCI_CFG_BAR0 + 4u * i;
}

/* Type bits a memory BAR shows in its low dword. */
static uint32_t bar_type_bits(const struct pci_bar_spec *b)
{
	return (b->is64 ? PCI_BAR_MEM_TYPE_64 : 0) |
	       (b->prefetchable ? PCI_BAR_MEM_PREFETCH : 0);
}

/* Writable address bits of a BAR, as a 64-bit mask. */
static uint64_t bar_addr_mask(const struct pci_bar_spec *b)
{
	uint64_t mask = ~(b->size - 1) & ~(uint64_t)0xF;

	return b->is64 ? mask : (mask & 0xFFFFFFFFull);
}

int pci_func_model_check(const struct pci_func_model *m)
{
	if (!m || !m->name)
		return -1;
	for (unsigned i = 0; i < PCI_FUNC_NUM_BARS; i++) {
		const struct pci_bar_spec *b = &m->bar[i];

		if (b->size == 0)
			continue;
		if (!is_power_of_two(b->size) || b->size < 16)
			return -1;
		if (!b->is64 && b->size > 0x80000000ull)
			return -1;
		if (b->is64) {
			/* The upper half must be free and exist. */
			if (i + 1 >= PCI_FUNC_NUM_BARS || m->bar[i + 1].size)
				return -1;
			i++;
		}
	}
	switch (m->irq_cap) {
	case PCI_IRQ_CAP_NONE:
		return 0;
	case PCI_IRQ_CAP_MSI:
		return (is_power_of_two(m->irq_vectors) && m->irq_vectors <= 32)
			? 0 : -1;
	case PCI_IRQ_CAP_MSIX: {
		uint64_t bar0 = m->bar[0].size;
		uint64_t table_end = (uint64_t)m->msix_table_offset +
				     (uint64_t)m->irq_vectors * PCI_MSIX_ENTRY_SIZE;
		uint64_t pba_end = (uint64_t)m->msix_pba_offset +
				   ((m->irq_vectors + 63u) / 64u) * 8u;

		if (m->irq_vectors == 0 || m->irq_vectors > PCI_FUNC_MAX_MSIX)
			return -1;
		if ((m->msix_table_offset | m->msix_pba_offset) & 7u)
			return -1;
		if (table_end > bar0 || pba_end > bar0)
			return -1;
		/* Table, PBA and the ID/scratch registers must not overlap. */
		if (m->msix_table_offset < 0x10 || m->msix_pba_offset < 0x10 ||
		    (m->msix_pba_offset < table_end &&
		     m->msix_table_offset < pba_end))
			return -1;
		return 0;
	}
	}
	return -1;
}

static unsigned log2_u16(uint16_t v)
{
	unsigned n = 0;

	while (v > 1) {
		v >>= 1;
		n++;
	}
	return n;
}

static void init_capability(struct pci_func *f)
{
	const struct pci_func_model *m = f->model;
	uint32_t c = PCI_CFG_CAP_OFFSET;

	if (m->irq_cap == PCI_IRQ_CAP_NONE)
		return;
	put16(f->cfg, PCI_CFG_STATUS, PCI_STATUS_CAP_LIST);
	put8(f->cfg, PCI_CFG_CAP_PTR, (uint8_t)c);
	if (m->irq_cap == PCI_IRQ_CAP_MSI) {
		put8(f->cfg, c, PCI_CAP_ID_MSI);
		put8(f->cfg, c + 1, 0);               /* last capability */
		put16(f->cfg, c + PCI_MSI_FLAGS,
		      (uint16_t)(PCI_MSI_FLAGS_64BIT |
				 (log2_u16(m->irq_vectors) << 1)));
		put16(f->wmask, c + PCI_MSI_FLAGS,
		      PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
		put32(f->wmask, c + PCI_MSI_ADDRESS_LO, 0xFFFFFFFCu);
		put32(f->wmask, c + PCI_MSI_ADDRESS_HI, 0xFFFFFFFFu);
		put16(f->wmask, c + PCI_MSI_DATA_64, 0xFFFFu);
		return;
	}
	put8(f->cfg, c, PCI_CAP_ID_MSIX);
	put8(f->cfg, c + 1, 0);
	put16(f->cfg, c + PCI_MSIX_FLAGS, (uint16_t)(m->irq_vectors - 1));
	put16(f->wmask, c + PCI_MSIX_FLAGS,
	      PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	put32(f->cfg, c + PCI_MSIX_TABLE, m->msix_table_offset); /* BIR 0 */
	put32(f->cfg, c + PCI_MSIX_PBA, m->msix_pba_offset);
}

void pci_func_reset(struct pci_func *f)
{
	const struct pci_func_model *m = f->model;

	memset(f->cfg, 0, sizeof(f->cfg));
	memset(f->wmask, 0, sizeof(f->wmask));
	put16(f->cfg, PCI_CFG_VENDOR_ID, m->vendor_id);
	put16(f->cfg, PCI_CFG_DEVICE_ID, m->device_id);
	put8(f->cfg, PCI_CFG_REVISION, m->revision);
	put8(f->cfg, PCI_CFG_PROG_IF, m->prog_if);
	put8(f->cfg, PCI_CFG_SUBCLASS, m->subclass);
	put8(f->cfg, PCI_CFG_BASE_CLASS, m->base_class);
	put8(f->cfg, PCI_CFG_HEADER_TYPE, 0);            /* type 0, single fn */
	put16(f->cfg, PCI_CFG_SUBSYS_VENDOR, m->subsys_vendor_id);
	put16(f->cfg, PCI_CFG_SUBSYS_ID, m->subsys_id);
	/* No I/O BARs, so I/O space enable stays 0. */
	put16(f->wmask, PCI_CFG_COMMAND,
	      PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |
	      PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
	put8(f->wmask, PCI_CFG_CACHE_LINE, 0xFF);
	put8(f->wmask, PCI_CFG_INT_LINE, 0xFF);
	/* No interrupt pin: MSI/MSI-X only, as on Hyper-V. */

	for (unsigned i = 0; i < PCI_FUNC_NUM_BARS; i++) {
		const struct pci_bar_spec *b = &m->bar[i];

		if (b->size == 0)
			continue;
		uint64_t mask = bar_addr_mask(b);

		put32(f->cfg, bar_reg(i), bar_type_bits(b));
		put32(f->wmask, bar_reg(i), (uint32_t)mask);
		if (b->is64) {
			put32(f->wmask, bar_reg(i + 1), (uint32_t)(mask >> 32));
			i++;
		}
	}
	init_capability(f);

	f->scratch = 0;
	memset(f->msix_table, 0, sizeof(f->msix_table));
	for (unsigned v = 0; v < PCI_FUNC_MAX_MSIX; v++)
		f->msix_table[v * PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_CTRL] = 1;
}

void pci_func_init(struct pci_func *f, const struct pci_func_model *m,
		   uint32_t identity)
{
	memset(f, 0, sizeof(*f));
	f->model = m;
	f->identity = identity;
	pci_func_reset(f);
}

static bool access_ok(uint64_t off, unsigned len, uint64_t limit)
{
	if (len != 1 && len != 2 && len != 4 && len != 8)
		return false;
	return off % len == 0 && off < limit && len <= limit - off;
}

int pci_func_cfg_read(const struct pci_func *f, uint32_t off, unsigned len,
		      uint32_t *val)
{
	uint32_t v = 0;

	if (len == 8 || !access_ok(off, len, PCI_CFG_SPACE_SIZE))
		return -1;
	for (unsigned i = 0; i < len; i++) {
		uint32_t b = off + i;

		if (b < PCI_CFG_HEADER_SIZE)
			v |= (uint32_t)f->cfg[b] << (8 * i);
	}
	*val = v;
	return 0;
}

/* Does [off, off + len) touch [reg, reg + size)? */
static bool touches(uint32_t off, unsigned len, uint32_t reg, unsigned size)
{
	return off < reg + size && reg < off + len;
}

/* MSI: software may not enable more vectors than the function has. */
static void clamp_msi_enable(struct pci_func *f)
{
	uint32_t at = PCI_CFG_CAP_OFFSET + PCI_MSI_FLAGS;
	uint16_t flags = get16(f->cfg, at);
	unsigned capable = (flags & PCI_MSI_FLAGS_QMASK) >> 1;
	unsigned enabled = (flags & PCI_MSI_FLAGS_QSIZE) >> 4;

	if (enabled > capable) {
		flags = (uint16_t)((flags & ~PCI_MSI_FLAGS_QSIZE) | (capable << 4));
		put16(f->cfg, at, flags);
	}
}

int pci_func_cfg_write(struct pci_func *f, uint32_t off, unsigned len,
		       uint32_t val)
{
	unsigned events = 0;

	if (len == 8 || !access_ok(off, len, PCI_CFG_SPACE_SIZE))
		return -1;
	for (unsigned i = 0; i < len; i++) {
		uint32_t b = off + i;
		uint8_t v = (uint8_t)(val >> (8 * i));

		if (b >= PCI_CFG_HEADER_SIZE)
			break;          /* extended space: read-only zeros */
		f->cfg[b] = (uint8_t)((f->cfg[b] & ~f->wmask[b]) |
				      (v & f->wmask[b]));
	}
	if (f->model->irq_cap == PCI_IRQ_CAP_MSI &&
	    touches(off, len, PCI_CFG_CAP_OFFSET + PCI_MSI_FLAGS, 2))
		clamp_msi_enable(f);
	if (touches(off, len, PCI_CFG_COMMAND, 2))
		events |= PCI_FUNC_EV_COMMAND;
	for (unsigned i = 0; i < PCI_FUNC_NUM_BARS; i++) {
		if (touches(off, len, bar_reg(i), 4))
			events |= PCI_FUNC_EV_BAR(i);
	}
	return (int)events;
}

bool pci_func_mem_enabled(const struct pci_func *f)
{
	return (get16(f->cfg, PCI_CFG_COMMAND) & PCI_COMMAND_MEMORY) != 0;
}

bool pci_func_bar_present(const struct pci_func *f, unsigned i)
{
	return i < PCI_FUNC_NUM_BARS && f->model->bar[i].size != 0;
}

uint64_t pci_func_bar_size(const struct pci_func *f, unsigned i)
{
	return pci_func_bar_present(f, i) ? f->model->bar[i].size : 0;
}

int pci_func_bar_of_register(const struct pci_func *f, unsigned r,
			     bool *completes)
{
	if (r >= PCI_FUNC_NUM_BARS)
		return -1;
	if (pci_func_bar_present(f, r)) {
		*completes = !f->model->bar[r].is64;
		return (int)r;
	}
	if (r > 0 && pci_func_bar_present(f, r - 1) && f->model->bar[r - 1].is64) {
		*completes = true;
		return (int)(r - 1);
	}
	return -1;
}

uint64_t pci_func_bar_address(const struct pci_func *f, unsigned i)
{
	if (!pci_func_bar_present(f, i))
		return 0;
	uint64_t addr = get32(f->cfg, bar_reg(i)) & PCI_BAR_MEM_ADDR_MASK;

	if (f->model->bar[i].is64)
		addr |= (uint64_t)get32(f->cfg, bar_reg(i + 1)) << 32;
	return addr;
}

bool pci_func_bar_sizing(const struct pci_func *f, unsigned i)
{
	if (!pci_func_bar_present(f, i))
		return false;
	uint64_t addr = pci_func_bar_address(f, i);
	if (addr == bar_addr_mask(&f->model->bar[i]))
		return true;
	/* Linux sizes a 64-bit BAR one half at a time (__pci_read_base):
	 * while the upper half holds all-ones the BAR reads as an address
	 * no guest can have (MAXPHYADDR <= 52), so it is being sized, not
	 * placed. */
	return f->model->bar[i].is64 && (addr >> 32) == 0xFFFFFFFFu;
}

void pci_func_bar_set_address(struct pci_func *f, unsigned i, uint64_t addr)
{
	if (!pci_func_bar_present(f, i))
		return;
	const struct pci_bar_spec *b = &f->model->bar[i];
	uint64_t a = addr & bar_addr_mask(b);

	put32(f->cfg, bar_reg(i), (uint32_t)a | bar_type_bits(b));
	if (b->is64)
		put32(f->cfg, bar_reg(i + 1), (uint32_t)(a >> 32));
}

void pci_func_probed_bars(const struct pci_func *f,
			  uint32_t out[PCI_FUNC_NUM_BARS])
{
	memset(out, 0, PCI_FUNC_NUM_BARS * sizeof(out[0]));
	for (unsigned i = 0; i < PCI_FUNC_NUM_BARS; i++) {
		const struct pci_bar_spec *b = &f->model->bar[i];

		if (b->size == 0)
			continue;
		uint64_t mask = bar_addr_mask(b);

		out[i] = (uint32_t)mask | bar_type_bits(b);
		if (b->is64) {
			out[i + 1] = (uint32_t)(mask >> 32);
			i++;
		}
	}
}

/* ---- BAR0 registers ------------------------------------------------- */

static bool in_range(uint64_t off, unsigned len, uint64_t start, uint64_t size)
{
	return off >= start && off - start < size && len <= size - (off - start);
}

/* The len bytes at byte `rel` of a little-endian register value, and the
 * register value with those bytes replaced. */
static uint64_t read_field(uint64_t field, uint64_t rel, unsigned len)
{
	uint64_t v = field >> (8 * rel);

	return len == 8 ? v : v & ((1ull << (8 * len)) - 1);
}

static uint64_t write_field(uint64_t field, uint64_t rel, unsigned len,
			    uint64_t v)
{
	uint64_t mask = len == 8 ? ~0ull : ((1ull << (8 * len)) - 1);

	return (field & ~(mask << (8 * rel))) | ((v & mask) << (8 * rel));
}

static uint64_t le_load(const void *data, unsigned len)
{
	const uint8_t *p = data;
	uint64_t v = 0;

	for (unsigned i = 0; i < len; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void le_store(void *data, unsigned len, uint64_t v)
{
	uint8_t *p = data;

	for (unsigned i = 0; i < len; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static bool has_msix_table(const struct pci_func *f, unsigned bar)
{
	return bar == 0 && f->model->irq_cap == PCI_IRQ_CAP_MSIX;
}

int pci_func_bar_read(struct pci_func *f, unsigned bar, uint64_t off,
		      void *data, unsigned len)
{
	const struct pci_func_model *m = f->model;
	uint64_t v = 0;

	if (!pci_func_bar_present(f, bar) ||
	    !access_ok(off, len, m->bar[bar].size)) {
		if (data && len <= 8)
			memset(data, 0xff, len);
		return -1;
	}
	if (bar == 0 && off < 0x10) {
		/* ID, identity and scratch: one 16-byte block. */
		uint64_t lo = VPCI_TEST_MAGIC | ((uint64_t)f->identity << 32);

		v = off < 8 ? read_field(lo, off, len)
			    : read_field(f->scratch, off - 8, len);
	} else if (has_msix_table(f, bar) &&
		   in_range(off, len, m->msix_table_offset,
			    (uint64_t)m->irq_vectors * PCI_MSIX_ENTRY_SIZE)) {
		v = le_load(&f->msix_table[off - m->msix_table_offset], len);
	}
	/* The PBA and everything else read 0: nothing is ever pending. */
	le_store(data, len, v);
	return 0;
}

int pci_func_bar_write(struct pci_func *f, unsigned bar, uint64_t off,
		       const void *data, unsigned len)
{
	const struct pci_func_model *m = f->model;
	uint64_t v;

	if (!pci_func_bar_present(f, bar) ||
	    !access_ok(off, len, m->bar[bar].size))
		return -1;
	v = le_load(data, len);
	if (bar == 0 && off >= 8 && off < 0x10) {
		f->scratch = write_field(f->scratch, off - 8, len, v);
	} else if (has_msix_table(f, bar) &&
		   in_range(off, len, m->msix_table_offset,
			    (uint64_t)m->irq_vectors * PCI_MSIX_ENTRY_SIZE)) {
		uint64_t rel = off - m->msix_table_offset;

		for (unsigned i = 0; i < len; i++) {
			uint64_t b = rel + i;
			uint8_t byte = (uint8_t)(v >> (8 * i));

			switch (b % PCI_MSIX_ENTRY_SIZE) {
			case 0:         /* address bits 1:0 are reserved zero */
				byte &= 0xFC;
				break;
			case PCI_MSIX_ENTRY_CTRL:
				byte &= 0x01;   /* only the mask bit exists */
				break;
			case PCI_MSIX_ENTRY_CTRL + 1:
			case PCI_MSIX_ENTRY_CTRL + 2:
			case PCI_MSIX_ENTRY_CTRL + 3:
				byte = 0;
				break;
			}
			f->msix_table[b] = byte;
		}
	}
	/* ID registers, PBA and unused space ignore writes. */
	return 0;
}
