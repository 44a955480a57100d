// SPDX-License-Identifier: MIT
/*
 * The KVM virtual machine (see vmm/vm.h): creation in a fixed order --
 * KVM VM, irqchip, MSR exits, RAM, kernel and boot data, CPUID, the
 * Hyper-V partition with its VMBus host, vCPUs -- then the run with its
 * time limit, and teardown.
 */
#include "vmm/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "firmware/acpi.h"
#include "firmware/fdt.h"
#include "vmbus/abi/synthvid_abi.h"
#include "vmbus/vmbus.h"
#include "vmm/abi/hv_abi.h"
#include "vmm/abi/platform_abi.h"
#include "vmm/boot.h"
#include "vmm/kdump.h"
#include "vmm/loader.h"
#include "vmm/log.h"
#include "vmm/seccomp.h"
#include "vmm/stats.h"

/* Intel VT-x needs a 3-page TSS and a one-page identity map somewhere in
 * guest-physical space that is not RAM; these sit in the platform region
 * above the low MMIO gap (which ends at or below 0xFEC00000), where the
 * usual VMMs put them too. */
#define VM_TSS_ADDR           0xFFFBD000ull
#define VM_IDENTITY_MAP_ADDR  0xFFFBC000ull

/* x86 MSI address: the LAPIC window, destination APIC ID in bits 19:12
 * (physical destination, fixed delivery); data = vector, edge. */
#define MSI_ADDRESS_BASE      0xFEE00000u
#define MSI_DEST_SHIFT        12

/* The hypervisor CPUID range; all of it is replaced (facts §1.6: KVM's
 * own signature leaves would make Linux pick KVM over Hyper-V). */
#define CPUID_HV_RANGE_FIRST  0x40000000u
#define CPUID_HV_RANGE_LAST   0x4FFFFFFFu
#define CPUID_HV_LEAVES       (HV_CPUID_MAX_LEAF - HV_CPUID_VENDOR_AND_MAX + 1)
#define CPUID_1_EBX_APIC_SHIFT 24

int vm_verdict_exit_status(enum vm_verdict v)
{
	switch (v) {
	case VM_VERDICT_PASS:
	case VM_VERDICT_MATCHED:
		return KVMBUS_EXIT_PASS;
	case VM_VERDICT_CONFLICT:
		return KVMBUS_EXIT_CONFLICT;
	case VM_VERDICT_TIMEOUT:
		return KVMBUS_EXIT_TIMEOUT;
	case VM_VERDICT_HOST_ERROR:
		return KVMBUS_EXIT_HOST_ERROR;
	case VM_VERDICT_FAIL:
	case VM_VERDICT_CRASH:
	case VM_VERDICT_STOPPED:
	case VM_VERDICT_KDUMP:        /* cleared by vm_run(); never final */
	case VM_VERDICT_NONE:
	default:
		return KVMBUS_EXIT_GUEST_FAIL;
	}
}

enum vm_verdict vm_verdict(struct vm *vm)
{
	return (enum vm_verdict)atomic_load(&vm->verdict);
}

static void kick_all(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_cpus; i++)
		vcpu_kick(&vm->vcpu[i]);
}

void vm_stop(struct vm *vm, enum vm_verdict v)
{
	int none = VM_VERDICT_NONE;

	atomic_compare_exchange_strong(&vm->verdict, &none, (int)v);
	/* stop before the kicks: a vCPU that is kicked then sees it. */
	atomic_store(&vm->stop, true);
	kick_all(vm);
}

/* ---- KVM setup ---------------------------------------------------------- */

static int check_cap(const struct vm *vm, long cap)
{
	int r = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, cap);
	return r < 0 ? 0 : r;
}

