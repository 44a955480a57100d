// SPDX-License-Identifier: MIT
/*
 * The VPCI protocol, host side (facts §7): one guest packet in, its
 * replies queued, the status it earned out.  Every value from the guest
 * is checked before use; a bad one is logged as a refusal and answered
 * with a negative NTSTATUS, never trusted and never fatal.
 *
 * Completions (facts §7.4) go out only when the guest asked for one
 * (Linux asks exactly for the requests it waits on), echo its
 * transaction id and carry at least the 4-byte status.
 * Interrupt messages are handled in vmbus/vpci_interrupts.c.
 */
#include "vmbus/vpci_internal.h"

#include <string.h>

#include "vmm/log.h"

typedef uint32_t (*msg_handler)(struct vpci_bus *bus, const uint8_t *p,
				uint32_t len, struct vpci_reply *r);

struct msg_rule {
	uint32_t type;
	uint32_t min_len;             /* the message's full size (facts §7.3) */
	uint32_t min_version;         /* 0: allowed before negotiation */
	msg_handler handle;
};

/* ---- Helpers ---------------------------------------------------------- */

struct vpci_slot *vpci_lookup_slot(struct vpci_bus *bus, uint32_t win_slot,
				   const char *what, uint32_t *status)
{
	struct vpci_slot *s;

	if (win_slot > VPCI_WIN_SLOT_MAX) {
		guest_refuse("vpci.slot-invalid",
			     "%s: %s for win_slot 0x%x: reserved bits set",
			     bus->name, what, win_slot);
		*status = VPCI_STATUS_INVALID_PARAMETER;
		return NULL;
	}
	s = vpci_find_slot(bus, win_slot);
	if (!s) {
		guest_refuse("vpci.slot-unknown",
			     "%s: %s for slot %u: no function there",
			     bus->name, what, win_slot);
		*status = VPCI_STATUS_NO_SUCH_DEVICE;
	}
	return s;
}

static uint32_t read_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* ---- Version, relations, requirements ----------------------------------- */

static uint32_t on_query_version(struct vpci_bus *bus, const uint8_t *p,
				 uint32_t len, struct vpci_reply *r)
{
	struct vpci_query_protocol_version q;

	(void)len;
	(void)r;
	memcpy(&q, p, sizeof(q));
	if (bus->in_d0) {
		guest_refuse("vpci.version-in-d0",
			     "%s: protocol version query while in D0", bus->name);
		return VPCI_STATUS_INVALID_DEVICE_STATE;
	}
	if (q.version < VPCI_PROTOCOL_VERSION_MIN ||
	    q.version > VPCI_PROTOCOL_VERSION_MAX) {
		/* Not hostile: the guest walks down to an older one. */
		log_info("%s: protocol version %u.%u not served (1.1..1.4)",
			 bus->name, q.version >> 16, q.version & 0xFFFF);
		return VPCI_STATUS_REVISION_MISMATCH;
	}
	bus->protocol_version = q.version;
	log_info("%s: protocol version %u.%u", bus->name, q.version >> 16,
		 q.version & 0xFFFF);
	return VPCI_STATUS_SUCCESS;
}

static uint32_t on_query_relations(struct vpci_bus *bus, const uint8_t *p,
				   uint32_t len, struct vpci_reply *r)
{
	(void)p;
	(void)len;
	(void)r;
	/* Answered in-band, not by completion (facts §7.5 step 4). */
	vpci_queue_relations(bus);
	return VPCI_STATUS_SUCCESS;
}

static uint32_t on_query_requirements(struct vpci_bus *bus, const uint8_t *p,
				      uint32_t len, struct vpci_reply *r)
{
	struct vpci_child_message m;
	struct vpci_resource_requirements_completion c;
	uint32_t status = VPCI_STATUS_SUCCESS;
	struct vpci_slot *s;

	(void)len;
	memcpy(&m, p, sizeof(m));
	memset(&c, 0, sizeof(c));
	s = vpci_lookup_slot(bus, m.win_slot, "resource requirements", &status);
	if (s) {
		uint32_t probed[PCI_FUNC_NUM_BARS];

		pci_func_probed_bars(&s->fn, probed);
		memcpy(c.probed_bar, probed, sizeof(probed));
	}
	/* Full size even on failure: Linux checks the size first. */
	memcpy(r->buf, &c, sizeof(c));
	r->len = sizeof(c);
	return status;
}

