// SPDX-License-Identifier: MIT
/*
 * The pci-hyperv probe sequence, D0 entry/exit and teardown (Linux
 * drivers/pci/controller/pci-hyperv.c: hv_pci_probe, hv_pci_enter_d0,
 * hv_pci_bus_exit, hv_pci_remove), over an abstract transport.  The
 * function list lives in vpci_relations.c, BARs in vpci_bars.c, config
 * access in vpci_config.c.  Order and messages: protocol-facts §7.4, §7.5.
 */
#include "pci_front/vpci_internal.h"

/* Linux probes newest first (pci_protocol_versions[]). */
static const uint32_t probe_versions[] = {
	VPCI_PROTOCOL_VERSION_1_4,
	VPCI_PROTOCOL_VERSION_1_3,
	VPCI_PROTOCOL_VERSION_1_2,
	VPCI_PROTOCOL_VERSION_1_1,
};

const char *pcif_result_name(int result)
{
	switch (result) {
	case PCIF_OK:
		return "ok";
	case PCIF_ERR_TRANSPORT:
		return "transport failed";
	case PCIF_ERR_TIMEOUT:
		return "timed out";
	case PCIF_ERR_REFUSED:
		return "refused by the host";
	case PCIF_ERR_NO_MMIO:
		return "no MMIO space";
	case PCIF_ERR_NO_DEVICE:
		return "no such function";
	case PCIF_ERR_INVALID:
		return "invalid";
	case PCIF_ERR_PROTOCOL:
		return "protocol error";
	}
	return "?";
}

const char *pcif_stage_name(enum pcif_stage stage)
{
	switch (stage) {
	case PCIF_STAGE_NONE:
		return "none";
	case PCIF_STAGE_VERSION:
		return "version";
	case PCIF_STAGE_CONFIG_WINDOW:
		return "config window";
	case PCIF_STAGE_RELATIONS:
		return "bus relations";
	case PCIF_STAGE_D0_ENTRY:
		return "D0 entry";
	case PCIF_STAGE_BRIDGE_WINDOWS:
		return "bridge windows";
	case PCIF_STAGE_RESOURCES_ASSIGNED:
		return "resources assigned";
	}
	return "?";
}

/* ---- Talking to the host ------------------------------------------------ */

uint32_t pcif_wait_ms(const struct pcif_bus *bus)
{
	return bus->cfg.wait_ms ? bus->cfg.wait_ms : PCIF_DEFAULT_WAIT_MS;
}

static int xport_to_result(int xport_result)
{
	switch (xport_result) {
	case PCIF_XPORT_OK:
		return PCIF_OK;
	case PCIF_XPORT_TIMEOUT:
		return PCIF_ERR_TIMEOUT;
	default:
		return PCIF_ERR_TRANSPORT;
	}
}

int pcif_request(struct pcif_bus *bus, const void *msg, uint32_t len,
		 void *resp, uint32_t resp_cap, uint32_t *status)
{
	uint32_t resp_len = 0;
	int rc;

	pcif_zero(resp, resp_cap);
	rc = bus->xport.ops->request(bus->xport.ctx, msg, len, resp, resp_cap,
				     &resp_len);
	if (rc != PCIF_XPORT_OK)
		return xport_to_result(rc);
	/* hv_pci_generic_compl: a completion without a full status word
	 * counts as status -1. */
	if (resp_len < sizeof(uint32_t))
		*status = 0xFFFFFFFFu;
	else
		pcif_copy(status, resp, sizeof(*status));
	return PCIF_OK;
}

int pcif_post(struct pcif_bus *bus, const void *msg, uint32_t len)
{
	return xport_to_result(bus->xport.ops->post(bus->xport.ctx, msg, len));
}

void pcif_log_hex_msg(struct pcif_bus *bus, enum pcif_log_level level,
		      const char *prefix, uint64_t value)
{
	struct pcif_text t;

	pcif_text_init(&t);
	pcif_text_str(&t, prefix);
	pcif_text_hex_alt(&t, value);
	pcif_log_text(&bus->log, level, &t);
}

/* prefix + "%d" */
static void log_int_msg(struct pcif_bus *bus, enum pcif_log_level level,
			const char *prefix, int value)
{
	struct pcif_text t;

	pcif_text_init(&t);
	pcif_text_str(&t, prefix);
	pcif_text_sdec(&t, value);
	pcif_log_text(&bus->log, level, &t);
}

