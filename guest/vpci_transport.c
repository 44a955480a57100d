// SPDX-License-Identifier: MIT
/*
 * pci_front's transport over a guest VMBus channel (guest/vpci_transport.h).
 * Packet rules: facts §6.3 (in-band packets, completion-requested flag,
 * transaction ids) and §7.4 (host completions are VM_PKT_COMP echoing the
 * id; host-initiated messages are in-band without completion).  Config
 * window access: facts §7.6.
 *
 * Every wait is bounded by a deadline: on the clock when there is one,
 * else by a count of ring looks.  Each look costs a few dozen guest
 * instructions (~1 us each emulated, KVM facts), so the loops stay lean.
 */
#include "guest/vpci_transport.h"

#include <stddef.h>

static const struct pcif_transport_ops ops = {
	.request = vpci_transport_request,
	.post = vpci_transport_post,
	.poll = vpci_transport_poll,
	.mmio_read = vpci_transport_mmio_read,
	.mmio_write = vpci_transport_mmio_write,
};

const struct pcif_transport_ops *vpci_transport_ops(void)
{
	return &ops;
}

struct pcif_transport vpci_transport_pcif(struct vpci_transport *x)
{
	struct pcif_transport t = { &ops, x };

	return t;
}

void vpci_transport_init(struct vpci_transport *x, struct guest_channel *ch,
			 uint64_t (*clock_100ns)(void *ctx), void *clock_ctx)
{
	/* Field by field: no clearing of the message buffers (KVM facts:
	 * never clear memory). */
	x->ch = ch;
	x->clock_100ns = clock_100ns;
	x->clock_ctx = clock_ctx;
	x->spins_per_ms = VPCI_XPORT_DEFAULT_SPINS_PER_MS;
	x->request_wait_ms = PCIF_DEFAULT_WAIT_MS;
	x->window_from = 0;
	x->window_to = 0;
	x->windows_moved = 0;
	x->fifo_head = 0;
	x->fifo_count = 0;
	x->scratch.len = 0;
	x->last_trans_id = 0;
	x->stats = (struct vpci_xport_stats){ 0 };
}

void vpci_transport_force_window(struct vpci_transport *x, uint64_t to)
{
	x->window_from = 0;
	x->window_to = to;
}

/* ---- Bounded waits ---------------------------------------------------- */

struct deadline {
	bool clocked;
	uint64_t end;                 /* clock ticks */
	uint64_t looks_left;          /* without a clock */
	bool no_wait;
};

static uint64_t now(const struct vpci_transport *x)
{
	return x->clock_100ns ? x->clock_100ns(x->clock_ctx) : 0;
}

static void deadline_start(const struct vpci_transport *x, struct deadline *d,
			   uint32_t wait_ms)
{
	uint64_t t = now(x);

	d->no_wait = wait_ms == 0;
	d->clocked = t != 0;
	d->end = t + (uint64_t)wait_ms * 10000u;     /* 100 ns ticks */
	d->looks_left = (uint64_t)wait_ms * x->spins_per_ms;
}

static bool deadline_passed(const struct vpci_transport *x, struct deadline *d)
{
	if (d->no_wait)
		return true;
	if (d->clocked)
		return now(x) >= d->end;
	if (d->looks_left == 0)
		return true;
	d->looks_left--;
	return false;
}

/* Read the next inbound packet into x->scratch / x->last_desc.  1, or
 * PCIF_XPORT_TIMEOUT / PCIF_XPORT_BROKEN. */
