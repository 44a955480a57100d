/*
 * hold_kvm_keys — keep one idle KVM VM alive inside the nested L1 guest, so
 * that starting and ending test VMs never patches the L1 kernel's code.
 *
 * Why: the L1 kernel switches a few static keys when the *first* VM or vCPU
 * appears and when the last one goes away: preempt_notifier_key (KVM's
 * create/destroy VM; its branch sits in __schedule), and the LAPIC's
 * apic_sw_disabled / apic_hw_disabled keys.  Each switch rewrites kernel text
 * with text_poke_bp(): an int3 goes in first and comes out last.  Under QEMU's
 * multi-threaded TCG a CPU can go on executing a stale translation that still
 * holds the int3 after memory no longer does; the kernel's int3 handler then
 * finds no int3 in memory, rewinds RIP to it ("the breakpoint was removed
 * under us") and the CPU traps again, forever, with interrupts off.  Seen as
 * both L1 CPUs looping between __schedule+0x2ab and exc_int3, and reported
 * as "soft lockup ... [kvmbus]" once every hundred or so kvmbus runs.
 *
 * With one VM that has an in-kernel LAPIC, software-disabled (never enabled)
 * and hardware-disabled (APIC base MSR without its enable bit), all three
 * keys stay above zero for the life of the L1 guest, and test VMs coming and
 * going only move counters.
 *
 * Started in the background by the initramfs's init (tests/nested/run.sh);
 * built static because the initramfs has no C library.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define MSR_IA32_APICBASE      0x1b
#define APICBASE_DEFAULT_BASE  0xfee00000ull
#define APICBASE_BSP           (1ull << 8)

static int fail(const char *what)
{
	fprintf(stderr, "hold_kvm_keys: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return fail("open /dev/kvm");
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return fail("KVM_CREATE_VM");
	/* The irqchip first, so the vCPU gets an in-kernel LAPIC. */
	if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0)
		return fail("KVM_CREATE_IRQCHIP");
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return fail("KVM_CREATE_VCPU");

	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry entry;
	} msrs;
	memset(&msrs, 0, sizeof(msrs));
	msrs.hdr.nmsrs = 1;
	msrs.entry.index = MSR_IA32_APICBASE;
	msrs.entry.data = APICBASE_DEFAULT_BASE | APICBASE_BSP; /* enable bit clear */
	if (ioctl(vcpu, KVM_SET_MSRS, &msrs) != 1)
		return fail("KVM_SET_MSRS(APIC base, disabled)");

	fprintf(stderr, "hold_kvm_keys: holding one idle VM (pid %d)\n", (int)getpid());
	for (;;)
		pause();
}
