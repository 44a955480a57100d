// SPDX-License-Identifier: MIT
/*
 * Which functions sit on a VPCI bus: the default pair and the textual
 * spec "MODEL@DEV[.FN],..." (see vmbus/vpci.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmbus/vpci.h"

void vpci_bus_config_default(struct vpci_bus_config *c, unsigned index,
			     unsigned nr_vps)
{
	memset(c, 0, sizeof(*c));
	c->index = index;
	c->nr_vps = nr_vps;
	c->nr_funcs = 2;
	c->funcs[0].win_slot = VPCI_WIN_SLOT(0, 0);
	c->funcs[0].model = &pci_model_test64;
	c->funcs[1].win_slot = VPCI_WIN_SLOT(1, 0);
	c->funcs[1].model = &pci_model_test32;
}

/* "kvmbus-test64", or the short "test64". */
static const struct pci_func_model *model_named(const char *name)
{
	char full[128];
	const struct pci_func_model *m = pci_func_model_find(name);

	if (m)
		return m;
	snprintf(full, sizeof(full), "kvmbus-%s", name);
	return pci_func_model_find(full);
}

/* "DEV" or "DEV.FN", decimal, dev 0..31, fn 0..7. */
static int parse_slot(const char *s, uint32_t *win_slot)
{
	char *end;
	unsigned long dev, fn = 0;

	if (*s < '0' || *s > '9')
		return -1;
	dev = strtoul(s, &end, 10);
	if (*end == '.') {
		if (end[1] < '0' || end[1] > '9')
			return -1;
		fn = strtoul(end + 1, &end, 10);
	}
	if (*end != '\0' || dev > 31 || fn > 7)
		return -1;
	*win_slot = VPCI_WIN_SLOT(dev, fn);
	return 0;
}

int vpci_bus_config_parse(struct vpci_bus_config *c, const char *spec,
			  char *err, size_t errlen)
{
	struct vpci_bus_config out = *c;
	char item[96];
	const char *p = spec;

	if (!spec || !*spec) {
		snprintf(err, errlen, "empty function list");
		return -1;
	}
	out.nr_funcs = 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		char *at;
		const struct pci_func_model *m;
		uint32_t slot;

		if (n == 0 || n >= sizeof(item)) {
			snprintf(err, errlen, "bad function entry in '%s'", spec);
			return -1;
		}
		memcpy(item, p, n);
		item[n] = '\0';
		p += n + (p[n] == ',');
		at = strchr(item, '@');
		if (!at) {
			snprintf(err, errlen, "'%s': expected MODEL@DEV[.FN]", item);
			return -1;
		}
		*at = '\0';
		m = model_named(item);
		if (!m) {
			snprintf(err, errlen, "unknown function model '%s' "
				 "(kvmbus-test64, kvmbus-test32)", item);
			return -1;
		}
		if (parse_slot(at + 1, &slot)) {
			snprintf(err, errlen, "'%s': slot must be DEV (0-31) or "
				 "DEV.FN (FN 0-7)", at + 1);
			return -1;
		}
		if (out.nr_funcs >= VPCI_MAX_FUNCS) {
			snprintf(err, errlen, "more than %u functions on a bus",
				 VPCI_MAX_FUNCS);
			return -1;
		}
		for (unsigned i = 0; i < out.nr_funcs; i++) {
			if (out.funcs[i].win_slot == slot) {
				snprintf(err, errlen, "slot %s used twice", at + 1);
				return -1;
			}
		}
		out.funcs[out.nr_funcs].win_slot = slot;
		out.funcs[out.nr_funcs].model = m;
		out.nr_funcs++;
	}
	*c = out;
	return 0;
}
