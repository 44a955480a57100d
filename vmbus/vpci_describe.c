// SPDX-License-Identifier: MIT
/*
 * --trace for VPCI packets: a name for every message (facts §7.2) and its
 * key fields.  Reads only what the packet holds: a short or odd packet
 * gets its name and nothing it does not carry.
 */
#include "vmbus/vpci_internal.h"

#include <stdio.h>
#include <string.h>

#include "vmm/trace.h"

static const struct {
	uint32_t type;
	const char *name;
} names[] = {
	{ VPCI_MSG_BUS_RELATIONS, "PCI_BUS_RELATIONS" },
	{ VPCI_MSG_QUERY_BUS_RELATIONS, "PCI_QUERY_BUS_RELATIONS" },
	{ VPCI_MSG_INVALIDATE_DEVICE, "PCI_INVALIDATE_DEVICE" },
	{ VPCI_MSG_INVALIDATE_BUS, "PCI_INVALIDATE_BUS" },
	{ VPCI_MSG_POWER_STATE_CHANGE, "PCI_POWER_STATE_CHANGE" },
	{ VPCI_MSG_QUERY_RESOURCE_REQUIREMENTS, "PCI_QUERY_RESOURCE_REQUIREMENTS" },
	{ VPCI_MSG_QUERY_RESOURCE_RESOURCES, "PCI_QUERY_RESOURCE_RESOURCES" },
	{ VPCI_MSG_BUS_D0ENTRY, "PCI_BUS_D0ENTRY" },
	{ VPCI_MSG_BUS_D0EXIT, "PCI_BUS_D0EXIT" },
	{ VPCI_MSG_READ_BLOCK, "PCI_READ_BLOCK" },
	{ VPCI_MSG_WRITE_BLOCK, "PCI_WRITE_BLOCK" },
	{ VPCI_MSG_EJECT, "PCI_EJECT" },
	{ VPCI_MSG_QUERY_STOP, "PCI_QUERY_STOP" },
	{ VPCI_MSG_REENABLE, "PCI_REENABLE" },
	{ VPCI_MSG_QUERY_STOP_FAILED, "PCI_QUERY_STOP_FAILED" },
	{ VPCI_MSG_EJECTION_COMPLETE, "PCI_EJECTION_COMPLETE" },
	{ VPCI_MSG_RESOURCES_ASSIGNED, "PCI_RESOURCES_ASSIGNED" },
	{ VPCI_MSG_RESOURCES_RELEASED, "PCI_RESOURCES_RELEASED" },
	{ VPCI_MSG_INVALIDATE_BLOCK, "PCI_INVALIDATE_BLOCK" },
	{ VPCI_MSG_QUERY_PROTOCOL_VERSION, "PCI_QUERY_PROTOCOL_VERSION" },
	{ VPCI_MSG_CREATE_INTERRUPT, "PCI_CREATE_INTERRUPT_MESSAGE" },
	{ VPCI_MSG_DELETE_INTERRUPT, "PCI_DELETE_INTERRUPT_MESSAGE" },
	{ VPCI_MSG_RESOURCES_ASSIGNED2, "PCI_RESOURCES_ASSIGNED2" },
	{ VPCI_MSG_CREATE_INTERRUPT2, "PCI_CREATE_INTERRUPT_MESSAGE2" },
	{ VPCI_MSG_DELETE_INTERRUPT2, "PCI_DELETE_INTERRUPT_MESSAGE2" },
	{ VPCI_MSG_BUS_RELATIONS2, "PCI_BUS_RELATIONS2" },
	{ VPCI_MSG_RESOURCES_ASSIGNED3, "PCI_RESOURCES_ASSIGNED3" },
	{ VPCI_MSG_CREATE_INTERRUPT3, "PCI_CREATE_INTERRUPT_MESSAGE3" },
};

const char *vpci_msg_name(uint32_t type)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].type == type)
			return names[i].name;
	return NULL;
}

/* The packet's payload as a struct, if it is long enough. */
#define PAYLOAD_AS(pkt, var) \
	((pkt)->payload_len >= sizeof(var) && \
	 (memcpy(&(var), (pkt)->payload, sizeof(var)), 1))

