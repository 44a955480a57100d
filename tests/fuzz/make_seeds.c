// SPDX-License-Identifier: MIT
/*
 * Writes the seed corpora of the fuzz targets: a few meaningful inputs
 * per target, each in that target's record format (see the comment at
 * the top of each tests/fuzz/fuzz_*.c).  Usage: make_seeds OUTDIR; the
 * files go to OUTDIR/<target>/<name>.  `make fuzz-seeds` regenerates
 * tests/fuzz/corpus/ with it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/vmbus_test_msgs.h"
#include "vmbus/abi/synthvid_abi.h"
#include "vmbus/abi/vmbus_abi.h"
#include "vmbus/abi/vpci_abi.h"
#include "vmm/abi/hv_abi.h"

/* ---- a growing byte buffer --------------------------------------------- */

struct buf {
	uint8_t d[16384];
	size_t n;
};

static void put(struct buf *b, const void *p, size_t len)
{
	if (b->n + len > sizeof(b->d)) {
		fprintf(stderr, "make_seeds: seed too large\n");
		exit(1);
	}
	memcpy(b->d + b->n, p, len);
	b->n += len;
}

static void u8(struct buf *b, uint8_t v)
{
	put(b, &v, 1);
}

static void u16(struct buf *b, uint16_t v)
{
	put(b, &v, 2);
}

static void u32(struct buf *b, uint32_t v)
{
	put(b, &v, 4);
}

static void u64(struct buf *b, uint64_t v)
{
	put(b, &v, 8);
}

static const char *outdir;

static void save(const char *target, const char *name, const struct buf *b)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(b->d, 1, b->n, f) != b->n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* ---- VMBus control messages ------------------------------------------- */

static struct vmbus_msg_initiate_contact initiate(uint32_t version)
{
	struct vmbus_msg_initiate_contact m;

	memset(&m, 0, sizeof(m));
	m.hdr.msgtype = VMBUS_MSG_INITIATE_CONTACT;
	m.version = version;
	if (version >= VMBUS_VERSION_WIN10_V5)
		m.msg_sint = VMBUS_MESSAGE_SINT;
	return m;
}

/* fuzz_vmbus_control: op 0 = post (and drain), sel bit 1..2 = conn. */
static void ctl_post(struct buf *b, uint8_t op, bool conn4, const void *msg,
		     uint8_t len)
{
	u8(b, op);
	u8(b, conn4 ? 0x02 : 0x00);
	u8(b, len);
	put(b, msg, len);
}

static void ctl_initiate(struct buf *b, uint32_t version)
{
	struct vmbus_msg_initiate_contact m = initiate(version);

	ctl_post(b, 0, version >= VMBUS_VERSION_WIN10_V5, &m, sizeof(m));
}

static void ctl_simple(struct buf *b, uint32_t type)
{
	struct vmbus_msg_header h = { .msgtype = type };

	ctl_post(b, 0, false, &h, sizeof(h));
}

static void ctl_relid(struct buf *b, uint32_t type, uint32_t relid)
{
	struct vmbus_msg_relid m = { .hdr.msgtype = type, .child_relid = relid };

	ctl_post(b, 0, false, &m, sizeof(m));
}

static void ctl_post_control(void *ctx, const void *msg, uint32_t len)
{
	ctl_post(ctx, 0, false, msg, (uint8_t)len);
}

/* One range of n consecutive pages from first_pfn; n is small enough for
 * a single GPADL_HEADER. */
static void ctl_gpadl(struct buf *b, uint32_t relid, uint32_t handle,
		      uint32_t first_pfn, uint32_t n)
{
	uint64_t pfns[TMSG_GPADL_HDR_PFNS];

	if (n > TMSG_GPADL_HDR_PFNS)
		n = TMSG_GPADL_HDR_PFNS;
	for (uint32_t i = 0; i < n; i++)
		pfns[i] = first_pfn + i;
	tmsg_send_gpadl(relid, handle, pfns, n, 0, n * 4096, ctl_post_control, b);
}

static void ctl_open(struct buf *b, uint32_t relid, uint32_t handle,
		     uint32_t downstream, uint32_t vp)
{
	struct vmbus_msg_open_channel o;

	tmsg_open_channel(&o, relid, handle, downstream, vp);
	ctl_post(b, 0, false, &o, sizeof(o));
}

