// SPDX-License-Identifier: MIT
/*
 * kvmbus: run a guest on KVM with a user-space Hyper-V VMBus host.
 *
 *   kvmbus --help | --version | scenarios | run [options]
 *
 * Exit statuses (constants in vmm/vm.h):
 *   0  KVMBUS_EXIT_PASS        the guest reported PASS on KVMBUS_PORT_EXIT
 *   1  KVMBUS_EXIT_HOST_ERROR  usage error or host-side failure: bad option,
 *                              no /dev/kvm, a KVM ioctl failed, bad kernel file
 *   2  KVMBUS_EXIT_GUEST_FAIL  the guest reported FAIL, crashed (triple
 *                              fault, emulation failure, ...), or stopped
 *                              without reporting
 *   3  KVMBUS_EXIT_CONFLICT    MMIO conflict reproduced: the guest reported
 *                              a device refused its MMIO, and the host's
 *                              registry recorded that overlap refusal
 *   4  KVMBUS_EXIT_TIMEOUT     --timeout expired
 *
 * This file stays thin: parse, build the machine, plug in the services,
 * run, turn the verdict into the exit status.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmbus/sink.h"
#include "vmm/devices.h"
#include "vmm/log.h"
#include "vmm/options.h"
#include "vmm/stats.h"
#include "vmm/trace.h"
#include "vmm/vm.h"

#define DEFAULT_KERNEL_NAME "kvmbus-guest.elf"

/* The guest test kernel is built next to the program: look for it in the
 * directory of /proc/self/exe, wherever kvmbus is started from. */
static int default_kernel_path(char *out, size_t outlen, const char *name)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	int len = snprintf(out, outlen, "%s/%s", exe, name);
	return len < 0 || (size_t)len >= outlen ? -1 : 0;
}

/* ---- benchmark additions (tests/bench): --stats and --bench-sink ---- */

struct bench {
	struct vmbus_sink *sink;
};

/* After the devices, before the sandbox: the sink is registered last, so
 * the relids of the normal services do not move. */
static int bench_setup(struct bench *b, struct vm *vm,
		       const struct kvmbus_options *o)
{
	if (o->bench_sink) {
		b->sink = vmbus_sink_create();
		if (!b->sink ||
		    vmbus_register_service(vm->bus, vmbus_sink_service(b->sink)) < 0) {
			log_err("cannot set up the bench sink service");
			return -1;
		}
	}
	if (o->stats) {
		vm->stats = stats_create(vm, b->sink);
		if (!vm->stats) {
			log_err("out of memory for --stats");
			return -1;
		}
	}
	return 0;
}

/* The sink's thread drains a channel of vm's bus: stop it first. */
static void bench_teardown(struct bench *b, struct vm *vm)
{
	vmbus_sink_destroy(b->sink);
	b->sink = NULL;
	if (vm) {
		stats_destroy(vm->stats);
		vm->stats = NULL;
	}
}

static int run(struct kvmbus_options *o)
{
	char kernel[PATH_MAX];

	stats_stage("options");

	if (!o->kernel && !o->linux_kernel) {
		const char *name = o->scenario && o->scenario->kernel ?
				   o->scenario->kernel : DEFAULT_KERNEL_NAME;
		if (default_kernel_path(kernel, sizeof(kernel), name) < 0) {
			log_err("cannot locate the default guest kernel "
				"(use --kernel)");
			return KVMBUS_EXIT_HOST_ERROR;
		}
		o->kernel = kernel;
	}
	/* Files first, KVM second: a mistyped path is reported as such even
	 * on a machine without /dev/kvm. */
	const char *inputs[] = { o->kernel, o->linux_kernel, o->initrd };
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		if (inputs[i] && access(inputs[i], R_OK) < 0) {
			log_err("cannot read '%s': %s", inputs[i], strerror(errno));
			return KVMBUS_EXIT_HOST_ERROR;
		}
	}
	if (o->trace && trace_open(o->trace_path, o->trace_format) < 0) {
		log_err("cannot open trace output '%s': %s",
			o->trace_path ? o->trace_path : "-", strerror(errno));
		return KVMBUS_EXIT_HOST_ERROR;
	}

	int status = KVMBUS_EXIT_HOST_ERROR;
	struct devices devices;
	struct bench bench = { NULL };
	struct vm *vm = vm_create(o);
	if (vm && devices_create(&devices, vm, o) == 0 &&
	    bench_setup(&bench, vm, o) == 0) {
		stats_stage("devices");
		status = devices_finish(&devices, vm_run(vm));
		if (vm->stats)
			stats_report(vm);
	}
	if (vm)
		devices_destroy(&devices);
	bench_teardown(&bench, vm);
	vm_destroy(vm);
	if (o->trace)
		trace_close();
	return status;
}

int main(int argc, char **argv)
{
	struct kvmbus_options o;
	char err[256];

	if (options_parse(&o, argc, argv, err, sizeof(err)) < 0) {
		fprintf(stderr, "kvmbus: %s\nTry 'kvmbus --help'.\n", err);
		return KVMBUS_EXIT_HOST_ERROR;
	}
	switch (o.command) {
	case CMD_HELP:
		options_print_help(stdout);
		return 0;
	case CMD_VERSION:
		printf("kvmbus %s\n", KVMBUS_VERSION_STRING);
		return 0;
	case CMD_SCENARIOS:
		scenario_print_list(stdout);
		return 0;
	case CMD_RUN:
	default:
		return run(&o);
	}
}
