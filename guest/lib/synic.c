// SPDX-License-Identifier: MIT
/*
 * SynIC setup per vCPU, "Linux SynIC programming order" (facts §2):
 *   read-modify-write SIMP (enable, GPN), then SIEFP (enable, GPN), then
 *   SINT2 (vector 0xF3, unmasked, auto-EOI off), then SCONTROL (enable).
 * Auto-EOI stays off because the host advertises HV_HINT_DEPRECATE_AEOI:
 * KVM's in-kernel LAPIC cannot emulate it, so the handler EOIs itself.
 */
#include "guest/lib/synic.h"

#include <stddef.h>

#include "guest/lib/alloc.h"
#include "guest/lib/atomic.h"
#include "guest/lib/cpu.h"
#include "guest/lib/idt.h"
#include "guest/lib/lapic.h"
#include "guest/lib/percpu.h"
#include "vmbus/abi/vmbus_abi.h"

#define SINT_VMBUS_MSR (HV_MSR_SINT0 + VMBUS_MESSAGE_SINT)

static void write_eom(void *ctx)
{
	(void)ctx;
	/* Any write; the host then redelivers a queued message (§4.3). */
	wrmsr(HV_MSR_EOM, 0);
}

static void write_eoi(void *ctx)
{
	(void)ctx;
	lapic_eoi();
}

static void channel_event(void *ctx, uint32_t relid)
{
	struct percpu *c = ctx;

	(void)relid;
	atomic_inc64(&c->channel_events);
}

static const struct sint_ops synic_sint_ops = {
	.write_eom = write_eom,
	.write_eoi = write_eoi,
	.channel_event = channel_event,
};

static void synic_interrupt(struct isr_frame *frame)
{
	struct percpu *c = this_cpu();

	(void)frame;
	atomic_inc64(&c->sint_interrupts);
	if (!c->sint.ops) {
		/* Not set up on this vCPU: nothing to scan, but the LAPIC
		 * still needs its EOI. */
		lapic_eoi();
		return;
	}
	sint_handle_interrupt(&c->sint);
}

static uint64_t page_msr_value(uint64_t old, const void *page)
{
	/* Keep bits 11:1 as the host reports them (facts §2). */
	return (old & ~HV_PAGE_GPN_MASK) | virt_to_phys(page) |
	       HV_SYNIC_PAGE_ENABLE;
}

static bool synic_fail(struct percpu *c, const char *why)
{
	c->synic_ok = false;
	c->synic_error = why;
	return false;
}

bool synic_enable_this_cpu(void)
{
	struct percpu *c = this_cpu();

	c->simp_page = page_alloc(1);
	c->siefp_page = page_alloc(1);
	if (!c->simp_page || !c->siefp_page)
		return synic_fail(c, "out of memory for SIMP/SIEF pages");

	sint_context_init(&c->sint, c->simp_page, c->siefp_page,
			  VMBUS_MESSAGE_SINT, &c->fifo, &synic_sint_ops, c);
	idt_set_handler(VMBUS_HOST_CALLBACK_VECTOR, synic_interrupt);

	wrmsr(HV_MSR_SIMP, page_msr_value(rdmsr(HV_MSR_SIMP), c->simp_page));
	wrmsr(HV_MSR_SIEFP, page_msr_value(rdmsr(HV_MSR_SIEFP), c->siefp_page));

	uint64_t sint = rdmsr(SINT_VMBUS_MSR);

	sint &= ~(HV_SINT_VECTOR_MASK | HV_SINT_MASKED | HV_SINT_AUTO_EOI |
		  HV_SINT_POLLING);
	sint |= VMBUS_HOST_CALLBACK_VECTOR;
	wrmsr(SINT_VMBUS_MSR, sint);

	wrmsr(HV_MSR_SCONTROL, rdmsr(HV_MSR_SCONTROL) | HV_SCONTROL_ENABLE);

	struct synic_readback *rb = &c->synic;

	rb->simp = rdmsr(HV_MSR_SIMP);
	rb->siefp = rdmsr(HV_MSR_SIEFP);
	rb->sint = rdmsr(SINT_VMBUS_MSR);
	rb->scontrol = rdmsr(HV_MSR_SCONTROL);
	rb->sversion = rdmsr(HV_MSR_SVERSION);

	if ((rb->simp & (HV_PAGE_GPN_MASK | HV_SYNIC_PAGE_ENABLE)) !=
	    (virt_to_phys(c->simp_page) | HV_SYNIC_PAGE_ENABLE))
		return synic_fail(c, "SIMP did not read back");
	if ((rb->siefp & (HV_PAGE_GPN_MASK | HV_SYNIC_PAGE_ENABLE)) !=
	    (virt_to_phys(c->siefp_page) | HV_SYNIC_PAGE_ENABLE))
		return synic_fail(c, "SIEFP did not read back");
	if ((rb->sint & (HV_SINT_VECTOR_MASK | HV_SINT_MASKED | HV_SINT_AUTO_EOI)) !=
	    VMBUS_HOST_CALLBACK_VECTOR)
		return synic_fail(c, "SINT2 did not read back");
	if (!(rb->scontrol & HV_SCONTROL_ENABLE))
		return synic_fail(c, "SCONTROL not enabled");
	if (rb->sversion != HV_SVERSION_VALUE)
		return synic_fail(c, "SVERSION is not 1");
	c->synic_ok = true;
	c->synic_error = NULL;
	return true;
}

void synic_disable_this_cpu(void)
{
	struct percpu *c = this_cpu();

	wrmsr(SINT_VMBUS_MSR, rdmsr(SINT_VMBUS_MSR) | HV_SINT_MASKED);
	wrmsr(HV_MSR_SIMP, rdmsr(HV_MSR_SIMP) & ~HV_SYNIC_PAGE_ENABLE);
	wrmsr(HV_MSR_SIEFP, rdmsr(HV_MSR_SIEFP) & ~HV_SYNIC_PAGE_ENABLE);
	wrmsr(HV_MSR_SCONTROL, rdmsr(HV_MSR_SCONTROL) & ~HV_SCONTROL_ENABLE);
	c->synic_ok = false;
	c->synic_error = "disabled";
}

bool synic_next_message(struct hv_message *out)
{
	struct percpu *c = this_cpu();

	if (!msg_fifo_pop(&c->fifo, out))
		return false;
	if (load_acquire32(&c->sint.slot_deferred)) {
		/* The handler left a message in the slot because the FIFO
		 * was full; there is room now, so take it here -- with
		 * interrupts off, as the handler would. */
		bool was_enabled = (read_rflags() & RFLAGS_IF) != 0;

		irq_disable();
		sint_take_message(&c->sint);
		if (was_enabled)
			irq_enable();
	}
	return true;
}
