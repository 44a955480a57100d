// SPDX-License-Identifier: MIT
/* Line assembly for pci_front/ messages (no stdio: see pcif_log.h). */
#include "pci_front/pcif_log.h"

void pcif_text_init(struct pcif_text *t)
{
	t->len = 0;
	t->buf[0] = '\0';
}

static void text_putc(struct pcif_text *t, char c)
{
	if (t->len + 1 >= sizeof(t->buf))
		return;
	t->buf[t->len++] = c;
	t->buf[t->len] = '\0';
}

void pcif_text_str(struct pcif_text *t, const char *s)
{
	if (!s)
		s = "(null)";
	while (*s)
		text_putc(t, *s++);
}

/* Digits of v in base (10 or 16), most significant first. */
static void text_unsigned(struct pcif_text *t, uint64_t v, unsigned base)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[24];
	unsigned n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	while (n)
		text_putc(t, tmp[--n]);
}

void pcif_text_hex(struct pcif_text *t, uint64_t v)
{
	text_unsigned(t, v, 16);
}

void pcif_text_hex_alt(struct pcif_text *t, uint64_t v)
{
	if (v)
		pcif_text_str(t, "0x");
	text_unsigned(t, v, 16);
}

void pcif_text_dec(struct pcif_text *t, uint64_t v)
{
	text_unsigned(t, v, 10);
}

void pcif_text_sdec(struct pcif_text *t, int64_t v)
{
	if (v < 0) {
		text_putc(t, '-');
		text_unsigned(t, (uint64_t)0 - (uint64_t)v, 10);
	} else {
		text_unsigned(t, (uint64_t)v, 10);
	}
}

void pcif_log_text(const struct pcif_log *log, enum pcif_log_level level,
		   const struct pcif_text *t)
{
	if (log && log->fn)
		log->fn(log->ctx, level, t->buf);
}

void pcif_log_str(const struct pcif_log *log, enum pcif_log_level level,
		  const char *s)
{
	if (log && log->fn)
		log->fn(log->ctx, level, s);
}
