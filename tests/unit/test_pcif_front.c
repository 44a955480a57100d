// SPDX-License-Identifier: MIT
/* pci_front/vpci_front: the pci-hyperv probe sequence against a scripted
 * host stub (protocol-facts §7.4-§7.6): version walk, D0 refusal and
 * retry, bridge windows, BAR sizing and assignment, config synthesis,
 * eject, teardown. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "firmware/memmap.h"
#include "pci_front/vpci_front.h"

#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define LOW_BASE  MEMMAP_DEFAULT_LOW_MMIO_BASE
#define LOW_SIZE  MEMMAP_DEFAULT_LOW_MMIO_SIZE
#define HIGH_BASE MEMMAP_DEFAULT_HIGH_MMIO_BASE
#define HIGH_SIZE MEMMAP_DEFAULT_HIGH_MMIO_SIZE

/* ---- The host stub ------------------------------------------------------ */

struct stub_func {
	struct vpci_func_desc desc;
	uint32_t probed[VPCI_NUM_BARS];   /* what QUERY_RESOURCE_REQUIREMENTS says */
	uint32_t mask[VPCI_NUM_BARS];     /* what config space reads back */
	uint32_t bar[VPCI_NUM_BARS];      /* BAR registers */
	uint16_t command;
	uint8_t interrupt_pin;
};

struct sent {
	uint32_t type;
	uint32_t slot;                    /* child messages only */
	uint32_t len;
};

struct stub_host {
	/* Script. */
	uint32_t max_version;             /* newer ones: REVISION_MISMATCH */
	uint32_t version_status;          /* non-zero: every version gets it */
	uint32_t d0_status[4];            /* per D0 entry attempt */
	uint32_t res_req_status;
	uint32_t assigned_status;
	bool relations2;
	bool silent;                      /* never sends relations */
	struct stub_func func[4];
	bool func_present[4];

	/* Record. */
	struct sent sent[128];
	unsigned nr_sent;
	unsigned d0_attempts;
	uint64_t d0_base;
	bool window_live;
	uint32_t selected_slot;
	unsigned mmio_accesses;
	unsigned bar_writes_while_decoding;

	/* Host -> guest queue. */
	uint8_t queue[8][512];
	uint32_t queue_len[8];
	unsigned q_head, q_count;

	/* Log. */
	char log[64][PCIF_TEXT_MAX];
	unsigned nr_log;
};

static struct stub_host host;

static void record(const void *msg, uint32_t len)
{
	struct sent *s = &host.sent[host.nr_sent < 128 ? host.nr_sent++ : 127];

	memset(s, 0, sizeof(*s));
	memcpy(&s->type, msg, 4);
	if (len >= 8)
		memcpy(&s->slot, (const uint8_t *)msg + 4, 4);
	s->len = len;
}

static void enqueue(const void *msg, uint32_t len)
{
	unsigned tail = (host.q_head + host.q_count) % 8;

	assert_true(host.q_count < 8 && len <= 512);
	memcpy(host.queue[tail], msg, len);
	host.queue_len[tail] = len;
	host.q_count++;
}

static void enqueue_relations(void)
{
	uint8_t buf[512];
	uint32_t type = host.relations2 ? VPCI_MSG_BUS_RELATIONS2
					 : VPCI_MSG_BUS_RELATIONS;
	uint32_t n = 0, size = host.relations2 ? 28 : 20, off = 8;
	unsigned i;

	memset(buf, 0, sizeof(buf));
	for (i = 0; i < 4; i++) {
		if (!host.func_present[i])
			continue;
		memcpy(buf + off, &host.func[i].desc, 20);
		off += size;
		n++;
	}
	memcpy(buf, &type, 4);
	memcpy(buf + 4, &n, 4);
	enqueue(buf, off);
}

static struct stub_func *stub_func_at(uint32_t slot)
{
	unsigned i;

	for (i = 0; i < 4; i++)
		if (host.func_present[i] && host.func[i].desc.win_slot == slot)
			return &host.func[i];
	return NULL;
}

