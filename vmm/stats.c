// SPDX-License-Identifier: MIT
/*
 * --stats (see vmm/stats.h).  Nothing here runs per packet or per exit:
 * the exit loop counts exits itself (vcpu.c), and this file only reads
 * the counters when a mark or the end of the run asks for them.
 */
#include "vmm/stats.h"

#include <fcntl.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "vmbus/sink.h"
#include "vmbus/vmbus.h"
#include "vmm/vm.h"

#define PAGE_BYTES     4096u
/* mincore() answers for this many pages per call, into a fixed buffer:
 * the report runs inside the sandbox and at the end of a run, where a
 * large allocation would itself show up in the peak RSS. */
#define MINCORE_CHUNK  4096u

struct vmm_stats {
	const struct vmbus_sink *sink;
	long tsc_khz;                 /* KVM_GET_TSC_KHZ of vCPU 0; <= 0 unknown */
	bool have_status;             /* STATS_STATUS_FD is /proc/self/status */
	bool have_smaps;              /* STATS_SMAPS_FD is /proc/self/smaps */
};

static uint64_t process_start;

/* As early as a C program can look: before main, after the dynamic
 * loader.  The boot timer counts from here. */
__attribute__((constructor)) static void note_process_start(void)
{
	process_start = stats_now_ns();
}

uint64_t stats_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

uint64_t stats_process_start_ns(void)
{
	return process_start;
}

static struct {
	const char *name;
	uint64_t ns;
} stages[STATS_MAX_STAGES];
static unsigned nr_stages;

void stats_stage(const char *name)
{
	if (nr_stages < STATS_MAX_STAGES)
		stages[nr_stages++] = (typeof(stages[0])){ name, stats_now_ns() };
}

/* /proc/self/<name> at descriptor `at` (see stats.h), unless that
 * number is somehow taken already. */
static bool open_proc_at(const char *path, int at)
{
	int fd;

	if (fcntl(at, F_GETFD) >= 0)
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool ok = dup3(fd, at, O_CLOEXEC) == at;

	close(fd);
	return ok;
}

struct vmm_stats *stats_create(struct vm *vm, const struct vmbus_sink *sink)
{
	struct vmm_stats *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->sink = sink;
	/* The guest's TSC rate as KVM sets it: lets the bench check the
	 * frequency the guest found for itself. */
	st->tsc_khz = vm->vcpu[0].fd >= 0 ?
		      ioctl(vm->vcpu[0].fd, KVM_GET_TSC_KHZ, 0) : -1;
	st->have_status = open_proc_at("/proc/self/status", STATS_STATUS_FD);
	st->have_smaps = open_proc_at("/proc/self/smaps", STATS_SMAPS_FD);
	return st;
}

void stats_destroy(struct vmm_stats *st)
{
	if (st && st->have_status)
		close(STATS_STATUS_FD);
	if (st && st->have_smaps)
		close(STATS_SMAPS_FD);
	free(st);
}

void stats_boot_timer(struct vm *vm)
{
	if (!vm->boot_timer_ns)
		vm->boot_timer_ns = stats_now_ns();
}

static void print_sink(FILE *f, const struct vmm_stats *st)
{
	struct vmbus_sink_stats s;

	if (!st->sink)
		return;
	vmbus_sink_get_stats(st->sink, &s);
	fprintf(f, " sink_packets=%llu sink_bytes=%llu sink_drain_ns=%llu "
		"sink_wakeups=%llu sink_passes=%llu sink_late=%llu",
		(unsigned long long)s.packets, (unsigned long long)s.bytes,
		(unsigned long long)s.drain_ns, (unsigned long long)s.wakeups,
		(unsigned long long)s.passes,
		(unsigned long long)s.late_packets);
}

static void print_exits(FILE *f, const struct vm *vm)
{
	struct vm_exit_counts c;

	vm_exit_counts(vm, &c);
	fprintf(f, " io=%llu mmio=%llu msr=%llu hypercall=%llu other=%llu "
		"console_bytes=%llu",
		(unsigned long long)c.io, (unsigned long long)c.mmio,
		(unsigned long long)c.msr, (unsigned long long)c.hypercall,
		(unsigned long long)c.other,
		(unsigned long long)vm->com1.bytes_out);
}

