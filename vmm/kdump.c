// SPDX-License-Identifier: MIT
/*
 * --boot kdump with --linux: the first kernel from memory, and the crash
 * reboot into the same kernel (see vmm/kdump.h).
 */
#include "vmm/kdump.h"

#include <stdatomic.h>

#include "firmware/acpi.h"
#include "vmbus/vmbus.h"
#include "vmm/log.h"
#include "vmm/trace.h"

/* ACPI tables and the kernel with its boot information, from the kept
 * files.  Both are written again for the crash kernel: the first kernel
 * owned all of RAM, ACPI tables included, until it crashed. */
static int load_kernel(struct vm *vm, const char *cmdline, uint64_t fb_base,
		       char *err, size_t errlen)
{
	uint64_t rsdp;

	if (acpi_install(&vm->mem, &vm->map, vm->nr_cpus, &rsdp, err,
			 errlen) < 0)
		return -1;

	const struct linux_boot_args a = {
		.kernel = vm->kdump.files.kernel,
		.kernel_len = vm->kdump.files.kernel_len,
		.initrd = vm->kdump.files.initrd,
		.initrd_len = vm->kdump.files.initrd_len,
		.cmdline = cmdline,
		.rsdp = rsdp,
		.fb_base = fb_base,
	};
	if (linux_boot_load(&vm->mem, &vm->map, &a, &vm->linux_img, err,
			    errlen) < 0)
		return -1;
	vm->entry = vm->linux_img.entry;
	return 0;
}

int kdump_load_first(struct vm *vm, const struct kvmbus_options *o)
{
	char err[256];

	if (!o->linux_kernel || o->knobs.boot != SCENARIO_BOOT_KDUMP)
		return 0;
	if (linux_kdump_cmdline(o->bootargs, vm->kdump.cmdline,
				sizeof(vm->kdump.cmdline)) < 0) {
		log_err("--boot kdump: the crash kernel's command line (--cmdline "
			"plus nr_cpus=1) is longer than %zu bytes",
			sizeof(vm->kdump.cmdline) - 1);
		return -1;
	}
	if (linux_files_read(&vm->kdump.files, o->linux_kernel, o->initrd, err,
			     sizeof(err)) < 0 ||
	    /* The first kernel: --fb-base as a UEFI-style framebuffer. */
	    load_kernel(vm, o->bootargs, o->fb_base, err, sizeof(err)) < 0) {
		log_err("Linux boot (%s): %s", o->linux_kernel, err);
		return -1;
	}
	vm->kdump.enabled = true;
	vm->kdump.crash_on = o->crash_on ? o->crash_on : KVMBUS_DEFAULT_CRASH_ON;
	return 1;
}

int kdump_crash_reboot(struct vm *vm)
{
	char err[256];
	struct trace_rec r;
	int rc;

	log_info("crash reboot: the first kernel printed '%s'; booting the "
		 "crash kernel in the same VM without resetting the host's "
		 "devices (kexec)", vm->kdump.crash_on);
	if (trace_begin(&r, TRACE_HOST, TRACE_CTL, "KDUMP_CRASH_REBOOT")) {
		trace_str(&r, "cmdline", vm->kdump.cmdline);
		trace_end(&r);
	}

	pthread_mutex_lock(&vm->lock);
	/* The crashing kernel sent no UNLOAD: the host ends the connection
	 * itself.  Claims survive only where the service keeps them by
	 * design (synthvid's VRAM). */
	vmbus_host_reset(vm->bus);
	hv_reset(&vm->hv);
	/* kexec_file_load() copies efi_info only with EFI runtime services,
	 * which the first kernel (noefi) lacks: framebuffer base 0. */
	rc = load_kernel(vm, vm->kdump.cmdline, 0, err, sizeof(err));
	pthread_mutex_unlock(&vm->lock);
	if (rc < 0) {
		log_err("crash kernel: %s", err);
		return -1;
	}
	for (unsigned i = 0; i < vm->nr_cpus; i++)
		if (vcpu_reset_for_kexec(&vm->vcpu[i]) < 0)
			return -1;

	vm->kdump.rebooted = true;
	atomic_store(&vm->verdict, VM_VERDICT_NONE);
	atomic_store(&vm->stop, false);
	return 0;
}

void kdump_destroy(struct vm *vm)
{
	linux_files_free(&vm->kdump.files);
}
