/* SPDX-License-Identifier: MIT */
/*
 * The local APIC in xAPIC (MMIO) mode, as KVM's in-kernel irqchip models
 * it at the architectural default base 0xFEE00000.
 */
#ifndef GUEST_LIB_LAPIC_H
#define GUEST_LIB_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define LAPIC_SPURIOUS_VECTOR 0xFFu

/* Software-enable this vCPU's LAPIC (SVR bit 8) with TPR 0, and install
 * the spurious-vector handler.  Without this KVM drops injected MSIs. */
void lapic_enable(void);
/* End of interrupt: exactly once per delivered (non-spurious) interrupt. */
void lapic_eoi(void);
uint32_t lapic_id(void);
/* Fixed-delivery IPI with `vector` to the LAPIC `apic_id` (physical
 * destination).  True once the LAPIC reports it sent (bounded wait). */
bool lapic_send_ipi(uint32_t apic_id, uint8_t vector);

#endif
