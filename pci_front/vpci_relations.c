// SPDX-License-Identifier: MIT
/*
 * The bus's function list: BUS_RELATIONS / BUS_RELATIONS2 from the host
 * (Linux pci_devices_present_work, new_pcichild_device) and EJECT
 * (hv_eject_device_work).  protocol-facts §7.3, §7.5.
 */
#include "pci_front/vpci_internal.h"

/* Index of the present function at win_slot, or -1. */
static int func_index(const struct pcif_bus *bus, uint32_t win_slot)
{
	unsigned i;

	for (i = 0; i < PCIF_MAX_FUNCS; i++)
		if (bus->func[i].present && bus->func[i].desc.win_slot == win_slot)
			return (int)i;
	return -1;
}

struct pcif_func *pcif_func_at(struct pcif_bus *bus, uint32_t win_slot)
{
	int i = func_index(bus, win_slot);

	return i < 0 ? NULL : &bus->func[i];
}

const struct pcif_func *pcif_find_func(const struct pcif_bus *bus,
				       uint32_t win_slot)
{
	int i = func_index(bus, win_slot);

	return i < 0 ? NULL : &bus->func[i];
}

unsigned pcif_func_count(const struct pcif_bus *bus)
{
	unsigned i, n = 0;

	for (i = 0; i < PCIF_MAX_FUNCS; i++)
		n += bus->func[i].present;
	return n;
}

static void log_slot(struct pcif_bus *bus, enum pcif_log_level level,
		     const char *what, uint32_t win_slot)
{
	struct pcif_text t;

	pcif_text_init(&t);
	pcif_text_str(&t, what);
	pcif_text_str(&t, " slot ");
	pcif_text_hex_alt(&t, win_slot);
	pcif_log_text(&bus->log, level, &t);
}

/* Linux matches a reported function to a known one by slot, vendor,
 * device and serial number. */
static bool same_function(const struct vpci_func_desc *a,
			  const struct vpci_func_desc *b)
{
	return a->win_slot == b->win_slot && a->vendor_id == b->vendor_id &&
	       a->device_id == b->device_id && a->serial == b->serial;
}

/* new_pcichild_device: ask for the probed BARs, then record the
 * function.  A failure status is logged and leaves the BARs zero (the
 * function is still recorded); a failed exchange records nothing. */
static void add_function(struct pcif_bus *bus, const struct vpci_func_desc *desc)
{
	struct vpci_resource_requirements_completion resp;
	struct vpci_child_message req;
	struct pcif_func *f = NULL;
	uint32_t status;
	unsigned i;

	for (i = 0; i < PCIF_MAX_FUNCS && !f; i++)
		if (!bus->func[i].present)
			f = &bus->func[i];
	if (!f) {
		pcif_log_str(&bus->log, PCIF_LOG_ERR,
			     "couldn't record a child device.");
		return;
	}

	req.type = VPCI_MSG_QUERY_RESOURCE_REQUIREMENTS;
	req.win_slot = desc->win_slot;
	if (pcif_request(bus, &req, sizeof(req), &resp, sizeof(resp),
			 &status) != PCIF_OK) {
		pcif_log_str(&bus->log, PCIF_LOG_ERR,
			     "couldn't record a child device.");
		return;
	}

	pcif_zero(f, sizeof(*f));
	f->desc = *desc;
	if (vpci_status_failed(status)) {
		struct pcif_text t;

		pcif_text_init(&t);
		pcif_text_str(&t, "query resource requirements failed: ");
		pcif_text_hex(&t, status);
		pcif_log_text(&bus->log, PCIF_LOG_ERR, &t);
	} else {
		for (i = 0; i < VPCI_NUM_BARS; i++)
			f->probed_bar[i] = resp.probed_bar[i];
	}
	f->present = true;
	if (bus->state == PCIF_BUS_PROBED)
		log_slot(bus, PCIF_LOG_INFO,
			 "new function after probe (BARs left unassigned):",
			 desc->win_slot);
}

