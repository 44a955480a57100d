// SPDX-License-Identifier: MIT
/*
 * Config-space access for the functions of a VPCI bus, as Linux's
 * _hv_pcifront_read_config / _hv_pcifront_write_config do it
 * (protocol-facts §7.6):
 *   - reads of the IDs (0x00-0x03), revision/class (0x08-0x0B) and
 *     subsystem IDs (0x2C-0x2F) come from the bus-relations descriptor;
 *     the ROM BAR (0x30-0x33) and interrupt line (0x3C) read as 0;
 *   - writes to 0x2C-0x33 are dropped;
 *   - everything else inside the 4 KiB config space goes through the
 *     window: the function's win_slot to page 0, then the access at
 *     0x1000 + where.
 */
#include "pci_front/vpci_internal.h"

/* Byte off of the 20-byte relations descriptor. */
static uint8_t desc_byte(const struct vpci_func_desc *desc, unsigned off)
{
	uint8_t bytes[sizeof(*desc)];

	pcif_copy(bytes, desc, sizeof(bytes));
	return bytes[off];
}

/* size bytes of the descriptor from desc_off, little-endian. */
static uint32_t desc_value(const struct vpci_func_desc *desc, unsigned desc_off,
			   unsigned size)
{
	uint32_t v = 0;
	unsigned i;

	for (i = 0; i < size; i++)
		v |= (uint32_t)desc_byte(desc, desc_off + i) << (8 * i);
	return v;
}

static bool inside(uint32_t where, unsigned size, uint32_t first,
		   uint32_t end_excl)
{
	return where >= first && (uint64_t)where + size <= end_excl;
}

static bool valid_size(unsigned size)
{
	return size == 1 || size == 2 || size == 4;
}

/* Select the function, then access its config page (Linux holds
 * config_lock across both; the guest has one CPU doing probes). */
static uint32_t window_read(struct pcif_bus *bus, uint32_t win_slot,
			    uint32_t where, unsigned size)
{
	const struct pcif_transport_ops *ops = bus->xport.ops;

	ops->mmio_write(bus->xport.ctx,
			bus->config_window + VPCI_SLOT_SELECTOR_OFFSET, 4,
			win_slot);
	return ops->mmio_read(bus->xport.ctx,
			      bus->config_window + VPCI_CFG_PAGE_OFFSET + where,
			      size);
}

static void window_write(struct pcif_bus *bus, uint32_t win_slot,
			 uint32_t where, unsigned size, uint32_t val)
{
	const struct pcif_transport_ops *ops = bus->xport.ops;

	ops->mmio_write(bus->xport.ctx,
			bus->config_window + VPCI_SLOT_SELECTOR_OFFSET, 4,
			win_slot);
	ops->mmio_write(bus->xport.ctx,
			bus->config_window + VPCI_CFG_PAGE_OFFSET + where, size,
			val);
}

int pcif_cfg_read(struct pcif_bus *bus, uint32_t win_slot, uint32_t where,
		  unsigned size, uint32_t *val)
{
	const struct pcif_func *f = pcif_func_at(bus, win_slot);

	if (!valid_size(size))
		return PCIF_ERR_INVALID;
	if (!f)
		return PCIF_ERR_NO_DEVICE;

	if ((uint64_t)where + size <= PCIF_PCI_COMMAND) {
		/* Vendor and device ID: descriptor bytes 0-3. */
		*val = desc_value(&f->desc, where, size);
	} else if (inside(where, size, 0x08, 0x0C)) {
		/* Revision, prog-if, subclass, class: descriptor bytes 4-7. */
		*val = desc_value(&f->desc, 4 + (where - 0x08), size);
	} else if (inside(where, size, PCIF_PCI_SUBSYSTEM_VENDOR,
			  PCIF_PCI_ROM_ADDRESS)) {
		/* Subsystem vendor and ID: descriptor bytes 8-11. */
		*val = desc_value(&f->desc, 8 + (where - PCIF_PCI_SUBSYSTEM_VENDOR),
				  size);
	} else if (inside(where, size, PCIF_PCI_ROM_ADDRESS,
			  PCIF_PCI_CAPABILITY_LIST)) {
		/* "ROM BARs are unimplemented" */
		*val = 0;
	} else if (inside(where, size, PCIF_PCI_INTERRUPT_LINE,
			  PCIF_PCI_INTERRUPT_PIN)) {
		/* Interrupt line hard-wired to 0: MSI/MSI-X only. */
		*val = 0;
	} else if ((uint64_t)where + size <= VPCI_CFG_SPACE_SIZE) {
		if (!bus->has_config_window)
			return PCIF_ERR_INVALID;
		*val = window_read(bus, win_slot, where, size);
	} else {
		pcif_log_str(&bus->log, PCIF_LOG_ERR,
			     "Attempt to read beyond a function's config space.");
		return PCIF_ERR_INVALID;
	}
	return PCIF_OK;
}

int pcif_cfg_write(struct pcif_bus *bus, uint32_t win_slot, uint32_t where,
		   unsigned size, uint32_t val)
{
	if (!valid_size(size))
		return PCIF_ERR_INVALID;
	if (!pcif_func_at(bus, win_slot))
		return PCIF_ERR_NO_DEVICE;

	if (inside(where, size, PCIF_PCI_SUBSYSTEM_VENDOR,
		   PCIF_PCI_CAPABILITY_LIST)) {
		/* "SSIDs and ROM BARs are read-only" */
		return PCIF_OK;
	}
	if (inside(where, size, PCIF_PCI_COMMAND, VPCI_CFG_SPACE_SIZE)) {
		if (!bus->has_config_window)
			return PCIF_ERR_INVALID;
		window_write(bus, win_slot, where, size, val);
		return PCIF_OK;
	}
	pcif_log_str(&bus->log, PCIF_LOG_ERR,
		     "Attempt to write beyond a function's config space.");
	return PCIF_ERR_INVALID;
}
