// SPDX-License-Identifier: MIT
/* options: the command line -- commands, every option in both forms,
 * defaults, each class of error, the number syntax, and --help. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/options.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

static struct kvmbus_options opts;
static char err[256];

/* parse("run", "--mem", "1G", NULL): argv[0] is supplied. */
static int parse_v(const char *first, va_list ap)
{
	char *argv[32];
	int argc = 0;

	argv[argc++] = (char *)"kvmbus";
	for (const char *a = first; a; a = va_arg(ap, const char *)) {
		assert_true(argc < 31);
		argv[argc++] = (char *)a;
	}
	argv[argc] = NULL;
	memset(err, 0, sizeof(err));
	return options_parse(&opts, argc, argv, err, sizeof(err));
}

static int parse(const char *first, ...)
{
	va_list ap;
	int r;

	va_start(ap, first);
	r = parse_v(first, ap);
	va_end(ap);
	return r;
}

/* Expect -1 and an error mentioning both needles (NULL to skip one). */
static void expect_error(const char *n1, const char *n2, const char *first,
			 ...)
{
	va_list ap;
	int r;

	va_start(ap, first);
	r = parse_v(first, ap);
	va_end(ap);
	if (r != -1)
		fail_msg("accepted; expected an error about '%s'", n1);
	if (n1 && !strstr(err, n1))
		fail_msg("error '%s' does not mention '%s'", err, n1);
	if (n2 && !strstr(err, n2))
		fail_msg("error '%s' does not mention '%s'", err, n2);
	assert_null(strchr(err, '\n'));  /* one line */
}

static void run_with_defaults(void **state)
{
	(void)state;
	assert_int_equal(parse("run", NULL), 0);
	assert_int_equal(opts.command, CMD_RUN);
	assert_null(opts.kernel);
	assert_int_equal(opts.mem_size, 256 * MiB);
	assert_int_equal(opts.cpus, 1);
	assert_false(opts.trace);
	assert_null(opts.trace_path);
	assert_int_equal(opts.trace_format, TRACE_TEXT);
	assert_int_equal(opts.timeout_s, 60);
	assert_int_equal(opts.low_mmio.base, MEMMAP_DEFAULT_LOW_MMIO_BASE);
	assert_int_equal(opts.low_mmio.size, MEMMAP_DEFAULT_LOW_MMIO_SIZE);
	assert_int_equal(opts.high_mmio.base, MEMMAP_DEFAULT_HIGH_MMIO_BASE);
	assert_int_equal(opts.high_mmio.size, MEMMAP_DEFAULT_HIGH_MMIO_SIZE);
	assert_null(opts.bootargs);

	/* Scenario knobs: the "normal" preset, the framebuffer at the low
	 * MMIO base as on Gen2, one PCI bus, no reports. */
	assert_non_null(opts.scenario);
	assert_string_equal(opts.scenario->name, "normal");
	assert_int_equal(opts.knobs.boot, SCENARIO_BOOT_NORMAL);
	assert_int_equal(opts.knobs.crash_fb_reserve, SCENARIO_FB_RESERVE_NONE);
	assert_int_equal(opts.knobs.crash_config_window,
			 SCENARIO_CONFIG_WINDOW_LEGACY);
	assert_int_equal(opts.knobs.crash_load_order, SCENARIO_LOAD_PCI_FIRST);
	assert_int_equal(opts.fb_base, MEMMAP_DEFAULT_LOW_MMIO_BASE);
	assert_int_equal(opts.vpci_buses, 1);
	assert_int_equal(opts.explicit_knobs, 0);
	assert_null(opts.screenshot_path);
	assert_false(opts.mmio_map);
	assert_null(opts.mmio_map_svg_path);
}

static void help_and_version_commands(void **state)
{
	(void)state;
	assert_int_equal(parse("--help", NULL), 0);
	assert_int_equal(opts.command, CMD_HELP);
	assert_int_equal(parse("-h", NULL), 0);
	assert_int_equal(opts.command, CMD_HELP);
	assert_int_equal(parse("--version", NULL), 0);
	assert_int_equal(opts.command, CMD_VERSION);
	assert_int_equal(parse("run", "--mem", "1G", "--help", NULL), 0);
	assert_int_equal(opts.command, CMD_HELP);
	/* --help as the value of --cmdline is just a string. */
	assert_int_equal(parse("run", "--cmdline", "--help", NULL), 0);
	assert_int_equal(opts.command, CMD_RUN);
	assert_string_equal(opts.bootargs, "--help");
}

