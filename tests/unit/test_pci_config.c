// SPDX-License-Identifier: MIT
/* Emulated PCI functions: config-space rules (IDs, read-only fields,
 * BAR sizing for 64-bit, 32-bit and sub-page BARs, capabilities, access
 * sizes) and BAR placement (registry claims, refusals, MMIO reaching the
 * ID/scratch registers only while placed and decoding). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#include "firmware/memmap.h"
#include "vmbus/abi/vpci_abi.h"
#include "vmbus/mmio_registry.h"
#include "vmbus/pci_func.h"
#include "vmbus/pci_func_bars.h"
#include "vmm/log.h"
#include "vmm/mmio_bus.h"

#define MIB  0x100000ull
#define LOW  MEMMAP_DEFAULT_LOW_MMIO_BASE
#define HIGH MEMMAP_DEFAULT_HIGH_MMIO_BASE

struct fixture {
	struct memmap map;
	struct mmio_registry reg;
	struct mmio_bus mmio;
	pthread_mutex_t lock;
	struct pci_func a, b;                /* test64, test32 */
	struct pci_func_bars a_bars, b_bars;
};

static int setup(void **state)
{
	static struct fixture f;
	struct memmap_range low = { LOW, MEMMAP_DEFAULT_LOW_MMIO_SIZE };
	struct memmap_range high = { HIGH, MEMMAP_DEFAULT_HIGH_MMIO_SIZE };

	memset(&f, 0, sizeof(f));
	log_set_quiet(1);
	assert_int_equal(memmap_build(&f.map, 256 * MIB, low, high, NULL, 0), 0);
	mmio_registry_init(&f.reg, &f.map);
	pthread_mutex_init(&f.lock, NULL);
	pci_func_init(&f.a, &pci_model_test64, VPCI_TEST_IDENTITY(1, 0, 0));
	pci_func_init(&f.b, &pci_model_test32, VPCI_TEST_IDENTITY(2, 0, 1));
	pci_func_bars_init(&f.a_bars, &f.a, &f.reg, &f.mmio, &f.lock, "vpci0/slot0");
	pci_func_bars_init(&f.b_bars, &f.b, &f.reg, &f.mmio, &f.lock, "vpci0/slot1");
	*state = &f;
	return 0;
}

static uint32_t cfg_read(struct pci_func *fn, uint32_t off, unsigned len)
{
	uint32_t v = 0xDEADBEEF;

	assert_int_equal(pci_func_cfg_read(fn, off, len, &v), 0);
	return v;
}

/* A config write the way the config window performs it. */
static void cfg_write(struct fixture *f, struct pci_func *fn,
		      struct pci_func_bars *bars, uint32_t off, unsigned len,
		      uint32_t v)
{
	int ev = pci_func_cfg_write(fn, off, len, v);

	assert_true(ev >= 0);
	pthread_mutex_lock(&f->lock);
	pci_func_bars_update(bars, (unsigned)ev);
	pthread_mutex_unlock(&f->lock);
}

static uint64_t mmio_read(struct fixture *f, uint64_t gpa, unsigned len)
{
	uint64_t v = 0;

	mmio_bus_access(&f->mmio, gpa, &v, len, false);
	return v;
}

static void mmio_write(struct fixture *f, uint64_t gpa, uint64_t v, unsigned len)
{
	mmio_bus_access(&f->mmio, gpa, &v, len, true);
}