/* ---- Setup ----------------------------------------------------------- */

void pcif_bus_init(struct pcif_bus *bus, const struct pcif_transport *xport,
		   struct pcif_mmio_alloc *mmio, const struct pcif_log *log,
		   const struct pcif_bus_config *cfg)
{
	pcif_zero(bus, sizeof(*bus));
	bus->xport = *xport;
	bus->mmio = mmio;
	if (log)
		bus->log = *log;
	bus->cfg = *cfg;
	if (!bus->cfg.name)
		bus->cfg.name = "vpci";
	bus->state = PCIF_BUS_INIT;
	bus->wslot_res_allocated = -1;
	bus->failed_stage = PCIF_STAGE_NONE;
}

static int fail(struct pcif_bus *bus, enum pcif_stage stage, uint32_t status,
		int result)
{
	bus->failed_stage = stage;
	bus->failed_status = status;
	return result;
}

/* ---- 1. Protocol version (hv_pci_protocol_negotiation) ---------------- */

static int negotiate_version(struct pcif_bus *bus)
{
	struct vpci_query_protocol_version req;
	uint8_t resp[8];
	unsigned i;

	req.type = VPCI_MSG_QUERY_PROTOCOL_VERSION;
	for (i = 0; i < sizeof(probe_versions) / sizeof(probe_versions[0]); i++) {
		uint32_t status;
		int rc;

		req.version = probe_versions[i];
		rc = pcif_request(bus, &req, sizeof(req), resp, sizeof(resp),
				  &status);
		if (rc != PCIF_OK) {
			log_int_msg(bus, PCIF_LOG_ERR,
				    "PCI Pass-through VSP failed to request version: ",
				    rc);
			return fail(bus, PCIF_STAGE_VERSION, 0, rc);
		}
		if (!vpci_status_failed(status)) {
			bus->protocol_version = probe_versions[i];
			pcif_log_hex_msg(bus, PCIF_LOG_INFO,
					 "PCI VMBus probing: Using version ",
					 bus->protocol_version);
			return PCIF_OK;
		}
		if (status != VPCI_STATUS_REVISION_MISMATCH) {
			pcif_log_hex_msg(bus, PCIF_LOG_ERR,
					 "PCI Pass-through VSP failed version request: ",
					 status);
			return fail(bus, PCIF_STAGE_VERSION, status,
				    PCIF_ERR_REFUSED);
		}
	}
	pcif_log_str(&bus->log, PCIF_LOG_ERR,
		     "PCI pass-through VSP failed to find supported version");
	return fail(bus, PCIF_STAGE_VERSION, VPCI_STATUS_REVISION_MISMATCH,
		    PCIF_ERR_REFUSED);
}

/* ---- 2. Config window (hv_allocate_config_window) --------------------- */

static int allocate_config_window(struct pcif_bus *bus)
{
	int rc = pcif_mmio_allocate_config_window(bus->mmio,
						  bus->cfg.window_policy,
						  bus->cfg.name,
						  &bus->config_window);

	if (rc != PCIF_MMIO_OK) {
		struct pcif_text t;

		pcif_text_init(&t);
		pcif_text_str(&t, "no MMIO space for the config window (policy ");
		pcif_text_str(&t, pcif_config_window_policy_name(
					  bus->cfg.window_policy));
		pcif_text_str(&t, ")");
		pcif_log_text(&bus->log, PCIF_LOG_ERR, &t);
		return fail(bus, PCIF_STAGE_CONFIG_WINDOW, 0, PCIF_ERR_NO_MMIO);
	}
	bus->has_config_window = true;
	pcif_log_hex_msg(bus, PCIF_LOG_INFO, "config window at ",
			 bus->config_window);
	return PCIF_OK;
}

static void free_config_window(struct pcif_bus *bus)
{
	if (!bus->has_config_window)
		return;
	pcif_mmio_free(bus->mmio, bus->config_window, PCIF_CONFIG_WINDOW_SIZE);
	bus->has_config_window = false;
}

/* ---- 3. Bus relations (hv_pci_query_relations) ------------------------ */

