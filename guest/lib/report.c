// SPDX-License-Identifier: MIT
/*
 * TAP reporter.  Only the BSP reports checks; counters are plain because
 * no other vCPU touches them.
 */
#include "guest/lib/report.h"

#include <stdarg.h>

#include "guest/lib/console.h"
#include "guest/lib/cpu.h"
#include "guest/lib/format.h"
#include "vmm/abi/platform_abi.h"

static unsigned checks, failures, conflicts;

static void report_line(const char *verdict, const char *fmt, va_list ap,
			const char *suffix)
{
	char text[240];

	kvsnprintf(text, sizeof(text), fmt, ap);
	kprintf("%s %u - %s%s\n", verdict, checks, text, suffix);
}

bool report(bool pass, const char *fmt, ...)
{
	va_list ap;

	checks++;
	if (!pass)
		failures++;
	va_start(ap, fmt);
	report_line(pass ? "ok" : "not ok", fmt, ap, "");
	va_end(ap);
	return pass;
}

void report_skip(const char *reason, const char *fmt, ...)
{
	char suffix[96];
	va_list ap;

	checks++;
	ksnprintf(suffix, sizeof(suffix), " # SKIP %s", reason);
	va_start(ap, fmt);
	report_line("ok", fmt, ap, suffix);
	va_end(ap);
}

void report_info(const char *fmt, ...)
{
	char text[280];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	kprintf("# %s\n", text);
}

unsigned report_checks(void)
{
	return checks;
}

unsigned report_failures(void)
{
	return failures;
}

void report_conflict(const char *fmt, ...)
{
	char text[240];
	va_list ap;

	conflicts++;
	va_start(ap, fmt);
	kvsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	kprintf("# conflict: %s\n", text);
}

unsigned report_conflicts(void)
{
	return conflicts;
}

enum report_outcome report_outcome(void)
{
	return report_outcome_of(failures, conflicts);
}

void report_resume(unsigned prev_checks, unsigned prev_failures)
{
	checks = prev_checks;
	failures = prev_failures;
}

void guest_exit(unsigned verdict)
{
	irq_disable();
	/* A 32-bit OUT: the VMM reads the verdict and stops all vCPUs. */
	outl(KVMBUS_PORT_EXIT, verdict);
	for (;;)
		cpu_halt();
}

void report_finish(void)
{
	enum report_outcome o = report_outcome();

	kprintf("1..%u\n", checks);
	kprintf("# kvmbus-guest: %u checks, %u failed\n", checks, failures);
	kprintf("# outcome: %s\n", report_outcome_name(o));
	guest_exit(o == REPORT_OUTCOME_PASS ? KVMBUS_GUEST_PASS :
		   o == REPORT_OUTCOME_CONFLICT ? KVMBUS_GUEST_CONFLICT :
						  KVMBUS_GUEST_FAIL);
}

void report_abort(const char *fmt, ...)
{
	char text[240];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	kprintf("Bail out! %s\n", text);
	kprintf("# kvmbus-guest: aborted after %u checks\n", checks);
	kprintf("# outcome: fail\n");
	guest_exit(KVMBUS_GUEST_FAIL);
}
