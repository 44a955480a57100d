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
#define LAPIC_REG_ICR_LO  0x300u
#define LAPIC_REG_ICR_HI  0x310u
#define LAPIC_ICR_ASSERT  (1u << 14)
#define LAPIC_ICR_PENDING (1u << 12)     /* delivery status: send pending */
#define LAPIC_ICR_SPINS   100000u
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

bool lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	/* Destination first: writing the low half sends (Intel SDM vol. 3,
	 * 11.6.1).  Fixed delivery, physical destination, edge. */
	mmio_write32(LAPIC_BASE + LAPIC_REG_ICR_HI, apic_id << 24);
	mmio_write32(LAPIC_BASE + LAPIC_REG_ICR_LO, LAPIC_ICR_ASSERT | vector);
	for (uint32_t i = 0; i < LAPIC_ICR_SPINS; i++) {
		if (!(mmio_read32(LAPIC_BASE + LAPIC_REG_ICR_LO) &
		      LAPIC_ICR_PENDING))
			return true;
		cpu_relax();
	}
	return false;
}
