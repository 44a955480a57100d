/* SPDX-License-Identifier: MIT */
/*
 * The KVM virtual machine: guest RAM, the in-kernel irqchip, CPUID, the
 * MSR filter that hands the Hyper-V MSRs to user space, MSI injection,
 * and one thread per vCPU running the exit loop.
 *
 * Devices plug in without touching the loop: the Hyper-V partition (hv)
 * and its VMBus host are created here; MMIO models register on `mmio`;
 * device memory (VRAM) is mapped with vm_map_extra_memory().
 *
 * Threading: each vCPU has its own thread; every exit that emulates a
 * device runs under vm->lock, because the hv/SynIC/VMBus state is shared
 * by all vCPUs.  Device callbacks therefore already hold vm->lock.
 */
#ifndef KVMBUS_VM_H
#define KVMBUS_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "firmware/memmap.h"
#include "vmm/guest_mem.h"
#include "vmm/hv.h"
#include "vmm/linux_boot.h"
#include "vmm/mmio_bus.h"
#include "vmm/options.h"
#include "vmm/serial.h"

struct kvm_run;
struct kvm_cpuid2;
struct vmbus_host;

/* Exit statuses of `kvmbus run` (documented in vmm/main.c). */
#define KVMBUS_EXIT_PASS        0
#define KVMBUS_EXIT_HOST_ERROR  1
#define KVMBUS_EXIT_GUEST_FAIL  2
#define KVMBUS_EXIT_CONFLICT    3
#define KVMBUS_EXIT_TIMEOUT     4

/* How the run ended.  The first verdict recorded wins. */
enum vm_verdict {
	VM_VERDICT_NONE = 0,          /* still running */
	VM_VERDICT_PASS,              /* guest wrote PASS to the exit port */
	VM_VERDICT_FAIL,              /* guest wrote FAIL (or garbage) */
	VM_VERDICT_CONFLICT,          /* guest: a device's MMIO was refused */
	VM_VERDICT_MATCHED,           /* a console line matched --stop-on */
	VM_VERDICT_CRASH,             /* triple fault, emulation failure, ... */
	VM_VERDICT_STOPPED,           /* halted without reporting */
	VM_VERDICT_HOST_ERROR,        /* a KVM ioctl failed */
	VM_VERDICT_TIMEOUT,           /* --timeout expired */
	/* --boot kdump: the first kernel printed --crash-on; vm_run()
	 * reboots into the crash kernel and clears it (never final). */
	VM_VERDICT_KDUMP,
};

/* VM exits by kind, for the benchmark.  A hypercall (an OUT to
 * KVMBUS_PORT_HYPERCALL) counts as `hypercall`, not as `io`. */
struct vm_exit_counts {
	uint64_t io, mmio, msr, hypercall, other;
};

struct vm;

struct vm_vcpu {
	struct vm *vm;
	unsigned index;               /* = APIC ID = Hyper-V VP index */
	int fd;
	struct kvm_run *run;
	size_t run_size;
	pthread_t thread;
	atomic_bool started;          /* thread exists (may be kicked) */
	struct vm_exit_counts counts; /* written only by this vCPU's thread */
	/* Where the guest last exited to us (with sync regs only): a triple
	 * fault on AMD resets the vCPU before we see it, losing RIP. */
	uint64_t last_exit_rip;
	uint32_t last_exit_reason;
	/* Power-on state, saved at creation for a reset without a new
	 * vCPU (--boot kdump's crash reboot, vcpu_reset_for_kexec()). */
	struct kvm_sregs reset_sregs;
	struct kvm_lapic_state reset_lapic;
};

/* Extra guest-physical memory beside RAM (e.g. VRAM), movable at run time.
 * KVM slots VM_EXTRA_SLOT_FIRST.. are reserved for it. */
#define VM_MAX_EXTRA_SLOTS   8
#define VM_EXTRA_SLOT_FIRST  8
struct vm_extra_mem {
	bool used;
	uint64_t gpa, size;
	void *host;
};

/* MSR indices already warned about (unknown MSRs are logged once). */
#define VM_MAX_WARNED_MSRS   32