static int stub_request(void *ctx, const void *msg, uint32_t len, void *resp,
			uint32_t cap, uint32_t *resp_len)
{
	uint32_t type, status = 0, reply[7] = { 0 }, reply_len = 4;

	(void)ctx;
	record(msg, len);
	memcpy(&type, msg, 4);
	switch (type) {
	case VPCI_MSG_QUERY_PROTOCOL_VERSION: {
		uint32_t version;

		memcpy(&version, (const uint8_t *)msg + 4, 4);
		status = host.version_status ? host.version_status :
			 version > host.max_version ?
			 VPCI_STATUS_REVISION_MISMATCH : 0;
		break;
	}
	case VPCI_MSG_QUERY_RESOURCE_REQUIREMENTS: {
		uint32_t slot;
		struct stub_func *f;

		memcpy(&slot, (const uint8_t *)msg + 4, 4);
		f = stub_func_at(slot);
		status = host.res_req_status;
		if (f && !status)
			memcpy(&reply[1], f->probed, sizeof(f->probed));
		reply_len = 28;
		break;
	}
	case VPCI_MSG_BUS_D0ENTRY:
		assert_int_equal(len, sizeof(struct vpci_bus_d0_entry));
		memcpy(&host.d0_base, (const uint8_t *)msg + 8, 8);
		status = host.d0_attempts < 4 ? host.d0_status[host.d0_attempts] : 0;
		host.d0_attempts++;
		host.window_live = !vpci_status_failed(status);
		break;
	case VPCI_MSG_BUS_D0EXIT:
		host.window_live = false;
		break;
	case VPCI_MSG_RESOURCES_ASSIGNED:
	case VPCI_MSG_RESOURCES_ASSIGNED2:
		status = host.assigned_status;
		break;
	default:
		status = VPCI_STATUS_NOT_SUPPORTED;
		break;
	}
	reply[0] = status;
	memcpy(resp, reply, reply_len < cap ? reply_len : cap);
	*resp_len = reply_len;
	return PCIF_XPORT_OK;
}

static int stub_post(void *ctx, const void *msg, uint32_t len)
{
	uint32_t type;

	(void)ctx;
	record(msg, len);
	memcpy(&type, msg, 4);
	if (type == VPCI_MSG_QUERY_BUS_RELATIONS && !host.silent)
		enqueue_relations();
	return PCIF_XPORT_OK;
}

static int stub_poll(void *ctx, void *buf, uint32_t cap, uint32_t *len,
		     uint32_t wait_ms)
{
	(void)ctx;
	(void)wait_ms;
	if (!host.q_count)
		return PCIF_XPORT_TIMEOUT;
	*len = host.queue_len[host.q_head];
	memcpy(buf, host.queue[host.q_head], *len < cap ? *len : cap);
	host.q_head = (host.q_head + 1) % 8;
	host.q_count--;
	return PCIF_XPORT_OK;
}

/* Config space of the selected function: COMMAND, BARs with their masks,
 * interrupt pin; IDs readable too (for accesses Linux does not
 * synthesise); 0xFFFFFFFF for an empty slot. */
static uint32_t cfg_reg_read(struct stub_func *f, uint32_t reg)
{
	if (!f)
		return 0xFFFFFFFFu;
	if (reg == 0x00)
		return f->desc.vendor_id | (uint32_t)f->desc.device_id << 16;
	if (reg == 0x04)
		return f->command;
	if (reg >= 0x10 && reg < 0x28)
		return f->bar[(reg - 0x10) / 4];
	if (reg == 0x3C)
		return (uint32_t)f->interrupt_pin << 8;
	return 0;
}

static void cfg_reg_write(struct stub_func *f, uint32_t reg, uint32_t v)
{
	if (!f)
		return;
	if (reg == 0x04) {
		f->command = (uint16_t)v;
	} else if (reg >= 0x10 && reg < 0x28) {
		unsigned i = (reg - 0x10) / 4;
		bool upper = i > 0 && (f->mask[i - 1] & 0x7) == 0x4;
		uint32_t m = f->mask[i];

		if (f->command & PCIF_PCI_COMMAND_MEMORY)
			host.bar_writes_while_decoding++;
		f->bar[i] = upper ? (v & m) : ((v & m & ~0xFu) | (m & 0xFu));
	}
}

static uint32_t stub_mmio_read(void *ctx, uint64_t gpa, unsigned size)
{
	uint64_t off = gpa - host.d0_base;
	uint32_t reg, shift, v;

	(void)ctx;
	host.mmio_accesses++;
	assert_true(host.window_live);
	assert_true(off >= VPCI_CFG_PAGE_OFFSET && off + size <= 0x2000);
	off -= VPCI_CFG_PAGE_OFFSET;
	reg = (uint32_t)off & ~3u;
	shift = ((uint32_t)off & 3u) * 8;
	v = cfg_reg_read(stub_func_at(host.selected_slot), reg) >> shift;
	return size == 4 ? v : v & ((1u << (8 * size)) - 1);
}

static void stub_mmio_write(void *ctx, uint64_t gpa, unsigned size,
			    uint32_t value)
{
	uint64_t off = gpa - host.d0_base;
	struct stub_func *f;
	uint32_t reg, shift, mask, old;

	(void)ctx;
	host.mmio_accesses++;
	assert_true(host.window_live);
	assert_true(off + size <= 0x2000);
	if (off == VPCI_SLOT_SELECTOR_OFFSET) {
		assert_int_equal(size, 4);
		host.selected_slot = value;
		return;
	}
	assert_true(off >= VPCI_CFG_PAGE_OFFSET);
	off -= VPCI_CFG_PAGE_OFFSET;
	reg = (uint32_t)off & ~3u;
	shift = ((uint32_t)off & 3u) * 8;
	f = stub_func_at(host.selected_slot);
	mask = size == 4 ? 0xFFFFFFFFu : ((1u << (8 * size)) - 1) << shift;
	old = cfg_reg_read(f, reg);
	cfg_reg_write(f, reg, (old & ~mask) | ((value << shift) & mask));
}

