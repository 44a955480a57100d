// SPDX-License-Identifier: MIT
/*
 * The command line (see vmm/options.h).
 *
 * A small table-driven parser instead of getopt_long: getopt keeps global
 * state (optind), and unit tests call options_parse() many times.  Each
 * option accepts "--opt=value" and "--opt value", except --trace, whose
 * file is only taken in the "=" form so that "--trace run" means "trace
 * to stderr, then the command", and --mmio-map, which takes a following
 * argument only if it names an .svg file.
 *
 * Scenario knobs are resolved after the whole command line is read: the
 * handlers record which knobs were given, and the preset fills in the
 * rest, so "--fb-reserve fallback --scenario kdump" and "--scenario kdump
 * --fb-reserve fallback" mean the same.
 */
#include "vmm/options.h"

#include "vmbus/vpci.h"

#include <stdarg.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_MEM_SIZE   (256ull << 20)
#define DEFAULT_TIMEOUT_S  60u

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ---- numbers ------------------------------------------------------------ */

/*
 * An unsigned number: decimal, or hex after "0x"/"0X".  No sign, no
 * spaces, no trailing junk, no overflow -- strtoull would quietly accept
 * the first three and saturate on the last.  *end is set to the first
 * byte after the digits.
 */
static int parse_digits(const char *s, uint64_t *out, const char **end)
{
	unsigned base = 10;
	uint64_t v = 0;
	const char *p = s;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	const char *first = p;
	for (;; p++) {
		unsigned d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return -1;
		v = v * base + d;
	}
	if (p == first)
		return -1;
	*out = v;
	*end = p;
	return 0;
}

/* A plain count: digits only, nothing after them. */
static int parse_count(const char *s, uint64_t *out)
{
	const char *end;

	if (!s || parse_digits(s, out, &end) || *end)
		return -1;
	return 0;
}

