// SPDX-License-Identifier: MIT
/* sandbox: a child that installs the filter can still do what a running
 * kvmbus does (write, threads and futexes, signals to its own threads,
 * clocks, malloc, report files through stdio and libpng, the KVM
 * ioctls), and every call off the list -- socket, execve, fork, unlink,
 * read-opens, other ioctls, executable memory, signals to another
 * process, ptrace -- is stopped before it happens, with the one-line
 * message and exit status 1.
 *
 * The filter cannot be lifted, so each case runs in a forked child.  The
 * child ends with _exit(): exit() would run the sanitizer's leak check,
 * which needs calls (ptrace, /proc reads) the sandbox rightly refuses. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vmm/screenshot.h"
#include "vmm/seccomp.h"

/* Exit status of a child whose sandbox_install() failed. */
#define CHILD_NO_SANDBOX 99

/* What a child is handed: a pipe to write to, a scratch directory, and
 * the test's pid (getppid is not on the list). */
struct child_env {
	int pipe_wr;
	char dir[64];
	pid_t parent;
};

struct child_result {
	int status;        /* from waitpid */
	char err[1024];    /* the child's stderr */
};

/* Run fn in a forked child that installs the sandbox first, with its
 * stderr captured.  fn's return value is the child's exit status. */
static void run_sandboxed(int (*fn)(const struct child_env *),
			  const struct child_env *env, struct child_result *res)
{
	int errpipe[2];
	size_t len = 0;

	assert_int_equal(pipe(errpipe), 0);
	fflush(NULL);   /* or the child would print the parent's buffers */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char err[256];

		close(errpipe[0]);
		dup2(errpipe[1], STDERR_FILENO);
		close(errpipe[1]);
		if (sandbox_install(err, sizeof(err)) < 0) {
			fprintf(stderr, "sandbox_install: %s\n", err);
			fflush(stderr);
			_exit(CHILD_NO_SANDBOX);
		}
		_exit(fn(env));
	}
	close(errpipe[1]);
	for (;;) {
		ssize_t n = read(errpipe[0], res->err + len,
				 sizeof(res->err) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	res->err[len] = '\0';
	close(errpipe[0]);
	while (waitpid(pid, &res->status, 0) < 0)
		assert_int_equal(errno, EINTR);
}

static void setup_env(struct child_env *env, int pipe_wr)
{
	env->pipe_wr = pipe_wr;
	env->parent = getpid();
	snprintf(env->dir, sizeof(env->dir), "/tmp/kvmbus-seccomp.XXXXXX");
	assert_non_null(mkdtemp(env->dir));
}

static void path_in(const struct child_env *env, const char *name, char *out,
		    size_t outlen)
{
	snprintf(out, outlen, "%s/%s", env->dir, name);
}

/* The only files a case leaves behind. */
static void cleanup_env(const struct child_env *env)
{
	static const char *const names[] = { "report.txt", "screen.png", "keep" };
	char path[128];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		path_in(env, names[i], path, sizeof(path));
		unlink(path);
	}
	assert_int_equal(rmdir(env->dir), 0);
}

/* ---- allowed work ----------------------------------------------------- */

struct handoff {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	pthread_t waiter;
};

static volatile sig_atomic_t kicked;

static void on_kick(int sig)
{
	(void)sig;
	kicked = 1;
}

/* As a vCPU thread does: take the lock, wake the main thread, and kick
 * it with a signal (pthread_kill = getpid + tgkill). */
static void *worker(void *arg)
{
	struct handoff *h = arg;

	pthread_mutex_lock(&h->lock);
	h->done = true;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	pthread_kill(h->waiter, SIGUSR1);
	return NULL;
}

static int threads_and_signals(void)
{
	struct handoff h = { .done = false };
	struct sigaction sa;
	pthread_t t;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_kick;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		return 10;
	pthread_mutex_init(&h.lock, NULL);
	pthread_cond_init(&h.cond, NULL);
	h.waiter = pthread_self();
	if (pthread_create(&t, NULL, worker, &h) != 0)
		return 11;
	pthread_mutex_lock(&h.lock);
	while (!h.done)
		pthread_cond_wait(&h.cond, &h.lock);
	pthread_mutex_unlock(&h.lock);
	if (pthread_join(t, NULL) != 0)
		return 12;
	/* The kick may land a moment after the join returns. */
	for (int i = 0; i < 1000 && !kicked; i++)
		sched_yield();
	return kicked ? 0 : 13;
}

static int clocks_and_sleep(void)
{
	struct timespec ts, nap = { .tv_sec = 0, .tv_nsec = 1000000 };

	/* The system call itself, not the vDSO, which needs none. */
	if (syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) != 0)
		return 20;
	if (nanosleep(&nap, NULL) != 0)
		return 21;
	struct rusage ru;   /* --stats: our own peak RSS */
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 22;
	return 0;
}