static void models_are_well_formed(void **state)
{
	struct pci_func_model bad = pci_model_test64;

	(void)state;
	assert_int_equal(pci_func_model_check(&pci_model_test64), 0);
	assert_int_equal(pci_func_model_check(&pci_model_test32), 0);
	assert_ptr_equal(pci_func_model_find("kvmbus-test64"), &pci_model_test64);
	assert_ptr_equal(pci_func_model_find("kvmbus-test32"), &pci_model_test32);
	assert_null(pci_func_model_find("kvmbus-test16"));
	assert_null(pci_func_model_find(NULL));
	bad.bar[0].size = 0x3000;                     /* not a power of two */
	assert_int_equal(pci_func_model_check(&bad), -1);
	bad = pci_model_test64;
	bad.bar[1].size = 0x1000;                     /* collides with upper half */
	assert_int_equal(pci_func_model_check(&bad), -1);
	bad = pci_model_test64;
	bad.msix_table_offset = 0x3FF0;               /* table runs past BAR0 */
	assert_int_equal(pci_func_model_check(&bad), -1);
	bad.msix_table_offset = 0x2FF0;               /* table covers the PBA */
	assert_int_equal(pci_func_model_check(&bad), -1);
	bad.msix_table_offset = 0x8;                  /* table on the registers */
	assert_int_equal(pci_func_model_check(&bad), -1);
}

static void identity_fields(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cfg_read(&f->a, PCI_CFG_VENDOR_ID, 2), VPCI_TEST_VENDOR_ID);
	assert_int_equal(cfg_read(&f->a, PCI_CFG_DEVICE_ID, 2), VPCI_TEST_DEVICE_TEST64);
	assert_int_equal(cfg_read(&f->a, 0, 4),
			 VPCI_TEST_VENDOR_ID | (VPCI_TEST_DEVICE_TEST64 << 16));
	assert_int_equal(cfg_read(&f->b, PCI_CFG_DEVICE_ID, 2), VPCI_TEST_DEVICE_TEST32);
	/* revision 1, class 08:80:00 */
	assert_int_equal(cfg_read(&f->a, PCI_CFG_REVISION, 4), 0x08800001);
	assert_int_equal(cfg_read(&f->a, PCI_CFG_HEADER_TYPE, 1), 0);
	assert_int_equal(cfg_read(&f->a, PCI_CFG_SUBSYS_VENDOR, 4),
			 VPCI_TEST_VENDOR_ID | (VPCI_TEST_DEVICE_TEST64 << 16));
	assert_int_equal(cfg_read(&f->a, PCI_CFG_STATUS, 2) & PCI_STATUS_CAP_LIST,
			 PCI_STATUS_CAP_LIST);
	assert_int_equal(cfg_read(&f->a, PCI_CFG_CAP_PTR, 1), PCI_CFG_CAP_OFFSET);
	assert_int_equal(cfg_read(&f->a, PCI_CFG_ROM, 4), 0);
	assert_int_equal(cfg_read(&f->a, PCI_CFG_INT_PIN, 1), 0);
}

static void read_only_fields_ignore_writes(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_VENDOR_ID, 4, 0x12345678);
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_REVISION, 4, 0xFFFFFFFF);
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_HEADER_TYPE, 1, 0x80);
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_CAP_PTR, 1, 0x00);
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_ROM, 4, 0xFFFFFFFF);
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_STATUS, 2, 0xFFFF);
	assert_int_equal(cfg_read(&f->a, PCI_CFG_VENDOR_ID, 2), VPCI_TEST_VENDOR_ID);
	assert_int_equal(cfg_read(&f->a, PCI_CFG_REVISION, 4), 0x08800001);
	assert_int_equal(cfg_read(&f->a, PCI_CFG_HEADER_TYPE, 1), 0);
	assert_int_equal(cfg_read(&f->a, PCI_CFG_CAP_PTR, 1), PCI_CFG_CAP_OFFSET);
	assert_int_equal(cfg_read(&f->a, PCI_CFG_ROM, 4), 0);
	assert_int_equal(cfg_read(&f->a, PCI_CFG_STATUS, 2), PCI_STATUS_CAP_LIST);
	/* Writable bytes next to read-only ones. */
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_INT_LINE, 2, 0xFF0B);
	assert_int_equal(cfg_read(&f->a, PCI_CFG_INT_LINE, 2), 0x000B);
}

