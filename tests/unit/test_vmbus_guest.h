/* SPDX-License-Identifier: MIT */
/*
 * A simulated guest for the VMBus host tests: a malloc'd RAM bank at GPA
 * 0, a real SynIC programmed through its MSRs the way a guest does, and a
 * guest-side VMBus client (control messages, GPADLs, rings) written from
 * the protocol facts, independent of the host code under test.
 *
 * Included by the test_vmbus_*.c suites; everything is static.
 */
#ifndef KVMBUS_TEST_VMBUS_GUEST_H
#define KVMBUS_TEST_VMBUS_GUEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tests/vmbus_test_msgs.h"
#include "vmbus/vmbus.h"
#include "vmm/log.h"

#define TG_RAM_SIZE     (4u << 20)
#define TG_PAGE         4096u
#define TG_NR_VPS       2u
#define TG_VECTOR       0xF3u
/* SIMP of VP v at 0x1000 + v * 0x2000, SIEF page right after it. */
#define TG_SIMP_GPA(v)  (0x1000u + (v) * 0x2000u)
#define TG_SIEF_GPA(v)  (0x2000u + (v) * 0x2000u)
#define TG_FIRST_FREE_PFN 16u
#define TG_MSG_MAX      240u

struct tg {
	uint8_t *ram;
	struct guest_mem mem;
	struct synic synic;
	struct vmbus_host *host;
	unsigned injected[SYNIC_MAX_VPS];
	uint32_t next_pfn;
	uint32_t version;            /* negotiated */
};

static void tg_inject(void *ctx, unsigned vp, uint8_t vector)
{
	struct tg *tg = ctx;

	assert_int_equal(vector, TG_VECTOR);
	tg->injected[vp]++;
}

/* Program a SINT the way Linux does: vector 0xF3, unmasked, no auto-EOI. */
static __attribute__((unused)) void tg_enable_sint(struct tg *tg, unsigned vp,
						    unsigned sint)
{
	assert_int_equal(synic_wrmsr(&tg->synic, vp, HV_MSR_SINT0 + sint,
				     TG_VECTOR), 0);
}

static struct tg *tg_new(void)
{
	struct tg *tg = calloc(1, sizeof(*tg));

	assert_non_null(tg);
	tg->ram = calloc(1, TG_RAM_SIZE);
	assert_non_null(tg->ram);
	tg->mem.bank[0].gpa = 0;
	tg->mem.bank[0].size = TG_RAM_SIZE;
	tg->mem.bank[0].host = tg->ram;
	tg->mem.nr_banks = 1;
	synic_init(&tg->synic, &tg->mem, TG_NR_VPS, tg_inject, tg);
	for (unsigned vp = 0; vp < TG_NR_VPS; vp++) {
		assert_int_equal(synic_wrmsr(&tg->synic, vp, HV_MSR_SIMP,
					     TG_SIMP_GPA(vp) | 1), 0);
		assert_int_equal(synic_wrmsr(&tg->synic, vp, HV_MSR_SIEFP,
					     TG_SIEF_GPA(vp) | 1), 0);
		tg_enable_sint(tg, vp, VMBUS_MESSAGE_SINT);
		assert_int_equal(synic_wrmsr(&tg->synic, vp, HV_MSR_SCONTROL,
					     1), 0);
	}
	tg->host = vmbus_host_create(&tg->mem, &tg->synic);
	assert_non_null(tg->host);
	tg->next_pfn = TG_FIRST_FREE_PFN;
	log_set_quiet(1);
	return tg;
}

static void tg_free(struct tg *tg)
{
	vmbus_host_destroy(tg->host);
	free(tg->ram);
	free(tg);
}

static __attribute__((unused)) uint32_t tg_alloc_pfn(struct tg *tg)
{
	assert_true((uint64_t)(tg->next_pfn + 1) * TG_PAGE <= TG_RAM_SIZE);
	return tg->next_pfn++;
}

static __attribute__((unused)) uint8_t *tg_page(struct tg *tg, uint64_t pfn)
{
	assert_true((pfn + 1) * TG_PAGE <= TG_RAM_SIZE);
	return tg->ram + pfn * TG_PAGE;
}

/* ---- control messages ------------------------------------------------- */

