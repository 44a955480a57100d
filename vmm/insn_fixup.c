// SPDX-License-Identifier: MIT
/*
 * The pure half of the emulation-failure handler (see vmm/insn_fixup.h):
 * decode the few instructions kvmbus completes itself and say what the
 * processor would have done.  Exceptions each instruction may raise are
 * from its Intel SDM vol. 2 page.
 */
#include "vmm/insn_fixup.h"

#include <stdio.h>

static struct insn_action stop(const char *name, const char *why)
{
	return (struct insn_action){ .kind = INSN_ACT_STOP, .name = name,
				     .why = why };
}

static struct insn_action act(enum insn_action_kind kind, uint8_t len,
			      uint8_t vector, const char *name)
{
	return (struct insn_action){ .kind = kind, .len = len,
				     .vector = vector, .name = name };
}

/* CLAC / STAC: "#UD if CPL > 0" in protected and 64-bit mode (SDM). */
static struct insn_action ac_insn(const struct insn_context *ctx, bool set)
{
	const char *name = set ? "stac" : "clac";

	if (ctx->mode != INSN_MODE_REAL && ctx->cpl > 0)
		return act(INSN_ACT_FAULT, 3, INSN_VEC_UD, name);
	return act(set ? INSN_ACT_SKIP_SET_AC : INSN_ACT_SKIP_CLEAR_AC, 3, 0,
		   name);
}

/* FWAIT: "#NM if CR0.MP and CR0.TS are both set"; "#MF if there is a
 * pending x87 FPU exception" -- reported as #MF only in native mode
 * (CR0.NE = 1); the legacy FERR# route is not emulated. */
static struct insn_action fwait(const struct insn_context *ctx)
{
	if ((ctx->cr0 & INSN_CR0_MP) && (ctx->cr0 & INSN_CR0_TS))
		return act(INSN_ACT_FAULT, 1, INSN_VEC_NM, "fwait");
	if (ctx->fsw & INSN_FSW_ES) {
		if (!(ctx->cr0 & INSN_CR0_NE))
			return stop("fwait", "pending x87 exception with CR0.NE "
				    "clear (FERR# reporting) is not emulated");
		return act(INSN_ACT_FAULT, 1, INSN_VEC_MF, "fwait");
	}
	return act(INSN_ACT_SKIP, 1, 0, "fwait");
}

static struct insn_action decode(const uint8_t *b, size_t n,
				 const struct insn_context *ctx)
{
	if (n >= 1 && b[0] == 0xCC)
		return act(INSN_ACT_TRAP, 1, INSN_VEC_BP, "int3");
	if (n >= 1 && b[0] == 0x9B)
		return fwait(ctx);
	if (n >= 2 && b[0] == 0x0F && b[1] == 0x0B)
		return act(INSN_ACT_FAULT, 2, INSN_VEC_UD, "ud2");
	if (n >= 3 && b[0] == 0x0F && b[1] == 0x01 && b[2] == 0xCA)
		return ac_insn(ctx, false);
	if (n >= 3 && b[0] == 0x0F && b[1] == 0x01 && b[2] == 0xCB)
		return ac_insn(ctx, true);
	if (n == 0)
		return stop(NULL, "no instruction bytes could be read");
	return stop(NULL, "not an instruction kvmbus completes (int3, ud2, "
		    "fwait, clac, stac)");
}

struct insn_action insn_fixup_decide(const uint8_t *bytes, size_t n,
				     const struct insn_context *ctx)
{
	struct insn_action a = decode(bytes, bytes ? n : 0, ctx);

	/* Exceptions are delivered in software for 64-bit mode only
	 * (vmm/exc_deliver.h); Linux runs there whenever these occur. */
	if ((a.kind == INSN_ACT_TRAP || a.kind == INSN_ACT_FAULT) &&
	    ctx->mode != INSN_MODE_LONG64)
		return stop(a.name, "raising an exception outside 64-bit mode "
			    "is not emulated");
	return a;
}

void insn_fixup_hex(const uint8_t *bytes, size_t n, char *out, size_t outlen)
{
	size_t len = 0;

	if (!outlen)
		return;
	out[0] = '\0';
	if (n == 0) {
		snprintf(out, outlen, "(none)");
		return;
	}
	for (size_t i = 0; i < n && len + 3 < outlen; i++)
		len += (size_t)snprintf(out + len, outlen - len, "%s%02x",
					i ? " " : "", bytes[i]);
}
