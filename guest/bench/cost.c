// SPDX-License-Identifier: MIT
/*
 * Exit-cost loops (see cost.h).  Each operation is inline asm in its own
 * loop, so the only overhead is the loop counter -- which the empty loop
 * measures.  That matters here: guest ring-0 code costs ~1 us per
 * instruction on this project's machines, as much as a tenth of an exit.
 *
 * The kinds are interleaved: `rounds` rounds, each running a short batch
 * of every kind in turn, so a stall of the host (a busy machine, nested
 * emulation) lands in one batch of one kind rather than in a whole
 * figure; tests/bench/run.py takes the median batch.  One pair of marks
 * brackets all rounds: the exit kinds (io, mmio, msr, hypercall) tell
 * the operations apart there, so run.py can still check that each
 * operation was exactly one exit.
 *
 * Before the rounds, a few untimed operations of each kind absorb
 * one-time costs (the VMM logs the first accesses to an unused port or
 * unclaimed MMIO).
 */
#include "guest/bench/cost.h"

#include "guest/bench/mark.h"
#include "guest/lib/console.h"
#include "guest/lib/cpu.h"
#include "guest/lib/hv.h"
#include "vmm/abi/hv_abi.h"

/* Port 0x80 (the old POST-code port): nothing in kvmbus or KVM's
 * in-kernel devices claims it, so an OUT there is the barest exit. */
#define UNUSED_PORT       0x80
#define WARMUP            32u
#define MAX_ROUNDS        64u

enum cost_kind {
	KIND_EMPTY,
	KIND_PIO,
	KIND_MMIO,
	KIND_MSR,
	KIND_HYPERCALL,
	KIND_HYPERCALL_SINK,
	NR_KINDS,
};

static const char *const kind_name[NR_KINDS] = {
	"empty", "pio", "mmio", "msr", "hypercall", "hypercall_sink",
};

static const void *page;          /* the hypercall page */
static uint64_t batch_tsc[NR_KINDS][MAX_ROUNDS];

static inline uint64_t signal_op(uint64_t input)
{
	uint64_t status, control = HV_CALL_SIGNAL_EVENT | HV_CONTROL_FAST;
	register uint64_t r8 asm("r8") = 0;

	asm volatile("call *%[page]"
		     : "=a"(status), "+c"(control), "+d"(input), "+r"(r8)
		     : [page] "m"(page)
		     : "r9", "r10", "r11", "cc", "memory");
	return status & 0xFFFF;
}

#define TIMED(n, OP)                                                      \
	({                                                                \
		uint64_t t0_ = bench_rdtsc();                             \
		for (uint32_t i = 0; i < (n); i++) {                      \
			OP;                                               \
		}                                                         \
		bench_rdtsc() - t0_;                                      \
	})

/* One batch of `kind`; *check collects what must stay 0 (statuses, the
 * inverted all-ones MMIO read, VP index 0). */
static uint64_t batch(enum cost_kind kind, uint32_t n,
		      const struct cost_targets *t, uint64_t *check)
{
	volatile uint32_t *mmio = (volatile uint32_t *)t->mmio_addr;
	uint64_t echo = t->echo_connection, sink = t->sink_connection;
	uint64_t c = 0, tsc;

	switch (kind) {
	case KIND_EMPTY:
		tsc = TIMED(n, asm volatile("" : : "r"(i) : "memory"));
		break;
	case KIND_PIO:
		tsc = TIMED(n, outb(UNUSED_PORT, 0));
		break;
	case KIND_MMIO:
		tsc = TIMED(n, c |= ~*mmio);
		break;
	case KIND_MSR:
		tsc = TIMED(n, c |= rdmsr(HV_MSR_VP_INDEX));
		break;
	case KIND_HYPERCALL:
		tsc = TIMED(n, c |= signal_op(echo));
		break;
	case KIND_HYPERCALL_SINK:
	default:
		tsc = TIMED(n, c |= signal_op(sink));
		break;
	}
	*check |= c;
	return tsc;
}

void cost_run_all(const struct cost_targets *t, uint32_t iterations)
{
	uint32_t rounds = iterations < 1000 ? 10 : 20;
	uint32_t n = iterations / rounds;
	uint64_t check[NR_KINDS] = { 0 }, unused = 0;
	uint32_t m0, m1;

	if (n == 0)
		n = 1;
	page = hv_hypercall_page();
	for (unsigned k = 0; k < NR_KINDS; k++)
		batch(k, WARMUP, t, &unused);
	m0 = bench_mark();
	for (uint32_t r = 0; r < rounds; r++)
		for (unsigned k = 0; k < NR_KINDS; k++)
			batch_tsc[k][r] = batch(k, n, t, &check[k]);
	m1 = bench_mark();

	kprintf("bench: costs batch=%u rounds=%u mark0=%u mark1=%u\n", n,
		rounds, m0, m1);
	for (unsigned k = 0; k < NR_KINDS; k++) {
		kprintf("bench: cost kind=%s check=0x%lx tsc=", kind_name[k],
			(unsigned long)check[k]);
		for (uint32_t r = 0; r < rounds; r++)
			kprintf("%s%lu", r ? "," : "",
				(unsigned long)batch_tsc[k][r]);
		kprintf("\n");
	}
}