/* ---- D0 entry / exit ------------------------------------------------------- */

static uint32_t refuse_d0(struct vpci_bus *bus, enum mmio_claim_result res,
			  uint64_t base, const struct mmio_claim *holder)
{
	char who[128];
	unsigned long long lo = base, hi = base + VPCI_CONFIG_WINDOW_SIZE;

	bus->stats.d0_refused++;
	switch (res) {
	case MMIO_CLAIM_OVERLAP:
		/* The conflict this project reproduces (facts §7.5, §9.4):
		 * what Hyper-V answers when the window overlaps a range it
		 * still tracks, e.g. the framebuffer a crash kernel forgot. */
		bus->stats.d0_refused_overlap++;
		mmio_claim_describe(holder, who, sizeof(who));
		log_warn("%s: D0 entry refused: config window [0x%llx,0x%llx) "
			 "overlaps %s (status 0x%x)", bus->name, lo, hi, who,
			 VPCI_STATUS_MMIO_OVERLAP);
		return VPCI_STATUS_MMIO_OVERLAP;
	case MMIO_CLAIM_MISALIGNED:
		guest_refuse("vpci.d0-window-misaligned",
			     "%s: D0 entry refused: config window at 0x%llx is not "
			     "4 KiB aligned (status 0x%x)", bus->name, lo,
			     VPCI_STATUS_INVALID_PARAMETER);
		return VPCI_STATUS_INVALID_PARAMETER;
	case MMIO_CLAIM_OUTSIDE_GAPS:
		guest_refuse("vpci.d0-window-outside-gaps",
			     "%s: D0 entry refused: config window [0x%llx,0x%llx) "
			     "is not inside one VMBus MMIO gap (status 0x%x)",
			     bus->name, lo, hi, VPCI_STATUS_INVALID_PARAMETER);
		return VPCI_STATUS_INVALID_PARAMETER;
	default:
		log_err("%s: D0 entry refused: MMIO registry full (status 0x%x)",
			bus->name, VPCI_STATUS_INSUFFICIENT_RESOURCES);
		return VPCI_STATUS_INSUFFICIENT_RESOURCES;
	}
}

static uint32_t on_d0_entry(struct vpci_bus *bus, const uint8_t *p,
			    uint32_t len, struct vpci_reply *r)
{
	struct vpci_bus_d0_entry m;
	struct mmio_claim holder;
	enum mmio_claim_result res;

	(void)len;
	(void)r;
	memcpy(&m, p, sizeof(m));
	bus->stats.d0_entries++;
	if (bus->in_d0) {
		bus->stats.d0_refused++;
		guest_refuse("vpci.d0-twice",
			     "%s: D0 entry at 0x%llx while in D0 with the window at "
			     "0x%llx (status 0x%x)", bus->name,
			     (unsigned long long)m.mmio_base,
			     (unsigned long long)bus->window_base,
			     VPCI_STATUS_INVALID_DEVICE_STATE);
		return VPCI_STATUS_INVALID_DEVICE_STATE;
	}
	/* The registry applies the acceptance rules: 4 KiB aligned, wholly
	 * inside one gap, no overlap with any claim (facts §7.6, §9). */
	memset(&holder, 0, sizeof(holder));
	res = mmio_registry_claim(bus->registry, bus->name,
				  MMIO_CLAIM_CONFIG_WINDOW, m.mmio_base,
				  VPCI_CONFIG_WINDOW_SIZE, &holder);
	if (res != MMIO_CLAIM_OK)
		return refuse_d0(bus, res, m.mmio_base, &holder);
	if (vpci_cfgwin_map(bus, m.mmio_base)) {
		mmio_registry_release(bus->registry, bus->name,
				      MMIO_CLAIM_CONFIG_WINDOW, m.mmio_base);
		bus->stats.d0_refused++;
		log_err("%s: D0 entry: config window at 0x%llx: MMIO handler not "
			"registered", bus->name, (unsigned long long)m.mmio_base);
		return VPCI_STATUS_INSUFFICIENT_RESOURCES;
	}
	bus->in_d0 = true;
	bus->window_base = m.mmio_base;
	bus->slot_selector = 0;
	log_info("%s: D0 entry, config window [0x%llx,0x%llx)", bus->name,
		 (unsigned long long)m.mmio_base,
		 (unsigned long long)(m.mmio_base + VPCI_CONFIG_WINDOW_SIZE));
	return VPCI_STATUS_SUCCESS;
}

