/* SPDX-License-Identifier: MIT */
/*
 * Output to the 8250 UART at COM1 (platform_abi.h) and kprintf on top.
 */
#ifndef GUEST_LIB_CONSOLE_H
#define GUEST_LIB_CONSOLE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

void console_write(const char *s, size_t len);
/* Format and write one chunk atomically with respect to other vCPUs. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);

/* Watch the console for a text, e.g. a line a driver must print ("PCI
 * Pass-through VSP failed D0 Entry with status c0370048").  Each kprintf
 * chunk is searched while a watch is armed, so arm it only around the
 * code that should print.  NULL disarms.  needle must stay valid while
 * armed. */
void console_watch(const char *needle);
/* Has the watched text appeared since console_watch()? */
bool console_watch_seen(void);

#endif
