/* SPDX-License-Identifier: MIT */
/*
 * The synthetic interrupt controller in user space (facts §4).
 *
 * Per VP we keep the SynIC MSRs and, per SINT, a FIFO of messages that
 * could not be written into the guest's message slot yet.  The guest's
 * pages are shared with running vCPUs, so every access to a slot header
 * or an event-flag byte that the guest may change concurrently is atomic,
 * and a message becomes visible only when its type word is stored last.
 *
 * Callers hold the VMM's global lock: nothing here locks.
 */
#include "vmm/synic.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "vmm/log.h"

#define SYNIC_PAGE_SIZE 4096u

/* ---- state predicates ------------------------------------------------ */

static uint64_t page_gpa(uint64_t page_msr)
{
	return page_msr & HV_PAGE_GPN_MASK;
}

static bool page_enabled(uint64_t page_msr)
{
	return page_msr & HV_SYNIC_PAGE_ENABLE;
}

/* A SINT can raise an interrupt only with the SynIC on and the SINT
 * unmasked (facts §4.3 step 1). */
static bool sint_usable(const struct synic_vp *v, unsigned sint)
{
	return (v->scontrol & HV_SCONTROL_ENABLE) &&
	       !(v->sint[sint] & HV_SINT_MASKED);
}

static bool messages_deliverable(const struct synic_vp *v, unsigned sint)
{
	return sint_usable(v, sint) && page_enabled(v->simp);
}

static bool events_deliverable(const struct synic_vp *v, unsigned sint)
{
	return sint_usable(v, sint) && page_enabled(v->siefp);
}

static void raise_sint(struct synic *s, unsigned vp, unsigned sint)
{
	uint8_t vector = (uint8_t)(s->vp[vp].sint[sint] & HV_SINT_VECTOR_MASK);

	s->vp[vp].interrupts_sent++;
	if (s->inject)
		s->inject(s->inject_ctx, vp, vector);
}

/* ---- message slots (facts §4.1, §4.3) -------------------------------- */

/* Host pointer to slot `sint` of the current SIMP page.  The page was
 * checked to be RAM when it was enabled; RAM banks are page-aligned
 * mappings, so the header words are naturally aligned for atomics. */
static uint8_t *message_slot(const struct synic *s, const struct synic_vp *v,
			     unsigned sint)
{
	return guest_mem_ptr(s->mem, page_gpa(v->simp) + HV_SIMP_SLOT_OFFSET(sint),
			     sizeof(struct hv_message));
}

static uint32_t *slot_type_word(uint8_t *slot)
{
	return (uint32_t *)(void *)(slot + offsetof(struct hv_message_header,
						    message_type));
}

static uint8_t *slot_flags(uint8_t *slot)
{
	return slot + offsetof(struct hv_message_header, flags);
}

/* Payload and header first, the type word last with release order: the
 * guest treats a non-zero type as "slot holds a complete message". */
static void write_slot(uint8_t *slot, const struct synic_queued_msg *m,
		       bool more_pending)
{
	struct hv_message_header h = {
		.message_type = HV_MESSAGE_TYPE_NONE,
		.payload_size = m->size,
		.flags = more_pending ? HV_MESSAGE_FLAG_PENDING : 0,
		.reserved = 0,
		.sender = 0,          /* facts §4.1: kvmbus sends port id 0 */
	};
	uint8_t *payload = slot + sizeof(struct hv_message_header);
	const size_t type_size = sizeof(uint32_t);

	memcpy(payload, m->payload, m->size);
	/* No stale bytes from an earlier message past payload_size. */
	memset(payload + m->size, 0, HV_MESSAGE_PAYLOAD_MAX - m->size);
	memcpy(slot + type_size, (const uint8_t *)&h + type_size,
	       sizeof(h) - type_size);
	__atomic_store_n(slot_type_word(slot), m->type, __ATOMIC_RELEASE);
}

/* Is the slot still holding an unconsumed message?  If so, flag that
 * another one waits (facts §4.3 step 2) so the guest writes EOM. */
static bool slot_busy_flag_pending(uint8_t *slot)
{
	uint32_t *type = slot_type_word(slot);

	if (__atomic_load_n(type, __ATOMIC_ACQUIRE) == HV_MESSAGE_TYPE_NONE)
		return false;
	__atomic_fetch_or(slot_flags(slot), HV_MESSAGE_FLAG_PENDING,
			  __ATOMIC_SEQ_CST);
	/* Linux frees the slot, then reads the pending flag.  If it freed
	 * the slot between our load and our flag store it may have missed
	 * the flag and will not write EOM: look again after publishing it. */
	return __atomic_load_n(type, __ATOMIC_SEQ_CST) != HV_MESSAGE_TYPE_NONE;
}

