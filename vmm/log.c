// SPDX-License-Identifier: MIT
/*
 * Diagnostics on stderr (see vmm/log.h).  Each message is formatted into
 * one buffer and written with a single fputs so that two vCPU threads
 * never interleave halves of their lines.
 */
#include "vmm/log.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* Long enough for any diagnostic we emit; longer ones are cut, not lost. */
#define LOG_LINE_MAX 1024
#define RULE_MAX 96

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int log_quiet;
static unsigned refusal_count;
static char last_rule[RULE_MAX];

/* Build "kvmbus: <prefix><message>\n" and write it in one call. */
static void log_emit(const char *prefix, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void log_emit(const char *prefix, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	int n = snprintf(line, sizeof(line), "kvmbus: %s", prefix);

	if (n < 0)
		return;
	if ((size_t)n < sizeof(line))
		vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);

	/* Leave room for the newline even when the text was truncated. */
	size_t len = strlen(line);
	if (len == sizeof(line) - 1)
		len--;
	line[len] = '\n';
	line[len + 1] = '\0';

	pthread_mutex_lock(&log_lock);
	if (!log_quiet) {
		fputs(line, stderr);
		fflush(stderr);
	}
	pthread_mutex_unlock(&log_lock);
}

void log_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit("", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit("warning: ", fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit("", fmt, ap);
	va_end(ap);
}

void guest_refuse(const char *rule, const char *fmt, ...)
{
	char prefix[RULE_MAX + 32];
	va_list ap;

	if (!rule)
		rule = "unnamed";

	pthread_mutex_lock(&log_lock);
	refusal_count++;
	snprintf(last_rule, sizeof(last_rule), "%s", rule);
	pthread_mutex_unlock(&log_lock);

	snprintf(prefix, sizeof(prefix), "guest refused [%s]: ", rule);
	va_start(ap, fmt);
	log_emit(prefix, fmt, ap);
	va_end(ap);
}

unsigned guest_refusal_count(void)
{
	unsigned n;

	pthread_mutex_lock(&log_lock);
	n = refusal_count;
	pthread_mutex_unlock(&log_lock);
	return n;
}

/*
 * Returns a pointer to static storage; tests read it on the thread that
 * provoked the refusal, so no copy is needed.
 */
const char *guest_last_refusal(void)
{
	return last_rule;
}

void log_set_quiet(int quiet)
{
	pthread_mutex_lock(&log_lock);
	log_quiet = quiet;
	pthread_mutex_unlock(&log_lock);
}
