/* SPDX-License-Identifier: MIT */
/*
 * Messages from the PCI front-end and its MMIO allocator.
 *
 * pci_front/ is built into the freestanding guest kernel as well as into
 * the host library, so it has no stdio: messages are assembled in a small
 * fixed buffer (struct pcif_text) and handed to a caller-supplied log
 * callback as one finished line without a trailing newline.
 */
#ifndef KVMBUS_PCIF_LOG_H
#define KVMBUS_PCIF_LOG_H

#include <stddef.h>
#include <stdint.h>

enum pcif_log_level {
	PCIF_LOG_ERR,     /* Linux dev_err */
	PCIF_LOG_WARN,    /* Linux dev_warn / pr_warn */
	PCIF_LOG_INFO,    /* Linux dev_info / pr_info */
	PCIF_LOG_DEBUG,   /* kvmbus detail Linux does not print */
};

typedef void (*pcif_log_fn)(void *ctx, enum pcif_log_level level,
			    const char *text);

/* A log sink: fn may be NULL (messages are dropped). */
struct pcif_log {
	pcif_log_fn fn;
	void *ctx;
};

#define PCIF_TEXT_MAX 160

/* A line under construction.  Appends that do not fit are truncated;
 * buf is always NUL-terminated. */
struct pcif_text {
	char buf[PCIF_TEXT_MAX];
	size_t len;
};

void pcif_text_init(struct pcif_text *t);
void pcif_text_str(struct pcif_text *t, const char *s);
/* Lower-case hex without prefix: printf "%x" / "%llx". */
void pcif_text_hex(struct pcif_text *t, uint64_t v);
/* printf "%#x" / "%#llx": "0x" + lower-case hex, but plain "0" for 0. */
void pcif_text_hex_alt(struct pcif_text *t, uint64_t v);
/* Unsigned decimal: printf "%u" / "%llu". */
void pcif_text_dec(struct pcif_text *t, uint64_t v);
/* Signed decimal: printf "%d". */
void pcif_text_sdec(struct pcif_text *t, int64_t v);

/* Hand t's line to the sink. */
void pcif_log_text(const struct pcif_log *log, enum pcif_log_level level,
		   const struct pcif_text *t);
/* Hand a fixed string to the sink. */
void pcif_log_str(const struct pcif_log *log, enum pcif_log_level level,
		  const char *s);

#endif
