// SPDX-License-Identifier: MIT
/*
 * The MMIO map for people (see vmm/mmio_map.h).
 *
 * Both renderings start from one list: the registry's live claims and
 * its recorded refusals, sorted by address and filed under the gap they
 * start in.  Each row is worded once (format_row) so the text map and
 * the SVG's list say the same thing.
 *
 * The SVG is written by hand: it is a few dozen elements, and a library
 * would be a dependency for what fprintf does.  Every string that comes
 * from the registry is escaped on the way out.
 */
#include "vmm/mmio_map.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ITEMS (MMIO_REGISTRY_MAX_CLAIMS + MMIO_REGISTRY_MAX_REFUSED)

enum map_gap {
	GAP_NONE = 0,                 /* the values of memmap_gap_of() */
	GAP_LOW = 1,
	GAP_HIGH = 2,
};

/* A live claim, or a refused attempt (refusal != NULL). */
struct map_item {
	struct mmio_claim range;
	const struct mmio_refusal *refusal;
	enum map_gap gap;             /* the gap the range starts in */
};

struct map_items {
	struct map_item item[MAX_ITEMS];
	unsigned n;
	unsigned nr_live, nr_refused;
	unsigned unrecorded_refusals; /* beyond the registry's record */
};

/* ---- the shared list ---------------------------------------------------- */

/* Filed by where the range starts, so a refusal that runs past a gap's
 * end is still shown beside the claims it was competing with. */
static enum map_gap gap_of_start(const struct memmap *map, uint64_t base)
{
	return (enum map_gap)memmap_gap_of(map, base, 1);
}

static int compare_items(const void *pa, const void *pb)
{
	const struct map_item *a = pa, *b = pb;

	if (a->range.base != b->range.base)
		return a->range.base < b->range.base ? -1 : 1;
	/* At one address, what was there before what was turned away. */
	if (!a->refusal != !b->refusal)
		return a->refusal ? 1 : -1;
	if (a->range.size != b->range.size)
		return a->range.size < b->range.size ? -1 : 1;
	/* qsort is not stable: keep refusals in the order they happened. */
	if (a->refusal && b->refusal)
		return a->refusal < b->refusal ? -1 : 1;
	return 0;
}

static void collect_items(const struct memmap *map,
			  const struct mmio_registry *reg,
			  struct map_items *out)
{
	struct mmio_claim live[MMIO_REGISTRY_MAX_CLAIMS];
	unsigned nr_live = 0, nr_refused = 0;

	memset(out, 0, sizeof(*out));
	if (!reg)
		return;
	nr_live = mmio_registry_snapshot(reg, live, MMIO_REGISTRY_MAX_CLAIMS);
	if (nr_live > MMIO_REGISTRY_MAX_CLAIMS)
		nr_live = MMIO_REGISTRY_MAX_CLAIMS;
	nr_refused = reg->nr_refused;
	if (nr_refused > MMIO_REGISTRY_MAX_REFUSED)
		nr_refused = MMIO_REGISTRY_MAX_REFUSED;

	for (unsigned i = 0; i < nr_live; i++) {
		struct map_item *it = &out->item[out->n++];

		it->range = live[i];
		it->gap = gap_of_start(map, live[i].base);
	}
	for (unsigned i = 0; i < nr_refused; i++) {
		struct map_item *it = &out->item[out->n++];

		it->range = reg->refused[i].wanted;
		it->refusal = &reg->refused[i];
		it->gap = gap_of_start(map, it->range.base);
	}
	out->nr_live = nr_live;
	out->nr_refused = nr_refused;
	if (reg->refusals_total > nr_refused)
		out->unrecorded_refusals = reg->refusals_total - nr_refused;
	qsort(out->item, out->n, sizeof(out->item[0]), compare_items);
}

/* ---- wording ------------------------------------------------------------ */

/* "8 MiB", "1004 MiB", "8 KiB", "256 B": the largest unit that divides
 * the size exactly, so nothing is rounded away. */