/* Handle one message taken from the transport. */
static int receive_one(struct pcif_bus *bus, uint32_t wait_ms,
		       bool *was_relations)
{
	uint32_t len = 0;
	int rc;

	*was_relations = false;
	rc = bus->xport.ops->poll(bus->xport.ctx, bus->msg, sizeof(bus->msg),
				  &len, wait_ms);
	if (rc != PCIF_XPORT_OK)
		return xport_to_result(rc);
	if (len > sizeof(bus->msg))
		len = sizeof(bus->msg);
	rc = pcif_dispatch(bus, bus->msg, len, was_relations);
	/* A malformed host message is logged and dropped, as in Linux. */
	return rc == PCIF_ERR_PROTOCOL ? PCIF_OK : rc;
}

static int query_relations(struct pcif_bus *bus)
{
	struct vpci_message msg = { VPCI_MSG_QUERY_BUS_RELATIONS };
	unsigned stray;
	int rc;

	rc = pcif_post(bus, &msg, sizeof(msg));
	if (rc != PCIF_OK)
		return fail(bus, PCIF_STAGE_RELATIONS, 0, rc);
	/* The survey completes when a relations message has been applied
	 * (every new function's requirements queried). */
	for (stray = 0; stray < PCIF_MAX_STRAY_MESSAGES; stray++) {
		bool was_relations;

		rc = receive_one(bus, pcif_wait_ms(bus), &was_relations);
		if (rc != PCIF_OK) {
			pcif_log_str(&bus->log, PCIF_LOG_ERR,
				     rc == PCIF_ERR_TIMEOUT ?
				     "no bus relations from the host" :
				     "channel failed while waiting for bus relations");
			return fail(bus, PCIF_STAGE_RELATIONS, 0, rc);
		}
		if (was_relations)
			return PCIF_OK;
	}
	pcif_log_str(&bus->log, PCIF_LOG_ERR,
		     "too many messages without bus relations");
	return fail(bus, PCIF_STAGE_RELATIONS, 0, PCIF_ERR_PROTOCOL);
}

/* ---- 4. D0 entry and exit ------------------------------------------- */

/* hv_pci_enter_d0: a refusal is logged with Linux's exact words. */
static int enter_d0(struct pcif_bus *bus)
{
	struct vpci_bus_d0_entry req;
	uint8_t resp[8];
	uint32_t status;
	int rc;

	pcif_zero(&req, sizeof(req));
	req.type = VPCI_MSG_BUS_D0ENTRY;
	req.mmio_base = bus->config_window;
	bus->d0_entry_attempts++;
	rc = pcif_request(bus, &req, sizeof(req), resp, sizeof(resp), &status);
	if (rc != PCIF_OK)
		return fail(bus, PCIF_STAGE_D0_ENTRY, 0, rc);
	if (vpci_status_failed(status)) {
		struct pcif_text t;

		pcif_text_init(&t);
		pcif_text_str(&t, "PCI Pass-through VSP failed D0 Entry with status ");
		pcif_text_hex(&t, status);
		pcif_log_text(&bus->log, PCIF_LOG_ERR, &t);
		return fail(bus, PCIF_STAGE_D0_ENTRY, status, PCIF_ERR_REFUSED);
	}
	return PCIF_OK;
}

/* hv_send_resources_released: every known function up to the highest
 * slot that got resources, highest first. */
static int send_resources_released(struct pcif_bus *bus)
{
	int wslot;

	for (wslot = bus->wslot_res_allocated; wslot >= 0; wslot--) {
		struct pcif_func *f = pcif_func_at(bus, (uint32_t)wslot);
		struct vpci_child_message msg;
		int rc;

		if (!f)
			continue;
		msg.type = VPCI_MSG_RESOURCES_RELEASED;
		msg.win_slot = f->desc.win_slot;
		rc = pcif_post(bus, &msg, sizeof(msg));
		if (rc != PCIF_OK)
			return rc;
		f->resources_assigned = false;
		bus->wslot_res_allocated = wslot - 1;
	}
	bus->wslot_res_allocated = -1;
	return PCIF_OK;
}

/* hv_pci_bus_exit: without keep_funcs the functions are forgotten first,
 * so no RESOURCES_RELEASED goes out (as in hv_pci_remove). */
