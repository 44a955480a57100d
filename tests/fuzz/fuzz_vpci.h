/* SPDX-License-Identifier: MIT */
/*
 * What the two VPCI fuzz targets share: a bus made by
 * vpci_bus_config_default() over a registry that already holds the
 * synthvid VRAM claim, a capturing send function (which can also report
 * a full ring or a gone channel), packets built from the input, and the
 * checks that follow every step.
 */
#ifndef KVMBUS_FUZZ_VPCI_H
#define KVMBUS_FUZZ_VPCI_H

#include "tests/fuzz/fuzz_common.h"

#include "vmbus/abi/vpci_abi.h"
#include "vmbus/vpci.h"

#define FV_VRAM_BASE FZ_LOW
#define FV_VRAM_SIZE (8 * FZ_MIB)

struct fv {
	struct memmap map;
	struct mmio_registry reg;
	struct mmio_bus mmio;
	struct vpci_bus *bus;
	int send_rc;                  /* what the sender returns */
	unsigned sent, completions;
	uint64_t last_status;
};

/* Sending: check the shape of what the host sends, then trace it the way
 * the VMBus core would (the describer reads the bytes). */
static inline int fv_send(void *ctx, uint16_t type, uint64_t tid,
			  const void *payload, uint32_t len)
{
	struct fv *v = ctx;
	struct vmbus_pkt pkt;
	struct trace_rec r;
	uint8_t *copy;

	FZ_CHECK(type == VMBUS_PKT_DATA_INBAND || type == VMBUS_PKT_COMP);
	FZ_CHECK(len <= VPCI_MSG_MAX && payload);
	FZ_CHECK(len >= sizeof(uint32_t));
	if (v->send_rc)
		return v->send_rc;
	v->sent++;
	if (type == VMBUS_PKT_COMP) {
		uint32_t status;

		memcpy(&status, payload, sizeof(status));
		v->completions++;
		v->last_status = status;
	}
	/* An exact-size copy: the describer must not read past it. */
	copy = malloc(len);
	FZ_CHECK(copy);
	memcpy(copy, payload, len);
	memset(&pkt, 0, sizeof(pkt));
	pkt.desc.type = type;
	pkt.desc.offset8 = 2;
	pkt.desc.len8 = (uint16_t)((16 + len + 7) / 8);
	pkt.desc.trans_id = tid;
	pkt.payload = copy;
	pkt.payload_len = len;
	if (trace_begin(&r, TRACE_H2G, 2, NULL)) {
		vpci_describe(v->bus, true, &pkt, &r);
		trace_end(&r);
	}
	free(copy);
	return 0;
}

static inline void fv_init(struct fv *v)
{
	struct vpci_bus_config c;
	char err[128];

	memset(v, 0, sizeof(*v));
	fz_memmap(&v->map);
	mmio_registry_init(&v->reg, &v->map);
	mmio_registry_new_boot(&v->reg);
	/* synthvid's VRAM, where hyperv_drm puts it: a window or BAR
	 * overlapping it must be refused. */
	FZ_CHECK(mmio_registry_claim(&v->reg, "synthvid", MMIO_CLAIM_VRAM,
				     FV_VRAM_BASE, FV_VRAM_SIZE, NULL) ==
		 MMIO_CLAIM_OK);
	vpci_bus_config_default(&c, 0, 2);
	v->bus = vpci_bus_create(&c, &v->reg, &v->mmio, err, sizeof(err));
	FZ_CHECK(v->bus);
	vpci_bus_set_sender(v->bus, fv_send, v);
	vpci_bus_open(v->bus);
}

static inline void fv_fini(struct fv *v)
{
	vpci_bus_destroy(v->bus);
	v->bus = NULL;
	/* Nothing may keep pointing at the freed bus. */
	FZ_CHECK(v->mmio.n == 0);
	/* The bus released every claim it made (the window, "vpci0/slotN"
	 * BARs); the others' claims are not its business. */
	for (unsigned i = 0; i < MMIO_REGISTRY_MAX_CLAIMS; i++) {
		const struct mmio_claim *c = &v->reg.claim[i];

		FZ_CHECK(!c->in_use || strncmp(c->owner, "vpci0", 5) != 0);
	}
}

/* One packet through the pure entry point, traced first as the VMBus
 * core does.  The payload is an exact-size heap copy so that reading
 * past payload_len is caught. */