static void seeds_control(void)
{
	static const char *t = "fuzz_vmbus_control";
	struct buf b;

	/* The connection as Linux makes it. */
	memset(&b, 0, sizeof(b));
	ctl_initiate(&b, VMBUS_VERSION_WIN10_V5_3);
	ctl_simple(&b, VMBUS_MSG_REQUESTOFFERS);
	save(t, "connect-5.3", &b);

	/* Linux walks down from newer versions; an old one on connection 1. */
	memset(&b, 0, sizeof(b));
	ctl_initiate(&b, VMBUS_VERSION(6, 0));
	ctl_initiate(&b, VMBUS_VERSION(5, 4));
	ctl_initiate(&b, VMBUS_VERSION_WIN10_V5_2);
	ctl_initiate(&b, VMBUS_VERSION_WIN10_V5_2);   /* while connected */
	ctl_simple(&b, VMBUS_MSG_UNLOAD);
	ctl_initiate(&b, VMBUS_VERSION_WIN10);
	ctl_simple(&b, VMBUS_MSG_REQUESTOFFERS);
	ctl_simple(&b, VMBUS_MSG_REQUESTOFFERS);       /* repeated */
	save(t, "version-walk", &b);

	/* A channel's whole life: GPADL, open, doorbell, retarget, close,
	 * teardown, unload. */
	memset(&b, 0, sizeof(b));
	ctl_initiate(&b, VMBUS_VERSION_WIN10_V5_3);
	ctl_simple(&b, VMBUS_MSG_REQUESTOFFERS);
	ctl_gpadl(&b, 1, 0x10, 16, 8);
	ctl_open(&b, 1, 0x10, 4, 0);
	u8(&b, 7);        /* signal */
	u8(&b, 0);
	u8(&b, 1);        /* relid 1 */
	{
		struct vmbus_msg_modify_channel m = {
			.hdr.msgtype = VMBUS_MSG_MODIFYCHANNEL,
			.child_relid = 1, .target_vp = 1,
		};
		ctl_post(&b, 0, false, &m, sizeof(m));
	}
	ctl_relid(&b, VMBUS_MSG_CLOSECHANNEL, 1);
	{
		struct vmbus_msg_gpadl_teardown td = {
			.hdr.msgtype = VMBUS_MSG_GPADL_TEARDOWN,
			.child_relid = 1, .gpadl = 0x10,
		};
		ctl_post(&b, 0, false, &td, sizeof(td));
	}
	ctl_simple(&b, VMBUS_MSG_UNLOAD);
	save(t, "channel-lifecycle", &b);

	/* The same start through real hypercalls (op 6). */
	memset(&b, 0, sizeof(b));
	{
		struct vmbus_msg_initiate_contact m = initiate(VMBUS_VERSION_WIN10_V5_3);
		struct vmbus_msg_header ro = { .msgtype = VMBUS_MSG_REQUESTOFFERS };

		u8(&b, 6);
		u8(&b, 0x02);
		u8(&b, sizeof(m));
		put(&b, &m, sizeof(m));
		u8(&b, 6);
		u8(&b, 0x00);
		u8(&b, sizeof(ro));
		put(&b, &ro, sizeof(ro));
	}
	save(t, "hypercall-connect", &b);

	/* The host rescinds a channel, the guest releases the relid; then
	 * the VPCI channel opens on a fresh GPADL and a VM reset follows. */
	memset(&b, 0, sizeof(b));
	ctl_initiate(&b, VMBUS_VERSION_WIN10_V5_3);
	ctl_simple(&b, VMBUS_MSG_REQUESTOFFERS);
	u8(&b, 10);
	u8(&b, 0);        /* rescind service 0 */
	ctl_relid(&b, VMBUS_MSG_RELID_RELEASED, 1);
	ctl_gpadl(&b, 3, 0x20, 40, 6);
	ctl_open(&b, 3, 0x20, 3, 1);
	u8(&b, 12);       /* hot-add */
	u8(&b, 11);       /* VM reset */
	ctl_initiate(&b, VMBUS_VERSION_WIN10_V4_1);
	save(t, "rescind-reset", &b);

	/* Messages pile up while the guest does not take them; the SINT is
	 * masked and unmasked, the SIMP moved. */
	memset(&b, 0, sizeof(b));
	ctl_initiate(&b, VMBUS_VERSION_WIN10_V5_3);
	u8(&b, 8);        /* MSR: SINT2 masked */
	u8(&b, 0x00);
	u8(&b, 2);
	u8(&b, 0xF3);
	u8(&b, 1);
	for (int i = 0; i < 20; i++) {
		struct vmbus_msg_header ro = { .msgtype = VMBUS_MSG_REQUESTOFFERS };

		ctl_post(&b, 0x80, false, &ro, sizeof(ro));
	}
	u8(&b, 8);        /* MSR: SINT2 unmasked */
	u8(&b, 0x00);
	u8(&b, 2);
	u8(&b, 0xF3);
	u8(&b, 0);
	u8(&b, 8);        /* MSR: SIMP to page 9 */
	u8(&b, 0x04);
	u16(&b, 9);
	u8(&b, 1);
	u8(&b, 9);        /* drain */
	save(t, "queue-and-msrs", &b);
}

