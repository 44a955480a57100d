/* SPDX-License-Identifier: MIT */
/*
 * The sandbox.  The guest is untrusted, so a bug in a device model must
 * not become a shell, a socket or a read of the user's files.  Once the
 * machine is built, kvmbus confines itself with a seccomp allowlist
 * (libseccomp) of the few system calls running a guest needs; the table
 * in vmm/seccomp.c says what each one is for.
 *
 * A call off the list does not happen: the thread gets SIGSYS, and the
 * handler installed here writes one line on stderr,
 *     kvmbus: sandbox: blocked system call 41 (socket; ...) ...
 * and ends the process with status 1 (KVMBUS_EXIT_HOST_ERROR).
 *
 * The filter holds for every thread, those that exist (TSYNC) and those
 * created later (they inherit it), and cannot be lifted.  Install it
 * after setup: opening /dev/kvm, creating vCPUs or reading the kernel
 * file are refused from then on.  Report files written at exit (PNG,
 * SVG) stay possible: write-only opens are allowed.
 */
#ifndef KVMBUS_SECCOMP_H
#define KVMBUS_SECCOMP_H

#include <stddef.h>

/* Install the SIGSYS reporter and load the filter.  0, or -1 with a
 * one-line reason in err (then nothing is confined). */
int sandbox_install(char *err, size_t errlen);

#endif
