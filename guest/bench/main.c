// SPDX-License-Identifier: MIT
/*
 * The bench guest (`make bench`): a separate kernel, run by
 * tests/bench/run.py as `kvmbus run --stats --bench-sink --kernel ...`.
 *
 * Flow: boot timer (start.S) -> the test kernel's platform setup
 * (device tree, pages, IDT, LAPIC, hypercall page, SynIC) -> VMBus 5.3,
 * the echo and sink channels -> user mode (GDT/TSS/gates, U pages) ->
 * TSC rate -> exit costs -> ring throughput at 64 B, 1 KiB, 4 KiB ->
 * PASS.  Results are "bench: ..." lines on the console; the VMM adds its
 * counters at each mark on stderr.  Anything that fails aborts the run
 * (FAIL): a bench with a missing part is no bench.
 *
 * Boot arguments (--cmdline): iters=N exit-cost rounds per kind;
 * packets=N packets of 64 bytes (1 KiB runs get N/4, 4 KiB runs N/8).
 */
#include "guest/bench/chan.h"
#include "guest/bench/cost.h"
#include "guest/bench/mark.h"
#include "guest/bench/tput.h"
#include "guest/bench/tsc.h"
#include "guest/bench/usermode.h"
#include "guest/lib/alloc.h"
#include "guest/lib/console.h"
#include "guest/lib/cpu.h"
#include "guest/lib/fdt.h"
#include "guest/lib/hv.h"
#include "guest/lib/idt.h"
#include "guest/lib/lapic.h"
#include "guest/lib/percpu.h"
#include "guest/lib/report.h"
#include "guest/lib/synic.h"
#include "vmbus/abi/sink_abi.h"
#include "vmm/abi/hv_abi.h"
#include "vmm/abi/platform_abi.h"

#define DEFAULT_ITERS    2000u
#define DEFAULT_PACKETS  200000u
/* Sink ring: 512 KiB of data, room for over a hundred 4 KiB packets, so
 * the host drains in long runs; the inbound ring is never used. */
#define SINK_OUT_PAGES   129u
#define SINK_IN_PAGES    2u
#define ECHO_PAGES       2u

__attribute__((noreturn)) void bench_main(const void *fdt);

extern char _end[];

static struct platform_info platform;
static struct vmbus_client client;
static struct bench_chan echo, sink;

/* "name=<decimal>" among the boot arguments, or `def`. */
static uint32_t bootarg_u32(const char *args, const char *name, uint32_t def)
{
	for (const char *p = args; p && *p; p++) {
		const char *n = name, *q = p;

		if (p != args && p[-1] != ' ')
			continue;
		while (*n && *q == *n) {
			n++;
			q++;
		}
		if (*n || *q != '=')
			continue;
		uint32_t v = 0;
		bool digits = false;

		for (q++; *q >= '0' && *q <= '9'; q++, digits = true)
			v = v * 10 + (uint32_t)(*q - '0');
		return digits ? v : def;
	}
	return def;
}

static void platform_setup(const void *fdt)
{
	const char *err = platform_read(fdt, &platform);

	if (err)
		report_abort("device tree: %s", err);
	page_alloc_init(virt_to_phys(_end), platform.ram.base + platform.ram.size);
	idt_init();
	idt_load();
	lapic_enable();
	hv_write_guest_os_id();
	if (!(hv_enable_hypercall_page() & HV_HYPERCALL_ENABLE))
		report_abort("hypercall page not enabled");
	if (!synic_enable_this_cpu())
		report_abort("SynIC: %s", this_cpu()->synic_error);
	irq_enable();
}

static void channels_setup(void)
{
	static const struct vmbus_guid echo_class = VMBUS_CLASS_ECHO;
	static const struct vmbus_guid sink_class = VMBUS_CLASS_SINK;
	const char *err = bench_vmbus_connect(&client);

	if (err)
		report_abort("VMBus: %s", err);
	err = bench_chan_open(&client, &echo_class, ECHO_PAGES, ECHO_PAGES, &echo);
	if (err)
		report_abort("echo channel: %s", err);
	err = bench_chan_open(&client, &sink_class, SINK_OUT_PAGES,
			      SINK_IN_PAGES, &sink);
	if (err)
		report_abort("sink channel: %s (is kvmbus run with --bench-sink?)",
			     err);
}

static void usermode_setup(void)
{
	struct user_range r[2];

	usermode_init(sink.connection_id);
	tput_user_area(&r[0].start, &r[0].end);
	r[1].start = virt_to_phys(sink.ring);
	r[1].end = r[1].start + (uint64_t)sink.out_pages * PAGE_SIZE;
	if (!user_map_install(r, 2))
		report_abort("user page tables: out of memory");
}

void bench_main(const void *fdt)
{
	struct tsc_rate tsc;
	struct cost_targets targets;

	percpu_init(0);
	stack_guard_init();
	platform_setup(fdt);

	uint32_t iters = bootarg_u32(platform.bootargs, "iters", DEFAULT_ITERS);
	uint32_t packets = bootarg_u32(platform.bootargs, "packets",
				       DEFAULT_PACKETS);

	channels_setup();
	usermode_setup();
	if (platform.nr_vmbus_mmio == 0)
		report_abort("no VMBus MMIO range in the device tree");
	/* Everything up to here is deterministic: the exits at this mark are
	 * the bench guest's setup, which must not grow unnoticed. */
	uint32_t setup_mark = bench_mark();

	tsc_rate_find(&tsc);
	kprintf("bench: tsc hz=%lu source=%s ref_ticks=%lu\n",
		(unsigned long)tsc.hz, tsc.source,
		(unsigned long)tsc.calibration_ref);

	/* The last page of the low MMIO gap: nothing claims it in this
	 * guest, so a read takes the VMM's MMIO exit path to the bus and
	 * comes back all-ones -- the path a config-window read takes,
	 * minus the device model's few lines. */
	targets.mmio_addr = (uintptr_t)(platform.vmbus_mmio[0].base +
					platform.vmbus_mmio[0].size - PAGE_SIZE);
	targets.echo_connection = echo.connection_id;
	targets.sink_connection = sink.connection_id;
	kprintf("bench: setup mark=%u mmio=0x%lx echo_conn=0x%x sink_conn=0x%x "
		"sink_ring=%u\n", setup_mark, (unsigned long)targets.mmio_addr,
		echo.connection_id, sink.connection_id, sink.out_size);
	cost_run_all(&targets, iters);

	usermode_set_signal_connection(echo.connection_id);
	tput_user_signals(iters);
	usermode_set_signal_connection(sink.connection_id);

	tput_run(&sink, 64, packets);
	tput_run(&sink, 1024, packets / 4);
	tput_run(&sink, 4096, packets / 8);

	kprintf("bench: done\n");
	guest_exit(KVMBUS_GUEST_PASS);
}
