/* probe.c — minimal KVM smoke test and exit-cost benchmark.
 *
 * Build (static, so it runs inside a bare busybox initramfs too):
 *     gcc -O2 -static -pthread -o probe tests/nested/probe.c
 *
 * What it does, against /dev/kvm:
 *   - prints the KVM API version and a list of capabilities (KVM_CHECK_EXTENSION)
 *   - creates a VM with an in-kernel irqchip (KVM_CREATE_IRQCHIP)
 *   - enables KVM_CAP_X86_USER_SPACE_MSR (UNKNOWN|INVAL|FILTER) and installs an
 *     MSR filter (KVM_X86_SET_MSR_FILTER) that denies reads of MSR 0x10 (TSC)
 *   - creates 2 vCPUs, puts both straight into 64-bit long mode through
 *     KVM_SET_SREGS (identity-mapped 2 MiB page, flat GDT segments,
 *     CR0.PE|PG, CR4.PAE, EFER.LME|LMA) and runs a tiny guest that
 *       1. writes 'A' to port 0x10
 *       2. does N `out` to port 0x11 (N from RCX) to time the exit round-trip
 *       3. rdmsr 0x40000000  -> expects KVM_EXIT_X86_RDMSR (reason UNKNOWN/INVAL)
 *       4. rdmsr 0x10        -> expects KVM_EXIT_X86_RDMSR (reason FILTER)
 *       5. writes the results to port 0x12 and stops with `out` to port 0xf4
 *     vCPU 0 runs on the main thread, vCPU 1 on a second thread, concurrently.
 *   - checks KVM_CAP_IMMEDIATE_EXIT (run with immediate_exit=1 returns EINTR)
 *     and KVM_CAP_SYNC_REGS (regs come back in kvm_run->s.regs)
 *   - sends one MSI via KVM_SIGNAL_MSI (to the in-kernel LAPIC)
 *
 * Exit status 0 when every check passed; the last line is "PROBE: PASS" or
 * "PROBE: FAIL (n failures)".  Usage: probe [N-out-exits, default 10000]
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MEM_SIZE   0x200000ul /* 2 MiB guest RAM at GPA 0 */
#define PML4_GPA   0x1000
#define PDPT_GPA   0x2000
#define PD_GPA     0x3000
#define GDT_GPA    0x500
#define CODE_GPA   0x10000
#define MSR_PROBE  0x40000000u /* nothing handles it without Hyper-V CPUID */
#define MSR_FILTERED 0x10u     /* IA32_TIME_STAMP_COUNTER, denied by our filter */

/* Guest code, 64-bit, position independent.  In: RCX = loop count. */
__asm__(".pushsection .rodata\n"
        ".globl guest_code, guest_code_end\n"
        "guest_code:\n"
        "  mov %rcx, %rbx\n"
        "  mov $'A', %al\n"
        "  out %al, $0x10\n"          /* exit 1: hello */
        "  mov %rbx, %rcx\n"
        "  test %rcx, %rcx\n"
        "  jz 2f\n"
        "1: out %al, $0x11\n"          /* N benchmark exits */
        "  dec %rcx\n"
        "  jnz 1b\n"
        "2: mov $0x40000000, %ecx\n"
        "  rdmsr\n"                    /* exits to user space */
        "  mov %eax, %r8d\n"
        "  mov $0x10, %ecx\n"
        "  rdmsr\n"                    /* denied by the filter: exits to user space */
        "  mov %eax, %r9d\n"
        "  mov %r8d, %eax\n"
        "  out %eax, $0x12\n"          /* value the VMM gave for 0x40000000 */
        "  mov %r9d, %eax\n"
        "  out %eax, $0x12\n"          /* value the VMM gave for 0x10 */
        "  out %al, $0xf4\n"           /* done */
        "3: hlt\n"
        "  jmp 3b\n"
        "guest_code_end:\n"
        ".popsection\n");
extern const uint8_t guest_code[], guest_code_end[];