static void command_register(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cfg_read(&f->a, PCI_CFG_COMMAND, 2), 0);
	assert_false(pci_func_mem_enabled(&f->a));
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_COMMAND, 2, 0xFFFF);
	/* I/O space stays off: the functions have no I/O BARs. */
	assert_int_equal(cfg_read(&f->a, PCI_CFG_COMMAND, 2),
			 PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |
			 PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
	assert_true(pci_func_mem_enabled(&f->a));
	/* Write events say what was touched. */
	assert_int_equal(pci_func_cfg_write(&f->a, PCI_CFG_COMMAND, 1, 0), PCI_FUNC_EV_COMMAND);
	assert_int_equal(pci_func_cfg_write(&f->a, PCI_CFG_BAR0 + 4, 4, 0), PCI_FUNC_EV_BAR(1));
	assert_int_equal(pci_func_cfg_write(&f->a, PCI_CFG_INT_LINE, 1, 0), 0);
}

static void access_sizes_and_alignment(void **state)
{
	struct fixture *f = *state;
	uint32_t v = 0x1234;

	/* Every aligned size works at any aligned offset. */
	assert_int_equal(cfg_read(&f->a, 1, 1), VPCI_TEST_VENDOR_ID >> 8);
	assert_int_equal(cfg_read(&f->a, 2, 2), VPCI_TEST_DEVICE_TEST64);
	assert_int_equal(cfg_read(&f->a, 3, 1), 0);
	/* Misaligned, odd sizes, 8 bytes and beyond 4 KiB are refused. */
	assert_int_equal(pci_func_cfg_read(&f->a, 1, 2, &v), -1);
	assert_int_equal(pci_func_cfg_read(&f->a, 2, 4, &v), -1);
	assert_int_equal(pci_func_cfg_read(&f->a, 0, 3, &v), -1);
	assert_int_equal(pci_func_cfg_read(&f->a, 0, 8, &v), -1);
	assert_int_equal(pci_func_cfg_read(&f->a, 0x1000, 1, &v), -1);
	assert_int_equal(pci_func_cfg_read(&f->a, 0xFFE, 4, &v), -1);
	assert_int_equal(v, 0x1234);
	assert_int_equal(pci_func_cfg_write(&f->a, 0x3D, 2, 0), -1);
	assert_int_equal(pci_func_cfg_write(&f->a, 0x1000, 4, 0), -1);
	/* Extended config space: zeros, writes ignored. */
	assert_int_equal(cfg_read(&f->a, 0x100, 4), 0);
	assert_int_equal(pci_func_cfg_write(&f->a, 0xFFC, 4, 0xFFFFFFFF), 0);
	assert_int_equal(cfg_read(&f->a, 0xFFC, 4), 0);
}

static void bar_sizing_64bit(void **state)
{
	struct fixture *f = *state;
	uint32_t probed[PCI_FUNC_NUM_BARS];

	/* Type bits before anything is written: 64-bit, prefetchable. */
	assert_int_equal(cfg_read(&f->a, PCI_CFG_BAR0, 4),
			 PCI_BAR_MEM_TYPE_64 | PCI_BAR_MEM_PREFETCH);
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_BAR0, 4, 0xFFFFFFFF);
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_BAR0 + 4, 4, 0xFFFFFFFF);
	assert_int_equal(cfg_read(&f->a, PCI_CFG_BAR0, 4), 0xFFFFC00C);
	assert_int_equal(cfg_read(&f->a, PCI_CFG_BAR0 + 4, 4), 0xFFFFFFFF);
	assert_true(pci_func_bar_sizing(&f->a, 0));
	/* Nothing else implemented. */
	for (unsigned i = 2; i < PCI_FUNC_NUM_BARS; i++) {
		cfg_write(f, &f->a, &f->a_bars, PCI_CFG_BAR0 + 4 * i, 4, 0xFFFFFFFF);
		assert_int_equal(cfg_read(&f->a, PCI_CFG_BAR0 + 4 * i, 4), 0);
	}
	pci_func_probed_bars(&f->a, probed);
	assert_int_equal(probed[0], 0xFFFFC00C);
	assert_int_equal(probed[1], 0xFFFFFFFF);
	for (unsigned i = 2; i < PCI_FUNC_NUM_BARS; i++)
		assert_int_equal(probed[i], 0);
	/* Sizing placed nothing. */
	assert_int_equal(f->a_bars.claimed[0], 0);
	assert_null(mmio_registry_find(&f->reg, 0, UINT64_MAX));
	/* An address with the low bits set keeps only the address bits. */
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_BAR0, 4, 0x12345FFF);
	assert_int_equal(cfg_read(&f->a, PCI_CFG_BAR0, 4), 0x1234400C);
}

