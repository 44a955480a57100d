// SPDX-License-Identifier: MIT
/*
 * Runs the case table (cases.h): group setup, each case between its
 * marker and its TAP line, group teardown.  Markers and TAP lines are the
 * contract tests/hostile/check.sh reads.
 */
#include "guest/hostile/cases.h"

#include <stdarg.h>

#include "guest/hostile/hmsg.h"
#include "guest/lib/console.h"
#include "guest/lib/format.h"
#include "guest/lib/report.h"

static unsigned case_number;
static unsigned failed_cases;

void saw(struct hsaw *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(s->text, sizeof(s->text), fmt, ap);
	va_end(ap);
}

static void run_case(const struct hcase *c)
{
	struct hsaw s = { .text = "nothing" };
	bool no_rule = c->rule[0] == '-' && c->rule[1] == '\0';
	bool ok;

	case_number++;
	kprintf("# hostile case %u [%s] %s\n", case_number, c->rule, c->name);
	ok = c->run(&s);
	/* A reply nobody asked for would confuse the next case. */
	hm_drain();
	if (!ok)
		failed_cases++;
	if (no_rule)
		report(ok, "%s: handled (%s)", c->name, s.text);
	else
		report(ok, "%s: refused (%s)", c->name, s.text);
}

static void skip_group(const struct hgroup *g)
{
	for (unsigned i = 0; i < g->count; i++) {
		case_number++;
		failed_cases++;
		kprintf("# hostile case %u [%s] %s\n", case_number,
			g->cases[i].rule, g->cases[i].name);
		report(false, "%s: not run (setup of %s failed)",
		       g->cases[i].name, g->name);
	}
}

unsigned hostile_run_all(void)
{
	for (unsigned gi = 0; gi < hostile_nr_groups; gi++) {
		const struct hgroup *g = hostile_groups[gi];

		kprintf("# hostile setup %s\n", g->name);
		hm_drain();
		if (g->setup && !g->setup()) {
			skip_group(g);
		} else {
			for (unsigned i = 0; i < g->count; i++)
				run_case(&g->cases[i]);
		}
		kprintf("# hostile setup %s teardown\n", g->name);
		if (g->teardown)
			g->teardown();
	}
	kprintf("# hostile cases done: %u cases\n", case_number);
	return case_number;
}

unsigned hostile_failed_cases(void)
{
	return failed_cases;
}
