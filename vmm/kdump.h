/* SPDX-License-Identifier: MIT */
/*
 * `kvmbus run --linux BZIMAGE --boot kdump`: two kernels in one VM, the
 * way kexec runs a crash kernel (docs/kdump-mmio-conflict.md, "With a
 * real kernel").
 *
 * The first kernel boots with the platform's framebuffer (the EFI
 * hand-off of vmm/linux_efi.h).  When its console prints --crash-on, the
 * vCPU threads stop and vm_run() calls kdump_crash_reboot() with no
 * vCPU running:
 *
 *  - the VMBus host drops the connection as after a reset without
 *    UNLOAD (vmbus_host_reset(): channels closed, VPCI releases its
 *    config window and BARs, synthvid keeps its VRAM claim);
 *  - the Hyper-V partition state goes back to what a new kernel finds
 *    (hv_reset(): GUEST_OS_ID, hypercall page, SynIC);
 *  - the same kernel, kept in memory since load_linux(), is loaded
 *    again with a BIOS-style boot: framebuffer base 0 and no EFI info,
 *    as kexec_file_load() leaves them for a first kernel without EFI
 *    runtime services, and the command line plus nr_cpus=1;
 *  - every vCPU goes back to power-on LAPIC state, the BSP to the new
 *    entry, the APs to wait-for-SIPI (vcpu_reset_for_kexec()).
 *
 * The sandbox stays in place: none of this opens a file.
 */
#ifndef KVMBUS_KDUMP_H
#define KVMBUS_KDUMP_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/vm.h"

/* At vm_create(), before the vCPUs: when `o` asks for --boot kdump with
 * --linux, read the kernel (and initrd) into vm->kdump.files, load the
 * first kernel from them and prepare the crash kernel's command line.
 * Returns 1 if it did (kdump enabled), 0 if not asked, -1 after a
 * message. */
int kdump_load_first(struct vm *vm, const struct kvmbus_options *o);

/* In vm_run(), once every vCPU thread was joined after the
 * VM_VERDICT_KDUMP stop.  0, or -1 after a message. */
int kdump_crash_reboot(struct vm *vm);

/* Release the kept files (vm_destroy). */
void kdump_destroy(struct vm *vm);

#endif
