// SPDX-License-Identifier: MIT
/* The VPCI service's protocol (facts §7), driven through the pure handler
 * with a capturing send function: version walk, relations, resource
 * requirements, D0 entry and every way it is refused (the kdump overlap
 * with VRAM among them), the config window, malformed packets, the
 * outbox, the trace and the bus configuration.  BARs, resources,
 * interrupts, eject and reset: test_vpci_resources.c. */
#include "tests/unit/test_vpci_fixture.h"

/* ---- Version --------------------------------------------------------------- */

static void version_walk(void **state)
{
	struct fixture *f = *state;

	/* Nothing but the version query before a version is agreed. */
	assert_int_equal(child(f->bus, VPCI_MSG_QUERY_RESOURCE_REQUIREMENTS, 0, true),
			 VPCI_STATUS_INVALID_DEVICE_STATE);
	assert_string_equal(guest_last_refusal(), "vpci.before-version");
	/* Linux walks down from 1.4; newer and older are mismatches. */
	assert_int_equal(negotiate(f->bus, VPCI_PROTOCOL_VERSION(1, 5)),
			 VPCI_STATUS_REVISION_MISMATCH);
	assert_int_equal(completion(&f->cap, 0x100), VPCI_STATUS_REVISION_MISMATCH);
	assert_int_equal(negotiate(f->bus, VPCI_PROTOCOL_VERSION(1, 0)),
			 VPCI_STATUS_REVISION_MISMATCH);
	assert_int_equal(negotiate(f->bus, VPCI_PROTOCOL_VERSION(2, 1)),
			 VPCI_STATUS_REVISION_MISMATCH);
	assert_int_equal(f->bus->protocol_version, 0);
	for (uint32_t minor = 4; minor >= 1; minor--) {
		assert_int_equal(negotiate(f->bus, VPCI_PROTOCOL_VERSION(1, minor)), 0);
		assert_int_equal(completion(&f->cap, 0x100), 0);
		assert_int_equal(last(&f->cap)->len, 4);
		assert_int_equal(f->bus->protocol_version, VPCI_PROTOCOL_VERSION(1, minor));
	}
}

/* ---- Relations and resource requirements -------------------------------- */

static void relations_v1(void **state)
{
	struct fixture *f = *state;
	struct vpci_message q = { VPCI_MSG_QUERY_BUS_RELATIONS };
	struct vpci_func_desc d[2];
	const struct sent *s;

	assert_int_equal(negotiate(f->bus, VPCI_PROTOCOL_VERSION_1_2), 0);
	f->cap.n = 0;
	assert_int_equal(post(f->bus, &q, sizeof(q)), 0);
	/* In-band, no completion (the guest asked for none). */
	assert_int_equal(f->cap.n, 1);
	s = last(&f->cap);
	assert_int_equal(s->type, VMBUS_PKT_DATA_INBAND);
	assert_int_equal(u32_at(s, 0), VPCI_MSG_BUS_RELATIONS);
	assert_int_equal(u32_at(s, 4), 2);
	assert_int_equal(s->len, 8 + 2 * 20);
	memcpy(d, s->data + 8, sizeof(d));
	assert_int_equal(d[0].vendor_id, VPCI_TEST_VENDOR_ID);
	assert_int_equal(d[0].device_id, VPCI_TEST_DEVICE_TEST64);
	assert_int_equal(d[0].win_slot, VPCI_WIN_SLOT(0, 0));
	assert_int_equal(d[0].base_class, 0x08);
	assert_int_equal(d[0].subclass, 0x80);
	assert_int_equal(d[0].revision, 1);
	assert_int_equal(d[0].subsystem,
			 VPCI_TEST_VENDOR_ID | (VPCI_TEST_DEVICE_TEST64 << 16));
	assert_int_equal(d[1].device_id, VPCI_TEST_DEVICE_TEST32);
	assert_int_equal(d[1].win_slot, VPCI_WIN_SLOT(1, 0));
	assert_true(d[0].serial != d[1].serial);
}