/* Move the oldest queued message of (vp, sint) into its slot if the SINT
 * is usable and the slot free, and raise the SINT.  True if delivered. */
static bool deliver_next(struct synic *s, unsigned vp, unsigned sint)
{
	struct synic_vp *v = &s->vp[vp];
	struct synic_queue *q = &v->queue[sint];
	uint8_t *slot;

	if (q->count == 0 || !messages_deliverable(v, sint))
		return false;
	slot = message_slot(s, v, sint);
	if (!slot) {
		log_err("synic: VP %u SIMP page %#llx is no longer RAM", vp,
			(unsigned long long)page_gpa(v->simp));
		return false;
	}
	if (slot_busy_flag_pending(slot))
		return false;

	/* More messages behind this one: set its pending flag so the guest
	 * writes EOM once it has freed the slot (facts §4.3 step 4). */
	write_slot(slot, &q->m[q->head], q->count > 1);
	q->head = (q->head + 1) % SYNIC_QUEUE_LEN;
	q->count--;
	raise_sint(s, vp, sint);
	return true;
}

/* ---- event flags (facts §4.2) ---------------------------------------- */

static uint8_t *event_region(const struct synic *s, const struct synic_vp *v,
			     unsigned sint)
{
	return guest_mem_ptr(s->mem,
			     page_gpa(v->siefp) + HV_SIEF_REGION_OFFSET(sint),
			     HV_SIEF_REGION_BITS / 8);
}

static bool event_flags_set(const struct synic *s, const struct synic_vp *v,
			    unsigned sint)
{
	const uint8_t *region = event_region(s, v, sint);

	if (!region)
		return false;
	for (unsigned i = 0; i < HV_SIEF_REGION_BITS / 8; i++)
		if (__atomic_load_n(&region[i], __ATOMIC_RELAXED))
			return true;
	return false;
}

/* After an MSR write that may have made (vp, sint) able to take
 * interrupts: deliver a queued message, or, if flags were set while the
 * SINT could not be raised, raise it now.  Those flags raised nothing when
 * they were set, and later signals see the bit already set and raise
 * nothing either, so without this the guest would never look at them. */
static void sint_may_have_opened(struct synic *s, unsigned vp, unsigned sint,
				 bool events_were_deliverable)
{
	const struct synic_vp *v = &s->vp[vp];

	if (deliver_next(s, vp, sint))
		return;
	if (!events_were_deliverable && events_deliverable(v, sint) &&
	    event_flags_set(s, v, sint))
		raise_sint(s, vp, sint);
}

/* ---- lifecycle ------------------------------------------------------- */

/*
 * The message queues are ~2 MiB of buffers that are only read below each
 * queue's count, so init and reset set the registers and the counts and
 * never write the buffers: their pages stay untouched (not resident)
 * until a guest actually makes the host queue messages.
 */
void synic_init(struct synic *s, const struct guest_mem *mem, unsigned nr_vps,
		void (*inject)(void *, unsigned, uint8_t), void *ctx)
{
	s->mem = mem;
	if (nr_vps == 0 || nr_vps > SYNIC_MAX_VPS) {
		log_err("synic: %u VPs requested, supporting 1..%u", nr_vps,
			SYNIC_MAX_VPS);
		nr_vps = nr_vps == 0 ? 1 : SYNIC_MAX_VPS;
	}
	s->nr_vps = nr_vps;
	s->inject = inject;
	s->inject_ctx = ctx;
	synic_reset(s);
}

void synic_reset(struct synic *s)
{
	s->auto_eoi_warned = false;
	for (unsigned vp = 0; vp < SYNIC_MAX_VPS; vp++) {
		struct synic_vp *v = &s->vp[vp];

		v->scontrol = v->simp = v->siefp = 0;
		v->interrupts_sent = 0;
		for (unsigned i = 0; i < HV_SINT_COUNT; i++) {
			v->sint[i] = HV_SINT_MASKED;    /* facts §2 */
			v->queue[i].head = v->queue[i].count = 0;
		}
	}
}