static void describe_relations(const struct vmbus_pkt *pkt, bool v2,
			       struct trace_rec *r)
{
	struct vpci_bus_relations head;
	size_t each = v2 ? sizeof(struct vpci_func_desc2)
			 : sizeof(struct vpci_func_desc);

	if (!PAYLOAD_AS(pkt, head))
		return;
	trace_u64(r, "device_count", head.device_count);
	for (uint32_t i = 0; i < head.device_count; i++) {
		struct vpci_func_desc d;
		char key[16], val[48];
		size_t at = sizeof(head) + i * each;

		if (at + sizeof(d) > pkt->payload_len)
			break;
		memcpy(&d, pkt->payload + at, sizeof(d));
		snprintf(key, sizeof(key), "fn%u", i);
		snprintf(val, sizeof(val), "%04x:%04x@slot%u", d.vendor_id,
			 d.device_id, d.win_slot);
		trace_str(r, key, val);
	}
}

static void describe_completion(struct vpci_bus *bus,
				const struct vmbus_pkt *pkt,
				struct trace_rec *r)
{
	struct vpci_completion c;
	uint32_t answered;
	const char *what;

	trace_set_name(r, "PCI_COMPLETION");
	pthread_mutex_lock(&bus->lock);
	answered = vpci_completed_type(bus, pkt->desc.trans_id);
	pthread_mutex_unlock(&bus->lock);
	what = vpci_msg_name(answered);
	if (what)
		trace_str(r, "for", what);
	if (!PAYLOAD_AS(pkt, c))
		return;
	trace_hex(r, "status", c.status);
	if (vpci_status_failed(c.status))
		return;
	if (answered == VPCI_MSG_QUERY_RESOURCE_REQUIREMENTS) {
		struct vpci_resource_requirements_completion q;

		if (!PAYLOAD_AS(pkt, q))
			return;
		for (unsigned i = 0; i < VPCI_NUM_BARS; i++) {
			static const char *const keys[VPCI_NUM_BARS] = {
				"bar0", "bar1", "bar2", "bar3", "bar4", "bar5",
			};
			if (q.probed_bar[i])
				trace_hex(r, keys[i], q.probed_bar[i]);
		}
	} else if (answered == VPCI_MSG_CREATE_INTERRUPT ||
		   answered == VPCI_MSG_CREATE_INTERRUPT2 ||
		   answered == VPCI_MSG_CREATE_INTERRUPT3) {
		struct vpci_create_interrupt_completion ci;

		if (!PAYLOAD_AS(pkt, ci))
			return;
		trace_hex(r, "msi_address", ci.int_desc.address);
		trace_hex(r, "msi_data", ci.int_desc.data);
		trace_u64(r, "vectors", ci.int_desc.vector_count);
	}
}

static void describe_assigned(const struct vmbus_pkt *pkt, struct trace_rec *r)
{
	struct vpci_resources_assigned m;

	if (pkt->payload_len < offsetof(struct vpci_resources_assigned, reserved))
		return;
	memcpy(&m, pkt->payload, offsetof(struct vpci_resources_assigned, reserved));
	trace_u64(r, "slot", m.win_slot);
	trace_u64(r, "msi_count", m.msi_descriptors);
	for (unsigned i = 0; i < VPCI_NUM_BARS; i++) {
		char key[16];

		if (!m.memory_range[i].type)
			continue;
		snprintf(key, sizeof(key), "res%u_start", i);
		trace_hex(r, key, m.memory_range[i].start);
		snprintf(key, sizeof(key), "res%u_len", i);
		trace_hex(r, key, m.memory_range[i].length);
	}
}

/* The fields every CREATE_INTERRUPT flavour has; each adds its target. */
static void trace_interrupt(struct trace_rec *r, uint32_t slot, uint32_t vector,
			    uint32_t count)
{
	trace_u64(r, "slot", slot);
	trace_u64(r, "vector", vector);
	trace_u64(r, "count", count);
}