static void relations2_from_1_3(void **state)
{
	struct fixture *f = *state;
	struct vpci_message q = { VPCI_MSG_QUERY_BUS_RELATIONS };
	struct vpci_func_desc2 d[2];
	const struct sent *s;

	assert_int_equal(negotiate(f->bus, VPCI_PROTOCOL_VERSION_1_3), 0);
	f->cap.n = 0;
	assert_int_equal(post(f->bus, &q, sizeof(q)), 0);
	s = last(&f->cap);
	assert_int_equal(u32_at(s, 0), VPCI_MSG_BUS_RELATIONS2);
	assert_int_equal(u32_at(s, 4), 2);
	assert_int_equal(s->len, 8 + 2 * 28);
	memcpy(d, s->data + 8, sizeof(d));
	assert_int_equal(d[1].d.vendor_id, VPCI_TEST_VENDOR_ID);
	assert_int_equal(d[1].d.win_slot, 1);
	assert_int_equal(d[1].flags, 0);
	/* A query that asks for a completion gets one after the relations. */
	assert_int_equal(req(f->bus, &q, sizeof(q), 0x55), 0);
	assert_int_equal(f->cap.n, 3);
	assert_int_equal(completion(&f->cap, 0x55), 0);
	assert_int_equal(u32_at(&f->cap.msg[1], 0), VPCI_MSG_BUS_RELATIONS2);
}

static void resource_requirements(void **state)
{
	struct fixture *f = *state;
	const struct sent *s;

	assert_int_equal(negotiate(f->bus, VPCI_PROTOCOL_VERSION_1_4), 0);
	assert_int_equal(child(f->bus, VPCI_MSG_QUERY_RESOURCE_REQUIREMENTS, 0, true), 0);
	s = last(&f->cap);
	assert_int_equal(completion(&f->cap, 0x300), 0);
	assert_int_equal(s->len, 28);
	/* 16 KiB 64-bit prefetchable: mask + type bits, upper mask next. */
	assert_int_equal(u32_at(s, 4), 0xFFFFC00C);
	assert_int_equal(u32_at(s, 8), 0xFFFFFFFF);
	for (unsigned i = 2; i < 6; i++)
		assert_int_equal(u32_at(s, 4 + 4 * i), 0);

	assert_int_equal(child(f->bus, VPCI_MSG_QUERY_RESOURCE_REQUIREMENTS, 1, true), 0);
	s = last(&f->cap);
	assert_int_equal(u32_at(s, 4), 0xFFFFFF00);   /* 256 B, 32-bit */
	assert_int_equal(u32_at(s, 8), 0);

	/* Unknown slot, and a slot value with reserved bits. */
	assert_int_equal(child(f->bus, VPCI_MSG_QUERY_RESOURCE_REQUIREMENTS, 5, true),
			 VPCI_STATUS_NO_SUCH_DEVICE);
	assert_string_equal(guest_last_refusal(), "vpci.slot-unknown");
	assert_int_equal(completion(&f->cap, 0x300), VPCI_STATUS_NO_SUCH_DEVICE);
	assert_int_equal(last(&f->cap)->len, 28);
	assert_int_equal(child(f->bus, VPCI_MSG_QUERY_RESOURCE_REQUIREMENTS, 0x100, true),
			 VPCI_STATUS_INVALID_PARAMETER);
	assert_string_equal(guest_last_refusal(), "vpci.slot-invalid");
}

/* ---- D0 entry ----------------------------------------------------------------- */

