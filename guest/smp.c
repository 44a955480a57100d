// SPDX-License-Identifier: MIT
/*
 * AP side of bring-up, and the BSP's release/wait.
 *
 * The VMM stops every vCPU when the BSP writes the result port, so APs
 * never need to be told to stop.
 */
#include "guest/smp.h"

#include "guest/entry.h"
#include "guest/lib/atomic.h"
#include "guest/lib/cpu.h"
#include "guest/lib/fdt.h"
#include "guest/lib/idt.h"
#include "guest/lib/lapic.h"
#include "guest/lib/percpu.h"
#include "guest/lib/synic.h"
#include "vmm/abi/hv_abi.h"

/* ~1 us per instruction, a few instructions per round: the AP waits up
 * to ~30 s for the BSP (which is done in well under a second), the BSP
 * up to ~5 s for each AP. */
#define AP_RELEASE_SPINS 5000000u
#define AP_READY_SPINS   1000000u

static volatile uint32_t aps_released;

void ap_main(const void *fdt, uint64_t cpu_index)
{
	(void)fdt;
	percpu_init((unsigned)cpu_index);
	stack_guard_init();

	uint32_t spins = 0;

	while (!load_acquire32(&aps_released)) {
		if (++spins > AP_RELEASE_SPINS) {
			/* The BSP never got this far; it reports. */
			for (;;)
				cpu_halt();
		}
		cpu_relax();
	}

	struct percpu *c = this_cpu();

	idt_load();
	lapic_enable();
	/* Every VMBus "target VP" field is a VP index; the platform promises
	 * it equals the vCPU index (platform_abi.h).  The BSP checks. */
	c->vp_index = rdmsr(HV_MSR_VP_INDEX);
	synic_enable_this_cpu();
	store_release32(&c->ready, 1);

	/* Channel interrupts wake us; the handler counts them. */
	for (;;)
		irq_enable_and_halt();
}

unsigned smp_release_aps(unsigned nr_cpus)
{
	unsigned ready = 0;

	store_release32(&aps_released, 1);
	for (unsigned i = 1; i < nr_cpus; i++) {
		for (uint32_t spins = 0; spins < AP_READY_SPINS; spins++) {
			if (load_acquire32(&cpus[i].ready)) {
				ready++;
				break;
			}
			cpu_relax();
		}
	}
	return ready;
}
