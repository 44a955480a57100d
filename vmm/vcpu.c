// SPDX-License-Identifier: MIT
/*
 * vCPUs: creation in the boot state, one thread each, and the exit loop
 * that hands every exit to its device (see vmm/vm.h).
 *
 * Device emulation runs under vm->lock; KVM_RUN itself never does, so one
 * vCPU blocked in the guest (HLT blocks inside KVM with the in-kernel
 * irqchip) never holds up another.
 */
#include "vmm/vm.h"

#include <errno.h>
#include <linux/kvm.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/abi/hv_abi.h"
#include "vmm/abi/platform_abi.h"
#include "vmm/boot.h"
#include "vmm/insn_fixup.h"
#include "vmm/log.h"
#include "vmm/stats.h"

#define KICK_SIGNAL   SIGUSR1
#define RESET_RIP     0xFFF0   /* RIP after INIT/reset (CS base 0xFFFF0000) */

/* ---- Kicking a vCPU out of KVM_RUN ---------------------------------------- */

/* The handler does nothing: its only job is to exist, so that the signal
 * interrupts KVM_RUN (-EINTR) instead of killing the process. */
static void kick_handler(int sig)
{
	(void)sig;
}

static pthread_once_t kick_once = PTHREAD_ONCE_INIT;
static int kick_installed;

static void install_kick_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;   /* no SA_RESTART: KVM_RUN must return EINTR */
	kick_installed = sigaction(KICK_SIGNAL, &sa, NULL) == 0;
}

void vcpu_kick(struct vm_vcpu *v)
{
	/* immediate_exit covers the window between the loop's check of
	 * vm->stop and entering KVM_RUN; the signal covers a vCPU already
	 * inside it. */
	if (v->run)
		__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	if (atomic_load(&v->started))
		pthread_kill(v->thread, KICK_SIGNAL);
}

/* ---- Creation ------------------------------------------------------------- */

static int vcpu_fail(struct vm_vcpu *v, const char *what)
{
	log_err("vCPU %u: %s failed: %s", v->index, what, strerror(errno));
	return -1;
}

static int set_boot_state(struct vm *vm, struct vm_vcpu *v)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

	if (vm->linux_img.kind != LINUX_ENTRY_NONE) {
		/* Linux wakes its APs itself with INIT/SIPI; the BSP enters
		 * as the kernel's boot protocol says (PVH or 64-bit). */
		if (v->index > 0)
			return 0;
		if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
			return vcpu_fail(v, "KVM_GET_SREGS");
		linux_boot_set_sregs(&sregs, &vm->linux_img);
		if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0)
			return vcpu_fail(v, "KVM_SET_SREGS");
		linux_boot_set_regs(&regs, &vm->linux_img);
		if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
			return vcpu_fail(v, "KVM_SET_REGS");
		return 0;
	}
	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		return vcpu_fail(v, "KVM_GET_SREGS");
	boot_set_sregs(&sregs);
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0)
		return vcpu_fail(v, "KVM_SET_SREGS");
	boot_set_regs(&regs, vm->entry, v->index);
	if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
		return vcpu_fail(v, "KVM_SET_REGS");
	/* With the in-kernel irqchip, APs wait for INIT/SIPI; the boot
	 * protocol starts every vCPU at the entry point instead. */
	if (ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0)
		return vcpu_fail(v, "KVM_SET_MP_STATE");
	return 0;
}

int vcpu_create(struct vm *vm, unsigned index)
{
	struct vm_vcpu *v = &vm->vcpu[index];

	v->vm = vm;
	v->index = index;
	/* The KVM vCPU id is the APIC ID; ours equals the index. */
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)index);
	if (v->fd < 0)
		return vcpu_fail(v, "KVM_CREATE_VCPU");

	int size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run))
		return vcpu_fail(v, "KVM_GET_VCPU_MMAP_SIZE");
	void *run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 v->fd, 0);
	if (run == MAP_FAILED)
		return vcpu_fail(v, "mmap of kvm_run");
	v->run = run;
	v->run_size = (size_t)size;

	if (ioctl(v->fd, KVM_GET_SREGS, &v->reset_sregs) < 0)
		return vcpu_fail(v, "KVM_GET_SREGS");
	if (ioctl(v->fd, KVM_GET_LAPIC, &v->reset_lapic) < 0)
		return vcpu_fail(v, "KVM_GET_LAPIC");
	if (vm_set_vcpu_cpuid(vm, v) < 0 || set_boot_state(vm, v) < 0)
		return -1;
	/* KVM copies the general registers into run->s.regs on every exit,
	 * so a hypercall costs no register ioctls. */
	if (vm->sync_regs)
		v->run->kvm_valid_regs = KVM_SYNC_X86_REGS;
	return 0;
}

