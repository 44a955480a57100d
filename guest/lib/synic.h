/* SPDX-License-Identifier: MIT */
/*
 * The synthetic interrupt controller of the calling vCPU (facts §2, §4):
 * message and event-flag pages, SINT2 on vector 0xF3, and the interrupt
 * handler (decisions in lib/sint_handler.c, hardware effects here).
 */
#ifndef GUEST_LIB_SYNIC_H
#define GUEST_LIB_SYNIC_H

#include <stdbool.h>

#include "vmm/abi/hv_abi.h"

/* Program this vCPU's SynIC in Linux's order; the outcome and register
 * read-backs land in this_cpu()->synic_ok / synic_error / synic. */
bool synic_enable_this_cpu(void);

/* Linux's hv_synic_disable_regs for the calling vCPU, as its crash
 * handler runs it before kexec (facts §2 order, reversed): mask SINT2,
 * disable SIMP and SIEFP, then SCONTROL.  Read-modify-write each. */
void synic_disable_this_cpu(void);

/* Next VMBus message that arrived on this vCPU, if any (non-blocking). */
bool synic_next_message(struct hv_message *out);

#endif
