// SPDX-License-Identifier: MIT
/*
 * Software exception delivery for a 64-bit guest (see vmm/exc_deliver.h).
 * References: Intel SDM vol. 3A §6.14.1 (64-bit IDT gate descriptors),
 * §6.14.2 (stack frame), §6.14.5 (IST), §7.7 (64-bit TSS: IST1 at 0x24).
 */
#include "vmm/exc_deliver.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define GATE_SIZE        16
#define TSS_IST1         0x24
#define TSS_MIN_LIMIT    0x67

static int refuse(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static bool canonical_la(uint64_t a, const struct guest_paging *pg)
{
	unsigned width = (pg->cr4 & GW_CR4_LA57) ? 57 : 48;
	int64_t s = (int64_t)(a << (64 - width)) >> (64 - width);

	return (uint64_t)s == a;
}

/* A 64-bit gate: offset 15:0 at 0, selector at 2, IST in bits 2:0 of
 * byte 4, type (bits 3:0), DPL (6:5) and P (7) in byte 5, offset 31:16
 * at 6, offset 63:32 at 8. */
struct gate {
	uint64_t offset;
	uint16_t selector;
	unsigned ist, type, dpl;
	bool present;
};

static struct gate decode_gate(const uint8_t *g)
{
	return (struct gate){
		.offset = (uint64_t)(g[0] | g[1] << 8) |
			  (uint64_t)(g[6] | g[7] << 8) << 16 |
			  (uint64_t)(g[8] | g[9] << 8 | g[10] << 16 |
				     (uint32_t)g[11] << 24) << 32,
		.selector = (uint16_t)(g[2] | g[3] << 8),
		.ist = g[4] & 7,
		.type = g[5] & 0xF,
		.dpl = (g[5] >> 5) & 3,
		.present = (g[5] & 0x80) != 0,
	};
}

/* The stack the handler starts on: an IST slot of the TSS, or the
 * current stack (same privilege). */
static int pick_stack(const struct guest_mem *mem, const struct exc_cpu *c,
		      const struct gate *g, uint64_t *rsp, char *why,
		      size_t whylen)
{
	uint8_t slot[8];

	if (g->ist == 0) {
		*rsp = c->rsp;
		return 0;
	}
	uint64_t off = TSS_IST1 + (uint64_t)(g->ist - 1) * 8;
	if (c->tr_limit < TSS_MIN_LIMIT || off + 7 > c->tr_limit)
		return refuse(why, whylen, "IST%u lies beyond the TSS limit 0x%x",
			      g->ist, c->tr_limit);
	enum gw_status s = guest_read_linear(mem, &c->pg, c->tr_base + off,
					     slot, sizeof(slot));
	if (s != GW_OK)
		return refuse(why, whylen, "TSS IST%u at 0x%llx: %s", g->ist,
			      (unsigned long long)(c->tr_base + off),
			      guest_walk_status_name(s));
	*rsp = le64(slot);
	return 0;
}

int exc_deliver64(const struct guest_mem *mem, struct exc_cpu *c,
		  uint8_t vector, uint64_t return_rip, bool software,
		  bool has_error, uint32_t error, char *why, size_t whylen)
{
	uint8_t raw[GATE_SIZE];

	if (c->cpl != 0)
		return refuse(why, whylen, "exception at CPL %u (only CPL 0 is "
			      "delivered here)", c->cpl);
	if ((uint32_t)vector * GATE_SIZE + GATE_SIZE - 1 > c->idt_limit)
		return refuse(why, whylen, "vector %u lies beyond the IDT limit "
			      "0x%x", vector, c->idt_limit);
	enum gw_status s = guest_read_linear(mem, &c->pg,
					     c->idt_base + vector * GATE_SIZE,
					     raw, sizeof(raw));
	if (s != GW_OK)
		return refuse(why, whylen, "IDT gate %u at 0x%llx: %s", vector,
			      (unsigned long long)(c->idt_base + vector * GATE_SIZE),
			      guest_walk_status_name(s));

	struct gate g = decode_gate(raw);
	if (!g.present)
		return refuse(why, whylen, "IDT gate %u is not present", vector);
	if (g.type != EXC_GATE_INTERRUPT && g.type != EXC_GATE_TRAP)
		return refuse(why, whylen, "IDT gate %u has type 0x%x, not an "
			      "interrupt or trap gate", vector, g.type);
	/* INT3 checks the gate's DPL against CPL (§6.12.1.1); exceptions
	 * raised by the processor do not. */
	if (software && c->cpl > g.dpl)
		return refuse(why, whylen, "IDT gate %u has DPL %u < CPL %u",
			      vector, g.dpl, c->cpl);
	if (g.selector != c->cs)
		return refuse(why, whylen, "IDT gate %u selects CS 0x%x, not the "
			      "current 0x%x", vector, g.selector, c->cs);
	if (!canonical_la(g.offset, &c->pg))
		return refuse(why, whylen, "IDT gate %u handler 0x%llx is not "
			      "canonical", vector, (unsigned long long)g.offset);

	uint64_t rsp = 0;
	if (pick_stack(mem, c, &g, &rsp, why, whylen) < 0)
		return -1;
	/* §6.14.2: the new RSP is aligned down to 16 bytes, then SS, RSP,
	 * RFLAGS, CS, RIP and the error code are pushed, 8 bytes each. */
	rsp &= ~15ull;
	uint64_t frame[6];
	unsigned n = 0;
	if (has_error)
		frame[n++] = error;
	frame[n++] = return_rip;
	frame[n++] = c->cs;
	frame[n++] = c->rflags;
	frame[n++] = c->rsp;
	frame[n++] = c->ss;
	uint64_t bytes = n * 8ull;
	if (rsp < bytes || !canonical_la(rsp - bytes, &c->pg))
		return refuse(why, whylen, "no room for the exception frame below "
			      "RSP 0x%llx", (unsigned long long)rsp);
	s = guest_write_linear(mem, &c->pg, rsp - bytes, frame, bytes);
	if (s != GW_OK)
		return refuse(why, whylen, "exception frame at 0x%llx: %s",
			      (unsigned long long)(rsp - bytes),
			      guest_walk_status_name(s));

	uint64_t flags = c->rflags & ~(EXC_RFLAGS_TF | EXC_RFLAGS_NT |
				       EXC_RFLAGS_RF | EXC_RFLAGS_VM);
	if (g.type == EXC_GATE_INTERRUPT)
		flags &= ~EXC_RFLAGS_IF;
	c->rsp = rsp - bytes;
	c->rflags = flags;
	c->rip = g.offset;
	return 0;
}