static int memory(void)
{
	/* Big enough for malloc to use mmap, mremap and munmap. */
	char *p = malloc(1u << 20);

	if (!p)
		return 30;
	memset(p, 1, 1u << 20);
	char *q = realloc(p, 8u << 20);
	if (!q)
		return 31;
	free(q);

	long page = sysconf(_SC_PAGESIZE);
	void *m = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 32;
	unsigned char resident;
	if (mincore(m, (size_t)page, &resident) != 0)   /* --stats */
		return 34;
	if (mprotect(m, (size_t)page, PROT_NONE) != 0 ||
	    madvise(m, (size_t)page, MADV_DONTNEED) != 0 ||
	    munmap(m, (size_t)page) != 0)
		return 33;
	return 0;
}

/* Report files at the end of a run: the SVG's way (fopen "w", fprintf,
 * fclose) and the screenshot's, through libpng. */
static int report_files(const struct child_env *env)
{
	static const uint32_t pixels[2 * 4] = {
		0xFFFFFF, 0xFF0000, 0x00FF00, 0x0000FF,
		0x000000, 0x808080, 0xFFFF00, 0x00FFFF,
	};
	char path[128], err[256];

	path_in(env, "report.txt", path, sizeof(path));
	FILE *f = fopen(path, "w");
	if (!f)
		return 40;
	fprintf(f, "report\n");
	if (fclose(f) != 0)
		return 41;
	path_in(env, "screen.png", path, sizeof(path));
	if (screenshot_write_png(path, (const uint8_t *)pixels, 4, 2, 16, 32,
				 err, sizeof(err)) < 0)
		return 42;
	return 0;
}

/* The KVM requests pass the filter: on a pipe they fail with ENOTTY
 * instead of trapping.  KVM_GET_REGS also sign-extended, as a caller
 * passing it through an int would. */
static int kvm_ioctls(const struct child_env *env)
{
	static const unsigned long requests[] = {
		KVM_RUN, KVM_GET_REGS, KVM_SET_REGS, KVM_GET_SREGS,
		KVM_GET_FPU, KVM_SIGNAL_MSI, KVM_SET_USER_MEMORY_REGION, TCGETS,
		KVM_SET_SREGS, KVM_SET_LAPIC, KVM_SET_VCPU_EVENTS,
		KVM_SET_MP_STATE,
		(unsigned long)(long)(int)KVM_GET_REGS,
	};
	char scratch[512] = { 0 };

	for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		errno = 0;
		if (ioctl(env->pipe_wr, requests[i], scratch) != -1 ||
		    errno != ENOTTY)
			return 50 + (int)i;
	}
	return 0;
}

static int allowed_work(const struct child_env *env)
{
	static const char hello[] = "hello from the sandbox";
	int rc;

	if (write(env->pipe_wr, hello, sizeof(hello)) != (ssize_t)sizeof(hello))
		return 1;
	if ((rc = threads_and_signals()) != 0 || (rc = clocks_and_sleep()) != 0 ||
	    (rc = memory()) != 0 || (rc = report_files(env)) != 0 ||
	    (rc = kvm_ioctls(env)) != 0)
		return rc;
	/* clone3 is refused softly, so that glibc falls back to clone. */
	errno = 0;
	if (syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
		return 60;
	return 0;
}

static void test_allowed_work_runs(void **state)
{
	(void)state;
	struct child_env env;
	struct child_result res;
	int data[2];
	char got[64] = { 0 };
	char path[128];

	assert_int_equal(pipe(data), 0);
	setup_env(&env, data[1]);
	run_sandboxed(allowed_work, &env, &res);
	close(data[1]);

	if (!WIFEXITED(res.status) || WEXITSTATUS(res.status) != 0)
		print_error("child status 0x%x, stderr: %s\n", res.status,
			    res.err);
	assert_true(WIFEXITED(res.status));
	assert_int_equal(WEXITSTATUS(res.status), 0);
	assert_string_equal(res.err, "");

	assert_true(read(data[0], got, sizeof(got) - 1) > 0);
	assert_string_equal(got, "hello from the sandbox");
	close(data[0]);

	path_in(&env, "report.txt", path, sizeof(path));
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(got, sizeof(got), f));
	assert_string_equal(got, "report\n");
	fclose(f);

	static const unsigned char png_signature[8] = {
		0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n',
	};
	unsigned char head[8];
	path_in(&env, "screen.png", path, sizeof(path));
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(head, 1, sizeof(head), f), sizeof(head));
	assert_memory_equal(head, png_signature, sizeof(head));
	fclose(f);
	cleanup_env(&env);
}

/* ---- blocked calls ------------------------------------------------------ */

static int try_socket(const struct child_env *env)
{
	(void)env;
	return socket(AF_UNIX, SOCK_STREAM, 0) >= 0 ? 0 : 2;
}

static void *socket_thread(void *arg)
{
	(void)arg;
	socket(AF_UNIX, SOCK_STREAM, 0);
	return NULL;
}

/* As in a vCPU thread: the whole process must end, not just the thread
 * (the join would then return, and the child exit 2). */
static int try_socket_in_thread(const struct child_env *env)
{
	pthread_t t;

	(void)env;
	if (pthread_create(&t, NULL, socket_thread, NULL) != 0)
		return 3;
	pthread_join(t, NULL);
	return 2;
}