static int kvm_fd, vm_fd;
static size_t run_size;
static int failures;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

#define say(...) do { pthread_mutex_lock(&out_lock); printf(__VA_ARGS__); fflush(stdout); \
                      pthread_mutex_unlock(&out_lock); } while (0)
#define check(cond, ...) do { if (cond) say("  ok    " __VA_ARGS__); \
        else { say("  FAIL  " __VA_ARGS__); __atomic_add_fetch(&failures, 1, __ATOMIC_SEQ_CST); } } while (0)

static void die(const char *what)
{
    printf("PROBE: FATAL %s: %s\n", what, strerror(errno));
    printf("PROBE: FAIL\n");
    exit(2);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const struct { int cap; const char *name; } caps[] = {
#define C(x) { KVM_CAP_##x, #x }
    C(IRQCHIP), C(USER_MEMORY), C(NR_VCPUS), C(MAX_VCPUS), C(MAX_VCPU_ID),
    C(NR_MEMSLOTS), C(SET_TSS_ADDR), C(EXT_CPUID), C(MP_STATE), C(IOEVENTFD),
    C(IRQFD), C(IRQ_ROUTING), C(SIGNAL_MSI), C(SPLIT_IRQCHIP), C(X2APIC_API),
    C(IMMEDIATE_EXIT), C(SYNC_REGS), C(X86_USER_SPACE_MSR), C(X86_MSR_FILTER),
    C(READONLY_MEM), C(TSC_DEADLINE_TIMER), C(TSC_CONTROL), C(GET_TSC_KHZ),
    C(HLT), C(X86_DISABLE_EXITS), C(EXCEPTION_PAYLOAD), C(NESTED_STATE),
    C(XSAVE), C(XCRS), C(DEBUGREGS), C(VCPU_EVENTS), C(ADJUST_CLOCK),
    C(KVMCLOCK_CTRL), C(PIT2), C(PIT_STATE2), C(IOAPIC_POLARITY_IGNORED),
    C(HYPERV), C(HYPERV_SYNIC), C(HYPERV_SYNIC2), C(HYPERV_VP_INDEX),
    C(HYPERV_TIME), C(HYPERV_TLBFLUSH), C(HYPERV_SEND_IPI), C(HYPERV_CPUID),
    C(HYPERV_DIRECT_TLBFLUSH), C(HYPERV_ENFORCE_CPUID), C(SYS_HYPERV_CPUID),
    C(HYPERV_EVENTFD), C(MANUAL_DIRTY_LOG_PROTECT2), C(DIRTY_LOG_RING),
    C(COALESCED_MMIO), C(COALESCED_PIO), C(MSI_DEVID), C(GUEST_DEBUG_HW_BPS),
    C(SET_GUEST_DEBUG), C(X86_BUS_LOCK_EXIT), C(PMU_CAPABILITY),
    C(X86_TRIPLE_FAULT_EVENT), C(X86_NOTIFY_VMEXIT), C(ENFORCE_PV_FEATURE_CPUID),
    C(VM_DISABLE_NX_HUGE_PAGES), C(XSAVE2), C(SYS_ATTRIBUTES),
#undef C
};

static void set_seg(struct kvm_segment *s, uint16_t sel, int code)
{
    memset(s, 0, sizeof *s);
    s->base = 0;
    s->limit = 0xffffffff;
    s->selector = sel;
    s->present = 1;
    s->dpl = 0;
    s->db = code ? 0 : 1; /* L=1 requires D=0 for code */
    s->s = 1;
    s->l = code ? 1 : 0;
    s->g = 1;
    s->type = code ? 0xb /* exec/read, accessed */ : 0x3 /* read/write, accessed */;
}

static void setup_memory(uint8_t *mem)
{
    uint64_t *pml4 = (uint64_t *)(mem + PML4_GPA);
    uint64_t *pdpt = (uint64_t *)(mem + PDPT_GPA);
    uint64_t *pd = (uint64_t *)(mem + PD_GPA);
    pml4[0] = PDPT_GPA | 0x3;       /* P|RW */
    pdpt[0] = PD_GPA | 0x3;
    pd[0] = 0x0 | 0x83;             /* P|RW|PS: 2 MiB identity page */

    uint64_t *gdt = (uint64_t *)(mem + GDT_GPA);
    gdt[0] = 0;
    gdt[1] = 0x00af9b000000ffffull; /* 0x08: 64-bit code */
    gdt[2] = 0x00cf93000000ffffull; /* 0x10: data */

    memcpy(mem + CODE_GPA, guest_code, guest_code_end - guest_code);
}

struct vcpu {
    int id, fd;
    struct kvm_run *run;
    unsigned long n_out;
    double t_loop;           /* seconds spent in the N out exits */
    unsigned long outs_seen;
    uint32_t msr_values[2];
    int n_msr_values;
    uint32_t rdmsr_reason[2];
    int n_rdmsr;
    int done;
};

static void setup_vcpu(struct vcpu *v)
{
    v->fd = ioctl(vm_fd, KVM_CREATE_VCPU, v->id);
    if (v->fd < 0)
        die("KVM_CREATE_VCPU");
    v->run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
    if (v->run == MAP_FAILED)
        die("mmap kvm_run");

    /* Give the vCPU the host's supported CPUID (long mode needs LM etc.). */
    int n = 256;
    struct kvm_cpuid2 *cpuid = calloc(1, sizeof *cpuid + n * sizeof(struct kvm_cpuid_entry2));
    cpuid->nent = n;
    if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid) < 0)
        die("KVM_GET_SUPPORTED_CPUID");
    if (ioctl(v->fd, KVM_SET_CPUID2, cpuid) < 0)
        die("KVM_SET_CPUID2");
    free(cpuid);

    struct kvm_sregs sregs;
    if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
        die("KVM_GET_SREGS");
    set_seg(&sregs.cs, 0x08, 1);
    set_seg(&sregs.ds, 0x10, 0);
    sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
    sregs.gdt.base = GDT_GPA;
    sregs.gdt.limit = 3 * 8 - 1;
    sregs.cr3 = PML4_GPA;
    sregs.cr4 = 1u << 5;                                   /* PAE */
    sregs.cr0 = (1u << 0) | (1u << 4) | (1u << 5) | (1u << 31); /* PE|ET|NE|PG */
    sregs.efer = (1u << 8) | (1u << 10);                  /* LME|LMA */
    if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0)
        die("KVM_SET_SREGS");

    struct kvm_regs regs;
    memset(&regs, 0, sizeof regs);
    regs.rip = CODE_GPA;
    regs.rsp = MEM_SIZE - 0x1000 * (v->id + 1);
    regs.rflags = 0x2;
    regs.rcx = v->n_out;
    if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
        die("KVM_SET_REGS");

    /* With the in-kernel LAPIC every vCPU but the BSP starts in wait-for-SIPI. */
    struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
    if (ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0)
        die("KVM_SET_MP_STATE");
}