static inline uint32_t fv_packet(struct fv *v, uint16_t type,
				 uint16_t flags, uint64_t tid,
				 const uint8_t *msg, uint32_t len)
{
	struct vmbus_pkt pkt;
	struct trace_rec r;
	uint8_t *copy = malloc(len ? len : 1);
	uint32_t status;

	FZ_CHECK(copy);
	if (len)
		memcpy(copy, msg, len);
	memset(&pkt, 0, sizeof(pkt));
	pkt.desc.type = type;
	pkt.desc.offset8 = 2;
	pkt.desc.len8 = (uint16_t)((16 + len + 7) / 8);
	pkt.desc.flags = flags;
	pkt.desc.trans_id = tid;
	pkt.payload = copy;
	pkt.payload_len = len;
	if (trace_begin(&r, TRACE_G2H, 2, NULL)) {
		vpci_describe(v->bus, false, &pkt, &r);
		trace_end(&r);
	}
	status = vpci_handle_packet(v->bus, &pkt);
	free(copy);
	return status;
}

/* A well-formed request (completion wanted). */
static inline uint32_t fv_req(struct fv *v, const void *msg,
			      uint32_t len)
{
	return fv_packet(v, VMBUS_PKT_DATA_INBAND,
			 VMBUS_PKT_FLAG_COMPLETION_REQUESTED, 0x10, msg, len);
}

static const uint32_t fv_msg_types[] = {
	VPCI_MSG_QUERY_PROTOCOL_VERSION, VPCI_MSG_QUERY_BUS_RELATIONS,
	VPCI_MSG_QUERY_RESOURCE_REQUIREMENTS, VPCI_MSG_BUS_D0ENTRY,
	VPCI_MSG_BUS_D0EXIT, VPCI_MSG_RESOURCES_ASSIGNED,
	VPCI_MSG_RESOURCES_ASSIGNED2, VPCI_MSG_RESOURCES_RELEASED,
	VPCI_MSG_CREATE_INTERRUPT, VPCI_MSG_CREATE_INTERRUPT2,
	VPCI_MSG_CREATE_INTERRUPT3, VPCI_MSG_DELETE_INTERRUPT,
	VPCI_MSG_EJECTION_COMPLETE, VPCI_MSG_BUS_RELATIONS,
	VPCI_MSG_EJECT, VPCI_MSG_READ_BLOCK,
};
#define FV_NR_TYPES (sizeof(fv_msg_types) / sizeof(fv_msg_types[0]))

/* A packet from the input: packet type, flags, id, message type (known
 * or any), length and bytes; a D0 entry's window address and a child
 * message's slot are picked like a guest would pick them. */
static inline uint32_t fv_fuzz_packet(struct fv *v, struct fz *f)
{
	uint8_t sel = fz_u8(f), tsel = fz_u8(f);
	uint16_t type = VMBUS_PKT_DATA_INBAND;
	uint16_t flags = sel & 1 ? VMBUS_PKT_FLAG_COMPLETION_REQUESTED : 0;
	uint64_t tid = fz_u8(f);
	uint32_t mtype = tsel & 0x80 ? fz_u32(f) : fv_msg_types[tsel % FV_NR_TYPES];
	uint32_t len = fz_u8(f);
	uint8_t msg[256];
	uint32_t status;

	if (sel & 0x80)
		type = sel & 0x40 ? VMBUS_PKT_COMP : fz_u16(f);
	if (sel & 0x20)
		flags = fz_u16(f);
	memset(msg, 0, sizeof(msg));
	memcpy(msg, &mtype, sizeof(mtype));
	if (len > 4)
		fz_bytes(f, msg + 4, len - 4);
	if (!(tsel & 0x40)) {
		/* Smart fields. */
		uint32_t slot = sel & 2 ? (uint32_t)(sel >> 2) & 1 : fz_u8(f);

		if (mtype == VPCI_MSG_BUS_D0ENTRY) {
			uint64_t base = fz_addr(f);

			memcpy(msg + offsetof(struct vpci_bus_d0_entry, mmio_base),
			       &base, sizeof(base));
		} else if (mtype == VPCI_MSG_QUERY_PROTOCOL_VERSION) {
			uint32_t ver = VPCI_PROTOCOL_VERSION(1, fz_u8(f) % 6);

			memcpy(msg + 4, &ver, sizeof(ver));
		} else if (mtype != VPCI_MSG_QUERY_BUS_RELATIONS &&
			   mtype != VPCI_MSG_BUS_D0EXIT) {
			memcpy(msg + 4, &slot, sizeof(slot));
		}
	}
	status = fv_packet(v, type, flags, tid, msg, len);
	/* What a success promises the guest. */
	if (status == VPCI_STATUS_SUCCESS && mtype == VPCI_MSG_BUS_D0ENTRY) {
		uint64_t base;

		memcpy(&base, msg + offsetof(struct vpci_bus_d0_entry, mmio_base),
		       sizeof(base));
		FZ_CHECK(v->bus->in_d0 && v->bus->window_base == base);
	}
	if (status == VPCI_STATUS_SUCCESS &&
	    mtype == VPCI_MSG_QUERY_PROTOCOL_VERSION) {
		uint32_t ver;

		memcpy(&ver, msg + 4, sizeof(ver));
		FZ_CHECK(v->bus->protocol_version == ver);
	}
	return status;
}