/* If execve ran, /bin/true would exit 0. */
static int try_execve(const struct child_env *env)
{
	char *argv[] = { "true", NULL };
	char *envp[] = { NULL };

	(void)env;
	execve("/bin/true", argv, envp);
	return 2;
}

static int try_fork(const struct child_env *env)
{
	(void)env;
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	return 2;
}

static int try_unlink(const struct child_env *env)
{
	char path[128];

	path_in(env, "keep", path, sizeof(path));
	unlink(path);
	return 2;
}

static int try_read_open(const struct child_env *env)
{
	char path[128];

	path_in(env, "keep", path, sizeof(path));
	return open(path, O_RDONLY) >= 0 ? 0 : 2;
}

/* An ioctl that is no KVM request: FIONREAD on our own pipe. */
static int try_other_ioctl(const struct child_env *env)
{
	int n;

	return ioctl(env->pipe_wr, FIONREAD, &n) == 0 ? 0 : 2;
}

static int try_exec_memory(const struct child_env *env)
{
	(void)env;
	return mmap(NULL, 4096, PROT_READ | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED ? 0 : 2;
}

/* Signal 0 to the parent: harmless even if it went through. */
static int try_signal_other_process(const struct child_env *env)
{
	return syscall(SYS_tgkill, env->parent, env->parent, 0) == 0 ? 0 : 2;
}

static int try_ptrace(const struct child_env *env)
{
	(void)env;
	return ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0 ? 0 : 2;
}

/* Run a child that makes a refused call; it must be stopped with the
 * one-line message naming the call, and exit status 1. */
static void expect_blocked(int (*fn)(const struct child_env *),
			   const char *syscall_name)
{
	struct child_env env;
	struct child_result res;
	int data[2];
	char keep[128], want[64];
	struct stat st;

	assert_int_equal(pipe(data), 0);
	setup_env(&env, data[1]);
	path_in(&env, "keep", keep, sizeof(keep));
	FILE *f = fopen(keep, "w");
	assert_non_null(f);
	fclose(f);

	run_sandboxed(fn, &env, &res);
	close(data[0]);
	close(data[1]);

	if (!WIFEXITED(res.status) || WEXITSTATUS(res.status) != 1)
		print_error("%s: child status 0x%x, stderr: %s\n", syscall_name,
			    res.status, res.err);
	assert_true(WIFEXITED(res.status));
	assert_int_equal(WEXITSTATUS(res.status), 1);

	snprintf(want, sizeof(want), " (%s; arguments ", syscall_name);
	assert_true(strncmp(res.err, "kvmbus: sandbox: blocked system call ",
			    strlen("kvmbus: sandbox: blocked system call ")) == 0);
	assert_non_null(strstr(res.err, want));
	assert_non_null(strstr(res.err, "--no-seccomp"));
	/* Exactly one line. */
	assert_ptr_equal(strchr(res.err, '\n'), res.err + strlen(res.err) - 1);

	/* The refused unlink did not happen. */
	assert_int_equal(stat(keep, &st), 0);
	cleanup_env(&env);
}

static void test_socket_blocked(void **state)
{
	(void)state;
	expect_blocked(try_socket, "socket");
}

static void test_blocked_in_thread_ends_process(void **state)
{
	(void)state;
	expect_blocked(try_socket_in_thread, "socket");
}

static void test_execve_blocked(void **state)
{
	(void)state;
	expect_blocked(try_execve, "execve");
}

static void test_fork_blocked(void **state)
{
	(void)state;
	expect_blocked(try_fork, "clone");
}

static void test_unlink_blocked(void **state)
{
	(void)state;
	expect_blocked(try_unlink, "unlink");
}

static void test_read_open_blocked(void **state)
{
	(void)state;
	expect_blocked(try_read_open, "openat");
}

static void test_other_ioctl_blocked(void **state)
{
	(void)state;
	expect_blocked(try_other_ioctl, "ioctl");
}

static void test_exec_memory_blocked(void **state)
{
	(void)state;
	expect_blocked(try_exec_memory, "mmap");
}

static void test_signal_other_process_blocked(void **state)
{
	(void)state;
	expect_blocked(try_signal_other_process, "tgkill");
}

static void test_ptrace_blocked(void **state)
{
	(void)state;
	expect_blocked(try_ptrace, "ptrace");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allowed_work_runs),
		cmocka_unit_test(test_socket_blocked),
		cmocka_unit_test(test_blocked_in_thread_ends_process),
		cmocka_unit_test(test_execve_blocked),
		cmocka_unit_test(test_fork_blocked),
		cmocka_unit_test(test_unlink_blocked),
		cmocka_unit_test(test_read_open_blocked),
		cmocka_unit_test(test_other_ioctl_blocked),
		cmocka_unit_test(test_exec_memory_blocked),
		cmocka_unit_test(test_signal_other_process_blocked),
		cmocka_unit_test(test_ptrace_blocked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