/* ---- fuzz_gpadl ---------------------------------------------------------- */

/* Qword encodings of fuzz_gpadl's stream. */
static void q_range(struct buf *b, uint32_t byte_count, uint16_t offset)
{
	u8(b, 0);
	u16(b, (uint16_t)(byte_count >> 4));
	u16(b, offset);
}

static void q_pfn(struct buf *b, uint8_t pfn_index)
{
	u8(b, 1);
	u8(b, pfn_index);
}

static void seeds_gpadl(void)
{
	static const char *t = "fuzz_gpadl";
	struct buf b;

	/* One message, one range of 4 pages. */
	memset(&b, 0, sizeof(b));
	u8(&b, 0);          /* header */
	u8(&b, 0x00);       /* sel: rangecount 1, buflen computed */
	u8(&b, 5);          /* qwords */
	u8(&b, 0);          /* relid 1 */
	u8(&b, 0);          /* handle 0x100 */
	q_range(&b, 4 * 4096, 0);
	for (int i = 0; i < 4; i++)
		q_pfn(&b, (uint8_t)(10 + i));
	u8(&b, 0);
	save(t, "single-message", &b);

	/* A header announcing 40 pages, then bodies carrying the rest. */
	memset(&b, 0, sizeof(b));
	u8(&b, 1);
	u8(&b, 0x10);       /* buflen = n*8 + k*8 */
	u8(&b, 27);
	u8(&b, 0);
	u8(&b, 1);          /* handle 0x101 */
	q_range(&b, 40 * 4096, 0);
	for (int i = 0; i < 26; i++)
		q_pfn(&b, (uint8_t)(20 + i));
	u8(&b, 14);         /* k: 14 more qwords */
	u8(&b, 3);          /* body */
	u8(&b, 14);
	u8(&b, 1);          /* msgnumber */
	u8(&b, 1);          /* handle 0x101 */
	for (int i = 0; i < 14; i++)
		q_pfn(&b, (uint8_t)(46 + i));
	save(t, "header-and-body", &b);

	/* Two ranges with offsets, then open, ring, close, tear down. */
	memset(&b, 0, sizeof(b));
	u8(&b, 2);
	u8(&b, 0x01);       /* rangecount 2 */
	u8(&b, 7);
	u8(&b, 0);
	u8(&b, 2);          /* handle 0x102 */
	q_range(&b, 4096 + 100, 200);
	q_pfn(&b, 70);
	q_pfn(&b, 71);
	q_range(&b, 3 * 4096, 0);
	q_pfn(&b, 80);
	q_pfn(&b, 81);
	q_pfn(&b, 82);
	u8(&b, 0);
	/* A ring-shaped one: 6 pages. */
	u8(&b, 0);
	u8(&b, 0x00);
	u8(&b, 7);
	u8(&b, 1);          /* relid 2 */
	u8(&b, 3);          /* handle 0x103 */
	q_range(&b, 6 * 4096, 0);
	for (int i = 0; i < 6; i++)
		q_pfn(&b, (uint8_t)(100 + i));
	u8(&b, 0);
	u8(&b, 6);          /* open relid 2 on 0x103, downstream 3 */
	u8(&b, 0);
	u8(&b, 1);
	u8(&b, 3);
	u8(&b, 3);
	u8(&b, 5);          /* teardown while open: refused */
	u8(&b, 1);
	u8(&b, 3);
	u8(&b, 6);          /* close relid 2 */
	u8(&b, 1);
	u8(&b, 1);
	u8(&b, 5);          /* teardown */
	u8(&b, 1);
	u8(&b, 3);
	save(t, "ranges-open-teardown", &b);

	/* PFNs outside RAM, a full-size message, a reused handle. */
	memset(&b, 0, sizeof(b));
	u8(&b, 0x80);       /* header, padded to 240 bytes */
	u8(&b, 0x00);
	u8(&b, 3);
	u8(&b, 0);
	u8(&b, 4);
	q_range(&b, 2 * 4096, 0);
	u8(&b, 4);          /* just past RAM */
	u8(&b, 0);
	u8(&b, 5);          /* around MAX_PFN */
	u8(&b, 0);
	u8(&b, 0);
	u8(&b, 0);          /* the same handle again, valid this time */
	u8(&b, 0x00);
	u8(&b, 2);
	u8(&b, 0);
	u8(&b, 4);
	q_range(&b, 4096, 0);
	q_pfn(&b, 9);
	u8(&b, 0);
	u8(&b, 0);          /* and again: handle in use */
	u8(&b, 0x00);
	u8(&b, 2);
	u8(&b, 0);
	u8(&b, 4);
	q_range(&b, 4096, 0);
	q_pfn(&b, 9);
	u8(&b, 0);
	u8(&b, 7);          /* unload and reconnect */
	u8(&b, 1);
	save(t, "outside-ram-and-reuse", &b);
}

