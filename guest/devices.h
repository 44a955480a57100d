/* SPDX-License-Identifier: MIT */
/*
 * The VMBus devices of one kernel -- synthetic video and every VPCI bus
 * -- brought up in the scenario's order over one MMIO allocator (the
 * kernel's vmbus_allocate_mmio state: ranges from the device tree, the
 * framebuffer reserved by this kernel's policy), and taken down cleanly.
 * A PCI D0 entry the host refuses with 0xC0370048 is recorded as the
 * run's conflict where the scenario makes a refusal the outcome (the
 * crash kernel); elsewhere it is a failed check.
 */
#ifndef GUEST_DEVICES_H
#define GUEST_DEVICES_H

#include <stdbool.h>

#include "guest/scenario.h"
#include "guest/video.h"
#include "guest/vmbus_client.h"
#include "guest/vpci_test.h"
#include "pci_front/mmio_alloc.h"

#define DEVICES_MAX_BUSES 2u          /* kvmbus offers 0..2 buses */

struct devices_options {
	/* Hot-remove the last slot of bus 0 after its probe. */
	bool hot_remove;
	/* test=cfgwin-over-vram: probe bus 0 with its config window forced
	 * onto the VRAM video placed; pass iff the host refuses with
	 * 0xC0370048 and Linux's line is printed. */
	bool cfgwin_over_vram;
};

struct devices {
	struct pcif_mmio_alloc mmio;
	struct video video;
	bool video_offered;
	struct vpci_test_bus bus[DEVICES_MAX_BUSES];
	unsigned nr_buses;            /* buses probed */
};

/* The allocator: VMBus ranges from the platform, then the framebuffer
 * reservation of s->fb_policy at s->lfb_base (facts §8.6).  One check. */
void devices_mmio_init(struct devices *d, const struct platform_info *p,
		       const struct guest_scenario *s);
/* Video and the VPCI buses in s->order. */
void devices_up(struct devices *d, struct vmbus_client *c,
		const struct guest_scenario *s, const struct devices_options *o);
/* The run's result on the screen (if video is up). */
void devices_show(struct devices *d, const struct guest_scenario *s);
/* Clean driver unload: every bus removed, video closed. */
void devices_down(struct devices *d);

#endif