static const struct pcif_transport_ops stub_ops = {
	.request = stub_request,
	.post = stub_post,
	.poll = stub_poll,
	.mmio_read = stub_mmio_read,
	.mmio_write = stub_mmio_write,
};

static void capture(void *ctx, enum pcif_log_level level, const char *text)
{
	(void)ctx;
	(void)level;
	if (host.nr_log < 64)
		snprintf(host.log[host.nr_log++], PCIF_TEXT_MAX, "%s", text);
}

static bool logged_exactly(const char *line)
{
	unsigned i;

	for (i = 0; i < host.nr_log; i++)
		if (!strcmp(host.log[i], line))
			return true;
	return false;
}

static bool logged(const char *needle)
{
	unsigned i;

	for (i = 0; i < host.nr_log; i++)
		if (strstr(host.log[i], needle))
			return true;
	return false;
}

static unsigned count_logged(const char *needle)
{
	unsigned i, n = 0;

	for (i = 0; i < host.nr_log; i++)
		n += strstr(host.log[i], needle) != NULL;
	return n;
}

/* Index of the first message of type at or after from, or -1. */
static int find_sent(uint32_t type, unsigned from)
{
	unsigned i;

	for (i = from; i < host.nr_sent; i++)
		if (host.sent[i].type == type)
			return (int)i;
	return -1;
}

static unsigned count_sent(uint32_t type)
{
	unsigned i, n = 0;

	for (i = 0; i < host.nr_sent; i++)
		n += host.sent[i].type == type;
	return n;
}

/* ---- Fixtures ------------------------------------------------------------ */

/* Function A, slot dev 0 fn 0: 64-bit prefetchable 16 KiB BAR0-1 and a
 * 256-byte 32-bit BAR2.  Function B, slot dev 1 fn 2: 1 MiB BAR0, 8 KiB
 * BAR1, 256-byte BAR2, all 32-bit. */
#define SLOT_A VPCI_WIN_SLOT(0, 0)
#define SLOT_B VPCI_WIN_SLOT(1, 2)

static void set_masks(struct stub_func *f, const uint32_t *masks)
{
	memcpy(f->probed, masks, sizeof(f->probed));
	memcpy(f->mask, masks, sizeof(f->mask));
}

static void stub_reset(void)
{
	static const uint32_t masks_a[VPCI_NUM_BARS] = {
		0xFFFFC00Cu, 0xFFFFFFFFu, 0xFFFFFF00u, 0, 0, 0 };
	static const uint32_t masks_b[VPCI_NUM_BARS] = {
		0xFFF00000u, 0xFFFFE000u, 0xFFFFFF00u, 0, 0, 0 };
	struct stub_func *a = &host.func[0], *b = &host.func[1];

	memset(&host, 0, sizeof(host));
	host.max_version = VPCI_PROTOCOL_VERSION_1_4;

	a->desc.vendor_id = VPCI_TEST_VENDOR_ID;
	a->desc.device_id = VPCI_TEST_DEVICE_TEST64;
	a->desc.revision = 0x03;
	a->desc.prog_if = 0x01;
	a->desc.subclass = 0x80;
	a->desc.base_class = 0xFF;
	a->desc.subsystem = 0xBEEF0000u | 0x1AF4u;
	a->desc.win_slot = SLOT_A;
	a->desc.serial = 17;
	a->command = PCIF_PCI_COMMAND_MEMORY; /* left on by the old kernel */
	a->interrupt_pin = 1;
	set_masks(a, masks_a);
	host.func_present[0] = true;

	b->desc.vendor_id = VPCI_TEST_VENDOR_ID;
	b->desc.device_id = VPCI_TEST_DEVICE_TEST32;
	b->desc.win_slot = SLOT_B;
	b->desc.serial = 18;
	set_masks(b, masks_b);
	host.func_present[1] = true;
}

static struct pcif_mmio_alloc mmio;
static struct pcif_bus bus;

static void front_init(enum pcif_config_window_policy policy)
{
	static const struct pcif_transport xport = { &stub_ops, NULL };
	struct pcif_log log = { capture, NULL };
	struct pcif_bus_config cfg = { "vpci0", policy, 100 };

	pcif_mmio_init(&mmio, &log);
	assert_int_equal(pcif_mmio_add_range(&mmio, LOW_BASE, LOW_SIZE), 0);
	assert_int_equal(pcif_mmio_add_range(&mmio, HIGH_BASE, HIGH_SIZE), 0);
	pcif_bus_init(&bus, &xport, &mmio, &log, &cfg);
}

