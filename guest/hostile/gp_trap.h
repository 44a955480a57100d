/* SPDX-License-Identifier: MIT */
/*
 * Expected general-protection faults.  kvmbus answers a refused write to
 * a synthetic MSR (facts §2) with #GP, as Hyper-V does.  The handler skips
 * the faulting WRMSR/RDMSR (both 2 bytes: 0F 30 / 0F 32), counts the fault
 * and resumes; a #GP anywhere else, or while no fault is expected, still
 * ends the run (report_abort).
 */
#ifndef GUEST_HOSTILE_GP_TRAP_H
#define GUEST_HOSTILE_GP_TRAP_H

#include <stdbool.h>
#include <stdint.h>

/* Install the #GP handler on this vCPU's IDT (shared table). */
void gp_trap_install(void);
/* WRMSR that may fault: true if it took #GP (the write did not happen). */
bool gp_wrmsr(uint32_t msr, uint64_t val);
/* RDMSR that may fault: true if it took #GP (*val is then 0). */
bool gp_rdmsr(uint32_t msr, uint64_t *val);
/* Faults taken and skipped so far. */
unsigned gp_trap_count(void);

#endif