/* ---- fuzz_vmbus_ring ----------------------------------------------------- */

/* Setup: service, 8 pages, downstream offset 4, VP 0, distinct pages,
 * headers untouched, no initial data. */
static void ring_setup(struct buf *b, uint8_t svc, uint8_t pages_sel,
		       uint8_t off_sel, unsigned npages)
{
	u8(b, svc);
	u8(b, pages_sel);
	u8(b, off_sel);
	u8(b, 0);
	for (unsigned i = 0; i < npages; i++)
		u8(b, 0);
	u8(b, 0);           /* outbound header: nothing */
	u8(b, 0);           /* inbound header: nothing */
	u16(b, 0);          /* no data */
}

/* op 1: a well-formed in-band packet; flags bit from sel bit 2. */
static void ring_write(struct buf *b, bool completion, uint32_t tid,
		       const void *payload, uint8_t len)
{
	u8(b, 1);
	u8(b, completion ? 0x04 : 0x00);
	u32(b, tid);
	u8(b, len);
	put(b, payload, len);
}

static void ring_read(struct buf *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		u8(b, 2);
}

static void seeds_ring(void)
{
	static const char *t = "fuzz_vmbus_ring";
	struct buf b;

	/* Echo: packets out, replies read. 8 pages (sel 4), offset 4 (sel 2). */
	memset(&b, 0, sizeof(b));
	ring_setup(&b, 0, 4, 2, 8);
	for (uint32_t i = 0; i < 6; i++) {
		uint8_t p[40];

		memset(p, (int)('a' + i), sizeof(p));
		ring_write(&b, i & 1, 100 + i, p, (uint8_t)(8 * i + 1));
	}
	ring_read(&b, 6);
	u8(&b, 0);
	save(t, "echo-roundtrip", &b);

	/* Echo on the smallest rings: the host's ring fills, it arms
	 * pending_send_sz, the guest reads and rings. */
	memset(&b, 0, sizeof(b));
	ring_setup(&b, 0, 0, 0, 4);
	for (uint32_t i = 0; i < 24; i++) {
		uint8_t p[200];

		memset(p, (int)i, sizeof(p));
		ring_write(&b, false, i, p, sizeof(p));
	}
	ring_read(&b, 30);
	save(t, "echo-flow-control", &b);

	/* VPCI over the ring: the probe Linux makes. */
	memset(&b, 0, sizeof(b));
	ring_setup(&b, 1, 4, 2, 8);
	{
		struct vpci_query_protocol_version q = {
			VPCI_MSG_QUERY_PROTOCOL_VERSION, VPCI_PROTOCOL_VERSION_1_4,
		};
		struct vpci_message rel = { VPCI_MSG_QUERY_BUS_RELATIONS };
		struct vpci_child_message req = {
			VPCI_MSG_QUERY_RESOURCE_REQUIREMENTS, 0,
		};
		struct vpci_bus_d0_entry d0 = {
			VPCI_MSG_BUS_D0ENTRY, 0, 0x1000000000ull,
		};
		struct vpci_resources_assigned2 a;
		struct vpci_message exit = { VPCI_MSG_BUS_D0EXIT };

		memset(&a, 0, sizeof(a));
		a.type = VPCI_MSG_RESOURCES_ASSIGNED2;
		ring_write(&b, true, 1, &q, sizeof(q));
		ring_write(&b, false, 2, &rel, sizeof(rel));
		ring_write(&b, true, 3, &req, sizeof(req));
		ring_write(&b, true, 4, &d0, sizeof(d0));
		ring_write(&b, true, 5, &a, sizeof(a));
		ring_read(&b, 8);
		u8(&b, 7);          /* host ejects slot 0 */
		u8(&b, 0);
		ring_read(&b, 2);
		ring_write(&b, true, 6, &exit, sizeof(exit));
		ring_read(&b, 2);
	}
	save(t, "vpci-probe", &b);

	/* synthvid over the ring: hyperv_drm's start. */
	memset(&b, 0, sizeof(b));
	ring_setup(&b, 2, 4, 2, 8);
	{
		uint8_t msg[64];
		struct pipe_msg_hdr p = { PIPE_MSG_DATA, 8 + 4 };
		struct synthvid_msg_hdr h = { SYNTHVID_VERSION_REQUEST, 8 + 4 };
		uint32_t ver = SYNTHVID_VERSION_WIN10;
		struct synthvid_vram_location loc = {
			.user_ctx = 0xC0000000ull, .is_vram_gpa_specified = 1,
			.vram_gpa = 0xC0000000ull,
		};

		memcpy(msg, &p, 8);
		memcpy(msg + 8, &h, 8);
		memcpy(msg + 16, &ver, 4);
		ring_write(&b, false, 0, msg, 20);
		p.size = h.size = 8 + sizeof(loc);
		h.type = SYNTHVID_VRAM_LOCATION;
		memcpy(msg, &p, 8);
		memcpy(msg + 8, &h, 8);
		memcpy(msg + 16, &loc, sizeof(loc));
		ring_write(&b, false, 0, msg, (uint8_t)(16 + sizeof(loc)));
		ring_read(&b, 4);
	}
	save(t, "synthvid-start", &b);

	/* Hostile indices: unaligned write index, then beyond the ring. */
	memset(&b, 0, sizeof(b));
	ring_setup(&b, 0, 4, 2, 8);
	ring_write(&b, false, 7, "ping", 4);
	u8(&b, 3);          /* outbound write_index = 0x1234 (raw) */
	u8(&b, 0x80);
	u32(&b, 0x1234);
	u8(&b, 0);          /* signal */
	u8(&b, 6);          /* close */
	u8(&b, 0);
	u8(&b, 6);          /* reopen */
	u8(&b, 1);
	u8(&b, 0);
	u8(&b, 5);          /* outbound indices past the end */
	u32(&b, 0x100000);
	u32(&b, 0);
	save(t, "hostile-indices", &b);
}

