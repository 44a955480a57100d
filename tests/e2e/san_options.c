/* SPDX-License-Identifier: MIT */
/*
 * Linked only into the sanitized kvmbus that the end-to-end suite runs
 * (make e2e-san).  ASan and UBSan stay fully on; LeakSanitizer is off
 * because its exit-time scan needs system calls (ptrace-style thread
 * stopping) that kvmbus's seccomp sandbox rightly refuses.  The e2e test
 * no-leaks turns it back on (ASAN_OPTIONS) for runs with --no-seccomp.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	/* A small quarantine: the suite runs kvmbus dozens of times inside
	 * a nested VM whose memory is limited. */
	return "detect_leaks=0:abort_on_error=0:halt_on_error=1:"
	       "quarantine_size_mb=16";
}

const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "print_stacktrace=1:halt_on_error=1";
}
