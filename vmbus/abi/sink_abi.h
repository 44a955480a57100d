/* SPDX-License-Identifier: MIT */
/*
 * The benchmark's sink channel, as host (vmbus/sink.c) and bench guest
 * (guest/bench/) both see it: a test class that takes every packet the
 * guest sends and throws it away, so that a throughput figure measures
 * one direction of the data path only (the echo service would double the
 * work by sending each packet back).  Offered only with the hidden option
 * --bench-sink; normal runs never see it.  Freestanding.
 */
#ifndef KVMBUS_SINK_ABI_H
#define KVMBUS_SINK_ABI_H

#include "vmbus/abi/vmbus_abi.h"

/* "kvmb" "si" "nk" + the kvmbus suffix of VMBUS_CLASS_ECHO. */
#define VMBUS_CLASS_SINK VMBUS_GUID(0x6b6d7662, 0x7369, 0x6e6b, \
	0x8f, 0x01, 0x6b, 0x76, 0x6d, 0x62, 0x75, 0x73)
#define VMBUS_SINK_INSTANCE VMBUS_GUID(0x6b6d7662, 0x7369, 0x6e6b, \
	0x8f, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01)

#endif
