/* SPDX-License-Identifier: MIT */
/*
 * TAP output (Test Anything Protocol, version 12/13 style):
 *   ok 1 - description            a passed check
 *   not ok 2 - description        a failed check
 *   ok 3 - description # SKIP why a check that does not apply
 *   # text                        a diagnostic
 *   1..N                          the plan -- printed last, which TAP allows
 * and the verdict on the exit port (KVMBUS_PORT_EXIT): the VMM stops every
 * vCPU and exits 0 (pass), 2 (fail) or 3 (conflict, when its own MMIO
 * registry confirms the refusal; see platform_abi.h).
 */
#ifndef GUEST_LIB_REPORT_H
#define GUEST_LIB_REPORT_H

#include <stdbool.h>

/* One check.  Returns `pass` so callers can branch on it. */
bool report(bool pass, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void report_skip(const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A "# ..." diagnostic line (the "# " and newline are added). */
void report_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

unsigned report_checks(void);
unsigned report_failures(void);

/* How a run ends (the "# outcome:" line and the exit-port verdict):
 *   fail      some check failed;
 *   conflict  every check passed, but a device did not come up because
 *             the host refused its MMIO (report_conflict) -- the kdump
 *             MMIO conflict, a scenario's result rather than a bug;
 *   pass      every check passed and every device came up. */
enum report_outcome {
	REPORT_OUTCOME_PASS,
	REPORT_OUTCOME_CONFLICT,
	REPORT_OUTCOME_FAIL,
};

static inline enum report_outcome report_outcome_of(unsigned failures,
						    unsigned conflicts)
{
	return failures ? REPORT_OUTCOME_FAIL :
	       conflicts ? REPORT_OUTCOME_CONFLICT : REPORT_OUTCOME_PASS;
}

static inline const char *report_outcome_name(enum report_outcome o)
{
	return o == REPORT_OUTCOME_PASS ? "pass" :
	       o == REPORT_OUTCOME_CONFLICT ? "conflict" : "fail";
}

/* Record a conflict (see above) with a "# conflict: ..." line. */
void report_conflict(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
unsigned report_conflicts(void);
/* The outcome so far. */
enum report_outcome report_outcome(void);
/* A kernel started by kexec continues the TAP stream of the kernel that
 * started it: take over its counters (they travel in the boot info). */
void report_resume(unsigned checks, unsigned failures);

/* Plan, summary line, "# outcome: pass|conflict|fail", verdict on the
 * exit port (KVMBUS_GUEST_PASS / _CONFLICT / _FAIL); never returns. */
__attribute__((noreturn)) void report_finish(void);
/* "Bail out! ..." and a FAIL verdict, from anywhere (exception handlers
 * included); never returns. */
__attribute__((noreturn)) void report_abort(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* Write a verdict to the exit port and stop this vCPU for good. */
__attribute__((noreturn)) void guest_exit(unsigned verdict);

#endif
