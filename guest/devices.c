// SPDX-License-Identifier: MIT
#include "guest/devices.h"

#include "guest/lib/console.h"
#include "guest/lib/format.h"
#include "guest/lib/report.h"
#include "vmbus/abi/vpci_abi.h"

/* What pci-hyperv prints for the refusal (facts §7.5 step 5). */
#define LINUX_D0_REFUSED_LINE \
	"PCI Pass-through VSP failed D0 Entry with status c0370048"
/* The last slot of the host's default bus (vmbus/vpci.h: kvmbus-test64
 * at slot 0, kvmbus-test32 at slot 1). */
#define HOT_REMOVE_SLOT 1

static void mmio_log(void *ctx, enum pcif_log_level level, const char *text)
{
	(void)ctx;
	(void)level;
	report_info("vmbus mmio: %s", text);
}

void devices_mmio_init(struct devices *d, const struct platform_info *p,
		       const struct guest_scenario *s)
{
	struct pcif_log log = { mmio_log, NULL };
	bool ok = true;

	pcif_mmio_init(&d->mmio, &log);
	for (unsigned i = 0; i < p->nr_vmbus_mmio; i++)
		ok = pcif_mmio_add_range(&d->mmio, p->vmbus_mmio[i].base,
					 p->vmbus_mmio[i].size) == PCIF_MMIO_OK &&
		     ok;

	int rc = pcif_mmio_reserve_fb(&d->mmio, s->fb_policy, s->lfb_base,
				      s->lfb_size);

	/* Nothing to reserve is a policy's answer, not an error. */
	ok = ok && d->mmio.nr_ranges > 0 &&
	     (rc == PCIF_MMIO_OK || rc == PCIF_MMIO_FB_NOTHING);
	if (d->mmio.has_fb)
		report(ok, "MMIO allocator: %u VMBus ranges; framebuffer (%s, lfb_base 0x%lx) reserved [0x%lx, 0x%lx]",
		       d->mmio.nr_ranges, pcif_fb_policy_name(s->fb_policy),
		       (unsigned long)s->lfb_base,
		       (unsigned long)d->mmio.fb.start,
		       (unsigned long)d->mmio.fb.end);
	else
		report(ok, "MMIO allocator: %u VMBus ranges; no framebuffer reserved (%s, lfb_base 0x%lx)",
		       d->mmio.nr_ranges, pcif_fb_policy_name(s->fb_policy),
		       (unsigned long)s->lfb_base);
}

static void bring_up_video(struct devices *d, struct vmbus_client *c)
{
	static const struct vmbus_guid synthvid = VMBUS_CLASS_SYNTHVID;
	const struct vmbus_offer_info *offer = vmbus_find_offer(c, &synthvid);

	d->video_offered = offer != NULL;
	if (report(offer != NULL, "synthvid: offered (%u MiB of MMIO)",
		   offer ? offer->mmio_megabytes : 0))
		video_up(&d->video, c, offer, &d->mmio);
}

/* The refusal as the outcome (crash kernel): a conflict when the host
 * said 0xC0370048 and Linux's line is on the console; else a failure. */
static void judge_refusal(const struct vpci_test_bus *t)
{
	if (t->failed_status != VPCI_STATUS_MMIO_OVERLAP) {
		report(false, "%s: D0 entry refused with 0x%x (not the MMIO-overlap status 0x%x)",
		       t->name, t->failed_status, VPCI_STATUS_MMIO_OVERLAP);
		return;
	}
	report(console_watch_seen(), "%s: Linux's line \"%s\" printed",
	       t->name, LINUX_D0_REFUSED_LINE);
	report_conflict("%s: the host refused D0 entry with 0x%x: config window 0x%lx lies on MMIO it still holds",
			t->name, t->failed_status,
			(unsigned long)t->config_window);
}

static void probe_bus(struct devices *d, unsigned i, struct vmbus_client *c,
		      const struct vmbus_offer_info *offer,
		      const struct vpci_test_options *opts)
{
	struct vpci_test_bus *t = &d->bus[i];

	console_watch(LINUX_D0_REFUSED_LINE);
	vpci_test_probe(t, i, c, offer, &d->mmio, opts);
	if (!t->came_up && t->refused && opts->refusal_is_outcome &&
	    !opts->forced_window)
		judge_refusal(t);
	d->nr_buses = i + 1;
}

static void bring_up_pci(struct devices *d, struct vmbus_client *c,
			 const struct guest_scenario *s,
			 const struct devices_options *o)
{
	static const struct vmbus_guid pci = VMBUS_CLASS_PCI;
	const struct vmbus_offer_info *offers[DEVICES_MAX_BUSES];
	unsigned n = 0;

	for (unsigned i = 0; i < c->nr_offers && n < DEVICES_MAX_BUSES; i++)
		if (vmbus_guid_equal(&c->offers[i].class_id, &pci))
			offers[n++] = &c->offers[i];
	report(n == s->vpci_buses,
	       "VPCI: %u bus offer%s (kvmbus,vpci-buses = %u)", n,
	       n == 1 ? "" : "s", s->vpci_buses);

	for (unsigned i = 0; i < n; i++) {
		struct vpci_test_options opts = {
			.window_policy = s->window_policy,
			.eject_slot = o->hot_remove && i == 0 ? HOT_REMOVE_SLOT
							      : -1,
			/* Only the crash kernel makes a refusal its outcome. */
			.refusal_is_outcome = s->stage == SCENARIO_KDUMP_CRASH,
		};

		probe_bus(d, i, c, offers[i], &opts);
	}
}