int options_parse_size(const char *s, uint64_t *out)
{
	const char *end;
	uint64_t v;
	unsigned shift = 0;

	if (!s || !out || parse_digits(s, &v, &end))
		return -1;
	switch (*end) {
	case '\0':            break;
	case 'k': case 'K':   shift = 10; end++; break;
	case 'm': case 'M':   shift = 20; end++; break;
	case 'g': case 'G':   shift = 30; end++; break;
	default:              return -1;
	}
	if (*end)
		return -1;
	if (shift && v > (UINT64_MAX >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

int options_parse_range(const char *s, struct memmap_range *out)
{
	char base[64];

	if (!s || !out)
		return -1;
	const char *comma = strchr(s, ',');
	if (!comma || (size_t)(comma - s) >= sizeof(base))
		return -1;
	memcpy(base, s, (size_t)(comma - s));
	base[comma - s] = '\0';

	struct memmap_range r;
	if (options_parse_size(base, &r.base) ||
	    options_parse_size(comma + 1, &r.size))
		return -1;
	*out = r;
	return 0;
}

/* ---- one handler per option ------------------------------------------- */

typedef int (*opt_apply_fn)(struct kvmbus_options *o, const char *opt,
			    const char *val, char *err, size_t errlen);

static int apply_kernel(struct kvmbus_options *o, const char *opt,
			const char *val, char *err, size_t errlen)
{
	if (!*val)
		return fail(err, errlen, "%s: empty file name", opt);
	o->kernel = val;
	return 0;
}

static int apply_mem(struct kvmbus_options *o, const char *opt,
		     const char *val, char *err, size_t errlen)
{
	uint64_t v;

	if (options_parse_size(val, &v))
		return fail(err, errlen,
			    "%s: invalid size '%s' (e.g. 256M, 1G, 0x10000000)",
			    opt, val);
	if (v < MEMMAP_MIN_RAM)
		return fail(err, errlen, "%s: '%s' is below the minimum 16M",
			    opt, val);
	if (v % MEMMAP_ALIGN)
		return fail(err, errlen, "%s: '%s' is not a multiple of 2M",
			    opt, val);
	o->mem_size = v;
	return 0;
}

static int apply_cpus(struct kvmbus_options *o, const char *opt,
		      const char *val, char *err, size_t errlen)
{
	uint64_t v;

	if (parse_count(val, &v))
		return fail(err, errlen, "%s: invalid number '%s'", opt, val);
	if (v < 1 || v > KVMBUS_MAX_CPUS)
		return fail(err, errlen, "%s: '%s' is out of range 1..%u", opt,
			    val, (unsigned)KVMBUS_MAX_CPUS);
	o->cpus = (unsigned)v;
	return 0;
}

/* val is NULL for bare "--trace" (stderr). */
static int apply_trace(struct kvmbus_options *o, const char *opt,
		       const char *val, char *err, size_t errlen)
{
	if (val && !*val)
		return fail(err, errlen, "%s: empty file name", opt);
	o->trace = true;
	o->trace_path = (val && strcmp(val, "-") != 0) ? val : NULL;
	return 0;
}

static int apply_trace_format(struct kvmbus_options *o, const char *opt,
			      const char *val, char *err, size_t errlen)
{
	if (strcmp(val, "text") == 0)
		o->trace_format = TRACE_TEXT;
	else if (strcmp(val, "json") == 0)
		o->trace_format = TRACE_JSON;
	else
		return fail(err, errlen, "%s: '%s' is not 'text' or 'json'",
			    opt, val);
	return 0;
}

static int apply_timeout(struct kvmbus_options *o, const char *opt,
			 const char *val, char *err, size_t errlen)
{
	uint64_t v;

	if (parse_count(val, &v))
		return fail(err, errlen, "%s: invalid number of seconds '%s'",
			    opt, val);
	if (v > KVMBUS_MAX_TIMEOUT_S)
		return fail(err, errlen, "%s: '%s' is out of range 0..%u", opt,
			    val, KVMBUS_MAX_TIMEOUT_S);
	o->timeout_s = (unsigned)v;
	return 0;
}

static int apply_range(struct memmap_range *dst, const char *opt,
		       const char *val, char *err, size_t errlen)
{
	if (options_parse_range(val, dst))
		return fail(err, errlen,
			    "%s: invalid range '%s' (expected BASE,SIZE, "
			    "e.g. 0xC0000000,1004M)", opt, val);
	return 0;
}

static int apply_low_mmio(struct kvmbus_options *o, const char *opt,
			  const char *val, char *err, size_t errlen)
{
	return apply_range(&o->low_mmio, opt, val, err, errlen);
}

static int apply_high_mmio(struct kvmbus_options *o, const char *opt,
			   const char *val, char *err, size_t errlen)
{
	return apply_range(&o->high_mmio, opt, val, err, errlen);
}

static int apply_cmdline(struct kvmbus_options *o, const char *opt,
			 const char *val, char *err, size_t errlen)
{
	if (strlen(val) >= KVMBUS_CMDLINE_MAX)
		return fail(err, errlen, "%s: longer than %d bytes", opt,
			    KVMBUS_CMDLINE_MAX - 1);
	o->bootargs = val;
	return 0;
}

/* ---- scenario knobs ------------------------------------------------------ */

static int apply_scenario(struct kvmbus_options *o, const char *opt,
			  const char *val, char *err, size_t errlen)
{
	const struct scenario *s = scenario_find(val);

	if (!s)
		return fail(err, errlen,
			    "%s: unknown scenario '%s' (try 'kvmbus scenarios')",
			    opt, val);
	o->scenario = s;
	return 0;
}

static int apply_boot(struct kvmbus_options *o, const char *opt,
		      const char *val, char *err, size_t errlen)
{
	if (scenario_boot_parse(val, &o->knobs.boot))
		return fail(err, errlen, "%s: '%s' is not 'normal' or 'kdump'",
			    opt, val);
	o->explicit_knobs |= KNOB_BOOT;
	return 0;
}

/* Only the number here: whether it fits the low gap is checked once the
 * whole command line, --low-mmio included, has been read. */
static int apply_fb_base(struct kvmbus_options *o, const char *opt,
			 const char *val, char *err, size_t errlen)
{
	if (options_parse_size(val, &o->fb_base))
		return fail(err, errlen,
			    "%s: invalid address '%s' (e.g. 0xC0000000, 3G, 0)",
			    opt, val);
	o->explicit_knobs |= KNOB_FB_BASE;
	return 0;
}

static int apply_fb_reserve(struct kvmbus_options *o, const char *opt,
			    const char *val, char *err, size_t errlen)
{
	if (scenario_fb_reserve_parse(val, &o->knobs.crash_fb_reserve))
		return fail(err, errlen,
			    "%s: '%s' is not 'none', 'lfb' or 'fallback'", opt,
			    val);
	o->explicit_knobs |= KNOB_CRASH_FB_RESERVE;
	return 0;
}

static int apply_config_window(struct kvmbus_options *o, const char *opt,
			       const char *val, char *err, size_t errlen)
{
	if (scenario_config_window_parse(val, &o->knobs.crash_config_window))
		return fail(err, errlen, "%s: '%s' is not 'legacy' or 'high'",
			    opt, val);
	o->explicit_knobs |= KNOB_CRASH_CONFIG_WINDOW;
	return 0;
}

static int apply_load_order(struct kvmbus_options *o, const char *opt,
			    const char *val, char *err, size_t errlen)
{
	if (scenario_load_order_parse(val, &o->knobs.crash_load_order))
		return fail(err, errlen,
			    "%s: '%s' is not 'pci-first' or 'video-first'", opt,
			    val);
	o->explicit_knobs |= KNOB_CRASH_LOAD_ORDER;
	return 0;
}

static int apply_vpci(struct kvmbus_options *o, const char *opt,
		      const char *val, char *err, size_t errlen)
{
	uint64_t v;

	if (parse_count(val, &v))
		return fail(err, errlen, "%s: invalid number '%s'", opt, val);
	if (v > KVMBUS_MAX_VPCI_BUSES)
		return fail(err, errlen, "%s: '%s' is out of range 0..%u", opt,
			    val, KVMBUS_MAX_VPCI_BUSES);
	o->vpci_buses = (unsigned)v;
	o->explicit_knobs |= KNOB_VPCI_BUSES;
	return 0;
}

static int apply_linux(struct kvmbus_options *o, const char *opt,
		       const char *val, char *err, size_t errlen)
{
	if (!*val)
		return fail(err, errlen, "%s: empty file name", opt);
	o->linux_kernel = val;
	return 0;
}

static int apply_initrd(struct kvmbus_options *o, const char *opt,
			const char *val, char *err, size_t errlen)
{
	if (!*val)
		return fail(err, errlen, "%s: empty file name", opt);
	o->initrd = val;
	return 0;
}

static int apply_stop_on(struct kvmbus_options *o, const char *opt,
			 const char *val, char *err, size_t errlen)
{
	if (!*val)
		return fail(err, errlen, "%s: empty pattern", opt);
	o->stop_on = val;
	return 0;
}

static int apply_crash_on(struct kvmbus_options *o, const char *opt,
			  const char *val, char *err, size_t errlen)
{
	if (!*val)
		return fail(err, errlen, "%s: empty pattern", opt);
	o->crash_on = val;
	return 0;
}

static int apply_offer_order(struct kvmbus_options *o, const char *opt,
			     const char *val, char *err, size_t errlen)
{
	if (strcmp(val, "video-first") == 0)
		o->offer_pci_first = false;
	else if (strcmp(val, "pci-first") == 0)
		o->offer_pci_first = true;
	else
		return fail(err, errlen, "%s: '%s' is not video-first or pci-first",
			    opt, val);
	return 0;
}

static int apply_no_seccomp(struct kvmbus_options *o, const char *opt,
			    const char *val, char *err, size_t errlen)
{
	if (val)
		return fail(err, errlen, "%s: takes no value (got '%s')", opt, val);
	o->no_seccomp = true;
	return 0;
}

static int apply_vpci_funcs(struct kvmbus_options *o, const char *opt,
			    const char *val, char *err, size_t errlen)
{
	struct vpci_bus_config cfg;
	char why[160];

	vpci_bus_config_default(&cfg, 0, 1);
	if (vpci_bus_config_parse(&cfg, val, why, sizeof(why)) < 0)
		return fail(err, errlen, "%s: %s", opt, why);
	o->vpci_funcs = val;
	o->explicit_knobs |= KNOB_VPCI_FUNCS;
	return 0;
}

/* ---- reports ------------------------------------------------------------ */

static int apply_screenshot(struct kvmbus_options *o, const char *opt,
			    const char *val, char *err, size_t errlen)
{
	if (!*val)
		return fail(err, errlen, "%s: empty file name", opt);
	o->screenshot_path = val;
	return 0;
}

/* val is NULL for bare "--mmio-map" (text on stdout only). */
static int apply_mmio_map(struct kvmbus_options *o, const char *opt,
			  const char *val, char *err, size_t errlen)
{
	if (val && !*val)
		return fail(err, errlen, "%s: empty file name", opt);
	o->mmio_map = true;
	o->mmio_map_svg_path = val;
	return 0;
}

/* Flags: val is NULL, "--stats=x" is refused. */
static int apply_stats(struct kvmbus_options *o, const char *opt,
		       const char *val, char *err, size_t errlen)
{
	if (val)
		return fail(err, errlen, "%s: takes no value (got '%s')", opt,
			    val);
	o->stats = true;
	return 0;
}

/* Hidden, for tests/bench only: not in --help. */
static int apply_bench_sink(struct kvmbus_options *o, const char *opt,
			    const char *val, char *err, size_t errlen)
{
	if (val)
		return fail(err, errlen, "%s: takes no value (got '%s')", opt,
			    val);
	o->bench_sink = true;
	return 0;
}

/* ---- the option table ------------------------------------------------- */

enum opt_arg {
	ARG_NONE,        /* --help */
	ARG_REQUIRED,    /* --mem 1G or --mem=1G */
	ARG_EQUALS_ONLY, /* --trace or --trace=FILE */
	ARG_OPTIONAL_SVG, /* as ARG_EQUALS_ONLY, and "--opt FILE.svg" */
};

struct opt_def {
	const char *name;
	const char *alias;   /* a short form, or NULL */
	enum opt_arg arg;
	opt_apply_fn apply;  /* NULL for the command options below */
	enum kvmbus_command command;
};

static const struct opt_def opt_table[] = {
	{ "--help", "-h", ARG_NONE, NULL, CMD_HELP },
	{ "--version", NULL, ARG_NONE, NULL, CMD_VERSION },
	{ "--kernel", NULL, ARG_REQUIRED, apply_kernel, CMD_RUN },
	{ "--mem", NULL, ARG_REQUIRED, apply_mem, CMD_RUN },
	{ "--cpus", NULL, ARG_REQUIRED, apply_cpus, CMD_RUN },
	{ "--trace", NULL, ARG_EQUALS_ONLY, apply_trace, CMD_RUN },
	{ "--trace-format", NULL, ARG_REQUIRED, apply_trace_format, CMD_RUN },
	{ "--timeout", NULL, ARG_REQUIRED, apply_timeout, CMD_RUN },
	{ "--low-mmio", NULL, ARG_REQUIRED, apply_low_mmio, CMD_RUN },
	{ "--high-mmio", NULL, ARG_REQUIRED, apply_high_mmio, CMD_RUN },
	{ "--cmdline", NULL, ARG_REQUIRED, apply_cmdline, CMD_RUN },
	{ "--scenario", NULL, ARG_REQUIRED, apply_scenario, CMD_RUN },
	{ "--boot", NULL, ARG_REQUIRED, apply_boot, CMD_RUN },
	{ "--fb-base", NULL, ARG_REQUIRED, apply_fb_base, CMD_RUN },
	{ "--fb-reserve", NULL, ARG_REQUIRED, apply_fb_reserve, CMD_RUN },
	{ "--config-window", NULL, ARG_REQUIRED, apply_config_window, CMD_RUN },
	{ "--load-order", NULL, ARG_REQUIRED, apply_load_order, CMD_RUN },
	{ "--vpci", NULL, ARG_REQUIRED, apply_vpci, CMD_RUN },
	{ "--vpci-funcs", NULL, ARG_REQUIRED, apply_vpci_funcs, CMD_RUN },
	{ "--linux", NULL, ARG_REQUIRED, apply_linux, CMD_RUN },
	{ "--initrd", NULL, ARG_REQUIRED, apply_initrd, CMD_RUN },
	{ "--stop-on", NULL, ARG_REQUIRED, apply_stop_on, CMD_RUN },
	{ "--crash-on", NULL, ARG_REQUIRED, apply_crash_on, CMD_RUN },
	{ "--no-seccomp", NULL, ARG_EQUALS_ONLY, apply_no_seccomp, CMD_RUN },
	{ "--offer-order", NULL, ARG_REQUIRED, apply_offer_order, CMD_RUN },
	{ "--screenshot", NULL, ARG_REQUIRED, apply_screenshot, CMD_RUN },
	{ "--mmio-map", NULL, ARG_OPTIONAL_SVG, apply_mmio_map, CMD_RUN },
	{ "--stats", NULL, ARG_EQUALS_ONLY, apply_stats, CMD_RUN },
	{ "--bench-sink", NULL, ARG_EQUALS_ONLY, apply_bench_sink, CMD_RUN },
};

/* The entry whose name is exactly s[0..n). */
static const struct opt_def *find_opt(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(opt_table) / sizeof(opt_table[0]); i++) {
		const struct opt_def *d = &opt_table[i];

		if (strlen(d->name) == n && strncmp(d->name, s, n) == 0)
			return d;
		if (d->alias && strlen(d->alias) == n &&
		    strncmp(d->alias, s, n) == 0)
			return d;
	}
	return NULL;
}

static void set_defaults(struct kvmbus_options *o)
{
	*o = (struct kvmbus_options){
		.command = CMD_RUN,
		.kernel = NULL,
		.mem_size = DEFAULT_MEM_SIZE,
		.cpus = 1,
		.trace = false,
		.trace_path = NULL,
		.trace_format = TRACE_TEXT,
		.timeout_s = DEFAULT_TIMEOUT_S,
		.low_mmio = { MEMMAP_DEFAULT_LOW_MMIO_BASE,
			      MEMMAP_DEFAULT_LOW_MMIO_SIZE },
		.high_mmio = { MEMMAP_DEFAULT_HIGH_MMIO_BASE,
			       MEMMAP_DEFAULT_HIGH_MMIO_SIZE },
		.bootargs = NULL,
		.scenario = scenario_find(SCENARIO_DEFAULT_NAME),
		.knobs = { .boot = SCENARIO_BOOT_NORMAL },
		.fb_base = MEMMAP_DEFAULT_LOW_MMIO_BASE,
		.vpci_buses = KVMBUS_DEFAULT_VPCI_BUSES,
		.explicit_knobs = 0,
		.screenshot_path = NULL,
		.mmio_map = false,
		.mmio_map_svg_path = NULL,
		.stats = false,
		.bench_sink = false,
	};
}

/*
 * Check the memory map the options describe, so a bad combination is a
 * usage error naming the option at fault rather than a late host error.
 * Each gap is first checked alone (smallest RAM, the other gap at its
 * default), then the whole map, whose only remaining failure is RAM not
 * fitting below the high gap.
 */
static int check_memmap(const struct kvmbus_options *o, char *err,
			size_t errlen)
{
	const struct memmap_range def_low = { MEMMAP_DEFAULT_LOW_MMIO_BASE,
					      MEMMAP_DEFAULT_LOW_MMIO_SIZE };
	const struct memmap_range def_high = { MEMMAP_DEFAULT_HIGH_MMIO_BASE,
					       MEMMAP_DEFAULT_HIGH_MMIO_SIZE };
	struct memmap m;
	char why[192];

	if (memmap_build(&m, MEMMAP_MIN_RAM, o->low_mmio, def_high, why,
			 sizeof(why)))
		return fail(err, errlen, "--low-mmio: %s", why);
	if (memmap_build(&m, MEMMAP_MIN_RAM, def_low, o->high_mmio, why,
			 sizeof(why)))
		return fail(err, errlen, "--high-mmio: %s", why);
	if (memmap_build(&m, o->mem_size, o->low_mmio, o->high_mmio, why,
			 sizeof(why)))
		return fail(err, errlen, "--mem: %s", why);
	return 0;
}

/* The preset supplies every knob the command line left alone.  The
 * framebuffer base is a rule on the low gap, so it is resolved here,
 * after --low-mmio, whatever the order of the two. */
static void apply_preset(struct kvmbus_options *o)
{
	const struct scenario *s = o->scenario;

	if (!(o->explicit_knobs & KNOB_BOOT))
		o->knobs.boot = s->knobs.boot;
	if (!(o->explicit_knobs & KNOB_CRASH_FB_RESERVE))
		o->knobs.crash_fb_reserve = s->knobs.crash_fb_reserve;
	if (!(o->explicit_knobs & KNOB_CRASH_CONFIG_WINDOW))
		o->knobs.crash_config_window = s->knobs.crash_config_window;
	if (!(o->explicit_knobs & KNOB_CRASH_LOAD_ORDER))
		o->knobs.crash_load_order = s->knobs.crash_load_order;
	if (!(o->explicit_knobs & KNOB_FB_BASE))
		o->fb_base = scenario_fb_base(s->fb_placement, o->low_mmio);
	if (!(o->explicit_knobs & KNOB_VPCI_FUNCS))
		o->vpci_funcs = s->vpci_funcs;
}

/*
 * A framebuffer the first kernel could not put its VRAM at would turn a
 * scenario into a different experiment without saying so: the base must
 * be 0 (none) or leave KVMBUS_FB_MIN_SIZE inside the low gap, aligned as
 * the VRAM is.  A preset's base is blamed on --scenario, naming it.
 */
static int check_fb_base(const struct kvmbus_options *o, char *err,
			 size_t errlen)
{
	const uint64_t fb = o->fb_base;
	const uint64_t low_end = o->low_mmio.base + o->low_mmio.size;
	char source[64];

	if (fb == 0)
		return 0;
	if (o->explicit_knobs & KNOB_FB_BASE)
		snprintf(source, sizeof(source), "--fb-base");
	else
		snprintf(source, sizeof(source), "--scenario %s",
			 o->scenario->name);
	if (fb % KVMBUS_FB_ALIGN)
		return fail(err, errlen,
			    "%s: framebuffer base 0x%llx is not a multiple of 1M",
			    source, (unsigned long long)fb);
	if (fb < o->low_mmio.base || fb > low_end ||
	    low_end - fb < KVMBUS_FB_MIN_SIZE)
		return fail(err, errlen,
			    "%s: an 8M framebuffer at 0x%llx does not fit the "
			    "low MMIO gap [0x%llx, 0x%llx) (see --low-mmio)",
			    source, (unsigned long long)fb,
			    (unsigned long long)o->low_mmio.base,
			    (unsigned long long)low_end);
	return 0;
}

static int parse_command(const char *word, enum kvmbus_command *out)
{
	if (strcmp(word, "run") == 0)
		*out = CMD_RUN;
	else if (strcmp(word, "scenarios") == 0)
		*out = CMD_SCENARIOS;
	else
		return -1;
	return 0;
}

/* "--mmio-map run" must keep "run" as the command, so the optional SVG
 * file is taken from the next argument only when it names one. */
static bool names_svg_file(const char *arg)
{
	static const char suffix[] = ".svg";
	const size_t k = sizeof(suffix) - 1;

	if (!arg || arg[0] == '-')
		return false;
	size_t n = strlen(arg);

	return n > k && strcasecmp(arg + n - k, suffix) == 0;
}

int options_parse(struct kvmbus_options *o, int argc, char **argv,
		  char *err, size_t errlen)
{
	bool have_command = false;
	enum kvmbus_command command = CMD_RUN;
	const char *first_option = NULL;  /* for "scenarios takes none" */

	if (err && errlen)
		err[0] = '\0';
	if (!o)
		return fail(err, errlen, "internal error: no options to fill");
	set_defaults(o);
	if (argc < 2 || !argv)
		return fail(err, errlen, "missing command (try 'kvmbus --help')");

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!arg)
			return fail(err, errlen, "missing argument %d", i);
		if (arg[0] != '-' || arg[1] == '\0') {
			if (have_command)
				return fail(err, errlen,
					    "unexpected argument '%s'", arg);
			if (parse_command(arg, &command))
				return fail(err, errlen,
					    "unknown command '%s' (try 'kvmbus --help')",
					    arg);
			have_command = true;
			continue;
		}

		const char *eq = strchr(arg, '=');
		size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
		const struct opt_def *d = find_opt(arg, name_len);
		if (!d)
			return fail(err, errlen, "unknown option '%.*s'",
				    (int)name_len, arg);

		const char *val = eq ? eq + 1 : NULL;
		switch (d->arg) {
		case ARG_NONE:
			if (val)
				return fail(err, errlen,
					    "%s: takes no value (got '%s')",
					    d->name, val);
			/* --help and --version win over anything after. */
			o->command = d->command;
			return 0;
		case ARG_REQUIRED:
			if (!val) {
				if (i + 1 >= argc || !argv[i + 1])
					return fail(err, errlen,
						    "%s: missing value", d->name);
				val = argv[++i];
			}
			break;
		case ARG_EQUALS_ONLY:
			break;
		case ARG_OPTIONAL_SVG:
			if (!val && i + 1 < argc && names_svg_file(argv[i + 1]))
				val = argv[++i];
			break;
		}
		if (d->apply(o, d->name, val, err, errlen))
			return -1;
		if (!first_option)
			first_option = d->name;
	}

	if (!have_command)
		return fail(err, errlen, "missing command (try 'kvmbus --help')");
	o->command = command;
	if (command == CMD_SCENARIOS) {
		/* Options there would be silently ignored: say so instead. */
		if (first_option)
			return fail(err, errlen,
				    "'scenarios' takes no options (got '%s')",
				    first_option);
		return 0;
	}
	if (check_memmap(o, err, errlen))
		return -1;
	apply_preset(o);
	if (o->initrd && !o->linux_kernel)
		return fail(err, errlen, "--initrd needs --linux");
	if (o->linux_kernel && o->kernel)
		return fail(err, errlen, "--linux and --kernel exclude each other");
	if (o->crash_on &&
	    (!o->linux_kernel || o->knobs.boot != SCENARIO_BOOT_KDUMP))
		return fail(err, errlen, "--crash-on needs --linux and --boot kdump");
	return check_fb_base(o, err, errlen);
}