int vcpu_reset_for_kexec(struct vm_vcpu *v)
{
	struct vm *vm = v->vm;
	struct kvm_sregs sregs = v->reset_sregs;
	struct kvm_regs regs;
	/* Nothing injected or pending: an interrupt the old kernel was
	 * being handed would otherwise arrive with no IDT. */
	struct kvm_vcpu_events events = {
		.flags = KVM_VCPUEVENT_VALID_NMI_PENDING |
			 KVM_VCPUEVENT_VALID_SHADOW,
	};
	struct kvm_mp_state mp = {
		.mp_state = v->index == 0 ? KVM_MP_STATE_RUNNABLE :
					    KVM_MP_STATE_UNINITIALIZED,
	};

	/* The thread is gone: nothing to kick, and registers a hypercall
	 * left in the sync area must not overwrite the ones set here. */
	atomic_store(&v->started, false);
	v->run->immediate_exit = 0;
	v->run->kvm_dirty_regs = 0;
	v->last_exit_rip = 0;
	v->last_exit_reason = 0;

	if (v->index == 0)
		linux_boot_set_sregs(&sregs, &vm->linux_img);
	/* Segments first: the APIC base (x2APIC mode included) goes back
	 * to power-on before the LAPIC state that must match it. */
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0)
		return vcpu_fail(v, "KVM_SET_SREGS");
	if (ioctl(v->fd, KVM_SET_LAPIC, &v->reset_lapic) < 0)
		return vcpu_fail(v, "KVM_SET_LAPIC");
	if (ioctl(v->fd, KVM_SET_VCPU_EVENTS, &events) < 0)
		return vcpu_fail(v, "KVM_SET_VCPU_EVENTS");
	if (v->index == 0) {
		linux_boot_set_regs(&regs, &vm->linux_img);
		if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
			return vcpu_fail(v, "KVM_SET_REGS");
	}
	if (ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0)
		return vcpu_fail(v, "KVM_SET_MP_STATE");
	return 0;
}

void vcpu_destroy(struct vm_vcpu *v)
{
	if (v->run)
		munmap(v->run, v->run_size);
	v->run = NULL;
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
}

/* ---- Crash reports ---------------------------------------------------------- */

/* "0f 0b ..." for the bytes at the vCPU's RIP, read through the guest's
 * page tables, or a note if they are not in RAM. */
static void describe_insn_at_rip(struct vm_vcpu *v, char *out, size_t outlen)
{
	uint8_t insn[INSN_MAX_LEN];
	size_t n = insn_fetch_current(v, insn);

	if (n == 0)
		snprintf(out, outlen, "RIP is not mapped to guest RAM");
	else
		insn_fixup_hex(insn, n, out, outlen);
}

/* The same for an address whose page tables are gone (KVM reset the
 * vCPU): read as a physical address, which is right for the boot
 * identity map of the guest test kernels, and only there. */
static void describe_insn_phys(const struct vm *vm, uint64_t addr, char *out,
			       size_t outlen)
{
	uint8_t insn[INSN_MAX_LEN];
	size_t n = INSN_MAX_LEN;

	/* Fewer bytes if the instruction sits at the very end of RAM. */
	while (n > 0 && guest_mem_read(&vm->mem, addr, insn, n) < 0)
		n--;
	if (n == 0)
		snprintf(out, outlen, "not in guest RAM");
	else
		insn_fixup_hex(insn, n, out, outlen);
}

/* Report what stopped the guest, naming RIP and the bytes there, and
 * stop the VM with `verdict`.  Always returns -1 (leave the loop). */
static int guest_crashed(struct vm_vcpu *v, enum vm_verdict verdict,
			 const char *what)
{
	struct kvm_regs regs;
	char bytes[INSN_MAX_LEN * 3 + 32];

	if (ioctl(v->fd, KVM_GET_REGS, &regs) < 0) {
		log_err("guest %s on vCPU %u (registers unavailable: %s)", what,
			v->index, strerror(errno));
	} else if (regs.rip == RESET_RIP && v->vm->sync_regs) {
		/* KVM on AMD resets the vCPU when it sees a triple fault, so
		 * the faulting RIP is gone; the last exit is the best clue. */
		describe_insn_phys(v->vm, v->last_exit_rip, bytes, sizeof(bytes));
		log_err("guest %s on vCPU %u; KVM reset the vCPU, so its RIP is "
			"lost -- the last exit to kvmbus (reason %u) was at RIP "
			"0x%llx (bytes at that physical address: %s)", what, v->index,
			v->last_exit_reason,
			(unsigned long long)v->last_exit_rip, bytes);
	} else {
		describe_insn_at_rip(v, bytes, sizeof(bytes));
		log_err("guest %s on vCPU %u at RIP 0x%llx, RSP 0x%llx "
			"(instruction bytes at RIP: %s)", what, v->index,
			(unsigned long long)regs.rip, (unsigned long long)regs.rsp,
			bytes);
	}
	vm_stop(v->vm, verdict);
	return -1;
}

