/* SPDX-License-Identifier: MIT */
/*
 * The benchmark's sink service (class in vmbus/abi/sink_abi.h): every
 * packet the guest sends is consumed and thrown away.  It exists so that
 * tests/bench can measure one direction of the data path; it is offered
 * only when `kvmbus run --bench-sink` asks for it.
 *
 * Unlike echo, it does not drain inside the guest's HvSignalEvent exit.
 * The signal only wakes a drain thread, so the guest goes on producing
 * while the host drains -- which is what lets interrupt suppression work:
 * the thread sets interrupt_mask on the guest->host ring while it drains
 * (and for a short busy-poll after the ring runs dry), so a guest writing
 * steadily does not signal, i.e. does not exit, at all.  When it clears
 * the mask it looks at the ring once more before sleeping (facts §6.5).
 *
 * Per packet: one peek and one consume, no allocation, no system call;
 * per drain pass, two clock reads for the figures below.
 */
#ifndef KVMBUS_VMBUS_SINK_H
#define KVMBUS_VMBUS_SINK_H

#include <stdint.h>

#include "vmbus/abi/sink_abi.h"
#include "vmbus/vmbus.h"

struct vmbus_sink;

/* Figures since creation, for --stats.  Written by the drain thread,
 * read at any time (each field on its own, atomically). */
struct vmbus_sink_stats {
	uint64_t packets;             /* consumed */
	uint64_t bytes;               /* their payload bytes */
	uint64_t drain_ns;            /* time spent draining packets (idle
				         polling and sleeping excluded) */
	uint64_t wakeups;             /* guest signals that woke the thread */
	uint64_t passes;              /* drain passes that found packets */
	uint64_t late_packets;        /* found by the look after unmasking */
};

/* Creates the drain thread (call before the sandbox, like any setup).
 * NULL on failure, after a message. */
struct vmbus_sink *vmbus_sink_create(void);
/* Stops and joins the thread.  Call before the VMBus host it served is
 * destroyed. */
void vmbus_sink_destroy(struct vmbus_sink *s);
/* The service to register on the bus. */
const struct vmbus_service *vmbus_sink_service(struct vmbus_sink *s);
void vmbus_sink_get_stats(const struct vmbus_sink *s,
			  struct vmbus_sink_stats *out);

#endif
