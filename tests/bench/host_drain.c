// SPDX-License-Identifier: MIT
/*
 * Host-side drain speed, without KVM: the VMBus host of libkvmbus.a over
 * an in-memory "guest RAM", one channel opened through the real control
 * plane, its guest->host ring filled by plain C here, then emptied with
 * vmbus_chan_peek/consume -- exactly the calls a service makes -- and
 * only that emptying timed.
 *
 *   host_drain [MIB_PER_SIZE]
 *
 * prints, per payload size (64, 1024, 4096 bytes),
 *   host_drain size=N packets=N bytes=N ns=N median_cycle_gbps=X
 * where bytes counts payload only and ns is the total drain time; the
 * ring is filled and drained in cycles, and the median cycle's rate is
 * the figure to trust on a busy machine (a preempted cycle is an outlier
 * there, not a shift of the mean).  tests/bench/run.py runs it natively
 * (it needs no /dev/kvm).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vmbus/abi/sink_abi.h"
#include "vmbus/vmbus.h"
#include "vmm/abi/hv_abi.h"
#include "vmm/log.h"
#include "vmm/synic.h"

#define PAGE          4096u
#define RAM_SIZE      (8u << 20)
/* SIMP and SIEF pages of VP 0; the ring GPADL starts at RING_PFN. */
#define SIMP_GPA      0x1000u
#define SIEF_GPA      0x2000u
#define RING_PFN      16u
#define OUT_PAGES     257u          /* header + 1 MiB of data */
#define IN_PAGES      2u
#define GPADL_HANDLE  0xB0001u
#define DEFAULT_MIB   256u

/* Fill-and-drain cycles per size at most (a 1 MiB ring: 256 MiB of
 * 4 KiB packets is ~260 cycles, of 64 B packets ~340). */
#define MAX_CYCLES    4096u

static uint8_t *ram;
static double rates[MAX_CYCLES];

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}
static struct vmbus_channel *opened;

/* ---- a service that only records its channel: the bench drains ------ */

static uint32_t drain_open(void *svc, struct vmbus_channel *ch)
{
	(void)svc;
	opened = ch;
	return 0;
}

static void drain_close(void *svc, struct vmbus_channel *ch)
{
	(void)svc;
	(void)ch;
	opened = NULL;
}

static void drain_signal(void *svc, struct vmbus_channel *ch)
{
	(void)svc;
	(void)ch;
}

static const struct vmbus_service_ops drain_ops = {
	.open = drain_open,
	.close = drain_close,
	.signal = drain_signal,
};

static void no_inject(void *ctx, unsigned vp, uint8_t vector)
{
	(void)ctx;
	(void)vp;
	(void)vector;
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "host_drain: %s\n", what);
	exit(1);
}

/* ---- the control plane, as a guest drives it (facts §5.3, §5.4) ----- */

static void post(struct vmbus_host *h, uint32_t conn, const void *msg,
		 uint32_t size)
{
	if (vmbus_hv_bus_ops.post_message(h, 0, conn, HV_MESSAGE_TYPE_VMBUS,
					  msg, size) != HV_STATUS_SUCCESS)
		die("a control message was refused");
}

static void open_channel(struct vmbus_host *h)
{
	struct vmbus_msg_initiate_contact ic = {
		.hdr.msgtype = VMBUS_MSG_INITIATE_CONTACT,
		.version = VMBUS_VERSION_WIN10_V5_3,
		.target_vcpu = 0,
	};
	struct vmbus_msg_header ro = { .msgtype = VMBUS_MSG_REQUESTOFFERS };
	const uint32_t total = OUT_PAGES + IN_PAGES;
	uint64_t buf[HV_MESSAGE_PAYLOAD_MAX / 8];
	uint32_t sent = 0, msgnumber = 0;

	ic.msg_sint = VMBUS_MESSAGE_SINT;
	post(h, VMBUS_MESSAGE_CONNECTION_ID_4, &ic, sizeof(ic));
	post(h, VMBUS_MESSAGE_CONNECTION_ID, &ro, sizeof(ro));

	/* GPADL_HEADER with one range and the first PFNs, then bodies. */
	while (sent < total) {
		uint8_t *m = (uint8_t *)buf;
		uint32_t room, n, size;

		memset(buf, 0, sizeof(buf));
		if (sent == 0) {
			struct vmbus_msg_gpadl_header *gh = (void *)m;
			struct vmbus_gpa_range *r = (void *)(m + sizeof(*gh));

			gh->hdr.msgtype = VMBUS_MSG_GPADL_HEADER;
			gh->child_relid = 1;
			gh->gpadl = GPADL_HANDLE;
			gh->rangecount = 1;
			gh->range_buflen = (uint16_t)(sizeof(*r) + total * 8u);
			r->byte_count = total * PAGE;
			r->byte_offset = 0;
			size = sizeof(*gh) + sizeof(*r);
		} else {
			struct vmbus_msg_gpadl_body *gb = (void *)m;

			gb->hdr.msgtype = VMBUS_MSG_GPADL_BODY;
			gb->msgnumber = ++msgnumber;
			gb->gpadl = GPADL_HANDLE;
			size = sizeof(*gb);
		}
		room = (HV_MESSAGE_PAYLOAD_MAX - size) / 8;
		n = total - sent < room ? total - sent : room;
		/* After a 28-byte header the PFNs are not 8-aligned. */
		for (uint32_t i = 0; i < n; i++) {
			uint64_t pfn = RING_PFN + sent + i;

			memcpy(m + size + i * 8u, &pfn, sizeof(pfn));
		}
		sent += n;
		post(h, VMBUS_MESSAGE_CONNECTION_ID, buf, size + n * 8);
	}

	struct vmbus_msg_open_channel oc = {
		.hdr.msgtype = VMBUS_MSG_OPENCHANNEL,
		.child_relid = 1,
		.openid = 1,
		.ringbuffer_gpadl = GPADL_HANDLE,
		.target_vp = 0,
		.downstream_ring_pageoffset = OUT_PAGES,
	};
	post(h, VMBUS_MESSAGE_CONNECTION_ID, &oc, sizeof(oc));
	if (!opened)
		die("the channel did not open");
}

