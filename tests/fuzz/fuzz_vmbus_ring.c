// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the ring buffers of an open channel.  A connected host
 * serves echo (relid 1), a VPCI bus (relid 2) and synthvid (relid 3);
 * the guest opens one of them on a ring GPADL whose pages the input
 * chooses (scattered, and possibly the same page twice), then the input
 * drives both sides of the rings the host reads and writes:
 *
 *   setup:  service, page count, downstream offset, target VP, one PFN
 *           byte per page, then the initial ring headers and data bytes;
 *   op & 7  0  doorbell (HvSignalEvent) for the channel
 *           1  the guest writes a packet into its ring (type, flags,
 *              id and payload from the input; sometimes offset8, len8
 *              and the index step lie) and rings
 *           2  the guest reads a packet from the host's ring, and rings
 *              if the host waits on pending_send_sz (as Linux does)
 *           3  the guest overwrites a word of a ring header
 *           4  the guest overwrites bytes of a ring's data area
 *           5  the guest sets a ring's indices to any value
 *           6  control: close, reopen, modify, teardown, unload
 *           7  host: eject a VPCI function, rescind, VM reset
 *
 * The host's ring reader (vmbus_chan_peek/consume) and writer
 * (vmbus_chan_send, from the services' replies) thus see hostile
 * indices, descriptors and packets.
 */
#include "tests/fuzz/fuzz_guest.h"

#include "vmbus/synthvid.h"
#include "vmbus/vpci.h"

#define RING_HANDLE 0x1000u
#define MAX_RING_PAGES 16u

static struct fg guest;

struct gring {
	uint8_t *ram;
	const uint64_t *pfns;         /* [0] header, then data pages */
	uint32_t npages;
	uint32_t size;
};

struct world {
	struct fg *g;
	struct memmap map;
	struct mmio_registry reg;
	struct mmio_bus mmio;
	struct vpci_bus *vpci;
	struct synthvid *sv;
	uint32_t relid;
	uint32_t npages, off, target_vp;
	uint64_t pfns[MAX_RING_PAGES];
	struct gring out, in;         /* guest->host, host->guest */
};

/* ---- the guest side of a ring (written from facts §6) ------------------ */

static struct vmbus_ring_header *gr_hdr(const struct gring *r)
{
	return (struct vmbus_ring_header *)(void *)(r->ram + r->pfns[0] * FG_PAGE);
}

/* Copy to or from the data area at `off` (any value: taken modulo the
 * size), wrapping; len is cut to the size. */
static void gr_copy(const struct gring *r, uint32_t off, void *buf, uint32_t len,
		    bool to_ring)
{
	uint8_t *p = buf;

	off %= r->size;
	if (len > r->size)
		len = r->size;
	while (len) {
		uint32_t in_page = off % FG_PAGE, chunk = FG_PAGE - in_page;
		uint8_t *gp = r->ram + r->pfns[1 + off / FG_PAGE] * FG_PAGE + in_page;

		if (chunk > len)
			chunk = len;
		if (to_ring)
			memcpy(gp, p, chunk);
		else
			memcpy(p, gp, chunk);
		p += chunk;
		len -= chunk;
		off = (off + chunk) % r->size;
	}
}

/* A sane copy of an index the fuzzer may have made insane. */
static uint32_t gr_index(const struct gring *r, uint32_t v)
{
	return (v % r->size) & ~7u;
}

/* A lying descriptor: these offset8/len8 replace the true ones, and the
 * write index moves by `advance` bytes (0: as the lie says). */
struct gr_lie {
	bool on;
	uint16_t offset8, len8;
	uint32_t advance;
};

/* Write one packet as Linux does (or with a lie).  True if the reader
 * must be signalled. */
static bool gr_write(const struct gring *r, uint16_t type, uint16_t flags,
		     uint64_t tid, const uint8_t *payload, uint32_t len,
		     const struct gr_lie *lie)
{
	struct vmbus_ring_header *h = gr_hdr(r);
	uint32_t write = gr_index(r, h->write_index);
	uint32_t read = gr_index(r, h->read_index);
	uint32_t bytes = vmbus_packet_ring_bytes(16 + len);
	uint32_t padded = bytes - 8;
	struct vmbus_packet_desc d = {
		.type = type, .offset8 = 2, .len8 = (uint16_t)(padded / 8),
		.flags = flags, .trans_id = tid,
	};
	uint8_t zeros[8] = { 0 };
	uint64_t trailer = (uint64_t)write << 32;

	if (padded / 8 > UINT16_MAX ||
	    !vmbus_ring_can_write(write, read, r->size, bytes))
		return false;
	gr_copy(r, write, &d, 16, true);
	if (len)
		gr_copy(r, write + 16, (void *)(uintptr_t)payload, len, true);
	if (padded > 16 + len)
		gr_copy(r, write + 16 + len, zeros, padded - 16 - len, true);
	gr_copy(r, write + padded, &trailer, 8, true);
	if (lie && lie->on) {
		d.offset8 = lie->offset8;
		d.len8 = lie->len8;
		gr_copy(r, write, &d, 16, true);
		bytes = lie->advance ? lie->advance & ~7u
				     : ((uint32_t)lie->len8 * 8 + 8) % r->size;
	}
	h->write_index = (write + bytes) % r->size;
	return vmbus_ring_should_signal_reader(write, h->read_index,
					       h->interrupt_mask);
}

/* Read one packet as Linux does (whatever it holds); true if the writer
 * waits on pending_send_sz and must be signalled. */
static bool gr_read(const struct gring *r)
{
	struct vmbus_ring_header *h = gr_hdr(r);
	uint32_t write = gr_index(r, h->write_index);
	uint32_t read = gr_index(r, h->read_index);
	uint32_t avail = vmbus_ring_avail_read(write, read, r->size);
	struct vmbus_packet_desc d;
	uint32_t bytes, before, after;

	if (avail < 24)
		return false;
	gr_copy(r, read, &d, sizeof(d), false);
	bytes = (uint32_t)d.len8 * 8 + 8;
	if (bytes > avail)
		bytes = avail;           /* the host wrote nonsense: skip all */
	before = vmbus_ring_avail_write(write, read, r->size);
	h->read_index = (read + bytes) % r->size;
	after = vmbus_ring_avail_write(write, (read + bytes) % r->size, r->size);
	return vmbus_ring_should_signal_writer(h->feature_bits,
					       h->pending_send_sz, before, after);
}

/* ---- services -------------------------------------------------------- */

static int fake_map(void *ctx, uint64_t gpa, uint64_t size, void *host)
{
	(void)ctx;
	(void)gpa;
	(void)size;
	FZ_CHECK(host);
	return 0;
}

static void fake_unmap(void *ctx, uint64_t gpa, uint64_t size)
{
	(void)ctx;
	(void)gpa;
	(void)size;
}

static void world_services(struct world *w)
{
	static const struct synthvid_vram_ops ops = { fake_map, fake_unmap, NULL };
	struct vmbus_service echo = {
		.name = "echo",
		.class_id = VMBUS_CLASS_ECHO,
		.instance_id = VMBUS_ECHO_INSTANCE,
		.ops = &vmbus_echo_ops,
	};
	struct vpci_bus_config c;
	char err[128];

	fz_memmap(&w->map);
	mmio_registry_init(&w->reg, &w->map);
	vpci_bus_config_default(&c, 0, FG_NR_VPS);
	w->vpci = vpci_bus_create(&c, &w->reg, &w->mmio, err, sizeof(err));
	FZ_CHECK(w->vpci);
	w->sv = synthvid_create(&w->reg, SYNTHVID_DEFAULT_MMIO_MB, &ops);
	FZ_CHECK(w->sv);
	FZ_CHECK(vmbus_register_service(w->g->host, &echo) == 0);
	FZ_CHECK(vmbus_register_service(w->g->host, vpci_bus_service(w->vpci)) == 1);
	FZ_CHECK(vmbus_register_service(w->g->host, synthvid_service(w->sv)) == 2);
}

static void world_fini(struct world *w)
{
	fg_fini(w->g);
	vpci_bus_destroy(w->vpci);
	synthvid_destroy(w->sv);
	FZ_CHECK(w->mmio.n == 0);
}

/* ---- setup from the input ------------------------------------------------ */

static void ring_views(struct world *w)
{
	w->out = (struct gring){ w->g->ram, w->pfns, w->off,
				 (w->off - 1) * FG_PAGE };
	w->in = (struct gring){ w->g->ram, w->pfns + w->off, w->npages - w->off,
				(w->npages - w->off - 1) * FG_PAGE };
}

static void fill_header(struct fz *f, const struct gring *r)
{
	struct vmbus_ring_header *h = gr_hdr(r);
	uint8_t which = fz_u8(f);

	if (which & 1)
		h->write_index = which & 0x10 ? fz_u32(f) : (uint32_t)fz_u16(f) * 8;
	if (which & 2)
		h->read_index = which & 0x20 ? fz_u32(f) : (uint32_t)fz_u16(f) * 8;
	if (which & 4)
		h->interrupt_mask = fz_u32(f);
	if (which & 8)
		h->pending_send_sz = fz_u32(f);
	if (which & 0x40)
		h->feature_bits = fz_u32(f);
}

static bool setup(struct world *w, struct fz *f)
{
	uint8_t svc = fz_u8(f);
	uint16_t data_len;
	uint8_t data[2 * FG_PAGE];

	w->relid = 1 + svc % 3;
	w->npages = 4 + fz_u8(f) % (MAX_RING_PAGES - 3);
	w->off = 2 + fz_u8(f) % (w->npages - 3);
	w->target_vp = fz_u8(f) % FG_NR_VPS;
	for (uint32_t i = 0; i < w->npages; i++) {
		uint8_t b = fz_u8(f);

		/* Mostly distinct pages; the input may repeat one. */
		w->pfns[i] = FG_FIRST_FREE_PFN +
			     (svc & 0x80 ? b : (uint32_t)(i * 7 + b % 5)) %
			     (FG_RAM_PAGES - FG_FIRST_FREE_PFN);
	}
	if (!fg_connect(w->g, svc & 0x40 ? VMBUS_VERSION_WIN10_V4_1
					  : VMBUS_VERSION_WIN10_V5_3))
		return false;
	fg_request_offers(w->g);
	if (fg_gpadl(w->g, w->relid, RING_HANDLE, w->pfns, w->npages) != 0)
		return false;
	if (fg_open(w->g, w->relid, RING_HANDLE, w->off, w->target_vp) != 0)
		return false;
	ring_views(w);
	fill_header(f, &w->out);
	fill_header(f, &w->in);
	data_len = fz_u16(f) % sizeof(data);
	fz_bytes(f, data, data_len);
	gr_copy(&w->out, 0, data, data_len, true);
	return true;
}

/* ---- the ops ---------------------------------------------------------------- */

static void guest_write(struct world *w, struct fz *f)
{
	static const uint16_t types[4] = {
		VMBUS_PKT_DATA_INBAND, VMBUS_PKT_DATA_INBAND, VMBUS_PKT_COMP,
		VMBUS_PKT_DATA_GPA_DIRECT,
	};
	uint8_t sel = fz_u8(f);
	uint16_t type = sel & 0x80 ? fz_u16(f) : types[sel & 3];
	uint16_t flags = sel & 0x40 ? fz_u16(f) : (sel >> 2) & 1;
	uint64_t tid = fz_u32(f);
	uint32_t len = sel & 0x20 ? fz_u16(f) : fz_u8(f);
	uint8_t *payload = malloc(len ? len : 1);
	struct gr_lie lie = { .on = false };

	FZ_CHECK(payload);
	fz_bytes(f, payload, len);
	if (sel & 0x08) {
		uint8_t how = fz_u8(f);

		lie.on = true;
		lie.offset8 = how & 1 ? fz_u16(f) : (uint16_t)(how >> 5);
		lie.len8 = how & 2 ? fz_u16(f)
				   : (uint16_t)((16 + len + 7) / 8 + (how >> 6) - 1);
		lie.advance = how & 4 ? fz_u32(f) : 0;
	}
	if (gr_write(&w->out, type, flags, tid, payload, len, &lie) ||
	    (sel & 0x10))
		fg_signal(w->g, 0, w->relid);
	free(payload);
}

static void poke_header(struct world *w, struct fz *f)
{
	static const size_t fields[5] = {
		offsetof(struct vmbus_ring_header, write_index),
		offsetof(struct vmbus_ring_header, read_index),
		offsetof(struct vmbus_ring_header, interrupt_mask),
		offsetof(struct vmbus_ring_header, pending_send_sz),
		offsetof(struct vmbus_ring_header, feature_bits),
	};
	uint8_t sel = fz_u8(f);
	const struct gring *r = sel & 1 ? &w->in : &w->out;
	uint32_t v = sel & 0x80 ? fz_u32(f) : (uint32_t)fz_u16(f) * 8;

	memcpy((uint8_t *)gr_hdr(r) + fields[(sel >> 1) % 5], &v, sizeof(v));
	if (sel & 0x40)
		fg_signal(w->g, 0, w->relid);
}

static void poke_data(struct world *w, struct fz *f)
{
	uint8_t sel = fz_u8(f);
	const struct gring *r = sel & 1 ? &w->in : &w->out;
	uint32_t off = fz_u16(f);
	uint8_t bytes[64];
	uint32_t len = fz_u8(f) % sizeof(bytes);

	fz_bytes(f, bytes, len);
	gr_copy(r, off, bytes, len, true);
	if (sel & 0x40)
		fg_signal(w->g, 0, w->relid);
}

static void control(struct world *w, struct fz *f)
{
	uint8_t sel = fz_u8(f);

	switch (sel & 7) {
	case 0:
		fg_relid_msg(w->g, VMBUS_MSG_CLOSECHANNEL, w->relid);
		break;
	case 1:
		fg_open(w->g, w->relid, RING_HANDLE, w->off, fz_u8(f) % 3);
		break;
	case 2: {
		struct vmbus_msg_modify_channel m = {
			.hdr.msgtype = VMBUS_MSG_MODIFYCHANNEL,
			.child_relid = w->relid,
			.target_vp = fz_u8(f) % 3,
		};

		fg_post(w->g, 0, VMBUS_MESSAGE_CONNECTION_ID, &m, sizeof(m));
		break;
	}
	case 3: {
		struct vmbus_msg_gpadl_teardown t = {
			.hdr.msgtype = VMBUS_MSG_GPADL_TEARDOWN,
			.child_relid = w->relid,
			.gpadl = RING_HANDLE,
		};

		fg_post(w->g, 0, VMBUS_MESSAGE_CONNECTION_ID, &t, sizeof(t));
		break;
	}
	case 4:
		/* A second GPADL on the same pages, then open on it. */
		if (fg_gpadl(w->g, w->relid, RING_HANDLE + 1 + (sel >> 4),
			     w->pfns, w->npages) == 0)
			fg_open(w->g, w->relid, RING_HANDLE + 1 + (sel >> 4),
				w->off, 0);
		break;
	case 5: {
		struct vmbus_msg_header u = { .msgtype = VMBUS_MSG_UNLOAD };

		fg_post(w->g, 0, VMBUS_MESSAGE_CONNECTION_ID, &u, sizeof(u));
		fg_drain(w->g);
		if (sel & 0x80 && fg_connect(w->g, VMBUS_VERSION_WIN10_V5_3)) {
			fg_request_offers(w->g);
			if (fg_gpadl(w->g, w->relid, RING_HANDLE, w->pfns,
				     w->npages) == 0)
				fg_open(w->g, w->relid, RING_HANDLE, w->off, 0);
		}
		break;
	}
	default:
		/* The guest rings another channel's bell. */
		fg_signal(w->g, sel >> 7, 1 + (sel >> 3) % 4);
		break;
	}
}

static void host_action(struct world *w, struct fz *f)
{
	uint8_t sel = fz_u8(f);

	switch (sel & 3) {
	case 0:
	case 1:
		vpci_bus_eject(w->vpci, (sel >> 2) & 1);
		break;
	case 2:
		vmbus_rescind(w->g->host, (int)w->relid - 1);
		break;
	default:
		vmbus_host_reset(w->g->host);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct world w;
	struct fz f = fz_of(data, size);
	unsigned ops = 0;

	fz_process_setup();
	memset(&w, 0, sizeof(w));
	w.g = &guest;
	fg_init(w.g);
	world_services(&w);
	if (setup(&w, &f)) {
		while (fz_more(&f) && ops++ < 256) {
			uint8_t op = fz_u8(&f);

			switch (op & 7) {
			case 0:
				fg_signal(w.g, op >> 7, w.relid);
				break;
			case 1:
				guest_write(&w, &f);
				break;
			case 2:
				if (gr_read(&w.in) || (op & 0x80))
					fg_signal(w.g, 0, w.relid);
				break;
			case 3:
				poke_header(&w, &f);
				break;
			case 4:
				poke_data(&w, &f);
				break;
			case 5: {
				const struct gring *r = op & 0x80 ? &w.in : &w.out;

				gr_hdr(r)->write_index = fz_u32(&f);
				gr_hdr(r)->read_index = fz_u32(&f);
				fg_signal(w.g, 0, w.relid);
				break;
			}
			case 6:
				control(&w, &f);
				break;
			default:
				host_action(&w, &f);
				break;
			}
			fg_drain(w.g);
			fg_check_host(w.g);
		}
	}
	world_fini(&w);
	return 0;
}
