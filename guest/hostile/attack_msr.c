// SPDX-License-Identifier: MIT
/*
 * Malformed synthetic-MSR writes (facts §2): pages that are not RAM,
 * reserved bits, SINT vectors that are exceptions, read-only registers,
 * MSRs kvmbus does not implement.  Each must raise #GP (caught by
 * gp_trap.c) and leave the register as it was -- the SynIC keeps working
 * for every later case, which the last case checks.
 */
#include "guest/hostile/cases.h"

#include "guest/hostile/env.h"
#include "guest/hostile/gp_trap.h"
#include "guest/lib/cpu.h"
#include "guest/lib/hv.h"
#include "guest/lib/report.h"
#include "vmm/abi/hv_abi.h"

/* MSRs in kvmbus's range (0x40000000-0x400001FF) it does not implement. */
#define HV_MSR_SIRBP          0x40000085u  /* inside the SynIC block */
#define HV_MSR_VP_RUNTIME     0x40000010u
#define HV_MSR_STIMER0_CONFIG 0x400000B0u
#define HV_MSR_VP_ASSIST_PAGE 0x40000073u
/* Read-only frequencies and TSC_INVARIANT_CONTROL (facts §2, §1.2). */
#define HV_MSR_TSC_FREQ       0x40000022u
#define HV_MSR_APIC_FREQ      0x40000023u
#define HV_MSR_TSC_INVARIANT  0x40000118u
/* A SINT the VMBus does not use: attacks on it cannot disturb SINT2. */
#define HV_MSR_SINT3          (HV_MSR_SINT0 + 3)

static uint64_t simp_before, siefp_before, sint2_before, scontrol_before;

static bool setup(void)
{
	simp_before = rdmsr(HV_MSR_SIMP);
	siefp_before = rdmsr(HV_MSR_SIEFP);
	sint2_before = rdmsr(HV_MSR_SINT0 + 2);
	scontrol_before = rdmsr(HV_MSR_SCONTROL);
	return true;
}

/* WRMSR must fault and leave the MSR as it read before. */
static bool write_faults(struct hsaw *s, uint32_t msr, uint64_t val)
{
	uint64_t before = rdmsr(msr), after;
	bool gp = gp_wrmsr(msr, val);

	after = rdmsr(msr);
	saw(s, "%s, MSR 0x%x %s", gp ? "#GP" : "no #GP", msr,
	    after == before ? "unchanged" : "CHANGED");
	return gp && after == before;
}

/* For registers that cannot be read back (write-only or absent). */
static bool write_faults_blind(struct hsaw *s, uint32_t msr, uint64_t val)
{
	bool gp = gp_wrmsr(msr, val);

	saw(s, "%s", gp ? "#GP" : "no #GP");
	return gp;
}

static bool read_faults(struct hsaw *s, uint32_t msr)
{
	uint64_t v = 0;
	bool gp = gp_rdmsr(msr, &v);

	saw(s, "%s on RDMSR 0x%x", gp ? "#GP" : "no #GP", msr);
	return gp;
}

static uint64_t page_value(uint64_t gpa)
{
	return (gpa & HV_PAGE_GPN_MASK) | HV_SYNIC_PAGE_ENABLE;
}

static bool simp_outside_ram(struct hsaw *s)
{
	return write_faults(s, HV_MSR_SIMP, page_value(henv.hole));
}

static bool simp_in_gap(struct hsaw *s)
{
	return write_faults(s, HV_MSR_SIMP, page_value(henv.low_base));
}

static bool siefp_outside_ram(struct hsaw *s)
{
	return write_faults(s, HV_MSR_SIEFP, page_value(henv.hole));
}

static bool siefp_in_gap(struct hsaw *s)
{
	return write_faults(s, HV_MSR_SIEFP, page_value(henv.high_base));
}

/* facts §2: SINT vectors are 16-255; 0-15 are exceptions. */
static bool sint_low_vector(struct hsaw *s)
{
	return write_faults(s, HV_MSR_SINT3, 5);
}

static bool sint_reserved_bits(struct hsaw *s)
{
	return write_faults(s, HV_MSR_SINT3, HV_SINT_MASKED | (1ull << 40) | 0x40);
}

static bool scontrol_reserved_bits(struct hsaw *s)
{
	return write_faults(s, HV_MSR_SCONTROL, HV_SCONTROL_ENABLE | 0x100);
}

static bool sversion_write(struct hsaw *s)
{
	return write_faults(s, HV_MSR_SVERSION, 2);
}

static bool sirbp_write(struct hsaw *s)
{
	return write_faults_blind(s, HV_MSR_SIRBP, 0x1000);
}

static bool sirbp_read(struct hsaw *s)
{
	return read_faults(s, HV_MSR_SIRBP);
}

static bool vp_index_write(struct hsaw *s)
{
	return write_faults(s, HV_MSR_VP_INDEX, 7);
}

static bool time_ref_write(struct hsaw *s)
{
	return write_faults_blind(s, HV_MSR_TIME_REF_COUNT, 0);
}