static int setup(void **state)
{
	(void)state;
	stub_reset();
	front_init(PCIF_CFGWIN_LEGACY);
	return 0;
}

/* ---- Version walk -------------------------------------------------------- */

static void version_walk_settles_on_what_the_host_takes(void **state)
{
	(void)state;
	host.max_version = VPCI_PROTOCOL_VERSION_1_2;
	assert_int_equal(pcif_probe(&bus), PCIF_OK);
	assert_int_equal(bus.protocol_version, VPCI_PROTOCOL_VERSION_1_2);
	assert_int_equal(count_sent(VPCI_MSG_QUERY_PROTOCOL_VERSION), 3);
	assert_true(logged_exactly("PCI VMBus probing: Using version 0x10002"));
	/* >= 1.2: RESOURCES_ASSIGNED2, 202 bytes. */
	assert_int_equal(count_sent(VPCI_MSG_RESOURCES_ASSIGNED2), 2);
	assert_int_equal(host.sent[find_sent(VPCI_MSG_RESOURCES_ASSIGNED2, 0)].len,
			 202);
}

static void version_1_1_uses_resources_assigned(void **state)
{
	(void)state;
	host.max_version = VPCI_PROTOCOL_VERSION_1_1;
	assert_int_equal(pcif_probe(&bus), PCIF_OK);
	assert_int_equal(count_sent(VPCI_MSG_QUERY_PROTOCOL_VERSION), 4);
	assert_int_equal(count_sent(VPCI_MSG_RESOURCES_ASSIGNED), 2);
	assert_int_equal(count_sent(VPCI_MSG_RESOURCES_ASSIGNED2), 0);
	assert_int_equal(host.sent[find_sent(VPCI_MSG_RESOURCES_ASSIGNED, 0)].len,
			 148);
}

static void version_refused_ends_the_probe(void **state)
{
	(void)state;
	host.version_status = VPCI_STATUS_NOT_SUPPORTED;
	assert_int_equal(pcif_probe(&bus), PCIF_ERR_REFUSED);
	assert_int_equal(bus.failed_stage, PCIF_STAGE_VERSION);
	assert_int_equal(bus.failed_status, 0xC00000BBu);
	assert_true(logged_exactly(
		"PCI Pass-through VSP failed version request: 0xc00000bb"));
	assert_int_equal(count_sent(VPCI_MSG_QUERY_PROTOCOL_VERSION), 1);
	assert_int_equal(mmio.global.count, 0); /* no window taken */
	assert_int_equal(bus.state, PCIF_BUS_REMOVED);
}

static void no_common_version(void **state)
{
	(void)state;
	host.max_version = VPCI_PROTOCOL_VERSION(1, 0);
	assert_int_equal(pcif_probe(&bus), PCIF_ERR_REFUSED);
	assert_int_equal(count_sent(VPCI_MSG_QUERY_PROTOCOL_VERSION), 4);
	assert_true(logged("failed to find supported version"));
}

/* ---- D0 entry ------------------------------------------------------------ */

static void d0_entry_carries_the_config_window(void **state)
{
	(void)state;
	assert_int_equal(pcif_probe(&bus), PCIF_OK);
	assert_true(host.d0_base == LOW_BASE);
	assert_true(bus.config_window == LOW_BASE);

	/* The proposed fix puts it in the high gap. */
	stub_reset();
	front_init(PCIF_CFGWIN_HIGH);
	assert_int_equal(pcif_probe(&bus), PCIF_OK);
	assert_true(host.d0_base == HIGH_BASE);
}

static void d0_refused_once_is_retried(void **state)
{
	int d0, released, exit_, query;

	(void)state;
	host.d0_status[0] = VPCI_STATUS_MMIO_OVERLAP;
	assert_int_equal(pcif_probe(&bus), PCIF_OK);
	assert_int_equal(host.d0_attempts, 2);
	assert_true(logged_exactly(
		"PCI Pass-through VSP failed D0 Entry with status c0370048"));
	assert_true(logged_exactly("Retrying D0 Entry"));

	/* Linux's order: RESOURCES_RELEASED for each function (highest slot
	 * first), D0EXIT, relations again, D0 entry again. */
	d0 = find_sent(VPCI_MSG_BUS_D0ENTRY, 0);
	released = find_sent(VPCI_MSG_RESOURCES_RELEASED, (unsigned)d0);
	assert_true(released > d0);
	assert_int_equal(host.sent[released].slot, SLOT_B);
	assert_int_equal(host.sent[released + 1].type, VPCI_MSG_RESOURCES_RELEASED);
	assert_int_equal(host.sent[released + 1].slot, SLOT_A);
	exit_ = find_sent(VPCI_MSG_BUS_D0EXIT, (unsigned)d0);
	assert_int_equal(exit_, released + 2);
	query = find_sent(VPCI_MSG_QUERY_BUS_RELATIONS, (unsigned)exit_);
	assert_true(query > exit_);
	assert_true(find_sent(VPCI_MSG_BUS_D0ENTRY, (unsigned)query) > query);
	/* Known functions are not queried again. */
	assert_int_equal(count_sent(VPCI_MSG_QUERY_RESOURCE_REQUIREMENTS), 2);
	assert_int_equal(bus.state, PCIF_BUS_PROBED);
}

