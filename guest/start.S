/* SPDX-License-Identifier: MIT */
/*
 * Entry of every vCPU (boot protocol in vmm/abi/platform_abi.h): 64-bit
 * mode, CPL 0, paging on, interrupts off, RDI = device-tree GPA,
 * RSI = vCPU index, RSP = 0.  Give each vCPU its own stack, then call
 *   guest_main(fdt, 0)   on the boot processor,
 *   ap_main(fdt, index)  on the others.
 * Neither returns; if one did, or the index is beyond the stacks we
 * have, the vCPU parks with interrupts off.
 */
#define GUEST_STACK_SHIFT 14            /* 16 KiB per vCPU */
#define GUEST_MAX_CPUS    8             /* keep in step with lib/percpu.h */

	.code64
	.section .text.entry, "ax"
	.globl _start
_start:
	cli
	cld
	cmpq $GUEST_MAX_CPUS, %rsi
	jae park

	/* Stack top of vCPU n = cpu_stacks + (n + 1) * 16 KiB; 16-byte
	 * aligned so the C functions see a standard call frame. */
	movq %rsi, %rax
	incq %rax
	shlq $GUEST_STACK_SHIFT, %rax
	leaq cpu_stacks(%rip), %rsp
	addq %rax, %rsp
	xorl %ebp, %ebp                 /* end of frame-pointer chain */

	testq %rsi, %rsi
	jnz 1f
	call guest_main
	jmp park
1:
	call ap_main
park:
	cli
	hlt
	jmp park

	.bss
	.p2align 12
	.globl cpu_stacks
cpu_stacks:
	.skip GUEST_MAX_CPUS << GUEST_STACK_SHIFT

	.section .note.GNU-stack, "", @progbits