/* ---- VPCI (fuzz_vpci, fuzz_cfgwin) ----------------------------------------- */

/* fuzz_vpci packet record: op 0, sel, tsel (table index), tid, len,
 * bytes after the type, then the smart fields. */
enum {
	T_VERSION, T_RELATIONS, T_REQUIREMENTS, T_D0ENTRY, T_D0EXIT,
	T_ASSIGNED, T_ASSIGNED2, T_RELEASED, T_INT1, T_INT2, T_INT3,
	T_DELETE, T_EJECTED,
};

static void vp_packet(struct buf *b, uint8_t tsel, bool completion,
		      const void *msg, uint8_t len)
{
	u8(b, 0);
	u8(b, completion ? 0x03 : 0x02);   /* bit 1: slot from sel (0) */
	u8(b, tsel);
	u8(b, 0x42);
	u8(b, len);
	put(b, (const uint8_t *)msg + 4, len - 4u);
}

static void vp_version(struct buf *b, uint8_t minor)
{
	struct vpci_query_protocol_version q = {
		VPCI_MSG_QUERY_PROTOCOL_VERSION, VPCI_PROTOCOL_VERSION(1, minor),
	};

	vp_packet(b, T_VERSION, true, &q, sizeof(q));
	u8(b, minor);
}

/* A message naming a slot: the slot goes in the smart-field byte. */
static void vp_child(struct buf *b, uint8_t tsel, const void *msg, uint8_t len,
		     uint8_t slot)
{
	u8(b, 0);
	u8(b, 0x01);        /* completion; slot byte follows */
	u8(b, tsel);
	u8(b, 0x43);
	u8(b, len);
	put(b, (const uint8_t *)msg + 4, len - 4u);
	u8(b, slot);
}

static void vp_slot_msg(struct buf *b, uint8_t tsel, uint32_t type,
			uint32_t slot, uint8_t len)
{
	uint8_t msg[256];
	struct vpci_child_message m = { type, slot };

	memset(msg, 0, sizeof(msg));
	memcpy(msg, &m, sizeof(m));
	vp_child(b, tsel, msg, len, (uint8_t)slot);
}

