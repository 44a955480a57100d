// SPDX-License-Identifier: MIT
/*
 * #GP on a refused MSR access (gp_trap.h).  Interrupt gates clear IF, so
 * the handler never nests; the counters are touched by this vCPU only.
 */
#include "guest/hostile/gp_trap.h"

#include "guest/lib/cpu.h"
#include "guest/lib/idt.h"
#include "guest/lib/report.h"

#define VECTOR_GP      13
#define OPCODE_0F      0x0F
#define OPCODE_WRMSR   0x30
#define OPCODE_RDMSR   0x32
#define MSR_INSN_BYTES 2

static volatile bool armed;
static volatile unsigned taken;
static unsigned total;

static void on_gp(struct isr_frame *f)
{
	const volatile uint8_t *ip = (const volatile uint8_t *)(uintptr_t)f->rip;

	if (!armed || ip[0] != OPCODE_0F ||
	    (ip[1] != OPCODE_WRMSR && ip[1] != OPCODE_RDMSR))
		report_abort("unexpected #GP at rip 0x%lx (error 0x%lx, MSR 0x%lx)",
			     (unsigned long)f->rip, (unsigned long)f->error_code,
			     (unsigned long)f->rcx);
	if (ip[1] == OPCODE_RDMSR) {
		f->rax = 0;
		f->rdx = 0;
	}
	f->rip += MSR_INSN_BYTES;
	taken++;
	total++;
}

void gp_trap_install(void)
{
	idt_set_handler(VECTOR_GP, on_gp);
}

bool gp_wrmsr(uint32_t msr, uint64_t val)
{
	taken = 0;
	armed = true;
	wrmsr(msr, val);
	armed = false;
	return taken != 0;
}

bool gp_rdmsr(uint32_t msr, uint64_t *val)
{
	taken = 0;
	armed = true;
	*val = rdmsr(msr);
	armed = false;
	return taken != 0;
}

unsigned gp_trap_count(void)
{
	return total;
}