static void bar_sizing_32bit_subpage(void **state)
{
	struct fixture *f = *state;
	uint32_t probed[PCI_FUNC_NUM_BARS];

	assert_int_equal(cfg_read(&f->b, PCI_CFG_BAR0, 4), 0);
	cfg_write(f, &f->b, &f->b_bars, PCI_CFG_BAR0, 4, 0xFFFFFFFF);
	assert_int_equal(cfg_read(&f->b, PCI_CFG_BAR0, 4), 0xFFFFFF00);
	/* The upper register is not part of a 32-bit BAR. */
	cfg_write(f, &f->b, &f->b_bars, PCI_CFG_BAR0 + 4, 4, 0xFFFFFFFF);
	assert_int_equal(cfg_read(&f->b, PCI_CFG_BAR0 + 4, 4), 0);
	pci_func_probed_bars(&f->b, probed);
	assert_int_equal(probed[0], 0xFFFFFF00);
	assert_int_equal(probed[1], 0);
	assert_int_equal(pci_func_bar_size(&f->b, 0), 0x100);
}

static void msi_capability(void **state)
{
	struct fixture *f = *state;
	uint32_t c = PCI_CFG_CAP_OFFSET;

	assert_int_equal(cfg_read(&f->b, c, 1), PCI_CAP_ID_MSI);
	assert_int_equal(cfg_read(&f->b, c + 1, 1), 0);
	/* 64-bit, 2 vectors capable (log2 = 1), disabled. */
	assert_int_equal(cfg_read(&f->b, c + PCI_MSI_FLAGS, 2), 0x0082);
	/* Asking for 32 vectors gets the 2 it has. */
	cfg_write(f, &f->b, &f->b_bars, c + PCI_MSI_FLAGS, 2, 0x0051);
	assert_int_equal(cfg_read(&f->b, c + PCI_MSI_FLAGS, 2), 0x0093);
	cfg_write(f, &f->b, &f->b_bars, c + PCI_MSI_ADDRESS_LO, 4, 0xFEE01003);
	cfg_write(f, &f->b, &f->b_bars, c + PCI_MSI_ADDRESS_HI, 4, 0x1);
	cfg_write(f, &f->b, &f->b_bars, c + PCI_MSI_DATA_64, 4, 0xFFFF0031);
	assert_int_equal(cfg_read(&f->b, c + PCI_MSI_ADDRESS_LO, 4), 0xFEE01000);
	assert_int_equal(cfg_read(&f->b, c + PCI_MSI_ADDRESS_HI, 4), 1);
	assert_int_equal(cfg_read(&f->b, c + PCI_MSI_DATA_64, 4), 0x0031);
	/* Capability ID and next pointer are read-only. */
	cfg_write(f, &f->b, &f->b_bars, c, 2, 0xFFFF);
	assert_int_equal(cfg_read(&f->b, c, 2), PCI_CAP_ID_MSI);
}

