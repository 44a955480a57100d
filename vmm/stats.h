/* SPDX-License-Identifier: MIT */
/*
 * Figures for the benchmark (tests/bench), asked for with --stats:
 *   - the boot timer: from process start to the guest's first write to
 *     KVMBUS_PORT_BOOT_TIMER (its first instruction, in guest/bench);
 *   - marks: a 32-bit OUT to KVMBUS_PORT_BENCH_MARK prints the exit
 *     counts and data-path figures at that point, so the bench can take
 *     the difference between two marks;
 *   - at exit: VM exits by kind, VMBus and sink figures, peak RSS and the
 *     VMM's own share of it (guest RAM the guest touched excluded).
 * Every line goes to stderr as "kvmbus-stats: KIND key=value ...", stable
 * for tests/bench/run.py to parse.
 */
#ifndef KVMBUS_STATS_H
#define KVMBUS_STATS_H

#include <stdint.h>

struct vm;
struct vmbus_sink;
struct vmm_stats;

/* With --stats, /proc/self/status and /proc/self/smaps are opened
 * before the sandbox at these two fixed descriptors, the only ones the
 * sandbox lets us read (pread64).  VmHWM in status is this program's peak
 * RSS -- getrusage's ru_maxrss is not: it keeps across exec the RSS of
 * the parent that forked us.  smaps gives the RSS of the guest-memory
 * mappings -- mincore() would also count the shared zero pages KVM maps
 * for guest reads of untouched memory, which take no RSS. */
#define STATS_STATUS_FD 1000
#define STATS_SMAPS_FD  1001
_Static_assert(STATS_STATUS_FD % 2 == 0 && STATS_SMAPS_FD == STATS_STATUS_FD + 1,
	       "the sandbox allows the pair as (fd & ~1) == STATS_STATUS_FD");

/* CLOCK_MONOTONIC in ns, and the value it had when the process started
 * (taken by a constructor, before main). */
uint64_t stats_now_ns(void);
uint64_t stats_process_start_ns(void);

/* Setup stages: the time since process start is noted under `name` (a
 * string literal), always -- it costs one clock read -- and printed with
 * --stats, so the boot timer's figure can be taken apart.  Main thread,
 * before the vCPUs run; at most STATS_MAX_STAGES. */
#define STATS_MAX_STAGES 16
void stats_stage(const char *name);

/* Set up --stats for `vm` (sink may be NULL); queries KVM, so call it
 * before the sandbox.  NULL if out of memory. */
struct vmm_stats *stats_create(struct vm *vm, const struct vmbus_sink *sink);
void stats_destroy(struct vmm_stats *st);

/* From the exit loop, under vm->lock. */
void stats_boot_timer(struct vm *vm);
void stats_mark(struct vm *vm, uint32_t mark);

/* After the run: the report described above (vm->stats must be set). */
void stats_report(struct vm *vm);

#endif
