// SPDX-License-Identifier: MIT
/*
 * xAPIC register access.  Every interrupt handler ends with lapic_eoi():
 * the KVM on this project's machines never shows in-service bits, so a
 * missing EOI goes unnoticed here -- but on a real KVM host it blocks all
 * further interrupts of that priority class (KVM facts doc, "Traps").
 */
#include "guest/lib/lapic.h"

#include "guest/lib/cpu.h"
#include "guest/lib/idt.h"

#define LAPIC_BASE        0xFEE00000u
#define LAPIC_REG_ID      0x020u
#define LAPIC_REG_TPR     0x080u
#define LAPIC_REG_EOI     0x0B0u
#define LAPIC_REG_SVR     0x0F0u
#define LAPIC_SVR_ENABLE  (1u << 8)
#define APIC_BASE_ENABLE  (1ull << 11)   /* IA32_APIC_BASE global enable */

static void spurious_interrupt(struct isr_frame *frame)
{
	/* A spurious interrupt sets no in-service bit: it must NOT be
	 * acknowledged with an EOI (Intel SDM vol. 3, 11.9). */
	(void)frame;
}

void lapic_enable(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	idt_set_handler(LAPIC_SPURIOUS_VECTOR, spurious_interrupt);
	mmio_write32(LAPIC_BASE + LAPIC_REG_TPR, 0);
	mmio_write32(LAPIC_BASE + LAPIC_REG_SVR,
		     LAPIC_SVR_ENABLE | LAPIC_SPURIOUS_VECTOR);
}

void lapic_eoi(void)
{
	mmio_write32(LAPIC_BASE + LAPIC_REG_EOI, 0);
}

uint32_t lapic_id(void)
{
	return mmio_read32(LAPIC_BASE + LAPIC_REG_ID) >> 24;
}