static void msix_capability(void **state)
{
	struct fixture *f = *state;
	uint32_t c = PCI_CFG_CAP_OFFSET;

	assert_int_equal(cfg_read(&f->a, c, 1), PCI_CAP_ID_MSIX);
	assert_int_equal(cfg_read(&f->a, c + PCI_MSIX_FLAGS, 2),
			 VPCI_TEST_TEST64_MSIX_VECTORS - 1);
	assert_int_equal(cfg_read(&f->a, c + PCI_MSIX_TABLE, 4), VPCI_TEST_TEST64_MSIX_TABLE);
	assert_int_equal(cfg_read(&f->a, c + PCI_MSIX_PBA, 4), VPCI_TEST_TEST64_MSIX_PBA);
	cfg_write(f, &f->a, &f->a_bars, c + PCI_MSIX_FLAGS, 2, 0xFFFF);
	assert_int_equal(cfg_read(&f->a, c + PCI_MSIX_FLAGS, 2),
			 PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL |
			 (VPCI_TEST_TEST64_MSIX_VECTORS - 1));
	cfg_write(f, &f->a, &f->a_bars, c + PCI_MSIX_TABLE, 4, 0);
	assert_int_equal(cfg_read(&f->a, c + PCI_MSIX_TABLE, 4), VPCI_TEST_TEST64_MSIX_TABLE);
}

/* Program a 64-bit BAR the way Linux does: decode off, low, high. */
static void place_a(struct fixture *f, uint64_t addr)
{
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_BAR0, 4, (uint32_t)addr);
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_BAR0 + 4, 4, (uint32_t)(addr >> 32));
}

static void bar_mmio_follows_placement_and_decode(void **state)
{
	struct fixture *f = *state;
	const uint64_t at = HIGH + 0x10000;
	const struct mmio_claim *c;

	place_a(f, at);
	assert_int_equal(pci_func_bar_address(&f->a, 0), at);
	c = mmio_registry_find(&f->reg, at, 1);
	assert_non_null(c);
	assert_string_equal(c->owner, "vpci0/slot0");
	assert_int_equal(c->kind, MMIO_CLAIM_BAR);
	assert_int_equal(c->size, VPCI_TEST_TEST64_BAR0_SIZE);
	/* Placed but not decoding: nobody answers. */
	assert_false(pci_func_bars_mapped(&f->a_bars, 0));
	assert_int_equal(mmio_read(f, at, 4), 0xFFFFFFFF);
	assert_int_equal(f->mmio.n, 0);

	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_true(pci_func_bars_mapped(&f->a_bars, 0));
	assert_int_equal(f->mmio.n, 1);
	assert_int_equal(mmio_read(f, at + VPCI_TEST_REG_MAGIC, 4), VPCI_TEST_MAGIC);
	assert_int_equal(mmio_read(f, at + VPCI_TEST_REG_IDENTITY, 4),
			 VPCI_TEST_IDENTITY(1, 0, 0));
	assert_int_equal(mmio_read(f, at, 8),
			 VPCI_TEST_MAGIC | ((uint64_t)VPCI_TEST_IDENTITY(1, 0, 0) << 32));
	assert_int_equal(mmio_read(f, at + 1, 1), 0x4D);      /* 'M' */
	/* Scratch: 64-bit read/write, partial writes merge. */
	assert_int_equal(mmio_read(f, at + VPCI_TEST_REG_SCRATCH, 8), 0);
	mmio_write(f, at + VPCI_TEST_REG_SCRATCH, 0x1122334455667788ull, 8);
	assert_int_equal(mmio_read(f, at + VPCI_TEST_REG_SCRATCH, 8), 0x1122334455667788ull);
	mmio_write(f, at + VPCI_TEST_REG_SCRATCH + 4, 0xAABBCCDD, 4);
	mmio_write(f, at + VPCI_TEST_REG_SCRATCH + 1, 0x00, 1);
	assert_int_equal(mmio_read(f, at + VPCI_TEST_REG_SCRATCH, 8), 0xAABBCCDD55660088ull);
	assert_int_equal(mmio_read(f, at + VPCI_TEST_REG_SCRATCH + 6, 2), 0xAABB);
	/* The ID registers are read-only. */
	mmio_write(f, at, 0, 4);
	assert_int_equal(mmio_read(f, at, 4), VPCI_TEST_MAGIC);
	/* A misaligned access is refused with all-ones. */
	assert_int_equal(mmio_read(f, at + 2, 4), 0xFFFFFFFF);
	assert_string_equal(guest_last_refusal(), "vpci.bar-access");
	/* Unused space reads 0. */
	assert_int_equal(mmio_read(f, at + 0x100, 4), 0);

	/* Decode off: the handler goes, the claim stays. */
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_COMMAND, 2, 0);
	assert_false(pci_func_bars_mapped(&f->a_bars, 0));
	assert_int_equal(f->mmio.n, 0);
	assert_int_equal(mmio_read(f, at, 4), 0xFFFFFFFF);
	assert_non_null(mmio_registry_find(&f->reg, at, 1));
	/* Back on: same registers, same scratch. */
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_int_equal(mmio_read(f, at + VPCI_TEST_REG_SCRATCH, 8), 0xAABBCCDD55660088ull);
}

