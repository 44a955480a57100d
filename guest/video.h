/* SPDX-License-Identifier: MIT */
/*
 * The synthetic video client: a framebuffer driver that does what Linux's
 * hyperv_drm does (facts §8.5), then draws a test pattern and the run's
 * result with guest/font.h.  Every step is a TAP check; every wait is
 * bounded.
 *
 * Ring size: 64 + 64 pages (256 KiB each way), Linux's choice.  The host
 * sends a handful of small messages, so smaller rings would do; Linux's
 * size keeps the ring GPADL a five-message one (facts §6.1), like the
 * real driver's, at no cost the guest notices (pages are not cleared).
 */
#ifndef GUEST_VIDEO_H
#define GUEST_VIDEO_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/channel.h"
#include "guest/draw.h"
#include "guest/video_proto.h"
#include "guest/vmbus_client.h"
#include "pci_front/mmio_alloc.h"

#define VIDEO_RING_PAGES 64u

struct video {
	struct guest_channel ch;
	struct pcif_mmio_alloc *mmio;
	uint32_t version;             /* synthvid; 0 = none accepted */
	struct video_mode mode;
	uint64_t vram_gpa, vram_size;
	bool vram_allocated;
	bool vram_acked;              /* VRAM_LOCATION_ACK echoed the GPA */
	bool dirt_needed;             /* FEATURE_CHANGE asked for DIRT */
	bool up;                      /* mode set, pattern drawn */
	struct draw_surface fb;
	uint32_t band_top;            /* first row of the text band */
	unsigned unexpected;          /* host messages nobody waited for */
};

/* Open the channel, negotiate, pick a mode, place the VRAM through the
 * allocator (fb_overlap_ok, facts §9.4), set the mode, draw colour bars,
 * read a pixel back, DIRT.  Returns v->up. */
bool video_up(struct video *v, struct vmbus_client *c,
	      const struct vmbus_offer_info *offer,
	      struct pcif_mmio_alloc *mmio);

/* The text band under the bars: a title, up to `nr` lines and the
 * result word in its colour; then DIRT for the band. */
void video_show(struct video *v, const char *title, const char *const *lines,
		unsigned nr, const char *result, uint32_t result_rgb);

/* hyperv_drm's remove: close the channel, give the VRAM back to the
 * allocator (the host keeps its own record of it, facts §7.5). */
void video_down(struct video *v);

#endif