void stats_mark(struct vm *vm, uint32_t mark)
{
	const struct vmbus_stats *b = vmbus_host_stats(vm->bus);

	fprintf(stderr, "kvmbus-stats: mark id=%u t_ns=%llu", mark,
		(unsigned long long)stats_now_ns());
	print_exits(stderr, vm);
	fprintf(stderr, " signals_in=%llu pkts_in=%llu",
		(unsigned long long)b->signals_in,
		(unsigned long long)b->pkts_in);
	print_sink(stderr, vm->stats);
	fputc('\n', stderr);
}

/* ---- memory -------------------------------------------------------------- */

/* Guest-visible memory: RAM banks and the extra slots (VRAM). */
static bool in_guest_memory(const struct vm *vm, uint64_t start, uint64_t end)
{
	for (unsigned i = 0; i < vm->mem.nr_banks; i++) {
		uint64_t b = (uint64_t)(uintptr_t)vm->mem.bank[i].host;

		if (start < b + vm->mem.bank[i].size && b < end)
			return true;
	}
	for (unsigned i = 0; i < VM_MAX_EXTRA_SLOTS; i++) {
		uint64_t b = (uint64_t)(uintptr_t)vm->extra[i].host;

		if (vm->extra[i].used && start < b + vm->extra[i].size && b < end)
			return true;
	}
	return false;
}

/* Read all of a /proc file at `fd` into buf (NUL-terminated).  Length,
 * or -1 if it fails or does not fit. */
static long read_proc(int fd, char *buf, size_t size)
{
	size_t len = 0;

	for (;;) {
		ssize_t n = pread(fd, buf + len, size - 1 - len, (off_t)len);

		if (n < 0)
			return -1;
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == size - 1)
			return -1;
	}
	buf[len] = '\0';
	return (long)len;
}

/* Static: the report runs at the end of the run, where a large
 * allocation would itself raise the peak RSS it is about to report. */
static char proc_buf[256 * 1024];

/* VmHWM in KiB, or -1. */
static long peak_rss_from_status(void)
{
	const char *p;

	if (read_proc(STATS_STATUS_FD, proc_buf, sizeof(proc_buf)) < 0)
		return -1;
	p = strstr(proc_buf, "\nVmHWM:");
	return p ? strtol(p + 7, NULL, 10) : -1;
}

/* The Rss of every mapping that holds guest memory, in KiB, or -1.  The
 * guest RAM and VRAM mappings may have merged into one; both count. */
static long long guest_rss_from_smaps(const struct vm *vm)
{
	long long kib = 0;
	bool guest = false;

	if (read_proc(STATS_SMAPS_FD, proc_buf, sizeof(proc_buf)) < 0)
		return -1;
	for (char *line = proc_buf; line && *line;) {
		char *next = strchr(line, '\n');
		unsigned long long start, end;

		if (next)
			*next++ = '\0';
		if (sscanf(line, "%llx-%llx ", &start, &end) == 2)
			guest = in_guest_memory(vm, start, end);
		else if (guest && strncmp(line, "Rss:", 4) == 0)
			kib += strtoll(line + 4, NULL, 10);
		line = next;
	}
	return kib;
}

/* Fallback: pages of [p, p + size) present (zero pages included). */
static long long present_kib(void *p, uint64_t size)
{
	static unsigned char vec[MINCORE_CHUNK];
	uint64_t pages = size / PAGE_BYTES, done = 0, present = 0;

	while (done < pages) {
		uint64_t n = pages - done < MINCORE_CHUNK ? pages - done
							   : MINCORE_CHUNK;

		if (mincore((uint8_t *)p + done * PAGE_BYTES, n * PAGE_BYTES,
			    vec) < 0)
			return 0;
		for (uint64_t i = 0; i < n; i++)
			present += vec[i] & 1;
		done += n;
	}
	return (long long)(present * (PAGE_BYTES / 1024));
}