static void msix_table_through_bar(void **state)
{
	struct fixture *f = *state;
	const uint64_t at = HIGH + 0x20000;
	const uint64_t entry1 = at + VPCI_TEST_TEST64_MSIX_TABLE + PCI_MSIX_ENTRY_SIZE;

	place_a(f, at);
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_COMMAND, 2, PCI_COMMAND_MEMORY);
	/* Reset: every vector masked. */
	assert_int_equal(mmio_read(f, entry1 + PCI_MSIX_ENTRY_CTRL, 4), 1);
	mmio_write(f, entry1, 0xFEE01003ull, 4);
	mmio_write(f, entry1 + 8, 0x41, 4);
	mmio_write(f, entry1 + PCI_MSIX_ENTRY_CTRL, 0xFFFFFFFE, 4);
	assert_int_equal(mmio_read(f, entry1, 8), 0xFEE01000ull);
	assert_int_equal(mmio_read(f, entry1 + 8, 4), 0x41);
	assert_int_equal(mmio_read(f, entry1 + PCI_MSIX_ENTRY_CTRL, 4), 0);
	/* Nothing pending, and the PBA is read-only. */
	mmio_write(f, at + VPCI_TEST_TEST64_MSIX_PBA, ~0ull, 8);
	assert_int_equal(mmio_read(f, at + VPCI_TEST_TEST64_MSIX_PBA, 8), 0);
}