/* ---- the run's name ----------------------------------------------------- */

/* Append ", item" (or the first "item") to list; drops what does not fit,
 * which the caller's buffer size makes impossible for these knobs. */
static void add_to_list(char *list, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add_to_list(char *list, size_t size, const char *fmt, ...)
{
	size_t used = strlen(list);
	va_list ap;

	if (used && used + 2 < size) {
		memcpy(list + used, ", ", 3);
		used += 2;
	}
	if (used + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(list + used, size - used, fmt, ap);
	va_end(ap);
}

int options_scenario_label(const struct kvmbus_options *o, char *buf,
			   size_t len)
{
	const struct scenario *s = o->scenario;
	const unsigned given = o->explicit_knobs;
	char list[256] = "";

	if (!s)
		return snprintf(buf, len, "(no scenario)");
	if ((given & KNOB_BOOT) && o->knobs.boot != s->knobs.boot)
		add_to_list(list, sizeof(list), "--boot=%s",
			    scenario_boot_name(o->knobs.boot));
	if ((given & KNOB_FB_BASE) &&
	    o->fb_base != scenario_fb_base(s->fb_placement, o->low_mmio))
		add_to_list(list, sizeof(list), "--fb-base=0x%llx",
			    (unsigned long long)o->fb_base);
	if ((given & KNOB_CRASH_FB_RESERVE) &&
	    o->knobs.crash_fb_reserve != s->knobs.crash_fb_reserve)
		add_to_list(list, sizeof(list), "--fb-reserve=%s",
			    scenario_fb_reserve_name(o->knobs.crash_fb_reserve));
	if ((given & KNOB_CRASH_CONFIG_WINDOW) &&
	    o->knobs.crash_config_window != s->knobs.crash_config_window)
		add_to_list(list, sizeof(list), "--config-window=%s",
			    scenario_config_window_name(
				    o->knobs.crash_config_window));
	if ((given & KNOB_CRASH_LOAD_ORDER) &&
	    o->knobs.crash_load_order != s->knobs.crash_load_order)
		add_to_list(list, sizeof(list), "--load-order=%s",
			    scenario_load_order_name(o->knobs.crash_load_order));
	if ((given & KNOB_VPCI_BUSES) &&
	    o->vpci_buses != KVMBUS_DEFAULT_VPCI_BUSES)
		add_to_list(list, sizeof(list), "--vpci=%u", o->vpci_buses);

	if (!list[0])
		return snprintf(buf, len, "%s", s->name);
	return snprintf(buf, len, "%s (%s)", s->name, list);
}

/* ---- help --------------------------------------------------------------- */

void options_print_help(FILE *f)
{
	fprintf(f,
"Usage: kvmbus run [OPTIONS]\n"
"       kvmbus scenarios     list the --scenario presets, one per line\n"
"       kvmbus --help | -h\n"
"       kvmbus --version\n"
"\n"
"Run a guest on Linux KVM with the host side of Hyper-V's VMBus emulated\n"
"in user space, and report whether the guest's checks passed.\n"
"\n"
"Options for 'run' (each takes '--opt VALUE' or '--opt=VALUE'):\n"
"  --kernel FILE        guest ELF image to boot\n"
"                       (default: the built guest test kernel)\n"
"  --mem SIZE           guest RAM, at least 16M, a multiple of 2M\n"
"                       (default: 256M)\n"
"  --cpus N             number of vCPUs, 1..%u (default: 1)\n"
"  --trace[=FILE]       trace every VMBus message; FILE '-' or no FILE\n"
"                       means stderr (only the '=' form takes a file)\n"
"                       (default: off)\n"
"  --trace-format FMT   'text' (one line per message) or 'json'\n"
"                       (JSON Lines) (default: text)\n"
"  --timeout SECONDS    stop the guest after this long, 0 = never,\n"
"                       at most %u (default: %u)\n"
"  --low-mmio BASE,SIZE\n"
"                       VMBus MMIO gap below 4 GiB, 2M-aligned, starting\n"
"                       at or above 64M, ending at or below 0x%llx\n"
"                       (default: 0x%llx,0x%llx)\n"
"  --high-mmio BASE,SIZE\n"
"                       VMBus MMIO gap above 4 GiB and above RAM,\n"
"                       2M-aligned, smaller than 4G\n"
"                       (default: 0x%llx,0x%llx)\n"
"  --cmdline STRING     guest boot arguments (/chosen/bootargs in the\n"
"                       device tree; Linux's command line with --linux)\n"
"                       (default: none)\n"
"  --linux FILE         boot a Linux kernel instead of the test kernel:\n"
"                       an ELF vmlinux (PVH entry) or a bzImage, with\n"
"                       ACPI tables and an E820 map (default: off)\n"
"  --initrd FILE        initial RAM disk for --linux (default: none)\n"
"  --stop-on PATTERN    stop the guest, exit 0, once a console line\n"
"                       contains PATTERN; with --boot kdump, a line of\n"
"                       the crash kernel (default: off)\n"
"  --crash-on PATTERN   --linux with --boot kdump: once a console line of\n"
"                       the first kernel contains PATTERN, reboot into the\n"
"                       same kernel as kexec does, without resetting the\n"
"                       host's devices (default: '" KVMBUS_DEFAULT_CRASH_ON "')\n"
"  --offer-order ORDER  the host's offer order: 'video-first' or\n"
"                       'pci-first' (drivers probing as offers arrive\n"
"                       follow it; Linux 6.1's built-in drivers probe in\n"
"                       registration order) (default: video-first)\n"
"  --no-seccomp         run without the seccomp sandbox kvmbus enters\n"
"                       before the guest starts (debugging only)\n"
"                       (default: sandboxed)\n"
"\n"
"Scenario knobs for 'run' (the guest gets them in /chosen; a knob given\n"
"on the command line overrides the preset's value, wherever it stands):\n"
"  --scenario NAME      a preset of the knobs below; 'kvmbus scenarios'\n"
"                       lists them (default: %s)\n"
"  --boot MODE          'normal' (one kernel) or 'kdump' (a first kernel,\n"
"                       then a crash kernel that sees framebuffer base 0)\n"
"                       (default: normal)\n"
"  --fb-base ADDR       framebuffer base the platform reports at first\n"
"                       boot; 0 = none, else 1M-aligned with 8M inside the\n"
"                       low MMIO gap (default: the low MMIO base, as on\n"
"                       Gen2)\n"
"  --fb-reserve POLICY  the crash kernel's framebuffer reservation: 'none',\n"
"                       'lfb' (at the reported base, if not 0: pre-2026)\n"
"                       or 'fallback' (the 2026 rule: from the low MMIO\n"
"                       base, at most 128M); the first kernel always uses\n"
"                       'lfb' (default: none)\n"
"  --config-window WHERE\n"
"                       where the crash kernel's PCI front-end puts its 8K\n"
"                       config window: 'legacy' (first fit from 0) or\n"
"                       'high' (above 4 GiB); the first kernel uses\n"
"                       'legacy' (default: legacy)\n"
"  --load-order ORDER   the crash kernel's driver order: 'pci-first' or\n"
"                       'video-first' (default: pci-first)\n"
"  --vpci N             PCI pass-through buses offered, 0..%u (default: %u)\n"
"  --vpci-funcs SPEC    functions on every PCI bus, MODEL@DEV[.FN],...;\n"
"                       models kvmbus-test64 (64-bit 16K BAR) and\n"
"                       kvmbus-test32 (32-bit 256-byte BAR) (default:\n"
"                       kvmbus-test64@0,kvmbus-test32@1; kdump presets:\n"
"                       kvmbus-test64@0, the story's NVMe disk)\n"
"\n"
"Reports for 'run':\n"
"  --screenshot FILE    save the guest's screen as PNG after the run\n"
"                       (default: none)\n"
"  --mmio-map[=FILE]    print the MMIO map (gaps, claims, refusals) on\n"
"                       stdout after the run; with FILE also draw it as\n"
"                       SVG (a FILE ending in .svg may also follow after\n"
"                       a space) (default: off)\n"
"  --stats              print on stderr after the run: VM exits by kind,\n"
"                       the boot timer, peak RSS and the VMM's share of\n"
"                       it, VMBus figures (default: off)\n"
"\n"
"Sizes and addresses are decimal or 0x-prefixed hex, with an optional\n"
"K, M or G suffix (powers of 1024).\n"
"\n"
"Guest ports:\n"
"  0xF4   result port: one 32-bit OUT ends the run; 0 = pass, 1 = fail,\n"
"         2 = a device's MMIO was refused (conflict)\n"
"  0xF5   boot timer: the guest's first write to it is timed (--stats)\n"
"  0xF6   scenario steps: the guest asks the host to act as an operator\n"
"         would (0x01 << 24 | bus << 8 | slot: hot-remove a PCI function)\n"
"  0xF7   bench marks, with --stats: a 32-bit OUT prints the counters\n"
"  0x3F8  COM1 serial console (copied to stdout)\n"
"\n"
"Exit status:\n"
"  0  every guest check passed\n"
"  1  usage or host error\n"
"  2  a guest check failed, or the guest crashed\n"
"  3  MMIO conflict reproduced: the guest reported a refused device and\n"
"     the host refused an overlapping PCI config window (scenarios)\n"
"  4  timed out\n",
		(unsigned)KVMBUS_MAX_CPUS, KVMBUS_MAX_TIMEOUT_S, DEFAULT_TIMEOUT_S,
		MEMMAP_PLATFORM_MMIO_BASE,
		MEMMAP_DEFAULT_LOW_MMIO_BASE, MEMMAP_DEFAULT_LOW_MMIO_SIZE,
		MEMMAP_DEFAULT_HIGH_MMIO_BASE, MEMMAP_DEFAULT_HIGH_MMIO_SIZE,
		SCENARIO_DEFAULT_NAME, KVMBUS_MAX_VPCI_BUSES,
		KVMBUS_DEFAULT_VPCI_BUSES);
}
