/* SPDX-License-Identifier: MIT */
/*
 * GPADLs: guest memory described to the host as page lists (facts §5.3).
 *
 * A GPADL arrives as one GPADL_HEADER and zero or more GPADL_BODY
 * messages that together carry a byte stream of range descriptors
 * { u32 byte_count, u32 byte_offset, u64 pfn[] }.  The stream is complete
 * when range_buflen bytes arrived; only then are the ranges parsed and
 * every page checked to be guest RAM.
 *
 * This table knows nothing about channels or messages: the caller checks
 * the relid and sends GPADL_CREATED according to the step returned.
 */
#ifndef KVMBUS_VMBUS_GPADL_H
#define KVMBUS_VMBUS_GPADL_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/guest_mem.h"

/* Pages in one GPADL: 16 MiB, more than any ring or buffer kvmbus serves
 * (hyperv_drm: 128 pages). */
#define VMBUS_GPADL_MAX_PAGES    4096u
/* GPADLs (being assembled or created) one connection may hold. */
#define VMBUS_GPADL_MAX_PER_CONN 256u

struct vmbus_gpadl_range {
	uint32_t byte_count;
	uint32_t byte_offset;      /* into the first page, < 4096 */
	uint32_t first_pfn;        /* index into vmbus_gpadl.pfns */
	uint32_t pfn_count;
};

struct vmbus_gpadl {
	struct vmbus_gpadl *next;
	uint32_t handle;           /* chosen by the guest */
	uint32_t relid;
	bool complete;             /* validated, GPADL_CREATED sent */
	uint32_t used_by_relid;    /* channel whose open ring it is; 0 none */
	uint16_t rangecount;
	/* While assembling: the raw stream. */
	uint8_t *stream;
	uint32_t stream_len;       /* range_buflen */
	uint32_t stream_got;
	/* Once complete. */
	uint64_t *pfns;
	uint32_t pfn_count;
	struct vmbus_gpadl_range *ranges;
};

struct vmbus_gpadl_table {
	struct vmbus_gpadl *head;
	unsigned count;            /* assembling + complete */
};

enum vmbus_gpadl_step {
	GPADL_STEP_MORE,     /* accepted, waiting for GPADL_BODY messages */
	GPADL_STEP_DONE,     /* complete and valid: answer status 0 */
	GPADL_STEP_FAILED,   /* refused: answer a failure status; nothing kept */
	GPADL_STEP_IGNORED,  /* refused, and there is nobody to answer */
};

/* GPADL_HEADER.  `data` is everything after the fixed 20-byte header;
 * `full_size_msg` says the message used the whole 240-byte payload, in
 * which case bytes beyond range_buflen are padding (facts §5.3), while in
 * a shorter message they are refused. */
enum vmbus_gpadl_step vmbus_gpadl_begin(struct vmbus_gpadl_table *t,
					const struct guest_mem *mem,
					uint32_t relid, uint32_t handle,
					uint16_t range_buflen,
					uint16_t rangecount,
					const uint8_t *data, uint32_t data_len,
					bool full_size_msg);
/* GPADL_BODY: more of the stream.  *relid is set whenever the handle was
 * being assembled (for the answer). */
enum vmbus_gpadl_step vmbus_gpadl_continue(struct vmbus_gpadl_table *t,
					   const struct guest_mem *mem,
					   uint32_t handle, const uint8_t *data,
					   uint32_t data_len, bool full_size_msg,
					   uint32_t *relid);

/* Any GPADL with this handle (assembling or complete), or NULL. */
struct vmbus_gpadl *vmbus_gpadl_find(const struct vmbus_gpadl_table *t,
				     uint32_t handle);
void vmbus_gpadl_remove(struct vmbus_gpadl_table *t, struct vmbus_gpadl *g);
void vmbus_gpadl_clear(struct vmbus_gpadl_table *t);

#endif
