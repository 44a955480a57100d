/* SPDX-License-Identifier: MIT */
/*
 * The machine's devices beyond the core: the MMIO ownership registry and
 * the VMBus services on it (echo, synthetic video, the PCI buses), in
 * offer order; the scenario-step port; and what a run leaves behind --
 * the exit status checked against the registry, the one-line summary,
 * the MMIO map and the screenshot.
 */
#ifndef KVMBUS_DEVICES_H
#define KVMBUS_DEVICES_H

#include "vmbus/mmio_registry.h"
#include "vmm/options.h"
#include "vmm/vm.h"

#define DEVICES_MAX_VPCI 2
#define DEVICES_MAX_VRAM_MAPS 4

struct synthvid;
struct vpci_bus;

struct devices {
	struct vm *vm;
	const struct kvmbus_options *opts;
	struct mmio_registry registry;
	struct synthvid *video;
	struct vpci_bus *vpci[DEVICES_MAX_VPCI];
	unsigned nr_vpci;
	/* KVM mappings of the VRAM, by GPA (vm_map_extra_memory handles). */
	struct { uint64_t gpa; int handle; } vram_map[DEVICES_MAX_VRAM_MAPS];
};

/* Create the registry and the services and register them on vm->bus.
 * 0, or -1 after a message. */
int devices_create(struct devices *d, struct vm *vm,
		   const struct kvmbus_options *o);
void devices_destroy(struct devices *d);

/* After vm_run(): the final exit status (a guest's CONFLICT verdict counts
 * only if the registry recorded the overlap), the summary line, the MMIO
 * map and the screenshot, as the options ask. */
int devices_finish(struct devices *d, int status);

#endif