static void format_size(char *buf, size_t len, uint64_t size)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB" };
	unsigned u = 0;

	while (u + 1 < sizeof(unit) / sizeof(unit[0]) && size >= 1024 &&
	       size % 1024 == 0) {
		size /= 1024;
		u++;
	}
	snprintf(buf, len, "%llu %s", (unsigned long long)size, unit[u]);
}

/* "[0xc0000000, 0xc0800000)": half-open, as the registry thinks of it. */
static void format_range(char *buf, size_t len, uint64_t base, uint64_t size)
{
	snprintf(buf, len, "[0x%llx, 0x%llx)", (unsigned long long)base,
		 (unsigned long long)(base + size));
}

/* "synthvid VRAM [0xc0000000, 0xc0800000)" */
static void format_claim(char *buf, size_t len, const struct mmio_claim *c)
{
	char range[48];

	format_range(range, sizeof(range), c->base, c->size);
	snprintf(buf, len, "%s %s %s", c->owner, mmio_claim_kind_name(c->kind),
		 range);
}

/* The columns of one row: range, size, owner, kind, boot. */
#define ROW_FORMAT "%-28s %8s  %-11s %-13s "

static void format_row(char *buf, size_t len, const struct map_item *it)
{
	char range[48], size[24];

	format_range(range, sizeof(range), it->range.base, it->range.size);
	format_size(size, sizeof(size), it->range.size);
	snprintf(buf, len, ROW_FORMAT "boot %u", range, size, it->range.owner,
		 mmio_claim_kind_name(it->range.kind), it->range.boot);
}

/* Why a claim was refused: for an overlap, whose claim it ran into and
 * since when; otherwise the registry's own reason. */
static void format_reason(char *buf, size_t len, const struct mmio_refusal *f)
{
	char holder[96];

	if (!f->overlap) {
		snprintf(buf, len, "%s", f->reason);
		return;
	}
	format_claim(holder, sizeof(holder), &f->holder);
	snprintf(buf, len, "overlaps %s, claimed at boot %u", holder,
		 f->holder.boot);
}

static const char *gap_name(enum map_gap g)
{
	return g == GAP_LOW ? "low" : g == GAP_HIGH ? "high" : "none";
}

static struct memmap_range gap_range(const struct memmap *map, enum map_gap g)
{
	return g == GAP_LOW ? map->low_mmio : map->high_mmio;
}

/* ---- text --------------------------------------------------------------- */

static void write_text_items(FILE *out, const struct map_items *items,
			     enum map_gap gap)
{
	char row[160], why[160];
	unsigned shown = 0;

	for (unsigned i = 0; i < items->n; i++) {
		const struct map_item *it = &items->item[i];

		if (it->gap != gap)
			continue;
		format_row(row, sizeof(row), it);
		if (!it->refusal) {
			fprintf(out, "    %s\n", row);
		} else {
			format_reason(why, sizeof(why), it->refusal);
			fprintf(out, "  ! %s\n", row);
			fprintf(out, "      REFUSED: %s\n", why);
		}
		shown++;
	}
	if (!shown && gap != GAP_NONE)
		fprintf(out, "    (no claims)\n");
}

