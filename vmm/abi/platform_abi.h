/* SPDX-License-Identifier: MIT */
/*
 * The kvmbus platform as a guest sees it: I/O ports, the boot protocol,
 * the fixed low-memory layout, and the device-tree names the firmware
 * writes and the guest reads.  Shared by host and freestanding guest.
 *
 * Boot protocol (every vCPU):
 *   - 64-bit long mode, CPL 0, paging on, interrupts off (RFLAGS = 0x2),
 *     at the ELF entry point of the guest image.
 *   - Page tables identity-map [0, 4 GiB) and the high MMIO gap with 2 MiB
 *     pages; CS = KVMBUS_BOOT_CS, DS/ES/SS/FS/GS = KVMBUS_BOOT_DS from the
 *     GDT at KVMBUS_BOOT_GDT.
 *   - RDI = guest-physical address of the flattened device tree,
 *     RSI = this vCPU's index (0 = boot processor; equals its APIC ID and
 *     its Hyper-V VP index).  RSP = 0: the guest sets up its own stack.
 */
#ifndef KVMBUS_PLATFORM_ABI_H
#define KVMBUS_PLATFORM_ABI_H

#include <stdint.h>

/* ---- I/O ports ------------------------------------------------------ */
/* 8250 UART, transmit-only console. */
#define KVMBUS_PORT_COM1          0x3F8u
/* Result port: a 32-bit OUT ends the run with the guest's verdict. */
#define KVMBUS_PORT_EXIT          0xF4u
#define   KVMBUS_GUEST_PASS       0u   /* every check passed  -> exit 0 */
#define   KVMBUS_GUEST_FAIL       1u   /* some check failed   -> exit 2 */
/* A device did not come up because the host refused its MMIO (PCI D0
 * entry refused).  kvmbus exits 3 ("MMIO conflict reproduced") only if its
 * own registry recorded that overlap refusal; otherwise 2. */
#define   KVMBUS_GUEST_CONFLICT   2u
/* Hypercall trap: the stub kvmbus writes into the guest's hypercall page
 * is "out %al, $KVMBUS_PORT_HYPERCALL; ret".  RCX/RDX/R8 are the Hyper-V
 * hypercall registers; the VMM puts the result word in RAX. */
#define KVMBUS_PORT_HYPERCALL     0xF0u

/* Scenario-step port: a test guest asks the host to act as an operator
 * would, at a deterministic point of its run.  32-bit OUT:
 * bits 31:24 request, bits 23:0 argument.  Logged and traced. */
#define KVMBUS_PORT_HOST_REQUEST  0xF6u
/* Hot-remove a PCI function: argument = bus << 8 | win_slot. The host
 * sends PCI_EJECT on that bus's channel. */
#define   KVMBUS_REQ_PCI_EJECT    0x01u
#define   KVMBUS_HOST_REQUEST(req, arg) (((uint32_t)(req) << 24) | ((arg) & 0xFFFFFFu))

/* Boot timer (as Firecracker's): a guest whose first instruction writes
 * this port (any width, any value) lets the VMM time its own setup, from
 * process start to the first guest instruction.  Only the first write
 * counts; `kvmbus run --stats` prints it. */
#define KVMBUS_PORT_BOOT_TIMER    0xF5u
/* Benchmark marks (tests/bench, guest/bench): a 32-bit OUT of a mark
 * number makes the VMM print its exit counts and bench figures at that
 * point on stderr, so the bench can take differences between two marks.
 * Served only with --stats; otherwise an unused port. */
#define KVMBUS_PORT_BENCH_MARK    0xF7u

/* ---- Low memory laid out by the VMM -------------------------------- */
#define KVMBUS_BOOT_GDT           0x1000ull   /* 3 descriptors */
#define KVMBUS_BOOT_CS            0x08u
#define KVMBUS_BOOT_DS            0x10u
#define KVMBUS_BOOT_PAGETABLES    0x10000ull  /* PML4, PDPTs, PDs */
#define KVMBUS_BOOT_PAGETABLES_END 0x90000ull
#define KVMBUS_BOOT_FDT           0x90000ull  /* device tree blob */
#define KVMBUS_BOOT_FDT_MAX       0x10000ull
#define KVMBUS_GUEST_LOAD_MIN     0x100000ull /* guest ELF must load >= 1 MiB */