static __attribute__((unused)) uint16_t tg_post_conn(struct tg *tg,
						     uint32_t conn,
						     const void *msg,
						     uint32_t size)
{
	return vmbus_hv_bus_ops.post_message(tg->host, 0, conn,
					     HV_MESSAGE_TYPE_VMBUS, msg, size);
}

static __attribute__((unused)) uint16_t tg_post(struct tg *tg, const void *msg,
						uint32_t size)
{
	return tg_post_conn(tg, VMBUS_MESSAGE_CONNECTION_ID, msg, size);
}

/* Take the message in (vp, sint)'s slot: copy its payload, free the slot
 * and write EOM like Linux.  Payload size, or -1 if the slot is empty. */
static __attribute__((unused)) int tg_recv_on(struct tg *tg, unsigned vp,
					      unsigned sint, void *out)
{
	uint8_t *slot = tg->ram + TG_SIMP_GPA(vp) + HV_SIMP_SLOT_OFFSET(sint);
	struct hv_message m;

	memcpy(&m, slot, sizeof(m));
	if (m.header.message_type == HV_MESSAGE_TYPE_NONE)
		return -1;
	assert_int_equal(m.header.message_type, HV_MESSAGE_TYPE_VMBUS);
	assert_true(m.header.payload_size <= TG_MSG_MAX);
	memcpy(out, m.payload, m.header.payload_size);
	memset(slot, 0, sizeof(m));
	assert_int_equal(synic_wrmsr(&tg->synic, vp, HV_MSR_EOM, 0), 0);
	return m.header.payload_size;
}

static __attribute__((unused)) int tg_recv(struct tg *tg, void *out)
{
	return tg_recv_on(tg, 0, VMBUS_MESSAGE_SINT, out);
}

/* Expect a message of `type` next; returns its size. */
static __attribute__((unused)) int tg_expect(struct tg *tg, uint32_t type,
					     void *out)
{
	int n = tg_recv(tg, out);
	struct vmbus_msg_header hdr;

	assert_true(n >= (int)sizeof(hdr));
	memcpy(&hdr, out, sizeof(hdr));
	assert_int_equal(hdr.msgtype, type);
	return n;
}

static __attribute__((unused)) void tg_expect_nothing(struct tg *tg)
{
	uint8_t buf[TG_MSG_MAX];

	assert_int_equal(tg_recv(tg, buf), -1);
}

/* Refusal count before an action, to check it went up by exactly n. */
#define TG_EXPECT_REFUSAL(rule, action)                                   \
	do {                                                              \
		unsigned before_ = guest_refusal_count();                 \
		action;                                                   \
		assert_int_equal(guest_refusal_count(), before_ + 1);     \
		assert_string_equal(guest_last_refusal(), rule);          \
	} while (0)

#define TG_EXPECT_NO_REFUSAL(action)                                      \
	do {                                                              \
		unsigned before_ = guest_refusal_count();                 \
		action;                                                   \
		assert_int_equal(guest_refusal_count(), before_);         \
	} while (0)

static __attribute__((unused)) struct vmbus_msg_initiate_contact
tg_initiate_msg(uint32_t version)
{
	struct vmbus_msg_initiate_contact m;

	memset(&m, 0, sizeof(m));
	m.hdr.msgtype = VMBUS_MSG_INITIATE_CONTACT;
	m.version = version;
	m.target_vcpu = 0;
	if (version >= VMBUS_VERSION_WIN10_V5)
		m.msg_sint = VMBUS_MESSAGE_SINT;
	return m;
}

static __attribute__((unused)) uint32_t tg_conn_for(uint32_t version)
{
	return version >= VMBUS_VERSION_WIN10_V5 ? VMBUS_MESSAGE_CONNECTION_ID_4
						 : VMBUS_MESSAGE_CONNECTION_ID;
}

/* INITIATE_CONTACT as Linux sends it; returns the VERSION_RESPONSE. */
static __attribute__((unused)) struct vmbus_msg_version_response
tg_initiate(struct tg *tg, uint32_t version)
{
	struct vmbus_msg_initiate_contact m = tg_initiate_msg(version);
	struct vmbus_msg_version_response r;
	uint8_t buf[TG_MSG_MAX];

	assert_int_equal(tg_post_conn(tg, tg_conn_for(version), &m, sizeof(m)),
			 HV_STATUS_SUCCESS);
	assert_int_equal(tg_expect(tg, VMBUS_MSG_VERSION_RESPONSE, buf),
			 (int)sizeof(r));
	memcpy(&r, buf, sizeof(r));
	return r;
}

