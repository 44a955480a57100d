/* SPDX-License-Identifier: MIT */
/*
 * CPL 3 for the bench guest: the descriptors user mode needs (usermode.c),
 * the page tables that let it touch its own pages and nothing else
 * (user_map.c), and the gates between the two levels (gate.S).
 */
#ifndef GUEST_BENCH_USERMODE_H
#define GUEST_BENCH_USERMODE_H

#include <stdbool.h>
#include <stdint.h>

/* GDT with user code/data and a TSS whose RSP0 is a kernel stack for
 * interrupts taken at CPL 3; IDT copied from the one loaded (lib/idt.c)
 * plus the two user gates.  Data segment registers are nulled (so IRETQ
 * to CPL 3 has none to null -- on Intel that would also clear the GS
 * base), and the FS/GS bases are restored.  The hypercall page and
 * HvSignalEvent input the signal gate uses are set here too. */
void usermode_init(uint32_t signal_connection_id);
/* Point the signal gate at another connection. */
void usermode_set_signal_connection(uint32_t connection_id);

/* Run entry(arg) at CPL 3 with RSP = user_rsp (as after a CALL: 8 below
 * a 16-byte boundary).  entry must never return; it leaves through
 * BENCH_VEC_LEAVE, and its %rdi then is what this returns (gate.S).
 * entry is taken as void (*)(void) so any one-argument function fits. */
uint64_t bench_enter_user(void (*entry)(void), void *arg, void *user_rsp);

/* ---- user_map.c --------------------------------------------------- */

/* A range user code may touch (rounded out to pages). */
struct user_range {
	uint64_t start, end;
};

/* Build page tables equal to the current ones except that the given
 * ranges are mapped with 4 KiB pages carrying the U bit (every other page
 * stays supervisor-only), and switch to them.  False if out of memory
 * (nothing switched). */
bool user_map_install(const struct user_range *ranges, unsigned count);

#endif
