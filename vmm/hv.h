/* SPDX-License-Identifier: MIT */
/*
 * The Hyper-V partition as kvmbus emulates it in user space: the CPUID
 * leaves, the synthetic MSRs (through KVM's user-space MSR exits), the
 * hypercall page and the hypercalls.  The host kernel's KVM needs no
 * Hyper-V support at all.
 *
 * Hypercalls that carry VMBus traffic are handed to the bus through
 * struct hv_bus_ops, so vmm/ knows nothing of VMBus.
 */
#ifndef KVMBUS_HV_H
#define KVMBUS_HV_H

#include <stdint.h>

#include "vmm/guest_mem.h"
#include "vmm/synic.h"

struct hv_bus_ops {
	/* HvPostMessage after validation of the input block.  Returns an
	 * HV_STATUS_* for the guest. */
	uint16_t (*post_message)(void *bus, unsigned vp, uint32_t conn_id,
				 uint32_t msg_type, const void *payload,
				 uint32_t size);
	/* HvSignalEvent.  Returns an HV_STATUS_*. */
	uint16_t (*signal_event)(void *bus, unsigned vp, uint32_t conn_id,
				 uint16_t flag);
	/* The guest wrote EOM on `vp` (after the SynIC redelivered). */
	void (*eom)(void *bus, unsigned vp);
};

/* VP assist page (facts §2): recent Linux writes it on every CPU without
 * checking any CPUID bit.  kvmbus stores it and never uses the page. */
#define HV_MSR_VP_ASSIST_PAGE     0x40000073u

/* The in-kernel LAPIC timer's bus clock (KVM: one tick per ns). */
#define HV_APIC_BUS_HZ 1000000000ull

struct hv_exit_counts {
	uint64_t hypercalls, post_message, signal_event, rdmsr, wrmsr;
};

struct hv {
	const struct guest_mem *mem;
	struct synic synic;
	unsigned nr_vps;
	uint64_t guest_os_id;
	uint64_t hypercall_msr;
	uint64_t vp_assist[SYNIC_MAX_VPS];
	uint64_t start_ns;           /* TIME_REF_COUNT epoch */
	uint64_t tsc_hz;             /* TSC_FREQUENCY; 0 = unknown (#GP) */
	uint64_t tsc_invariant_control;
	const struct hv_bus_ops *bus;
	void *bus_ctx;
	struct hv_exit_counts counts;
};

void hv_init(struct hv *hv, const struct guest_mem *mem, unsigned nr_vps,
	     void (*inject)(void *, unsigned, uint8_t), void *inject_ctx);
void hv_set_bus(struct hv *hv, const struct hv_bus_ops *ops, void *bus);
/* What a kernel entered by kexec finds: no guest OS id, the hypercall
 * page and VP assist pages off, the SynIC at power-on (queues emptied).
 * The bus, the reference-time epoch and the counters stay: the partition
 * itself was not reset. */
void hv_reset(struct hv *hv);

/* CPUID leaves 0x40000000-0x40000005 (facts §1, §11): fills out[4]
 * (EAX..EDX) and returns 1 if `leaf` is a Hyper-V leaf, else 0. */
int hv_cpuid(uint32_t leaf, unsigned nr_vps, uint32_t out[4]);

/* Synthetic MSRs.  Return 0, or -1 for #GP. */
int hv_rdmsr(struct hv *hv, unsigned vp, uint32_t msr, uint64_t *val);
int hv_wrmsr(struct hv *hv, unsigned vp, uint32_t msr, uint64_t val);

/* One hypercall from the stub on `vp`: RCX control, RDX/R8 input/output
 * (or fast input).  Returns the result word for RAX. */
uint64_t hv_hypercall(struct hv *hv, unsigned vp, uint64_t rcx, uint64_t rdx,
		      uint64_t r8);

/* The bytes of the hypercall stub written into the guest's page. */
extern const uint8_t hv_hypercall_stub[];
extern const unsigned hv_hypercall_stub_len;

#endif
