/* SPDX-License-Identifier: MIT */
/*
 * The VMBus part of the test, in steps main.c sequences around the
 * devices: connect (version walk from 6.0 down) and offers; a
 * multi-message GPADL and the echo channel (GPADL, open, 1000+ packets,
 * close, teardown); a clean unload -- each step a TAP check.
 */
#ifndef GUEST_VMBUS_TEST_H
#define GUEST_VMBUS_TEST_H

#include "guest/vmbus_client.h"

/* Runs on the BSP with interrupts on and its SynIC ready.  Returns the
 * connected client with its offers, or NULL if the connection failed. */
struct vmbus_client *vmbus_test_connect(void);
/* The multi-message GPADL and the echo channel, host interrupts to the
 * last vCPU. */
void vmbus_test_echo(struct vmbus_client *c, unsigned nr_cpus);
/* UNLOAD / UNLOAD_RESPONSE, and the well-formed-messages check. */
void vmbus_test_unload(struct vmbus_client *c);

#endif