static void d0_refused_twice_fails_with_the_status(void **state)
{
	(void)state;
	host.d0_status[0] = VPCI_STATUS_MMIO_OVERLAP;
	host.d0_status[1] = VPCI_STATUS_MMIO_OVERLAP;
	assert_int_equal(pcif_probe(&bus), PCIF_ERR_REFUSED);
	assert_int_equal(bus.failed_stage, PCIF_STAGE_D0_ENTRY);
	assert_int_equal(bus.failed_status, 0xC0370048u);
	assert_int_equal(host.d0_attempts, 2);
	assert_int_equal(count_logged(
		"PCI Pass-through VSP failed D0 Entry with status c0370048"), 2);
	assert_int_equal(count_logged("Retrying D0 Entry"), 1);
	/* The last line the probe logged is Linux's refusal message. */
	assert_string_equal(host.log[host.nr_log - 1],
			    "PCI Pass-through VSP failed D0 Entry with status c0370048");
	/* Nothing assigned, window given back. */
	assert_int_equal(count_sent(VPCI_MSG_RESOURCES_ASSIGNED2), 0);
	assert_int_equal(mmio.global.count, 0);
	assert_int_equal(mmio.shadow.count, 0);
	assert_string_equal(pcif_stage_name(bus.failed_stage), "D0 entry");
}

/* ---- Relations ------------------------------------------------------------ */

static void silent_host_times_out(void **state)
{
	(void)state;
	host.silent = true;
	assert_int_equal(pcif_probe(&bus), PCIF_ERR_TIMEOUT);
	assert_int_equal(bus.failed_stage, PCIF_STAGE_RELATIONS);
	assert_int_equal(mmio.global.count, 0);
	assert_int_equal(count_sent(VPCI_MSG_BUS_D0ENTRY), 0);
}

static void relations2_are_understood(void **state)
{
	(void)state;
	host.relations2 = true;
	assert_int_equal(pcif_probe(&bus), PCIF_OK);
	assert_int_equal(pcif_func_count(&bus), 2);
	assert_non_null(pcif_find_func(&bus, SLOT_B));
}

static void truncated_relations_are_dropped(void **state)
{
	uint8_t bad[8] = { 0 };
	uint32_t type = VPCI_MSG_BUS_RELATIONS, count = 3;

	(void)state;
	/* Claims 3 functions, carries none; then the real answer follows. */
	memcpy(bad, &type, 4);
	memcpy(bad + 4, &count, 4);
	enqueue(bad, sizeof(bad));
	assert_int_equal(pcif_probe(&bus), PCIF_OK);
	assert_true(logged_exactly("bus relations too small"));
	assert_int_equal(pcif_func_count(&bus), 2);
}

static void failed_requirements_still_record_the_function(void **state)
{
	(void)state;
	host.res_req_status = VPCI_STATUS_INVALID_PARAMETER;
	assert_int_equal(pcif_probe(&bus), PCIF_OK);
	assert_true(logged_exactly("query resource requirements failed: c000000d"));
	assert_int_equal(pcif_func_count(&bus), 2);
	assert_int_equal(bus.low_mmio_space, 0);
	assert_int_equal(bus.high_mmio_space, 0);
	assert_false(bus.has_low_window);
	/* Config space still shows the BARs: no window, none assigned. */
	assert_int_equal(bus.unassigned_bars, 5);
	assert_false(host.func[0].command & PCIF_PCI_COMMAND_MEMORY);
}

/* ---- Windows, resources, BARs ------------------------------------------ */

static void bridge_windows_are_sized_from_probed_bars(void **state)
{
	(void)state;
	assert_int_equal(pcif_probe(&bus), PCIF_OK);
	/* Low: 4 KiB (256 B, page-rounded) + 1 MiB + 8 KiB + 4 KiB. */
	assert_true(bus.low_mmio_space == 0x104000);
	assert_true(bus.high_mmio_space == 16 * KiB);
	/* Low window aligned to 1 MiB, after the 8 KiB config window. */
	assert_true(bus.low_window == LOW_BASE + MiB);
	assert_true(bus.high_window == HIGH_BASE);
	/* They are bridge windows now: not busy in the global tree. */
	assert_false(pcif_mmio_find_grant(&mmio, bus.low_window)->busy);
}

