// SPDX-License-Identifier: MIT
/*
 * A VPCI bus's life: creation from a configuration, channel open/close,
 * D0 power-down, host-initiated eject, and the outbox that carries every
 * host->guest packet (see vmbus/vpci.h).
 */
#include "vmbus/vpci_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/log.h"

/* Instance GUID {69637076-6Bxx-6B76-8F03-0000000000xx}: bytes 4..5 (the
 * second field, little-endian) are the PCI domain Linux derives (facts
 * §7.1), so every bus gets its own domain. */
static struct vmbus_guid instance_guid(unsigned index)
{
	struct vmbus_guid g = VMBUS_GUID(0x69637076, VPCI_DOMAIN(index), 0x6B76,
					 0x8F, 0x03, 0, 0, 0, 0, 0,
					 (uint8_t)index);
	return g;
}

static int check_config(const struct vpci_bus_config *c, char *err,
			size_t errlen)
{
	if (c->index >= VPCI_MAX_BUSES) {
		snprintf(err, errlen, "vpci bus index %u: at most %u buses",
			 c->index, VPCI_MAX_BUSES);
		return -1;
	}
	if (c->nr_vps == 0 || c->nr_vps > VPCI_MAX_PROCESSORS) {
		snprintf(err, errlen, "vpci%u: %u VPs (1..%u)", c->index,
			 c->nr_vps, VPCI_MAX_PROCESSORS);
		return -1;
	}
	if (c->nr_funcs > VPCI_MAX_FUNCS) {
		snprintf(err, errlen, "vpci%u: %u functions, at most %u",
			 c->index, c->nr_funcs, VPCI_MAX_FUNCS);
		return -1;
	}
	for (unsigned i = 0; i < c->nr_funcs; i++) {
		const struct vpci_func_config *f = &c->funcs[i];

		if (f->win_slot > VPCI_WIN_SLOT_MAX) {
			snprintf(err, errlen, "vpci%u: win_slot 0x%x out of range",
				 c->index, f->win_slot);
			return -1;
		}
		if (pci_func_model_check(f->model)) {
			snprintf(err, errlen, "vpci%u: slot 0x%x: invalid model",
				 c->index, f->win_slot);
			return -1;
		}
		for (unsigned j = 0; j < i; j++) {
			if (c->funcs[j].win_slot == f->win_slot) {
				snprintf(err, errlen, "vpci%u: win_slot 0x%x used twice",
					 c->index, f->win_slot);
				return -1;
			}
		}
	}
	return 0;
}

struct vpci_bus *vpci_bus_create(const struct vpci_bus_config *c,
				 struct mmio_registry *registry,
				 struct mmio_bus *mmio, char *err,
				 size_t errlen)
{
	struct vpci_bus *bus;
	char dummy[8];

	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	if (!c || !registry || !mmio) {
		snprintf(err, errlen, "vpci: missing configuration");
		return NULL;
	}
	if (check_config(c, err, errlen))
		return NULL;
	bus = calloc(1, sizeof(*bus));
	if (!bus) {
		snprintf(err, errlen, "vpci%u: out of memory", c->index);
		return NULL;
	}
	bus->index = c->index;
	snprintf(bus->name, sizeof(bus->name), "vpci%u", c->index);
	bus->instance_id = instance_guid(c->index);
	bus->nr_vps = c->nr_vps;
	bus->registry = registry;
	bus->mmio = mmio;
	pthread_mutex_init(&bus->lock, NULL);
	pthread_mutex_init(&bus->drain_lock, NULL);
	bus->nr_slots = c->nr_funcs;
	for (unsigned i = 0; i < c->nr_funcs; i++) {
		struct vpci_slot *s = &bus->slot[i];
		const struct vpci_func_config *fc = &c->funcs[i];

		s->bus = bus;
		s->win_slot = fc->win_slot;
		/* Unique across buses: Linux makes sysfs slot names of it. */
		s->serial = c->index * 0x100u + fc->win_slot + 1u;
		s->present = true;
		snprintf(s->owner, sizeof(s->owner), "%s/slot%u", bus->name,
			 fc->win_slot);
		pci_func_init(&s->fn, fc->model,
			      VPCI_TEST_IDENTITY(fc->model->device_id, c->index,
						 fc->win_slot));
		pci_func_bars_init(&s->bars, &s->fn, registry, mmio, &bus->lock,
				   s->owner);
	}
	return bus;
}

void vpci_bus_destroy(struct vpci_bus *bus)
{
	if (!bus)
		return;
	vpci_bus_close(bus);
	pthread_mutex_destroy(&bus->drain_lock);
	pthread_mutex_destroy(&bus->lock);
	free(bus);
}

