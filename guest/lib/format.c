// SPDX-License-Identifier: MIT
/*
 * A small vsnprintf: enough for TAP lines and diagnostics, no floating
 * point (the guest is built with -mgeneral-regs-only).
 */
#include "guest/lib/format.h"

#include <stdbool.h>
#include <stdint.h>

struct out {
	char *buf;
	size_t size;
	size_t len;       /* characters produced so far, stored or not */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_padding(struct out *o, char c, int count)
{
	while (count-- > 0)
		put(o, c);
}

struct spec {
	bool left;        /* '-' */
	bool zero;        /* '0' */
	int width;
};

static void put_string(struct out *o, const struct spec *sp, const char *s)
{
	int n = 0;

	if (!s)
		s = "(null)";
	while (s[n])
		n++;
	if (!sp->left)
		put_padding(o, ' ', sp->width - n);
	for (int i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->left)
		put_padding(o, ' ', sp->width - n);
}

static void put_number(struct out *o, const struct spec *sp, uint64_t v,
		       unsigned base, bool negative, bool upper,
		       const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, extra = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (negative)
		extra++;
	for (const char *p = prefix; p && *p; p++)
		extra++;

	int pad = sp->width - n - extra;

	if (!sp->left && !sp->zero)
		put_padding(o, ' ', pad);
	if (negative)
		put(o, '-');
	for (const char *p = prefix; p && *p; p++)
		put(o, *p);
	if (!sp->left && sp->zero)
		put_padding(o, '0', pad);
	while (n)
		put(o, tmp[--n]);
	if (sp->left)
		put_padding(o, ' ', pad);
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		const char *start = f++;
		struct spec sp = { false, false, 0 };

		for (;; f++) {
			if (*f == '-')
				sp.left = true;
			else if (*f == '0')
				sp.zero = true;
			else
				break;
		}
		if (*f == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.left = true;
				sp.width = -sp.width;
			}
			f++;
		} else {
			while (*f >= '0' && *f <= '9')
				sp.width = sp.width * 10 + (*f++ - '0');
		}

		int longs = 0;

		for (;; f++) {
			if (*f == 'l')
				longs++;
			else if (*f == 'z')
				longs = 2;
			else
				break;
		}

		switch (*f) {
		case 'd':
		case 'i': {
			int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
			uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

			put_number(&o, &sp, mag, 10, v < 0, false, NULL);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uint64_t v = longs ? va_arg(ap, uint64_t)
					   : va_arg(ap, unsigned int);

			put_number(&o, &sp, v, *f == 'u' ? 10 : 16, false,
				   *f == 'X', NULL);
			break;
		}
		case 'p':
			put_number(&o, &sp, (uint64_t)(uintptr_t)va_arg(ap, void *),
				   16, false, false, "0x");
			break;
		case 's':
			put_string(&o, &sp, va_arg(ap, const char *));
			break;
		case 'c': {
			char s[2] = { (char)va_arg(ap, int), 0 };

			put_string(&o, &sp, s);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		default:
			/* Unknown or truncated: copy the directive as written. */
			for (const char *p = start; p <= f && *p; p++)
				put(&o, *p);
			if (!*f)
				f--;
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