static uint32_t on_d0_exit(struct vpci_bus *bus, const uint8_t *p,
			   uint32_t len, struct vpci_reply *r)
{
	(void)p;
	(void)len;
	(void)r;
	/* Linux sends D0 exit also after a failed D0 entry, before it
	 * retries: not being in D0 is fine. */
	if (bus->in_d0)
		log_info("%s: D0 exit", bus->name);
	vpci_power_down(bus);
	return VPCI_STATUS_SUCCESS;
}

/* ---- Resources --------------------------------------------------------- */

/* Bytes a partial resource descriptor covers, or 0 if it is malformed. */
static uint64_t descriptor_length(const struct vpci_partial_resource *d)
{
	if (d->type == VPCI_RES_TYPE_MEMORY)
		return d->length;
	if (d->type != VPCI_RES_TYPE_MEMORY_LARGE)
		return 0;
	switch (d->flags & (VPCI_RES_FLAG_LARGE_40 | VPCI_RES_FLAG_LARGE_48 |
			    VPCI_RES_FLAG_LARGE_64)) {
	case VPCI_RES_FLAG_LARGE_40:
		return (uint64_t)d->length << 8;
	case VPCI_RES_FLAG_LARGE_48:
		return (uint64_t)d->length << 16;
	case VPCI_RES_FLAG_LARGE_64:
		return (uint64_t)d->length << 32;
	}
	return 0;
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* RESOURCES_ASSIGNED and ASSIGNED2 share their first 132 bytes. */
static uint32_t on_assigned(struct vpci_bus *bus, const uint8_t *p,
			    uint32_t len, struct vpci_reply *r)
{
	struct vpci_resources_assigned m;
	uint32_t status = VPCI_STATUS_SUCCESS;
	struct vpci_slot *s;

	(void)len;
	(void)r;
	memset(&m, 0, sizeof(m));
	memcpy(&m, p, offsetof(struct vpci_resources_assigned, reserved));
	if (!bus->in_d0) {
		guest_refuse("vpci.assigned-before-d0",
			     "%s: resources assigned for slot %u outside D0",
			     bus->name, m.win_slot);
		return VPCI_STATUS_INVALID_DEVICE_STATE;
	}
	s = vpci_lookup_slot(bus, m.win_slot, "resources assigned", &status);
	if (!s)
		return status;
	/* Linux sends zeros; the BARs' real addresses arrive through config
	 * space.  Anything else must at least describe MMIO in a gap. */
	for (unsigned i = 0; i < VPCI_NUM_BARS; i++) {
		const struct vpci_partial_resource *d = &m.memory_range[i];
		uint64_t bytes;

		if (all_zero(d, sizeof(*d)))
			continue;
		bytes = descriptor_length(d);
		if (bytes == 0 ||
		    memmap_gap_of(bus->registry->map, d->start, bytes) == 0) {
			guest_refuse("vpci.assigned-bad-descriptor",
				     "%s: slot %u: resource %u (type %u, flags 0x%x, "
				     "start 0x%llx, length 0x%x) is not MMIO inside "
				     "a VMBus gap", bus->name, m.win_slot, i,
				     d->type, d->flags,
				     (unsigned long long)d->start, d->length);
			return VPCI_STATUS_INVALID_PARAMETER;
		}
	}
	s->resources_assigned = true;
	return VPCI_STATUS_SUCCESS;
}

static uint32_t on_released(struct vpci_bus *bus, const uint8_t *p,
			    uint32_t len, struct vpci_reply *r)
{
	struct vpci_child_message m;
	uint32_t status = VPCI_STATUS_SUCCESS;
	struct vpci_slot *s;

	(void)len;
	(void)r;
	memcpy(&m, p, sizeof(m));
	s = vpci_lookup_slot(bus, m.win_slot, "resources released", &status);
	if (s)
		vpci_reset_function(s);
	return status;
}

/* ---- Eject --------------------------------------------------------------- */

static uint32_t on_ejection_complete(struct vpci_bus *bus, const uint8_t *p,
				     uint32_t len, struct vpci_reply *r)
{
	struct vpci_ejection_complete m;
	uint32_t status = VPCI_STATUS_SUCCESS;
	struct vpci_slot *s;

	(void)len;
	(void)r;
	memcpy(&m, p, sizeof(m));
	s = vpci_lookup_slot(bus, m.win_slot, "ejection complete", &status);
	if (!s)
		return status;
	if (!s->eject_pending) {
		guest_refuse("vpci.eject-unexpected",
			     "%s: ejection complete for slot %u, which the host "
			     "did not eject", bus->name, m.win_slot);
		return VPCI_STATUS_INVALID_DEVICE_STATE;
	}
	vpci_remove_slot(bus, s);
	vpci_queue_relations(bus);
	return VPCI_STATUS_SUCCESS;
}

/* ---- Dispatch ------------------------------------------------------------ */

static const struct msg_rule rules[] = {
	{ VPCI_MSG_QUERY_PROTOCOL_VERSION, sizeof(struct vpci_query_protocol_version),
	  0, on_query_version },
	{ VPCI_MSG_QUERY_BUS_RELATIONS, sizeof(struct vpci_message),
	  VPCI_PROTOCOL_VERSION_1_1, on_query_relations },
	{ VPCI_MSG_QUERY_RESOURCE_REQUIREMENTS, sizeof(struct vpci_child_message),
	  VPCI_PROTOCOL_VERSION_1_1, on_query_requirements },
	{ VPCI_MSG_BUS_D0ENTRY, sizeof(struct vpci_bus_d0_entry),
	  VPCI_PROTOCOL_VERSION_1_1, on_d0_entry },
	{ VPCI_MSG_BUS_D0EXIT, sizeof(struct vpci_message),
	  VPCI_PROTOCOL_VERSION_1_1, on_d0_exit },
	{ VPCI_MSG_RESOURCES_ASSIGNED, sizeof(struct vpci_resources_assigned),
	  VPCI_PROTOCOL_VERSION_1_1, on_assigned },
	{ VPCI_MSG_RESOURCES_ASSIGNED2, sizeof(struct vpci_resources_assigned2),
	  VPCI_PROTOCOL_VERSION_1_2, on_assigned },
	{ VPCI_MSG_RESOURCES_RELEASED, sizeof(struct vpci_child_message),
	  VPCI_PROTOCOL_VERSION_1_1, on_released },
	{ VPCI_MSG_CREATE_INTERRUPT, sizeof(struct vpci_create_interrupt),
	  VPCI_PROTOCOL_VERSION_1_1, vpci_on_create_interrupt },
	{ VPCI_MSG_CREATE_INTERRUPT2, sizeof(struct vpci_create_interrupt2),
	  VPCI_PROTOCOL_VERSION_1_2, vpci_on_create_interrupt2 },
	{ VPCI_MSG_CREATE_INTERRUPT3, sizeof(struct vpci_create_interrupt3),
	  VPCI_PROTOCOL_VERSION_1_4, vpci_on_create_interrupt3 },
	{ VPCI_MSG_DELETE_INTERRUPT, sizeof(struct vpci_delete_interrupt),
	  VPCI_PROTOCOL_VERSION_1_1, vpci_on_delete_interrupt },
	{ VPCI_MSG_EJECTION_COMPLETE, sizeof(struct vpci_ejection_complete),
	  VPCI_PROTOCOL_VERSION_1_1, on_ejection_complete },
};

static const struct msg_rule *find_rule(uint32_t type)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i].type == type)
			return &rules[i];
	return NULL;
}

