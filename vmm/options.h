/* SPDX-License-Identifier: MIT */
/*
 * Command line: `kvmbus run [options]`, `kvmbus scenarios`, `kvmbus --help`,
 * `kvmbus --version`.
 * Parsing is pure (no I/O besides the error text) so unit tests drive it.
 */
#ifndef KVMBUS_OPTIONS_H
#define KVMBUS_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "firmware/memmap.h"
#include "vmm/scenario.h"
#include "vmm/trace.h"

#define KVMBUS_VERSION_STRING "0.1.0"
#define KVMBUS_MAX_CPUS 2
/* Longest --cmdline accepted, NUL included (Linux x86 COMMAND_LINE_SIZE). */
#define KVMBUS_CMDLINE_MAX 2048
/* Longest --timeout: one day. */
#define KVMBUS_MAX_TIMEOUT_S 86400u
/* --vpci: PCI pass-through buses the host offers. */
#define KVMBUS_MAX_VPCI_BUSES 2u
#define KVMBUS_DEFAULT_VPCI_BUSES 1u
/* --fb-base must leave room in the low gap for the smallest range Linux
 * reserves at the framebuffer base (facts §8.6), aligned as hyperv_drm
 * aligns VRAM (§9.4), or the first kernel could not place its VRAM
 * there at all. */
#define KVMBUS_FB_MIN_SIZE (8ull << 20)
#define KVMBUS_FB_ALIGN (1ull << 20)

/* The process exit status, as documented by --help. */
enum kvmbus_exit {
	KVMBUS_EXIT_PASS = 0,           /* every guest check passed */
	KVMBUS_EXIT_ERROR = 1,          /* usage or host error */
	KVMBUS_EXIT_GUEST_FAIL = 2,     /* a guest check failed / guest crashed */
	KVMBUS_EXIT_MMIO_CONFLICT = 3,  /* reserved: MMIO conflict reproduced */
	KVMBUS_EXIT_TIMEOUT = 4,        /* the run hit --timeout */
};

enum kvmbus_command {
	CMD_RUN,
	CMD_HELP,
	CMD_VERSION,
	CMD_SCENARIOS,                /* list the presets, one line each */
};

/* Bits of kvmbus_options.explicit_knobs: the scenario knobs the command
 * line set itself, which the --scenario preset must then leave alone. */
enum kvmbus_knob {
	KNOB_BOOT = 1u << 0,
	KNOB_FB_BASE = 1u << 1,
	KNOB_CRASH_FB_RESERVE = 1u << 2,
	KNOB_CRASH_CONFIG_WINDOW = 1u << 3,
	KNOB_CRASH_LOAD_ORDER = 1u << 4,
	KNOB_VPCI_BUSES = 1u << 5,
	KNOB_VPCI_FUNCS = 1u << 6,
};

/* --crash-on's default: hyperv_drm, the last of the Hyper-V drivers to
 * come up in the test kernel, is ready. */
#define KVMBUS_DEFAULT_CRASH_ON "Initialized hyperv_drm"

struct kvmbus_options {
	enum kvmbus_command command;
	const char *kernel;           /* NULL: the built guest test kernel */
	uint64_t mem_size;            /* bytes; default 256 MiB */
	unsigned cpus;                /* 1..KVMBUS_MAX_CPUS; default 1 */
	bool trace;
	const char *trace_path;       /* NULL = stderr */
	enum trace_format trace_format;
	unsigned timeout_s;           /* 0 = none; default 60 */
	struct memmap_range low_mmio;
	struct memmap_range high_mmio;
	const char *bootargs;         /* handed to the guest in /chosen, or
				       * Linux's command line with --linux */
	const char *linux_kernel;     /* --linux: a bzImage or ELF vmlinux */
	const char *initrd;           /* --initrd, only with --linux */
	const char *stop_on;          /* stop (exit 0) when a console line
				       * contains this */
	/* --boot kdump with --linux: the first kernel's console line that
	 * triggers the crash reboot; NULL = KVMBUS_DEFAULT_CRASH_ON. */
	const char *crash_on;
	bool no_seccomp;              /* run without the sandbox (debugging) */
	bool offer_pci_first;         /* --offer-order pci-first: PCI buses
				       * offered before the video */

	/* Scenario: the preset, then the knobs with explicit options
	 * applied over the preset whatever their order. */
	const struct scenario *scenario; /* never NULL; default "normal" */
	struct scenario_knobs knobs;
	uint64_t fb_base;             /* first-boot framebuffer base; 0 = none;
				       * default: the low MMIO base */
	unsigned vpci_buses;          /* 0..KVMBUS_MAX_VPCI_BUSES; default 1 */
	/* Functions on every PCI bus, "MODEL@DEV[.FN],..." (vmbus/vpci.h);
	 * NULL = the default pair (a 64-bit and a 32-bit test function). */
	const char *vpci_funcs;
	unsigned explicit_knobs;      /* KNOB_* bits set on the command line */

	/* Reports after the run. */
	const char *screenshot_path;  /* PNG of the guest screen; NULL = none */
	bool mmio_map;                /* print the MMIO map on stdout */
	const char *mmio_map_svg_path; /* also as SVG; NULL = text only */
	/* Benchmark (tests/bench): --stats prints exit counts, the boot
	 * timer, memory and bench marks on stderr (vmm/stats.h); the hidden
	 * --bench-sink offers the sink service (vmbus/sink.h). */
	bool stats;
	bool bench_sink;
};

/* Fill defaults, then parse argv (argv[0] is the program).  Returns 0,
 * or -1 with a one-line message in err ("unknown option '--foo'").
 * Strings in *o point into argv.  For `run`, the memory map implied by
 * --mem, --low-mmio and --high-mmio is checked with memmap_build(). */
int options_parse(struct kvmbus_options *o, int argc, char **argv,
		  char *err, size_t errlen);
/* Sizes like 256M, 1G, 0x1000, 4096 (K/M/G suffixes, binary).  0 or -1. */
int options_parse_size(const char *s, uint64_t *out);
/* "BASE,SIZE" with the number syntax of options_parse_size.  0 or -1. */
int options_parse_range(const char *s, struct memmap_range *out);
/* A name for the run, for summaries and titles: the preset's name, then
 * the knobs the command line set to other values than the preset's, e.g.
 * "kdump (--fb-reserve=fallback, --vpci=2)".  Returns what snprintf
 * returns. */
int options_scenario_label(const struct kvmbus_options *o, char *buf,
			   size_t len);
/* The full --help text. */
void options_print_help(FILE *f);

#endif
