/* SPDX-License-Identifier: MIT */
/*
 * TAP output (Test Anything Protocol, version 12/13 style):
 *   ok 1 - description            a passed check
 *   not ok 2 - description        a failed check
 *   ok 3 - description # SKIP why a check that does not apply
 *   # text                        a diagnostic
 *   1..N                          the plan -- printed last, which TAP allows
 * and the verdict on the exit port (KVMBUS_PORT_EXIT): the VMM stops every
 * vCPU and exits 0 (pass) or 2 (fail).
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

/* Plan, summary line, verdict on the exit port; never returns. */
__attribute__((noreturn)) void report_finish(void);
/* "Bail out! ..." and a FAIL verdict, from anywhere (exception handlers
 * included); never returns. */
__attribute__((noreturn)) void report_abort(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* Write a verdict to the exit port and stop this vCPU for good. */
__attribute__((noreturn)) void guest_exit(unsigned verdict);

#endif