static __attribute__((unused)) void tg_connect(struct tg *tg, uint32_t version)
{
	struct vmbus_msg_version_response r = tg_initiate(tg, version);

	assert_int_equal(r.version_supported, 1);
	assert_true(vmbus_host_connected(tg->host));
	tg->version = version;
}

/* REQUESTOFFERS; checks `n` offers and ALLOFFERS_DELIVERED arrive. */
static __attribute__((unused)) void tg_request_offers(struct tg *tg, unsigned n,
						      struct vmbus_msg_offer_channel *offers)
{
	struct vmbus_msg_header m = { .msgtype = VMBUS_MSG_REQUESTOFFERS };
	uint8_t buf[TG_MSG_MAX];

	assert_int_equal(tg_post(tg, &m, sizeof(m)), HV_STATUS_SUCCESS);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(tg_expect(tg, VMBUS_MSG_OFFERCHANNEL, buf),
				 (int)sizeof(struct vmbus_msg_offer_channel));
		if (offers)
			memcpy(&offers[i], buf, sizeof(offers[i]));
	}
	assert_int_equal(tg_expect(tg, VMBUS_MSG_ALLOFFERS_DELIVERED, buf),
			 (int)sizeof(struct vmbus_msg_header));
}

/* ---- GPADLs, the way Linux splits them (facts §5.3) -------------------- */

static __attribute__((unused)) void tg_post_ok(void *ctx, const void *msg, uint32_t len)
{
	assert_int_equal(tg_post(ctx, msg, len), HV_STATUS_SUCCESS);
}

/* Send GPADL_HEADER + BODY messages for one range of `n` pages covering
 * byte_count bytes from byte_offset; nothing is received. */
static __attribute__((unused)) void tg_send_gpadl_range(struct tg *tg,
							uint32_t relid,
							uint32_t handle,
							const uint64_t *pfns,
							uint32_t n,
							uint32_t byte_offset,
							uint32_t byte_count)
{
	tmsg_send_gpadl(relid, handle, pfns, n, byte_offset, byte_count,
			tg_post_ok, tg);
}

/* A page-aligned GPADL of n pages; returns the GPADL_CREATED status. */
static __attribute__((unused)) uint32_t tg_create_gpadl(struct tg *tg,
							uint32_t relid,
							uint32_t handle,
							const uint64_t *pfns,
							uint32_t n)
{
	struct vmbus_msg_gpadl_created c;
	uint8_t buf[TG_MSG_MAX];

	tg_send_gpadl_range(tg, relid, handle, pfns, n, 0, n * TG_PAGE);
	assert_int_equal(tg_expect(tg, VMBUS_MSG_GPADL_CREATED, buf),
			 (int)sizeof(c));
	memcpy(&c, buf, sizeof(c));
	assert_int_equal(c.child_relid, relid);
	assert_int_equal(c.gpadl, handle);
	return c.creation_status;
}

static __attribute__((unused)) void tg_teardown(struct tg *tg, uint32_t relid,
						uint32_t handle)
{
	struct vmbus_msg_gpadl_teardown t = {
		.hdr.msgtype = VMBUS_MSG_GPADL_TEARDOWN,
		.child_relid = relid,
		.gpadl = handle,
	};

	assert_int_equal(tg_post(tg, &t, sizeof(t)), HV_STATUS_SUCCESS);
}

/* OPENCHANNEL; returns the OPENCHANNEL_RESULT status. */
static __attribute__((unused)) uint32_t tg_open(struct tg *tg, uint32_t relid,
						uint32_t handle,
						uint32_t downstream_pages,
						uint32_t target_vp)
{
	struct vmbus_msg_open_channel o;
	struct vmbus_msg_open_result r;
	uint8_t buf[TG_MSG_MAX];

	tmsg_open_channel(&o, relid, handle, downstream_pages, target_vp);
	assert_int_equal(tg_post(tg, &o, sizeof(o)), HV_STATUS_SUCCESS);
	assert_int_equal(tg_expect(tg, VMBUS_MSG_OPENCHANNEL_RESULT, buf),
			 (int)sizeof(r));
	memcpy(&r, buf, sizeof(r));
	assert_int_equal(r.child_relid, relid);
	assert_int_equal(r.openid, relid);
	return r.status;
}

