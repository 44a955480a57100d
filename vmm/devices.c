/* SPDX-License-Identifier: MIT */
#include "vmm/devices.h"

#include <stdio.h>
#include <string.h>

#include "vmbus/synthvid.h"
#include "vmbus/vmbus.h"
#include "vmbus/vpci.h"
#include "vmm/abi/platform_abi.h"
#include "vmm/log.h"
#include "vmm/mmio_map.h"
#include "vmm/screenshot.h"
#include "vmm/trace.h"

/* ---- VRAM: synthvid's memory becomes a KVM slot where the guest says -- */

static int vram_map(void *ctx, uint64_t gpa, uint64_t size, void *host)
{
	struct devices *d = ctx;

	for (unsigned i = 0; i < DEVICES_MAX_VRAM_MAPS; i++) {
		if (d->vram_map[i].gpa)
			continue;
		int handle = vm_map_extra_memory(d->vm, gpa, size, host);
		if (handle < 0)
			return -1;
		d->vram_map[i].gpa = gpa;
		d->vram_map[i].handle = handle;
		return 0;
	}
	log_err("synthvid: no free VRAM mapping slot");
	return -1;
}

static void vram_unmap(void *ctx, uint64_t gpa, uint64_t size)
{
	struct devices *d = ctx;

	(void)size;
	for (unsigned i = 0; i < DEVICES_MAX_VRAM_MAPS; i++) {
		if (d->vram_map[i].gpa == gpa) {
			vm_unmap_extra_memory(d->vm, d->vram_map[i].handle);
			d->vram_map[i].gpa = 0;
			return;
		}
	}
}

/* ---- the registry learns of each guest boot ------------------------- */

static void on_vmbus_connect(void *ctx, uint32_t version)
{
	struct devices *d = ctx;

	(void)version;
	mmio_registry_new_boot(&d->registry);
}

/* ---- scenario steps: the guest asks the host to act as an operator -- */

static void host_request(void *ctx, uint32_t value)
{
	struct devices *d = ctx;
	uint32_t req = value >> 24, arg = value & 0xFFFFFFu;
	struct trace_rec r;

	if (req != KVMBUS_REQ_PCI_EJECT) {
		guest_refuse("platform.unknown-host-request",
			     "request 0x%x on port 0x%x", value,
			     KVMBUS_PORT_HOST_REQUEST);
		return;
	}
	unsigned bus = (arg >> 8) & 0xFF, slot = arg & 0xFF;
	if (trace_begin(&r, TRACE_HOST, TRACE_CTL, "HOST_REQUEST_PCI_EJECT")) {
		trace_u64(&r, "bus", bus);
		trace_hex(&r, "slot", slot);
		trace_end(&r);
	}
	if (bus >= d->nr_vpci) {
		guest_refuse("platform.eject-unknown-bus",
			     "eject requested on PCI bus %u of %u", bus, d->nr_vpci);
		return;
	}
	log_info("hot-remove of vpci%u slot %#x requested by the guest", bus, slot);
	if (vpci_bus_eject(d->vpci[bus], slot) < 0)
		guest_refuse("platform.eject-refused",
			     "vpci%u has no function at slot %#x to eject", bus, slot);
}

/* ---- assembly --------------------------------------------------------- */

static int add_service(struct devices *d, const struct vmbus_service *svc)
{
	if (vmbus_register_service(d->vm->bus, svc) < 0) {
		log_err("cannot register the %s service", svc->name);
		return -1;
	}
	return 0;
}

int devices_create(struct devices *d, struct vm *vm,
		   const struct kvmbus_options *o)
{
	const struct synthvid_vram_ops vram_ops = { vram_map, vram_unmap, d };
	char err[160];

	memset(d, 0, sizeof(*d));
	d->vm = vm;
	d->opts = o;
	mmio_registry_init(&d->registry, &vm->map);
	vmbus_host_on_connect(vm->bus, on_vmbus_connect, d);
	vm->host_request = host_request;
	vm->host_request_ctx = d;

	/* Offer order decides probe order for drivers built into a guest:
	 * the echo test channel, the video, then the PCI buses. */
	if (add_service(d, &(struct vmbus_service){
		    .name = "echo",
		    .class_id = VMBUS_CLASS_ECHO,
		    .instance_id = VMBUS_ECHO_INSTANCE,
		    .ops = &vmbus_echo_ops,
	    }))
		return -1;

	d->video = synthvid_create(&d->registry, SYNTHVID_DEFAULT_MMIO_MB, &vram_ops);
	if (!d->video)
		return -1;
	for (unsigned i = 0; i < o->vpci_buses && i < DEVICES_MAX_VPCI; i++) {
		struct vpci_bus_config cfg;

		vpci_bus_config_default(&cfg, i, vm->nr_cpus);
		if (o->vpci_funcs &&
		    vpci_bus_config_parse(&cfg, o->vpci_funcs, err, sizeof(err)) < 0) {
			log_err("--vpci-funcs: %s", err);
			return -1;
		}
		d->vpci[i] = vpci_bus_create(&cfg, &d->registry, &vm->mmio, err,
					     sizeof(err));
		if (!d->vpci[i]) {
			log_err("PCI bus %u: %s", i, err);
			return -1;
		}
		d->nr_vpci++;
	}
	/* --offer-order: drivers that probe as offers arrive (modules loaded
	 * by udev) follow this order; Linux 6.1's built-in drivers probe in
	 * driver-registration order instead (hv_pci before hyperv_drm). */
	if (!o->offer_pci_first && add_service(d, synthvid_service(d->video)))
		return -1;
	for (unsigned i = 0; i < d->nr_vpci; i++)
		if (add_service(d, vpci_bus_service(d->vpci[i])))
			return -1;
	if (o->offer_pci_first && add_service(d, synthvid_service(d->video)))
		return -1;
	return 0;
}