static void *run_vcpu(void *arg)
{
    struct vcpu *v = arg;
    struct kvm_run *r = v->run;
    double t0 = 0;
    for (;;) {
        if (ioctl(v->fd, KVM_RUN, 0) < 0) {
            if (errno == EINTR)
                continue;
            say("vcpu%d: KVM_RUN: %s\n", v->id, strerror(errno));
            __atomic_add_fetch(&failures, 1, __ATOMIC_SEQ_CST);
            return NULL;
        }
        switch (r->exit_reason) {
        case KVM_EXIT_IO: {
            uint8_t *data = (uint8_t *)r + r->io.data_offset;
            if (r->io.direction != KVM_EXIT_IO_OUT)
                break;
            switch (r->io.port) {
            case 0x10:
                say("vcpu%d: guest in long mode says '%c' via out 0x10\n", v->id, data[0]);
                t0 = now();
                break;
            case 0x11:
                if (++v->outs_seen == v->n_out)
                    v->t_loop = now() - t0;
                break;
            case 0x12:
                if (v->n_msr_values < 2)
                    v->msr_values[v->n_msr_values++] = *(uint32_t *)data;
                break;
            case 0xf4:
                v->done = 1;
                return NULL;
            }
            break;
        }
        case KVM_EXIT_X86_RDMSR:
            say("vcpu%d: KVM_EXIT_X86_RDMSR index=0x%x reason=%s\n", v->id, r->msr.index,
                r->msr.reason == KVM_MSR_EXIT_REASON_UNKNOWN ? "UNKNOWN"
                : r->msr.reason == KVM_MSR_EXIT_REASON_INVAL ? "INVAL"
                : r->msr.reason == KVM_MSR_EXIT_REASON_FILTER ? "FILTER" : "?");
            if (v->n_rdmsr < 2)
                v->rdmsr_reason[v->n_rdmsr++] = r->msr.reason;
            r->msr.error = 0;
            r->msr.data = 0x1234000u + r->msr.index; /* value the guest will see */
            break;
        case KVM_EXIT_X86_WRMSR:
            r->msr.error = 0;
            break;
        case KVM_EXIT_HLT:
            say("vcpu%d: unexpected HLT exit\n", v->id);
            return NULL;
        case KVM_EXIT_FAIL_ENTRY:
            say("vcpu%d: FAIL_ENTRY reason=0x%llx\n", v->id,
                (unsigned long long)r->fail_entry.hardware_entry_failure_reason);
            return NULL;
        case KVM_EXIT_INTERNAL_ERROR:
            say("vcpu%d: INTERNAL_ERROR suberror=%u\n", v->id, r->internal.suberror);
            return NULL;
        case KVM_EXIT_SHUTDOWN:
            say("vcpu%d: SHUTDOWN (triple fault)\n", v->id);
            return NULL;
        default:
            say("vcpu%d: unexpected exit reason %u\n", v->id, r->exit_reason);
            return NULL;
        }
    }
}

