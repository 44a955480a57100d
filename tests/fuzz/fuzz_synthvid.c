// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the synthetic video protocol (synthvid_handle, the pure
 * entry point) with an MMIO registry and fake VRAM map operations.  The
 * input starts with the VRAM size (1, 2, 8 or 16 MiB) and an optional
 * VPCI config window already claimed, then is a sequence of records:
 *
 *   op & 3  0-1  a message: pipe header type, synthvid type (one of the
 *                protocol's or any), header size field, body length and
 *                bytes; a VRAM_LOCATION's GPA is mostly picked the way
 *                a guest would pick it
 *           2    the VMM's map operation starts failing or works again;
 *                the send function reports a full ring or accepts
 *           3    channel close/open, a new boot, another owner's claim
 *
 * Each message is an exact-size heap copy (reading past it is caught)
 * and is traced through the service's describe() both ways.  An ACK that
 * echoes a VRAM_LOCATION's user_ctx must mean the VRAM is now at that
 * GPA.  After each record: the VRAM claim, the fake mapping and the mode
 * must agree.
 */
#include "tests/fuzz/fuzz_common.h"

#include "vmbus/synthvid.h"

struct mapping {
	uint64_t gpa, size;
	bool mapped;
	bool fail;
	unsigned maps, unmaps;
};

struct world {
	struct memmap map;
	struct mmio_registry reg;
	struct mapping mapping;
	struct synthvid *sv;
	int send_rc;
	unsigned sent;
	/* The VRAM_LOCATION being handled: an ACK that echoes its user_ctx
	 * says the host now holds the VRAM at its GPA. */
	bool loc_pending;
	uint64_t loc_ctx, loc_gpa;
};

static int fake_map(void *ctx, uint64_t gpa, uint64_t size, void *host)
{
	struct mapping *m = ctx;

	FZ_CHECK(host);
	/* One VRAM, mapped once: the old mapping went first. */
	FZ_CHECK(!m->mapped);
	if (m->fail)
		return -1;
	m->gpa = gpa;
	m->size = size;
	m->mapped = true;
	m->maps++;
	return 0;
}

static void fake_unmap(void *ctx, uint64_t gpa, uint64_t size)
{
	struct mapping *m = ctx;

	FZ_CHECK(m->mapped && m->gpa == gpa && m->size == size);
	m->mapped = false;
	m->unmaps++;
}

static void describe(struct world *w, bool to_guest, const uint8_t *msg,
		     uint32_t len)
{
	const struct vmbus_service *svc = synthvid_service(w->sv);
	struct vmbus_pkt pkt;
	struct trace_rec r;

	memset(&pkt, 0, sizeof(pkt));
	pkt.desc.type = VMBUS_PKT_DATA_INBAND;
	pkt.desc.offset8 = 2;
	pkt.payload = msg;
	pkt.payload_len = len;
	if (trace_begin(&r, to_guest ? TRACE_H2G : TRACE_G2H, 3, NULL)) {
		svc->ops->describe(svc->ctx, to_guest, &pkt, &r);
		trace_end(&r);
	}
}

static int capture(void *ctx, const void *msg, uint32_t len)
{
	struct world *w = ctx;
	struct pipe_msg_hdr p;
	struct synthvid_msg_hdr h;
	uint8_t *copy;

	FZ_CHECK(msg && len >= SYNTHVID_HDRS_SIZE && len <= 1024);
	memcpy(&p, msg, sizeof(p));
	memcpy(&h, (const uint8_t *)msg + sizeof(p), sizeof(h));
	FZ_CHECK(p.type == PIPE_MSG_DATA && p.size == len - sizeof(p));
	FZ_CHECK(synthvid_msg_name(h.type) != NULL);
	if (h.type == SYNTHVID_VRAM_LOCATION_ACK) {
		struct synthvid_vram_location_ack ack;

		FZ_CHECK(w->loc_pending &&
			 len >= SYNTHVID_HDRS_SIZE + sizeof(ack));
		memcpy(&ack, (const uint8_t *)msg + SYNTHVID_HDRS_SIZE,
		       sizeof(ack));
		if (ack.user_ctx == w->loc_ctx)
			FZ_CHECK(w->loc_gpa != 0 && w->sv->vram_gpa == w->loc_gpa);
		else
			FZ_CHECK(ack.user_ctx == ~w->loc_ctx);
	}
	if (w->send_rc)
		return w->send_rc;
	w->sent++;
	copy = malloc(len);
	FZ_CHECK(copy);
	memcpy(copy, msg, len);
	describe(w, true, copy, len);
	free(copy);
	return 0;
}

static const uint32_t types[] = {
	SYNTHVID_VERSION_REQUEST, SYNTHVID_VRAM_LOCATION,
	SYNTHVID_SITUATION_UPDATE, SYNTHVID_POINTER_POSITION,
	SYNTHVID_POINTER_SHAPE, SYNTHVID_DIRT, SYNTHVID_RESOLUTION_REQUEST,
	SYNTHVID_FEATURE_CHANGE, SYNTHVID_VERSION_RESPONSE, SYNTHVID_ERROR,
};
#define NR_TYPES (sizeof(types) / sizeof(types[0]))

static void message(struct world *w, struct fz *f)
{
	uint8_t sel = fz_u8(f), tsel = fz_u8(f);
	uint32_t body_len = sel & 0x80 ? fz_u16(f) % 4096 : fz_u8(f);
	uint32_t len = (uint32_t)SYNTHVID_HDRS_SIZE + body_len;
	struct pipe_msg_hdr p = { PIPE_MSG_DATA, 0 };
	struct synthvid_msg_hdr h;
	uint8_t *buf;

	h.type = tsel & 0x80 ? fz_u32(f) : types[tsel % NR_TYPES];
	/* Linux counts header + body, OpenVMM the body; or anything. */
	p.size = (uint32_t)sizeof(h) + body_len;
	h.size = sel & 1 ? body_len : p.size;
	if (sel & 2)
		p.type = fz_u32(f);
	if (sel & 4)
		h.size = fz_u32(f);
	if (sel & 8)
		len = fz_u8(f) % (uint32_t)SYNTHVID_HDRS_SIZE;   /* truncated */
	buf = malloc(len ? len : 1);
	FZ_CHECK(buf);
	{
		uint8_t hdrs[SYNTHVID_HDRS_SIZE];

		memcpy(hdrs, &p, sizeof(p));
		memcpy(hdrs + sizeof(p), &h, sizeof(h));
		memcpy(buf, hdrs, len < sizeof(hdrs) ? len : sizeof(hdrs));
	}
	if (len > SYNTHVID_HDRS_SIZE) {
		uint8_t *body = buf + SYNTHVID_HDRS_SIZE;

		fz_bytes(f, body, body_len);
		if (h.type == SYNTHVID_VRAM_LOCATION && !(tsel & 0x40) &&
		    body_len >= sizeof(struct synthvid_vram_location)) {
			uint64_t gpa = fz_addr(f) & ~0xFFFull;

			memcpy(body + offsetof(struct synthvid_vram_location, user_ctx),
			       &gpa, sizeof(gpa));
			body[offsetof(struct synthvid_vram_location,
				      is_vram_gpa_specified)] = 1;
			memcpy(body + offsetof(struct synthvid_vram_location, vram_gpa),
			       &gpa, sizeof(gpa));
		}
		if (h.type == SYNTHVID_VERSION_REQUEST && !(tsel & 0x40) &&
		    body_len >= 4) {
			static const uint32_t versions[4] = {
				SYNTHVID_VERSION_WIN7, SYNTHVID_VERSION_WIN8,
				SYNTHVID_VERSION_WIN10, SYNTHVID_VERSION(3, 9),
			};
			memcpy(body, &versions[fz_u8(f) & 3], 4);
		}
	}
	w->loc_pending = false;
	if (h.type == SYNTHVID_VRAM_LOCATION && len >= SYNTHVID_HDRS_SIZE +
	    sizeof(struct synthvid_vram_location)) {
		struct synthvid_vram_location loc;

		memcpy(&loc, buf + SYNTHVID_HDRS_SIZE, sizeof(loc));
		w->loc_pending = true;
		w->loc_ctx = loc.user_ctx;
		w->loc_gpa = loc.vram_gpa;
	}
	describe(w, false, buf, len);
	synthvid_handle(w->sv, buf, len, capture, w);
	free(buf);
}

static void check(struct world *w)
{
	const struct synthvid *sv = w->sv;
	struct synthvid_mode mode;
	const uint8_t *fb = synthvid_framebuffer(sv, &mode);
	struct mmio_claim c;

	FZ_CHECK(mmio_registry_consistent(&w->reg));
	if (sv->vram_gpa) {
		/* Placed: claimed by synthvid and mapped, exactly there. */
		FZ_CHECK(mmio_registry_lookup(&w->reg, sv->vram_gpa,
					      sv->vram_size, &c));
		FZ_CHECK(c.kind == MMIO_CLAIM_VRAM && c.base == sv->vram_gpa &&
			 c.size == sv->vram_size &&
			 strcmp(c.owner, SYNTHVID_OWNER) == 0);
		FZ_CHECK(w->mapping.mapped && w->mapping.gpa == sv->vram_gpa);
	} else {
		FZ_CHECK(!w->mapping.mapped);
	}
	if (fb) {
		FZ_CHECK(mode.active && mode.width && mode.height);
		FZ_CHECK((uint64_t)mode.pitch * mode.height <= sv->vram_size);
		FZ_CHECK((uint64_t)mode.width * (mode.depth_bits / 8) <= mode.pitch);
		/* The last byte of the frame is inside the VRAM. */
		(void)*(volatile const uint8_t *)(fb + (uint64_t)mode.pitch *
						  mode.height - 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t sizes[4] = { 1, 2, 8, 16 };
	static struct world w;
	struct fz f = fz_of(data, size);
	struct synthvid_vram_ops ops = { fake_map, fake_unmap, &w.mapping };
	uint8_t cfg = fz_u8(&f);
	unsigned records = 0;

	fz_process_setup();
	memset(&w, 0, sizeof(w));
	fz_memmap(&w.map);
	mmio_registry_init(&w.reg, &w.map);
	mmio_registry_new_boot(&w.reg);
	if (cfg & 4)
		mmio_registry_claim(&w.reg, "vpci0", MMIO_CLAIM_CONFIG_WINDOW,
				    fz_addr(&f), 0x2000, NULL);
	w.sv = synthvid_create(&w.reg, sizes[cfg & 3], &ops);
	FZ_CHECK(w.sv);
	while (fz_more(&f) && records++ < 512) {
		uint8_t op = fz_u8(&f);

		switch (op & 3) {
		case 0:
		case 1:
			message(&w, &f);
			break;
		case 2:
			if (op & 4)
				w.mapping.fail = op & 8;
			else
				w.send_rc = op & 8 ? -1 : 0;
			break;
		default: {
			const struct vmbus_service *svc = synthvid_service(w.sv);

			switch ((op >> 2) & 3) {
			case 0:
				svc->ops->close(svc->ctx, NULL);
				break;
			case 1:
				svc->ops->open(svc->ctx, NULL);
				break;
			case 2:
				mmio_registry_new_boot(&w.reg);
				break;
			default:
				if (op & 0x10)
					mmio_registry_release(&w.reg, "vpci0",
							      MMIO_CLAIM_CONFIG_WINDOW,
							      UINT64_MAX);
				else
					mmio_registry_claim(&w.reg, "vpci0",
							    MMIO_CLAIM_CONFIG_WINDOW,
							    fz_addr(&f), 0x2000, NULL);
				break;
			}
			break;
		}
		}
		check(&w);
	}
	synthvid_destroy(w.sv);
	return 0;
}
