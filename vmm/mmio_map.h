/* SPDX-License-Identifier: MIT */
/*
 * The MMIO map a run leaves behind, for people: both VMBus MMIO gaps,
 * every live claim of the host's MMIO registry and every claim it
 * refused, as text (--mmio-map), as an SVG drawing (--mmio-map=FILE.svg)
 * and as the one-line run summary.
 *
 * Everything here only reads the registry, and reads its refusal record
 * directly: call it after the run, when no vCPU or VMBus thread is left
 * to change it (as mmio_registry_find() requires).
 */
#ifndef KVMBUS_MMIO_MAP_H
#define KVMBUS_MMIO_MAP_H

#include <stddef.h>
#include <stdio.h>

#include "firmware/memmap.h"
#include "vmbus/mmio_registry.h"

/* How a run ended, as the summary words it.  The caller decides (from
 * the guest's verdict and mmio_map_find_conflict()); the map does not. */
enum mmio_run_outcome {
	MMIO_RUN_ALL_UP,              /* "every device came up" */
	MMIO_RUN_CONFLICT,            /* "MMIO conflict reproduced" */
	MMIO_RUN_FAILED,              /* "failed" */
};

/* The words above; "?" for a value outside the enum. */
const char *mmio_run_outcome_name(enum mmio_run_outcome outcome);

/* The refusal that shows the kdump conflict: the first recorded claim of
 * a PCI config window refused for overlapping a live claim.  NULL if
 * there is none (or reg is NULL). */
const struct mmio_refusal *
mmio_map_find_conflict(const struct mmio_registry *reg);

/* The text map: each gap with its claims and refusals sorted by address
 * (range, size, owner, kind, boot; for a refusal its reason and, for an
 * overlap, the holder's range, owner and boot), then refusals outside
 * both gaps.  Returns 0, or -1 if writing failed. */
int mmio_map_write_text(FILE *out, const struct memmap *map,
			const struct mmio_registry *reg);

/* The same map as a standalone SVG document: each gap a band drawn to
 * its own scale with a "≈" break between them, claims coloured by owner
 * (with a legend), refused claims hatched with a red outline and a label
 * naming both ranges and owners.  title names the scenario (may be
 * NULL).  Returns 0, or -1 if writing failed. */
int mmio_map_write_svg(FILE *out, const struct memmap *map,
		       const struct mmio_registry *reg, const char *title);
/* mmio_map_write_svg() into the file at path.  Returns 0, or -1 with a
 * one-line reason in err. */
int mmio_map_save_svg(const char *path, const struct memmap *map,
		      const struct mmio_registry *reg, const char *title,
		      char *err, size_t errlen);

/* The one-line run summary, e.g.
 *   "kdump: MMIO conflict reproduced: vpci0 config window [0xc0000000,
 *    0xc0002000) at boot 2 overlaps synthvid VRAM [0xc0000000,
 *    0xc0800000) claimed at boot 1"
 * (one line, no newline).  The conflict's ranges and owners come from
 * mmio_map_find_conflict(); a failed run names the first refusal, if
 * any.  scenario_name may be NULL.  Returns the length the whole line
 * needs, as snprintf does: buf was too small if that is >= len. */
size_t mmio_map_summary(char *buf, size_t len, const char *scenario_name,
			enum mmio_run_outcome outcome,
			const struct mmio_registry *reg);

#endif
