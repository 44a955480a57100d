// SPDX-License-Identifier: MIT
/*
 * The KVM half of the emulation-failure handler (see vmm/insn_fixup.h):
 * read the vCPU state, fetch the instruction, ask insn_fixup_decide(),
 * and apply the answer to the registers.
 *
 * Runs on the vCPU's own thread without vm->lock: it touches only this
 * vCPU's registers and guest RAM, as the instruction itself would have.
 */
#include "vmm/insn_fixup.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/exc_deliver.h"
#include "vmm/guest_walk.h"
#include "vmm/log.h"
#include "vmm/vm.h"

#define CR0_PE (1ull << 0)

/* KVM's emulation_failure overlay carries the instruction bytes when
 * this flag is set; ndata then counts flags + the 16 bytes (3 u64s). */
#define EMULATION_FAILURE_NDATA_WITH_BYTES 3

static enum insn_mode mode_of(const struct kvm_sregs *s)
{
	if (!(s->cr0 & CR0_PE))
		return INSN_MODE_REAL;
	if ((s->efer & GW_EFER_LMA) && s->cs.l)
		return INSN_MODE_LONG64;
	return s->cs.db ? INSN_MODE_PROT32 : INSN_MODE_PROT16;
}

/* RIP wraps at the width of the code segment. */
static uint64_t advance(uint64_t rip, unsigned len, enum insn_mode mode)
{
	switch (mode) {
	case INSN_MODE_LONG64:
		return rip + len;
	case INSN_MODE_PROT32:
		return (rip + len) & 0xFFFFFFFFull;
	default:
		return (rip + len) & 0xFFFFull;
	}
}

static struct guest_paging paging_of(const struct kvm_sregs *s)
{
	return (struct guest_paging){
		.cr0 = s->cr0, .cr3 = s->cr3, .cr4 = s->cr4, .efer = s->efer,
	};
}

/* Read at CS.base + RIP through the guest's page tables, stopping at the
 * first byte that cannot be read. */
static size_t fetch_linear(const struct vm_vcpu *v, const struct kvm_sregs *s,
			   const struct kvm_regs *r, uint8_t *buf)
{
	struct guest_paging pg = paging_of(s);
	uint64_t la = s->cs.base + r->rip;
	size_t n = 0;

	if (mode_of(s) != INSN_MODE_LONG64)
		la &= 0xFFFFFFFFull;
	while (n < INSN_MAX_LEN &&
	       guest_read_linear(&v->vm->mem, &pg, la + n, buf + n, 1) == GW_OK)
		n++;
	return n;
}

/* The instruction bytes: KVM's own copy when the exit carries one, else
 * read from guest memory. */
static size_t fetch(struct vm_vcpu *v, const struct kvm_sregs *s,
		    const struct kvm_regs *r, uint8_t *buf)
{
	const struct kvm_run *run = v->run;

	if (run->emulation_failure.ndata >= EMULATION_FAILURE_NDATA_WITH_BYTES &&
	    (run->emulation_failure.flags &
	     KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)) {
		size_t n = run->emulation_failure.insn_size;
		if (n > INSN_MAX_LEN)
			n = INSN_MAX_LEN;
		memcpy(buf, run->emulation_failure.insn_bytes, n);
		if (n)
			return n;
	}
	return fetch_linear(v, s, r, buf);
}

size_t insn_fetch_current(struct vm_vcpu *v, uint8_t *buf)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 ||
	    ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return 0;
	return fetch_linear(v, &s, &r, buf);
}

/* The first time each instruction is completed, say so (a kernel may
 * run FWAIT or hit WARN()s often; once is enough to know why). */
static void note_first(const struct vm_vcpu *v, const struct insn_action *a,
		       uint64_t rip)
{
	static const char *const names[] = { "int3", "ud2", "fwait", "clac",
					     "stac" };
	static atomic_bool said[sizeof(names) / sizeof(names[0])];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(names[i], a->name) != 0)
			continue;
		if (!atomic_exchange(&said[i], true))
			log_info("vCPU %u: KVM cannot emulate %s (RIP 0x%llx); "
				 "kvmbus completes it, as it will every later "
				 "one", v->index, a->name,
				 (unsigned long long)rip);
		return;
	}
}