int pcif_apply_relations(struct pcif_bus *bus, const uint8_t *msg,
			 uint32_t len)
{
	uint32_t type, count, desc_size, i;
	unsigned k;

	pcif_copy(&type, msg, sizeof(type));
	if (len < sizeof(struct vpci_bus_relations)) {
		pcif_log_str(&bus->log, PCIF_LOG_ERR, "bus relations too small");
		return PCIF_ERR_PROTOCOL;
	}
	pcif_copy(&count, msg + 4, sizeof(count));
	desc_size = type == VPCI_MSG_BUS_RELATIONS2 ?
		    sizeof(struct vpci_func_desc2) : sizeof(struct vpci_func_desc);
	/* struct_size(bus_rel, func, device_count) must fit the packet. */
	if ((uint64_t)len < sizeof(struct vpci_bus_relations) +
			    (uint64_t)count * desc_size) {
		pcif_log_str(&bus->log, PCIF_LOG_ERR,
			     type == VPCI_MSG_BUS_RELATIONS2 ?
			     "bus relations v2 too small" :
			     "bus relations too small");
		return PCIF_ERR_PROTOCOL;
	}

	/* Everyone is missing until reported again. */
	for (k = 0; k < PCIF_MAX_FUNCS; k++)
		bus->func[k].reported_missing = bus->func[k].present;

	for (i = 0; i < count; i++) {
		struct vpci_func_desc desc;
		bool found = false;

		/* BUS_RELATIONS2's descriptor starts with the same 20 bytes. */
		pcif_copy(&desc, msg + sizeof(struct vpci_bus_relations) +
				 (uint64_t)i * desc_size, sizeof(desc));
		for (k = 0; k < PCIF_MAX_FUNCS; k++) {
			struct pcif_func *f = &bus->func[k];

			if (f->present && same_function(&f->desc, &desc)) {
				f->reported_missing = false;
				found = true;
			}
		}
		if (!found)
			add_function(bus, &desc);
	}

	/* Functions no longer reported are gone. */
	for (k = 0; k < PCIF_MAX_FUNCS; k++) {
		struct pcif_func *f = &bus->func[k];

		if (f->present && f->reported_missing) {
			log_slot(bus, PCIF_LOG_INFO, "function gone:",
				 f->desc.win_slot);
			f->present = false;
			f->reported_missing = false;
		}
	}

	if (bus->state == PCIF_BUS_INIT)
		pcif_survey_bar_space(bus);
	bus->relations_seen = true;
	return PCIF_OK;
}

int pcif_handle_eject(struct pcif_bus *bus, const uint8_t *msg, uint32_t len)
{
	struct vpci_child_message eject;
	struct vpci_ejection_complete done;
	struct pcif_func *f;
	int rc;

	if (len < sizeof(eject))
		return PCIF_ERR_PROTOCOL;
	pcif_copy(&eject, msg, sizeof(eject));
	f = pcif_func_at(bus, eject.win_slot);
	if (!f)
		return PCIF_OK;   /* Linux: unknown slot, nothing to do */
	if (bus->state == PCIF_BUS_REMOVED) {
		pcif_log_str(&bus->log, PCIF_LOG_INFO, "PCI VMBus EJECT: ignored");
		return PCIF_OK;
	}

	/* The function leaves the bus first (Linux removes the pci_dev and
	 * its list entry), then its resources go back, then the host hears
	 * the ejection is complete. */
	f->present = false;
	if (f->resources_assigned) {
		struct vpci_child_message released;

		released.type = VPCI_MSG_RESOURCES_RELEASED;
		released.win_slot = eject.win_slot;
		rc = pcif_post(bus, &released, sizeof(released));
		if (rc != PCIF_OK)
			return rc;
		f->resources_assigned = false;
	}
	done.type = VPCI_MSG_EJECTION_COMPLETE;
	done.win_slot = eject.win_slot;
	done.status = 0;
	rc = pcif_post(bus, &done, sizeof(done));
	if (rc != PCIF_OK)
		return rc;
	log_slot(bus, PCIF_LOG_INFO, "PCI VMBus EJECT: released", eject.win_slot);
	return PCIF_OK;
}
