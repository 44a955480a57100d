// SPDX-License-Identifier: MIT
/* mmio_map: the text map, the SVG drawing and the run summary, from
 * registries built through the mmio_registry API -- the kdump conflict,
 * a clean run, refusals of every kind, hostile owner names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/mmio_map.h"

#define KiB (1ull << 10)
#define MiB (1ull << 20)

#define LOW  MEMMAP_DEFAULT_LOW_MMIO_BASE   /* 0xc0000000 */
#define HIGH MEMMAP_DEFAULT_HIGH_MMIO_BASE  /* 0x1000000000 */

static struct memmap map;
static struct mmio_registry reg;

static int setup(void **state)
{
	struct memmap_range low = { LOW, MEMMAP_DEFAULT_LOW_MMIO_SIZE };
	struct memmap_range high = { HIGH, MEMMAP_DEFAULT_HIGH_MMIO_SIZE };

	(void)state;
	assert_int_equal(memmap_build(&map, 256 * MiB, low, high, NULL, 0), 0);
	mmio_registry_init(&reg, &map);
	return 0;
}

static void claim_ok(const char *owner, enum mmio_claim_kind kind,
		     uint64_t base, uint64_t size)
{
	assert_int_equal(mmio_registry_claim(&reg, owner, kind, base, size,
					     NULL), MMIO_CLAIM_OK);
}

/*
 * The kdump conflict as the host sees it: the first kernel (boot 1)
 * places VRAM at the low MMIO base and its config window after it, a
 * BAR goes high; the crash kernel (boot 2) reserved no framebuffer, so
 * its PCI front-end asks for the low base, which the VRAM claim still
 * holds.  Plus one refusal of another kind (outside the gaps).
 */
static void build_kdump_conflict(void)
{
	mmio_registry_new_boot(&reg);
	claim_ok("synthvid", MMIO_CLAIM_VRAM, LOW, 8 * MiB);
	claim_ok("vpci0", MMIO_CLAIM_CONFIG_WINDOW, LOW + 8 * MiB, 8 * KiB);
	claim_ok("vpci0/slot0", MMIO_CLAIM_BAR, HIGH, 1 * MiB);
	assert_int_equal(mmio_registry_release(&reg, "vpci0",
					       MMIO_CLAIM_CONFIG_WINDOW,
					       UINT64_MAX), 1);
	mmio_registry_new_boot(&reg);
	assert_int_equal(mmio_registry_claim(&reg, "vpci0",
					     MMIO_CLAIM_CONFIG_WINDOW, LOW,
					     8 * KiB, NULL),
			 MMIO_CLAIM_OVERLAP);
	assert_int_equal(mmio_registry_claim(&reg, "vpci1",
					     MMIO_CLAIM_CONFIG_WINDOW,
					     0x80000000ull, 8 * KiB, NULL),
			 MMIO_CLAIM_OUTSIDE_GAPS);
}

/* The map as one string (freed by the caller). */
static char *text_map(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(mmio_map_write_text(f, &map, &reg), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

static char *svg_map(const char *title)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(mmio_map_write_svg(f, &map, &reg, title), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

static const char *find(const char *hay, const char *needle)
{
	const char *at = strstr(hay, needle);

	if (!at)
		fail_msg("missing '%s' in:\n%s", needle, hay);
	return at;
}

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* ---- a small XML well-formedness checker ------------------------------- */

/* Enough of XML 1.0 for a generated SVG: one root element, properly
 * nested and closed tags, quoted attributes without '<' and without a
 * repeated name, every '&' starting a known entity or a character
 * reference, comments and processing instructions closed, and only
 * printable ASCII plus tab/CR/LF bytes.  Returns NULL or what is wrong. */

static const char *check_reference(const char **pp)
{
	static const char *const named[] = { "amp;", "lt;", "gt;", "quot;",
					     "apos;" };
	const char *p = *pp + 1;

	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		if (strncmp(p, named[i], strlen(named[i])) == 0) {
			*pp = p + strlen(named[i]);
			return NULL;
		}
	}
	if (*p != '#')
		return "unknown entity";
	p++;
	bool hex = *p == 'x';
	const char *digits = hex ? ++p : p;

	while (hex ? ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
		      (*p >= 'A' && *p <= 'F'))
		   : (*p >= '0' && *p <= '9'))
		p++;
	if (p == digits || *p != ';')
		return "bad character reference";
	*pp = p + 1;
	return NULL;
}

static bool name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == ':';
}