unsigned synic_pending(const struct synic *s, unsigned vp, unsigned sint)
{
	if (vp >= s->nr_vps || sint >= HV_SINT_COUNT)
		return 0;
	return s->vp[vp].queue[sint].count;
}

/* ---- MSRs (facts §2) ------------------------------------------------- */

int synic_rdmsr(struct synic *s, unsigned vp, uint32_t msr, uint64_t *val)
{
	const struct synic_vp *v;

	*val = 0;
	if (vp >= s->nr_vps) {
		log_err("synic: rdmsr %#x on VP %u of %u", msr, vp, s->nr_vps);
		return -1;
	}
	v = &s->vp[vp];
	switch (msr) {
	case HV_MSR_SCONTROL:
		*val = v->scontrol;
		return 0;
	case HV_MSR_SVERSION:
		*val = HV_SVERSION_VALUE;
		return 0;
	case HV_MSR_SIEFP:
		*val = v->siefp;
		return 0;
	case HV_MSR_SIMP:
		*val = v->simp;
		return 0;
	case HV_MSR_EOM:
		return 0;                 /* write-only: reads as 0 */
	}
	if (msr >= HV_MSR_SINT0 && msr <= HV_MSR_SINT15) {
		*val = v->sint[msr - HV_MSR_SINT0];
		return 0;
	}
	guest_refuse("synic.unknown-msr", "rdmsr %#x on VP %u", msr, vp);
	return -1;
}

/* SIMP / SIEFP: bits 11:1 are kept as written.  Enabling needs a RAM
 * page.  Like KVM, the page is cleared when it comes into use (enable or
 * move), so stale bytes are never read as messages or flags. */
static int write_page_msr(struct synic *s, unsigned vp, uint64_t *reg,
			  uint64_t val, const char *rule)
{
	bool enable = page_enabled(val);
	bool new_page = enable && (!page_enabled(*reg) ||
				   page_gpa(*reg) != page_gpa(val));

	if (enable) {
		uint8_t *page = guest_mem_ptr(s->mem, page_gpa(val),
					      SYNIC_PAGE_SIZE);
		if (!page) {
			guest_refuse(rule, "VP %u page %#llx is not guest RAM",
				     vp, (unsigned long long)page_gpa(val));
			return -1;
		}
		if (new_page)
			memset(page, 0, SYNIC_PAGE_SIZE);
	}
	*reg = val;
	return 0;
}

static int write_sint(struct synic *s, unsigned vp, unsigned sint,
		      uint64_t val)
{
	bool masked = val & HV_SINT_MASKED;

	if (val & HV_SINT_RSVD_MASK) {
		guest_refuse("synic.sint-reserved-bits",
			     "VP %u SINT%u value %#llx", vp, sint,
			     (unsigned long long)val);
		return -1;
	}
	/* Vectors 0-15 are exceptions, not interrupts. */
	if (!masked && (val & HV_SINT_VECTOR_MASK) < HV_SINT_MIN_VECTOR) {
		guest_refuse("synic.sint-vector",
			     "VP %u SINT%u unmasked with vector %llu", vp, sint,
			     (unsigned long long)(val & HV_SINT_VECTOR_MASK));
		return -1;
	}
	if ((val & HV_SINT_AUTO_EOI) && !s->auto_eoi_warned) {
		/* Stored, not emulated: the in-kernel LAPIC cannot end an
		 * interrupt by itself.  CPUID advertises the deprecate-AEOI
		 * hint (facts §1.5 bit 9) so guests EOI on their own. */
		log_warn("synic: VP %u SINT%u asks for auto-EOI, which kvmbus "
			 "does not emulate; the guest must EOI its LAPIC",
			 vp, sint);
		s->auto_eoi_warned = true;
	}
	s->vp[vp].sint[sint] = val;
	return 0;
}

static int write_msr(struct synic *s, unsigned vp, uint32_t msr, uint64_t val)
{
	struct synic_vp *v = &s->vp[vp];

	switch (msr) {
	case HV_MSR_SCONTROL:
		if (val & ~HV_SCONTROL_ENABLE) {
			guest_refuse("synic.scontrol-reserved-bits",
				     "VP %u value %#llx", vp,
				     (unsigned long long)val);
			return -1;
		}
		v->scontrol = val;
		return 0;
	case HV_MSR_SVERSION:
		guest_refuse("synic.sversion-read-only", "VP %u", vp);
		return -1;
	case HV_MSR_SIEFP:
		return write_page_msr(s, vp, &v->siefp, val, "synic.siefp-not-ram");
	case HV_MSR_SIMP:
		return write_page_msr(s, vp, &v->simp, val, "synic.simp-not-ram");
	case HV_MSR_EOM:
		return 0;                 /* any value: the rescan follows */
	}
	if (msr >= HV_MSR_SINT0 && msr <= HV_MSR_SINT15)
		return write_sint(s, vp, msr - HV_MSR_SINT0, val);
	guest_refuse("synic.unknown-msr", "wrmsr %#x = %#llx on VP %u", msr,
		     (unsigned long long)val, vp);
	return -1;
}

