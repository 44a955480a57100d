// SPDX-License-Identifier: MIT
#include "guest/bench/mark.h"

#include "guest/bench/bench_abi.h"
#include "guest/lib/cpu.h"
#include "vmm/abi/platform_abi.h"

_Static_assert(BENCH_PORT_MARK == KVMBUS_PORT_BENCH_MARK, "mark port");
_Static_assert(BENCH_PORT_BOOT_TIMER == KVMBUS_PORT_BOOT_TIMER,
	       "boot timer port");

static uint32_t last_mark;

uint32_t bench_mark(void)
{
	outl(KVMBUS_PORT_BENCH_MARK, ++last_mark);
	return last_mark;
}