static void d0_entry_accepted(void **state)
{
	struct fixture *f = *state;
	const struct mmio_claim *c;
	uint32_t v = 0;

	assert_int_equal(negotiate(f->bus, VPCI_PROTOCOL_VERSION_1_4), 0);
	assert_int_equal(f->mmio.n, 0);
	assert_int_equal(d0_entry(f->bus, WIN), 0);
	assert_int_equal(completion(&f->cap, 0x200), 0);
	assert_true(f->bus->in_d0);
	c = mmio_registry_find(&f->reg, WIN, VPCI_CONFIG_WINDOW_SIZE);
	assert_non_null(c);
	assert_string_equal(c->owner, "vpci0");
	assert_int_equal(c->kind, MMIO_CLAIM_CONFIG_WINDOW);
	assert_int_equal(c->base, WIN);
	assert_int_equal(c->size, 0x2000);
	assert_int_equal(c->boot, 1);
	assert_int_equal(f->mmio.n, 1);

	/* The window: page 0 selects, page 1 is the function's config. */
	assert_int_equal(cfg_read(f, WIN, 0, PCI_CFG_VENDOR_ID, 4),
			 VPCI_TEST_VENDOR_ID | (VPCI_TEST_DEVICE_TEST64 << 16));
	assert_int_equal(cfg_read(f, WIN, 1, PCI_CFG_DEVICE_ID, 2), VPCI_TEST_DEVICE_TEST32);
	assert_int_equal(cfg_read(f, WIN, 1, PCI_CFG_VENDOR_ID, 1), 0x76);
	assert_int_equal(cfg_read(f, WIN, 0, PCI_CFG_BAR0, 4),
			 PCI_BAR_MEM_TYPE_64 | PCI_BAR_MEM_PREFETCH);
	/* The selector reads back (slot 0 was selected last). */
	v = 0xAA;
	mmio_bus_access(&f->mmio, WIN, &v, 4, false);
	assert_int_equal(v, 0);
	/* Absent slot: all-ones, logged. */
	assert_int_equal(cfg_read(f, WIN, 7, PCI_CFG_VENDOR_ID, 4), 0xFFFFFFFF);
	assert_string_equal(guest_last_refusal(), "vpci.cfgwin-no-function");
	/* Page 0 holds only the selector. */
	v = 0;
	mmio_bus_access(&f->mmio, WIN + 0x10, &v, 4, false);
	assert_int_equal(v, 0xFFFFFFFF);
	assert_string_equal(guest_last_refusal(), "vpci.cfgwin-page0");
	/* Malformed config access. */
	assert_int_equal(cfg_read(f, WIN, 0, 0x2, 4), 0xFFFFFFFF);
	assert_string_equal(guest_last_refusal(), "vpci.cfgwin-access");
	/* Writes go through: the interrupt line is writable. */
	cfg_write(f, WIN, 1, PCI_CFG_INT_LINE, 1, 0x0B);
	assert_int_equal(cfg_read(f, WIN, 1, PCI_CFG_INT_LINE, 1), 0x0B);
	assert_true(mmio_registry_consistent(&f->reg));
}

/* The kdump conflict: the host still holds the first kernel's VRAM. */
struct overlap_run {
	struct fixture *f;
	uint32_t status[2];
};

static void overlap_d0_and_retry(void *arg)
{
	struct overlap_run *o = arg;

	o->status[0] = d0_entry(o->f->bus, LOW + 0x4000);
	/* Linux retries once after D0 exit + resources released. */
	assert_int_equal(d0_exit(o->f->bus), 0);
	o->status[1] = d0_entry(o->f->bus, LOW + 0x4000);
}

static void d0_refused_for_vram_overlap(void **state)
{
	struct fixture *f = *state;
	struct overlap_run o = { .f = f };
	const struct mmio_refusal *rf;
	char log[2048];

	/* Boot 1: the first kernel's synthvid put VRAM at the low gap base. */
	assert_int_equal(mmio_registry_claim(&f->reg, "synthvid", MMIO_CLAIM_VRAM,
					     LOW, 8 * MIB, NULL), MMIO_CLAIM_OK);
	/* Boot 2: the crash kernel. */
	mmio_registry_new_boot(&f->reg);
	vpci_bus_close(f->bus);
	vpci_bus_open(f->bus);
	assert_int_equal(negotiate(f->bus, VPCI_PROTOCOL_VERSION_1_4), 0);

	capture_stderr(overlap_d0_and_retry, &o, log, sizeof(log));
	assert_int_equal(o.status[0], VPCI_STATUS_MMIO_OVERLAP);
	assert_int_equal(o.status[1], 0xC0370048);
	assert_int_equal(completion(&f->cap, 0x200), 0xC0370048);
	assert_false(f->bus->in_d0);
	assert_int_equal(f->mmio.n, 0);
	assert_int_equal(f->bus->stats.d0_refused_overlap, 2);
	/* Logged naming both ranges and both owners. */
	assert_non_null(strstr(log,
		"vpci0: D0 entry refused: config window [0xc0004000,0xc0006000) "
		"overlaps synthvid VRAM [0xc0000000, 0xc0800000) claimed at boot 1 "
		"(status 0xc0370048)"));
	/* And recorded in the registry for the summary. */
	assert_int_equal(f->reg.nr_refused, 2);
	rf = &f->reg.refused[0];
	assert_true(rf->overlap);
	assert_string_equal(rf->wanted.owner, "vpci0");
	assert_int_equal(rf->wanted.kind, MMIO_CLAIM_CONFIG_WINDOW);
	assert_int_equal(rf->wanted.base, LOW + 0x4000);
	assert_int_equal(rf->wanted.boot, 2);
	assert_string_equal(rf->holder.owner, "synthvid");
	assert_int_equal(rf->holder.kind, MMIO_CLAIM_VRAM);
	assert_int_equal(rf->holder.boot, 1);
	/* A window clear of the VRAM is fine (the proposed fix: high gap). */
	assert_int_equal(d0_entry(f->bus, HIGH), 0);
	assert_true(mmio_registry_consistent(&f->reg));
}