/* The config window or a BAR as the guest would address it. */
static inline uint64_t fv_mmio_target(struct fv *v, struct fz *f)
{
	uint8_t sel = fz_u8(f);
	struct vpci_bus *bus = v->bus;
	uint64_t base;

	switch (sel & 7) {
	case 0:
	case 1:
	case 2:
		base = bus->in_d0 ? bus->window_base : fz_addr(f);
		/* page 0 (selector), page 1 (config), and both edges */
		return base + ((sel & 0x80) ? (uint64_t)(int16_t)fz_u16(f)
					    : VPCI_CFG_PAGE_OFFSET + fz_u16(f) % 0x1008);
	case 3:
	case 4: {
		const struct vpci_slot *s = &bus->slot[(sel >> 3) & 1];

		base = s->bars.mapped_at[0] ? s->bars.mapped_at[0]
					    : s->bars.claimed[0];
		return base + fz_u16(f) % 0x4010;
	}
	default:
		return fz_addr(f);
	}
}

/* Host actions and registry traffic from other owners. */
static inline void fv_host_action(struct fv *v, struct fz *f)
{
	uint8_t sel = fz_u8(f);

	switch (sel & 7) {
	case 0:
		vpci_bus_eject(v->bus, (sel >> 3) & 3);
		break;
	case 1:
		v->send_rc = (sel & 8) ? -1 : -2;
		break;
	case 2:
		v->send_rc = 0;
		vpci_bus_flush(v->bus);
		break;
	case 3:
		/* The channel closed and reopened (guest reboot). */
		vpci_bus_close(v->bus);
		mmio_registry_new_boot(&v->reg);
		vpci_bus_open(v->bus);
		break;
	case 4: {
		/* Another bus's window, or the VRAM moving. */
		uint64_t base = fz_addr(f);

		if (sel & 8)
			mmio_registry_move(&v->reg, "synthvid", MMIO_CLAIM_VRAM,
					   base, FV_VRAM_SIZE, NULL);
		else
			mmio_registry_claim(&v->reg, "vpci1",
					    MMIO_CLAIM_CONFIG_WINDOW, base,
					    VPCI_CONFIG_WINDOW_SIZE, NULL);
		break;
	}
	case 5:
		mmio_registry_release(&v->reg, "vpci1", MMIO_CLAIM_CONFIG_WINDOW,
				      UINT64_MAX);
		break;
	default:
		break;
	}
}

/* After every step: claims and handlers agree, the outbox is sane, and
 * a bus in D0 holds its window. */
static inline void fv_check(struct fv *v)
{
	struct vpci_bus *bus = v->bus;

	fz_check_mmio_claims(&v->mmio, &v->reg);
	FZ_CHECK(bus->out_count <= VPCI_OUTBOX_SLOTS);
	if (bus->in_d0) {
		struct mmio_claim c;

		FZ_CHECK(mmio_registry_lookup(&v->reg, bus->window_base,
					      VPCI_CONFIG_WINDOW_SIZE, &c));
		FZ_CHECK(c.kind == MMIO_CLAIM_CONFIG_WINDOW &&
			 c.base == bus->window_base &&
			 strcmp(c.owner, bus->name) == 0);
	}
	for (unsigned i = 0; i < bus->nr_slots; i++) {
		const struct vpci_slot *s = &bus->slot[i];

		if (!bus->in_d0 || !s->present)
			FZ_CHECK(!s->bars.claimed[0] && !s->bars.mapped_at[0]);
		if (s->bars.mapped_at[0])
			FZ_CHECK(s->bars.mapped_at[0] == s->bars.claimed[0]);
	}
}

#endif