static bool host_to_guest_type(uint32_t type)
{
	return type == VPCI_MSG_BUS_RELATIONS || type == VPCI_MSG_BUS_RELATIONS2 ||
	       type == VPCI_MSG_EJECT || type == VPCI_MSG_INVALIDATE_BLOCK;
}

/* Checks every message shares, then the message's own handler. */
static uint32_t dispatch(struct vpci_bus *bus, const struct vmbus_pkt *pkt,
			 uint32_t type, struct vpci_reply *r)
{
	const struct msg_rule *rule;
	const char *name = vpci_msg_name(type);

	if (pkt->desc.type != VMBUS_PKT_DATA_INBAND) {
		guest_refuse("vpci.packet-type", "%s: packet type 0x%x refused "
			     "(in-band only)", bus->name, pkt->desc.type);
		return VPCI_STATUS_BAD_DATA;
	}
	if (!pkt->payload || pkt->payload_len < sizeof(uint32_t)) {
		guest_refuse("vpci.truncated", "%s: %u-byte packet has no "
			     "message type", bus->name, pkt->payload_len);
		return VPCI_STATUS_BAD_DATA;
	}
	rule = find_rule(type);
	if (!rule) {
		if (host_to_guest_type(type))
			guest_refuse("vpci.wrong-direction", "%s: %s is a host "
				     "message", bus->name, name);
		else if (name)
			guest_refuse("vpci.unsupported-message",
				     "%s: %s not supported", bus->name, name);
		else
			guest_refuse("vpci.unknown-message",
				     "%s: unknown message type 0x%x", bus->name, type);
		return host_to_guest_type(type) ? VPCI_STATUS_BAD_DATA
						: VPCI_STATUS_NOT_SUPPORTED;
	}
	if (pkt->payload_len < rule->min_len) {
		guest_refuse("vpci.truncated", "%s: %s of %u bytes, needs %u",
			     bus->name, name, pkt->payload_len, rule->min_len);
		return VPCI_STATUS_BAD_DATA;
	}
	if (rule->min_version && !bus->protocol_version) {
		guest_refuse("vpci.before-version", "%s: %s before the protocol "
			     "version was agreed", bus->name, name);
		return VPCI_STATUS_INVALID_DEVICE_STATE;
	}
	if (rule->min_version > bus->protocol_version) {
		guest_refuse("vpci.needs-newer-version", "%s: %s needs protocol "
			     "%u.%u, agreed %u.%u", bus->name, name,
			     rule->min_version >> 16, rule->min_version & 0xFFFF,
			     bus->protocol_version >> 16,
			     bus->protocol_version & 0xFFFF);
		return VPCI_STATUS_NOT_SUPPORTED;
	}
	return rule->handle(bus, pkt->payload, pkt->payload_len, r);
}