static void subpage_bar_maps_256_bytes(void **state)
{
	struct fixture *f = *state;
	const uint64_t at = LOW + 0x300000;

	cfg_write(f, &f->b, &f->b_bars, PCI_CFG_BAR0, 4, (uint32_t)at);
	cfg_write(f, &f->b, &f->b_bars, PCI_CFG_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_true(pci_func_bars_mapped(&f->b_bars, 0));
	assert_int_equal(mmio_read(f, at + VPCI_TEST_REG_IDENTITY, 4),
			 VPCI_TEST_IDENTITY(2, 0, 1));
	/* The rest of the page is not the function's. */
	assert_int_equal(mmio_read(f, at + 0x100, 4), 0xFFFFFFFF);
	/* Another 256-byte range in the same page can be claimed. */
	assert_int_equal(mmio_registry_claim(&f->reg, "other", MMIO_CLAIM_BAR,
					     at + 0x100, 0x100, NULL), MMIO_CLAIM_OK);
	assert_true(mmio_registry_consistent(&f->reg));
}

static void bar_outside_gaps_is_cleared(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_COMMAND, 2, 0);
	/* RAM. */
	place_a(f, 0x200000);
	assert_string_equal(guest_last_refusal(), "vpci.bar-outside-gaps");
	assert_int_equal(cfg_read(&f->a, PCI_CFG_BAR0, 4),
			 PCI_BAR_MEM_TYPE_64 | PCI_BAR_MEM_PREFETCH);
	assert_int_equal(cfg_read(&f->a, PCI_CFG_BAR0 + 4, 4), 0);
	assert_int_equal(f->a_bars.refusals, 1);
	/* The platform region between the gaps (32-bit BAR). */
	cfg_write(f, &f->b, &f->b_bars, PCI_CFG_BAR0, 4, 0xFEE00000);
	assert_string_equal(guest_last_refusal(), "vpci.bar-outside-gaps");
	assert_int_equal(cfg_read(&f->b, PCI_CFG_BAR0, 4), 0);
	/* Decode on with nothing placed maps nothing. */
	cfg_write(f, &f->b, &f->b_bars, PCI_CFG_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_false(pci_func_bars_mapped(&f->b_bars, 0));
	assert_null(mmio_registry_find(&f->reg, 0, UINT64_MAX));
}

static void bar_overlapping_a_claim_is_cleared(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mmio_registry_claim(&f->reg, "synthvid", MMIO_CLAIM_VRAM,
					     LOW, 8 * MIB, NULL), MMIO_CLAIM_OK);
	cfg_write(f, &f->b, &f->b_bars, PCI_CFG_BAR0, 4, (uint32_t)(LOW + 0x1000));
	assert_string_equal(guest_last_refusal(), "vpci.bar-overlap");
	assert_int_equal(cfg_read(&f->b, PCI_CFG_BAR0, 4), 0);
	assert_int_equal(f->b_bars.claimed[0], 0);
	/* Two functions cannot share a range either. */
	place_a(f, HIGH);
	cfg_write(f, &f->b, &f->b_bars, PCI_CFG_BAR0, 4, (uint32_t)(LOW + 8 * MIB));
	assert_int_equal(f->b_bars.claimed[0], LOW + 8 * MIB);
	cfg_write(f, &f->b, &f->b_bars, PCI_CFG_BAR0, 4, (uint32_t)(LOW + 8 * MIB + 0x100));
	assert_int_equal(f->b_bars.claimed[0], LOW + 8 * MIB + 0x100);
	/* Moving released the old range. */
	assert_null(mmio_registry_find(&f->reg, LOW + 8 * MIB, 0x100));
	assert_true(mmio_registry_consistent(&f->reg));
}

/* Linux 6.1's __pci_read_base sizes a 64-bit BAR one 32-bit half at a
 * time with decoding off: the BAR passes through 0xffffffff00000000,
 * which must be taken for sizing, never claimed (or refused). */
static void half_at_a_time_sizing_is_not_a_placement(void **state)
{
	struct fixture *f = *state;
	unsigned refusals = guest_refusal_count();
	uint32_t lo, hi;

	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_COMMAND, 2, 0);
	lo = cfg_read(&f->a, PCI_CFG_BAR0, 4);
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_BAR0, 4, 0xFFFFFFFF);
	assert_int_equal(cfg_read(&f->a, PCI_CFG_BAR0, 4) & ~0xFu,
			 (uint32_t)~(VPCI_TEST_TEST64_BAR0_SIZE - 1) & ~0xFu);
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_BAR0, 4, lo);
	hi = cfg_read(&f->a, PCI_CFG_BAR0 + 4, 4);
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_BAR0 + 4, 4, 0xFFFFFFFF);
	assert_int_equal(cfg_read(&f->a, PCI_CFG_BAR0 + 4, 4), 0xFFFFFFFF);
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_BAR0 + 4, 4, hi);
	assert_int_equal(guest_refusal_count(), refusals);
	assert_int_equal(f->a_bars.refusals, 0);
	assert_null(mmio_registry_find(&f->reg, 0, UINT64_MAX));
	/* Then it is placed as usual. */
	place_a(f, HIGH);
	assert_int_equal(f->a_bars.claimed[0], HIGH);
}

