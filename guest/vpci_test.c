// SPDX-License-Identifier: MIT
/*
 * One VPCI bus, end to end (guest/vpci_test.h): the channel (facts §7.1),
 * pci_front's probe in Linux's order (§7.5), then every function checked
 * through its config space (§7.6) and its BAR0 registers
 * (vmbus/abi/vpci_abi.h: magic, identity, scratch), and optionally a
 * host-initiated hot-remove.  Each step is a TAP check; pci_front's log
 * lines (Linux's words, e.g. "PCI Pass-through VSP failed D0 Entry with
 * status c0370048") go to the console as diagnostics.
 */
#include "guest/vpci_test.h"

#include "guest/lib/cpu.h"
#include "guest/lib/format.h"
#include "guest/lib/hv.h"
#include "guest/lib/report.h"
#include "vmm/abi/platform_abi.h"

/* facts §7.1: pci-hyperv's rings, 16 KiB each way. */
#define VPCI_RING_PAGES     4u
#define VPCI_TARGET_VP      0u
/* Hot-remove: bound of each wait for a host message, and of the number
 * of messages read before giving up. */
#define EJECT_WAIT_MS       5000u
#define EJECT_MAX_MESSAGES  8u
#define SCRATCH_PATTERN     0x5C2A7C4000000000ull
#define BAR_TYPE_MASK       0x6u
#define BAR_TYPE_64         0x4u
#define BAR_PREFETCH        0x8u
#define BAR_ADDR_MASK       (~0xFull)

static void log_line(void *ctx, enum pcif_log_level level, const char *text)
{
	const struct vpci_test_bus *t = ctx;

	(void)level;
	report_info("%s: %s", t->name, text);
}

static uint64_t clock_100ns(void *ctx)
{
	(void)ctx;
	return hv_time_ref_count();
}

static uint32_t bar_read32(uint64_t addr)
{
	return *(volatile uint32_t *)(uintptr_t)addr;
}

static uint64_t bar_read64(uint64_t addr)
{
	return *(volatile uint64_t *)(uintptr_t)addr;
}

static void bar_write64(uint64_t addr, uint64_t v)
{
	*(volatile uint64_t *)(uintptr_t)addr = v;
}

static const char *model_name(uint16_t device_id)
{
	switch (device_id) {
	case VPCI_TEST_DEVICE_TEST64:
		return "kvmbus-test64";
	case VPCI_TEST_DEVICE_TEST32:
		return "kvmbus-test32";
	}
	return "unknown";
}

static bool in_range(uint64_t addr, uint64_t size, uint64_t base,
		     uint64_t len)
{
	return addr >= base && addr - base < len && size <= len - (addr - base);
}

/* ---- The probe, step by step ------------------------------------------ */

static void report_refusal(struct vpci_test_bus *t,
			   const struct vpci_test_options *opts)
{
	const struct pcif_bus *b = &t->bus;

	t->refused = true;
	t->failed_status = b->failed_status;
	/* pci_front has already printed Linux's "PCI Pass-through VSP
	 * failed D0 Entry with status %x" through log_line. */
	if (opts->refusal_is_outcome)
		report_info("%s: D0 entry refused with status 0x%x (%u attempts, config window 0x%lx): reported as the outcome",
			    t->name, b->failed_status, b->d0_entry_attempts,
			    (unsigned long)t->config_window);
	else
		report(false, "%s: D0 entry accepted (refused with status 0x%x after %u attempts, config window 0x%lx)",
		       t->name, b->failed_status, b->d0_entry_attempts,
		       (unsigned long)t->config_window);
}