static void bars_are_assigned_biggest_first(void **state)
{
	const struct pcif_func *a, *b;
	struct stub_func *ha = &host.func[0], *hb = &host.func[1];

	(void)state;
	assert_int_equal(pcif_probe(&bus), PCIF_OK);
	a = pcif_find_func(&bus, SLOT_A);
	b = pcif_find_func(&bus, SLOT_B);
	assert_non_null(a);
	assert_non_null(b);

	/* 64-bit BAR in the high window. */
	assert_true(a->bar[0].is_64bit && a->bar[0].prefetchable);
	assert_true(a->bar[0].size == 16 * KiB);
	assert_true(a->bar[0].base == HIGH_BASE);
	assert_true(a->bar[1].size == 0);
	/* Low window: 1 MiB, then 8 KiB, then the two sub-page BARs, each on
	 * its own 4 KiB page (function order breaks the tie). */
	assert_true(b->bar[0].base == LOW_BASE + MiB);
	assert_true(b->bar[1].base == LOW_BASE + 2 * MiB);
	assert_true(a->bar[2].size == 4 * KiB);
	assert_true(a->bar[2].base == LOW_BASE + 2 * MiB + 8 * KiB);
	assert_true(b->bar[2].base == LOW_BASE + 2 * MiB + 12 * KiB);

	/* What the host's registers hold. */
	assert_int_equal(ha->bar[0], (uint32_t)HIGH_BASE | 0xC);
	assert_int_equal(ha->bar[1], (uint32_t)(HIGH_BASE >> 32));
	assert_int_equal(ha->bar[2], (uint32_t)(LOW_BASE + 2 * MiB + 8 * KiB));
	assert_int_equal(hb->bar[0], (uint32_t)(LOW_BASE + MiB));
	assert_int_equal(hb->bar[1], (uint32_t)(LOW_BASE + 2 * MiB));
	assert_int_equal(hb->bar[2], (uint32_t)(LOW_BASE + 2 * MiB + 12 * KiB));
	/* Decoding was off for every BAR write, and is on now. */
	assert_int_equal(host.bar_writes_while_decoding, 0);
	assert_int_equal(bus.unassigned_bars, 0);
	assert_true(ha->command & PCIF_PCI_COMMAND_MEMORY);
	assert_true(hb->command & PCIF_PCI_COMMAND_MEMORY);
	/* RESOURCES_ASSIGNED2 went out per function, ascending slots, after
	 * D0 entry. */
	assert_int_equal(host.sent[find_sent(VPCI_MSG_RESOURCES_ASSIGNED2, 0)].slot,
			 SLOT_A);
	assert_true(find_sent(VPCI_MSG_RESOURCES_ASSIGNED2, 0) >
		    find_sent(VPCI_MSG_BUS_D0ENTRY, 0));
}

static void bar_size_rounds_to_a_page(void **state)
{
	(void)state;
	assert_true(pcif_bar_size(0xFFFFFFFFFFFFFF00ull) == 0x1000);
	assert_true(pcif_bar_size(0xFFFFFFFFFFFFF000ull) == 0x1000);
	assert_true(pcif_bar_size(0xFFFFFFFFFFF00008ull) == 0x100000);
	assert_true(pcif_bar_size(0xFFFFFFFF0000000Cull) == 0x100000000ull);
}

static void config_space_disagreeing_with_probe_is_caught(void **state)
{
	(void)state;
	/* The host probes 256 B for B's BAR2 but config space says 2 MiB:
	 * it no longer fits the window sized from the probe. */
	host.func[1].mask[2] = 0xFFE00000u;
	assert_int_equal(pcif_probe(&bus), PCIF_OK);
	assert_true(logged_exactly("slot 0x41 BAR2: config space reads "
				   "0xffffffffffe00000, the host probed "
				   "0xffffffffffffff00"));
	assert_true(logged_exactly("slot 0x41 BAR 2: no space for [mem size "
				   "0x200000] in the low bridge window"));
	/* As Linux's PCI core: that BAR stays unassigned, the rest is done. */
	assert_int_equal(bus.unassigned_bars, 1);
	assert_true(pcif_find_func(&bus, SLOT_B)->bar[2].base == 0);
	assert_true(pcif_find_func(&bus, SLOT_B)->bar[0].base == LOW_BASE + MiB);
	assert_int_equal(host.func[1].bar[2], 0);
}

