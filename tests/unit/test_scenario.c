// SPDX-License-Identifier: MIT
/* scenario: the preset table (knobs only, one-line descriptions), the
 * framebuffer placement rules on the low gap, the 2026 fallback size,
 * `kvmbus scenarios`, and the knob spellings shared with the guest. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/abi/platform_abi.h"
#include "vmm/scenario.h"

#define MiB (1ull << 20)

static const struct scenario *must_find(const char *name)
{
	const struct scenario *s = scenario_find(name);

	if (!s)
		fail_msg("no preset '%s'", name);
	assert_string_equal(s->name, name);
	return s;
}

static void assert_knobs(const struct scenario *s, enum scenario_boot boot,
			 enum scenario_fb_reserve reserve,
			 enum scenario_config_window window,
			 enum scenario_load_order order,
			 enum scenario_fb_placement placement)
{
	assert_int_equal(s->knobs.boot, boot);
	assert_int_equal(s->knobs.crash_fb_reserve, reserve);
	assert_int_equal(s->knobs.crash_config_window, window);
	assert_int_equal(s->knobs.crash_load_order, order);
	assert_int_equal(s->fb_placement, placement);
}

static void every_preset_sets_the_knobs_it_promises(void **state)
{
	(void)state;
	assert_int_equal(scenario_count(), 7);
	/* The hostile preset changes the guest, not the knobs. */
	assert_string_equal(must_find("hostile")->kernel, "kvmbus-hostile.elf");
	assert_knobs(must_find("hostile"), SCENARIO_BOOT_NORMAL,
		     SCENARIO_FB_RESERVE_NONE, SCENARIO_CONFIG_WINDOW_LEGACY,
		     SCENARIO_LOAD_PCI_FIRST, SCENARIO_FB_AT_LOW_MMIO_BASE);
	assert_knobs(must_find("normal"), SCENARIO_BOOT_NORMAL,
		     SCENARIO_FB_RESERVE_NONE, SCENARIO_CONFIG_WINDOW_LEGACY,
		     SCENARIO_LOAD_PCI_FIRST, SCENARIO_FB_AT_LOW_MMIO_BASE);
	assert_knobs(must_find("kdump"), SCENARIO_BOOT_KDUMP,
		     SCENARIO_FB_RESERVE_NONE, SCENARIO_CONFIG_WINDOW_LEGACY,
		     SCENARIO_LOAD_PCI_FIRST, SCENARIO_FB_AT_LOW_MMIO_BASE);
	assert_knobs(must_find("kdump-fb-fallback"), SCENARIO_BOOT_KDUMP,
		     SCENARIO_FB_RESERVE_FALLBACK,
		     SCENARIO_CONFIG_WINDOW_LEGACY, SCENARIO_LOAD_PCI_FIRST,
		     SCENARIO_FB_AT_LOW_MMIO_BASE);
	assert_knobs(must_find("kdump-fb-fallback-miss"), SCENARIO_BOOT_KDUMP,
		     SCENARIO_FB_RESERVE_FALLBACK,
		     SCENARIO_CONFIG_WINDOW_LEGACY, SCENARIO_LOAD_PCI_FIRST,
		     SCENARIO_FB_PAST_FALLBACK_REACH);
	assert_knobs(must_find("kdump-config-high"), SCENARIO_BOOT_KDUMP,
		     SCENARIO_FB_RESERVE_NONE, SCENARIO_CONFIG_WINDOW_HIGH,
		     SCENARIO_LOAD_PCI_FIRST, SCENARIO_FB_AT_LOW_MMIO_BASE);
	assert_knobs(must_find("kdump-video-first"), SCENARIO_BOOT_KDUMP,
		     SCENARIO_FB_RESERVE_NONE, SCENARIO_CONFIG_WINDOW_LEGACY,
		     SCENARIO_LOAD_VIDEO_FIRST, SCENARIO_FB_AT_LOW_MMIO_BASE);
	/* The default preset exists and is the plain one-boot platform. */
	assert_ptr_equal(scenario_find(SCENARIO_DEFAULT_NAME),
			 must_find("normal"));
}

