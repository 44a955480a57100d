/* SPDX-License-Identifier: MIT */
/*
 * Output to the 8250 UART at COM1 (platform_abi.h) and kprintf on top.
 */
#ifndef GUEST_LIB_CONSOLE_H
#define GUEST_LIB_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

void console_write(const char *s, size_t len);
/* Format and write one chunk atomically with respect to other vCPUs. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);

#endif
