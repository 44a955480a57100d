/* SPDX-License-Identifier: MIT */
/*
 * Entry of the bench guest (boot protocol in vmm/abi/platform_abi.h).
 * The very first instruction writes the boot-timer port, so the VMM can
 * time its own setup up to the first guest instruction (--stats).  Only
 * the boot processor runs the bench; any other vCPU parks.
 */
#include "guest/bench/bench_abi.h"

#define BENCH_STACK_SIZE 0x8000

	.code64
	.section .text.entry, "ax"
	.globl _start
_start:
	outb %al, $BENCH_PORT_BOOT_TIMER
	cli
	cld
	testq %rsi, %rsi
	jnz park
	leaq bench_stack_top(%rip), %rsp
	xorl %ebp, %ebp
	call bench_main
park:
	cli
	hlt
	jmp park

	.bss
	.p2align 12
bench_stack:
	.skip BENCH_STACK_SIZE
bench_stack_top:

	.section .note.GNU-stack, "", @progbits