static __attribute__((unused)) void tg_close(struct tg *tg, uint32_t relid)
{
	struct vmbus_msg_relid c = {
		.hdr.msgtype = VMBUS_MSG_CLOSECHANNEL,
		.child_relid = relid,
	};

	assert_int_equal(tg_post(tg, &c, sizeof(c)), HV_STATUS_SUCCESS);
}

static __attribute__((unused)) uint16_t tg_signal(struct tg *tg, uint32_t relid)
{
	return vmbus_hv_bus_ops.signal_event(tg->host, 0,
					     VMBUS_CHANNEL_CONN_BASE + relid, 0);
}

/* Test-and-clear the SIEF bit of `relid` on `vp` (what Linux's ISR does). */
static __attribute__((unused)) bool tg_take_event(struct tg *tg, unsigned vp,
						  uint32_t relid)
{
	uint8_t *byte = tg->ram + TG_SIEF_GPA(vp) +
			HV_SIEF_REGION_OFFSET(VMBUS_MESSAGE_SINT) + relid / 8;
	uint8_t bit = (uint8_t)(1u << (relid % 8));
	bool was = *byte & bit;

	*byte &= (uint8_t)~bit;
	return was;
}

/* ---- the guest side of a ring (facts §6) -------------------------------- */

struct tg_ring {
	struct tg *tg;
	const uint64_t *pfns;        /* [0] header page, then data pages */
	uint32_t npages;
	uint32_t size;
};

static __attribute__((unused)) struct tg_ring tg_ring_of(struct tg *tg,
							 const uint64_t *pfns,
							 uint32_t npages)
{
	struct tg_ring r = { tg, pfns, npages, (npages - 1) * TG_PAGE };

	return r;
}

static __attribute__((unused)) struct vmbus_ring_header *
tg_ring_hdr(const struct tg_ring *r)
{
	return (struct vmbus_ring_header *)(void *)tg_page(r->tg, r->pfns[0]);
}

/* Copy to/from the data area at `off`, page by page, wrapping. */
static __attribute__((unused)) void tg_ring_copy(const struct tg_ring *r,
						 uint32_t off, void *host,
						 uint32_t len, bool to_ring)
{
	uint8_t *p = host;

	while (len) {
		uint32_t in_page = off % TG_PAGE, chunk = TG_PAGE - in_page;
		uint8_t *g = tg_page(r->tg, r->pfns[1 + off / TG_PAGE]) + in_page;

		if (chunk > len)
			chunk = len;
		if (to_ring)
			memcpy(g, p, chunk);
		else
			memcpy(p, g, chunk);
		p += chunk;
		len -= chunk;
		off = (off + chunk) % r->size;
	}
}

/* Linux-style writer.  0 = written (*signal: the reader must be told),
 * -1 = no room (nothing written). */
static __attribute__((unused)) int tg_ring_write(const struct tg_ring *r,
						 uint16_t type, uint16_t flags,
						 uint64_t trans_id,
						 const void *payload,
						 uint32_t len, bool *signal)
{
	struct vmbus_ring_header *h = tg_ring_hdr(r);
	uint32_t write = h->write_index, read = h->read_index;
	uint32_t bytes = vmbus_packet_ring_bytes(16 + len);
	uint32_t padded = bytes - 8, pos;
	struct vmbus_packet_desc d = {
		.type = type, .offset8 = 2, .len8 = (uint16_t)(padded / 8),
		.flags = flags, .trans_id = trans_id,
	};
	uint8_t zeros[8] = { 0 };
	uint64_t trailer = (uint64_t)write << 32;

	if (!vmbus_ring_can_write(write, read, r->size, bytes))
		return -1;
	tg_ring_copy(r, write, &d, 16, true);
	pos = (write + 16) % r->size;
	if (len)
		tg_ring_copy(r, pos, (void *)(uintptr_t)payload, len, true);
	pos = (pos + len) % r->size;
	if (padded > 16 + len)
		tg_ring_copy(r, pos, zeros, padded - 16 - len, true);
	tg_ring_copy(r, (write + padded) % r->size, &trailer, 8, true);
	h->write_index = (write + bytes) % r->size;
	*signal = vmbus_ring_should_signal_reader(write, h->read_index,
						  h->interrupt_mask);
	return 0;
}