void devices_destroy(struct devices *d)
{
	for (unsigned i = 0; i < d->nr_vpci; i++)
		vpci_bus_destroy(d->vpci[i]);
	synthvid_destroy(d->video);
	d->nr_vpci = 0;
	d->video = NULL;
}

/* ---- after the run ----------------------------------------------------- */

static void write_screenshot(struct devices *d, const char *path)
{
	struct synthvid_mode mode;
	const uint8_t *fb = synthvid_framebuffer(d->video, &mode);
	char err[256];

	if (!fb) {
		log_err("--screenshot: the guest never set up a framebuffer mode; "
			"no %s written", path);
		return;
	}
	if (screenshot_write_png(path, fb, mode.width, mode.height, mode.pitch,
				 mode.depth_bits, err, sizeof(err)) < 0)
		log_err("--screenshot: %s", err);
	else
		log_info("screenshot %ux%u written to %s", mode.width, mode.height,
			 path);
}

int devices_finish(struct devices *d, int status)
{
	const struct kvmbus_options *o = d->opts;
	enum mmio_run_outcome outcome = MMIO_RUN_FAILED;
	char label[160], line[512], err[256];

	if (o->linux_kernel && (status == KVMBUS_EXIT_PASS ||
				status == KVMBUS_EXIT_TIMEOUT)) {
		/* A Linux guest reports nothing on the result port: what the
		 * host saw decides.  Its drivers' own code placed the config
		 * window; if the host refused it for an overlap, that is the
		 * conflict reproduced by an unmodified kernel. */
		if (mmio_map_find_conflict(&d->registry)) {
			outcome = MMIO_RUN_CONFLICT;
			status = KVMBUS_EXIT_CONFLICT;
		} else if (status == KVMBUS_EXIT_PASS) {
			outcome = MMIO_RUN_ALL_UP;
		}
	} else if (status == KVMBUS_EXIT_CONFLICT) {
		/* Exit 3 is a claim about the host: it must have refused an
		 * overlapping config window itself. */
		if (mmio_map_find_conflict(&d->registry)) {
			outcome = MMIO_RUN_CONFLICT;
		} else {
			log_err("the guest reported an MMIO conflict, but the host "
				"refused no overlapping config window");
			status = KVMBUS_EXIT_GUEST_FAIL;
		}
	} else if (status == KVMBUS_EXIT_PASS) {
		outcome = MMIO_RUN_ALL_UP;
	}

	if (o->screenshot_path)
		write_screenshot(d, o->screenshot_path);
	options_scenario_label(o, label, sizeof(label));
	if (o->mmio_map) {
		fflush(stdout);
		mmio_map_write_text(stdout, &d->vm->map, &d->registry);
		if (o->mmio_map_svg_path &&
		    mmio_map_save_svg(o->mmio_map_svg_path, &d->vm->map,
				      &d->registry, label, err, sizeof(err)) < 0)
			log_err("--mmio-map: %s", err);
	}
	if (status != KVMBUS_EXIT_TIMEOUT && status != KVMBUS_EXIT_HOST_ERROR) {
		unsigned live = 0;

		for (unsigned i = 0; i < MMIO_REGISTRY_MAX_CLAIMS; i++)
			live += d->registry.claim[i].in_use;
		printf("kvmbus: %u guest inputs refused\n", guest_refusal_count());
		/* The registry's invariant, stated for the run's record. */
		printf("kvmbus: MMIO registry: %u live claim%s, %u refused, %s\n",
		       live, live == 1 ? "" : "s", d->registry.nr_refused,
		       mmio_registry_consistent(&d->registry) ?
		       "no two claims overlap" : "OVERLAPPING CLAIMS (host bug)");
		mmio_map_summary(line, sizeof(line), label, outcome, &d->registry);
		printf("kvmbus: %s\n", line);
	}
	fflush(stdout);
	return status;
}
