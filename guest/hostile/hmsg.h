/* SPDX-License-Identifier: MIT */
/*
 * Raw VMBus control messages for the hostile guest: post any bytes to any
 * connection id, then look at what the host answered (or that it answered
 * nothing).  kvmbus handles HvPostMessage inside the hypercall exit and
 * raises SINT2 before the vCPU resumes, so an answer is in the message
 * FIFO right after the post returns; waits are bounded all the same.
 */
#ifndef GUEST_HOSTILE_HMSG_H
#define GUEST_HOSTILE_HMSG_H

#include <stdbool.h>
#include <stdint.h>

#include "vmbus/abi/vmbus_abi.h"
#include "vmm/abi/hv_abi.h"

/* HvPostMessage(connection, type 1, msg[0..size)): the 16-bit status. */
uint16_t hm_post(uint32_t connection_id, const void *msg, uint32_t size);
/* Post to the connection id of the current VMBus connection. */
uint16_t hm_post_ctl(const void *msg, uint32_t size);

/* Wait for the next host message of `msgtype` (others are dropped and
 * counted as strays); its payload goes to out (up to 240 bytes). */
bool hm_wait(uint32_t msgtype, void *out, uint32_t out_size);
/* True if no host message arrives for a short while.  A message that does
 * arrive is dropped; *type gets its msgtype (if type is non-NULL). */
bool hm_quiet(uint32_t *type);
/* The next host message if one arrives within that short while: its
 * msgtype in *type, its payload in out. */
bool hm_next(uint32_t *type, void *out, uint32_t out_size);
/* OPENCHANNEL as given (open id = relid) and wait for its result:
 * false if none came, else *status = OPENCHANNEL_RESULT.status. */
bool hm_open(uint32_t relid, uint32_t gpadl, uint32_t target_vp,
	     uint32_t downstream_pages, uint32_t *status);
/* Drop whatever is queued. */
void hm_drain(void);
/* Host messages dropped so far because nobody waited for them. */
unsigned hm_strays(void);

#endif