static int internal_error(struct vm_vcpu *v)
{
	char what[160];
	const char *kind;

	/* An instruction KVM cannot emulate that kvmbus completes itself. */
	if (insn_fixup_on_emulation_failure(v) == 0)
		return 0;
	switch (v->run->internal.suberror) {
	case KVM_INTERNAL_ERROR_EMULATION:
		kind = "KVM could not emulate an instruction";
		break;
	case KVM_INTERNAL_ERROR_SIMUL_EX:
		kind = "exception while emulating an instruction";
		break;
	case KVM_INTERNAL_ERROR_DELIVERY_EV:
		kind = "exception while delivering an event";
		break;
	default:
		kind = "KVM internal error";
		break;
	}
	snprintf(what, sizeof(what), "crashed: %s (KVM_EXIT_INTERNAL_ERROR, "
		 "suberror %u)", kind, v->run->internal.suberror);
	return guest_crashed(v, VM_VERDICT_CRASH, what);
}

static int system_event(struct vm_vcpu *v)
{
	switch (v->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		return guest_crashed(v, VM_VERDICT_STOPPED,
				     "powered off without reporting a result");
	case KVM_SYSTEM_EVENT_RESET:
		return guest_crashed(v, VM_VERDICT_CRASH, "requested a reset");
	default:
		return guest_crashed(v, VM_VERDICT_CRASH,
				     "crashed (KVM_EXIT_SYSTEM_EVENT)");
	}
}

/* ---- Port I/O --------------------------------------------------------------- */

static void warn_port_once(struct vm *vm, uint16_t port, unsigned size,
			   bool out)
{
	uint8_t bit = (uint8_t)(1u << (port % 8));

	if (vm->warned_ports[port / 8] & bit)
		return;
	vm->warned_ports[port / 8] |= bit;
	log_warn("guest %s port 0x%x (%u bytes): no device there; %s", out ?
		 "wrote" : "read", port, size,
		 out ? "ignored" : "reads all-ones");
}

/* The verdict port: a 32-bit OUT of KVMBUS_GUEST_PASS or _FAIL.  Returns
 * -1 when the run is over. */
static int exit_port(struct vm_vcpu *v, uint8_t *data, unsigned size,
		     bool out)
{
	uint32_t value;

	if (!out || size != 4) {
		guest_refuse("platform.exit-port-width",
			     "%u-byte %s on the exit port 0x%x; the verdict is a "
			     "32-bit OUT", size, out ? "OUT" : "IN",
			     KVMBUS_PORT_EXIT);
		if (!out)
			memset(data, 0xFF, size);
		return 0;
	}
	memcpy(&value, data, sizeof(value));
	if (value == KVMBUS_GUEST_PASS) {
		vm_stop(v->vm, VM_VERDICT_PASS);
	} else if (value == KVMBUS_GUEST_CONFLICT) {
		vm_stop(v->vm, VM_VERDICT_CONFLICT);
	} else {
		if (value != KVMBUS_GUEST_FAIL)
			log_err("guest wrote unknown verdict 0x%x to the exit "
				"port; counted as FAIL", value);
		vm_stop(v->vm, VM_VERDICT_FAIL);
	}
	return -1;
}

/* One element of a (possibly string) port access; under vm->lock. */
static int port_access(struct vm_vcpu *v, uint16_t port, uint8_t *data,
		       unsigned size, bool out)
{
	struct vm *vm = v->vm;

	if (port >= KVMBUS_PORT_COM1 &&
	    port < KVMBUS_PORT_COM1 + SERIAL_NR_PORTS) {
		/* A wide access touches consecutive byte registers. */
		for (unsigned i = 0; i < size; i++)
			serial_access(&vm->com1, port - KVMBUS_PORT_COM1 + i,
				      &data[i], out);
		return 0;
	}
	if (port == KVMBUS_PORT_EXIT)
		return exit_port(v, data, size, out);
	/* Benchmark hooks (vmm/stats.c): the boot timer always, the marks
	 * only under --stats. */
	if (port == KVMBUS_PORT_BOOT_TIMER && out) {
		stats_boot_timer(vm);
		return 0;
	}
	if (port == KVMBUS_PORT_BENCH_MARK && out && size == 4 && vm->stats) {
		uint32_t mark;

		memcpy(&mark, data, sizeof(mark));
		stats_mark(vm, mark);
		return 0;
	}
	if (port == KVMBUS_PORT_HOST_REQUEST && out && size == 4 &&
	    vm->host_request) {
		uint32_t value;

		memcpy(&value, data, sizeof(value));
		vm->host_request(vm->host_request_ctx, value);
		return 0;
	}

	warn_port_once(vm, port, size, out);
	if (!out)
		memset(data, 0xFF, size);
	return 0;
}

