// SPDX-License-Identifier: MIT
/*
 * Interrupt messages (facts §7.3): CREATE_INTERRUPT (1.1, a CPU mask),
 * CREATE_INTERRUPT2 (1.2/1.3) and 3 (1.4, a VP array), DELETE_INTERRUPT.
 *
 * The host hands back a real x86 MSI the guest programs into the
 * function: address 0xFEE00000 | target VP << 12 (kvmbus's APIC IDs are
 * its VP indices), data = vector with the delivery mode in bits 10:8,
 * edge-triggered.  Vector and VPs are checked first: a vector below 16
 * is an exception, a VP the guest does not have is no target.
 */
#include "vmbus/vpci_internal.h"

#include <string.h>

#include "vmm/log.h"

struct irq_request {
	uint32_t win_slot;
	uint32_t vector;
	uint8_t delivery_mode;
	uint16_t vector_count;
	uint32_t target_vp;           /* UINT32_MAX: none valid */
};

static uint32_t create_interrupt(struct vpci_bus *bus,
				 const struct irq_request *q, struct vpci_reply *r)
{
	struct vpci_create_interrupt_completion c;
	uint32_t status = VPCI_STATUS_SUCCESS;
	struct vpci_slot *s;

	memset(&c, 0, sizeof(c));
	memcpy(r->buf, &c, sizeof(c));   /* full size on failure too */
	r->len = sizeof(c);
	s = vpci_lookup_slot(bus, q->win_slot, "create interrupt", &status);
	if (!s)
		return status;
	if (q->vector < VPCI_MSI_MIN_VECTOR || q->vector > 0xFF ||
	    (q->delivery_mode != VPCI_DELIVERY_FIXED &&
	     q->delivery_mode != VPCI_DELIVERY_LOWEST_PRIO) ||
	    q->vector_count == 0 || q->vector_count > 32) {
		guest_refuse("vpci.interrupt-bad-vector",
			     "%s: slot %u: interrupt vector %u, delivery %u, count "
			     "%u refused", bus->name, q->win_slot, q->vector,
			     q->delivery_mode, q->vector_count);
		return VPCI_STATUS_INVALID_PARAMETER;
	}
	if (q->target_vp >= bus->nr_vps) {
		guest_refuse("vpci.interrupt-bad-vp",
			     "%s: slot %u: no valid target VP (have %u)",
			     bus->name, q->win_slot, bus->nr_vps);
		return VPCI_STATUS_INVALID_PARAMETER;
	}
	c.int_desc.vector_count = q->vector_count;
	c.int_desc.data = VPCI_MSI_DATA(q->vector, q->delivery_mode);
	c.int_desc.address = VPCI_MSI_ADDRESS(q->target_vp);
	memcpy(r->buf, &c, sizeof(c));
	s->interrupts++;
	return VPCI_STATUS_SUCCESS;
}

uint32_t vpci_on_create_interrupt(struct vpci_bus *bus, const uint8_t *p,
				  uint32_t len, struct vpci_reply *r)
{
	struct vpci_create_interrupt m;
	struct irq_request q;

	(void)len;
	memcpy(&m, p, sizeof(m));
	q.win_slot = m.win_slot;
	q.vector = m.int_desc.vector;
	q.delivery_mode = m.int_desc.delivery_mode;
	q.vector_count = m.int_desc.vector_count;
	/* 1.1 names a CPU mask (Linux: all-ones): take its lowest VP. */
	q.target_vp = UINT32_MAX;
	for (unsigned vp = 0; vp < bus->nr_vps && vp < 64; vp++) {
		if (m.int_desc.cpu_mask & (1ull << vp)) {
			q.target_vp = vp;
			break;
		}
	}
	return create_interrupt(bus, &q, r);
}

/* 2 and 3 name VPs in an array; the first is the target. */
static uint32_t first_vp(struct vpci_bus *bus, uint16_t count,
			 const uint16_t *vps)
{
	if (count == 0 || count > VPCI_MAX_PROCESSORS)
		return UINT32_MAX;
	for (unsigned i = 0; i < count; i++)
		if (vps[i] >= bus->nr_vps)
			return UINT32_MAX;
	return vps[0];
}

/* CREATE_INTERRUPT2 and 3 carry the same request in two layouts (facts
 * §7.3); each unpacks its own, this does the rest. */
static uint32_t create_for_vp_array(struct vpci_bus *bus, uint32_t win_slot,
				    uint32_t vector, uint8_t delivery_mode,
				    uint16_t vector_count, uint16_t processor_count,
				    const void *processor_array, struct vpci_reply *r)
{
	uint16_t vps[VPCI_MAX_PROCESSORS];
	struct irq_request q = {
		.win_slot = win_slot,
		.vector = vector,
		.delivery_mode = delivery_mode,
		.vector_count = vector_count,
	};

	memcpy(vps, processor_array, sizeof(vps));
	q.target_vp = first_vp(bus, processor_count, vps);
	return create_interrupt(bus, &q, r);
}

uint32_t vpci_on_create_interrupt2(struct vpci_bus *bus, const uint8_t *p,
				   uint32_t len, struct vpci_reply *r)
{
	struct vpci_create_interrupt2 m;

	(void)len;
	memcpy(&m, p, sizeof(m));
	return create_for_vp_array(bus, m.win_slot, m.int_desc.vector,
				   m.int_desc.delivery_mode, m.int_desc.vector_count,
				   m.int_desc.processor_count,
				   m.int_desc.processor_array, r);
}

uint32_t vpci_on_create_interrupt3(struct vpci_bus *bus, const uint8_t *p,
				   uint32_t len, struct vpci_reply *r)
{
	struct vpci_create_interrupt3 m;

	(void)len;
	memcpy(&m, p, sizeof(m));
	return create_for_vp_array(bus, m.win_slot, m.int_desc.vector,
				   m.int_desc.delivery_mode, m.int_desc.vector_count,
				   m.int_desc.processor_count,
				   m.int_desc.processor_array, r);
}

uint32_t vpci_on_delete_interrupt(struct vpci_bus *bus, const uint8_t *p,
				  uint32_t len, struct vpci_reply *r)
{
	struct vpci_delete_interrupt m;
	uint32_t status = VPCI_STATUS_SUCCESS;
	struct vpci_slot *s;
	uint64_t vp;

	(void)len;
	(void)r;
	memcpy(&m, p, sizeof(m));
	s = vpci_lookup_slot(bus, m.win_slot, "delete interrupt", &status);
	if (!s)
		return status;
	/* Only descriptors of the shape we hand out can come back. */
	vp = (m.int_desc.address >> 12) & 0xFF;
	if ((m.int_desc.address & ~0xFF000ull) != VPCI_MSI_ADDRESS_BASE ||
	    vp >= bus->nr_vps ||
	    (m.int_desc.data & 0xFF) < VPCI_MSI_MIN_VECTOR) {
		guest_refuse("vpci.interrupt-unknown",
			     "%s: slot %u: delete of an interrupt never made "
			     "(address 0x%llx, data 0x%x)", bus->name, m.win_slot,
			     (unsigned long long)m.int_desc.address,
			     m.int_desc.data);
		return VPCI_STATUS_INVALID_PARAMETER;
	}
	if (s->interrupts)
		s->interrupts--;
	return VPCI_STATUS_SUCCESS;
}
