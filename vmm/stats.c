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

/* /proc/self/status at STATS_STATUS_FD (see stats.h), unless that
 * number is somehow taken already. */
static bool open_status(void)
{
	int fd;

	if (fcntl(STATS_STATUS_FD, F_GETFD) >= 0)
		return false;
	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool ok = dup3(fd, STATS_STATUS_FD, O_CLOEXEC) == STATS_STATUS_FD;

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
	st->have_status = open_status();
	return st;
}

void stats_destroy(struct vmm_stats *st)
{
	if (st && st->have_status)
		close(STATS_STATUS_FD);
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

/* KiB of [p, p + size) resident in memory, or -1 if mincore fails. */
static long long resident_kib(void *p, uint64_t size)
{
	static unsigned char vec[MINCORE_CHUNK];
	uint64_t pages = size / PAGE_BYTES, done = 0, resident = 0;

	while (done < pages) {
		uint64_t n = pages - done < MINCORE_CHUNK ? pages - done
							   : MINCORE_CHUNK;

		if (mincore((uint8_t *)p + done * PAGE_BYTES, n * PAGE_BYTES,
			    vec) < 0)
			return -1;
		for (uint64_t i = 0; i < n; i++)
			resident += vec[i] & 1;
		done += n;
	}
	return (long long)(resident * (PAGE_BYTES / 1024));
}

/* VmHWM in KiB from /proc/self/status, or -1. */
static long peak_rss_from_status(void)
{
	static char buf[4096];
	ssize_t n = pread(STATS_STATUS_FD, buf, sizeof(buf) - 1, 0);
	const char *p;

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "\nVmHWM:");
	return p ? strtol(p + 7, NULL, 10) : -1;
}

static void report_memory(FILE *f, const struct vm *vm)
{
	long long ram_kib = 0, ram_res = 0, dev_res = 0;
	const char *source = "VmHWM";
	long peak = vm->stats->have_status ? peak_rss_from_status() : -1;

	for (unsigned i = 0; i < vm->mem.nr_banks; i++) {
		long long r = resident_kib(vm->mem.bank[i].host,
					   vm->mem.bank[i].size);

		ram_kib += (long long)(vm->mem.bank[i].size / 1024);
		ram_res += r > 0 ? r : 0;
	}
	/* Device memory the guest sees (VRAM) is the guest's too. */
	for (unsigned i = 0; i < VM_MAX_EXTRA_SLOTS; i++) {
		if (!vm->extra[i].used)
			continue;
		long long r = resident_kib(vm->extra[i].host, vm->extra[i].size);

		dev_res += r > 0 ? r : 0;
	}
	if (peak < 0) {
		/* ru_maxrss (KiB) may include the parent's RSS at fork time,
		 * kept across exec: an upper bound only. */
		struct rusage ru;

		if (getrusage(RUSAGE_SELF, &ru) < 0)
			return;
		peak = ru.ru_maxrss;
		source = "ru_maxrss";
	}
	/* Guest pages only ever become resident, never leave, so those
	 * resident now were at the peak too: what remains is the VMM's own
	 * memory. */
	fprintf(f, "kvmbus-stats: memory peak_rss_kib=%ld peak_source=%s "
		"guest_ram_kib=%lld guest_resident_kib=%lld "
		"device_resident_kib=%lld vmm_overhead_kib=%lld\n", peak, source,
		ram_kib, ram_res, dev_res, (long long)peak - ram_res - dev_res);
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