static void d0_refused_misaligned_or_outside(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(negotiate(f->bus, VPCI_PROTOCOL_VERSION_1_4), 0);
	assert_int_equal(d0_entry(f->bus, WIN + 0x800), VPCI_STATUS_INVALID_PARAMETER);
	assert_string_equal(guest_last_refusal(), "vpci.d0-window-misaligned");
	assert_int_equal(completion(&f->cap, 0x200), VPCI_STATUS_INVALID_PARAMETER);
	/* RAM, the platform hole, straddling the low gap's end, wrapping. */
	assert_int_equal(d0_entry(f->bus, 0x100000), VPCI_STATUS_INVALID_PARAMETER);
	assert_string_equal(guest_last_refusal(), "vpci.d0-window-outside-gaps");
	assert_int_equal(d0_entry(f->bus, 0xFEE00000), VPCI_STATUS_INVALID_PARAMETER);
	assert_int_equal(d0_entry(f->bus, LOW + MEMMAP_DEFAULT_LOW_MMIO_SIZE - 0x1000),
			 VPCI_STATUS_INVALID_PARAMETER);
	assert_string_equal(guest_last_refusal(), "vpci.d0-window-outside-gaps");
	assert_int_equal(d0_entry(f->bus, 0xFFFFFFFFFFFFF000ull),
			 VPCI_STATUS_INVALID_PARAMETER);
	assert_false(f->bus->in_d0);
	assert_int_equal(f->mmio.n, 0);
	assert_null(mmio_registry_find(&f->reg, 0, UINT64_MAX));
	assert_int_equal(f->bus->stats.d0_refused, 5);
}

static void d0_twice_refused(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(negotiate(f->bus, VPCI_PROTOCOL_VERSION_1_4), 0);
	assert_int_equal(d0_entry(f->bus, WIN), 0);
	assert_int_equal(d0_entry(f->bus, WIN + 0x4000), VPCI_STATUS_INVALID_DEVICE_STATE);
	assert_string_equal(guest_last_refusal(), "vpci.d0-twice");
	assert_int_equal(d0_entry(f->bus, WIN), VPCI_STATUS_INVALID_DEVICE_STATE);
	/* Still one window, where it was. */
	assert_int_equal(f->bus->window_base, WIN);
	assert_null(mmio_registry_find(&f->reg, WIN + 0x4000, 0x2000));
	assert_int_equal(f->mmio.n, 1);
	/* Version changes are refused while in D0. */
	assert_int_equal(negotiate(f->bus, VPCI_PROTOCOL_VERSION_1_1),
			 VPCI_STATUS_INVALID_DEVICE_STATE);
	assert_string_equal(guest_last_refusal(), "vpci.version-in-d0");
}