static void no_room_for_the_low_window(void **state)
{
	(void)state;
	host.func[1].probed[0] = 0x80000000u;   /* 2 GiB, 32-bit */
	host.func[1].mask[0] = 0x80000000u;
	assert_int_equal(pcif_probe(&bus), PCIF_ERR_NO_MMIO);
	assert_int_equal(bus.failed_stage, PCIF_STAGE_BRIDGE_WINDOWS);
	assert_true(logged_exactly(
		"Need 0x80004000 of low MMIO space. Consider reconfiguring the VM."));
	assert_int_equal(count_sent(VPCI_MSG_BUS_D0EXIT), 1);
	assert_int_equal(mmio.global.count, 0);
}

static void resources_assigned_refused(void **state)
{
	(void)state;
	host.assigned_status = VPCI_STATUS_INSUFFICIENT_RESOURCES;
	assert_int_equal(pcif_probe(&bus), PCIF_ERR_REFUSED);
	assert_int_equal(bus.failed_stage, PCIF_STAGE_RESOURCES_ASSIGNED);
	assert_true(logged_exactly("resource allocated returned 0xc000009a"));
	assert_int_equal(mmio.global.count, 0);
	assert_int_equal(count_sent(VPCI_MSG_BUS_D0EXIT), 1);
}

/* ---- Config synthesis ------------------------------------------------- */

static uint32_t cfg_read(uint32_t slot, uint32_t where, unsigned size)
{
	uint32_t v = 0xDEADBEEF;

	assert_int_equal(pcif_cfg_read(&bus, slot, where, size, &v), PCIF_OK);
	return v;
}

static void config_reads_are_synthesised_where_linux_does(void **state)
{
	unsigned before;

	(void)state;
	assert_int_equal(pcif_probe(&bus), PCIF_OK);
	before = host.mmio_accesses;
	assert_int_equal(cfg_read(SLOT_A, 0x00, 2), VPCI_TEST_VENDOR_ID);
	assert_int_equal(cfg_read(SLOT_A, 0x02, 2), VPCI_TEST_DEVICE_TEST64);
	assert_int_equal(cfg_read(SLOT_A, 0x00, 4),
			 VPCI_TEST_VENDOR_ID | VPCI_TEST_DEVICE_TEST64 << 16);
	assert_int_equal(cfg_read(SLOT_A, 0x01, 1), VPCI_TEST_VENDOR_ID >> 8);
	assert_int_equal(cfg_read(SLOT_A, 0x08, 4), 0xFF800103u);
	assert_int_equal(cfg_read(SLOT_A, 0x0B, 1), 0xFF);
	assert_int_equal(cfg_read(SLOT_A, 0x2C, 4), 0xBEEF1AF4u);
	assert_int_equal(cfg_read(SLOT_A, 0x2E, 2), 0xBEEF);
	assert_int_equal(cfg_read(SLOT_A, 0x30, 4), 0);
	assert_int_equal(cfg_read(SLOT_A, 0x3C, 1), 0);
	assert_int_equal(host.mmio_accesses, before);

	/* Everything else goes through the window: slot select + access. */
	assert_int_equal(cfg_read(SLOT_A, 0x3D, 1), 1);     /* interrupt pin */
	assert_int_equal(host.selected_slot, SLOT_A);
	assert_int_equal(host.mmio_accesses, before + 2);
	assert_true(cfg_read(SLOT_B, 0x04, 2) & PCIF_PCI_COMMAND_MEMORY);
	assert_int_equal(host.selected_slot, SLOT_B);
	/* Straddling the IDs and COMMAND: not synthesised. */
	assert_int_equal(cfg_read(SLOT_A, 0x02, 4) & 0xFFFF,
			 VPCI_TEST_DEVICE_TEST64);
	assert_int_equal(host.mmio_accesses, before + 6);
}

static void config_writes_and_errors(void **state)
{
	uint32_t v;
	unsigned before;

	(void)state;
	assert_int_equal(pcif_probe(&bus), PCIF_OK);
	before = host.mmio_accesses;
	/* Subsystem and ROM BAR writes are dropped. */
	assert_int_equal(pcif_cfg_write(&bus, SLOT_A, 0x2C, 4, 0x12345678), 0);
	assert_int_equal(pcif_cfg_write(&bus, SLOT_A, 0x30, 4, 0xFFFFFFFF), 0);
	assert_int_equal(host.mmio_accesses, before);
	/* Below COMMAND or past the page: refused with Linux's words. */
	assert_int_equal(pcif_cfg_write(&bus, SLOT_A, 0x00, 2, 0),
			 PCIF_ERR_INVALID);
	assert_true(logged("Attempt to write beyond a function's config space."));
	assert_int_equal(pcif_cfg_read(&bus, SLOT_A, 0xFFE, 4, &v),
			 PCIF_ERR_INVALID);
	assert_true(logged("Attempt to read beyond a function's config space."));
	assert_int_equal(pcif_cfg_read(&bus, SLOT_A, 0x10, 3, &v),
			 PCIF_ERR_INVALID);
	assert_int_equal(pcif_cfg_read(&bus, VPCI_WIN_SLOT(7, 0), 0x00, 2, &v),
			 PCIF_ERR_NO_DEVICE);
	assert_int_equal(host.mmio_accesses, before);
	/* A real write lands in the host's register. */
	assert_int_equal(pcif_cfg_write(&bus, SLOT_B, 0x04, 2, 0), 0);
	assert_int_equal(host.func[1].command, 0);
}

