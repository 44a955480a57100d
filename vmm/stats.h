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

/* With --stats, /proc/self/status is opened before the sandbox at this
 * fixed descriptor, the only one the sandbox lets us read (pread64):
 * VmHWM there is this program's peak RSS.  getrusage's ru_maxrss is not,
 * as it carries over across exec the RSS of the parent that forked us. */
#define STATS_STATUS_FD 1000

/* CLOCK_MONOTONIC in ns, and the value it had when the process started
 * (taken by a constructor, before main). */
uint64_t stats_now_ns(void);
uint64_t stats_process_start_ns(void);

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