static void d0_exit_releases_the_window(void **state)
{
	struct fixture *f = *state;
	uint32_t v = 0;

	assert_int_equal(negotiate(f->bus, VPCI_PROTOCOL_VERSION_1_4), 0);
	/* Not in D0: exit is still fine (Linux's retry path). */
	assert_int_equal(d0_exit(f->bus), 0);
	assert_int_equal(completion(&f->cap, 0x201), 0);
	assert_int_equal(d0_entry(f->bus, WIN), 0);
	assert_int_equal(d0_exit(f->bus), 0);
	assert_false(f->bus->in_d0);
	assert_int_equal(f->mmio.n, 0);
	assert_null(mmio_registry_find(&f->reg, WIN, 0x2000));
	mmio_bus_access(&f->mmio, WIN + VPCI_CFG_PAGE_OFFSET, &v, 4, false);
	assert_int_equal(v, 0xFFFFFFFF);
	/* And D0 again, elsewhere. */
	assert_int_equal(d0_entry(f->bus, WIN + 0x2000), 0);
	assert_int_equal(cfg_read(f, WIN + 0x2000, 0, PCI_CFG_DEVICE_ID, 2),
			 VPCI_TEST_DEVICE_TEST64);
}

/* ---- Malformed packets ---------------------------------------------------- */

static void malformed_packets(void **state)
{
	struct fixture *f = *state;
	uint32_t unknown = 0x42490099, read_block[4] = { VPCI_MSG_READ_BLOCK, 0, 0, 4 };
	uint32_t rel[2] = { VPCI_MSG_BUS_RELATIONS, 0 };
	uint8_t two[2] = { 0x13, 0x00 };
	struct vpci_bus_d0_entry d0 = { VPCI_MSG_BUS_D0ENTRY, 0, WIN };

	assert_int_equal(negotiate(f->bus, VPCI_PROTOCOL_VERSION_1_4), 0);
	assert_int_equal(req(f->bus, &unknown, 4, 1), VPCI_STATUS_NOT_SUPPORTED);
	assert_string_equal(guest_last_refusal(), "vpci.unknown-message");
	assert_int_equal(completion(&f->cap, 1), VPCI_STATUS_NOT_SUPPORTED);
	assert_int_equal(req(f->bus, read_block, sizeof(read_block), 2),
			 VPCI_STATUS_NOT_SUPPORTED);
	assert_string_equal(guest_last_refusal(), "vpci.unsupported-message");
	assert_int_equal(req(f->bus, rel, sizeof(rel), 3), VPCI_STATUS_BAD_DATA);
	assert_string_equal(guest_last_refusal(), "vpci.wrong-direction");
	assert_int_equal(req(f->bus, two, sizeof(two), 4), VPCI_STATUS_BAD_DATA);
	assert_string_equal(guest_last_refusal(), "vpci.truncated");
	assert_int_equal(completion(&f->cap, 4), VPCI_STATUS_BAD_DATA);
	assert_int_equal(req(f->bus, NULL, 0, 5), VPCI_STATUS_BAD_DATA);
	assert_int_equal(req(f->bus, &d0, 12, 6), VPCI_STATUS_BAD_DATA);
	assert_false(f->bus->in_d0);
	/* Not in-band: refused, and no completion of ours follows it. */
	f->cap.n = 0;
	assert_int_equal(raw(f->bus, VMBUS_PKT_DATA_GPA_DIRECT,
			     VMBUS_PKT_FLAG_COMPLETION_REQUESTED, 7, &d0, sizeof(d0)),
			 VPCI_STATUS_BAD_DATA);
	assert_string_equal(guest_last_refusal(), "vpci.packet-type");
	assert_int_equal(f->cap.n, 0);
	assert_false(f->bus->in_d0);
	assert_true(f->bus->stats.refusals >= 7);
}

/* ---- Outbox ------------------------------------------------------------------ */

