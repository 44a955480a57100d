/* SPDX-License-Identifier: MIT */
/*
 * printf-style formatting into a buffer.  Pure (no I/O) so the host unit
 * tests exercise it.  Conversions: %d %i %u %x %X %p %s %c %%, with the
 * flags '-' and '0', a width (digits or '*') and the length modifiers
 * l, ll, z.  Unknown conversions are copied through literally.
 */
#ifndef GUEST_LIB_FORMAT_H
#define GUEST_LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* Like vsnprintf: always NUL-terminates when size > 0, returns the
 * length the full output would have had. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