/* TAP checks for what pcif_probe did.  True if the bus came up. */
static bool report_probe(struct vpci_test_bus *t, int rc,
			 const struct vpci_test_options *opts)
{
	const struct pcif_bus *b = &t->bus;
	enum pcif_stage stage = b->failed_stage;

	if (!report(b->protocol_version != 0,
		    "%s: protocol version negotiated (%u.%u)%s%s",
		    t->name, b->protocol_version >> 16,
		    b->protocol_version & 0xFFFF,
		    stage == PCIF_STAGE_VERSION ? ": " : "",
		    stage == PCIF_STAGE_VERSION ? pcif_result_name(rc) : ""))
		return false;

	if (stage == PCIF_STAGE_CONFIG_WINDOW) {
		report(false, "%s: config window placed (policy %s: %s)",
		       t->name, pcif_config_window_policy_name(opts->window_policy),
		       pcif_result_name(rc));
		return false;
	}
	t->config_window = opts->forced_window ? opts->forced_window
					       : b->config_window;
	if (opts->forced_window)
		report(true, "%s: config window placed at 0x%lx (forced; the allocator granted 0x%lx)",
		       t->name, (unsigned long)t->config_window,
		       (unsigned long)b->config_window);
	else
		report(true, "%s: config window placed at 0x%lx (policy %s)",
		       t->name, (unsigned long)t->config_window,
		       pcif_config_window_policy_name(opts->window_policy));

	if (!report(b->relations_seen, "%s: bus relations received (%u functions)%s%s",
		    t->name, pcif_func_count(b),
		    stage == PCIF_STAGE_RELATIONS ? ": " : "",
		    stage == PCIF_STAGE_RELATIONS ? pcif_result_name(rc) : ""))
		return false;

	if (stage == PCIF_STAGE_D0_ENTRY) {
		if (rc == PCIF_ERR_REFUSED && vpci_status_failed(b->failed_status))
			report_refusal(t, opts);
		else
			report(false, "%s: D0 entry accepted (%s)", t->name,
			       pcif_result_name(rc));
		return false;
	}
	report(true, "%s: D0 entry accepted (config window 0x%lx, %u attempt%s)",
	       t->name, (unsigned long)t->config_window, b->d0_entry_attempts,
	       b->d0_entry_attempts == 1 ? "" : "s");

	return report(rc == PCIF_OK && b->unassigned_bars == 0,
		      "%s: resources assigned, BARs programmed (low window 0x%lx+0x%lx, high window 0x%lx+0x%lx, %u unassigned)%s%s%s%s",
		      t->name, (unsigned long)b->low_window,
		      (unsigned long)b->low_mmio_space,
		      (unsigned long)b->high_window,
		      (unsigned long)b->high_mmio_space, b->unassigned_bars,
		      rc == PCIF_OK ? "" : ": failed at ",
		      rc == PCIF_OK ? "" : pcif_stage_name(stage),
		      rc == PCIF_OK ? "" : ": ",
		      rc == PCIF_OK ? "" : pcif_result_name(rc));
}

/* ---- One function ------------------------------------------------------ */

/* Does any other assigned BAR on the bus touch the 4 KiB page at page? */
static bool page_shared(const struct pcif_bus *b, const struct pcif_func *self,
			uint64_t page)
{
	for (unsigned i = 0; i < PCIF_MAX_FUNCS; i++) {
		const struct pcif_func *f = &b->func[i];

		if (!f->present)
			continue;
		for (unsigned n = 0; n < VPCI_NUM_BARS; n++) {
			const struct pcif_bar *bar = &f->bar[n];

			if (!bar->base || (f == self && n == 0))
				continue;
			if (bar->base < page + PCIF_BAR_PAGE &&
			    page < bar->base + bar->size)
				return true;
		}
	}
	return false;
}

/* BAR0 as config space holds it; expects the layout of the model.
 * Returns the address, or 0 if the check failed. */
static uint64_t check_bar0(struct vpci_test_bus *t, const struct pcif_func *f,
			   const char *slot)
{
	const struct pcif_bus *b = &t->bus;
	uint32_t win = f->desc.win_slot, lo = 0, hi = 0;
	bool is64 = f->desc.device_id == VPCI_TEST_DEVICE_TEST64;
	bool ok = pcif_cfg_read(&t->bus, win, PCIF_PCI_BAR0, 4, &lo) == PCIF_OK;

	if (is64)
		ok = pcif_cfg_read(&t->bus, win, PCIF_PCI_BAR0 + 4, 4, &hi) ==
		     PCIF_OK && ok;

	uint64_t addr = ((uint64_t)hi << 32) | (lo & BAR_ADDR_MASK);
	const struct pcif_bar *bar = &f->bar[0];

	ok = ok && addr && addr == bar->base && !(lo & 1);
	if (is64) {
		ok = ok && (lo & BAR_TYPE_MASK) == BAR_TYPE_64 &&
		     (lo & BAR_PREFETCH) && addr >= PCIF_SZ_4G &&
		     b->has_high_window &&
		     in_range(addr, VPCI_TEST_TEST64_BAR0_SIZE, b->high_window,
			      b->high_mmio_space);
		report(ok, "%s: BAR0 programmed: 0x%lx (BAR0 0x%08x BAR1 0x%08x: 64-bit prefetchable, 0x%x bytes, high gap window 0x%lx+0x%lx)",
		       slot, (unsigned long)addr, lo, hi,
		       VPCI_TEST_TEST64_BAR0_SIZE, (unsigned long)b->high_window,
		       (unsigned long)b->high_mmio_space);
	} else {
		bool own_page = addr % PCIF_BAR_PAGE == 0 &&
				bar->size == PCIF_BAR_PAGE &&
				!page_shared(b, f, addr);

		ok = ok && (lo & BAR_TYPE_MASK) == 0 && addr < PCIF_SZ_4G &&
		     b->has_low_window && own_page &&
		     in_range(addr, PCIF_BAR_PAGE, b->low_window,
			      b->low_mmio_space);
		report(ok, "%s: BAR0 programmed: 0x%lx (BAR0 0x%08x: 32-bit, 0x%x bytes on its own 4 KiB page%s, low gap window 0x%lx+0x%lx)",
		       slot, (unsigned long)addr, lo,
		       VPCI_TEST_TEST32_BAR0_SIZE, own_page ? "" : " -- NOT",
		       (unsigned long)b->low_window,
		       (unsigned long)b->low_mmio_space);
	}
	return ok ? addr : 0;
}