int mmio_map_write_text(FILE *out, const struct memmap *map,
			const struct mmio_registry *reg)
{
	struct map_items items;
	char range[48], size[24];

	if (!out || !map)
		return -1;
	collect_items(map, reg, &items);

	fprintf(out, "MMIO map: %u live claim%s, %u refused claim%s\n",
		items.nr_live, items.nr_live == 1 ? "" : "s",
		items.nr_refused, items.nr_refused == 1 ? "" : "s");
	fprintf(out, "(boot N = the guest's Nth VMBus connection; in a kdump "
		"run boot 1 is the\n first kernel and boot 2 the crash "
		"kernel.  '!' marks a refused claim.)\n\n");
	fprintf(out, "    " ROW_FORMAT "%s\n", "range", "size", "owner",
		"kind", "boot");
	for (enum map_gap g = GAP_LOW; g <= GAP_HIGH; g++) {
		struct memmap_range r = gap_range(map, g);

		format_range(range, sizeof(range), r.base, r.size);
		format_size(size, sizeof(size), r.size);
		fprintf(out, "%s%-4s MMIO gap %s, %s\n",
			g == GAP_LOW ? "" : "\n", gap_name(g), range, size);
		write_text_items(out, &items, g);
	}
	for (unsigned i = 0; i < items.n; i++) {
		if (items.item[i].gap == GAP_NONE) {
			fprintf(out, "\noutside both MMIO gaps\n");
			write_text_items(out, &items, GAP_NONE);
			break;
		}
	}
	if (items.unrecorded_refusals)
		fprintf(out, "\n(%u later refusal%s not recorded)\n",
			items.unrecorded_refusals,
			items.unrecorded_refusals == 1 ? " was" : "s were");
	return ferror(out) ? -1 : 0;
}

/* ---- SVG ---------------------------------------------------------------- */

#define SVG_WIDTH      1000
#define SVG_MARGIN     40
#define BAND_Y         92
#define BAND_H         40
#define REFUSED_Y      (BAND_Y + BAND_H + 4)
#define REFUSED_H      14
#define ADDR_Y         (REFUSED_Y + REFUSED_H + 14)
#define ROW_H          17
/* A to-scale 8 KiB window in a 1 GiB gap is a thousandth of a pixel;
 * drawn at least this wide, it can still be seen and hovered. */
#define MIN_CLAIM_W    3.0
#define MIN_REFUSED_W  6.0
#define REFUSED_RED    "#d00000"
/* Width of one character at font-size 12, generously: for deciding
 * whether a label fits, never for placing it. */
#define OWNER_CHAR_W   7.5

/* Owner colours; red is kept for refusals. */
static const char *const palette[] = {
	"#4e79a7", "#59a14f", "#f28e2b", "#b07aa1",
	"#76b7b2", "#edc948", "#9c755f", "#bab0ac",
};
#define PALETTE_SIZE (sizeof(palette) / sizeof(palette[0]))

struct owners {
	char name[2 * MAX_ITEMS][MMIO_OWNER_LEN];
	unsigned n;
};

static unsigned owner_index(struct owners *o, const char *owner)
{
	for (unsigned i = 0; i < o->n; i++) {
		if (strcmp(o->name[i], owner) == 0)
			return i;
	}
	if (o->n == sizeof(o->name) / sizeof(o->name[0]))
		return 0;  /* cannot happen: at most two owners per item */
	snprintf(o->name[o->n], MMIO_OWNER_LEN, "%s", owner);
	return o->n++;
}

static const char *owner_colour(struct owners *o, const char *owner)
{
	return palette[owner_index(o, owner) % PALETTE_SIZE];
}

/* Colours follow the owners' first appearance by address, holders of
 * refused ranges included, so the legend names everyone a label does
 * and a map's colours do not depend on the registry's slot order. */
static void assign_owner_colours(struct owners *o,
				 const struct map_items *items)
{
	for (unsigned i = 0; i < items->n; i++) {
		const struct map_item *it = &items->item[i];

		owner_index(o, it->range.owner);
		if (it->refusal && it->refusal->overlap)
			owner_index(o, it->refusal->holder.owner);
	}
}

/* Character data and attribute values: the five XML specials become
 * references; control bytes and non-ASCII (the registry holds ASCII
 * names, anything else is damage) become '?', so the document stays
 * well-formed whatever an owner string holds. */
static void svg_escape(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&':  fputs("&amp;", out); break;
		case '<':  fputs("&lt;", out); break;
		case '>':  fputs("&gt;", out); break;
		case '"':  fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		default:
			fputc(c < 0x20 || c >= 0x7f ? '?' : c, out);
		}
	}
}