static void every_option_in_both_forms(void **state)
{
	(void)state;
	assert_int_equal(parse("run", "--kernel", "g.elf", "--mem", "1G",
			       "--cpus", "2", "--trace-format", "json",
			       "--timeout", "0", "--low-mmio", "0x80000000,256M",
			       "--high-mmio", "0x2000000000,0x40000000",
			       "--cmdline", "console=ttyS0 quiet", NULL), 0);
	assert_string_equal(opts.kernel, "g.elf");
	assert_int_equal(opts.mem_size, 1 * GiB);
	assert_int_equal(opts.cpus, 2);
	assert_int_equal(opts.trace_format, TRACE_JSON);
	assert_int_equal(opts.timeout_s, 0);
	assert_int_equal(opts.low_mmio.base, 0x80000000ull);
	assert_int_equal(opts.low_mmio.size, 256 * MiB);
	assert_int_equal(opts.high_mmio.base, 0x2000000000ull);
	assert_int_equal(opts.high_mmio.size, 0x40000000ull);
	assert_string_equal(opts.bootargs, "console=ttyS0 quiet");

	assert_int_equal(parse("--kernel=k.elf", "--mem=0x20000000",
			       "--cpus=2", "--trace-format=text",
			       "--timeout=86400", "--low-mmio=0x80000000,256M",
			       "--high-mmio=0x2000000000,0x40000000",
			       "--cmdline=a=b c", "run", NULL), 0);
	assert_int_equal(opts.command, CMD_RUN);
	assert_string_equal(opts.kernel, "k.elf");
	assert_int_equal(opts.mem_size, 512 * MiB);
	assert_int_equal(opts.cpus, 2);
	assert_int_equal(opts.trace_format, TRACE_TEXT);
	assert_int_equal(opts.timeout_s, 86400);
	assert_int_equal(opts.low_mmio.base, 0x80000000ull);
	assert_int_equal(opts.high_mmio.size, 0x40000000ull);
	assert_string_equal(opts.bootargs, "a=b c");
}

static void scenario_options_in_both_forms(void **state)
{
	(void)state;
	assert_int_equal(parse("run", "--scenario", "kdump", "--boot", "normal",
			       "--fb-base", "0xC8000000", "--fb-reserve", "lfb",
			       "--config-window", "high", "--load-order",
			       "video-first", "--vpci", "2", "--screenshot",
			       "screen.png", NULL), 0);
	assert_string_equal(opts.scenario->name, "kdump");
	assert_int_equal(opts.knobs.boot, SCENARIO_BOOT_NORMAL);
	assert_int_equal(opts.fb_base, 0xC8000000ull);
	assert_int_equal(opts.knobs.crash_fb_reserve, SCENARIO_FB_RESERVE_LFB);
	assert_int_equal(opts.knobs.crash_config_window,
			 SCENARIO_CONFIG_WINDOW_HIGH);
	assert_int_equal(opts.knobs.crash_load_order,
			 SCENARIO_LOAD_VIDEO_FIRST);
	assert_int_equal(opts.vpci_buses, 2);
	assert_string_equal(opts.screenshot_path, "screen.png");
	assert_int_equal(opts.explicit_knobs,
			 KNOB_BOOT | KNOB_FB_BASE | KNOB_CRASH_FB_RESERVE |
			 KNOB_CRASH_CONFIG_WINDOW | KNOB_CRASH_LOAD_ORDER |
			 KNOB_VPCI_BUSES);

	assert_int_equal(parse("--scenario=kdump-config-high", "--boot=kdump",
			       "--fb-base=0", "--fb-reserve=fallback",
			       "--config-window=legacy",
			       "--load-order=pci-first", "--vpci=0",
			       "--screenshot=s.png", "run", NULL), 0);
	assert_string_equal(opts.scenario->name, "kdump-config-high");
	assert_int_equal(opts.knobs.boot, SCENARIO_BOOT_KDUMP);
	assert_int_equal(opts.fb_base, 0);
	assert_int_equal(opts.knobs.crash_fb_reserve,
			 SCENARIO_FB_RESERVE_FALLBACK);
	assert_int_equal(opts.knobs.crash_config_window,
			 SCENARIO_CONFIG_WINDOW_LEGACY);
	assert_int_equal(opts.knobs.crash_load_order, SCENARIO_LOAD_PCI_FIRST);
	assert_int_equal(opts.vpci_buses, 0);
	assert_string_equal(opts.screenshot_path, "s.png");
}