struct vm {
	int kvm_fd, vm_fd;
	unsigned nr_cpus;
	struct memmap map;
	struct guest_mem mem;
	uint64_t entry;               /* guest ELF entry point */
	struct linux_image linux_img; /* --linux: how the kernel is entered */
	/* --linux with --boot kdump (vmm/kdump.h): the kernel kept in
	 * memory since load_linux(), the trigger, and the crash kernel's
	 * command line.  `rebooted` is written only while no vCPU thread
	 * runs. */
	struct vm_kdump {
		bool enabled;
		bool rebooted;            /* the crash kernel is running */
		const char *crash_on;
		struct linux_files files;
		char cmdline[LINUX_BOOT_CMDLINE_MAX];
	} kdump;
	const char *stop_on;          /* --stop-on pattern, or NULL */
	unsigned timeout_s;
	bool sync_regs;               /* KVM_CAP_SYNC_REGS usable */
	/* Skip the seccomp sandbox vm_run() enters (vmm/seccomp.h); set
	 * from --no-seccomp, for debugging only. */
	bool no_seccomp;
	struct kvm_cpuid2 *supported_cpuid;

	struct vm_vcpu vcpu[KVMBUS_MAX_CPUS];

	/* Devices; everything below is touched only under `lock`. */
	pthread_mutex_t lock;
	struct hv hv;
	struct vmbus_host *bus;
	struct mmio_bus mmio;
	struct serial com1;
	struct vm_extra_mem extra[VM_MAX_EXTRA_SLOTS];
	/* A 32-bit OUT to KVMBUS_PORT_HOST_REQUEST (scenario steps); set by
	 * the device layer, called under `lock`. */
	void (*host_request)(void *ctx, uint32_t value);
	void *host_request_ctx;
	/* --stats (vmm/stats.h): NULL unless asked for.  boot_timer_ns:
	 * CLOCK_MONOTONIC of the guest's first write to the boot-timer port
	 * (0 = none yet), recorded with or without --stats. */
	struct vmm_stats *stats;
	uint64_t boot_timer_ns;
	uint8_t warned_ports[65536 / 8];
	uint32_t warned_msrs[VM_MAX_WARNED_MSRS];
	unsigned nr_warned_msrs;

	/* Run state. */
	atomic_bool stop;
	atomic_int verdict;           /* enum vm_verdict */
	unsigned running;             /* vCPU threads still in their loop */
	pthread_cond_t all_stopped;   /* signalled when running hits 0 */
};

/* Build the whole machine from the options: memory map, KVM VM, RAM,
 * kernel, device tree, boot tables, vCPUs, hv + VMBus host (services are
 * registered on vm->bus by the caller).  NULL on failure, after one clear
 * message on stderr. */
struct vm *vm_create(const struct kvmbus_options *o);
void vm_destroy(struct vm *vm);

/* Run all vCPUs until a verdict; returns the KVMBUS_EXIT_* status. */
int vm_run(struct vm *vm);

/* Record `v` (unless a verdict already exists) and stop every vCPU.
 * Safe from any thread, with or without vm->lock. */
void vm_stop(struct vm *vm, enum vm_verdict v);
enum vm_verdict vm_verdict(struct vm *vm);
int vm_verdict_exit_status(enum vm_verdict v);

/* Exits summed over all vCPUs (call after vm_run). */
void vm_exit_counts(const struct vm *vm, struct vm_exit_counts *out);

/* Deliver an MSI to the in-kernel LAPICs / IOAPIC.  0, or -1 on error. */
int vm_signal_msi(struct vm *vm, uint64_t address, uint32_t data);

/* Map host memory [host, host + size) at guest-physical gpa (page
 * aligned, not overlapping RAM or another extra mapping).  Returns a
 * handle for vm_unmap_extra_memory(), or -1.  Call under vm->lock or
 * before vm_run(). */
int vm_map_extra_memory(struct vm *vm, uint64_t gpa, uint64_t size,
			void *host);
void vm_unmap_extra_memory(struct vm *vm, int handle);

/* ---- vmm/vcpu.c -------------------------------------------------------- */
/* Create vCPU `index`: KVM vCPU, run area, CPUID, boot registers,
 * runnable state.  0, or -1 after a message. */
int vcpu_create(struct vm *vm, unsigned index);
void vcpu_destroy(struct vm_vcpu *v);
/* Start the vCPU's thread; it runs the exit loop until vm->stop. */
int vcpu_start(struct vm_vcpu *v);
/* Make the vCPU leave KVM_RUN (and not enter it again). */
void vcpu_kick(struct vm_vcpu *v);
/* After its thread was joined: back to the power-on LAPIC and segment
 * state, no pending events, the BSP at vm->linux_img's entry and every
 * AP waiting for INIT/SIPI -- what a kernel entered by kexec finds.  0,
 * or -1 after a message. */
int vcpu_reset_for_kexec(struct vm_vcpu *v);

/* ---- vmm/vm.c, for vcpu.c ---------------------------------------------- */
/* Set this vCPU's CPUID table (KVM's supported leaves + Hyper-V). */
int vm_set_vcpu_cpuid(struct vm *vm, struct vm_vcpu *v);

#endif