/* <text ...attrs>escaped text</text> */
static void svg_text(FILE *out, double x, double y, const char *attrs,
		     const char *text)
{
	fprintf(out, "<text x=\"%.1f\" y=\"%.1f\"%s%s>", x, y,
		attrs && *attrs ? " " : "", attrs ? attrs : "");
	svg_escape(out, text);
	fputs("</text>\n", out);
}

/* One gap drawn to its own scale across [x, x + w). */
struct band {
	struct memmap_range gap;
	double x, w;
};

static double band_x(const struct band *b, uint64_t addr)
{
	if (addr <= b->gap.base)
		return b->x;
	if (addr - b->gap.base >= b->gap.size)
		return b->x + b->w;
	return b->x + (double)(addr - b->gap.base) * b->w /
		      (double)b->gap.size;
}

/* The x extent of a range in its band: to scale, but at least min_w
 * wide, and kept inside the band. */
static void band_extent(const struct band *b, uint64_t base, uint64_t size,
			double min_w, double *x, double *w)
{
	double x0 = band_x(b, base);
	double x1 = size > UINT64_MAX - base ? b->x + b->w
					      : band_x(b, base + size);

	*w = x1 - x0 < min_w ? min_w : x1 - x0;
	if (x0 + *w > b->x + b->w)
		x0 = b->x + b->w - *w;
	*x = x0;
}

