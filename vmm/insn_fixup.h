/* SPDX-License-Identifier: MIT */
/*
 * Instructions KVM could not emulate.  On the project's KVM, guest ring 0
 * runs in KVM's instruction emulator, which lacks a few instructions a
 * stock Linux kernel executes; each ends KVM_RUN with
 * KVM_EXIT_INTERNAL_ERROR / KVM_INTERNAL_ERROR_EMULATION (docs
 * kvm-on-this-machine.md, "A minimal Linux that boots here").  For the
 * simple ones kvmbus does what the CPU would have done (Intel SDM vol. 2
 * instruction pages):
 *
 *   CC        INT3   #BP, a trap: the saved RIP is the next instruction
 *   0F 0B     UD2    #UD, a fault: the saved RIP is the UD2 itself
 *   9B        FWAIT  nothing (skip), unless CR0.MP and CR0.TS are both
 *                    set (#NM) or an unmasked x87 exception is pending
 *                    (FSW.ES with CR0.NE: #MF)
 *   0F 01 CA  CLAC   RFLAGS.AC = 0, skip; #UD at CPL > 0
 *   0F 01 CB  STAC   RFLAGS.AC = 1, skip; #UD at CPL > 0
 *
 * Anything else stops the VM with a message naming the bytes and RIP.
 *
 * The decision is pure (bytes + CPU mode -> action) and unit-tested; the
 * KVM part (vmm/insn_fixup_kvm.c) fetches the bytes through the guest's
 * page tables, delivers exceptions in software (vmm/exc_deliver.h) and
 * writes the registers back.
 */
#ifndef KVMBUS_INSN_FIXUP_H
#define KVMBUS_INSN_FIXUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest x86 instruction. */
#define INSN_MAX_LEN 15

enum insn_mode {
	INSN_MODE_REAL,               /* CR0.PE = 0 */
	INSN_MODE_PROT16,             /* protected, CS.D = 0 */
	INSN_MODE_PROT32,             /* protected or compatibility, CS.D = 1 */
	INSN_MODE_LONG64,             /* EFER.LMA and CS.L */
};

struct insn_context {
	enum insn_mode mode;
	unsigned cpl;
	uint64_t cr0;
	uint16_t fsw;                 /* x87 status word (for FWAIT) */
};

enum insn_action_kind {
	INSN_ACT_STOP = 0,            /* not handled: stop the VM */
	INSN_ACT_SKIP,                /* RIP += len */
	INSN_ACT_SKIP_CLEAR_AC,       /* RFLAGS.AC = 0, RIP += len */
	INSN_ACT_SKIP_SET_AC,         /* RFLAGS.AC = 1, RIP += len */
	INSN_ACT_TRAP,                /* deliver `vector`, saved RIP = RIP + len */
	INSN_ACT_FAULT,               /* deliver `vector`, saved RIP = RIP */
};

struct insn_action {
	enum insn_action_kind kind;
	uint8_t len;                  /* instruction length */
	uint8_t vector;               /* TRAP / FAULT */
	const char *name;             /* "int3", ...; NULL if unknown */
	const char *why;              /* for STOP: the reason */
};

#define INSN_VEC_UD  6
#define INSN_VEC_BP  3
#define INSN_VEC_NM  7
#define INSN_VEC_MF  16

#define INSN_CR0_MP  (1ull << 1)
#define INSN_CR0_TS  (1ull << 3)
#define INSN_CR0_NE  (1ull << 5)
#define INSN_FSW_ES  (1u << 7)
#define INSN_RFLAGS_AC (1ull << 18)

/* What to do about the instruction in bytes[0, n). */
struct insn_action insn_fixup_decide(const uint8_t *bytes, size_t n,
				     const struct insn_context *ctx);

/* "cc 0f 0b ..." for messages; always NUL-terminates out. */
void insn_fixup_hex(const uint8_t *bytes, size_t n, char *out, size_t outlen);

/* ---- vmm/insn_fixup_kvm.c ------------------------------------------------ */
struct vm_vcpu;
/* Call on KVM_EXIT_INTERNAL_ERROR.  For suberror KVM_INTERNAL_ERROR_
 * EMULATION with one of the instructions above, completes it and returns
 * 0: the vCPU runs on.  Otherwise returns -1 -- after a message naming
 * the instruction bytes, RIP and the reason when it was an emulation
 * failure -- and the caller reports the crash and stops the VM. */
int insn_fixup_on_emulation_failure(struct vm_vcpu *v);

/* The bytes at CS.base + RIP of the vCPU's current state, read through
 * the guest's own page tables (up to INSN_MAX_LEN, stopping at the first
 * byte that cannot be read).  Returns how many were read; 0 when the
 * registers cannot be read or RIP's page is not mapped to RAM. */
size_t insn_fetch_current(struct vm_vcpu *v, uint8_t *buf);

#endif
