// SPDX-License-Identifier: MIT
/*
 * Fuzz target: config window and BAR MMIO (vmbus/vpci_cfgwin.c,
 * vmbus/pci_func.c, vmbus/pci_func_bars.c through mmio_bus_access).
 * Valid packets first bring the bus up as pci-hyperv does -- version,
 * relations, requirements, D0 entry, resources assigned, interrupts --
 * at a window and with BAR addresses the input picks; then the input is
 * a series of MMIO accesses:
 *
 *   op & 7  0-1  the config window: page 0 (slot selector), page 1
 *                (the selected function's config space) or around it
 *           2    select a slot, then a config access (Linux's pair)
 *           3    a BAR of slot 0 or 1, wherever it is mapped now
 *           4    any address (mostly in or at the edges of the gaps)
 *           5    a BAR sizing or move: all-ones, restore, or a new base
 *           6    a protocol packet (D0 exit, release, re-entry, ...)
 *           7    host action (eject, channel reset, other claims)
 *
 * Each access has a length (1, 2, 4, 8 and odd ones), direction and
 * value from the input.  After each record the registry, handlers and
 * BAR state must agree.
 */
#include "tests/fuzz/fuzz_vpci.h"

#include "vmbus/pci_func.h"

static void cfg_access(struct fv *v, uint64_t win, uint32_t slot, uint32_t reg,
		       unsigned len, bool write, uint32_t val)
{
	uint8_t buf[16];

	memset(buf, 0, sizeof(buf));
	memcpy(buf, &val, sizeof(val));
	mmio_bus_access(&v->mmio, win + VPCI_SLOT_SELECTOR_OFFSET, &slot, 4, true);
	mmio_bus_access(&v->mmio, win + VPCI_CFG_PAGE_OFFSET + reg, buf, len,
			write);
}

static void cfg_write(struct fv *v, uint64_t win, uint32_t slot, uint32_t reg,
		      unsigned len, uint32_t val)
{
	cfg_access(v, win, slot, reg, len, true, val);
}

static uint64_t pick_window(struct fz *f)
{
	uint8_t sel = fz_u8(f);

	switch (sel & 3) {
	case 0:
		/* Right after the VRAM, as a kernel that knows it picks. */
		return FV_VRAM_BASE + FV_VRAM_SIZE + (uint64_t)(sel >> 2) * 0x2000;
	case 1:
		return FZ_HIGH + (uint64_t)(sel >> 2) * 0x2000;
	default:
		return fz_addr(f);
	}
}

static void bring_up(struct fv *v, struct fz *f)
{
	uint32_t minor = 1 + fz_u8(f) % 4;
	struct vpci_query_protocol_version q = {
		VPCI_MSG_QUERY_PROTOCOL_VERSION, VPCI_PROTOCOL_VERSION(1, minor),
	};
	struct vpci_message rel = { VPCI_MSG_QUERY_BUS_RELATIONS };
	struct vpci_bus_d0_entry d0 = { VPCI_MSG_BUS_D0ENTRY, 0, pick_window(f) };
	uint64_t bar64 = fz_u8(f) & 0x80 ? fz_addr(f)
					 : FZ_HIGH + 0x100000 + (uint64_t)fz_u8(f) * 0x4000;
	uint64_t bar32 = fz_u8(f) & 0x80 ? fz_addr(f)
					 : FV_VRAM_BASE + FV_VRAM_SIZE + 0x100000 +
					   (uint64_t)fz_u8(f) * 0x100;

	fv_req(v, &q, sizeof(q));
	fv_req(v, &rel, sizeof(rel));
	for (uint32_t slot = 0; slot < 2; slot++) {
		struct vpci_child_message m = {
			VPCI_MSG_QUERY_RESOURCE_REQUIREMENTS, slot,
		};

		fv_req(v, &m, sizeof(m));
	}
	if (fv_req(v, &d0, sizeof(d0)) != VPCI_STATUS_SUCCESS) {
		/* Refused (overlap, outside the gaps): Linux exits D0 and
		 * retries elsewhere. */
		struct vpci_message exit = { VPCI_MSG_BUS_D0EXIT };

		fv_req(v, &exit, sizeof(exit));
		d0.mmio_base = FZ_HIGH + 0x10000000;
		fv_req(v, &d0, sizeof(d0));
	}
	for (uint32_t slot = 0; slot < 2; slot++) {
		if (minor >= 2) {
			struct vpci_resources_assigned2 a;

			memset(&a, 0, sizeof(a));
			a.type = VPCI_MSG_RESOURCES_ASSIGNED2;
			a.win_slot = slot;
			fv_req(v, &a, sizeof(a));
		} else {
			struct vpci_resources_assigned a;

			memset(&a, 0, sizeof(a));
			a.type = VPCI_MSG_RESOURCES_ASSIGNED;
			a.win_slot = slot;
			fv_req(v, &a, sizeof(a));
		}
	}
	if (!v->bus->in_d0)
		return;
	/* Program the BARs the way Linux does: size, then place (low half,
	 * then high half for the 64-bit one), then turn decode on. */
	cfg_write(v, d0.mmio_base, 0, PCI_CFG_BAR0, 4, 0xFFFFFFFF);
	cfg_write(v, d0.mmio_base, 0, PCI_CFG_BAR0 + 4, 4, 0xFFFFFFFF);
	cfg_write(v, d0.mmio_base, 0, PCI_CFG_BAR0, 4, (uint32_t)bar64);
	cfg_write(v, d0.mmio_base, 0, PCI_CFG_BAR0 + 4, 4, (uint32_t)(bar64 >> 32));
	cfg_write(v, d0.mmio_base, 0, PCI_CFG_COMMAND, 2, PCI_COMMAND_MEMORY);
	cfg_write(v, d0.mmio_base, 1, PCI_CFG_BAR0, 4, 0xFFFFFFFF);
	cfg_write(v, d0.mmio_base, 1, PCI_CFG_BAR0, 4, (uint32_t)bar32);
	cfg_write(v, d0.mmio_base, 1, PCI_CFG_COMMAND, 2, PCI_COMMAND_MEMORY);
}