/* The magic and identity registers at BAR0 + 0 (vpci_abi.h). */
static bool check_id_register(struct vpci_test_bus *t,
			      const struct pcif_func *f, uint64_t bar,
			      const char *slot, const char *when)
{
	uint32_t want = VPCI_TEST_IDENTITY(f->desc.device_id, t->index,
					   f->desc.win_slot);
	uint32_t magic = bar_read32(bar + VPCI_TEST_REG_MAGIC);
	uint32_t identity = bar_read32(bar + VPCI_TEST_REG_IDENTITY);

	return report(magic == VPCI_TEST_MAGIC && identity == want,
		      "%s: ID register read through BAR0%s: magic 0x%08x identity 0x%08x (expected 0x%08x 0x%08x)",
		      slot, when, magic, identity, VPCI_TEST_MAGIC, want);
}

static void check_function(struct vpci_test_bus *t, const struct pcif_func *f)
{
	uint32_t win = f->desc.win_slot, id = ~0u, cmd = 0;
	char slot[32];

	ksnprintf(slot, sizeof(slot), "%s slot %u", t->name, win);
	t->functions_checked++;

	bool id_ok = pcif_cfg_read(&t->bus, win, 0, 4, &id) == PCIF_OK;
	uint16_t vendor = (uint16_t)id, device = (uint16_t)(id >> 16);

	report(id_ok && vendor == VPCI_TEST_VENDOR_ID &&
	       device == f->desc.device_id &&
	       (device == VPCI_TEST_DEVICE_TEST64 ||
		device == VPCI_TEST_DEVICE_TEST32),
	       "%s: vendor/device ID %04x:%04x (%s)", slot, vendor, device,
	       model_name(device));

	uint64_t bar = check_bar0(t, f, slot);
	bool cmd_ok = pcif_cfg_read(&t->bus, win, PCIF_PCI_COMMAND, 2, &cmd) ==
		      PCIF_OK;

	report(cmd_ok && (cmd & PCIF_PCI_COMMAND_MEMORY),
	       "%s: memory decoding on (COMMAND 0x%04x)", slot, cmd);
	if (!bar || !(cmd & PCIF_PCI_COMMAND_MEMORY)) {
		report(false, "%s: ID register read through BAR0 (no usable BAR)",
		       slot);
		return;
	}
	check_id_register(t, f, bar, slot, "");

	uint64_t pattern = SCRATCH_PATTERN | (uint64_t)t->index << 16 | win;
	uint64_t before = bar_read64(bar + VPCI_TEST_REG_SCRATCH);

	bar_write64(bar + VPCI_TEST_REG_SCRATCH, pattern);

	uint64_t after = bar_read64(bar + VPCI_TEST_REG_SCRATCH);

	report(after == pattern,
	       "%s: scratch register round trip: wrote 0x%lx, read 0x%lx (was 0x%lx)",
	       slot, (unsigned long)pattern, (unsigned long)after,
	       (unsigned long)before);
}

/* ---- Hot-remove ---------------------------------------------------------- */

static uint32_t last_message_type(const struct pcif_bus *b)
{
	uint32_t type;

	__builtin_memcpy(&type, b->msg, sizeof(type));
	return type;
}