static void outbox_waits_for_room(void **state)
{
	struct fixture *f = *state;
	struct vpci_message q = { VPCI_MSG_QUERY_BUS_RELATIONS };

	f->cap.rc = -1;                        /* the guest's ring is full */
	assert_int_equal(negotiate(f->bus, VPCI_PROTOCOL_VERSION_1_4), 0);
	assert_int_equal(req(f->bus, &q, sizeof(q), 0x66), 0);
	assert_true(vpci_bus_blocked(f->bus));
	assert_int_equal(f->cap.n, 0);
	assert_false(vpci_bus_flush(f->bus));
	f->cap.rc = 0;                         /* it drained */
	assert_true(vpci_bus_flush(f->bus));
	assert_false(vpci_bus_blocked(f->bus));
	/* In order: version completion, relations, query completion. */
	assert_int_equal(f->cap.n, 3);
	assert_int_equal(f->cap.msg[0].type, VMBUS_PKT_COMP);
	assert_int_equal(f->cap.msg[0].tid, 0x100);
	assert_int_equal(u32_at(&f->cap.msg[1], 0), VPCI_MSG_BUS_RELATIONS2);
	assert_int_equal(f->cap.msg[2].tid, 0x66);
	/* A channel that went away: dropped, counted, not retried. */
	f->cap.rc = -2;
	assert_int_equal(negotiate(f->bus, VPCI_PROTOCOL_VERSION_1_4), 0);
	assert_true(vpci_bus_flush(f->bus));
	assert_int_equal(f->bus->stats.dropped_msgs, 1);
}

/* ---- Trace ---------------------------------------------------------------------- */

/* The record's formatted fields as a C string. */
static const char *fields_of(const struct trace_rec *r)
{
	static char text[sizeof(r->fields) + 1];
	unsigned n = r->len < sizeof(r->fields) ? r->len : sizeof(r->fields);

	memcpy(text, r->fields, n);
	text[n] = '\0';
	return text;
}

static void describe_names_and_fields(void **state)
{
	struct fixture *f = *state;
	char path[] = "/tmp/kvmbus-vpci-trace-XXXXXX";
	int fd = mkstemp(path);
	struct vpci_bus_d0_entry d0 = { VPCI_MSG_BUS_D0ENTRY, 0, WIN };
	struct vmbus_pkt pkt;
	struct trace_rec r;
	uint8_t comp[28];

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(trace_open(path, TRACE_TEXT), 0);
	assert_string_equal(vpci_msg_name(VPCI_MSG_BUS_D0ENTRY), "PCI_BUS_D0ENTRY");
	assert_string_equal(vpci_msg_name(VPCI_MSG_CREATE_INTERRUPT3),
			    "PCI_CREATE_INTERRUPT_MESSAGE3");
	assert_null(vpci_msg_name(0x1234));

	memset(&pkt, 0, sizeof(pkt));
	pkt.desc.type = VMBUS_PKT_DATA_INBAND;
	pkt.payload = (const uint8_t *)&d0;
	pkt.payload_len = sizeof(d0);
	assert_true(trace_begin(&r, TRACE_G2H, 1, NULL));
	vpci_describe(f->bus, false, &pkt, &r);
	assert_string_equal(r.name, "PCI_BUS_D0ENTRY");
	assert_non_null(strstr(fields_of(&r), "mmio_base"));
	assert_non_null(strstr(fields_of(&r), "0xc0010000"));
	trace_end(&r);

	/* A completion names the request it answers. */
	assert_int_equal(negotiate(f->bus, VPCI_PROTOCOL_VERSION_1_4), 0);
	assert_int_equal(child(f->bus, VPCI_MSG_QUERY_RESOURCE_REQUIREMENTS, 0, true), 0);
	memcpy(comp, last(&f->cap)->data, sizeof(comp));
	pkt.desc.type = VMBUS_PKT_COMP;
	pkt.desc.trans_id = 0x300;
	pkt.payload = comp;
	pkt.payload_len = sizeof(comp);
	assert_true(trace_begin(&r, TRACE_H2G, 1, NULL));
	vpci_describe(f->bus, true, &pkt, &r);
	assert_string_equal(r.name, "PCI_COMPLETION");
	assert_non_null(strstr(fields_of(&r), "PCI_QUERY_RESOURCE_REQUIREMENTS"));
	assert_non_null(strstr(fields_of(&r), "0xffffc00c"));
	trace_end(&r);

	/* Short and unknown packets get a name and nothing they lack. */
	pkt.desc.type = VMBUS_PKT_DATA_INBAND;
	pkt.payload_len = 2;
	assert_true(trace_begin(&r, TRACE_G2H, 1, NULL));
	vpci_describe(f->bus, false, &pkt, &r);
	assert_string_equal(r.name, "PCI_TRUNCATED");
	trace_end(&r);
	uint32_t odd = 0x42490077;
	pkt.payload = (const uint8_t *)&odd;
	pkt.payload_len = 4;
	assert_true(trace_begin(&r, TRACE_G2H, 1, NULL));
	vpci_describe(f->bus, false, &pkt, &r);
	assert_string_equal(r.name, "PCI_UNKNOWN");
	trace_end(&r);
	trace_close();
	unlink(path);
}