static bool name_char(char c)
{
	return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static size_t name_length(const char *p)
{
	size_t n = 0;

	if (!name_start(p[0]))
		return 0;
	while (name_char(p[n]))
		n++;
	return n;
}

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* The attributes and end of a start tag; *empty for "/>". */
static const char *check_attributes(const char **pp, bool *empty)
{
	const char *seen[32];
	size_t seen_len[32];
	unsigned nr_seen = 0;
	const char *p = *pp;

	for (;;) {
		const char *q = skip_space(p);

		if (*q == '>' || (q[0] == '/' && q[1] == '>')) {
			*empty = *q == '/';
			*pp = q + (*empty ? 2 : 1);
			return NULL;
		}
		if (q == p)
			return "no space before an attribute";
		size_t n = name_length(q);
		if (!n)
			return "bad attribute name";
		for (unsigned i = 0; i < nr_seen; i++) {
			if (seen_len[i] == n && strncmp(seen[i], q, n) == 0)
				return "repeated attribute";
		}
		if (nr_seen == 32)
			return "too many attributes";
		seen[nr_seen] = q;
		seen_len[nr_seen++] = n;
		q = skip_space(q + n);
		if (*q != '=')
			return "attribute without '='";
		q = skip_space(q + 1);
		char quote = *q;
		if (quote != '"' && quote != '\'')
			return "unquoted attribute value";
		for (q++; *q != quote; ) {
			if (!*q)
				return "unterminated attribute value";
			if (*q == '<')
				return "'<' in an attribute value";
			if (*q == '&') {
				const char *why = check_reference(&q);
				if (why)
					return why;
			} else {
				q++;
			}
		}
		p = q + 1;
	}
}

static const char *xml_problem(const char *doc)
{
	const char *stack[64];
	size_t stack_len[64];
	unsigned depth = 0, roots = 0;

	for (const char *c = doc; *c; c++) {
		unsigned char b = (unsigned char)*c;

		if ((b < 0x20 && b != '\n' && b != '\t' && b != '\r') || b >= 0x7f)
			return "a byte outside printable ASCII";
	}
	const char *p = doc;
	if (strncmp(p, "<?xml ", 6) == 0) {
		p = strstr(p, "?>");
		if (!p)
			return "unterminated XML declaration";
		p += 2;
	}
	while (*p) {
		if (*p == '&') {
			if (!depth)
				return "text outside the root element";
			const char *why = check_reference(&p);
			if (why)
				return why;
			continue;
		}
		if (*p != '<') {
			if (!depth && !strchr(" \t\r\n", *p))
				return "text outside the root element";
			p++;
			continue;
		}
		if (strncmp(p, "<!--", 4) == 0) {
			const char *end = strstr(p + 4, "--");
			if (!end || end[2] != '>')
				return "bad comment";
			p = end + 3;
		} else if (p[1] == '?') {
			p = strstr(p, "?>");
			if (!p)
				return "unterminated processing instruction";
			p += 2;
		} else if (p[1] == '/') {
			size_t n = name_length(p + 2);
			if (!n || !depth)
				return "stray end tag";
			depth--;
			if (n != stack_len[depth] ||
			    strncmp(p + 2, stack[depth], n) != 0)
				return "mismatched end tag";
			p = skip_space(p + 2 + n);
			if (*p != '>')
				return "bad end tag";
			p++;
		} else {
			size_t n = name_length(p + 1);
			bool empty = false;
			if (!n)
				return "bad tag name";
			if (!depth && roots++)
				return "more than one root element";
			const char *name = p + 1;
			p += 1 + n;
			const char *why = check_attributes(&p, &empty);
			if (why)
				return why;
			if (!empty) {
				if (depth == 64)
					return "nested too deeply";
				stack[depth] = name;
				stack_len[depth++] = n;
			}
		}
	}
	if (depth)
		return "unclosed element";
	if (!roots)
		return "no root element";
	return NULL;
}

static void assert_well_formed(const char *doc)
{
	const char *why = xml_problem(doc);

	if (why)
		fail_msg("SVG is not well-formed XML: %s\n%s", why, doc);
}

static void xml_checker_catches_malformed_documents(void **state)
{
	(void)state;
	assert_null(xml_problem("<?xml version=\"1.0\"?>\n<a x='1'><b/>"
				"t &amp; &#8776; &#x41;</a>\n"));
	assert_non_null(xml_problem("<a><b></a></b>"));
	assert_non_null(xml_problem("<a>x & y</a>"));
	assert_non_null(xml_problem("<a>&nbsp;</a>"));
	assert_non_null(xml_problem("<a b='1' b='2'/>"));
	assert_non_null(xml_problem("<a b=1/>"));
	assert_non_null(xml_problem("<a b='<'/>"));
	assert_non_null(xml_problem("<a>"));
	assert_non_null(xml_problem("<a/><b/>"));
	assert_non_null(xml_problem("<a>\xe2\x89\x88</a>"));
	assert_non_null(xml_problem("<a><!-- x -- y --></a>"));
}

/* ---- text --------------------------------------------------------------- */

static void text_lists_gaps_claims_and_refusals(void **state)
{
	(void)state;
	build_kdump_conflict();
	char *t = text_map();

	find(t, "2 live claims, 2 refused claims");
	find(t, "range                            size  owner       kind"
		"          boot\n");
	const char *low = find(t, "low  MMIO gap [0xc0000000, 0xfec00000), "
				  "1004 MiB");
	const char *high = find(t, "high MMIO gap [0x1000000000, "
				   "0x1020000000), 512 MiB");
	const char *outside = find(t, "outside both MMIO gaps");

	/* Every live claim: range, size, owner, kind, boot. */
	const char *vram = find(t, "[0xc0000000, 0xc0800000)");
	find(vram, "8 MiB  synthvid    VRAM          boot 1");
	const char *bar = find(t, "[0x1000000000, 0x1000100000)");
	find(bar, "1 MiB  vpci0/slot0 BAR           boot 1");

	/* The overlap: the crash kernel's window, the holder's range,
	 * owner and boot. */
	const char *refused = find(t, "! [0xc0000000, 0xc0002000)");
	find(refused, "8 KiB  vpci0       config window boot 2\n"
		      "      REFUSED: overlaps synthvid VRAM [0xc0000000, "
		      "0xc0800000), claimed at boot 1\n");
	/* The other refusal, under its own heading. */
	const char *elsewhere = find(t, "! [0x80000000, 0x80002000)");
	find(elsewhere, "vpci1       config window boot 2\n"
			"      REFUSED: outside the VMBus MMIO gaps\n");

	/* Sorted by address, each under its gap: the VRAM before the
	 * refusal at the same base, the BAR in the high gap. */
	assert_true(low < vram && vram < refused && refused < high);
	assert_true(high < bar && bar < outside && outside < elsewhere);
	/* The released first-boot config window is gone. */
	assert_null(strstr(t, "0xc0800000, 0xc0802000"));
	free(t);
}

static void text_of_an_empty_registry(void **state)
{
	(void)state;
	char *t = text_map();

	find(t, "0 live claims, 0 refused claims");
	assert_int_equal(count(t, "(no claims)"), 2);
	assert_null(strstr(t, "outside both"));
	assert_null(strstr(t, "REFUSED"));
	free(t);
}

static void text_counts_refusals_beyond_the_record(void **state)
{
	(void)state;
	mmio_registry_new_boot(&reg);
	claim_ok("synthvid", MMIO_CLAIM_VRAM, LOW, 8 * MiB);
	for (unsigned i = 0; i < MMIO_REGISTRY_MAX_REFUSED + 3; i++)
		assert_int_equal(mmio_registry_claim(&reg, "vpci0",
						     MMIO_CLAIM_CONFIG_WINDOW,
						     LOW + i * 4 * KiB, 8 * KiB,
						     NULL), MMIO_CLAIM_OVERLAP);
	char *t = text_map();

	assert_int_equal(count(t, "REFUSED:"), MMIO_REGISTRY_MAX_REFUSED);
	find(t, "(3 later refusals were not recorded)");
	free(t);
}

/* ---- SVG ---------------------------------------------------------------- */

static void svg_is_well_formed_and_shows_the_refusal(void **state)
{
	(void)state;
	build_kdump_conflict();
	char *s = svg_map("kdump");

	assert_well_formed(s);
	assert_true(strncmp(s, "<?xml", 5) == 0);
	find(s, "<svg xmlns=\"http://www.w3.org/2000/svg\"");
	find(s, "MMIO map &#8212; scenario: kdump</text>");
	/* Two gap bands and the break between them. */
	assert_int_equal(count(s, "<rect class=\"gap\""), 2);
	find(s, "&#8776;</text>");
	find(s, ">low MMIO gap, 1004 MiB</text>");
	find(s, ">high MMIO gap, 512 MiB</text>");
	find(s, ">0xc0000000</text>");
	find(s, ">0xfec00000</text>");
	find(s, ">0x1000000000</text>");
	find(s, ">0x1020000000</text>");

	/* One rectangle per live claim, one hatched, red-outlined one for
	 * the refusal inside a gap (the other is outside both). */
	assert_int_equal(count(s, "<rect class=\"claim\""), 2);
	assert_int_equal(count(s, "<rect class=\"refused\""), 1);
	const char *r = find(s, "<rect class=\"refused\"");
	const char *r_end = find(r, "</rect>");
	const char *hatch = find(r, "fill=\"url(#refused-hatch)\"");
	const char *red = find(r, "stroke=\"#d00000\"");
	assert_true(hatch < r_end && red < r_end);
	find(s, "<pattern id=\"refused-hatch\"");

	/* The label names both ranges and both owners. */
	find(s, "REFUSED at boot 2: vpci0 config window [0xc0000000, "
		"0xc0002000) overlaps synthvid VRAM [0xc0000000, "
		"0xc0800000), claimed at boot 1</text>");
	find(s, "REFUSED at boot 2: vpci1 config window [0x80000000, "
		"0x80002000) outside the VMBus MMIO gaps</text>");

	/* A legend with every owner a rectangle or label mentions. */
	find(s, ">Owners:</text>");
	for (const char *o = "synthvid\0vpci0/slot0\0vpci0\0vpci1\0"; *o;
	     o += strlen(o) + 1) {
		char want[48];

		snprintf(want, sizeof(want), ">%s</text>", o);
		find(s, want);
	}
	find(s, ">refused claim</text>");
	free(s);
}

/* Each gap has its own scale: the low band spans x 40..600, the high
 * band x 660..960 (see the layout in vmm/mmio_map.c). */
static void svg_draws_each_gap_to_its_own_scale(void **state)
{
	(void)state;
	mmio_registry_new_boot(&reg);
	/* Halfway into the low gap, and three quarters into the high one. */
	claim_ok("half", MMIO_CLAIM_VRAM,
		 LOW + MEMMAP_DEFAULT_LOW_MMIO_SIZE / 2, 8 * MiB);
	claim_ok("three-q", MMIO_CLAIM_BAR,
		 HIGH + MEMMAP_DEFAULT_HIGH_MMIO_SIZE / 4 * 3, 64 * MiB);
	/* A quarter of the high gap: wide enough to carry its name. */
	claim_ok("big", MMIO_CLAIM_BAR, HIGH, MEMMAP_DEFAULT_HIGH_MMIO_SIZE / 4);
	char *s = svg_map("scale");

	assert_well_formed(s);
	/* 40 + 560 / 2; and 660 + 300 * 3 / 4, 300 / 8 wide. */
	find(s, "<rect class=\"claim\" x=\"320.00\"");
	find(s, "<rect class=\"claim\" x=\"885.00\" y=\"93\" width=\"37.50\"");
	find(s, "<rect class=\"claim\" x=\"660.00\" y=\"93\" width=\"75.00\"");
	/* An 8 MiB claim in a 1004 MiB gap is a sliver, but still drawn. */
	find(s, "x=\"320.00\" y=\"93\" width=\"4.46\"");
	/* Only the wide one is labelled in place. */
	assert_int_equal(count(s, "class=\"owner\""), 1);
	find(s, "class=\"owner\" fill=\"white\">big</text>");
	free(s);
}

static void svg_escapes_what_it_did_not_write(void **state)
{
	(void)state;
	mmio_registry_new_boot(&reg);
	claim_ok("a<b&c\"d'e>", MMIO_CLAIM_VRAM, LOW, 8 * MiB);
	assert_int_equal(mmio_registry_claim(&reg, "x\x01y\xc3\xa9",
					     MMIO_CLAIM_CONFIG_WINDOW, LOW,
					     8 * KiB, NULL),
			 MMIO_CLAIM_OVERLAP);
	char *s = svg_map("t<i>tle & \"more\"");

	assert_well_formed(s);
	find(s, "a&lt;b&amp;c&quot;d&apos;e&gt;");
	find(s, "t&lt;i&gt;tle &amp; &quot;more&quot;");
	find(s, "x?y??");
	free(s);
}

static void svg_of_an_empty_registry(void **state)
{
	(void)state;
	char *s = svg_map(NULL);

	assert_well_formed(s);
	assert_int_equal(count(s, "<rect class=\"gap\""), 2);
	assert_null(strstr(s, "class=\"claim\""));
	assert_null(strstr(s, "class=\"refused\""));
	find(s, ">(no claims)</text>");
	free(s);
}

static void svg_saved_to_a_file(void **state)
{
	char path[] = "/tmp/kvmbus-mmio-map-XXXXXX.svg";
	char err[160] = "";
	char buf[8192];
	int fd = mkstemps(path, 4);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	build_kdump_conflict();
	assert_int_equal(mmio_map_save_svg(path, &map, &reg, "kdump", err,
					   sizeof(err)), 0);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	unlink(path);
	buf[n] = '\0';
	assert_true(n > 0 && n < sizeof(buf) - 1);
	assert_well_formed(buf);

	assert_int_equal(mmio_map_save_svg("/nonexistent-dir/map.svg", &map,
					   &reg, "kdump", err, sizeof(err)),
			 -1);
	find(err, "cannot create '/nonexistent-dir/map.svg'");
	assert_null(strchr(err, '\n'));
}

/* ---- summary ------------------------------------------------------------ */

static void summary_of_a_conflict_names_both_ranges(void **state)
{
	char line[512];

	(void)state;
	build_kdump_conflict();
	size_t n = mmio_map_summary(line, sizeof(line), "kdump",
				    MMIO_RUN_CONFLICT, &reg);
	assert_int_equal(n, strlen(line));
	assert_string_equal(line,
			    "scenario kdump: MMIO conflict reproduced: vpci0 "
			    "config window [0xc0000000, 0xc0002000) at boot 2 "
			    "overlaps synthvid VRAM [0xc0000000, 0xc0800000), "
			    "claimed at boot 1");

	/* Too small a buffer: truncated, terminated, full length told. */
	char small[16];
	assert_int_equal(mmio_map_summary(small, sizeof(small), "kdump",
					  MMIO_RUN_CONFLICT, &reg), n);
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

static void summary_without_a_conflict(void **state)
{
	char line[512];

	(void)state;
	mmio_registry_new_boot(&reg);
	claim_ok("synthvid", MMIO_CLAIM_VRAM, LOW, 8 * MiB);
	claim_ok("vpci0", MMIO_CLAIM_CONFIG_WINDOW, LOW + 8 * MiB, 8 * KiB);
	mmio_map_summary(line, sizeof(line), "normal", MMIO_RUN_ALL_UP, &reg);
	assert_string_equal(line, "scenario normal: every device came up");
	mmio_map_summary(line, sizeof(line), "kdump-config-high",
			 MMIO_RUN_ALL_UP, NULL);
	assert_string_equal(line,
			    "scenario kdump-config-high: every device came up");

	/* A failure with nothing refused says just that. */
	mmio_map_summary(line, sizeof(line), "normal", MMIO_RUN_FAILED, &reg);
	assert_string_equal(line, "scenario normal: failed");
	/* The caller says "conflict" but the registry refused nothing. */
	mmio_map_summary(line, sizeof(line), NULL, MMIO_RUN_CONFLICT, &reg);
	assert_string_equal(line, "scenario (unnamed): MMIO conflict "
			    "reproduced (no refused config window was "
			    "recorded)");
}

static void summary_of_a_failure_names_the_first_refusal(void **state)
{
	char line[512];

	(void)state;
	mmio_registry_new_boot(&reg);
	assert_int_equal(mmio_registry_claim(&reg, "synthvid", MMIO_CLAIM_VRAM,
					     LOW + 4 * KiB, 8 * MiB + 1, NULL),
			 MMIO_CLAIM_MISALIGNED);
	mmio_map_summary(line, sizeof(line), "normal", MMIO_RUN_FAILED, &reg);
	assert_string_equal(line, "scenario normal: failed; refused: synthvid "
			    "VRAM [0xc0001000, 0xc0801001) at boot 1 "
			    "(VRAM misaligned)");
}

static void conflict_is_an_overlapping_config_window(void **state)
{
	(void)state;
	assert_null(mmio_map_find_conflict(NULL));
	assert_null(mmio_map_find_conflict(&reg));
	mmio_registry_new_boot(&reg);
	claim_ok("vpci0", MMIO_CLAIM_CONFIG_WINDOW, LOW, 8 * KiB);
	/* VRAM running into a config window, and a config window outside
	 * the gaps, are refusals but not the conflict. */
	assert_int_equal(mmio_registry_claim(&reg, "synthvid", MMIO_CLAIM_VRAM,
					     LOW, 8 * MiB, NULL),
			 MMIO_CLAIM_OVERLAP);
	assert_int_equal(mmio_registry_claim(&reg, "vpci1",
					     MMIO_CLAIM_CONFIG_WINDOW, 0,
					     8 * KiB, NULL),
			 MMIO_CLAIM_OUTSIDE_GAPS);
	assert_null(mmio_map_find_conflict(&reg));

	assert_int_equal(mmio_registry_claim(&reg, "vpci1",
					     MMIO_CLAIM_CONFIG_WINDOW,
					     LOW + 4 * KiB, 8 * KiB, NULL),
			 MMIO_CLAIM_OVERLAP);
	const struct mmio_refusal *f = mmio_map_find_conflict(&reg);
	assert_non_null(f);
	assert_string_equal(f->wanted.owner, "vpci1");
	assert_string_equal(f->holder.owner, "vpci0");
	assert_ptr_equal(f, &reg.refused[2]);
}

static void outcome_words(void **state)
{
	(void)state;
	assert_string_equal(mmio_run_outcome_name(MMIO_RUN_ALL_UP),
			    "every device came up");
	assert_string_equal(mmio_run_outcome_name(MMIO_RUN_CONFLICT),
			    "MMIO conflict reproduced");
	assert_string_equal(mmio_run_outcome_name(MMIO_RUN_FAILED), "failed");
	assert_string_equal(mmio_run_outcome_name((enum mmio_run_outcome)9),
			    "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(xml_checker_catches_malformed_documents),
		cmocka_unit_test_setup(text_lists_gaps_claims_and_refusals,
				       setup),
		cmocka_unit_test_setup(text_of_an_empty_registry, setup),
		cmocka_unit_test_setup(text_counts_refusals_beyond_the_record,
				       setup),
		cmocka_unit_test_setup(svg_is_well_formed_and_shows_the_refusal,
				       setup),
		cmocka_unit_test_setup(svg_draws_each_gap_to_its_own_scale,
				       setup),
		cmocka_unit_test_setup(svg_escapes_what_it_did_not_write, setup),
		cmocka_unit_test_setup(svg_of_an_empty_registry, setup),
		cmocka_unit_test_setup(svg_saved_to_a_file, setup),
		cmocka_unit_test_setup(summary_of_a_conflict_names_both_ranges,
				       setup),
		cmocka_unit_test_setup(summary_without_a_conflict, setup),
		cmocka_unit_test_setup(
			summary_of_a_failure_names_the_first_refusal, setup),
		cmocka_unit_test_setup(conflict_is_an_overlapping_config_window,
				       setup),
		cmocka_unit_test(outcome_words),
	};

	return cmocka_run_group_tests_name("mmio_map", tests, NULL, NULL);
}