static int deliver(struct vm_vcpu *v, const struct kvm_sregs *s,
		   struct kvm_regs *r, const struct insn_action *a, char *why,
		   size_t whylen)
{
	struct exc_cpu c = {
		.rip = r->rip, .rsp = r->rsp, .rflags = r->rflags,
		.cs = s->cs.selector, .ss = s->ss.selector,
		/* SS.DPL is the CPL on both VMX and SVM. */
		.cpl = s->ss.dpl,
		.idt_base = s->idt.base, .idt_limit = s->idt.limit,
		.tr_base = s->tr.base, .tr_limit = s->tr.limit,
		.pg = paging_of(s),
	};
	uint64_t ret = a->kind == INSN_ACT_TRAP ? r->rip + a->len : r->rip;

	if (exc_deliver64(&v->vm->mem, &c, a->vector, ret,
			  a->kind == INSN_ACT_TRAP, false, 0, why, whylen) < 0)
		return -1;
	r->rip = c.rip;
	r->rsp = c.rsp;
	r->rflags = c.rflags;
	return 0;
}

static int stop_with(struct vm_vcpu *v, uint64_t rip, const uint8_t *bytes,
		     size_t n, const char *name, const char *why)
{
	char hex[INSN_MAX_LEN * 3 + 8];

	insn_fixup_hex(bytes, n, hex, sizeof(hex));
	log_err("vCPU %u: KVM could not emulate the instruction at RIP 0x%llx "
		"(bytes %s)%s%s%s: %s -- stopping the guest", v->index,
		(unsigned long long)rip, hex, name ? " (" : "", name ? name : "",
		name ? ")" : "", why);
	return -1;
}

int insn_fixup_on_emulation_failure(struct vm_vcpu *v)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	struct kvm_fpu fpu;
	uint8_t bytes[INSN_MAX_LEN];
	char why[200];

	if (v->run->internal.suberror != KVM_INTERNAL_ERROR_EMULATION)
		return -1;
	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 ||
	    ioctl(v->fd, KVM_GET_SREGS, &s) < 0 ||
	    ioctl(v->fd, KVM_GET_FPU, &fpu) < 0) {
		log_err("vCPU %u: reading registers after an emulation failure "
			"failed: %s", v->index, strerror(errno));
		return -1;
	}

	size_t n = fetch(v, &s, &r, bytes);
	struct insn_context ctx = {
		.mode = mode_of(&s), .cpl = s.ss.dpl, .cr0 = s.cr0,
		.fsw = fpu.fsw,
	};
	struct insn_action a = insn_fixup_decide(bytes, n, &ctx);
	uint64_t rip = r.rip;

	switch (a.kind) {
	case INSN_ACT_SKIP:
		r.rip = advance(r.rip, a.len, ctx.mode);
		break;
	case INSN_ACT_SKIP_CLEAR_AC:
		r.rflags &= ~INSN_RFLAGS_AC;
		r.rip = advance(r.rip, a.len, ctx.mode);
		break;
	case INSN_ACT_SKIP_SET_AC:
		r.rflags |= INSN_RFLAGS_AC;
		r.rip = advance(r.rip, a.len, ctx.mode);
		break;
	case INSN_ACT_TRAP:
	case INSN_ACT_FAULT:
		if (deliver(v, &s, &r, &a, why, sizeof(why)) < 0)
			return stop_with(v, rip, bytes, n, a.name, why);
		break;
	case INSN_ACT_STOP:
	default:
		return stop_with(v, rip, bytes, n, a.name, a.why);
	}

	note_first(v, &a, rip);
	if (ioctl(v->fd, KVM_SET_REGS, &r) < 0) {
		log_err("vCPU %u: writing registers after completing %s failed: "
			"%s", v->index, a.name, strerror(errno));
		return -1;
	}
	return 0;
}