static void vp_d0(struct buf *b, uint8_t addr_sel, uint8_t addr_byte)
{
	struct vpci_bus_d0_entry m = { VPCI_MSG_BUS_D0ENTRY, 0, 0 };

	vp_packet(b, T_D0ENTRY, true, &m, sizeof(m));
	u8(b, addr_sel);
	u8(b, addr_byte);
}

static void vp_probe(struct buf *b)
{
	struct vpci_message rel = { VPCI_MSG_QUERY_BUS_RELATIONS };

	vp_version(b, 5);
	vp_version(b, 4);
	vp_packet(b, T_RELATIONS, false, &rel, sizeof(rel));
	vp_slot_msg(b, T_REQUIREMENTS, VPCI_MSG_QUERY_RESOURCE_REQUIREMENTS, 0, 8);
	vp_slot_msg(b, T_REQUIREMENTS, VPCI_MSG_QUERY_RESOURCE_REQUIREMENTS, 1, 8);
	vp_d0(b, 2, 4);                 /* HIGH + 0x10000 */
	vp_slot_msg(b, T_ASSIGNED2, VPCI_MSG_RESOURCES_ASSIGNED2, 0,
		    sizeof(struct vpci_resources_assigned2));
	vp_slot_msg(b, T_ASSIGNED2, VPCI_MSG_RESOURCES_ASSIGNED2, 1,
		    sizeof(struct vpci_resources_assigned2));
}

/* fuzz_vpci MMIO record: op 2, target sel 0 (window page 1 + u16),
 * then length sel, direction, value. */
static void vp_cfg(struct buf *b, uint16_t reg, uint8_t len_sel, bool write,
		   uint64_t value)
{
	u8(b, 2);
	u8(b, 0);
	u16(b, reg);
	u8(b, len_sel);
	u8(b, write);
	u64(b, value);
}

static void seeds_vpci(void)
{
	static const char *t = "fuzz_vpci";
	struct buf b;

	memset(&b, 0, sizeof(b));
	vp_probe(&b);
	{
		struct vpci_create_interrupt3 ci;

		memset(&ci, 0, sizeof(ci));
		ci.type = VPCI_MSG_CREATE_INTERRUPT3;
		ci.int_desc.vector = 0x40;
		ci.int_desc.vector_count = 1;
		ci.int_desc.processor_count = 1;
		vp_child(&b, T_INT3, &ci, sizeof(ci), 0);
	}
	vp_cfg(&b, 0, 2, false, 0);                           /* vendor/device */
	vp_cfg(&b, 0x10, 2, true, 0xFFFFFFFF);                /* BAR0 sizing */
	vp_cfg(&b, 0x10, 2, false, 0);
	save(t, "linux-probe", &b);

	/* The kdump conflict: the window overlaps the VRAM claim. */
	memset(&b, 0, sizeof(b));
	vp_version(&b, 4);
	vp_d0(&b, 0, 0x10);             /* LOW + 0x10000: inside the VRAM */
	{
		struct vpci_message exit = { VPCI_MSG_BUS_D0EXIT };

		vp_packet(&b, T_D0EXIT, true, &exit, sizeof(exit));
	}
	vp_d0(&b, 2, 1);
	save(t, "d0-overlap-retry", &b);

	/* Host eject, the guest confirms. */
	memset(&b, 0, sizeof(b));
	vp_probe(&b);
	u8(&b, 3);          /* host action: eject slot 1 */
	u8(&b, 0x08);
	vp_slot_msg(&b, T_EJECTED, VPCI_MSG_EJECTION_COMPLETE, 1,
		    sizeof(struct vpci_ejection_complete));
	vp_slot_msg(&b, T_RELEASED, VPCI_MSG_RESOURCES_RELEASED, 0, 8);
	u8(&b, 3);          /* channel reset */
	u8(&b, 0x03);
	save(t, "eject", &b);

	/* Old protocol: 1.1 messages. */
	memset(&b, 0, sizeof(b));
	vp_version(&b, 1);
	vp_d0(&b, 2, 8);
	vp_slot_msg(&b, T_ASSIGNED, VPCI_MSG_RESOURCES_ASSIGNED, 0,
		    sizeof(struct vpci_resources_assigned));
	{
		struct vpci_create_interrupt ci;

		memset(&ci, 0, sizeof(ci));
		ci.int_desc.vector = 0x41;
		ci.int_desc.vector_count = 1;
		ci.type = VPCI_MSG_CREATE_INTERRUPT;
		ci.win_slot = 1;
		ci.int_desc.cpu_mask = ~0ull;
		vp_child(&b, T_INT1, &ci, sizeof(ci), 1);
	}
	save(t, "protocol-1.1", &b);
}