/* ---- the guest's writer, plain C -------------------------------------- */

struct ring {
	struct vmbus_ring_header *hdr;
	uint8_t *data;
	uint32_t size;
};

static void put(const struct ring *r, uint32_t *pos, const void *src,
		uint32_t len)
{
	uint32_t first = r->size - *pos < len ? r->size - *pos : len;

	memcpy(r->data + *pos, src, first);
	memcpy(r->data, (const uint8_t *)src + first, len - first);
	*pos = (*pos + len) % r->size;
}

/* Fill the ring with packets of `payload` bytes (8-aligned) while there
 * is room.  Returns how many went in. */
static uint32_t fill(const struct ring *r, const uint8_t *payload,
		     uint32_t len, uint64_t *seq)
{
	uint32_t total = sizeof(struct vmbus_packet_desc) + len + 8u, n = 0;
	uint32_t write = r->hdr->write_index;

	while (vmbus_ring_can_write(write, r->hdr->read_index, r->size,
				    total)) {
		struct vmbus_packet_desc d = {
			.type = VMBUS_PKT_DATA_INBAND,
			.offset8 = sizeof(d) / 8,
			.len8 = (uint16_t)((sizeof(d) + len) / 8),
			.trans_id = (*seq)++,
		};
		uint64_t trailer = (uint64_t)write << 32;
		uint32_t pos = write;

		put(r, &pos, &d, sizeof(d));
		put(r, &pos, payload, len);
		put(r, &pos, &trailer, sizeof(trailer));
		write = pos;
		n++;
	}
	__atomic_store_n(&r->hdr->write_index, write, __ATOMIC_RELEASE);
	return n;
}

/* Empty the ring through the service API; ns spent. */
static uint64_t drain(uint32_t expect, uint64_t *bytes)
{
	struct vmbus_pkt pkt;
	uint32_t got = 0;
	uint64_t t0 = now_ns();

	while (vmbus_chan_peek(opened, &pkt) == 1) {
		*bytes += pkt.payload_len;
		got++;
		vmbus_chan_consume(opened);
	}
	uint64_t dt = now_ns() - t0;

	if (got != expect)
		die("the host did not take every packet");
	return dt;
}

int main(int argc, char **argv)
{
	static const uint32_t sizes[] = { 64, 1024, 4096 };
	uint64_t mib = argc > 1 ? strtoull(argv[1], NULL, 0) : DEFAULT_MIB;
	struct guest_mem mem = { .nr_banks = 1 };
	struct synic synic;
	struct vmbus_service svc = {
		.name = "host-drain",
		.class_id = VMBUS_CLASS_SINK,
		.instance_id = VMBUS_SINK_INSTANCE,
		.ops = &drain_ops,
	};

	ram = aligned_alloc(PAGE, RAM_SIZE);
	if (!ram || !mib)
		die("usage: host_drain [MIB_PER_SIZE], or out of memory");
	memset(ram, 0, RAM_SIZE);
	mem.bank[0] = (struct guest_mem_bank){ 0, RAM_SIZE, ram };
	synic_init(&synic, &mem, 1, no_inject, NULL);
	if (synic_wrmsr(&synic, 0, HV_MSR_SIMP, SIMP_GPA | 1) ||
	    synic_wrmsr(&synic, 0, HV_MSR_SIEFP, SIEF_GPA | 1) ||
	    synic_wrmsr(&synic, 0, HV_MSR_SINT0 + VMBUS_MESSAGE_SINT,
			VMBUS_HOST_CALLBACK_VECTOR) ||
	    synic_wrmsr(&synic, 0, HV_MSR_SCONTROL, 1))
		die("SynIC setup refused");

	struct vmbus_host *h = vmbus_host_create(&mem, &synic);

	if (!h || vmbus_register_service(h, &svc) < 0)
		die("VMBus host setup failed");
	open_channel(h);

	struct ring r = {
		.hdr = (struct vmbus_ring_header *)(ram + RING_PFN * PAGE),
		.data = ram + (RING_PFN + 1) * PAGE,
		.size = (OUT_PAGES - 1) * PAGE,
	};
	static uint8_t payload[4096];
	uint64_t seq = 0;

	for (uint32_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7);
	for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		uint64_t want = mib << 20, bytes = 0, ns = 0, packets = 0;
		unsigned cycles = 0;

		while (bytes < want && cycles < MAX_CYCLES) {
			uint64_t before = bytes;
			uint32_t n = fill(&r, payload, sizes[s], &seq);
			uint64_t dt = drain(n, &bytes);

			rates[cycles++] = dt ? (double)(bytes - before) / dt : 0;
			ns += dt;
			packets += n;
		}
		qsort(rates, cycles, sizeof(rates[0]), cmp_double);
		printf("host_drain size=%u packets=%llu bytes=%llu ns=%llu "
		       "median_cycle_gbps=%.4f\n", sizes[s],
		       (unsigned long long)packets, (unsigned long long)bytes,
		       (unsigned long long)ns, rates[cycles / 2]);
	}
	vmbus_host_destroy(h);
	free(ram);
	return 0;
}