static void describe_interrupt(const struct vmbus_pkt *pkt, uint32_t type,
			       struct trace_rec *r)
{
	if (type == VPCI_MSG_CREATE_INTERRUPT) {
		struct vpci_create_interrupt m;

		if (!PAYLOAD_AS(pkt, m))
			return;
		trace_interrupt(r, m.win_slot, m.int_desc.vector,
				m.int_desc.vector_count);
		trace_hex(r, "cpu_mask", m.int_desc.cpu_mask);
	} else if (type == VPCI_MSG_CREATE_INTERRUPT2) {
		struct vpci_create_interrupt2 m;

		if (!PAYLOAD_AS(pkt, m))
			return;
		trace_interrupt(r, m.win_slot, m.int_desc.vector,
				m.int_desc.vector_count);
		trace_u64(r, "vp", m.int_desc.processor_array[0]);
	} else {
		struct vpci_create_interrupt3 m;

		if (!PAYLOAD_AS(pkt, m))
			return;
		trace_interrupt(r, m.win_slot, m.int_desc.vector,
				m.int_desc.vector_count);
		trace_u64(r, "vp", m.int_desc.processor_array[0]);
	}
}

void vpci_describe(void *svc, bool to_guest, const struct vmbus_pkt *pkt,
		   struct trace_rec *r)
{
	struct vpci_bus *bus = svc;
	uint32_t type;
	const char *name;

	(void)to_guest;
	if (!bus || !pkt || !r)
		return;
	if (pkt->desc.type == VMBUS_PKT_COMP) {
		describe_completion(bus, pkt, r);
		return;
	}
	if (!pkt->payload || pkt->payload_len < sizeof(type)) {
		trace_set_name(r, "PCI_TRUNCATED");
		return;
	}
	memcpy(&type, pkt->payload, sizeof(type));
	name = vpci_msg_name(type);
	trace_set_name(r, name ? name : "PCI_UNKNOWN");
	if (!name) {
		trace_hex(r, "type", type);
		return;
	}
	switch (type) {
	case VPCI_MSG_QUERY_PROTOCOL_VERSION: {
		struct vpci_query_protocol_version m;

		if (PAYLOAD_AS(pkt, m))
			trace_ver(r, "version", m.version);
		break;
	}
	case VPCI_MSG_BUS_D0ENTRY: {
		struct vpci_bus_d0_entry m;

		if (PAYLOAD_AS(pkt, m))
			trace_hex(r, "mmio_base", m.mmio_base);
		break;
	}
	case VPCI_MSG_BUS_RELATIONS:
	case VPCI_MSG_BUS_RELATIONS2:
		describe_relations(pkt, type == VPCI_MSG_BUS_RELATIONS2, r);
		break;
	case VPCI_MSG_RESOURCES_ASSIGNED:
	case VPCI_MSG_RESOURCES_ASSIGNED2:
		describe_assigned(pkt, r);
		break;
	case VPCI_MSG_CREATE_INTERRUPT:
	case VPCI_MSG_CREATE_INTERRUPT2:
	case VPCI_MSG_CREATE_INTERRUPT3:
		describe_interrupt(pkt, type, r);
		break;
	case VPCI_MSG_DELETE_INTERRUPT: {
		struct vpci_delete_interrupt m;

		if (!PAYLOAD_AS(pkt, m))
			break;
		trace_u64(r, "slot", m.win_slot);
		trace_hex(r, "msi_address", m.int_desc.address);
		trace_hex(r, "msi_data", m.int_desc.data);
		break;
	}
	case VPCI_MSG_EJECTION_COMPLETE: {
		struct vpci_ejection_complete m;

		if (!PAYLOAD_AS(pkt, m))
			break;
		trace_u64(r, "slot", m.win_slot);
		trace_hex(r, "status", m.status);
		break;
	}
	default: {
		/* Child messages: type + win_slot. */
		struct vpci_child_message m;

		if (PAYLOAD_AS(pkt, m))
			trace_u64(r, "slot", m.win_slot);
		break;
	}
	}
}