static void test_hot_remove(struct vpci_test_bus *t, uint32_t win)
{
	bool saw_eject = false, saw_relations = false;
	unsigned before = pcif_func_count(&t->bus), messages = 0;
	int rc = 0;

	if (!pcif_find_func(&t->bus, win)) {
		report(false, "%s: hot-remove of slot %u (no function there)",
		       t->name, win);
		return;
	}
	/* The host acts as an operator would (platform_abi.h): it sends
	 * PCI_EJECT on this bus's channel (facts §7.2). */
	outl(KVMBUS_PORT_HOST_REQUEST,
	     KVMBUS_HOST_REQUEST(KVMBUS_REQ_PCI_EJECT, t->index << 8 | win));
	/* pci_front answers the EJECT with RESOURCES_RELEASED and
	 * EJECTION_COMPLETE; the host then sends the new relations. */
	while (messages < EJECT_MAX_MESSAGES && !saw_relations) {
		rc = pcif_poll(&t->bus, EJECT_WAIT_MS);
		if (rc <= 0)
			break;
		messages++;

		uint32_t type = last_message_type(&t->bus);

		if (type == VPCI_MSG_EJECT)
			saw_eject = true;
		else if (saw_eject && (type == VPCI_MSG_BUS_RELATIONS ||
				       type == VPCI_MSG_BUS_RELATIONS2))
			saw_relations = true;
	}
	t->ejected = saw_eject && !pcif_find_func(&t->bus, win);
	report(t->ejected,
	       "%s: hot-remove of slot %u: EJECT handled, function gone from the guest's list (%u -> %u functions)%s",
	       t->name, win, before, pcif_func_count(&t->bus),
	       rc < 0 ? " -- poll failed" : (saw_eject ? "" : " -- no EJECT came"));
	report(saw_relations,
	       "%s: eject: updated bus relations received (%u functions, %u messages)",
	       t->name, pcif_func_count(&t->bus), messages);

	for (unsigned i = 0; i < PCIF_MAX_FUNCS; i++) {
		const struct pcif_func *f = &t->bus.func[i];
		char slot[32];

		if (!f->present || !f->bar[0].base)
			continue;
		ksnprintf(slot, sizeof(slot), "%s slot %u", t->name,
			  f->desc.win_slot);
		check_id_register(t, f, f->bar[0].base, slot,
				  " after the eject");
	}
}

/* ---- Entry points -------------------------------------------------------- */

bool vpci_test_probe(struct vpci_test_bus *t, unsigned index,
		     struct vmbus_client *c, const struct vmbus_offer_info *offer,
		     struct pcif_mmio_alloc *alloc,
		     const struct vpci_test_options *opts)
{
	uint32_t status = ~0u;

	t->index = index;
	t->came_up = false;
	t->failed_status = 0;
	t->config_window = 0;
	t->functions_checked = 0;
	t->refused = false;
	t->ejected = false;
	/* Until pcif_bus_init: nothing for vpci_test_remove to undo (the
	 * struct may be reused, e.g. by a crash kernel after the first). */
	t->bus.state = PCIF_BUS_REMOVED;
	ksnprintf(t->name, sizeof(t->name), "vpci%u", index);

	bool opened = guest_channel_open(&t->ch, c, offer, VPCI_RING_PAGES,
					 VPCI_RING_PAGES, VPCI_TARGET_VP,
					 &status);

	if (!report(opened, "%s: channel opened (relid %u, %u+%u ring pages, target VP %u, status 0x%x)",
		    t->name, offer->relid, VPCI_RING_PAGES, VPCI_RING_PAGES,
		    VPCI_TARGET_VP, status))
		return false;

	vpci_transport_init(&t->xport, &t->ch, clock_100ns, NULL);
	if (opts->forced_window)
		vpci_transport_force_window(&t->xport, opts->forced_window);

	struct pcif_transport xport = vpci_transport_pcif(&t->xport);
	struct pcif_log log = { log_line, t };
	struct pcif_bus_config cfg = {
		.name = t->name,
		.window_policy = opts->window_policy,
	};

	pcif_bus_init(&t->bus, &xport, alloc, &log, &cfg);

	int rc = pcif_probe(&t->bus);

	t->came_up = report_probe(t, rc, opts);
	if (t->bus.state == PCIF_BUS_PROBED) {
		for (unsigned i = 0; i < PCIF_MAX_FUNCS; i++)
			if (t->bus.func[i].present)
				check_function(t, &t->bus.func[i]);
		if (opts->eject_slot >= 0)
			test_hot_remove(t, (uint32_t)opts->eject_slot);
	}

	const struct vpci_xport_stats *s = &t->xport.stats;

	if (s->stray_completions || s->fifo_dropped || s->truncated ||
	    s->unexpected_packets || s->timeouts || s->send_failures)
		report_info("%s: transport: %u stray completions, %u dropped, %u truncated, %u unexpected, %u timeouts, %u send failures",
			    t->name, s->stray_completions, s->fifo_dropped,
			    s->truncated, s->unexpected_packets, s->timeouts,
			    s->send_failures);
	return t->came_up;
}

void vpci_test_remove(struct vpci_test_bus *t)
{
	if (t->bus.state == PCIF_BUS_PROBED) {
		int rc = pcif_remove(&t->bus);

		report(rc == PCIF_OK, "%s: removed (D0 exit: %s, windows freed)",
		       t->name, pcif_result_name(rc));
	}
	if (t->ch.open || t->ch.gpadl)
		report(guest_channel_close(&t->ch),
		       "%s: channel closed and ring GPADL torn down", t->name);
}