/* ---- Eject and teardown ------------------------------------------------ */

static void eject_releases_then_completes(void **state)
{
	struct vpci_child_message eject = { VPCI_MSG_EJECT, SLOT_B };
	unsigned mark;
	int released, done;

	(void)state;
	assert_int_equal(pcif_probe(&bus), PCIF_OK);
	mark = host.nr_sent;
	enqueue(&eject, sizeof(eject));
	assert_int_equal(pcif_poll(&bus, 0), 1);
	released = find_sent(VPCI_MSG_RESOURCES_RELEASED, mark);
	done = find_sent(VPCI_MSG_EJECTION_COMPLETE, mark);
	assert_true(released >= 0 && done == released + 1);
	assert_int_equal(host.sent[released].slot, SLOT_B);
	assert_int_equal(host.sent[done].slot, SLOT_B);
	assert_int_equal(host.sent[done].len, sizeof(struct vpci_ejection_complete));
	assert_null(pcif_find_func(&bus, SLOT_B));

	/* The host then sends the updated relations: accepted, nothing new
	 * queried, A still there. */
	host.func_present[1] = false;
	enqueue_relations();
	assert_int_equal(pcif_poll(&bus, 0), 1);
	assert_int_equal(pcif_func_count(&bus), 1);
	assert_non_null(pcif_find_func(&bus, SLOT_A));
	assert_int_equal(count_sent(VPCI_MSG_QUERY_RESOURCE_REQUIREMENTS), 2);

	/* Nothing more to read. */
	assert_int_equal(pcif_poll(&bus, 0), 0);
	/* An eject for an unknown slot is ignored. */
	enqueue(&eject, sizeof(eject));
	mark = host.nr_sent;
	assert_int_equal(pcif_poll(&bus, 0), 1);
	assert_int_equal(host.nr_sent, mark);
}

static void teardown_exits_d0_and_frees_windows(void **state)
{
	unsigned mark;

	(void)state;
	assert_int_equal(pcif_probe(&bus), PCIF_OK);
	assert_int_equal(mmio.global.count, 3);  /* config + low + high */
	mark = host.nr_sent;
	assert_int_equal(pcif_remove(&bus), PCIF_OK);
	/* As hv_pci_remove: functions forgotten first, so only D0EXIT. */
	assert_int_equal(host.nr_sent, mark + 1);
	assert_int_equal(host.sent[mark].type, VPCI_MSG_BUS_D0EXIT);
	assert_int_equal(mmio.global.count, 0);
	assert_int_equal(mmio.shadow.count, 0);
	assert_int_equal(bus.state, PCIF_BUS_REMOVED);
	assert_int_equal(pcif_remove(&bus), PCIF_ERR_INVALID);
	assert_int_equal(pcif_probe(&bus), PCIF_ERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(version_walk_settles_on_what_the_host_takes, setup),
		cmocka_unit_test_setup(version_1_1_uses_resources_assigned, setup),
		cmocka_unit_test_setup(version_refused_ends_the_probe, setup),
		cmocka_unit_test_setup(no_common_version, setup),
		cmocka_unit_test_setup(d0_entry_carries_the_config_window, setup),
		cmocka_unit_test_setup(d0_refused_once_is_retried, setup),
		cmocka_unit_test_setup(d0_refused_twice_fails_with_the_status, setup),
		cmocka_unit_test_setup(silent_host_times_out, setup),
		cmocka_unit_test_setup(relations2_are_understood, setup),
		cmocka_unit_test_setup(truncated_relations_are_dropped, setup),
		cmocka_unit_test_setup(failed_requirements_still_record_the_function, setup),
		cmocka_unit_test_setup(bridge_windows_are_sized_from_probed_bars, setup),
		cmocka_unit_test_setup(bars_are_assigned_biggest_first, setup),
		cmocka_unit_test(bar_size_rounds_to_a_page),
		cmocka_unit_test_setup(config_space_disagreeing_with_probe_is_caught, setup),
		cmocka_unit_test_setup(no_room_for_the_low_window, setup),
		cmocka_unit_test_setup(resources_assigned_refused, setup),
		cmocka_unit_test_setup(config_reads_are_synthesised_where_linux_does, setup),
		cmocka_unit_test_setup(config_writes_and_errors, setup),
		cmocka_unit_test_setup(eject_releases_then_completes, setup),
		cmocka_unit_test_setup(teardown_exits_d0_and_frees_windows, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