static void presets_set_the_knobs(void **state)
{
	(void)state;
	for (unsigned i = 0; i < scenario_count(); i++) {
		const struct scenario *s = scenario_at(i);

		assert_int_equal(parse("run", "--scenario", s->name, NULL), 0);
		assert_ptr_equal(opts.scenario, s);
		assert_memory_equal(&opts.knobs, &s->knobs,
				    sizeof(opts.knobs));
		assert_int_equal(opts.fb_base,
				 scenario_fb_base(s->fb_placement,
						  opts.low_mmio));
		assert_int_equal(opts.vpci_buses, 1);
		assert_int_equal(opts.explicit_knobs, 0);
	}
	assert_int_equal(parse("run", "--scenario", "kdump-fb-fallback", NULL),
			 0);
	assert_int_equal(opts.knobs.boot, SCENARIO_BOOT_KDUMP);
	assert_int_equal(opts.knobs.crash_fb_reserve,
			 SCENARIO_FB_RESERVE_FALLBACK);
	assert_int_equal(opts.fb_base, 0xC0000000ull);
	/* A later --scenario replaces an earlier one. */
	assert_int_equal(parse("run", "--scenario", "kdump-config-high",
			       "--scenario", "kdump-video-first", NULL), 0);
	assert_string_equal(opts.scenario->name, "kdump-video-first");
	assert_int_equal(opts.knobs.crash_config_window,
			 SCENARIO_CONFIG_WINDOW_LEGACY);
	assert_int_equal(opts.knobs.crash_load_order,
			 SCENARIO_LOAD_VIDEO_FIRST);
}

static void explicit_knobs_beat_the_preset_in_any_order(void **state)
{
	(void)state;
	assert_int_equal(parse("run", "--fb-reserve", "fallback", "--scenario",
			       "kdump", NULL), 0);
	assert_int_equal(opts.knobs.crash_fb_reserve,
			 SCENARIO_FB_RESERVE_FALLBACK);
	assert_int_equal(opts.knobs.boot, SCENARIO_BOOT_KDUMP);
	assert_int_equal(parse("run", "--scenario", "kdump", "--fb-reserve",
			       "fallback", NULL), 0);
	assert_int_equal(opts.knobs.crash_fb_reserve,
			 SCENARIO_FB_RESERVE_FALLBACK);

	/* Even a knob set to what the default already is. */
	assert_int_equal(parse("run", "--fb-reserve", "none", "--scenario",
			       "kdump-fb-fallback", NULL), 0);
	assert_int_equal(opts.knobs.crash_fb_reserve, SCENARIO_FB_RESERVE_NONE);
	assert_int_equal(parse("run", "--boot", "normal", "--scenario",
			       "kdump", NULL), 0);
	assert_int_equal(opts.knobs.boot, SCENARIO_BOOT_NORMAL);
	assert_int_equal(parse("run", "--config-window", "legacy",
			       "--load-order", "pci-first", "--scenario",
			       "kdump-config-high", "--scenario",
			       "kdump-video-first", NULL), 0);
	assert_int_equal(opts.knobs.crash_config_window,
			 SCENARIO_CONFIG_WINDOW_LEGACY);
	assert_int_equal(opts.knobs.crash_load_order, SCENARIO_LOAD_PCI_FIRST);
	assert_int_equal(parse("run", "--fb-base", "0", "--scenario",
			       "kdump-fb-fallback-miss", NULL), 0);
	assert_int_equal(opts.fb_base, 0);
	/* Without --scenario the knobs stand alone on "normal". */
	assert_int_equal(parse("run", "--boot", "kdump", "--config-window",
			       "high", NULL), 0);
	assert_string_equal(opts.scenario->name, "normal");
	assert_int_equal(opts.knobs.boot, SCENARIO_BOOT_KDUMP);
	assert_int_equal(opts.knobs.crash_config_window,
			 SCENARIO_CONFIG_WINDOW_HIGH);
}

/* The framebuffer follows the low gap whatever the order of --low-mmio,
 * and the "miss" preset sits just past the fallback's reach there. */