int synic_wrmsr(struct synic *s, unsigned vp, uint32_t msr, uint64_t val)
{
	bool events_were[HV_SINT_COUNT];

	if (vp >= s->nr_vps) {
		log_err("synic: wrmsr %#x on VP %u of %u", msr, vp, s->nr_vps);
		return -1;
	}
	for (unsigned i = 0; i < HV_SINT_COUNT; i++)
		events_were[i] = events_deliverable(&s->vp[vp], i);
	if (write_msr(s, vp, msr, val) != 0)
		return -1;
	/* EOM, an unmask, SIMP/SIEFP enable or SCONTROL enable may each let
	 * a waiting message through (facts §4.3 step 4).  Every SINT is
	 * rescanned: EOM does not say which slot was freed. */
	for (unsigned i = 0; i < HV_SINT_COUNT; i++)
		sint_may_have_opened(s, vp, i, events_were[i]);
	return 0;
}

/* ---- delivery from the host ------------------------------------------ */

int synic_post_message(struct synic *s, unsigned vp, unsigned sint,
		       uint32_t type, const void *payload, uint32_t size)
{
	struct synic_queue *q;
	struct synic_queued_msg *m;

	if (vp >= s->nr_vps || sint >= HV_SINT_COUNT ||
	    size > HV_MESSAGE_PAYLOAD_MAX || type == HV_MESSAGE_TYPE_NONE ||
	    (size && !payload)) {
		log_err("synic: bad message for VP %u SINT %u (type %#x, %u "
			"bytes)", vp, sint, type, size);
		return -EINVAL;
	}
	q = &s->vp[vp].queue[sint];
	/* Let a slot the guest freed without EOM drain the queue first. */
	deliver_next(s, vp, sint);
	if (q->count == SYNIC_QUEUE_LEN) {
		/* Only a guest that stopped taking messages (SINT masked,
		 * slot never freed) while asking for more gets here: its
		 * answer is dropped, the queue stays bounded. */
		guest_refuse("synic.queue-full",
			     "message queue of VP %u SINT %u is full; message "
			     "type %#x dropped", vp, sint, type);
		return -ENOSPC;
	}
	/* Always through the queue, so FIFO order holds even when an
	 * earlier message is still waiting for the slot. */
	m = &q->m[(q->head + q->count) % SYNIC_QUEUE_LEN];
	m->type = type;
	m->size = (uint8_t)size;
	if (size)
		memcpy(m->payload, payload, size);
	q->count++;
	deliver_next(s, vp, sint);
	return 0;
}

int synic_signal_event(struct synic *s, unsigned vp, unsigned sint,
		       unsigned flag)
{
	struct synic_vp *v;
	uint8_t *byte, bit, old;

	if (vp >= s->nr_vps || sint >= HV_SINT_COUNT ||
	    flag >= HV_SIEF_REGION_BITS) {
		log_err("synic: bad event for VP %u SINT %u flag %u", vp, sint,
			flag);
		return -1;
	}
	v = &s->vp[vp];
	if (!page_enabled(v->siefp))
		return -1;                /* nowhere to put the flag */
	byte = guest_mem_ptr(s->mem, page_gpa(v->siefp) +
			     HV_SIEF_REGION_OFFSET(sint) + flag / 8, 1);
	if (!byte) {
		log_err("synic: VP %u SIEF page %#llx is no longer RAM", vp,
			(unsigned long long)page_gpa(v->siefp));
		return -1;
	}
	/* Atomic: a running vCPU test-and-clears these bits (facts §4.2).
	 * Only a clear -> set transition raises the SINT. */
	bit = (uint8_t)(1u << (flag % 8));
	old = __atomic_fetch_or(byte, bit, __ATOMIC_SEQ_CST);
	if (!(old & bit) && sint_usable(v, sint))
		raise_sint(s, vp, sint);
	return 0;
}
