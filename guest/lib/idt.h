/* SPDX-License-Identifier: MIT */
/*
 * Interrupt descriptor table shared by all vCPUs.  Every one of the 256
 * vectors has a stub (lib/isr.S) that saves the registers and calls
 * isr_dispatch(): exceptions (0-31) print what happened and end the run
 * with FAIL; other vectors go to a registered handler, or -- if none is
 * registered -- are treated as a host bug and also end the run.
 */
#ifndef GUEST_LIB_IDT_H
#define GUEST_LIB_IDT_H

#include <stdint.h>

/* Register image built by isr_common in lib/isr.S (lowest address first). */
struct isr_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error_code;      /* 0 for vectors without one */
	uint64_t rip, cs, rflags, rsp, ss;   /* pushed by the CPU */
};

typedef void (*isr_handler_fn)(struct isr_frame *frame);

/* Fill the table (BSP, once, before any vCPU loads it). */
void idt_init(void);
/* Load the table on the calling vCPU. */
void idt_load(void);
void idt_set_handler(uint8_t vector, isr_handler_fn fn);

/* Called from lib/isr.S only. */
void isr_dispatch(struct isr_frame *frame);

#endif