static void fb_base_follows_the_low_gap(void **state)
{
	(void)state;
	assert_int_equal(parse("run", "--low-mmio", "0x80000000,1G", NULL), 0);
	assert_int_equal(opts.fb_base, 0x80000000ull);
	assert_int_equal(parse("run", "--scenario", "kdump-fb-fallback-miss",
			       NULL), 0);
	assert_int_equal(opts.fb_base, 0xC0000000ull + 128 * MiB);
	assert_int_equal(parse("run", "--scenario", "kdump-fb-fallback-miss",
			       "--low-mmio", "0x80000000,1G", NULL), 0);
	assert_int_equal(opts.fb_base, 0x80000000ull + 128 * MiB);
	/* Near 4 GiB the fallback is shorter: (4G - 0xF8000000) / 2. */
	assert_int_equal(parse("--low-mmio", "0xF8000000,0x6C00000", "run",
			       "--scenario=kdump-fb-fallback-miss", NULL), 0);
	assert_int_equal(opts.fb_base, 0xF8000000ull + 64 * MiB);
	/* A gap too small to hold the framebuffer past the reach. */
	expect_error("--scenario kdump-fb-fallback-miss", "does not fit",
		     "run", "--scenario", "kdump-fb-fallback-miss",
		     "--low-mmio", "0xC0000000,128M", NULL);
	/* The same gap is fine for the framebuffer at its base. */
	assert_int_equal(parse("run", "--scenario", "kdump-fb-fallback",
			       "--low-mmio", "0xC0000000,128M", NULL), 0);
}

static void fb_base_must_fit_the_low_gap(void **state)
{
	(void)state;
	assert_int_equal(parse("run", "--fb-base", "3G", NULL), 0);
	assert_int_equal(opts.fb_base, 0xC0000000ull);
	/* The last 8M of the gap, and no framebuffer at all. */
	assert_int_equal(parse("run", "--fb-base", "0xFE400000", NULL), 0);
	assert_int_equal(parse("run", "--fb-base", "0", NULL), 0);
	assert_int_equal(opts.fb_base, 0);

	expect_error("--fb-base", "multiple of 1M", "run", "--fb-base",
		     "0xC0080000", NULL);
	expect_error("--fb-base", "does not fit", "run", "--fb-base",
		     "0xFE500000", NULL);
	expect_error("--fb-base", "[0xc0000000, 0xfec00000)", "run",
		     "--fb-base", "0xB0000000", NULL);
	expect_error("--fb-base", "does not fit", "run", "--fb-base",
		     "0xFFFFFFFFFFF00000", NULL);
	/* Checked against the gap given, before or after it. */
	expect_error("--fb-base", "--low-mmio", "run", "--fb-base", "3G",
		     "--low-mmio", "0x80000000,256M", NULL);
	assert_int_equal(parse("run", "--fb-base", "0x88000000", "--low-mmio",
			       "0x80000000,256M", NULL), 0);
	expect_error("--fb-base", "'base'", "run", "--fb-base", "base", NULL);
	expect_error("--fb-base", "''", "run", "--fb-base=", NULL);
}

static void scenario_option_errors(void **state)
{
	(void)state;
	expect_error("--scenario", "unknown scenario 'nope'", "run",
		     "--scenario", "nope", NULL);
	expect_error("--scenario", "kvmbus scenarios", "run", "--scenario=",
		     NULL);
	expect_error("--boot", "'crash'", "run", "--boot", "crash", NULL);
	expect_error("--boot", "'kdump'", "run", "--boot", "KDUMP", NULL);
	expect_error("--fb-reserve", "'fallback'", "run", "--fb-reserve",
		     "2026", NULL);
	expect_error("--config-window", "'high'", "run", "--config-window",
		     "above-4g", NULL);
	expect_error("--load-order", "'video-first'", "run", "--load-order",
		     "video", NULL);
	expect_error("--vpci", "0..2", "run", "--vpci", "3", NULL);
	expect_error("--vpci", "'-1'", "run", "--vpci=-1", NULL);
	expect_error("--vpci", "'one'", "run", "--vpci", "one", NULL);
	expect_error("--scenario", "missing value", "run", "--scenario", NULL);
	expect_error("--screenshot", "empty", "run", "--screenshot=", NULL);
	expect_error("--screenshot", "missing value", "run", "--screenshot",
		     NULL);
}