/* Blind: reading TSC_FREQUENCY may itself be refused where KVM does not
 * know the TSC rate. */
static bool tsc_frequency_write(struct hsaw *s)
{
	return write_faults_blind(s, HV_MSR_TSC_FREQ, 1000000);
}

static bool apic_frequency_write(struct hsaw *s)
{
	return write_faults(s, HV_MSR_APIC_FREQ, 1000000);
}

/* Only bit 0 (expose the invariant TSC) is defined. */
static bool tsc_invariant_reserved(struct hsaw *s)
{
	return write_faults(s, HV_MSR_TSC_INVARIANT, 0x3);
}

static bool stimer_write(struct hsaw *s)
{
	return write_faults_blind(s, HV_MSR_STIMER0_CONFIG, 1);
}

static bool vp_runtime_read(struct hsaw *s)
{
	return read_faults(s, HV_MSR_VP_RUNTIME);
}

static bool hypercall_reserved_bits(struct hsaw *s)
{
	return write_faults(s, HV_MSR_HYPERCALL,
			    rdmsr(HV_MSR_HYPERCALL) | (1ull << 5));
}

static bool hypercall_page_outside_ram(struct hsaw *s)
{
	return write_faults(s, HV_MSR_HYPERCALL,
			    henv.hole | HV_HYPERCALL_ENABLE);
}

static bool vp_assist_in_gap(struct hsaw *s)
{
	return write_faults(s, HV_MSR_VP_ASSIST_PAGE,
			    page_value(henv.low_base));
}

/* Locked (bit 1) is legal; any later write is not.  Last of the MSR
 * cases: the page stays enabled for good. */
static bool hypercall_locked(struct hsaw *s)
{
	uint64_t msr = rdmsr(HV_MSR_HYPERCALL);

	wrmsr(HV_MSR_HYPERCALL, msr | HV_HYPERCALL_LOCKED);
	return write_faults(s, HV_MSR_HYPERCALL,
			    (msr | HV_HYPERCALL_LOCKED) & ~HV_HYPERCALL_ENABLE);
}

/* Every refused write left the SynIC as the boot code programmed it. */
static void check_survived(void)
{
	bool same = rdmsr(HV_MSR_SIMP) == simp_before &&
		    rdmsr(HV_MSR_SIEFP) == siefp_before &&
		    rdmsr(HV_MSR_SINT0 + 2) == sint2_before &&
		    rdmsr(HV_MSR_SCONTROL) == scontrol_before;

	report(same && (rdmsr(HV_MSR_HYPERCALL) & HV_HYPERCALL_ENABLE),
	       "after the MSR attacks: SIMP, SIEFP, SINT2, SCONTROL and the hypercall page as programmed (%u #GP taken)",
	       gp_trap_count());
}

static const struct hcase cases[] = {
	{ "SIMP page outside RAM", "synic.simp-not-ram", simp_outside_ram },
	{ "SIMP page in the low MMIO gap", "synic.simp-not-ram", simp_in_gap },
	{ "SIEFP page outside RAM", "synic.siefp-not-ram", siefp_outside_ram },
	{ "SIEFP page in the high MMIO gap", "synic.siefp-not-ram", siefp_in_gap },
	{ "SINT3 unmasked with vector 5", "synic.sint-vector", sint_low_vector },
	{ "SINT3 with reserved bits", "synic.sint-reserved-bits", sint_reserved_bits },
	{ "SCONTROL with reserved bits", "synic.scontrol-reserved-bits", scontrol_reserved_bits },
	{ "write to read-only SVERSION", "synic.sversion-read-only", sversion_write },
	{ "write to SIRBP (not implemented)", "synic.unknown-msr", sirbp_write },
	{ "read of SIRBP (not implemented)", "synic.unknown-msr", sirbp_read },
	{ "write to read-only VP_INDEX", "msr.vp-index-read-only", vp_index_write },
	{ "write to read-only TIME_REF_COUNT", "msr.time-ref-count-read-only", time_ref_write },
	{ "write to read-only TSC_FREQUENCY", "msr.frequency-read-only", tsc_frequency_write },
	{ "write to read-only APIC_FREQUENCY", "msr.frequency-read-only", apic_frequency_write },
	{ "TSC_INVARIANT_CONTROL with reserved bits", "msr.tsc-invariant-reserved", tsc_invariant_reserved },
	{ "write to STIMER0_CONFIG (not implemented)", "msr.unknown", stimer_write },
	{ "read of VP_RUNTIME (not implemented)", "msr.unknown", vp_runtime_read },
	{ "HYPERCALL MSR with reserved bits", "hv.hypercall-msr-reserved-bits", hypercall_reserved_bits },
	{ "hypercall page outside RAM", "hv.hypercall-page-not-ram", hypercall_page_outside_ram },
	{ "VP assist page in the low MMIO gap", "hv.vp-assist-not-ram", vp_assist_in_gap },
	{ "write to a locked HYPERCALL MSR", "hv.hypercall-msr-locked", hypercall_locked },
};

const struct hgroup hostile_msr_group = HGROUP("synthetic MSRs", setup, check_survived, cases);