static long long guest_present_kib(const struct vm *vm)
{
	long long kib = 0;

	for (unsigned i = 0; i < vm->mem.nr_banks; i++)
		kib += present_kib(vm->mem.bank[i].host, vm->mem.bank[i].size);
	for (unsigned i = 0; i < VM_MAX_EXTRA_SLOTS; i++)
		if (vm->extra[i].used)
			kib += present_kib(vm->extra[i].host, vm->extra[i].size);
	return kib;
}

static void report_memory(FILE *f, const struct vm *vm)
{
	const struct vmm_stats *st = vm->stats;
	const char *peak_source = "VmHWM", *guest_source = "smaps";
	long peak = st->have_status ? peak_rss_from_status() : -1;
	long long guest = st->have_smaps ? guest_rss_from_smaps(vm) : -1;
	long long ram_kib = 0;

	for (unsigned i = 0; i < vm->mem.nr_banks; i++)
		ram_kib += (long long)(vm->mem.bank[i].size / 1024);
	if (peak < 0) {
		/* ru_maxrss may include the forking parent's RSS: an upper
		 * bound only. */
		struct rusage ru;

		if (getrusage(RUSAGE_SELF, &ru) < 0)
			return;
		peak = ru.ru_maxrss;
		peak_source = "ru_maxrss";
	}
	if (guest < 0) {
		guest = guest_present_kib(vm);
		guest_source = "mincore";
	}
	/* Guest memory only ever becomes resident here, never leaves, so
	 * what is resident now was there at the peak too: the rest of the
	 * peak is the VMM's own memory. */
	fprintf(f, "kvmbus-stats: memory peak_rss_kib=%ld peak_source=%s "
		"guest_ram_kib=%lld guest_resident_kib=%lld guest_source=%s "
		"vmm_overhead_kib=%lld\n", peak, peak_source, ram_kib, guest,
		guest_source, (long long)peak - guest);
}

void stats_report(struct vm *vm)
{
	const struct vmbus_stats *b = vmbus_host_stats(vm->bus);
	const struct hv_exit_counts *h = &vm->hv.counts;
	uint64_t start = stats_process_start_ns();

	fprintf(stderr, "kvmbus-stats: exits");
	print_exits(stderr, vm);
	fprintf(stderr, " hv_post_message=%llu hv_signal_event=%llu "
		"hv_rdmsr=%llu hv_wrmsr=%llu\n",
		(unsigned long long)h->post_message,
		(unsigned long long)h->signal_event,
		(unsigned long long)h->rdmsr, (unsigned long long)h->wrmsr);
	/* first_insn_ns = 0: the guest never wrote the boot-timer port. */
	fprintf(stderr, "kvmbus-stats: boot process_start_ns=%llu "
		"first_insn_ns=%llu setup_us=%lld\n",
		(unsigned long long)start,
		(unsigned long long)vm->boot_timer_ns,
		vm->boot_timer_ns ? (long long)(vm->boot_timer_ns - start) / 1000
				  : -1);
	/* Each stage: us since process start, then the first instruction. */
	fprintf(stderr, "kvmbus-stats: stages");
	for (unsigned i = 0; i < nr_stages; i++)
		fprintf(stderr, " %s=%llu", stages[i].name,
			(unsigned long long)(stages[i].ns - start) / 1000);
	if (vm->boot_timer_ns)
		fprintf(stderr, " first_insn=%llu",
			(unsigned long long)(vm->boot_timer_ns - start) / 1000);
	fputc('\n', stderr);
	fprintf(stderr, "kvmbus-stats: vmbus msgs_in=%llu msgs_out=%llu "
		"pkts_in=%llu pkts_out=%llu signals_in=%llu signals_out=%llu\n",
		(unsigned long long)b->msgs_in, (unsigned long long)b->msgs_out,
		(unsigned long long)b->pkts_in, (unsigned long long)b->pkts_out,
		(unsigned long long)b->signals_in,
		(unsigned long long)b->signals_out);
	if (vm->stats->sink) {
		fprintf(stderr, "kvmbus-stats: sink");
		print_sink(stderr, vm->stats);
		fputc('\n', stderr);
	}
	fprintf(stderr, "kvmbus-stats: tsc khz=%ld\n", vm->stats->tsc_khz);
	report_memory(stderr, vm);
	fflush(stderr);
}