/* The hypercall stub's OUT (vmm/abi/platform_abi.h): RCX control, RDX and
 * R8 input/output, result into RAX (facts §3). */
static int hypercall(struct vm_vcpu *v)
{
	struct vm *vm = v->vm;
	struct kvm_regs own, *regs = &own;

	v->counts.hypercall++;
	if (vm->sync_regs)
		regs = &v->run->s.regs.regs;
	else if (ioctl(v->fd, KVM_GET_REGS, &own) < 0)
		goto ioctl_failed;

	pthread_mutex_lock(&vm->lock);
	regs->rax = hv_hypercall(&vm->hv, v->index, regs->rcx, regs->rdx,
				 regs->r8);
	pthread_mutex_unlock(&vm->lock);

	if (vm->sync_regs)
		v->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
	else if (ioctl(v->fd, KVM_SET_REGS, &own) < 0)
		goto ioctl_failed;
	return 0;

ioctl_failed:
	log_err("vCPU %u: register access for a hypercall failed: %s", v->index,
		strerror(errno));
	vm_stop(vm, VM_VERDICT_HOST_ERROR);
	return -1;
}

static int handle_io(struct vm_vcpu *v)
{
	struct kvm_run *run = v->run;
	bool out = run->io.direction == KVM_EXIT_IO_OUT;
	unsigned size = run->io.size, count = run->io.count;
	uint64_t offset = run->io.data_offset;
	int rc = 0;

	if (run->io.port == KVMBUS_PORT_HYPERCALL && out)
		return hypercall(v);
	v->counts.io++;

	/* The data area lies in the kvm_run mapping; check KVM's numbers
	 * before trusting them. */
	if ((size != 1 && size != 2 && size != 4) || count == 0 ||
	    offset > v->run_size ||
	    (uint64_t)size * count > v->run_size - offset) {
		log_err("vCPU %u: malformed KVM_EXIT_IO (size %u, count %u)",
			v->index, size, count);
		vm_stop(v->vm, VM_VERDICT_HOST_ERROR);
		return -1;
	}
	uint8_t *data = (uint8_t *)run + offset;

	pthread_mutex_lock(&v->vm->lock);
	for (unsigned i = 0; i < count && rc == 0; i++)
		rc = port_access(v, run->io.port, data + (size_t)i * size, size,
				 out);
	pthread_mutex_unlock(&v->vm->lock);
	return rc;
}

/* ---- MMIO and MSRs ---------------------------------------------------------- */

static int handle_mmio(struct vm_vcpu *v)
{
	struct kvm_run *run = v->run;
	unsigned len = run->mmio.len;

	v->counts.mmio++;
	if (len != 1 && len != 2 && len != 4 && len != 8) {
		log_warn("vCPU %u: %u-byte MMIO %s at 0x%llx not supported", v->index,
			 len, run->mmio.is_write ? "write" : "read",
			 (unsigned long long)run->mmio.phys_addr);
		if (!run->mmio.is_write)
			memset(run->mmio.data, 0xFF, sizeof(run->mmio.data));
		return 0;
	}
	pthread_mutex_lock(&v->vm->lock);
	mmio_bus_access(&v->vm->mmio, run->mmio.phys_addr, run->mmio.data, len,
			run->mmio.is_write);
	pthread_mutex_unlock(&v->vm->lock);
	return 0;
}

static void warn_msr_once(struct vm *vm, uint32_t index, bool is_write)
{
	for (unsigned i = 0; i < vm->nr_warned_msrs; i++)
		if (vm->warned_msrs[i] == index)
			return;
	if (vm->nr_warned_msrs == VM_MAX_WARNED_MSRS)
		return;   /* enough said: a guest probing MSRs in a loop */
	vm->warned_msrs[vm->nr_warned_msrs++] = index;
	log_warn("guest %s unhandled MSR 0x%x: #GP", is_write ? "wrote" : "read",
		 index);
}