static void mmio_map_takes_an_svg_file(void **state)
{
	(void)state;
	assert_int_equal(parse("run", "--mmio-map", NULL), 0);
	assert_true(opts.mmio_map);
	assert_null(opts.mmio_map_svg_path);
	assert_int_equal(parse("run", "--mmio-map=map.svg", NULL), 0);
	assert_true(opts.mmio_map);
	assert_string_equal(opts.mmio_map_svg_path, "map.svg");
	assert_int_equal(parse("run", "--mmio-map", "out/Map.SVG", NULL), 0);
	assert_string_equal(opts.mmio_map_svg_path, "out/Map.SVG");
	/* "=" takes any name; after a space only an .svg file is taken, so
	 * "--mmio-map run" keeps its command. */
	assert_int_equal(parse("run", "--mmio-map=map.txt", NULL), 0);
	assert_string_equal(opts.mmio_map_svg_path, "map.txt");
	assert_int_equal(parse("--mmio-map", "run", NULL), 0);
	assert_int_equal(opts.command, CMD_RUN);
	assert_true(opts.mmio_map);
	assert_null(opts.mmio_map_svg_path);
	expect_error("unexpected argument", "'map.txt'", "run", "--mmio-map",
		     "map.txt", NULL);
	expect_error("unexpected argument", "'.svg'", "run", "--mmio-map",
		     ".svg", NULL);
	expect_error("--mmio-map", "empty", "run", "--mmio-map=", NULL);
}

static void scenarios_command(void **state)
{
	(void)state;
	assert_int_equal(parse("scenarios", NULL), 0);
	assert_int_equal(opts.command, CMD_SCENARIOS);
	assert_int_equal(parse("scenarios", "--help", NULL), 0);
	assert_int_equal(opts.command, CMD_HELP);
	expect_error("'scenarios' takes no options", "'--mem'", "scenarios",
		     "--mem", "1G", NULL);
	expect_error("'scenarios' takes no options", "'--scenario'",
		     "--scenario", "kdump", "scenarios", NULL);
	expect_error("unexpected argument", "'run'", "scenarios", "run", NULL);
	/* A near miss is not the command. */
	expect_error("unknown command", "'scenario'", "scenario", NULL);
}

static void scenario_label_names_the_overrides(void **state)
{
	char label[200];

	(void)state;
	assert_int_equal(parse("run", NULL), 0);
	options_scenario_label(&opts, label, sizeof(label));
	assert_string_equal(label, "normal");

	/* Options that repeat the preset change nothing worth naming. */
	assert_int_equal(parse("run", "--scenario", "kdump", "--boot", "kdump",
			       "--vpci", "1", "--fb-base", "0xC0000000", NULL),
			 0);
	options_scenario_label(&opts, label, sizeof(label));
	assert_string_equal(label, "kdump");

	assert_int_equal(parse("run", "--vpci", "2", "--fb-reserve", "fallback",
			       "--scenario", "kdump", NULL), 0);
	options_scenario_label(&opts, label, sizeof(label));
	assert_string_equal(label, "kdump (--fb-reserve=fallback, --vpci=2)");

	assert_int_equal(parse("run", "--boot", "kdump", "--fb-base", "0",
			       "--config-window", "high", "--load-order",
			       "video-first", NULL), 0);
	int n = options_scenario_label(&opts, label, sizeof(label));
	assert_string_equal(label, "normal (--boot=kdump, --fb-base=0x0, "
			    "--config-window=high, --load-order=video-first)");
	assert_int_equal(n, (int)strlen(label));

	/* Truncation is snprintf's: terminated, full length returned. */
	char small[8];
	assert_int_equal(options_scenario_label(&opts, small, sizeof(small)),
			 n);
	assert_string_equal(small, "normal ");
}

static void trace_takes_a_file_only_after_equals(void **state)
{
	(void)state;
	assert_int_equal(parse("run", "--trace", NULL), 0);
	assert_true(opts.trace);
	assert_null(opts.trace_path);

	/* "--trace run": run is the command, not a file. */
	assert_int_equal(parse("--trace", "run", NULL), 0);
	assert_true(opts.trace);
	assert_null(opts.trace_path);
	assert_int_equal(opts.command, CMD_RUN);

	assert_int_equal(parse("run", "--trace=out.jsonl", NULL), 0);
	assert_true(opts.trace);
	assert_string_equal(opts.trace_path, "out.jsonl");

	assert_int_equal(parse("run", "--trace=-", NULL), 0);
	assert_true(opts.trace);
	assert_null(opts.trace_path);

	expect_error("--trace", "empty", "run", "--trace=", NULL);
}

static void later_options_override_earlier_and_state_resets(void **state)
{
	(void)state;
	assert_int_equal(parse("run", "--cpus", "2", "--cpus", "1", NULL), 0);
	assert_int_equal(opts.cpus, 1);
	assert_int_equal(parse("run", "--trace", "--mem", "64M", NULL), 0);
	assert_true(opts.trace);
	/* A second parse starts from defaults again. */
	assert_int_equal(parse("run", NULL), 0);
	assert_false(opts.trace);
	assert_int_equal(opts.mem_size, 256 * MiB);
}

