/* SPDX-License-Identifier: MIT */
/*
 * Diagnostics on stderr.  Two kinds of trouble are told apart:
 *   - host errors (bad option, KVM ioctl failed): log_err();
 *   - a guest breaking a protocol rule: guest_refuse(), which names the
 *     rule, counts the refusal, and lets the caller answer with a
 *     protocol-level error.  The guest is hostile; it never crashes us.
 */
#ifndef KVMBUS_LOG_H
#define KVMBUS_LOG_H

#include <stdarg.h>

void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "kvmbus: guest refused [rule]: details".  `rule` is a short stable
 * identifier (e.g. "hypercall.input-outside-ram") that tests match on. */
void guest_refuse(const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
unsigned guest_refusal_count(void);
/* The rule of the most recent refusal, or "" (for unit tests). */
const char *guest_last_refusal(void);

/* Quiet mode for unit tests that provoke refusals on purpose. */
void log_set_quiet(int quiet);

#endif
