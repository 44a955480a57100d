/* SPDX-License-Identifier: MIT */
/*
 * Numbers the bench guest's assembly needs, in a header without C so
 * start.S and gate.S can include it; main.c checks the ports against
 * vmm/abi/platform_abi.h at compile time.
 */
#ifndef GUEST_BENCH_ABI_H
#define GUEST_BENCH_ABI_H

#define BENCH_PORT_BOOT_TIMER  0xF5   /* KVMBUS_PORT_BOOT_TIMER */
#define BENCH_PORT_MARK        0xF7   /* KVMBUS_PORT_BENCH_MARK */

/* Selectors of the bench GDT (usermode.c).  The kernel ones keep the
 * boot values, so the IDT gates and the running CS stay valid. */
#define BENCH_SEL_KCODE        0x08
#define BENCH_SEL_KDATA        0x10
#define BENCH_SEL_UDATA        0x1B   /* GDT entry 3, RPL 3 */
#define BENCH_SEL_UCODE        0x23   /* GDT entry 4, RPL 3 */
#define BENCH_SEL_TSS          0x28   /* entries 5-6 */

/* Gates user code may call (DPL 3). */
#define BENCH_VEC_SIGNAL       0x80   /* HvSignalEvent on the bench channel */
#define BENCH_VEC_LEAVE        0x81   /* back to the kernel that entered */

/* RFLAGS for user mode: IF set, IOPL 0 (no port I/O at CPL 3). */
#define BENCH_USER_RFLAGS      0x202

#endif