/* Where the window is now (or where it was asked to be). */
static uint64_t window(struct fv *v, struct fz *f)
{
	return v->bus->in_d0 ? v->bus->window_base : pick_window(f);
}

static void bar_change(struct fv *v, struct fz *f)
{
	uint8_t sel = fz_u8(f);
	uint32_t slot = sel & 1;
	uint32_t reg = PCI_CFG_BAR0 + 4 * ((sel >> 1) & 3);
	uint64_t win = window(v, f);
	uint32_t val;

	switch ((sel >> 3) & 3) {
	case 0:
		val = 0xFFFFFFFF;
		break;
	case 1:
		val = (uint32_t)fz_addr(f);
		break;
	case 2:
		val = (uint32_t)(fz_addr(f) >> 32);
		break;
	default:
		/* Decode on or off. */
		reg = PCI_CFG_COMMAND;
		val = fz_u8(f) & PCI_COMMAND_MEMORY;
		break;
	}
	cfg_write(v, win, slot, reg, reg == PCI_CFG_COMMAND ? 2 : 4, val);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fv v;
	struct fz f = fz_of(data, size);
	unsigned records = 0;

	fz_process_setup();
	fv_init(&v);
	bring_up(&v, &f);
	fv_check(&v);
	while (fz_more(&f) && records++ < 1024) {
		uint8_t op = fz_u8(&f);

		switch (op & 7) {
		case 0:
		case 1: {
			uint64_t win = window(&v, &f);
			uint64_t off = op & 0x80 ? (uint64_t)(int16_t)fz_u16(&f)
						 : fz_u16(&f) % (VPCI_CONFIG_WINDOW_SIZE + 8);

			fz_mmio(&f, &v.mmio, win + off);
			break;
		}
		case 2: {
			uint64_t win = window(&v, &f);
			uint32_t slot = op & 0x80 ? fz_u32(&f) : (op >> 3) & 3;
			uint32_t reg = fz_u16(&f) % 0x1004;
			unsigned len = fz_access_len(&f);

			cfg_access(&v, win, slot, reg, len, op & 0x40, fz_u32(&f));
			break;
		}
		case 3: {
			const struct vpci_slot *s = &v.bus->slot[(op >> 3) & 1];
			uint64_t base = s->bars.mapped_at[0] ? s->bars.mapped_at[0]
							     : s->bars.claimed[0];
			uint64_t off = op & 0x80 ? (uint64_t)(int16_t)fz_u16(&f)
						 : fz_u16(&f) % 0x4008;

			fz_mmio(&f, &v.mmio, base + off);
			break;
		}
		case 4:
			fz_mmio(&f, &v.mmio, fz_addr(&f));
			break;
		case 5:
			bar_change(&v, &f);
			break;
		case 6:
			fv_fuzz_packet(&v, &f);
			break;
		default:
			fv_host_action(&v, &f);
			break;
		}
		fv_check(&v);
	}
	fv_fini(&v);
	return 0;
}