uint32_t vpci_handle_packet(struct vpci_bus *bus, const struct vmbus_pkt *pkt)
{
	struct vpci_reply r;
	uint32_t type = 0, status;

	if (!bus || !pkt)
		return VPCI_STATUS_INVALID_PARAMETER;
	memset(&r, 0, sizeof(r));
	r.len = sizeof(struct vpci_completion);
	if (pkt->payload && pkt->payload_len >= sizeof(type))
		type = read_u32(pkt->payload);

	pthread_mutex_lock(&bus->lock);
	bus->stats.packets++;
	status = dispatch(bus, pkt, type, &r);
	if (vpci_status_failed(status) && status != VPCI_STATUS_REVISION_MISMATCH)
		bus->stats.refusals++;
	if (pkt->desc.type == VMBUS_PKT_DATA_INBAND &&
	    (pkt->desc.flags & VMBUS_PKT_FLAG_COMPLETION_REQUESTED)) {
		memcpy(r.buf, &status, sizeof(status));
		vpci_note_completion(bus, pkt->desc.trans_id, type);
		vpci_queue(bus, VMBUS_PKT_COMP, pkt->desc.trans_id, r.buf, r.len);
		bus->stats.completions++;
	}
	pthread_mutex_unlock(&bus->lock);
	vpci_bus_flush(bus);
	return status;
}
