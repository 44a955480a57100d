/* SPDX-License-Identifier: MIT */
/*
 * An emulated PCI function: its 4 KiB type-0 configuration space and the
 * registers behind its BAR0.  Pure state, no locking, no MMIO plumbing:
 * the owner (vmbus/pci_func_bars.h for BARs, vmbus/vpci_cfgwin.c for
 * config accesses) holds its lock around every call.
 *
 * Config space follows the PCI rules a guest relies on:
 *   - read-only fields (IDs, class, header type, status, capability
 *     pointer, type bits of a BAR) ignore writes, byte by byte;
 *   - a BAR's writable bits are its address bits above its size, so
 *     writing all-ones and reading back yields the size mask plus the type
 *     bits; a 64-bit BAR pairs with the next register (upper half);
 *   - 1-, 2- and 4-byte accesses at offsets aligned to their size;
 *     extended config space (0x100..0xFFF) reads 0 and ignores writes.
 * Linux synthesises IDs/class/subsystem from the bus-relations descriptor
 * (facts §7.6), but a guest may read them through the window too.
 */
#ifndef KVMBUS_PCI_FUNC_H
#define KVMBUS_PCI_FUNC_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_CFG_SPACE_SIZE     0x1000u
#define PCI_CFG_HEADER_SIZE    0x100u   /* the part with writable bits */
#define PCI_FUNC_NUM_BARS      6u

/* Standard config registers (PCI Local Bus spec, type-0 header). */
#define PCI_CFG_VENDOR_ID      0x00u
#define PCI_CFG_DEVICE_ID      0x02u
#define PCI_CFG_COMMAND        0x04u
#define   PCI_COMMAND_IO           0x0001u
#define   PCI_COMMAND_MEMORY       0x0002u
#define   PCI_COMMAND_MASTER       0x0004u
#define   PCI_COMMAND_PARITY       0x0040u
#define   PCI_COMMAND_SERR         0x0100u
#define   PCI_COMMAND_INTX_DISABLE 0x0400u
#define PCI_CFG_STATUS         0x06u
#define   PCI_STATUS_CAP_LIST      0x0010u
#define PCI_CFG_REVISION       0x08u
#define PCI_CFG_PROG_IF        0x09u
#define PCI_CFG_SUBCLASS       0x0Au
#define PCI_CFG_BASE_CLASS     0x0Bu
#define PCI_CFG_CACHE_LINE     0x0Cu
#define PCI_CFG_HEADER_TYPE    0x0Eu
#define PCI_CFG_BAR0           0x10u
#define PCI_CFG_SUBSYS_VENDOR  0x2Cu
#define PCI_CFG_SUBSYS_ID      0x2Eu
#define PCI_CFG_ROM            0x30u
#define PCI_CFG_CAP_PTR        0x34u
#define PCI_CFG_INT_LINE       0x3Cu
#define PCI_CFG_INT_PIN        0x3Du

#define PCI_BAR_MEM_TYPE_64    0x4u
#define PCI_BAR_MEM_PREFETCH   0x8u
#define PCI_BAR_MEM_ADDR_MASK  0xFFFFFFF0u

/* Capabilities: the one a model has sits at PCI_CFG_CAP_OFFSET. */
#define PCI_CFG_CAP_OFFSET     0x40u
#define PCI_CAP_ID_MSI         0x05u
#define PCI_CAP_ID_MSIX        0x11u
/* MSI, 64-bit capable, no per-vector masking. */
#define   PCI_MSI_FLAGS            0x02u   /* u16 message control */
#define     PCI_MSI_FLAGS_ENABLE     0x0001u
#define     PCI_MSI_FLAGS_QMASK      0x000Eu  /* multiple message capable */
#define     PCI_MSI_FLAGS_QSIZE      0x0070u  /* multiple message enable */
#define     PCI_MSI_FLAGS_64BIT      0x0080u
#define   PCI_MSI_ADDRESS_LO       0x04u
#define   PCI_MSI_ADDRESS_HI       0x08u
#define   PCI_MSI_DATA_64          0x0Cu
#define   PCI_MSI_CAP_SIZE         0x10u
/* MSI-X, table and PBA in BAR0. */
#define   PCI_MSIX_FLAGS           0x02u
#define     PCI_MSIX_FLAGS_QSIZE     0x07FFu  /* table size - 1 */
#define     PCI_MSIX_FLAGS_MASKALL   0x4000u
#define     PCI_MSIX_FLAGS_ENABLE    0x8000u
#define   PCI_MSIX_TABLE           0x04u    /* offset | BIR */
#define   PCI_MSIX_PBA             0x08u
#define   PCI_MSIX_CAP_SIZE        0x0Cu
#define PCI_MSIX_ENTRY_SIZE    16u
#define PCI_MSIX_ENTRY_CTRL    12u          /* bit 0: vector masked */
#define PCI_FUNC_MAX_MSIX      64u