void vpci_bus_set_sender(struct vpci_bus *bus, vpci_send_fn send, void *ctx)
{
	pthread_mutex_lock(&bus->lock);
	bus->send = send;
	bus->send_ctx = ctx;
	pthread_mutex_unlock(&bus->lock);
}

struct vpci_slot *vpci_find_slot(struct vpci_bus *bus, uint32_t win_slot)
{
	for (unsigned i = 0; i < bus->nr_slots; i++) {
		struct vpci_slot *s = &bus->slot[i];

		if (s->present && s->win_slot == win_slot)
			return s;
	}
	return NULL;
}

struct vpci_slot *vpci_bus_slot(struct vpci_bus *bus, uint32_t win_slot)
{
	struct vpci_slot *s;

	pthread_mutex_lock(&bus->lock);
	s = vpci_find_slot(bus, win_slot);
	pthread_mutex_unlock(&bus->lock);
	return s;
}

void vpci_reset_function(struct vpci_slot *s)
{
	pci_func_bars_release(&s->bars);
	pci_func_reset(&s->fn);
	s->resources_assigned = false;
	s->interrupts = 0;
}

void vpci_remove_slot(struct vpci_bus *bus, struct vpci_slot *s)
{
	vpci_reset_function(s);
	s->present = false;
	s->eject_pending = false;
	bus->stats.ejects++;
	log_info("%s: function at slot %u removed", bus->name, s->win_slot);
}

void vpci_power_down(struct vpci_bus *bus)
{
	if (bus->in_d0) {
		vpci_cfgwin_unmap(bus);
		mmio_registry_release(bus->registry, bus->name,
				      MMIO_CLAIM_CONFIG_WINDOW, bus->window_base);
	}
	bus->in_d0 = false;
	bus->window_base = 0;
	bus->slot_selector = 0;
	for (unsigned i = 0; i < bus->nr_slots; i++) {
		if (bus->slot[i].present)
			vpci_reset_function(&bus->slot[i]);
	}
}

static void end_session(struct vpci_bus *bus)
{
	vpci_power_down(bus);
	/* A function the host asked to eject goes even if the guest never
	 * confirmed: the host's decision stands. */
	for (unsigned i = 0; i < bus->nr_slots; i++) {
		if (bus->slot[i].present && bus->slot[i].eject_pending)
			vpci_remove_slot(bus, &bus->slot[i]);
	}
	bus->protocol_version = 0;
	bus->out_count = 0;
	bus->out_head = 0;
	bus->out_generation++;
	bus->blocked = false;
}

void vpci_bus_open(struct vpci_bus *bus)
{
	pthread_mutex_lock(&bus->lock);
	end_session(bus);
	bus->open = true;
	pthread_mutex_unlock(&bus->lock);
}

void vpci_bus_close(struct vpci_bus *bus)
{
	pthread_mutex_lock(&bus->lock);
	end_session(bus);
	bus->open = false;
	pthread_mutex_unlock(&bus->lock);
}

/* ---- Outbox ------------------------------------------------------------ */

void vpci_queue(struct vpci_bus *bus, uint16_t pkt_type, uint64_t trans_id,
		const void *data, uint32_t len)
{
	struct vpci_outbox_msg *m;

	if (!bus->open)
		return;
	if (len > VPCI_MSG_MAX || bus->out_count >= VPCI_OUTBOX_SLOTS) {
		/* Cannot happen with a guest that reads its ring: the
		 * drain loop stops while the ring is full. */
		bus->stats.dropped_msgs++;
		log_err("%s: outbox full, %u-byte packet dropped", bus->name, len);
		return;
	}
	m = &bus->outbox[(bus->out_head + bus->out_count) % VPCI_OUTBOX_SLOTS];
	m->pkt_type = pkt_type;
	m->trans_id = trans_id;
	m->len = len;
	memcpy(m->data, data, len);
	bus->out_count++;
}

bool vpci_bus_flush(struct vpci_bus *bus)
{
	struct vpci_outbox_msg m;
	bool empty;

	pthread_mutex_lock(&bus->lock);
	/* One flusher at a time keeps the order; the one running picks up
	 * what others queue meanwhile. */
	if (bus->flushing) {
		pthread_mutex_unlock(&bus->lock);
		return false;
	}
	bus->flushing = true;
	while (bus->out_count > 0) {
		unsigned generation = bus->out_generation;
		vpci_send_fn send = bus->send;
		void *ctx = bus->send_ctx;
		int rc;

		m = bus->outbox[bus->out_head];
		pthread_mutex_unlock(&bus->lock);
		rc = send ? send(ctx, m.pkt_type, m.trans_id, m.data, m.len) : -2;
		pthread_mutex_lock(&bus->lock);
		if (generation != bus->out_generation)
			continue;       /* closed meanwhile: outbox was emptied */
		if (rc == -1) {
			bus->blocked = true;
			break;
		}
		bus->blocked = false;
		if (rc != 0) {
			bus->stats.dropped_msgs++;
			log_warn("%s: channel gone, packet dropped", bus->name);
		}
		bus->out_head = (bus->out_head + 1) % VPCI_OUTBOX_SLOTS;
		bus->out_count--;
	}
	bus->flushing = false;
	empty = bus->out_count == 0;
	pthread_mutex_unlock(&bus->lock);
	return empty;
}

