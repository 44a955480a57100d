/* SPDX-License-Identifier: MIT */
/*
 * The ways between CPL 0 and CPL 3 (usermode.h):
 *   bench_enter_user  runs a function at CPL 3 (IRETQ) and returns when
 *                     it leaves through BENCH_VEC_LEAVE;
 *   bench_gate_leave  the handler of that gate: back to the saved kernel
 *                     context, with the user's %rdi as the return value;
 *   bench_gate_signal HvSignalEvent for user code: a hypercall needs
 *                     CPL 0 (the hypercall page is a kernel page, and its
 *                     OUT would fault at IOPL 0), so user code asks with
 *                     an INT, as it would ask a kernel driver.
 * INT, not SYSCALL: this machine's nested KVM delivers SYSCALL with CPL
 * still 3 (KVM facts doc, "User mode inside guests").
 */
#include "guest/bench/bench_abi.h"

	.code64
	.text

/* uint64_t bench_enter_user(void (*entry)(void), void *arg, void *rsp) */
	.globl bench_enter_user
bench_enter_user:
	pushfq                          /* the caller's IF comes back on return */
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, bench_kernel_rsp(%rip)
	movq %rdi, %rax
	movq %rsi, %rdi                 /* entry(arg) */
	pushq $BENCH_SEL_UDATA          /* SS */
	pushq %rdx                      /* RSP */
	pushq $BENCH_USER_RFLAGS        /* RFLAGS */
	pushq $BENCH_SEL_UCODE          /* CS */
	pushq %rax                      /* RIP */
	iretq

/* int $BENCH_VEC_LEAVE: the interrupt frame on the TSS stack is dropped,
 * the kernel stack of bench_enter_user taken back. */
	.globl bench_gate_leave
bench_gate_leave:
	movq %rdi, %rax
	movq bench_kernel_rsp(%rip), %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	popfq
	ret

/* int $BENCH_VEC_SIGNAL: the stub may clobber RCX, RDX, R8-R11 (facts
 * §3.1); user code expects only RAX (the status) to change. */
	.globl bench_gate_signal
bench_gate_signal:
	pushq %rcx
	pushq %rdx
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	movq bench_signal_control(%rip), %rcx
	movq bench_signal_input(%rip), %rdx
	xorl %r8d, %r8d
	call *bench_hypercall_page(%rip)
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdx
	popq %rcx
	iretq

	.bss
	.p2align 3
bench_kernel_rsp:
	.skip 8

	.section .note.GNU-stack, "", @progbits
