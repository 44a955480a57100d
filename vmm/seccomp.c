// SPDX-License-Identifier: MIT
/*
 * The sandbox (see vmm/seccomp.h): the allowlist of system calls a
 * running kvmbus makes, as one table, and the SIGSYS handler that names
 * a call the table lacks.
 *
 * Adding a call: find who makes it (the blocked-call line names it and
 * its first arguments), add one line to the group it belongs to, and say
 * why in the comment.
 */
#include "vmm/seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "vmm/stats.h"

/* ---- the allowlist ------------------------------------------------------ */

enum rule_kind {
	ANY_ARGS,       /* allowed whatever the arguments */
	ARG_MASKED,     /* allowed if (argument & mask) == value */
	ARG_OWN_PID,    /* allowed if the argument is our process id */
	FAIL_ENOSYS,    /* not run, fails with ENOSYS: the caller falls back */
};

struct rule {
	int nr;
	enum rule_kind kind;
	unsigned arg;
	uint64_t mask, value;
};

#define ALLOW(name)               { SCMP_SYS(name), ANY_ARGS, 0, 0, 0 }
#define ALLOW_IF(name, a, m, v)   { SCMP_SYS(name), ARG_MASKED, a, m, v }
#define ALLOW_OWN_PID(name, a)    { SCMP_SYS(name), ARG_OWN_PID, a, 0, 0 }
#define ENOSYS_FOR(name)          { SCMP_SYS(name), FAIL_ENOSYS, 0, 0, 0 }

/* The kernel reads an ioctl request as a 32-bit unsigned int, so only
 * those bits are compared: a caller that sign-extended a request with
 * bit 31 set (KVM_GET_REGS) still matches, and high garbage cannot slip
 * another request past the check. */
#define IOCTL_REQUEST_BITS 0xFFFFFFFFull
#define ALLOW_IOCTL(request)      ALLOW_IF(ioctl, 1, IOCTL_REQUEST_BITS, request)