static int next_packet(struct vpci_transport *x, struct deadline *d)
{
	for (;;) {
		/* One look, and unless we must not wait one idle round and
		 * a second look (guest_channel_recv's bound). */
		int rc = guest_channel_recv(x->ch, &x->last_desc,
					    x->scratch.data,
					    sizeof(x->scratch.data),
					    &x->scratch.len, d->no_wait ? 0 : 1);

		if (rc > 0) {
			if (x->scratch.len > sizeof(x->scratch.data))
				x->stats.truncated++;
			return 1;
		}
		if (rc < 0)
			return PCIF_XPORT_BROKEN;
		if (deadline_passed(x, d))
			return PCIF_XPORT_TIMEOUT;
	}
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static void copy_bytes(void *dst, const void *src, uint32_t n)
{
	if (n)
		__builtin_memcpy(dst, src, n);
}

/* Hand the scratch packet's payload to a caller buffer. */
static void deliver(const struct vpci_xport_msg *m, void *buf, uint32_t cap,
		    uint32_t *len)
{
	copy_bytes(buf, m->data, min_u32(min_u32(cap, m->len),
					 sizeof(m->data)));
	*len = m->len;
}

/* A host-initiated message read while waiting for a completion. */
static void queue_scratch(struct vpci_transport *x)
{
	if (x->fifo_count == VPCI_XPORT_FIFO) {
		x->stats.fifo_dropped++;
		return;
	}

	struct vpci_xport_msg *m =
		&x->fifo[(x->fifo_head + x->fifo_count) % VPCI_XPORT_FIFO];

	m->len = x->scratch.len;
	copy_bytes(m->data, x->scratch.data,
		   min_u32(m->len, sizeof(m->data)));
	x->fifo_count++;
	x->stats.queued++;
}

static int send_result(struct vpci_transport *x, int rc)
{
	if (rc == 0)
		return PCIF_XPORT_OK;
	x->stats.send_failures++;
	return rc == GUEST_CHANNEL_TIMEOUT ? PCIF_XPORT_TIMEOUT
					   : PCIF_XPORT_BROKEN;
}

/* ---- The ops ------------------------------------------------------------ */

int vpci_transport_request(void *ctx, const void *msg, uint32_t len,
			   void *resp, uint32_t resp_cap, uint32_t *resp_len)
{
	struct vpci_transport *x = ctx;
	struct guest_channel *ch = x->ch;
	struct vpci_bus_d0_entry d0;
	struct deadline d;
	uint64_t id;
	int rc;

	*resp_len = 0;
	if (!ch->open)
		return PCIF_XPORT_BROKEN;
	/* Transaction id 0 marks packets without completion (post). */
	id = ch->next_trans_id++;
	if (id == 0)
		id = ch->next_trans_id++;
	x->last_trans_id = id;
	x->stats.requests++;

	if (x->window_to && len >= sizeof(d0)) {
		copy_bytes(&d0, msg, sizeof(d0));
		if (d0.type == VPCI_MSG_BUS_D0ENTRY) {
			x->window_from = d0.mmio_base;
			x->windows_moved++;
			d0.mmio_base = x->window_to;
			msg = &d0;
			len = sizeof(d0);
		}
	}
	rc = guest_channel_send(ch, VMBUS_PKT_DATA_INBAND,
				VMBUS_PKT_FLAG_COMPLETION_REQUESTED, id, msg,
				len);
	if (rc != 0)
		return send_result(x, rc);

	deadline_start(x, &d, x->request_wait_ms);
	for (;;) {
		rc = next_packet(x, &d);
		if (rc != 1) {
			if (rc == PCIF_XPORT_TIMEOUT)
				x->stats.timeouts++;
			return rc;
		}
		switch (x->last_desc.type) {
		case VMBUS_PKT_COMP:
			if (x->last_desc.trans_id == id) {
				x->stats.completions++;
				deliver(&x->scratch, resp, resp_cap, resp_len);
				return PCIF_XPORT_OK;
			}
			x->stats.stray_completions++;
			break;
		case VMBUS_PKT_DATA_INBAND:
			queue_scratch(x);
			break;
		default:
			x->stats.unexpected_packets++;
			break;
		}
	}
}

int vpci_transport_post(void *ctx, const void *msg, uint32_t len)
{
	struct vpci_transport *x = ctx;

	if (!x->ch->open)
		return PCIF_XPORT_BROKEN;
	x->stats.posts++;
	return send_result(x, guest_channel_send(x->ch, VMBUS_PKT_DATA_INBAND,
						 0, 0, msg, len));
}

int vpci_transport_poll(void *ctx, void *buf, uint32_t cap, uint32_t *len,
			uint32_t wait_ms)
{
	struct vpci_transport *x = ctx;
	struct deadline d;
	int rc;

	*len = 0;
	if (x->fifo_count) {
		deliver(&x->fifo[x->fifo_head], buf, cap, len);
		x->fifo_head = (x->fifo_head + 1) % VPCI_XPORT_FIFO;
		x->fifo_count--;
		return PCIF_XPORT_OK;
	}
	if (!x->ch->open)
		return PCIF_XPORT_BROKEN;
	deadline_start(x, &d, wait_ms);
	for (;;) {
		rc = next_packet(x, &d);
		if (rc != 1)
			return rc;
		if (x->last_desc.type == VMBUS_PKT_DATA_INBAND) {
			deliver(&x->scratch, buf, cap, len);
			return PCIF_XPORT_OK;
		}
		if (x->last_desc.type == VMBUS_PKT_COMP)
			x->stats.stray_completions++;
		else
			x->stats.unexpected_packets++;
	}
}

/* ---- Config window MMIO (facts §7.6) ------------------------------------ */

static uint64_t relocate(const struct vpci_transport *x, uint64_t gpa)
{
	if (x->window_to && x->window_from && gpa >= x->window_from &&
	    gpa - x->window_from < VPCI_CONFIG_WINDOW_SIZE)
		return gpa - x->window_from + x->window_to;
	return gpa;
}

/* Compiler-only ordering: each access is a trapping MMIO exit, executed
 * in program order by the CPU; no fence instruction is needed (and
 * MFENCE may be missing from the ring-0 emulator, guest/lib/atomic.h). */
#define MMIO_BARRIER() __atomic_signal_fence(__ATOMIC_SEQ_CST)

uint32_t vpci_transport_mmio_read(void *ctx, uint64_t gpa, unsigned size)
{
	uintptr_t a = (uintptr_t)relocate(ctx, gpa);
	uint32_t v;

	MMIO_BARRIER();
	switch (size) {
	case 1:
		v = *(volatile uint8_t *)a;
		break;
	case 2:
		v = *(volatile uint16_t *)a;
		break;
	default:
		v = *(volatile uint32_t *)a;
		break;
	}
	MMIO_BARRIER();
	return v;
}

void vpci_transport_mmio_write(void *ctx, uint64_t gpa, unsigned size,
			       uint32_t value)
{
	uintptr_t a = (uintptr_t)relocate(ctx, gpa);

	MMIO_BARRIER();
	switch (size) {
	case 1:
		*(volatile uint8_t *)a = (uint8_t)value;
		break;
	case 2:
		*(volatile uint16_t *)a = (uint16_t)value;
		break;
	default:
		*(volatile uint32_t *)a = value;
		break;
	}
	MMIO_BARRIER();
}