static void sizing_keeps_the_claim(void **state)
{
	struct fixture *f = *state;
	const uint64_t at = HIGH + 0x40000;

	place_a(f, at);
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_COMMAND, 2, PCI_COMMAND_MEMORY);
	/* Linux's __pci_read_base: decode off, all-ones, read, restore. */
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_COMMAND, 2, 0);
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_BAR0, 4, 0xFFFFFFFF);
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_BAR0 + 4, 4, 0xFFFFFFFF);
	assert_int_equal(f->a_bars.claimed[0], at);
	place_a(f, at);
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_int_equal(f->a_bars.claimed[0], at);
	assert_true(pci_func_bars_mapped(&f->a_bars, 0));
	assert_int_equal(mmio_read(f, at, 4), VPCI_TEST_MAGIC);
	/* Sizing with decode on: no answer at the old place meanwhile. */
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_BAR0, 4, 0xFFFFFFFF);
	assert_false(pci_func_bars_mapped(&f->a_bars, 0));
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_BAR0, 4, (uint32_t)at);
	assert_true(pci_func_bars_mapped(&f->a_bars, 0));
}

static void zero_unplaces_and_release_drops_all(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, &f->b, &f->b_bars, PCI_CFG_BAR0, 4, (uint32_t)(LOW + MIB));
	cfg_write(f, &f->b, &f->b_bars, PCI_CFG_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_true(pci_func_bars_mapped(&f->b_bars, 0));
	cfg_write(f, &f->b, &f->b_bars, PCI_CFG_BAR0, 4, 0);
	assert_false(pci_func_bars_mapped(&f->b_bars, 0));
	assert_null(mmio_registry_find(&f->reg, LOW + MIB, 0x100));

	place_a(f, HIGH);
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_int_equal(f->mmio.n, 1);
	pthread_mutex_lock(&f->lock);
	pci_func_bars_release(&f->a_bars);
	pthread_mutex_unlock(&f->lock);
	assert_int_equal(f->mmio.n, 0);
	assert_null(mmio_registry_find(&f->reg, 0, UINT64_MAX));
	/* Reset: back to power-on values. */
	pci_func_reset(&f->a);
	assert_int_equal(cfg_read(&f->a, PCI_CFG_BAR0, 4),
			 PCI_BAR_MEM_TYPE_64 | PCI_BAR_MEM_PREFETCH);
	assert_false(pci_func_mem_enabled(&f->a));
}

static void only_low_half_then_decode(void **state)
{
	struct fixture *f = *state;

	/* A guest that writes only the low half of a 64-bit BAR below
	 * 4 GiB: decode-on places it. */
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_BAR0, 4, (uint32_t)(LOW + 2 * MIB));
	assert_int_equal(f->a_bars.claimed[0], 0);
	cfg_write(f, &f->a, &f->a_bars, PCI_CFG_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_int_equal(f->a_bars.claimed[0], LOW + 2 * MIB);
	assert_int_equal(mmio_read(f, LOW + 2 * MIB, 4), VPCI_TEST_MAGIC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(models_are_well_formed),
		cmocka_unit_test_setup(identity_fields, setup),
		cmocka_unit_test_setup(read_only_fields_ignore_writes, setup),
		cmocka_unit_test_setup(command_register, setup),
		cmocka_unit_test_setup(access_sizes_and_alignment, setup),
		cmocka_unit_test_setup(bar_sizing_64bit, setup),
		cmocka_unit_test_setup(bar_sizing_32bit_subpage, setup),
		cmocka_unit_test_setup(msi_capability, setup),
		cmocka_unit_test_setup(msix_capability, setup),
		cmocka_unit_test_setup(bar_mmio_follows_placement_and_decode, setup),
		cmocka_unit_test_setup(msix_table_through_bar, setup),
		cmocka_unit_test_setup(subpage_bar_maps_256_bytes, setup),
		cmocka_unit_test_setup(bar_outside_gaps_is_cleared, setup),
		cmocka_unit_test_setup(bar_overlapping_a_claim_is_cleared, setup),
		cmocka_unit_test_setup(sizing_keeps_the_claim, setup),
		cmocka_unit_test_setup(half_at_a_time_sizing_is_not_a_placement, setup),
		cmocka_unit_test_setup(zero_unplaces_and_release_drops_all, setup),
		cmocka_unit_test_setup(only_low_half_then_decode, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