static const struct rule allowlist[] = {
	/* Running the guest.  Only the KVM requests made after setup; an
	 * ioctl cannot reach another driver (e.g. TIOCSTI on a terminal). */
	ALLOW_IOCTL(KVM_RUN),                    /* vcpu.c: the exit loop */
	ALLOW_IOCTL(KVM_GET_REGS),               /* vcpu.c: hypercalls without
						    sync regs; crash reports */
	ALLOW_IOCTL(KVM_SET_REGS),               /* vcpu.c: hypercall results */
	ALLOW_IOCTL(KVM_SIGNAL_MSI),             /* vm.c: SynIC interrupts */
	ALLOW_IOCTL(KVM_SET_USER_MEMORY_REGION), /* vm.c: VRAM mapped, moved
						    and unmapped at run time */
	/* insn_fixup_kvm.c finishes an instruction KVM could not emulate:
	 * it needs the CPU mode and CR0 (SREGS) and the x87 status (FPU). */
	ALLOW_IOCTL(KVM_GET_SREGS),
	ALLOW_IOCTL(KVM_GET_FPU),
	/* kdump.c / vcpu.c: --boot kdump's crash reboot puts every vCPU
	 * back to its power-on LAPIC, the BSP at the crash kernel's entry
	 * with nothing pending, the APs to wait-for-SIPI. */
	ALLOW_IOCTL(KVM_SET_SREGS),
	ALLOW_IOCTL(KVM_SET_LAPIC),
	ALLOW_IOCTL(KVM_SET_VCPU_EVENTS),
	ALLOW_IOCTL(KVM_SET_MP_STATE),
	/* stdio asks whether a stream is a terminal (TCGETS) the first
	 * time it buffers it: the console on stdout, a trace on a tty. */
	ALLOW_IOCTL(TCGETS),

	/* Output: console, diagnostics, trace, reports.  writev is how
	 * glibc prints its own fatal errors ("double free") before
	 * aborting, so those still reach stderr. */
	ALLOW(write),
	ALLOW(writev),

	/* Report files (--screenshot PNG, --mmio-map SVG) are created when
	 * the run is over, by fopen(path, "w") in screenshot.c and
	 * mmio_map.c.  So write-only opens are allowed, and nothing can be
	 * opened for reading.  The price: a compromised kvmbus could still
	 * create or truncate a file it may write; opening the report files
	 * before vm_run() would let this rule go.  fstat/newfstatat: stdio
	 * sizes a stream's buffer; lseek: stdio repositions streams. */
	ALLOW_IF(openat, 2, O_ACCMODE, O_WRONLY),
	ALLOW(close),
	ALLOW(fstat),
	ALLOW(newfstatat),
	ALLOW(lseek),

	/* Memory: malloc (brk, mmap, mremap for realloc), free (munmap,
	 * madvise), thread stacks and their guard pages (mmap, mprotect).
	 * Never executable: injected code could not be made runnable. */
	ALLOW(brk),
	ALLOW_IF(mmap, 2, PROT_EXEC, 0),
	ALLOW_IF(mprotect, 2, PROT_EXEC, 0),
	ALLOW(munmap),
	ALLOW(mremap),
	ALLOW(madvise),

	/* Threads: the vCPU threads start after the filter is in place
	 * (it is inherited).  clone only for threads, never a new process;
	 * clone3 passes its flags in memory, out of the filter's sight, so
	 * it fails with ENOSYS and glibc falls back to clone.  A new thread
	 * registers its robust futex list and rseq area; threads exit with
	 * exit and wait for each other with futex. */
	ALLOW_IF(clone, 0, CLONE_THREAD, CLONE_THREAD),
	ENOSYS_FOR(clone3),
	ALLOW(set_robust_list),
	ALLOW(rseq),
	ALLOW(futex),
	ALLOW(exit),
	/* Harmless, and made by sanitizer runtimes (a sanitized build, the
	 * unit tests): for every new thread pthread_getattr_np() reads the
	 * affinity and ASan sets up an alternate signal stack; their
	 * spinlocks yield. */
	ALLOW(sched_getaffinity),
	ALLOW(sigaltstack),
	ALLOW(sched_yield),

	/* Signals: the vCPU kick (SIGUSR1, vcpu.c) is installed lazily,
	 * unblocked per thread, sent with pthread_kill (getpid, gettid,
	 * tgkill -- to our own threads only), and returns through
	 * rt_sigreturn; a call it interrupts resumes with restart_syscall.
	 * abort() (assert) raises SIGABRT the same way. */
	ALLOW(rt_sigaction),
	ALLOW(rt_sigprocmask),
	ALLOW(rt_sigreturn),
	ALLOW(restart_syscall),
	ALLOW(getpid),
	ALLOW(gettid),
	ALLOW_OWN_PID(tgkill, 0),

	/* Time: the run's time limit and trace timestamps read the
	 * monotonic clock -- through the vDSO, which falls back to the
	 * system call on some clock sources (it does under nested KVM);
	 * pacing may sleep. */
	ALLOW(clock_gettime),
	ALLOW(clock_nanosleep),
	ALLOW(nanosleep),

	/* --stats (vmm/stats.c), at exit: our peak RSS and the RSS of the
	 * guest's memory, so the report can tell the VMM's own memory from
	 * the guest's -- from /proc/self/status and /proc/self/smaps, opened
	 * before the sandbox at two fixed descriptors (vmm/stats.h); no
	 * other descriptor can be read.  getrusage and mincore are the
	 * fallbacks.  All of it is about this process only. */
	ALLOW_IF(pread64, 0, ~1ull, STATS_STATUS_FD),
	ALLOW_IF(getrusage, 0, ~0ull, RUSAGE_SELF),
	ALLOW(mincore),

	/* The end. */
	ALLOW(exit_group),
};

/* ---- reporting a blocked call ------------------------------------------- */

/* Names are looked up before the filter is loaded: libseccomp's lookup
 * allocates, which a signal handler must not do. */
#define NAMED_SYSCALLS 512
#define NAME_MAX_LEN   32
static char syscall_names[NAMED_SYSCALLS][NAME_MAX_LEN];

static void remember_syscall_names(void)
{
	uint32_t arch = seccomp_arch_native();

	for (int nr = 0; nr < NAMED_SYSCALLS; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(arch, nr);

		syscall_names[nr][0] = '\0';
		if (name)
			snprintf(syscall_names[nr], NAME_MAX_LEN, "%s", name);
		free(name);
	}
}

/* A fixed buffer and hand-made number formatting: the handler may run
 * inside malloc or stdio, so it may only use async-signal-safe calls. */
struct line {
	char buf[320];
	size_t len;
};

static void put_str(struct line *l, const char *s)
{
	while (*s && l->len < sizeof(l->buf) - 1)
		l->buf[l->len++] = *s++;
}