static int bus_exit(struct pcif_bus *bus, bool keep_funcs)
{
	struct vpci_message msg = { VPCI_MSG_BUS_D0EXIT };
	uint8_t resp[8];
	uint32_t status;
	unsigned i;
	int rc;

	if (!keep_funcs)
		for (i = 0; i < PCIF_MAX_FUNCS; i++)
			bus->func[i].present = false;
	rc = send_resources_released(bus);
	if (rc != PCIF_OK) {
		pcif_log_str(&bus->log, PCIF_LOG_ERR,
			     "Couldn't send resources released packet(s)");
		return rc;
	}
	/* Linux waits up to 10 s and ignores the status. */
	return pcif_request(bus, &msg, sizeof(msg), resp, sizeof(resp),
			    &status);
}

/* ---- 5. Bridge windows (hv_pci_allocate_bridge_windows) ---------------- */

static void log_need_space(struct pcif_bus *bus, uint64_t space, bool high)
{
	struct pcif_text t;

	pcif_text_init(&t);
	pcif_text_str(&t, "Need ");
	pcif_text_hex_alt(&t, space);
	pcif_text_str(&t, high ? " of high MMIO space. Consider reconfiguring the VM."
			       : " of low MMIO space. Consider reconfiguring the VM.");
	pcif_log_text(&bus->log, PCIF_LOG_ERR, &t);
}

static void free_bridge_windows(struct pcif_bus *bus)
{
	if (bus->has_low_window)
		pcif_mmio_free(bus->mmio, bus->low_window, bus->low_mmio_space);
	if (bus->has_high_window)
		pcif_mmio_free(bus->mmio, bus->high_window, bus->high_mmio_space);
	bus->has_low_window = false;
	bus->has_high_window = false;
}

static int allocate_bridge_windows(struct pcif_bus *bus)
{
	if (bus->low_mmio_space) {
		if (pcif_mmio_allocate_bridge_window(bus->mmio, false,
						     bus->low_mmio_space,
						     bus->cfg.name,
						     &bus->low_window) != PCIF_MMIO_OK) {
			log_need_space(bus, bus->low_mmio_space, false);
			return fail(bus, PCIF_STAGE_BRIDGE_WINDOWS, 0,
				    PCIF_ERR_NO_MMIO);
		}
		/* "Modify this resource to become a bridge window." */
		pcif_mmio_set_window(bus->mmio, bus->low_window, true);
		bus->has_low_window = true;
	}
	if (bus->high_mmio_space) {
		if (pcif_mmio_allocate_bridge_window(bus->mmio, true,
						     bus->high_mmio_space,
						     bus->cfg.name,
						     &bus->high_window) != PCIF_MMIO_OK) {
			log_need_space(bus, bus->high_mmio_space, true);
			free_bridge_windows(bus);
			return fail(bus, PCIF_STAGE_BRIDGE_WINDOWS, 0,
				    PCIF_ERR_NO_MMIO);
		}
		pcif_mmio_set_window(bus->mmio, bus->high_window, true);
		bus->has_high_window = true;
	}
	return PCIF_OK;
}

/* ---- 6. Resources assigned (hv_send_resources_allocated) --------------- */

static int send_resources_assigned(struct pcif_bus *bus)
{
	union {
		struct vpci_resources_assigned v1;
		struct vpci_resources_assigned2 v2;
	} req;
	uint8_t resp[8];
	uint32_t wslot, len;
	bool v1 = bus->protocol_version < VPCI_PROTOCOL_VERSION_1_2;

	len = v1 ? sizeof(req.v1) : sizeof(req.v2);
	for (wslot = 0; wslot <= VPCI_WIN_SLOT_MAX; wslot++) {
		struct pcif_func *f = pcif_func_at(bus, wslot);
		uint32_t status;
		int rc;

		if (!f)
			continue;
		/* Linux sends no resource descriptors: all zeros. */
		pcif_zero(&req, sizeof(req));
		if (v1) {
			req.v1.type = VPCI_MSG_RESOURCES_ASSIGNED;
			req.v1.win_slot = f->desc.win_slot;
		} else {
			req.v2.type = VPCI_MSG_RESOURCES_ASSIGNED2;
			req.v2.win_slot = f->desc.win_slot;
		}
		rc = pcif_request(bus, &req, len, resp, sizeof(resp), &status);
		if (rc != PCIF_OK)
			return fail(bus, PCIF_STAGE_RESOURCES_ASSIGNED, 0, rc);
		if (vpci_status_failed(status)) {
			pcif_log_hex_msg(bus, PCIF_LOG_ERR,
					 "resource allocated returned ", status);
			return fail(bus, PCIF_STAGE_RESOURCES_ASSIGNED, status,
				    PCIF_ERR_REFUSED);
		}
		f->resources_assigned = true;
		bus->wslot_res_allocated = (int)wslot;
	}
	return PCIF_OK;
}

