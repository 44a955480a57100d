/* SPDX-License-Identifier: MIT */
/*
 * The synthetic video service (facts §8): version handshake, supported
 * resolutions, VRAM placement, mode (situation) updates, dirty rectangles.
 *
 * VRAM is host memory that the VMM maps at the GPA the guest names in
 * VRAM_LOCATION.  Its claim lives in the MMIO registry and, as on
 * Hyper-V, outlives the guest's VMBus connection: after UNLOAD and a new
 * INITIATE_CONTACT the host still holds the VRAM where the previous
 * kernel put it, until a new VRAM_LOCATION arrives.
 */
#ifndef KVMBUS_SYNTHVID_H
#define KVMBUS_SYNTHVID_H

#include <stdbool.h>
#include <stdint.h>

#include "vmbus/abi/synthvid_abi.h"
#include "vmbus/mmio_registry.h"
#include "vmbus/vmbus.h"

#define SYNTHVID_OWNER "synthvid"

/* How the VMM makes a GPA range real memory backed by `host`. */
struct synthvid_vram_ops {
	int (*map)(void *ctx, uint64_t gpa, uint64_t size, void *host);
	void (*unmap)(void *ctx, uint64_t gpa, uint64_t size);
	void *ctx;
};

struct synthvid_mode {
	bool active;
	uint32_t width, height, pitch, depth_bits;
};

struct synthvid_stats {
	uint64_t dirt_msgs, dirt_rects, dirt_rects_clipped, vram_moves;
};

/* Sends one synthvid message (pipe + synthvid headers already built). */
typedef int (*synthvid_send_fn)(void *ctx, const void *msg, uint32_t len);

struct synthvid {
	struct mmio_registry *registry;
	struct synthvid_vram_ops vram_ops;
	uint16_t mmio_megabytes;
	uint8_t *vram;                /* host buffer, mmio_megabytes MiB */
	uint64_t vram_size;
	uint64_t vram_gpa;            /* 0: not placed yet */
	uint32_t version;             /* negotiated, 0 = none */
	struct synthvid_mode mode;
	struct synthvid_stats stats;
	struct vmbus_service service;
};

/* Allocates the VRAM buffer.  Returns NULL on failure (logged). */
struct synthvid *synthvid_create(struct mmio_registry *registry,
				 uint16_t mmio_megabytes,
				 const struct synthvid_vram_ops *vram_ops);
void synthvid_destroy(struct synthvid *sv);
const struct vmbus_service *synthvid_service(struct synthvid *sv);

/* Handle one in-band payload from the guest (pipe header first); replies
 * go through send.  The VMBus glue calls this; unit tests call it
 * directly.  Returns 0, or -1 if the message was refused. */
int synthvid_handle(struct synthvid *sv, const uint8_t *payload, uint32_t len,
		    synthvid_send_fn send, void *send_ctx);

/* The framebuffer for screenshots: NULL unless a mode is active and the
 * VRAM is placed; *mode is filled in either case. */
const uint8_t *synthvid_framebuffer(const struct synthvid *sv,
				    struct synthvid_mode *mode);

/* Message name for traces ("VRAM_LOCATION"), or NULL if unknown. */
const char *synthvid_msg_name(uint32_t type);

#endif