static void put_num(struct line *l, uint64_t v, unsigned base)
{
	char digits[24];
	int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (base == 16)
		put_str(l, "0x");
	while (n > 0 && l->len < sizeof(l->buf) - 1)
		l->buf[l->len++] = digits[--n];
}

static void on_sigsys(int sig, siginfo_t *si, void *ucontext)
{
	const ucontext_t *uc = ucontext;
	struct line l = { .len = 0 };
	int nr = si->si_syscall;

	(void)sig;
	put_str(&l, "kvmbus: sandbox: blocked system call ");
	put_num(&l, (uint32_t)nr, 10);
	put_str(&l, " (");
	if (si->si_arch != seccomp_arch_native()) {
		put_str(&l, "foreign ABI ");
		put_num(&l, si->si_arch, 16);
	} else if (nr >= 0 && nr < NAMED_SYSCALLS && syscall_names[nr][0]) {
		put_str(&l, syscall_names[nr]);
	} else {
		put_str(&l, "unknown");
	}
#ifdef __x86_64__
	/* The first three arguments tell an ioctl request, open flags or
	 * clone flags apart. */
	put_str(&l, "; arguments ");
	put_num(&l, (uint64_t)uc->uc_mcontext.gregs[REG_RDI], 16);
	put_str(&l, ", ");
	put_num(&l, (uint64_t)uc->uc_mcontext.gregs[REG_RSI], 16);
	put_str(&l, ", ");
	put_num(&l, (uint64_t)uc->uc_mcontext.gregs[REG_RDX], 16);
#else
	(void)uc;
#endif
	put_str(&l, "); stopping -- if kvmbus needs it, add it to "
		"vmm/seccomp.c; --no-seccomp runs without the sandbox");
	l.buf[l.len++] = '\n';

	/* Nothing to do if stderr is gone: the exit status still says. */
	ssize_t rc = write(STDERR_FILENO, l.buf, l.len);
	(void)rc;
	/* The system call itself, not _exit(): a sanitizer runtime hooks
	 * _exit() with calls of its own, which would trap again while
	 * SIGSYS is blocked here and so kill us without a status. */
	syscall(SYS_exit_group, 1);
	_exit(1);   /* not reached */
}

/* ---- building and loading the filter ------------------------------------- */

static int add_rule(scmp_filter_ctx ctx, const struct rule *r, pid_t self)
{
	switch (r->kind) {
	case ANY_ARGS:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, r->nr, 0);
	case ARG_MASKED:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, r->nr, 1,
					SCMP_CMP64(r->arg, SCMP_CMP_MASKED_EQ,
						   r->mask, r->value));
	case ARG_OWN_PID:
		/* A pid is an int: compare its 32 bits, as the kernel reads
		 * them. */
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, r->nr, 1,
					SCMP_CMP64(r->arg, SCMP_CMP_MASKED_EQ,
						   0xFFFFFFFFull,
						   (uint32_t)self));
	case FAIL_ENOSYS:
		return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), r->nr, 0);
	}
	return -EINVAL;
}

static int install_reporter(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGSYS, &sa, NULL);
}

int sandbox_install(char *err, size_t errlen)
{
	const size_t n = sizeof(allowlist) / sizeof(allowlist[0]);
	pid_t self = getpid();
	int rc;

	remember_syscall_names();
	if (install_reporter() < 0) {
		snprintf(err, errlen, "cannot install the SIGSYS handler: %s",
			 strerror(errno));
		return -1;
	}

	/* Everything off the list traps; so does a call through another
	 * ABI (int 0x80, x32), which the table's numbers do not cover. */
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx) {
		snprintf(err, errlen, "seccomp_init failed");
		return -1;
	}
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRAP);
	/* Confine threads that already exist too, not only later ones. */
	if (rc == 0)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (rc < 0) {
		snprintf(err, errlen, "seccomp_attr_set: %s", strerror(-rc));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		rc = add_rule(ctx, &allowlist[i], self);
		if (rc < 0) {
			char *name = seccomp_syscall_resolve_num_arch(
				seccomp_arch_native(), allowlist[i].nr);
			snprintf(err, errlen, "cannot add the rule for %s: %s",
				 name ? name : "?", strerror(-rc));
			free(name);
			goto out;
		}
	}
	rc = seccomp_load(ctx);
	if (rc < 0)
		snprintf(err, errlen, "cannot load the seccomp filter: %s "
			 "(does this kernel support seccomp filters?)",
			 strerror(-rc));
out:
	seccomp_release(ctx);
	return rc < 0 ? -1 : 0;
}