/* ---- Configuration ------------------------------------------------------------ */

static void config_parse_and_create(void **state)
{
	struct fixture *f = *state;
	struct vpci_bus_config c;
	char err[128];

	vpci_bus_config_default(&c, 0, 1);
	assert_int_equal(vpci_bus_config_parse(&c, "kvmbus-test32@3,test64@4.2",
					       err, sizeof(err)), 0);
	assert_int_equal(c.nr_funcs, 2);
	assert_ptr_equal(c.funcs[0].model, &pci_model_test32);
	assert_int_equal(c.funcs[0].win_slot, 3);
	assert_ptr_equal(c.funcs[1].model, &pci_model_test64);
	assert_int_equal(c.funcs[1].win_slot, VPCI_WIN_SLOT(4, 2));
	assert_int_equal(c.funcs[1].win_slot, 0x44);

	assert_int_equal(vpci_bus_config_parse(&c, "test99@0", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "test99"));
	assert_int_equal(vpci_bus_config_parse(&c, "test64@32", err, sizeof(err)), -1);
	assert_int_equal(vpci_bus_config_parse(&c, "test64@1.8", err, sizeof(err)), -1);
	assert_int_equal(vpci_bus_config_parse(&c, "test64@1,test32@1", err, sizeof(err)), -1);
	assert_int_equal(vpci_bus_config_parse(&c, "test64", err, sizeof(err)), -1);
	assert_int_equal(vpci_bus_config_parse(&c, "test64@x", err, sizeof(err)), -1);
	assert_int_equal(vpci_bus_config_parse(&c, "", err, sizeof(err)), -1);
	assert_int_equal(vpci_bus_config_parse(&c, "test64@0,,test32@1", err, sizeof(err)), -1);
	/* A failed parse leaves the configuration as it was. */
	assert_int_equal(c.nr_funcs, 2);
	assert_int_equal(c.funcs[0].win_slot, 3);

	/* Creation refuses what cannot work. */
	c.index = VPCI_MAX_BUSES;
	assert_null(vpci_bus_create(&c, &f->reg, &f->mmio, err, sizeof(err)));
	c.index = 2;
	c.nr_vps = 0;
	assert_null(vpci_bus_create(&c, &f->reg, &f->mmio, err, sizeof(err)));
	c.nr_vps = 1;
	c.funcs[1].win_slot = 3;
	assert_null(vpci_bus_create(&c, &f->reg, &f->mmio, err, sizeof(err)));
	assert_non_null(strstr(err, "twice"));
	c.funcs[1].win_slot = 0x100;
	assert_null(vpci_bus_create(&c, &f->reg, &f->mmio, err, sizeof(err)));
	c.funcs[1].win_slot = 4;
	c.funcs[1].model = NULL;
	assert_null(vpci_bus_create(&c, &f->reg, &f->mmio, err, sizeof(err)));
	c.funcs[1].model = &pci_model_test64;
	struct vpci_bus *bus = vpci_bus_create(&c, &f->reg, &f->mmio, err, sizeof(err));
	assert_non_null(bus);
	assert_string_equal(bus->slot[0].owner, "vpci2/slot3");
	vpci_bus_destroy(bus);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(version_walk),
		T(relations_v1),
		T(relations2_from_1_3),
		T(resource_requirements),
		T(d0_entry_accepted),
		T(d0_refused_for_vram_overlap),
		T(d0_refused_misaligned_or_outside),
		T(d0_twice_refused),
		T(d0_exit_releases_the_window),
		T(malformed_packets),
		T(outbox_waits_for_room),
		T(describe_names_and_fields),
		T(config_parse_and_create),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