static int open_kvm(struct vm *vm)
{
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		int e = errno;
		if (e == ENOENT || e == ENODEV || e == ENXIO)
			log_err("cannot open /dev/kvm: %s -- this machine has no "
				"KVM (no virtualization support, or the kvm module "
				"is not loaded)", strerror(e));
		else
			log_err("cannot open /dev/kvm: %s", strerror(e));
		return -1;
	}
	int api = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION) {
		log_err("/dev/kvm speaks API version %d, kvmbus needs %d", api,
			KVM_API_VERSION);
		return -1;
	}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		log_err("KVM_CREATE_VM failed: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int require_caps(struct vm *vm)
{
	static const struct { long cap; const char *name; } needed[] = {
		{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
		{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
		{ KVM_CAP_SIGNAL_MSI, "KVM_CAP_SIGNAL_MSI" },
		{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
		{ KVM_CAP_X86_USER_SPACE_MSR, "KVM_CAP_X86_USER_SPACE_MSR" },
		{ KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE" },
	};
	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		if (!check_cap(vm, needed[i].cap)) {
			log_err("this KVM lacks %s, which kvmbus needs",
				needed[i].name);
			return -1;
		}
	}
	int max = check_cap(vm, KVM_CAP_MAX_VCPUS);
	if (max > 0 && vm->nr_cpus > (unsigned)max) {
		log_err("this KVM supports at most %d vCPUs", max);
		return -1;
	}
	vm->sync_regs = (check_cap(vm, KVM_CAP_SYNC_REGS) & KVM_SYNC_X86_REGS) != 0;
	return 0;
}

/* TSS and identity map only matter on Intel; AMD accepts and ignores
 * them.  A KVM that refuses them is not fatal here: if it needed them,
 * the first KVM_RUN fails with a clear message. */
static void set_vmx_areas(struct vm *vm)
{
	uint64_t ident = VM_IDENTITY_MAP_ADDR;

	if (check_cap(vm, KVM_CAP_SET_TSS_ADDR) &&
	    ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)VM_TSS_ADDR) < 0)
		log_warn("KVM_SET_TSS_ADDR failed: %s", strerror(errno));
	if (check_cap(vm, KVM_CAP_SET_IDENTITY_MAP_ADDR) &&
	    ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &ident) < 0)
		log_warn("KVM_SET_IDENTITY_MAP_ADDR failed: %s", strerror(errno));
}

/* The Hyper-V MSRs are emulated here, not in KVM (facts §12, DESIGN
 * NOTE): MSRs KVM does not know exit to user space, and a filter denies
 * the Hyper-V range so that even a KVM with in-kernel Hyper-V support
 * (enabled by our "Hv#1" CPUID) passes them on. */
static int setup_msr_exits(struct vm *vm)
{
	/* All-zero bitmap: every MSR of the range is denied -> exits. */
	static uint8_t deny_all[HV_MSR_RANGE_COUNT / 8];
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_X86_USER_SPACE_MSR,
		.args[0] = KVM_MSR_EXIT_REASON_UNKNOWN | KVM_MSR_EXIT_REASON_INVAL |
			   KVM_MSR_EXIT_REASON_FILTER,
	};

	if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0) {
		log_err("enabling user-space MSR exits failed: %s", strerror(errno));
		return -1;
	}
	if (!check_cap(vm, KVM_CAP_X86_MSR_FILTER)) {
		log_warn("KVM has no MSR filter; relying on it not emulating "
			 "Hyper-V MSRs itself");
		return 0;
	}

	struct kvm_msr_filter filter = { .flags = KVM_MSR_FILTER_DEFAULT_ALLOW };
	filter.ranges[0] = (struct kvm_msr_filter_range){
		.flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE,
		.nmsrs = HV_MSR_RANGE_COUNT,
		.base = HV_MSR_RANGE_FIRST,
		.bitmap = deny_all,
	};
	if (ioctl(vm->vm_fd, KVM_X86_SET_MSR_FILTER, &filter) < 0) {
		log_err("KVM_X86_SET_MSR_FILTER failed: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int setup_ram(struct vm *vm)
{
	for (unsigned i = 0; i < vm->map.nr_ram; i++) {
		const struct memmap_range *r = &vm->map.ram[i];
		void *host = mmap(NULL, r->size, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (host == MAP_FAILED) {
			log_err("cannot allocate %llu MiB of guest RAM: %s",
				(unsigned long long)(r->size >> 20), strerror(errno));
			return -1;
		}
		vm->mem.bank[i] = (struct guest_mem_bank){
			.gpa = r->base, .size = r->size, .host = host,
		};
		vm->mem.nr_banks = i + 1;

		struct kvm_userspace_memory_region region = {
			.slot = i,
			.guest_phys_addr = r->base,
			.memory_size = r->size,
			.userspace_addr = (uintptr_t)host,
		};
		if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
			log_err("KVM_SET_USER_MEMORY_REGION (RAM at 0x%llx) failed: %s",
				(unsigned long long)r->base, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Kernel, device tree, page tables and GDT into guest RAM. */
/* --linux: ACPI tables (Linux finds VMBus only through ACPI, facts §9.1)
 * and the kernel with its own boot information (E820, command line,
 * initrd); Linux sets up its own GDT and page tables. */
static int load_linux(struct vm *vm, const struct kvmbus_options *o)
{
	char err[256];
	uint64_t rsdp;

	/* --boot kdump keeps the kernel in memory for the crash reboot. */
	int kdump = kdump_load_first(vm, o);
	if (kdump != 0)
		return kdump < 0 ? -1 : 0;
	if (acpi_install(&vm->mem, &vm->map, vm->nr_cpus, &rsdp, err,
			 sizeof(err)) < 0 ||
	    /* --fb-base reaches a bzImage as a UEFI-style framebuffer
	     * (vmm/linux_efi.h); the PVH entry ignores it. */
	    linux_boot_load_files_fb(&vm->mem, &vm->map, o->linux_kernel,
				     o->initrd, o->bootargs, rsdp, o->fb_base,
				     &vm->linux_img, err, sizeof(err)) < 0) {
		log_err("Linux boot (%s): %s", o->linux_kernel, err);
		return -1;
	}
	vm->entry = vm->linux_img.entry;
	return 0;
}

/* --stop-on: the guest said what the user waited for.  With --boot
 * kdump, the first kernel's --crash-on line stops the vCPUs for the crash
 * reboot, and --stop-on waits for the crash kernel. */
static void console_line(void *ctx, const char *line)
{
	struct vm *vm = ctx;

	if (vm->kdump.enabled && !vm->kdump.rebooted) {
		if (strstr(line, vm->kdump.crash_on)) {
			log_info("console matched --crash-on '%s'",
				 vm->kdump.crash_on);
			vm_stop(vm, VM_VERDICT_KDUMP);
		}
		return;
	}
	if (vm->stop_on && strstr(line, vm->stop_on)) {
		log_info("console matched --stop-on '%s'", vm->stop_on);
		vm_stop(vm, VM_VERDICT_MATCHED);
	}
}

static int load_guest(struct vm *vm, const struct kvmbus_options *o)
{
	char err[256];
	struct loaded_image img;

	if (o->linux_kernel)
		return load_linux(vm, o);
	if (!o->kernel) {
		log_err("no guest kernel given");
		return -1;
	}
	if (loader_load_file(&vm->mem, o->kernel, &img, err, sizeof(err)) < 0) {
		log_err("kernel '%s': %s", o->kernel, err);
		return -1;
	}
	vm->entry = img.entry;

	void *fdt = guest_mem_ptr(&vm->mem, KVMBUS_BOOT_FDT, KVMBUS_BOOT_FDT_MAX);
	struct platform_desc pd = {
		.map = &vm->map,
		.nr_cpus = vm->nr_cpus,
		/* The framebuffer the platform reports at first boot (Gen2:
		 * the EFI GOP base); its size is the synthvid VRAM. */
		.fb_base = o->fb_base,
		.fb_size = o->fb_base ? (uint64_t)SYNTHVID_DEFAULT_MMIO_MB << 20 : 0,
		.bootargs = o->bootargs,
		.knobs = o->knobs,
		.vpci_buses = o->vpci_buses,
	};
	if (!fdt) {
		log_err("guest RAM does not cover the device-tree area");
		return -1;
	}
	if (fdt_build_platform(fdt, KVMBUS_BOOT_FDT_MAX, &pd, err, sizeof(err)) < 0) {
		log_err("device tree: %s", err);
		return -1;
	}
	if (boot_write_page_tables(&vm->mem, &vm->map.high_mmio, err,
				   sizeof(err)) < 0 ||
	    boot_write_gdt(&vm->mem, err, sizeof(err)) < 0) {
		log_err("boot page tables: %s", err);
		return -1;
	}
	return 0;
}

/* ---- CPUID ------------------------------------------------------------- */

static struct kvm_cpuid2 *get_supported_cpuid(int kvm_fd)
{
	for (unsigned n = 128; n <= 4096; n *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) +
					      n * sizeof(c->entries[0]));
		if (!c)
			return NULL;
		c->nent = n;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			return c;
		int e = errno;
		free(c);
		if (e != E2BIG) {
			errno = e;
			return NULL;
		}
	}
	errno = E2BIG;
	return NULL;
}

/* Per-vCPU identity: the APIC ID (leaf 1 EBX[31:24], x2APIC ID in leaves
 * 0xB/0x1F EDX) equals the vCPU index, which is also the VP index. */
static void set_identity(struct kvm_cpuid_entry2 *e, unsigned index)
{
	switch (e->function) {
	case 1:
		e->ecx |= CPUID_1_ECX_HYPERVISOR;
		e->ebx = (e->ebx & 0x00FFFFFFu) | (index << CPUID_1_EBX_APIC_SHIFT);
		break;
	case 0xB:
	case 0x1F:
		e->edx = index;
		break;
	default:
		break;
	}
}

int vm_set_vcpu_cpuid(struct vm *vm, struct vm_vcpu *v)
{
	const struct kvm_cpuid2 *sup = vm->supported_cpuid;
	unsigned cap = sup->nent + CPUID_HV_LEAVES, n = 0;
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + cap * sizeof(c->entries[0]));

	if (!c) {
		log_err("out of memory");
		return -1;
	}
	for (unsigned i = 0; i < sup->nent; i++) {
		struct kvm_cpuid_entry2 e = sup->entries[i];
		if (e.function >= CPUID_HV_RANGE_FIRST &&
		    e.function <= CPUID_HV_RANGE_LAST)
			continue;
		set_identity(&e, v->index);
		c->entries[n++] = e;
	}
	for (uint32_t leaf = HV_CPUID_VENDOR_AND_MAX; leaf <= HV_CPUID_MAX_LEAF;
	     leaf++) {
		uint32_t r[4];
		if (!hv_cpuid(leaf, vm->nr_cpus, r))
			continue;
		c->entries[n++] = (struct kvm_cpuid_entry2){
			.function = leaf,
			.eax = r[0], .ebx = r[1], .ecx = r[2], .edx = r[3],
		};
	}
	c->nent = n;

	int rc = ioctl(v->fd, KVM_SET_CPUID2, c);
	if (rc < 0)
		log_err("vCPU %u: KVM_SET_CPUID2 failed: %s", v->index,
			strerror(errno));
	free(c);
	return rc < 0 ? -1 : 0;
}

/* ---- Interrupts ---------------------------------------------------------- */

int vm_signal_msi(struct vm *vm, uint64_t address, uint32_t data)
{
	struct kvm_msi msi = {
		.address_lo = (uint32_t)address,
		.address_hi = (uint32_t)(address >> 32),
		.data = data,
	};
	/* > 0 delivered, 0 blocked by the guest (e.g. LAPIC disabled). */
	if (ioctl(vm->vm_fd, KVM_SIGNAL_MSI, &msi) < 0) {
		log_warn("KVM_SIGNAL_MSI (address 0x%llx, data 0x%x) failed: %s",
			 (unsigned long long)address, data, strerror(errno));
		return -1;
	}
	return 0;
}

/* The SynIC's interrupt line (facts §11.7 DESIGN NOTE): an MSI to the
 * VP's LAPIC, fixed delivery, edge; APIC ID = VP index here. */
static void inject_synic(void *ctx, unsigned vp, uint8_t vector)
{
	struct vm *vm = ctx;

	vm_signal_msi(vm, MSI_ADDRESS_BASE | ((uint64_t)vp << MSI_DEST_SHIFT),
		      vector);
}

/* ---- Extra memory (device memory such as VRAM) --------------------------- */

static bool ranges_overlap(uint64_t a, uint64_t asize, uint64_t b,
			   uint64_t bsize)
{
	return a < b + bsize && b < a + asize;
}

int vm_map_extra_memory(struct vm *vm, uint64_t gpa, uint64_t size, void *host)
{
	const uint64_t page = 0x1000;
	int slot = -1;

	if (size == 0 || gpa % page || size % page || (uintptr_t)host % page ||
	    size > MEMMAP_MAX_PHYS || gpa > MEMMAP_MAX_PHYS - size) {
		log_warn("extra memory [0x%llx, +0x%llx) refused: bad alignment "
			 "or range", (unsigned long long)gpa,
			 (unsigned long long)size);
		return -1;
	}
	for (unsigned i = 0; i < vm->mem.nr_banks; i++)
		if (ranges_overlap(gpa, size, vm->mem.bank[i].gpa,
				   vm->mem.bank[i].size)) {
			log_warn("extra memory at 0x%llx would overlap RAM",
				 (unsigned long long)gpa);
			return -1;
		}
	for (int i = 0; i < VM_MAX_EXTRA_SLOTS; i++) {
		const struct vm_extra_mem *x = &vm->extra[i];
		if (!x->used) {
			if (slot < 0)
				slot = i;
		} else if (ranges_overlap(gpa, size, x->gpa, x->size)) {
			log_warn("extra memory at 0x%llx would overlap another "
				 "mapping at 0x%llx", (unsigned long long)gpa,
				 (unsigned long long)x->gpa);
			return -1;
		}
	}
	if (slot < 0) {
		log_warn("no free memory slot for extra memory");
		return -1;
	}

	struct kvm_userspace_memory_region region = {
		.slot = VM_EXTRA_SLOT_FIRST + (unsigned)slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)host,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		log_warn("mapping extra memory at 0x%llx failed: %s",
			 (unsigned long long)gpa, strerror(errno));
		return -1;
	}
	vm->extra[slot] = (struct vm_extra_mem){
		.used = true, .gpa = gpa, .size = size, .host = host,
	};
	return slot;
}

void vm_unmap_extra_memory(struct vm *vm, int handle)
{
	if (handle < 0 || handle >= VM_MAX_EXTRA_SLOTS || !vm->extra[handle].used)
		return;

	/* Size 0 deletes the slot (KVM API, KVM_SET_USER_MEMORY_REGION). */
	struct kvm_userspace_memory_region region = {
		.slot = VM_EXTRA_SLOT_FIRST + (unsigned)handle,
		.guest_phys_addr = vm->extra[handle].gpa,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		log_warn("unmapping extra memory at 0x%llx failed: %s",
			 (unsigned long long)vm->extra[handle].gpa,
			 strerror(errno));
	vm->extra[handle].used = false;
}

/* ---- Creation and teardown ------------------------------------------------ */

static int init_sync(struct vm *vm)
{
	pthread_condattr_t ca;

	if (pthread_mutex_init(&vm->lock, NULL) != 0)
		return -1;
	/* The time limit is measured on the monotonic clock, immune to
	 * changes of the wall-clock time. */
	if (pthread_condattr_init(&ca) != 0)
		return -1;
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	int rc = pthread_cond_init(&vm->all_stopped, &ca);
	pthread_condattr_destroy(&ca);
	return rc == 0 ? 0 : -1;
}

static int create_devices(struct vm *vm)
{
	hv_init(&vm->hv, &vm->mem, vm->nr_cpus, inject_synic, vm);
	vm->bus = vmbus_host_create(&vm->mem, &vm->hv.synic);
	if (!vm->bus) {
		log_err("cannot create the VMBus host");
		return -1;
	}
	hv_set_bus(&vm->hv, &vmbus_hv_bus_ops, vm->bus);
	serial_init(&vm->com1, stdout);
	return 0;
}

struct vm *vm_create(const struct kvmbus_options *o)
{
	char err[256];
	struct vm *vm = calloc(1, sizeof(*vm));

	if (!vm) {
		log_err("out of memory");
		return NULL;
	}
	vm->kvm_fd = vm->vm_fd = -1;
	for (unsigned i = 0; i < KVMBUS_MAX_CPUS; i++)
		vm->vcpu[i].fd = -1;
	vm->nr_cpus = o->cpus;
	vm->timeout_s = o->timeout_s;
	vm->no_seccomp = o->no_seccomp;
	if (init_sync(vm) < 0) {
		log_err("cannot initialise locks");
		free(vm);
		return NULL;
	}
	if (vm->nr_cpus == 0 || vm->nr_cpus > KVMBUS_MAX_CPUS) {
		log_err("%u vCPUs requested; 1 to %u are supported", vm->nr_cpus,
			KVMBUS_MAX_CPUS);
		goto fail;
	}
	if (memmap_build(&vm->map, o->mem_size, o->low_mmio, o->high_mmio, err,
			 sizeof(err)) < 0) {
		log_err("memory map: %s", err);
		goto fail;
	}
	if (vm->map.nr_ram > GUEST_MEM_MAX_BANKS) {
		log_err("memory map has %u RAM banks; at most %u are supported",
			vm->map.nr_ram, GUEST_MEM_MAX_BANKS);
		goto fail;
	}
	if (open_kvm(vm) < 0 || require_caps(vm) < 0)
		goto fail;
	stats_stage("kvm_open");
	set_vmx_areas(vm);
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		log_err("KVM_CREATE_IRQCHIP failed: %s", strerror(errno));
		goto fail;
	}
	stats_stage("irqchip");
	if (setup_msr_exits(vm) < 0 || setup_ram(vm) < 0 || load_guest(vm, o) < 0)
		goto fail;
	stats_stage("ram_and_kernel");
	vm->supported_cpuid = get_supported_cpuid(vm->kvm_fd);
	if (!vm->supported_cpuid) {
		log_err("KVM_GET_SUPPORTED_CPUID failed: %s", strerror(errno));
		goto fail;
	}
	stats_stage("cpuid");
	if (create_devices(vm) < 0)
		goto fail;
	stats_stage("hv_vmbus");
	vm->stop_on = o->stop_on;
	if (vm->stop_on || vm->kdump.enabled) {
		vm->com1.on_line = console_line;
		vm->com1.on_line_ctx = vm;
	}
	for (unsigned i = 0; i < vm->nr_cpus; i++)
		if (vcpu_create(vm, i) < 0)
			goto fail;
	stats_stage("vcpus");
	/* For the Hyper-V TSC_FREQUENCY MSR (0 if KVM cannot say: #GP). */
	long tsc_khz = ioctl(vm->vcpu[0].fd, KVM_GET_TSC_KHZ, 0);
	vm->hv.tsc_hz = tsc_khz > 0 ? (uint64_t)tsc_khz * 1000 : 0;
	return vm;

fail:
	vm_destroy(vm);
	return NULL;
}

void vm_destroy(struct vm *vm)
{
	if (!vm)
		return;
	for (unsigned i = 0; i < KVMBUS_MAX_CPUS; i++)
		vcpu_destroy(&vm->vcpu[i]);
	if (vm->bus)
		vmbus_host_destroy(vm->bus);
	free(vm->supported_cpuid);
	kdump_destroy(vm);
	for (unsigned i = 0; i < vm->mem.nr_banks; i++)
		if (vm->mem.bank[i].host)
			munmap(vm->mem.bank[i].host, vm->mem.bank[i].size);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	pthread_cond_destroy(&vm->all_stopped);
	pthread_mutex_destroy(&vm->lock);
	free(vm);
}

/* ---- Running ------------------------------------------------------------- */

static struct timespec deadline_after(unsigned seconds)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += seconds;
	return t;
}

/* Wait until every vCPU thread has left its loop; past the deadline,
 * record the timeout and stop them. */
static void wait_for_vcpus(struct vm *vm, const struct timespec *deadline)
{
	bool timed_out = false;

	pthread_mutex_lock(&vm->lock);
	while (vm->running > 0) {
		if (vm->timeout_s == 0 || timed_out) {
			pthread_cond_wait(&vm->all_stopped, &vm->lock);
			continue;
		}
		int rc = pthread_cond_timedwait(&vm->all_stopped, &vm->lock,
						deadline);
		if (rc == ETIMEDOUT && vm->running > 0) {
			timed_out = true;
			vm_stop(vm, VM_VERDICT_TIMEOUT);
		}
	}
	pthread_mutex_unlock(&vm->lock);
}

static void report_verdict(struct vm *vm, enum vm_verdict v)
{
	switch (v) {
	case VM_VERDICT_PASS:
		log_info("guest reported PASS");
		break;
	case VM_VERDICT_MATCHED:
		log_info("stopped: the console printed what --stop-on waits for");
		break;
	case VM_VERDICT_FAIL:
		log_err("guest reported FAIL");
		break;
	case VM_VERDICT_TIMEOUT:
		log_err("guest timed out after %u s", vm->timeout_s);
		break;
	case VM_VERDICT_NONE:
		log_err("guest stopped without reporting a result");
		break;
	default:
		break;   /* crashes and host errors were reported where seen */
	}
}

/* Start every vCPU thread, wait until all have left their loop (or the
 * deadline passed), join them. */
static void run_vcpus(struct vm *vm, const struct timespec *deadline)
{
	unsigned started = 0;

	for (unsigned i = 0; i < vm->nr_cpus; i++) {
		pthread_mutex_lock(&vm->lock);
		vm->running++;
		pthread_mutex_unlock(&vm->lock);
		if (vcpu_start(&vm->vcpu[i]) < 0) {
			pthread_mutex_lock(&vm->lock);
			vm->running--;
			pthread_mutex_unlock(&vm->lock);
			vm_stop(vm, VM_VERDICT_HOST_ERROR);
			break;
		}
		started++;
	}
	stats_stage("threads");
	/* A vCPU may have stopped the VM before a later thread was marked
	 * started (and so was not kicked): kick again now that all are.
	 * vm_stop() stores `stop` before reading `started`, and vcpu_start()
	 * stores `started` before this read, so one side always sees the
	 * other. */
	if (atomic_load(&vm->stop))
		kick_all(vm);

	wait_for_vcpus(vm, deadline);
	for (unsigned i = 0; i < started; i++)
		pthread_join(vm->vcpu[i].thread, NULL);
}

int vm_run(struct vm *vm)
{
	/* Setup is over and no guest code has run yet: from here kvmbus
	 * needs only the few calls vmm/seccomp.c allows, and the vCPU
	 * threads created below inherit the filter. */
	if (!vm->no_seccomp) {
		char err[256];
		if (sandbox_install(err, sizeof(err)) < 0) {
			log_err("cannot enter the sandbox: %s (--no-seccomp "
				"runs without it)", err);
			return KVMBUS_EXIT_HOST_ERROR;
		}
	}
	stats_stage("sandbox");

	/* One time limit for the whole run, crash kernel included. */
	struct timespec deadline = deadline_after(vm->timeout_s);
	run_vcpus(vm, &deadline);
	/* --boot kdump: the first kernel reached --crash-on. */
	if (vm_verdict(vm) == VM_VERDICT_KDUMP) {
		if (kdump_crash_reboot(vm) == 0) {
			run_vcpus(vm, &deadline);
		} else {
			atomic_store(&vm->verdict, VM_VERDICT_HOST_ERROR);
		}
	}
	serial_flush(&vm->com1);

	enum vm_verdict v = vm_verdict(vm);
	report_verdict(vm, v);
	return vm_verdict_exit_status(v);
}

void vm_exit_counts(const struct vm *vm, struct vm_exit_counts *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < vm->nr_cpus; i++) {
		const struct vm_exit_counts *c = &vm->vcpu[i].counts;
		out->io += c->io;
		out->mmio += c->mmio;
		out->msr += c->msr;
		out->hypercall += c->hypercall;
		out->other += c->other;
	}
}