/* fuzz_cfgwin: bring-up bytes, then records. */
static void cw_bring_up(struct buf *b, uint8_t minor)
{
	u8(b, (uint8_t)(minor - 1));
	u8(b, 0x01 | (3 << 2));   /* window: HIGH + 3 * 0x2000 */
	u8(b, 0);                 /* BAR64 at HIGH + 1 MiB + k * 16 KiB */
	u8(b, 2);
	u8(b, 0);                 /* BAR32 after the VRAM + 1 MiB + k * 256 */
	u8(b, 5);
}

static void cw_bar_read(struct buf *b, uint8_t slot, uint16_t off, uint8_t len_sel)
{
	u8(b, (uint8_t)(3 | slot << 3));
	u16(b, off);
	u8(b, len_sel);
	u8(b, 0);
	u64(b, 0);
}

static void seeds_cfgwin(void)
{
	static const char *t = "fuzz_cfgwin";
	struct buf b;

	memset(&b, 0, sizeof(b));
	cw_bring_up(&b, 4);
	cw_bar_read(&b, 0, 0, 2);         /* magic */
	cw_bar_read(&b, 0, 4, 2);         /* identity */
	cw_bar_read(&b, 1, 0, 3);         /* 8-byte read */
	u8(&b, 3 | 0 << 3);               /* scratch write, slot 0 */
	u16(&b, 8);
	u8(&b, 3);
	u8(&b, 1);
	u64(&b, 0x1122334455667788ull);
	cw_bar_read(&b, 0, 8, 3);
	cw_bar_read(&b, 0, 0x2000, 2);    /* MSI-X table */
	u8(&b, 2);                        /* select slot 0, read vendor */
	u16(&b, 0);
	u8(&b, 2);
	u32(&b, 0);
	save(t, "bars-mapped", &b);

	/* Move a BAR while decoding, size it, turn decode off. */
	memset(&b, 0, sizeof(b));
	cw_bring_up(&b, 3);
	u8(&b, 5);                        /* slot 1 BAR0 all-ones */
	u8(&b, 0x01);
	u8(&b, 5);                        /* slot 1 BAR0 = new base */
	u8(&b, 0x09);
	u8(&b, 3);
	u16(&b, 0x1234);
	u8(&b, 5);                        /* slot 0 decode off */
	u8(&b, 0x18);
	u8(&b, 0);
	cw_bar_read(&b, 1, 0, 2);
	save(t, "bar-move", &b);

	/* Page 0 of the window: selector reads and odd accesses. */
	memset(&b, 0, sizeof(b));
	cw_bring_up(&b, 2);
	for (uint16_t off = 0; off < 16; off += 4) {
		u8(&b, 0);
		u16(&b, off);
		u8(&b, 2);
		u8(&b, 0);
		u64(&b, 0);
	}
	u8(&b, 0);                        /* selector = 1 */
	u16(&b, 0);
	u8(&b, 2);
	u8(&b, 1);
	u64(&b, 1);
	u8(&b, 0);                        /* 2-byte read of config 0x0e */
	u16(&b, 0x100e);
	u8(&b, 1);
	u8(&b, 0);
	u64(&b, 0);
	save(t, "window-page0", &b);
}

/* ---- fuzz_synthvid ---------------------------------------------------------- */

/* op 0: sel 0 (u8 body length, Linux header sizes), tsel = table index. */
static void sv_msg(struct buf *b, uint8_t tsel, const void *body, uint8_t len)
{
	u8(b, 0);
	u8(b, 0);
	u8(b, tsel);
	u8(b, len);
	put(b, body, len);
}