/* Events a config write reports, so the owner can react. */
#define PCI_FUNC_EV_COMMAND    (1u << 0)
#define PCI_FUNC_EV_BAR(i)     (1u << (1u + (i)))

struct pci_bar_spec {
	uint64_t size;                /* 0: none; else a power of two >= 16 */
	bool is64;                    /* also uses the next BAR register */
	bool prefetchable;
};

enum pci_irq_cap {
	PCI_IRQ_CAP_NONE,
	PCI_IRQ_CAP_MSI,
	PCI_IRQ_CAP_MSIX,             /* table and PBA in BAR0 */
};

/* What a kind of function is: the immutable part, shared by instances. */
struct pci_func_model {
	const char *name;             /* "kvmbus-test64" */
	uint16_t vendor_id, device_id;
	uint8_t revision, prog_if, subclass, base_class;
	uint16_t subsys_vendor_id, subsys_id;
	struct pci_bar_spec bar[PCI_FUNC_NUM_BARS];
	enum pci_irq_cap irq_cap;
	uint16_t irq_vectors;         /* MSI: 1, 2, 4 .. 32; MSI-X: table size */
	uint32_t msix_table_offset;   /* in BAR0, 8-byte aligned */
	uint32_t msix_pba_offset;
};

/* One instance: config space plus the state behind BAR0. */
struct pci_func {
	const struct pci_func_model *model;
	uint32_t identity;            /* VPCI_TEST_REG_IDENTITY */
	uint8_t cfg[PCI_CFG_HEADER_SIZE];
	uint8_t wmask[PCI_CFG_HEADER_SIZE];
	uint64_t scratch;
	uint8_t msix_table[PCI_FUNC_MAX_MSIX * PCI_MSIX_ENTRY_SIZE];
};

/* The two kvmbus test models (vmbus/abi/vpci_abi.h for their registers). */
extern const struct pci_func_model pci_model_test64;
extern const struct pci_func_model pci_model_test32;
/* Model by name ("kvmbus-test64", "kvmbus-test32"), or NULL. */
const struct pci_func_model *pci_func_model_find(const char *name);
/* 0 if the model is well formed, else -1 (bad BAR layout, vectors...). */
int pci_func_model_check(const struct pci_func_model *m);

/* Power-on state.  The model must pass pci_func_model_check(). */
void pci_func_init(struct pci_func *f, const struct pci_func_model *m,
		   uint32_t identity);
/* Back to power-on state (BARs 0, decoding off, scratch 0, MSI-X masked). */
void pci_func_reset(struct pci_func *f);

/* Config accesses: len 1, 2 or 4, off aligned to len, off + len <= 4 KiB.
 * Read: 0, or -1 for a malformed access (*val untouched).
 * Write: the PCI_FUNC_EV_* mask of what changed or was written, or -1. */
int pci_func_cfg_read(const struct pci_func *f, uint32_t off, unsigned len,
		      uint32_t *val);
int pci_func_cfg_write(struct pci_func *f, uint32_t off, unsigned len,
		       uint32_t val);

bool pci_func_mem_enabled(const struct pci_func *f);
/* Does a BAR start at register i (not the upper half of a 64-bit one)? */
bool pci_func_bar_present(const struct pci_func *f, unsigned i);
uint64_t pci_func_bar_size(const struct pci_func *f, unsigned i);
/* For a written BAR register r: the BAR it belongs to, and whether this
 * write completes the BAR's address (32-bit BAR, or the upper half of a
 * 64-bit one).  -1 if r holds no BAR. */
int pci_func_bar_of_register(const struct pci_func *f, unsigned r,
			     bool *completes);
/* The address the BAR decodes (type bits stripped, both halves). */
uint64_t pci_func_bar_address(const struct pci_func *f, unsigned i);
/* True while the BAR holds the all-ones sizing pattern, i.e. the guest
 * is measuring it, not placing it. */
bool pci_func_bar_sizing(const struct pci_func *f, unsigned i);
void pci_func_bar_set_address(struct pci_func *f, unsigned i, uint64_t addr);
/* What each BAR register reads back after all-ones was written: the
 * QUERY_RESOURCE_REQUIREMENTS answer (facts §7.3). */
void pci_func_probed_bars(const struct pci_func *f,
			  uint32_t out[PCI_FUNC_NUM_BARS]);

/* BAR MMIO (off relative to the BAR; len 1, 2, 4 or 8, off aligned to
 * len).  0, or -1 for a malformed access (reads then see all-ones). */
int pci_func_bar_read(struct pci_func *f, unsigned bar, uint64_t off,
		      void *data, unsigned len);
int pci_func_bar_write(struct pci_func *f, unsigned bar, uint64_t off,
		       const void *data, unsigned len);

#endif