static void usage_errors(void **state)
{
	(void)state;
	expect_error("missing command", NULL, NULL);
	expect_error("missing command", NULL, "--mem", "1G", NULL);
	expect_error("unknown command", "'start'", "start", NULL);
	expect_error("unexpected argument", "'extra'", "run", "extra", NULL);
	expect_error("unknown option", "'--bogus'", "run", "--bogus", NULL);
	expect_error("unknown option", "'--bogus'", "run", "--bogus=1", NULL);
	expect_error("unknown option", "'-x'", "run", "-x", NULL);
	expect_error("--mem", "missing value", "run", "--mem", NULL);
	expect_error("--kernel", "missing value", "run", "--kernel", NULL);
	expect_error("--help", "takes no value", "--help=yes", NULL);
	expect_error("--kernel", "empty", "run", "--kernel=", NULL);

	/* The no-argument case: argc 1 and argc 0. */
	char *argv[] = { (char *)"kvmbus", NULL };
	assert_int_equal(options_parse(&opts, 1, argv, err, sizeof(err)), -1);
	assert_int_equal(options_parse(&opts, 0, argv, err, sizeof(err)), -1);
	assert_int_equal(options_parse(&opts, 1, argv, NULL, 0), -1);
}

static void malformed_numbers(void **state)
{
	(void)state;
	expect_error("--mem", "'256Mx'", "run", "--mem", "256Mx", NULL);
	expect_error("--mem", "'-256M'", "run", "--mem=-256M", NULL);
	expect_error("--mem", "'+256M'", "run", "--mem=+256M", NULL);
	expect_error("--mem", "' 256M'", "run", "--mem", " 256M", NULL);
	expect_error("--mem", "''", "run", "--mem=", NULL);
	expect_error("--mem", "'0x'", "run", "--mem=0x", NULL);
	expect_error("--mem", "'99999999999999999999'", "run", "--mem",
		     "99999999999999999999", NULL);
	expect_error("--mem", "'17179869184G'", "run", "--mem",
		     "17179869184G", NULL);
	expect_error("--cpus", "'1x'", "run", "--cpus", "1x", NULL);
	expect_error("--cpus", "'-1'", "run", "--cpus=-1", NULL);
	expect_error("--cpus", "'1K'", "run", "--cpus=1K", NULL);
	expect_error("--timeout", "'5s'", "run", "--timeout", "5s", NULL);
	expect_error("--timeout", "'18446744073709551616'", "run",
		     "--timeout=18446744073709551616", NULL);
	expect_error("--low-mmio", "'0xC0000000'", "run", "--low-mmio",
		     "0xC0000000", NULL);
	expect_error("--low-mmio", "'1,2,3'", "run", "--low-mmio=1,2,3", NULL);
	expect_error("--high-mmio", "',1G'", "run", "--high-mmio=,1G", NULL);
	expect_error("--high-mmio", "'64G,'", "run", "--high-mmio", "64G,",
		     NULL);
}

static void out_of_range_values(void **state)
{
	(void)state;
	expect_error("--mem", "'8M'", "run", "--mem", "8M", NULL);
	expect_error("--mem", "'17M'", "run", "--mem", "17M", NULL);
	assert_int_equal(parse("run", "--mem", "16M", NULL), 0);
	expect_error("--cpus", "'0'", "run", "--cpus", "0", NULL);
	expect_error("--cpus", "'3'", "run", "--cpus", "3", NULL);
	expect_error("--timeout", "'86401'", "run", "--timeout", "86401", NULL);
	expect_error("--trace-format", "'xml'", "run", "--trace-format", "xml",
		     NULL);

	/* Gaps that break the memory-map rules are usage errors too. */
	expect_error("--low-mmio:", "0x1000000", "run", "--low-mmio",
		     "0x1000000,16M", NULL);
	expect_error("--high-mmio:", "below 4 GiB", "run", "--high-mmio",
		     "0x80000000,16M", NULL);
	expect_error("--mem:", "does not fit", "run", "--mem", "8G",
		     "--high-mmio", "0x100000000,16M", NULL);

	char long_cmdline[KVMBUS_CMDLINE_MAX + 1];
	memset(long_cmdline, 'a', sizeof(long_cmdline) - 1);
	long_cmdline[sizeof(long_cmdline) - 1] = '\0';
	expect_error("--cmdline", "longer", "run", "--cmdline", long_cmdline,
		     NULL);
	long_cmdline[KVMBUS_CMDLINE_MAX - 1] = '\0';
	assert_int_equal(parse("run", "--cmdline", long_cmdline, NULL), 0);
}

