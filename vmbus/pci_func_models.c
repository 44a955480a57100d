// SPDX-License-Identifier: MIT
/*
 * The function models kvmbus can put on a VPCI bus.  Their IDs use vendor
 * 0x6B76 ("kv"), which kvmbus does not hold from the PCI-SIG: they are
 * test functions that exist only inside kvmbus (vmbus/abi/vpci_abi.h).
 *
 *   kvmbus-test64  64-bit prefetchable 16 KiB BAR0 (goes to the guest's
 *                  high bridge window), MSI-X with 4 vectors in BAR0;
 *   kvmbus-test32  32-bit non-prefetchable 256-byte BAR0 (low window,
 *                  smaller than a page), MSI with 2 vectors.
 * Both expose the magic/identity/scratch registers at BAR0 offset 0.
 */
#include <stddef.h>
#include <string.h>

#include "vmbus/abi/vpci_abi.h"
#include "vmbus/pci_func.h"

/* "Other system peripheral": no guest driver will bind to it. */
#define TEST_BASE_CLASS 0x08
#define TEST_SUBCLASS   0x80

const struct pci_func_model pci_model_test64 = {
	.name = "kvmbus-test64",
	.vendor_id = VPCI_TEST_VENDOR_ID,
	.device_id = VPCI_TEST_DEVICE_TEST64,
	.revision = 1,
	.subclass = TEST_SUBCLASS,
	.base_class = TEST_BASE_CLASS,
	.subsys_vendor_id = VPCI_TEST_VENDOR_ID,
	.subsys_id = VPCI_TEST_DEVICE_TEST64,
	.bar = { [0] = { .size = VPCI_TEST_TEST64_BAR0_SIZE, .is64 = true,
			 .prefetchable = true } },
	.irq_cap = PCI_IRQ_CAP_MSIX,
	.irq_vectors = VPCI_TEST_TEST64_MSIX_VECTORS,
	.msix_table_offset = VPCI_TEST_TEST64_MSIX_TABLE,
	.msix_pba_offset = VPCI_TEST_TEST64_MSIX_PBA,
};

const struct pci_func_model pci_model_test32 = {
	.name = "kvmbus-test32",
	.vendor_id = VPCI_TEST_VENDOR_ID,
	.device_id = VPCI_TEST_DEVICE_TEST32,
	.revision = 1,
	.subclass = TEST_SUBCLASS,
	.base_class = TEST_BASE_CLASS,
	.subsys_vendor_id = VPCI_TEST_VENDOR_ID,
	.subsys_id = VPCI_TEST_DEVICE_TEST32,
	.bar = { [0] = { .size = VPCI_TEST_TEST32_BAR0_SIZE } },
	.irq_cap = PCI_IRQ_CAP_MSI,
	.irq_vectors = 2,
};

static const struct pci_func_model *const models[] = {
	&pci_model_test64,
	&pci_model_test32,
};

const struct pci_func_model *pci_func_model_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
		if (strcmp(models[i]->name, name) == 0)
			return models[i];
	}
	return NULL;
}