/* ---- Device tree (firmware/ writes, guest/ reads with libfdt) ------- */
/* Root: #address-cells = 2, #size-cells = 2.
 * /memory@BASE:      device_type = "memory", reg = <base size> per RAM bank.
 * /vmbus@BASE:       compatible = "microsoft,vmbus", #address-cells = 2,
 *                    #size-cells = 1 (the binding), ranges = identity
 *                    entries <child(2) parent(2) size(1)>: the low MMIO gap
 *                    first, then the high gap (each gap < 4 GiB).
 * /chosen:           bootargs, and the kvmbus,* properties below.      */
#define KVMBUS_FDT_VMBUS_COMPAT   "microsoft,vmbus"
#define KVMBUS_FDT_CHOSEN         "/chosen"
#define KVMBUS_FDT_BOOTARGS       "bootargs"
/* u64: framebuffer base the platform reports (screen_info.lfb_base);
 * 0 = none, as in a crash kernel booted by kexec. */
#define KVMBUS_FDT_FB_BASE        "kvmbus,fb-base"
/* u64: framebuffer size the platform reports. */
#define KVMBUS_FDT_FB_SIZE        "kvmbus,fb-size"
/* u32: number of vCPUs. */
#define KVMBUS_FDT_NR_CPUS        "kvmbus,cpus"
/* Scenario knobs (vmm/scenario.h), all in /chosen.  The guest acts on
 * them; none of them states an expected result.
 * string: "normal" = one kernel; "kdump" = a first kernel, then a crash
 * kernel that sees framebuffer base 0 (as after kexec). */
#define KVMBUS_FDT_BOOT           "kvmbus,boot"
#define   KVMBUS_FDT_BOOT_NORMAL  "normal"
#define   KVMBUS_FDT_BOOT_KDUMP   "kdump"
/* string: the crash kernel's framebuffer reservation (facts §8.6); the
 * first kernel always uses "lfb".  "none": reserve nothing; "lfb":
 * [lfb_base, +max(lfb_size, 8 MiB)) when lfb_base != 0 (pre-2026);
 * "fallback": the 2026 rule, from the low MMIO base when lfb_base is 0,
 * min((4 GiB - start) / 2, 128 MiB) long. */
#define KVMBUS_FDT_CRASH_FB_RESERVE        "kvmbus,crash-fb-reserve"
#define   KVMBUS_FDT_FB_RESERVE_NONE       "none"
#define   KVMBUS_FDT_FB_RESERVE_LFB        "lfb"
#define   KVMBUS_FDT_FB_RESERVE_FALLBACK   "fallback"
/* string: where the crash kernel's PCI front-end allocates its 8 KiB
 * config window (facts §9.4); the first kernel always uses "legacy".
 * "legacy": min 0 (first fit in the low gap); "high": min 4 GiB. */
#define KVMBUS_FDT_CRASH_CONFIG_WINDOW     "kvmbus,crash-config-window"
#define   KVMBUS_FDT_CONFIG_WINDOW_LEGACY  "legacy"
#define   KVMBUS_FDT_CONFIG_WINDOW_HIGH    "high"
/* string: which driver the crash kernel probes first. */
#define KVMBUS_FDT_CRASH_LOAD_ORDER        "kvmbus,crash-load-order"
#define   KVMBUS_FDT_LOAD_ORDER_PCI_FIRST  "pci-first"
#define   KVMBUS_FDT_LOAD_ORDER_VIDEO_FIRST "video-first"
/* u32: number of PCI pass-through buses the host offers (0..2). */
#define KVMBUS_FDT_VPCI_BUSES     "kvmbus,vpci-buses"
/* Boot information one guest kernel writes for the kernel it kexecs
 * (guest/kdump.c, like kexec_load's copy of the device tree); the VMM
 * never writes these.
 * empty: this kernel is a crash kernel, started by kexec after a panic. */
#define KVMBUS_FDT_CRASH_KERNEL   "kvmbus,crash-kernel"
/* <base size> in the root's cells: the only RAM the crash kernel may use
 * (the crashkernel= reservation; the property arm64 kdump uses). */
#define KVMBUS_FDT_USABLE_MEMORY  "linux,usable-memory-range"
/* u32 <checks failures>: the TAP counters so far, so the two kernels
 * print one TAP stream. */
#define KVMBUS_FDT_TAP_STATE      "kvmbus,tap-state"

#endif