bool vpci_bus_blocked(struct vpci_bus *bus)
{
	bool blocked;

	pthread_mutex_lock(&bus->lock);
	blocked = bus->blocked;
	pthread_mutex_unlock(&bus->lock);
	return blocked;
}

void vpci_note_completion(struct vpci_bus *bus, uint64_t trans_id,
			  uint32_t msg_type)
{
	unsigned n = sizeof(bus->recent) / sizeof(bus->recent[0]);

	bus->recent[bus->recent_next % n].trans_id = trans_id;
	bus->recent[bus->recent_next % n].msg_type = msg_type;
	bus->recent_next++;
}

uint32_t vpci_completed_type(struct vpci_bus *bus, uint64_t trans_id)
{
	unsigned n = sizeof(bus->recent) / sizeof(bus->recent[0]);

	/* Newest first: Linux reuses transaction ids. */
	for (unsigned k = 1; k <= n && k <= bus->recent_next; k++) {
		unsigned i = (bus->recent_next - k) % n;

		if (bus->recent[i].trans_id == trans_id)
			return bus->recent[i].msg_type;
	}
	return 0;
}

/* ---- Relations and eject ----------------------------------------------- */

static void fill_desc(const struct vpci_slot *s, struct vpci_func_desc *d)
{
	const struct pci_func_model *m = s->fn.model;

	memset(d, 0, sizeof(*d));
	d->vendor_id = m->vendor_id;
	d->device_id = m->device_id;
	d->revision = m->revision;
	d->prog_if = m->prog_if;
	d->subclass = m->subclass;
	d->base_class = m->base_class;
	d->subsystem = (uint32_t)m->subsys_vendor_id |
		       ((uint32_t)m->subsys_id << 16);
	d->win_slot = s->win_slot;
	d->serial = s->serial;
}

void vpci_queue_relations(struct vpci_bus *bus)
{
	uint8_t buf[VPCI_MSG_MAX];
	bool v2 = bus->protocol_version >= VPCI_PROTOCOL_VERSION_1_3;
	size_t hdr = sizeof(struct vpci_bus_relations);
	size_t each = v2 ? sizeof(struct vpci_func_desc2)
			 : sizeof(struct vpci_func_desc);
	uint32_t count = 0;

	memset(buf, 0, sizeof(buf));
	for (unsigned i = 0; i < bus->nr_slots; i++) {
		const struct vpci_slot *s = &bus->slot[i];
		struct vpci_func_desc2 d;

		if (!s->present)
			continue;
		memset(&d, 0, sizeof(d));
		fill_desc(s, &d.d);
		memcpy(buf + hdr + count * each, &d, each);
		count++;
	}
	struct vpci_bus_relations head = {
		.type = v2 ? VPCI_MSG_BUS_RELATIONS2 : VPCI_MSG_BUS_RELATIONS,
		.device_count = count,
	};
	memcpy(buf, &head, hdr);
	vpci_queue(bus, VMBUS_PKT_DATA_INBAND, 0, buf,
		   (uint32_t)(hdr + count * each));
}

int vpci_bus_eject(struct vpci_bus *bus, uint32_t win_slot)
{
	struct vpci_slot *s;
	int ret = 0;

	pthread_mutex_lock(&bus->lock);
	s = vpci_find_slot(bus, win_slot);
	if (!s || s->eject_pending) {
		ret = -1;
	} else if (!bus->open || !bus->protocol_version) {
		/* No guest driver knows the function: just take it away. */
		vpci_remove_slot(bus, s);
	} else {
		struct vpci_child_message msg = {
			.type = VPCI_MSG_EJECT,
			.win_slot = win_slot,
		};

		s->eject_pending = true;
		log_info("%s: ejecting the function at slot %u", bus->name,
			 win_slot);
		vpci_queue(bus, VMBUS_PKT_DATA_INBAND, 0, &msg, sizeof(msg));
	}
	pthread_mutex_unlock(&bus->lock);
	if (ret == 0)
		vpci_bus_flush(bus);
	return ret;
}
