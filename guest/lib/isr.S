/* SPDX-License-Identifier: MIT */
/*
 * One 16-byte entry stub per vector, then a common path that saves the
 * general registers and calls isr_dispatch(struct isr_frame *).
 *
 * Stubs are at isr_stubs + 16 * vector, so idt.c needs no address table.
 * Vectors for which the CPU pushes an error code (8, 10-14, 17, 21, 29,
 * 30) skip the dummy push, so the frame layout is always the same.
 */
	.code64
	.text

	.p2align 4
	.globl isr_stubs
isr_stubs:
	.set vec, 0
	.rept 256
	.p2align 4
	.if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq $0
	.endif
	pushq $vec
	jmp isr_common
	.set vec, vec + 1
	.endr

/*
 * At entry the CPU has aligned RSP to 16 and pushed SS, RSP, RFLAGS, CS,
 * RIP (40 bytes); with the error code and vector that is 56 bytes, and
 * the 15 registers below bring the total to 176 -- so RSP is 16-byte
 * aligned at the call, as the SysV ABI requires.
 */
isr_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld                     /* the C ABI assumes DF = 0 */
	movq %rsp, %rdi
	call isr_dispatch
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp          /* vector and error code */
	iretq

	.section .note.GNU-stack, "", @progbits