/* test=cfgwin-over-vram: the host's refusal on demand. */
static void cfgwin_over_vram(struct devices *d, struct vmbus_client *c,
			     const struct guest_scenario *s)
{
	static const struct vmbus_guid pci = VMBUS_CLASS_PCI;
	const struct vmbus_offer_info *offer = NULL;

	bring_up_video(d, c);
	for (unsigned i = 0; i < c->nr_offers && !offer; i++)
		if (vmbus_guid_equal(&c->offers[i].class_id, &pci))
			offer = &c->offers[i];
	if (!report(d->video.vram_acked && offer,
		    "test=cfgwin-over-vram: VRAM placed at 0x%lx, a VPCI bus offered",
		    (unsigned long)d->video.vram_gpa))
		return;

	struct vpci_test_options opts = {
		.window_policy = s->window_policy,
		.forced_window = d->video.vram_gpa,
		.eject_slot = -1,
		.refusal_is_outcome = true,
	};
	const struct vpci_test_bus *t = &d->bus[0];

	probe_bus(d, 0, c, offer, &opts);
	report(!t->came_up && t->refused &&
	       t->failed_status == VPCI_STATUS_MMIO_OVERLAP &&
	       console_watch_seen(),
	       "test=cfgwin-over-vram: config window on the VRAM at 0x%lx refused with 0x%x (want 0x%x), Linux's line %s",
	       (unsigned long)t->config_window, t->failed_status,
	       VPCI_STATUS_MMIO_OVERLAP,
	       console_watch_seen() ? "printed" : "missing");
}

void devices_up(struct devices *d, struct vmbus_client *c,
		const struct guest_scenario *s, const struct devices_options *o)
{
	if (o->cfgwin_over_vram) {
		cfgwin_over_vram(d, c, s);
	} else {
		report_info("%s: bring-up order %s, then %s", scenario_stage_name(s->stage),
			    scenario_device_name(s->order[0]),
			    scenario_device_name(s->order[1]));
		for (unsigned i = 0; i < SCENARIO_NR_DEVICES; i++) {
			if (s->order[i] == SCENARIO_DEV_VIDEO)
				bring_up_video(d, c);
			else
				bring_up_pci(d, c, s, o);
		}
	}
	console_watch(NULL);
}

static const char *upper_policy(enum pcif_fb_policy p)
{
	return p == PCIF_FB_NONE ? "NONE" : p == PCIF_FB_LFB ? "LFB" : "FALLBACK";
}

void devices_show(struct devices *d, const struct guest_scenario *s)
{
	static const char *const stage_text[] = {
		[SCENARIO_NORMAL] = "NORMAL BOOT",
		[SCENARIO_KDUMP_FIRST] = "KDUMP: FIRST KERNEL",
		[SCENARIO_KDUMP_CRASH] = "KDUMP: CRASH KERNEL",
	};
	char policies[48], order[48], vram[48];
	const char *lines[] = { stage_text[s->stage], policies, order, vram };
	enum report_outcome o = report_outcome();
	static const char *const word[] = {
		[REPORT_OUTCOME_PASS] = "PASS",
		[REPORT_OUTCOME_CONFLICT] = "CONFLICT",
		[REPORT_OUTCOME_FAIL] = "FAIL",
	};
	static const uint32_t colour[] = {
		[REPORT_OUTCOME_PASS] = DRAW_GREEN,
		[REPORT_OUTCOME_CONFLICT] = DRAW_YELLOW,
		[REPORT_OUTCOME_FAIL] = DRAW_RED,
	};

	ksnprintf(policies, sizeof(policies), "FB %s  CONFIG WINDOW %s",
		  upper_policy(s->fb_policy),
		  s->window_policy == PCIF_CFGWIN_HIGH ? "HIGH" : "LEGACY");
	ksnprintf(order, sizeof(order), "ORDER %s FIRST  VPCI BUSES %u",
		  s->order[0] == SCENARIO_DEV_VIDEO ? "VIDEO" : "PCI",
		  s->vpci_buses);
	ksnprintf(vram, sizeof(vram), "VRAM 0X%lX", (unsigned long)d->video.vram_gpa);
	video_show(&d->video, "KVMBUS", lines, sizeof(lines) / sizeof(lines[0]),
		   word[o], colour[o]);
}

void devices_down(struct devices *d)
{
	for (unsigned i = 0; i < d->nr_buses; i++)
		vpci_test_remove(&d->bus[i]);
	if (d->video_offered)
		video_down(&d->video);
}
