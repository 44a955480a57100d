/* SPDX-License-Identifier: MIT */
/*
 * Command line: `kvmbus run [options]`, `kvmbus --help`, `kvmbus --version`.
 * Parsing is pure (no I/O besides the error text) so unit tests drive it.
 */
#ifndef KVMBUS_OPTIONS_H
#define KVMBUS_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "firmware/memmap.h"
#include "vmm/trace.h"

#define KVMBUS_VERSION_STRING "0.1.0"
#define KVMBUS_MAX_CPUS 2
/* Longest --cmdline accepted, NUL included (Linux x86 COMMAND_LINE_SIZE). */
#define KVMBUS_CMDLINE_MAX 2048
/* Longest --timeout: one day. */
#define KVMBUS_MAX_TIMEOUT_S 86400u

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
};

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
	const char *bootargs;         /* handed to the guest in /chosen */
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
/* The full --help text. */
void options_print_help(FILE *f);

#endif