static void svg_prologue(FILE *out, unsigned height, const char *title)
{
	fprintf(out,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%u\" viewBox=\"0 0 %d %u\" "
		"font-family=\"sans-serif\" font-size=\"12\">\n",
		SVG_WIDTH, height, SVG_WIDTH, height);
	fputs("<title>kvmbus MMIO map: ", out);
	svg_escape(out, title);
	fputs("</title>\n", out);
	/* Diagonal red hatching for refused claims: visible even where a
	 * refusal is drawn at the same place as the claim it hit. */
	fputs("<defs>\n"
	      "<pattern id=\"refused-hatch\" width=\"6\" height=\"6\" "
	      "patternUnits=\"userSpaceOnUse\" "
	      "patternTransform=\"rotate(45)\">\n"
	      "<rect width=\"6\" height=\"6\" fill=\"#ffe5e5\"/>\n"
	      "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\""
	      REFUSED_RED "\" stroke-width=\"2\"/>\n"
	      "</pattern>\n"
	      "</defs>\n"
	      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n", out);
}

static void svg_heading(FILE *out, const char *title)
{
	/* Written in parts: the dash is a character reference, which
	 * svg_escape would escape again. */
	fprintf(out, "<text class=\"title\" x=\"%d\" y=\"30\" "
		"font-size=\"18\" font-weight=\"bold\">"
		"MMIO map &#8212; scenario: ", SVG_MARGIN);
	svg_escape(out, title);
	fputs("</text>\n", out);
	svg_text(out, SVG_MARGIN, 50, "fill=\"#555\"",
		 "Each VMBus MMIO gap is drawn to its own scale. boot N = the "
		 "guest's Nth VMBus connection (kdump: 1 = first kernel, "
		 "2 = crash kernel).");
}

static void svg_bands(FILE *out, const struct band band[2],
		      const struct memmap *map)
{
	char label[96], size[24], addr[24];

	for (enum map_gap g = GAP_LOW; g <= GAP_HIGH; g++) {
		const struct band *b = &band[g - 1];

		format_size(size, sizeof(size), gap_range(map, g).size);
		snprintf(label, sizeof(label), "%s MMIO gap, %s",
			 gap_name(g), size);
		svg_text(out, b->x, BAND_Y - 8, "font-weight=\"bold\"", label);
		fprintf(out, "<rect class=\"gap\" x=\"%.1f\" y=\"%d\" "
			"width=\"%.1f\" height=\"%d\" fill=\"#f2f2f2\" "
			"stroke=\"#444\"/>\n", b->x, BAND_Y, b->w, BAND_H);
		snprintf(addr, sizeof(addr), "0x%llx",
			 (unsigned long long)b->gap.base);
		svg_text(out, b->x, ADDR_Y, "font-size=\"11\"", addr);
		snprintf(addr, sizeof(addr), "0x%llx",
			 (unsigned long long)(b->gap.base + b->gap.size));
		svg_text(out, b->x + b->w, ADDR_Y,
			 "font-size=\"11\" text-anchor=\"end\"", addr);
	}
	/* The break between the gaps: what lies there (RAM above 4 GiB,
	 * unmapped space) is not drawn. */
	double mid = (band[0].x + band[0].w + band[1].x) / 2;

	fprintf(out, "<text class=\"break\" x=\"%.1f\" y=\"%d\" "
		"font-size=\"28\" text-anchor=\"middle\">&#8776;</text>\n",
		mid, BAND_Y + BAND_H / 2 + 9);
}

static void svg_claims(FILE *out, const struct map_items *items,
		       const struct band band[2], struct owners *owners)
{
	char row[160];

	for (unsigned i = 0; i < items->n; i++) {
		const struct map_item *it = &items->item[i];
		double x, w;

		if (it->refusal || it->gap == GAP_NONE)
			continue;
		band_extent(&band[it->gap - 1], it->range.base, it->range.size,
			    MIN_CLAIM_W, &x, &w);
		format_row(row, sizeof(row), it);
		fprintf(out, "<rect class=\"claim\" x=\"%.2f\" y=\"%d\" "
			"width=\"%.2f\" height=\"%d\" fill=\"%s\" "
			"stroke=\"#222\" stroke-width=\"0.5\"><title>",
			x, BAND_Y + 1, w, BAND_H - 2,
			owner_colour(owners, it->range.owner));
		svg_escape(out, row);
		fputs("</title></rect>\n", out);
		/* A claim wide enough to hold its owner's name carries it;
		 * the legend and the list name the rest. */
		if (w >= OWNER_CHAR_W * (double)strlen(it->range.owner) + 8)
			svg_text(out, x + 4, BAND_Y + BAND_H / 2 + 4,
				 "class=\"owner\" fill=\"white\"",
				 it->range.owner);
	}
}

/* Refused claims in a lane under their band, each tied by a dashed line
 * to a label below that names both ranges and owners.  Returns the y
 * after the labels. */
static double svg_refusals(FILE *out, const struct map_items *items,
			   const struct band band[2], double y)
{
	char wanted[96], why[160], label[300];

	for (unsigned i = 0; i < items->n; i++) {
		const struct map_item *it = &items->item[i];
		double x, w;

		if (!it->refusal)
			continue;
		format_claim(wanted, sizeof(wanted), &it->range);
		format_reason(why, sizeof(why), it->refusal);
		snprintf(label, sizeof(label), "REFUSED at boot %u: %s %s",
			 it->range.boot, wanted, why);
		if (it->gap != GAP_NONE) {
			band_extent(&band[it->gap - 1], it->range.base,
				    it->range.size, MIN_REFUSED_W, &x, &w);
			fprintf(out, "<rect class=\"refused\" x=\"%.2f\" "
				"y=\"%d\" width=\"%.2f\" height=\"%d\" "
				"fill=\"url(#refused-hatch)\" stroke=\""
				REFUSED_RED "\" stroke-width=\"1.5\"><title>",
				x, REFUSED_Y, w, REFUSED_H);
			svg_escape(out, label);
			fputs("</title></rect>\n", out);
			fprintf(out, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" "
				"y2=\"%.1f\" stroke=\"" REFUSED_RED "\" "
				"stroke-dasharray=\"3,2\"/>\n", x + w / 2,
				REFUSED_Y + REFUSED_H, x + w / 2, y - 10);
		}
		svg_text(out, SVG_MARGIN, y,
			 "class=\"refused-label\" fill=\"" REFUSED_RED "\"",
			 label);
		y += ROW_H;
	}
	return y;
}

/* The legend: a cell per owner, in colour order, then the hatched
 * refusal swatch; LEGEND_PER_ROW cells a row after the "Owners:" label. */
#define LEGEND_LABEL_W  62
#define LEGEND_CELL_W   170
#define LEGEND_PER_ROW  5

static unsigned legend_rows(const struct owners *owners)
{
	return (owners->n + 1 + LEGEND_PER_ROW - 1) / LEGEND_PER_ROW;
}

static double svg_legend(FILE *out, const struct owners *owners, double y)
{
	svg_text(out, SVG_MARGIN, y, "font-weight=\"bold\"", "Owners:");
	for (unsigned i = 0; i <= owners->n; i++) {
		double x = SVG_MARGIN + LEGEND_LABEL_W +
			   LEGEND_CELL_W * (double)(i % LEGEND_PER_ROW);
		double row_y = y + ROW_H * (double)(i / LEGEND_PER_ROW);

		if (i == owners->n) {
			fprintf(out, "<rect class=\"legend\" x=\"%.1f\" "
				"y=\"%.1f\" width=\"12\" height=\"12\" "
				"fill=\"url(#refused-hatch)\" stroke=\""
				REFUSED_RED "\"/>\n", x, row_y - 10);
			svg_text(out, x + 16, row_y, NULL, "refused claim");
			break;
		}
		fprintf(out, "<rect class=\"legend\" x=\"%.1f\" y=\"%.1f\" "
			"width=\"12\" height=\"12\" fill=\"%s\" "
			"stroke=\"#222\" stroke-width=\"0.5\"/>\n", x,
			row_y - 10, palette[i % PALETTE_SIZE]);
		svg_text(out, x + 16, row_y, NULL, owners->name[i]);
	}
	return y + ROW_H * (double)legend_rows(owners);
}

/* The same rows as the text map, in address order. */
static double svg_rows(FILE *out, const struct map_items *items, double y)
{
	char row[160], line[200];

	svg_text(out, SVG_MARGIN, y, "font-weight=\"bold\"",
		 "Claims by address (range, size, owner, kind, boot):");
	y += ROW_H;
	if (!items->n) {
		svg_text(out, SVG_MARGIN, y, NULL, "(no claims)");
		return y + ROW_H;
	}
	for (unsigned i = 0; i < items->n; i++) {
		const struct map_item *it = &items->item[i];

		format_row(row, sizeof(row), it);
		snprintf(line, sizeof(line), "%s %-4s %s", it->refusal ? "!" : " ",
			 gap_name(it->gap), row);
		svg_text(out, SVG_MARGIN, y,
			 it->refusal ? "font-family=\"monospace\" "
				       "xml:space=\"preserve\" fill=\""
				       REFUSED_RED "\""
				     : "font-family=\"monospace\" "
				       "xml:space=\"preserve\"",
			 line);
		y += ROW_H;
	}
	return y;
}

/* The low gap gets the wider band: it is where VRAM and config windows
 * compete.  The high band takes what is left after the break. */
#define LOW_BAND_W  560.0
#define BREAK_W     60.0
#define FIRST_LABEL_Y (ADDR_Y + 28)

int mmio_map_write_svg(FILE *out, const struct memmap *map,
		       const struct mmio_registry *reg, const char *title)
{
	struct map_items items;
	struct owners owners = { .n = 0 };
	struct band band[2];

	if (!out || !map)
		return -1;
	collect_items(map, reg, &items);
	assign_owner_colours(&owners, &items);
	if (!title)
		title = "(unnamed)";

	band[0] = (struct band){ map->low_mmio, SVG_MARGIN, LOW_BAND_W };
	band[1] = (struct band){
		map->high_mmio, SVG_MARGIN + LOW_BAND_W + BREAK_W,
		SVG_WIDTH - 2 * SVG_MARGIN - LOW_BAND_W - BREAK_W };

	/* The layout below, summed: refusal labels, legend, list. */
	unsigned list_rows = 1 + (items.n ? items.n : 1);
	unsigned height = FIRST_LABEL_Y + items.nr_refused * ROW_H + 8 +
			  legend_rows(&owners) * ROW_H + 8 +
			  list_rows * ROW_H + 10;

	svg_prologue(out, height, title);
	svg_heading(out, title);
	svg_bands(out, band, map);
	svg_claims(out, &items, band, &owners);
	double y = svg_refusals(out, &items, band, FIRST_LABEL_Y);
	y = svg_legend(out, &owners, y + 8);
	svg_rows(out, &items, y + 8);
	fputs("</svg>\n", out);
	return ferror(out) ? -1 : 0;
}

int mmio_map_save_svg(const char *path, const struct memmap *map,
		      const struct mmio_registry *reg, const char *title,
		      char *err, size_t errlen)
{
	FILE *f;

	if (!path || !*path) {
		snprintf(err, errlen, "MMIO map: no SVG file name");
		return -1;
	}
	f = fopen(path, "w");
	if (!f) {
		snprintf(err, errlen, "MMIO map: cannot create '%s': %s", path,
			 strerror(errno));
		return -1;
	}
	int ret = mmio_map_write_svg(f, map, reg, title);

	if (fclose(f) != 0 || ret != 0) {
		snprintf(err, errlen, "MMIO map: cannot write '%s': %s", path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- summary ------------------------------------------------------------ */

const char *mmio_run_outcome_name(enum mmio_run_outcome outcome)
{
	switch (outcome) {
	case MMIO_RUN_ALL_UP:
		return "every device came up";
	case MMIO_RUN_CONFLICT:
		return "MMIO conflict reproduced";
	case MMIO_RUN_FAILED:
		return "failed";
	}
	return "?";
}

const struct mmio_refusal *
mmio_map_find_conflict(const struct mmio_registry *reg)
{
	if (!reg)
		return NULL;
	for (unsigned i = 0; i < reg->nr_refused && i < MMIO_REGISTRY_MAX_REFUSED;
	     i++) {
		const struct mmio_refusal *f = &reg->refused[i];

		if (f->overlap && f->wanted.kind == MMIO_CLAIM_CONFIG_WINDOW)
			return f;
	}
	return NULL;
}

size_t mmio_map_summary(char *buf, size_t len, const char *scenario_name,
			enum mmio_run_outcome outcome,
			const struct mmio_registry *reg)
{
	char detail[320] = "", wanted[96], why[160];
	const struct mmio_refusal *f = NULL;

	if (outcome == MMIO_RUN_CONFLICT) {
		f = mmio_map_find_conflict(reg);
		if (!f)
			snprintf(detail, sizeof(detail),
				 " (no refused config window was recorded)");
	} else if (outcome == MMIO_RUN_FAILED && reg && reg->nr_refused) {
		/* Not necessarily the cause, but the first thing the host
		 * turned down is where a reader should look. */
		f = &reg->refused[0];
	}
	if (f) {
		format_claim(wanted, sizeof(wanted), &f->wanted);
		format_reason(why, sizeof(why), f);
		/* "... at boot 2 overlaps X, claimed at boot 1", or
		 * "... at boot 2 (outside the VMBus MMIO gaps)". */
		snprintf(detail, sizeof(detail),
			 f->overlap ? "%s%s at boot %u %s" : "%s%s at boot %u (%s)",
			 outcome == MMIO_RUN_CONFLICT ? ": " : "; refused: ",
			 wanted, f->wanted.boot, why);
	}
	int n = snprintf(buf, len, "scenario %s: %s%s",
			 scenario_name ? scenario_name : "(unnamed)",
			 mmio_run_outcome_name(outcome), detail);
	return n < 0 ? 0 : (size_t)n;
}
