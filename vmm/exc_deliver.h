/* SPDX-License-Identifier: MIT */
/*
 * Delivering an exception to a 64-bit guest in software, as the CPU
 * would (Intel SDM vol. 3A §6.14 "Exception and Interrupt Handling in
 * 64-bit Mode"): read the 16-byte IDT gate, pick the stack (the current
 * one, or an IST stack from the TSS), align it to 16 bytes, push SS,
 * RSP, RFLAGS, CS, RIP (and an error code), clear TF/NT/RF (and IF for
 * an interrupt gate), and continue at the gate's offset.
 *
 * Why not KVM_SET_VCPU_EVENTS: for the "soft" exceptions (#BP, #OF) the
 * RIP KVM pushes depends on the backend -- SVM re-decodes the
 * instruction at RIP and skips it, VMX adds an instruction length left
 * from an earlier exit -- so the return address of an injected #BP is
 * not portable.  Done here, it is exactly the architectural one.
 *
 * Only the case an emulation failure in a kernel produces is handled:
 * CPL 0 in 64-bit mode, a gate whose selector is the current CS (no
 * privilege or code-segment change).  Anything else is refused with a
 * reason and the caller stops the guest.
 */
#ifndef KVMBUS_EXC_DELIVER_H
#define KVMBUS_EXC_DELIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/guest_mem.h"
#include "vmm/guest_walk.h"

/* The vCPU state delivery reads and changes. */
struct exc_cpu {
	uint64_t rip, rsp, rflags;
	uint16_t cs, ss;              /* selectors */
	unsigned cpl;
	uint64_t idt_base;
	uint16_t idt_limit;
	uint64_t tr_base;             /* 64-bit TSS, linear address */
	uint32_t tr_limit;
	struct guest_paging pg;
};

#define EXC_RFLAGS_TF   (1ull << 8)
#define EXC_RFLAGS_IF   (1ull << 9)
#define EXC_RFLAGS_NT   (1ull << 14)
#define EXC_RFLAGS_RF   (1ull << 16)
#define EXC_RFLAGS_VM   (1ull << 17)

#define EXC_GATE_INTERRUPT 0xE
#define EXC_GATE_TRAP      0xF

/* Deliver `vector` with `return_rip` as the saved RIP (the faulting
 * instruction for a fault, the next one for a trap).  `software` marks
 * INT3 (the gate's DPL is then checked against CPL).  On success the
 * frame is on the guest's stack and c->rip/rsp/rflags are the handler's
 * entry state; returns 0.  Otherwise -1 with a reason in why and *c
 * unchanged. */
int exc_deliver64(const struct guest_mem *mem, struct exc_cpu *c,
		  uint8_t vector, uint64_t return_rip, bool software,
		  bool has_error, uint32_t error, char *why, size_t whylen);

#endif