static void size_syntax(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(options_parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(options_parse_size("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(options_parse_size("4K", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(options_parse_size("4k", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(options_parse_size("256M", &v), 0);
	assert_int_equal(v, 256 * MiB);
	assert_int_equal(options_parse_size("2G", &v), 0);
	assert_int_equal(v, 2 * GiB);
	assert_int_equal(options_parse_size("0x1000", &v), 0);
	assert_int_equal(v, 0x1000);
	assert_int_equal(options_parse_size("0XfF", &v), 0);
	assert_int_equal(v, 0xff);
	assert_int_equal(options_parse_size("0x10M", &v), 0);
	assert_int_equal(v, 16 * MiB);
	assert_int_equal(options_parse_size("18446744073709551615", &v), 0);
	assert_int_equal(v, UINT64_MAX);
	assert_int_equal(options_parse_size("0xffffffffffffffff", &v), 0);
	assert_int_equal(v, UINT64_MAX);
	assert_int_equal(options_parse_size("17179869183G", &v), 0);
	assert_int_equal(v, 17179869183ull << 30);

	v = 42;
	assert_int_equal(options_parse_size("18446744073709551616", &v), -1);
	assert_int_equal(options_parse_size("0x10000000000000000", &v), -1);
	assert_int_equal(options_parse_size("17179869184G", &v), -1);
	assert_int_equal(options_parse_size("", &v), -1);
	assert_int_equal(options_parse_size("M", &v), -1);
	assert_int_equal(options_parse_size("1T", &v), -1);
	assert_int_equal(options_parse_size("1MB", &v), -1);
	assert_int_equal(options_parse_size("1 M", &v), -1);
	assert_int_equal(options_parse_size("0x1g0", &v), -1);
	assert_int_equal(options_parse_size("-1", &v), -1);
	assert_int_equal(options_parse_size(NULL, &v), -1);
	assert_int_equal(v, 42);  /* untouched on error */
}

static void range_syntax(void **state)
{
	struct memmap_range r = { 1, 2 };

	(void)state;
	assert_int_equal(options_parse_range("0xC0000000,1004M", &r), 0);
	assert_int_equal(r.base, 0xC0000000ull);
	assert_int_equal(r.size, 1004 * MiB);
	assert_int_equal(options_parse_range("64G,512M", &r), 0);
	assert_int_equal(r.base, 64 * GiB);
	assert_int_equal(r.size, 512 * MiB);

	r = (struct memmap_range){ 1, 2 };
	assert_int_equal(options_parse_range("1,2,3", &r), -1);
	assert_int_equal(options_parse_range("1", &r), -1);
	assert_int_equal(options_parse_range(",1", &r), -1);
	assert_int_equal(options_parse_range("1,", &r), -1);
	assert_int_equal(options_parse_range("1;2", &r), -1);
	assert_int_equal(options_parse_range(NULL, &r), -1);
	/* A base longer than any number is refused, not overrun. */
	char big[200];
	memset(big, '1', sizeof(big));
	big[150] = ',';
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(options_parse_range(big, &r), -1);
	assert_int_equal(r.base, 1);
	assert_int_equal(r.size, 2);
}

static void vpci_funcs_from_preset_or_option(void **state)
{
	(void)state;
	/* The default run has the default pair; kdump presets the 64-bit
	 * NVMe stand-in; an explicit spec wins in either order. */
	assert_int_equal(parse("run", NULL), 0);
	assert_null(opts.vpci_funcs);
	assert_int_equal(parse("run", "--scenario", "kdump", NULL), 0);
	assert_string_equal(opts.vpci_funcs, "kvmbus-test64@0");
	assert_int_equal(parse("run", "--vpci-funcs=test32@3", "--scenario", "kdump", NULL), 0);
	assert_string_equal(opts.vpci_funcs, "test32@3");
	assert_int_equal(parse("run", "--vpci-funcs", "kvmbus-test64@0,kvmbus-test32@1.2", NULL), 0);
	expect_error("--vpci-funcs", NULL, "run", "--vpci-funcs", "bogus", NULL);
	expect_error("--vpci-funcs", NULL, "run", "--vpci-funcs", "nosuchmodel@0", NULL);
}

/* --crash-on: only where there is a crash reboot to trigger. */
static void crash_on_needs_linux_kdump(void **state)
{
	(void)state;
	assert_int_equal(parse("run", NULL), 0);
	assert_null(opts.crash_on);
	assert_int_equal(parse("run", "--linux", "bzImage", "--boot", "kdump",
			       "--crash-on", "hv_pci", NULL), 0);
	assert_string_equal(opts.crash_on, "hv_pci");
	/* Order does not matter. */
	assert_int_equal(parse("run", "--crash-on=x", "--boot=kdump", "--linux",
			       "bzImage", NULL), 0);
	assert_string_equal(opts.crash_on, "x");
	expect_error("--crash-on", "--boot kdump", "run", "--crash-on", "x",
		     "--boot", "kdump", NULL);
	expect_error("--crash-on", "--linux", "run", "--linux", "bzImage",
		     "--crash-on", "x", NULL);
	expect_error("--crash-on", "empty", "run", "--linux", "bzImage",
		     "--boot", "kdump", "--crash-on", "", NULL);
}

static void offer_order(void **state)
{
	(void)state;
	assert_int_equal(parse("run", NULL), 0);
	assert_false(opts.offer_pci_first);
	assert_int_equal(parse("run", "--offer-order", "pci-first", NULL), 0);
	assert_true(opts.offer_pci_first);
	assert_int_equal(parse("run", "--offer-order=video-first", NULL), 0);
	assert_false(opts.offer_pci_first);
	expect_error("--offer-order", "sideways", "run", "--offer-order", "sideways", NULL);
}

static void help_mentions_everything(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	static const char *const must[] = {
		"Usage: kvmbus run [OPTIONS]", "--help", "-h", "--version",
		"--kernel FILE", "--mem SIZE", "--cpus N", "--trace[=FILE]",
		"--trace-format", "text", "json", "--timeout SECONDS",
		"--low-mmio BASE,SIZE", "--high-mmio BASE,SIZE",
		"--cmdline STRING",
		"kvmbus scenarios", "--scenario NAME", "default: normal",
		"--boot MODE", "'normal'", "'kdump'", "--fb-base ADDR",
		"--crash-on PATTERN", "Initialized hyperv_drm",
		"0 = none", "the low MMIO base, as on",
		"--fb-reserve POLICY", "'none'", "'lfb'", "'fallback'",
		"first kernel always uses", "--config-window WHERE", "'legacy'",
		"'high'", "default: legacy", "--load-order ORDER", "'pci-first'",
		"'video-first'", "default: pci-first", "--vpci N", "0..2",
		"--screenshot FILE", "PNG", "--mmio-map[=FILE]", "SVG",
		"wherever it stands",
		"default: 256M", "1..2", "default: 1)", "default: 60",
		"0 = never", "0xc0000000,0x3ec00000", "0x1000000000,0x20000000",
		"0xF4", "0 = pass, 1 = fail", "0x3F8", "COM1",
		"0  every guest check passed", "1  usage or host error",
		"2  a guest check failed", "3  MMIO conflict reproduced", "4  timed out",
	};

	(void)state;
	assert_non_null(f);
	options_print_help(f);
	fclose(f);
	for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++)
		if (!strstr(text, must[i]))
			fail_msg("help does not mention '%s'", must[i]);
	/* Fits an 80-column terminal. */
	for (char *line = text; *line;) {
		char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);

		if (n > 79)
			fail_msg("help line too long: %.*s", (int)n, line);
		line += n + (nl ? 1 : 0);
	}
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(run_with_defaults),
		cmocka_unit_test(help_and_version_commands),
		cmocka_unit_test(every_option_in_both_forms),
		cmocka_unit_test(scenario_options_in_both_forms),
		cmocka_unit_test(presets_set_the_knobs),
		cmocka_unit_test(explicit_knobs_beat_the_preset_in_any_order),
		cmocka_unit_test(fb_base_follows_the_low_gap),
		cmocka_unit_test(fb_base_must_fit_the_low_gap),
		cmocka_unit_test(scenario_option_errors),
		cmocka_unit_test(mmio_map_takes_an_svg_file),
		cmocka_unit_test(scenarios_command),
		cmocka_unit_test(scenario_label_names_the_overrides),
		cmocka_unit_test(trace_takes_a_file_only_after_equals),
		cmocka_unit_test(later_options_override_earlier_and_state_resets),
		cmocka_unit_test(usage_errors),
		cmocka_unit_test(malformed_numbers),
		cmocka_unit_test(out_of_range_values),
		cmocka_unit_test(size_syntax),
		cmocka_unit_test(range_syntax),
		cmocka_unit_test(vpci_funcs_from_preset_or_option),
		cmocka_unit_test(crash_on_needs_linux_kdump),
		cmocka_unit_test(offer_order),
		cmocka_unit_test(help_mentions_everything),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