/* Linux-style reader.  1 = packet read (payload copied to buf, *len set;
 * *signal_writer: the writer waits on pending_send_sz and must be told),
 * 0 = empty. */
static __attribute__((unused)) int tg_ring_read(const struct tg_ring *r,
						struct vmbus_packet_desc *d,
						void *buf, uint32_t bufsize,
						uint32_t *len,
						bool *signal_writer)
{
	struct vmbus_ring_header *h = tg_ring_hdr(r);
	uint32_t write = h->write_index, read = h->read_index;
	uint32_t avail = vmbus_ring_avail_read(write, read, r->size);
	uint32_t free_before, free_after, bytes;
	uint64_t trailer;

	*signal_writer = false;
	if (avail == 0)
		return 0;
	tg_ring_copy(r, read, d, 16, false);
	assert_true(d->offset8 == 2);
	assert_true((uint32_t)d->len8 * 8 + 8 <= avail);
	*len = (uint32_t)d->len8 * 8 - 16;
	assert_true(*len <= bufsize);
	tg_ring_copy(r, (read + 16) % r->size, buf, *len, false);
	tg_ring_copy(r, (read + (uint32_t)d->len8 * 8) % r->size, &trailer, 8,
		     false);
	assert_int_equal(trailer, (uint64_t)read << 32);
	bytes = (uint32_t)d->len8 * 8 + 8;
	free_before = vmbus_ring_avail_write(write, read, r->size);
	h->read_index = (read + bytes) % r->size;
	free_after = vmbus_ring_avail_write(write, h->read_index, r->size);
	*signal_writer = vmbus_ring_should_signal_writer(h->feature_bits,
							 h->pending_send_sz,
							 free_before,
							 free_after);
	return 1;
}

/* ---- test services ---------------------------------------------------- */

/* Records what the core asks of it. */
struct tg_rec_svc {
	unsigned opens, closes, signals, resets;
	uint32_t open_status;
	struct vmbus_channel *ch;
};

static uint32_t tg_rec_open(void *svc, struct vmbus_channel *ch)
{
	struct tg_rec_svc *s = svc;

	s->opens++;
	s->ch = ch;
	return s->open_status;
}

static void tg_rec_close(void *svc, struct vmbus_channel *ch)
{
	struct tg_rec_svc *s = svc;

	assert_ptr_equal(ch, s->ch);
	s->closes++;
}

static void tg_rec_signal(void *svc, struct vmbus_channel *ch)
{
	struct tg_rec_svc *s = svc;

	assert_ptr_equal(ch, s->ch);
	s->signals++;
}

static void tg_rec_reset(void *svc)
{
	struct tg_rec_svc *s = svc;

	s->resets++;
}

static const struct vmbus_service_ops tg_rec_ops
	__attribute__((unused)) = {
	.open = tg_rec_open,
	.close = tg_rec_close,
	.signal = tg_rec_signal,
	.reset = tg_rec_reset,
};

static __attribute__((unused)) struct vmbus_service tg_rec_service(
	struct tg_rec_svc *s, uint8_t tag)
{
	struct vmbus_service svc = {
		.name = "rec",
		.class_id = VMBUS_GUID(0x11111111, 0x2222, 0x3333, 0x44, 0x55,
				       0x66, 0x77, 0x88, 0x99, 0xaa, 0),
		.instance_id = VMBUS_GUID(0xaaaaaaaa, 0xbbbb, 0xcccc, 1, 2, 3,
					  4, 5, 6, 7, 0),
		.mmio_megabytes = tag,
		.ops = &tg_rec_ops,
		.ctx = s,
	};

	svc.class_id.b[15] = tag;
	svc.instance_id.b[15] = tag;
	return svc;
}

static __attribute__((unused)) struct vmbus_service tg_echo_service(void)
{
	struct vmbus_service svc = {
		.name = "echo",
		.class_id = VMBUS_CLASS_ECHO,
		.instance_id = VMBUS_ECHO_INSTANCE,
		.mmio_megabytes = 0,
		.ops = &vmbus_echo_ops,
		.ctx = NULL,
	};

	return svc;
}

#endif