static void lookups_by_name_and_index(void **state)
{
	(void)state;
	assert_null(scenario_find(NULL));
	assert_null(scenario_find(""));
	assert_null(scenario_find("kdump-"));
	assert_null(scenario_find("KDUMP"));
	assert_null(scenario_at(scenario_count()));
	for (unsigned i = 0; i < scenario_count(); i++) {
		const struct scenario *s = scenario_at(i);

		assert_non_null(s);
		assert_ptr_equal(scenario_find(s->name), s);
		for (unsigned j = 0; j < i; j++)
			assert_string_not_equal(scenario_at(j)->name, s->name);
	}
	/* Listed as the brief's table reads: the baseline first. */
	assert_string_equal(scenario_at(0)->name, "normal");
	assert_string_equal(scenario_at(1)->name, "kdump");
}

/* A preset teaches a policy; whether the conflict appears is for the
 * run to show, so no description may give the answer away. */
static void descriptions_are_one_line_and_name_no_outcome(void **state)
{
	static const char *const outcome_words[] = {
		"conflict", "reproduc", "fail", "succe", "works", "refus",
		"error", "0xc037", "pass",
	};

	(void)state;
	for (unsigned i = 0; i < scenario_count(); i++) {
		const char *d = scenario_at(i)->description;
		char lower[128];
		size_t n = strlen(d);

		assert_true(n > 10 && n < sizeof(lower));
		assert_null(strchr(d, '\n'));
		for (size_t k = 0; k <= n; k++)
			lower[k] = (char)((d[k] >= 'A' && d[k] <= 'Z')
						  ? d[k] - 'A' + 'a' : d[k]);
		for (size_t w = 0; w < sizeof(outcome_words) /
				       sizeof(outcome_words[0]); w++) {
			if (strstr(lower, outcome_words[w]))
				fail_msg("'%s' says '%s'", d, outcome_words[w]);
		}
	}
}

static void list_has_one_line_per_preset(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_non_null(f);
	scenario_print_list(f);
	fclose(f);

	char *line = text;
	for (unsigned i = 0; i < scenario_count(); i++) {
		const struct scenario *s = scenario_at(i);
		char *nl = strchr(line, '\n');

		assert_non_null(nl);
		*nl = '\0';
		/* "name   description", the description in one column. */
		assert_true(strncmp(line, s->name, strlen(s->name)) == 0);
		assert_string_equal(line + 24, s->description);
		assert_true(strlen(line) <= 79);
		line = nl + 1;
	}
	assert_string_equal(line, "");
	free(text);
}

static void fallback_size_follows_the_2026_rule(void **state)
{
	(void)state;
	/* min((4 GiB - start) / 2, 128 MiB) */
	assert_int_equal(scenario_fallback_fb_size(0xC0000000ull), 128 * MiB);
	assert_int_equal(scenario_fallback_fb_size(0xF0000000ull), 128 * MiB);
	assert_int_equal(scenario_fallback_fb_size(0xF8000000ull), 64 * MiB);
	assert_int_equal(scenario_fallback_fb_size(0xFE000000ull), 16 * MiB);
	assert_int_equal(scenario_fallback_fb_size(0x4000000ull), 128 * MiB);
	assert_int_equal(scenario_fallback_fb_size(MEMMAP_4G - 2), 1);
	assert_int_equal(scenario_fallback_fb_size(MEMMAP_4G), 0);
	assert_int_equal(scenario_fallback_fb_size(UINT64_MAX), 0);
}

static void fb_base_is_computed_from_the_low_gap(void **state)
{
	const struct memmap_range gen2 = { 0xC0000000ull, 0x3EC00000ull };
	const struct memmap_range high_up = { 0xF8000000ull, 0x6C00000ull };
	const struct memmap_range low_down = { 0x80000000ull, 0x40000000ull };

	(void)state;
	assert_int_equal(scenario_fb_base(SCENARIO_FB_AT_LOW_MMIO_BASE, gen2),
			 0xC0000000ull);
	assert_int_equal(scenario_fb_base(SCENARIO_FB_AT_LOW_MMIO_BASE,
					  low_down), 0x80000000ull);
	/* Past the reach: low base + the fallback's own size there. */
	assert_int_equal(scenario_fb_base(SCENARIO_FB_PAST_FALLBACK_REACH,
					  gen2), 0xC0000000ull + 128 * MiB);
	assert_int_equal(scenario_fb_base(SCENARIO_FB_PAST_FALLBACK_REACH,
					  low_down), 0x80000000ull + 128 * MiB);
	assert_int_equal(scenario_fb_base(SCENARIO_FB_PAST_FALLBACK_REACH,
					  high_up), 0xF8000000ull + 64 * MiB);
}

/* Each table of spellings: every value round-trips, the spelling is the
 * device-tree value the guest compares with, unknown words and values
 * are refused. */
