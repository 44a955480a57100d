/* SPDX-License-Identifier: MIT */
/*
 * A transmit-only 8250 UART at KVMBUS_PORT_COM1 (vmm/abi/platform_abi.h):
 * what the guest writes to the transmit register appears on the host's
 * stdout, a line at a time.  The other registers hold what is written and
 * read back what a driver probing an idle, always-ready UART expects, so
 * simple polled console drivers work without an interrupt.
 */
#ifndef KVMBUS_SERIAL_H
#define KVMBUS_SERIAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define SERIAL_NR_PORTS   8
#define SERIAL_LINE_MAX   256

struct serial {
	FILE *out;
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	char line[SERIAL_LINE_MAX];   /* text not yet written to `out` */
	unsigned len;
	uint64_t bytes_out;
	/* Called with each complete line (without its newline), e.g. for
	 * --stop-on; may be NULL. */
	void (*on_line)(void *ctx, const char *line);
	void *on_line_ctx;
};

void serial_init(struct serial *s, FILE *out);
/* One byte-wide access at register `reg` (0..7, the offset from the base
 * port).  Reads fill *data; writes take it. */
void serial_access(struct serial *s, unsigned reg, uint8_t *data, bool is_write);
/* Write out a partial line (at exit, so the guest's last words show). */
void serial_flush(struct serial *s);

#endif