int main(int argc, char **argv)
{
    unsigned long n_out = argc > 1 ? strtoul(argv[1], NULL, 0) : 10000;
    setvbuf(stdout, NULL, _IOLBF, 0);

    kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm_fd < 0)
        die("open /dev/kvm");
    int api = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);
    printf("KVM_GET_API_VERSION = %d\n", api);
    run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);

    printf("capabilities (KVM_CHECK_EXTENSION on /dev/kvm):\n");
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        int r = ioctl(kvm_fd, KVM_CHECK_EXTENSION, caps[i].cap);
        printf("  %-28s %d\n", caps[i].name, r);
    }

    vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
    if (vm_fd < 0)
        die("KVM_CREATE_VM");
    if (ioctl(vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000ul) < 0)
        die("KVM_SET_TSS_ADDR");

    printf("checks:\n");
    check(ioctl(vm_fd, KVM_CREATE_IRQCHIP, 0) == 0, "KVM_CREATE_IRQCHIP\n");

    uint8_t *mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED)
        die("mmap guest memory");
    setup_memory(mem);
    struct kvm_userspace_memory_region region = {
        .slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
        .userspace_addr = (uintptr_t)mem,
    };
    if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
        die("KVM_SET_USER_MEMORY_REGION");

    struct kvm_enable_cap cap = { .cap = KVM_CAP_X86_USER_SPACE_MSR };
    cap.args[0] = KVM_MSR_EXIT_REASON_UNKNOWN | KVM_MSR_EXIT_REASON_INVAL | KVM_MSR_EXIT_REASON_FILTER;
    check(ioctl(vm_fd, KVM_ENABLE_CAP, &cap) == 0, "KVM_ENABLE_CAP(X86_USER_SPACE_MSR, UNKNOWN|INVAL|FILTER)\n");

    uint8_t deny_bitmap[1] = { 0 }; /* bit clear = deny */
    struct kvm_msr_filter filter = { .flags = KVM_MSR_FILTER_DEFAULT_ALLOW };
    filter.ranges[0].flags = KVM_MSR_FILTER_READ;
    filter.ranges[0].base = MSR_FILTERED;
    filter.ranges[0].nmsrs = 1;
    filter.ranges[0].bitmap = deny_bitmap;
    check(ioctl(vm_fd, KVM_X86_SET_MSR_FILTER, &filter) == 0, "KVM_X86_SET_MSR_FILTER (deny read of MSR 0x10)\n");

    struct vcpu v[2] = { { .id = 0, .n_out = n_out }, { .id = 1, .n_out = 100 } };
    setup_vcpu(&v[0]);
    setup_vcpu(&v[1]);

    /* KVM_CAP_IMMEDIATE_EXIT: with immediate_exit set, KVM_RUN returns EINTR at once. */
    v[0].run->immediate_exit = 1;
    int r = ioctl(v[0].fd, KVM_RUN, 0);
    check(r < 0 && errno == EINTR, "KVM_RUN with immediate_exit=1 returns EINTR (r=%d errno=%d)\n", r, errno);
    v[0].run->immediate_exit = 0;

    /* KVM_CAP_SYNC_REGS: ask for regs in kvm_run->s.regs. */
    v[0].run->kvm_valid_regs = KVM_SYNC_X86_REGS;

    /* KVM_SIGNAL_MSI: deliver vector 0x30 to APIC ID 0 (guest has IF=0, so it just pends). */
    struct kvm_msi msi = { .address_lo = 0xfee00000, .data = 0x30 };
    r = ioctl(vm_fd, KVM_SIGNAL_MSI, &msi);
    check(r >= 0, "KVM_SIGNAL_MSI returned %d\n", r);

    double t_start = now();
    pthread_t th;
    pthread_create(&th, NULL, run_vcpu, &v[1]);
    run_vcpu(&v[0]);
    pthread_join(th, NULL);
    double t_all = now() - t_start;

    for (int i = 0; i < 2; i++) {
        check(v[i].done, "vcpu%d reached the exit port (64-bit guest ran to the end)\n", i);
        check(v[i].outs_seen == v[i].n_out, "vcpu%d saw %lu/%lu out exits\n", i, v[i].outs_seen, v[i].n_out);
        check(v[i].n_rdmsr == 2 &&
              (v[i].rdmsr_reason[0] == KVM_MSR_EXIT_REASON_UNKNOWN ||
               v[i].rdmsr_reason[0] == KVM_MSR_EXIT_REASON_INVAL) &&
              v[i].rdmsr_reason[1] == KVM_MSR_EXIT_REASON_FILTER,
              "vcpu%d rdmsr 0x40000000 -> KVM_EXIT_X86_RDMSR, rdmsr 0x10 -> KVM_EXIT_X86_RDMSR(FILTER)\n", i);
        check(v[i].n_msr_values == 2 && v[i].msr_values[0] == 0x1234000u + MSR_PROBE &&
              v[i].msr_values[1] == 0x1234000u + MSR_FILTERED,
              "vcpu%d guest read back the values user space supplied (0x%x, 0x%x)\n", i,
              v[i].msr_values[0], v[i].msr_values[1]);
    }
    check(v[0].run->kvm_valid_regs & KVM_SYNC_X86_REGS && v[0].run->s.regs.regs.rip > CODE_GPA,
          "sync regs: kvm_run->s.regs.regs.rip = 0x%llx\n", (unsigned long long)v[0].run->s.regs.regs.rip);

    if (v[0].n_out && v[0].t_loop > 0)
        printf("timing: %lu out exits in %.3f s = %.2f us per exit (KVM_RUN round trip); whole run %.3f s\n",
               v[0].n_out, v[0].t_loop, v[0].t_loop * 1e6 / v[0].n_out, t_all);
    if (failures)
        printf("PROBE: FAIL (%d failures)\n", failures);
    else
        printf("PROBE: PASS\n");
    return failures ? 1 : 0;
}