/* RDMSR/WRMSR that KVM passed to user space.  The Hyper-V range goes to
 * hv (facts §2); anything else KVM did not handle takes #GP, as on a CPU
 * without that MSR. */
static int handle_msr(struct vm_vcpu *v, bool is_write)
{
	struct vm *vm = v->vm;
	struct kvm_run *run = v->run;
	uint32_t index = run->msr.index;
	bool hyperv = index - HV_MSR_RANGE_FIRST < HV_MSR_RANGE_COUNT;
	int rc = -1;

	v->counts.msr++;
	pthread_mutex_lock(&vm->lock);
	if (hyperv && is_write) {
		rc = hv_wrmsr(&vm->hv, v->index, index, run->msr.data);
	} else if (hyperv) {
		uint64_t value = 0;
		rc = hv_rdmsr(&vm->hv, v->index, index, &value);
		if (rc == 0)
			run->msr.data = value;
	} else {
		warn_msr_once(vm, index, is_write);
	}
	pthread_mutex_unlock(&vm->lock);
	run->msr.error = rc == 0 ? 0 : 1;
	return 0;
}

/* ---- The loop --------------------------------------------------------------- */

/* 0 to run on, -1 when this vCPU must stop (vm_stop already called). */
static int handle_exit(struct vm_vcpu *v)
{
	struct kvm_run *run = v->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		return handle_io(v);
	case KVM_EXIT_MMIO:
		return handle_mmio(v);
	case KVM_EXIT_X86_RDMSR:
		return handle_msr(v, false);
	case KVM_EXIT_X86_WRMSR:
		return handle_msr(v, true);
	default:
		break;
	}

	v->counts.other++;
	switch (run->exit_reason) {
	case KVM_EXIT_INTR:
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		return 0;
	case KVM_EXIT_HLT:
		return guest_crashed(v, VM_VERDICT_STOPPED,
				     "halted without reporting a result");
	case KVM_EXIT_SHUTDOWN:
		return guest_crashed(v, VM_VERDICT_CRASH,
				     "crashed: triple fault (KVM_EXIT_SHUTDOWN)");
	case KVM_EXIT_INTERNAL_ERROR:
		return internal_error(v);
	case KVM_EXIT_FAIL_ENTRY: {
		char what[128];
		snprintf(what, sizeof(what), "could not be entered (KVM_EXIT_"
			 "FAIL_ENTRY, hardware reason 0x%llx)",
			 (unsigned long long)
			 run->fail_entry.hardware_entry_failure_reason);
		return guest_crashed(v, VM_VERDICT_CRASH, what);
	}
	case KVM_EXIT_SYSTEM_EVENT:
		return system_event(v);
	default: {
		char what[64];
		snprintf(what, sizeof(what), "stopped with unexpected KVM exit "
			 "reason %u", run->exit_reason);
		return guest_crashed(v, VM_VERDICT_CRASH, what);
	}
	}
}

static void run_loop(struct vm_vcpu *v)
{
	struct vm *vm = v->vm;

	while (!atomic_load(&vm->stop)) {
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				/* A kick, or a stray signal: the loop test
				 * decides, after immediate_exit is cleared, so
				 * a kick landing in between is not lost. */
				__atomic_store_n(&v->run->immediate_exit, 0,
						 __ATOMIC_SEQ_CST);
				continue;
			}
			log_err("vCPU %u: KVM_RUN failed: %s", v->index,
				strerror(errno));
			vm_stop(vm, VM_VERDICT_HOST_ERROR);
			return;
		}
		if (handle_exit(v) < 0)
			return;
		if (vm->sync_regs) {
			v->last_exit_rip = v->run->s.regs.regs.rip;
			v->last_exit_reason = v->run->exit_reason;
		}
	}
}

static void *vcpu_thread(void *arg)
{
	struct vm_vcpu *v = arg;
	struct vm *vm = v->vm;
	sigset_t kick;

	sigemptyset(&kick);
	sigaddset(&kick, KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);

	run_loop(v);

	pthread_mutex_lock(&vm->lock);
	if (--vm->running == 0)
		pthread_cond_broadcast(&vm->all_stopped);
	pthread_mutex_unlock(&vm->lock);
	return NULL;
}

int vcpu_start(struct vm_vcpu *v)
{
	pthread_once(&kick_once, install_kick_handler);
	if (!kick_installed) {
		log_err("cannot install the vCPU kick signal handler");
		return -1;
	}
	int rc = pthread_create(&v->thread, NULL, vcpu_thread, v);
	if (rc != 0) {
		log_err("vCPU %u: cannot start thread: %s", v->index, strerror(rc));
		return -1;
	}
	atomic_store(&v->started, true);
	return 0;
}
