// SPDX-License-Identifier: MIT
/*
 * 8250 UART, transmit side only (see vmm/serial.h).
 *
 * Register map (offset from the base port), DLAB = LCR bit 7:
 *   0  THR (write) / RBR (read)        DLL when DLAB = 1
 *   1  IER                             DLM when DLAB = 1
 *   2  FCR (write) / IIR (read)
 *   3  LCR   4 MCR   5 LSR   6 MSR   7 SCR
 * Nothing is ever received and no interrupt is ever raised, so the
 * guest's console driver must poll LSR.THRE -- which is always set.
 */
#include "vmm/serial.h"

#include <string.h>

#define REG_DATA  0
#define REG_IER   1
#define REG_IIR   2
#define REG_LCR   3
#define REG_MCR   4
#define REG_LSR   5
#define REG_MSR   6
#define REG_SCR   7

#define LCR_DLAB        0x80u
#define FCR_FIFO_ENABLE 0x01u
#define IIR_NO_INT      0x01u
#define IIR_FIFO_ON     0xC0u
#define LSR_THRE        0x20u   /* transmit holding register empty */
#define LSR_TEMT        0x40u   /* transmitter empty */
/* Modem status: clear-to-send, data-set-ready, carrier-detect, so drivers
 * that wait for a peer see one. */
#define MSR_READY       0xB0u
#define IER_MASK        0x0Fu

void serial_init(struct serial *s, FILE *out)
{
	memset(s, 0, sizeof(*s));
	s->out = out;
}

void serial_flush(struct serial *s)
{
	if (s->len == 0 || !s->out)
		return;
	fwrite(s->line, 1, s->len, s->out);
	fflush(s->out);
	s->len = 0;
}

/* Lines go out whole so that guest text and host diagnostics (stderr)
 * interleave at line boundaries when both go to one terminal. */
static void transmit(struct serial *s, uint8_t c)
{
	s->bytes_out++;
	s->line[s->len++] = (char)c;
	if (c == '\n' && s->on_line) {
		char text[SERIAL_LINE_MAX + 1];

		memcpy(text, s->line, s->len - 1);
		text[s->len - 1] = '\0';
		serial_flush(s);
		s->on_line(s->on_line_ctx, text);
	} else if (c == '\n' || s->len == SERIAL_LINE_MAX) {
		serial_flush(s);
	}
}

static uint8_t read_reg(const struct serial *s, unsigned reg)
{
	bool dlab = s->lcr & LCR_DLAB;

	switch (reg) {
	case REG_DATA:
		return dlab ? s->dll : 0;   /* nothing is ever received */
	case REG_IER:
		return dlab ? s->dlm : s->ier;
	case REG_IIR:
		return IIR_NO_INT | ((s->fcr & FCR_FIFO_ENABLE) ? IIR_FIFO_ON : 0);
	case REG_LCR:
		return s->lcr;
	case REG_MCR:
		return s->mcr;
	case REG_LSR:
		return LSR_THRE | LSR_TEMT;
	case REG_MSR:
		return MSR_READY;
	case REG_SCR:
		return s->scr;
	default:
		return 0xFF;
	}
}

static void write_reg(struct serial *s, unsigned reg, uint8_t v)
{
	bool dlab = s->lcr & LCR_DLAB;

	switch (reg) {
	case REG_DATA:
		if (dlab)
			s->dll = v;
		else
			transmit(s, v);
		break;
	case REG_IER:
		if (dlab)
			s->dlm = v;
		else
			s->ier = v & IER_MASK;
		break;
	case REG_IIR:
		s->fcr = v;
		break;
	case REG_LCR:
		s->lcr = v;
		break;
	case REG_MCR:
		s->mcr = v;
		break;
	case REG_SCR:
		s->scr = v;
		break;
	default:
		break;   /* LSR and MSR are read-only */
	}
}

void serial_access(struct serial *s, unsigned reg, uint8_t *data, bool is_write)
{
	if (reg >= SERIAL_NR_PORTS) {
		if (!is_write)
			*data = 0xFF;
		return;
	}
	if (is_write)
		write_reg(s, reg, *data);
	else
		*data = read_reg(s, reg);
}
