/* SPDX-License-Identifier: MIT */
/*
 * Names and trace decoding of VMBus control messages and packet types,
 * for --trace and diagnostics.  Decoding never reads past `size`.
 */
#ifndef KVMBUS_VMBUS_MSG_NAMES_H
#define KVMBUS_VMBUS_MSG_NAMES_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/trace.h"

/* "INITIATE_CONTACT", ...; "UNKNOWN" for numbers without a name. */
const char *vmbus_msg_name(uint32_t msgtype);
/* "INBAND", "GPA_DIRECT", "COMP", or "UNKNOWN". */
const char *vmbus_pkt_type_name(uint16_t type);

/* Start a trace record for a control message and add its key fields.
 * false when tracing is off; otherwise the caller may add fields and
 * must call trace_end(r). */
bool vmbus_trace_msg_begin(struct trace_rec *r, enum trace_dir dir,
			   const void *msg, uint32_t size);
/* The same, ended at once. */
void vmbus_trace_msg(enum trace_dir dir, const void *msg, uint32_t size);

#endif
