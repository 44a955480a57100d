/* SPDX-License-Identifier: MIT */
/*
 * The hostile guest's case table: every case is one malformed input, named
 * by what the guest does wrong and by the rule kvmbus must refuse it with
 * (the `rule` of guest_refuse() in vmm/ and vmbus/).  Cases come in groups
 * that share a setup (a connection, an open channel, a negotiated version)
 * which is done legitimately before the group's cases run.
 *
 * Output contract with tests/hostile/check.sh:
 *   # hostile case K [RULE] NAME      printed before case K runs
 *   ok N - NAME: refused (WHAT)       after it (WHAT = what the guest saw)
 *   # hostile setup GROUP             before each group's setup
 *   # hostile cases done: K cases     after the last case
 * kvmbus prints its "guest refused [rule]" lines on the same vCPU thread,
 * so every refusal lands between its case's marker and the next marker.
 */
#ifndef GUEST_HOSTILE_CASES_H
#define GUEST_HOSTILE_CASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A case that must not be refused at all (a legal but unfriendly input):
 * check.sh then asserts that no refusal falls into its window. */
#define HCASE_NO_RULE "-"

/* What the guest saw of the refusal, for the TAP line. */
struct hsaw {
	char text[128];
};

void saw(struct hsaw *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

struct hcase {
	const char *name;             /* what the guest does wrong */
	const char *rule;             /* the host's refusal rule */
	/* Do the attack; true if the guest saw the refusal it expects. */
	bool (*run)(struct hsaw *s);
};

struct hgroup {
	const char *name;
	/* Legitimate preparation; reports its own TAP checks.  False: the
	 * group's cases are reported as failed without running.  NULL: none. */
	bool (*setup)(void);
	void (*teardown)(void);       /* NULL: none */
	const struct hcase *cases;
	unsigned count;
};

#define HGROUP(gname, gsetup, gteardown, gcases) {                  \
		.name = (gname), .setup = (gsetup), .teardown = (gteardown), \
		.cases = (gcases),                                           \
		.count = sizeof(gcases) / sizeof((gcases)[0]),               \
	}

/* The groups in the order they run (groups.c). */
extern const struct hgroup *const hostile_groups[];
extern const unsigned hostile_nr_groups;

/* Run every group; returns how many cases ran. */
unsigned hostile_run_all(void);
/* Cases whose refusal the guest did not see. */
unsigned hostile_failed_cases(void);

/* Each attack file's groups. */
extern const struct hgroup hostile_platform_group;
extern const struct hgroup hostile_hypercall_group;
extern const struct hgroup hostile_msr_group;
extern const struct hgroup hostile_precontact_group;
extern const struct hgroup hostile_connected_group;
extern const struct hgroup hostile_control_group;
extern const struct hgroup hostile_gpadl_group;
extern const struct hgroup hostile_open_group;
extern const struct hgroup hostile_gpadl_limit_group;
extern const struct hgroup hostile_old_version_group;
extern const struct hgroup hostile_ring_group;
extern const struct hgroup hostile_flood_group;
extern const struct hgroup hostile_vpci_early_group;
extern const struct hgroup hostile_vpci_v11_group;
extern const struct hgroup hostile_vpci_v14_group;
extern const struct hgroup hostile_vpci_d0_group;
extern const struct hgroup hostile_vpci_mmio_group;
extern const struct hgroup hostile_video_early_group;
extern const struct hgroup hostile_video_v32_group;
extern const struct hgroup hostile_video_v35_group;
extern const struct hgroup hostile_video_mode_group;
extern const struct hgroup hostile_video_dirt_group;
extern const struct hgroup hostile_after_close_group;

#endif