static void seeds_synthvid(void)
{
	static const char *t = "fuzz_synthvid";
	struct buf b;
	uint32_t ver = SYNTHVID_VERSION_WIN10;
	uint8_t max = 64;
	struct synthvid_vram_location loc = { 0 };
	struct synthvid_situation_update su;
	uint8_t dirt[2 + 16];
	struct synthvid_rect r = { 0, 0, 1024, 768 };
	struct synthvid_pointer_position pp = { 1, 0, 10, 10 };
	struct synthvid_pointer_shape ps;

	memset(&su, 0, sizeof(su));
	su.video_output_count = 1;
	su.output[0].active = 1;
	su.output[0].depth_bits = 32;
	su.output[0].width_pixels = 1024;
	su.output[0].height_pixels = 768;
	su.output[0].pitch_bytes = 4096;
	dirt[0] = 0;
	dirt[1] = 1;
	memcpy(dirt + 2, &r, sizeof(r));
	memset(&ps, 0, sizeof(ps));
	ps.part_idx = 0xFF;
	ps.is_argb = 1;
	ps.width = 32;
	ps.height = 32;

	/* hyperv_drm's sequence. */
	memset(&b, 0, sizeof(b));
	u8(&b, 2);                            /* 8 MiB, no other claim */
	sv_msg(&b, 0, &ver, sizeof(ver));
	u8(&b, 2);                            /* smart version: 3.5 */
	sv_msg(&b, 6, &max, 1);
	sv_msg(&b, 1, &loc, sizeof(loc));
	u8(&b, 0);                            /* gpa LOW + 0x1000 * k */
	u8(&b, 0x80);
	sv_msg(&b, 2, &su, sizeof(su));
	sv_msg(&b, 5, dirt, sizeof(dirt));
	sv_msg(&b, 3, &pp, sizeof(pp));
	sv_msg(&b, 4, &ps, sizeof(ps));
	save(t, "hyperv-drm", &b);

	/* Older version, VRAM moved twice, one move into a claimed window. */
	memset(&b, 0, sizeof(b));
	u8(&b, 4 | 1);                        /* 2 MiB; vpci0 window claimed */
	u8(&b, 2);                            /* window at HIGH + 0x4000 * 0x10 */
	u8(&b, 0x10);
	sv_msg(&b, 0, &ver, sizeof(ver));
	u8(&b, 1);                            /* 3.2 */
	sv_msg(&b, 1, &loc, sizeof(loc));
	u8(&b, 0);
	u8(&b, 0x00);
	sv_msg(&b, 1, &loc, sizeof(loc));
	u8(&b, 0);
	u8(&b, 0x40);                         /* overlaps the window */
	sv_msg(&b, 1, &loc, sizeof(loc));
	u8(&b, 2);                            /* HIGH */
	u8(&b, 0x10);
	u8(&b, 3 | 0 << 2);                   /* channel closed */
	u8(&b, 3 | 1 << 2);                   /* and opened */
	save(t, "vram-moves", &b);

	/* The map operation fails; a truncated and an unknown message. */
	memset(&b, 0, sizeof(b));
	u8(&b, 0);
	sv_msg(&b, 0, &ver, sizeof(ver));
	u8(&b, 2);
	u8(&b, 2 | 4 | 8);                    /* map fails */
	sv_msg(&b, 1, &loc, sizeof(loc));
	u8(&b, 0);
	u8(&b, 0x20);
	u8(&b, 2 | 4);                        /* map works */
	u8(&b, 0);                            /* truncated below the headers */
	u8(&b, 8);
	u8(&b, 0);
	u8(&b, 0);
	u8(&b, 7);
	sv_msg(&b, 8, &ver, sizeof(ver));     /* VERSION_RESPONSE from a guest */
	save(t, "map-failure", &b);

	/* Regression: a POINTER_SHAPE body of exactly the header fields
	 * (18 bytes, no data[]) was copied as 22 bytes. */
	memset(&b, 0, sizeof(b));
	u8(&b, 2);
	sv_msg(&b, 0, &ver, sizeof(ver));
	u8(&b, 2);
	sv_msg(&b, 4, &ps, (uint8_t)offsetof(struct synthvid_pointer_shape, data));
	save(t, "pointer-shape-no-data", &b);

	/* Regression: VRAM_LOCATION at GPA 0 before any placement was
	 * acknowledged (echoed) with nothing claimed or mapped. */
	memset(&b, 0, sizeof(b));
	u8(&b, 2);
	sv_msg(&b, 0, &ver, sizeof(ver));
	u8(&b, 2);
	sv_msg(&b, 1, &loc, sizeof(loc));
	u8(&b, 7);                            /* gpa: raw u64 0 */
	u64(&b, 0);
	save(t, "vram-at-gpa-0", &b);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0755) != 0 && errno != EEXIST) {
		perror(outdir);
		return 1;
	}
	seeds_control();
	seeds_gpadl();
	seeds_ring();
	seeds_vpci();
	seeds_cfgwin();
	seeds_synthvid();
	return 0;
}
