// SPDX-License-Identifier: MIT
/*
 * The order the attacks run in.  Later groups build on the state earlier
 * ones leave: the platform, hypercall and MSR attacks need no connection;
 * the control-message groups run on one connection (5.3) that the GPADL
 * flood spoils and UNLOAD ends; a 4.0 connection comes and goes; then a
 * fresh 5.3 connection carries the ring, PCI and video attacks.  The PCI
 * bus stays in D0 through the video groups, so VRAM can be aimed at its
 * config window.
 */
#include "guest/hostile/cases.h"

const struct hgroup *const hostile_groups[] = {
	&hostile_platform_group,
	&hostile_hypercall_group,
	&hostile_msr_group,
	&hostile_precontact_group,
	&hostile_connected_group,
	&hostile_control_group,
	&hostile_gpadl_group,
	&hostile_open_group,
	&hostile_gpadl_limit_group,
	&hostile_old_version_group,
	&hostile_ring_group,
	&hostile_flood_group,
	&hostile_vpci_early_group,
	&hostile_vpci_v11_group,
	&hostile_vpci_v14_group,
	&hostile_vpci_d0_group,
	&hostile_vpci_mmio_group,
	&hostile_video_early_group,
	&hostile_video_v32_group,
	&hostile_video_v35_group,
	&hostile_video_mode_group,
	&hostile_video_dirt_group,
	&hostile_after_close_group,
};

const unsigned hostile_nr_groups = sizeof(hostile_groups) / sizeof(hostile_groups[0]);
