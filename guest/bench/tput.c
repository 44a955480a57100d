// SPDX-License-Identifier: MIT
#include "guest/bench/tput.h"

#include "guest/bench/mark.h"
#include "guest/bench/producer.h"
#include "guest/bench/usermode.h"
#include "guest/lib/console.h"

#define USER_STACK_SIZE 0x4000u
#define MAX_ROUNDS      20u

/* In the user pages (bench.ld): the producer reads its arguments and
 * writes its results here, and runs on this stack. */
static struct producer_args args __attribute__((section(".data.user")));
static uint8_t user_stack[USER_STACK_SIZE]
	__attribute__((section(".bss.user"), aligned(16)));

void tput_user_area(uint64_t *start, uint64_t *end)
{
	extern char _user_start[], _user_end[];

	*start = (uint64_t)(uintptr_t)_user_start;
	*end = (uint64_t)(uintptr_t)_user_end;
}

/* As if called: the return-address slot below a 16-byte boundary. */
static void *user_rsp(void)
{
	return user_stack + USER_STACK_SIZE - 8;
}

void tput_run(const struct bench_chan *sink, uint32_t payload, uint32_t count)
{
	uint32_t m0, m1;

	args = (struct producer_args){
		.hdr = sink->out_hdr,
		.data = (uint64_t *)(void *)sink->out_data,
		.size = sink->out_size,
		.payload_len = payload,
		.count = count,
	};
	m0 = bench_mark();
	bench_enter_user((void (*)(void))producer_main, &args, user_rsp());
	m1 = bench_mark();
	kprintf("bench: tput size=%u packets=%u tsc_write=%lu tsc_total=%lu "
		"signals=%u signal_failures=%u full_polls=%lu mark0=%u "
		"mark1=%u\n", payload, count,
		(unsigned long)(args.tsc_written - args.tsc_start),
		(unsigned long)(args.tsc_drained - args.tsc_start), args.signals,
		args.signal_failures, (unsigned long)args.full_polls, m0, m1);
}

void tput_user_signals(uint32_t count)
{
	/* In rounds, as cost.c does, so one stall spoils one batch only;
	 * printed after the closing mark, so the console stays out of it. */
	static uint64_t round_tsc[MAX_ROUNDS];
	uint32_t rounds = count < 1000 ? 10 : 20, n = count / rounds;
	uint32_t m0, m1, failures = 0;

	if (n == 0)
		n = 1;
	m0 = bench_mark();
	for (uint32_t r = 0; r < rounds; r++) {
		args = (struct producer_args){ .count = n };
		bench_enter_user((void (*)(void))producer_signal_loop, &args,
				 user_rsp());
		failures += args.signal_failures;
		round_tsc[r] = args.tsc_written - args.tsc_start;
	}
	m1 = bench_mark();
	kprintf("bench: usersig batch=%u rounds=%u mark0=%u mark1=%u\n", n,
		rounds, m0, m1);
	kprintf("bench: cost kind=user_signal check=0x%x tsc=", failures);
	for (uint32_t r = 0; r < rounds; r++)
		kprintf("%s%lu", r ? "," : "", (unsigned long)round_tsc[r]);
	kprintf("\n");
}
