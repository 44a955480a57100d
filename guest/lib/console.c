// SPDX-License-Identifier: MIT
/*
 * Transmit-only 8250 console.  Every OUT is a VM exit (~12 us), so the
 * guest writes the transmit holding register and nothing else: the VMM's
 * UART never backs up, and polling LSR would double the exits.
 */
#include "guest/lib/console.h"

#include <stdint.h>

#include "guest/lib/cpu.h"
#include "guest/lib/format.h"
#include "guest/lib/spinlock.h"
#include "vmm/abi/platform_abi.h"

#define UART_THR 0          /* transmit holding register offset */
#define KPRINTF_MAX 320     /* longest chunk one kprintf emits */

static struct spinlock console_lock;
static const char *watch_needle;
static bool watch_seen;

void console_watch(const char *needle)
{
	watch_needle = needle;
	watch_seen = false;
}

bool console_watch_seen(void)
{
	return watch_seen;
}

/* Does text[0..len) contain the watched needle? */
static bool contains(const char *text, size_t len, const char *needle)
{
	size_t n = 0;

	while (needle[n])
		n++;
	for (size_t i = 0; n && i + n <= len; i++) {
		size_t k = 0;

		while (k < n && text[i + k] == needle[k])
			k++;
		if (k == n)
			return true;
	}
	return false;
}

void console_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		outb(KVMBUS_PORT_COM1 + UART_THR, (uint8_t)s[i]);
}

void kvprintf(const char *fmt, va_list ap)
{
	char buf[KPRINTF_MAX];
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);

	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	bool locked = spin_lock_bounded(&console_lock, 100000);

	console_write(buf, (size_t)n);
	if (watch_needle && !watch_seen && contains(buf, (size_t)n, watch_needle))
		watch_seen = true;
	if (locked)
		spin_unlock(&console_lock);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}