static void knob_spellings_round_trip(void **state)
{
	enum scenario_boot boot = SCENARIO_BOOT_KDUMP;
	enum scenario_fb_reserve reserve = SCENARIO_FB_RESERVE_LFB;
	enum scenario_config_window window = SCENARIO_CONFIG_WINDOW_HIGH;
	enum scenario_load_order order = SCENARIO_LOAD_VIDEO_FIRST;

	(void)state;
	assert_string_equal(scenario_boot_name(SCENARIO_BOOT_NORMAL),
			    KVMBUS_FDT_BOOT_NORMAL);
	assert_string_equal(scenario_boot_name(SCENARIO_BOOT_KDUMP),
			    KVMBUS_FDT_BOOT_KDUMP);
	assert_int_equal(scenario_boot_parse("normal", &boot), 0);
	assert_int_equal(boot, SCENARIO_BOOT_NORMAL);
	assert_int_equal(scenario_boot_parse("kdump", &boot), 0);
	assert_int_equal(boot, SCENARIO_BOOT_KDUMP);

	assert_string_equal(scenario_fb_reserve_name(SCENARIO_FB_RESERVE_NONE),
			    "none");
	assert_string_equal(scenario_fb_reserve_name(SCENARIO_FB_RESERVE_LFB),
			    "lfb");
	assert_string_equal(
		scenario_fb_reserve_name(SCENARIO_FB_RESERVE_FALLBACK),
		"fallback");
	assert_int_equal(scenario_fb_reserve_parse("fallback", &reserve), 0);
	assert_int_equal(reserve, SCENARIO_FB_RESERVE_FALLBACK);
	assert_int_equal(scenario_fb_reserve_parse("none", &reserve), 0);
	assert_int_equal(reserve, SCENARIO_FB_RESERVE_NONE);

	assert_string_equal(
		scenario_config_window_name(SCENARIO_CONFIG_WINDOW_LEGACY),
		"legacy");
	assert_string_equal(
		scenario_config_window_name(SCENARIO_CONFIG_WINDOW_HIGH),
		"high");
	assert_int_equal(scenario_config_window_parse("legacy", &window), 0);
	assert_int_equal(window, SCENARIO_CONFIG_WINDOW_LEGACY);

	assert_string_equal(scenario_load_order_name(SCENARIO_LOAD_PCI_FIRST),
			    "pci-first");
	assert_string_equal(
		scenario_load_order_name(SCENARIO_LOAD_VIDEO_FIRST),
		"video-first");
	assert_int_equal(scenario_load_order_parse("pci-first", &order), 0);
	assert_int_equal(order, SCENARIO_LOAD_PCI_FIRST);

	/* Unknown words leave the value alone. */
	assert_int_equal(scenario_boot_parse("Normal", &boot), -1);
	assert_int_equal(scenario_boot_parse("", &boot), -1);
	assert_int_equal(scenario_boot_parse(NULL, &boot), -1);
	assert_int_equal(boot, SCENARIO_BOOT_KDUMP);
	assert_int_equal(scenario_fb_reserve_parse("fallbac", &reserve), -1);
	assert_int_equal(reserve, SCENARIO_FB_RESERVE_NONE);
	assert_int_equal(scenario_config_window_parse("low", &window), -1);
	assert_int_equal(window, SCENARIO_CONFIG_WINDOW_LEGACY);
	assert_int_equal(scenario_load_order_parse("pci", &order), -1);
	assert_int_equal(order, SCENARIO_LOAD_PCI_FIRST);

	/* Values outside an enum have no spelling. */
	assert_null(scenario_boot_name((enum scenario_boot)2));
	assert_null(scenario_fb_reserve_name((enum scenario_fb_reserve)3));
	assert_null(scenario_config_window_name(
		(enum scenario_config_window)-1));
	assert_null(scenario_load_order_name((enum scenario_load_order)99));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_preset_sets_the_knobs_it_promises),
		cmocka_unit_test(lookups_by_name_and_index),
		cmocka_unit_test(descriptions_are_one_line_and_name_no_outcome),
		cmocka_unit_test(list_has_one_line_per_preset),
		cmocka_unit_test(fallback_size_follows_the_2026_rule),
		cmocka_unit_test(fb_base_is_computed_from_the_low_gap),
		cmocka_unit_test(knob_spellings_round_trip),
	};

	return cmocka_run_group_tests_name("scenario", tests, NULL, NULL);
}
