/* SPDX-License-Identifier: MIT */
/*
 * Splitting a GPADL (guest physical address descriptor list) into VMBus
 * messages (facts §5.3): one GPADL_HEADER with a single range descriptor
 * and up to 26 PFNs, then as many GPADL_BODY messages (28 PFNs each) as
 * the rest needs.  Pure C, tested on the host.
 */
#ifndef GUEST_GPADL_H
#define GUEST_GPADL_H

#include <stdint.h>

#include "vmbus/abi/vmbus_abi.h"
#include "vmm/abi/hv_abi.h"

/* PFNs that fit after the header and its one range descriptor. */
#define GPADL_HEADER_PFNS ((HV_MESSAGE_PAYLOAD_MAX -                 \
			    sizeof(struct vmbus_msg_gpadl_header) -          \
			    sizeof(struct vmbus_gpa_range)) / 8)
/* PFNs per GPADL_BODY. */
#define GPADL_BODY_PFNS ((HV_MESSAGE_PAYLOAD_MAX -                   \
			  sizeof(struct vmbus_msg_gpadl_body)) / 8)

struct gpadl_writer {
	uint32_t relid;
	uint32_t handle;
	const uint64_t *pfns;
	uint32_t count;
	uint32_t next;                /* index of the next PFN to send */
	uint32_t messages;            /* messages produced so far */
};

void gpadl_writer_init(struct gpadl_writer *w, uint32_t relid,
		       uint32_t handle, const uint64_t *pfns, uint32_t count);
/* Build the next message into `msg` (at least 240 bytes, 8-aligned).
 * Returns its payload size, or 0 when every PFN has been sent. */
uint32_t gpadl_writer_next(struct gpadl_writer *w, void *msg);
/* How many messages a GPADL of `count` pages takes. */
uint32_t gpadl_message_count(uint32_t count);

#endif