/* ---- The probe -------------------------------------------------------- */

int pcif_probe(struct pcif_bus *bus)
{
	bool enter_d0_retry = true;
	int rc;

	if (bus->state != PCIF_BUS_INIT)
		return PCIF_ERR_INVALID;
	bus->failed_stage = PCIF_STAGE_NONE;
	bus->failed_status = 0;

	rc = negotiate_version(bus);
	if (rc != PCIF_OK)
		goto closed;
	rc = allocate_config_window(bus);
	if (rc != PCIF_OK)
		goto closed;

retry:
	rc = query_relations(bus);
	if (rc != PCIF_OK)
		goto free_config;
	rc = enter_d0(bus);
	/* kdump: the host may still hold the old kernel's resources --
	 * release everything (wslot_res_allocated = 255) and try once more,
	 * starting again from the relations. */
	if (rc == PCIF_ERR_REFUSED && enter_d0_retry) {
		enter_d0_retry = false;
		pcif_log_str(&bus->log, PCIF_LOG_ERR, "Retrying D0 Entry");
		bus->wslot_res_allocated = VPCI_WIN_SLOT_MAX;
		rc = bus_exit(bus, true);
		if (rc == PCIF_OK)
			goto retry;
		log_int_msg(bus, PCIF_LOG_ERR, "Retrying D0 failed with ret ", rc);
		fail(bus, PCIF_STAGE_D0_ENTRY, bus->failed_status, rc);
	}
	if (rc != PCIF_OK)
		goto free_config;

	rc = allocate_bridge_windows(bus);
	if (rc != PCIF_OK)
		goto exit_d0;
	rc = send_resources_assigned(bus);
	if (rc != PCIF_OK)
		goto free_windows;
	pcif_program_bars(bus);
	bus->state = PCIF_BUS_PROBED;
	return PCIF_OK;

free_windows:
	free_bridge_windows(bus);
exit_d0:
	(void)bus_exit(bus, true);
free_config:
	free_config_window(bus);
closed:
	bus->state = PCIF_BUS_REMOVED;
	return rc;
}

/* ---- After the probe -------------------------------------------------- */

int pcif_dispatch(struct pcif_bus *bus, const uint8_t *msg, uint32_t len,
		  bool *was_relations)
{
	uint32_t type;
	int rc;

	if (was_relations)
		*was_relations = false;
	if (len < sizeof(type)) {
		pcif_log_str(&bus->log, PCIF_LOG_DEBUG,
			     "dropped a host message shorter than its type");
		return PCIF_ERR_PROTOCOL;
	}
	pcif_copy(&type, msg, sizeof(type));
	switch (type) {
	case VPCI_MSG_BUS_RELATIONS:
	case VPCI_MSG_BUS_RELATIONS2:
		if (bus->state == PCIF_BUS_REMOVED) {
			pcif_log_str(&bus->log, PCIF_LOG_INFO,
				     "PCI VMBus BUS_RELATIONS: ignored");
			return PCIF_OK;
		}
		rc = pcif_apply_relations(bus, msg, len);
		if (rc == PCIF_OK && was_relations)
			*was_relations = true;
		return rc;
	case VPCI_MSG_EJECT:
		return pcif_handle_eject(bus, msg, len);
	case VPCI_MSG_INVALIDATE_BLOCK:
		/* No function here registers a block-invalidate callback. */
		return PCIF_OK;
	default:
		pcif_log_hex_msg(bus, PCIF_LOG_WARN,
				 "Unimplemented protocol message ", type);
		return PCIF_OK;
	}
}

int pcif_poll(struct pcif_bus *bus, uint32_t wait_ms)
{
	bool was_relations;
	int rc = receive_one(bus, wait_ms, &was_relations);

	if (rc == PCIF_ERR_TIMEOUT)
		return 0;
	return rc == PCIF_OK ? 1 : rc;
}

int pcif_remove(struct pcif_bus *bus)
{
	int rc;

	if (bus->state != PCIF_BUS_PROBED)
		return PCIF_ERR_INVALID;
	bus->state = PCIF_BUS_REMOVED;
	rc = bus_exit(bus, false);
	free_config_window(bus);
	free_bridge_windows(bus);
	return rc;
}
