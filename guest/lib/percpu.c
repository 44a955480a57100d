// SPDX-License-Identifier: MIT
#include "guest/lib/percpu.h"

#include "guest/lib/cpu.h"

struct percpu cpus[GUEST_MAX_CPUS];

void percpu_init(unsigned index)
{
	struct percpu *c = &cpus[index];

	c->self = c;
	c->index = index;
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)c);
}
