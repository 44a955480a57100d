/* SPDX-License-Identifier: MIT */
/*
 * The VMBus scenario: connect (version walk from 6.0 down), offers, a
 * multi-message GPADL, the echo channel (GPADL, open, 1000+ packets,
 * close, teardown), unload -- each step a TAP check.
 */
#ifndef GUEST_VMBUS_TEST_H
#define GUEST_VMBUS_TEST_H

/* Runs on the BSP with interrupts on and its SynIC ready. */
void vmbus_test_run(unsigned nr_cpus);

#endif
