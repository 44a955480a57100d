// SPDX-License-Identifier: MIT
/*
 * Malformed PCI pass-through messages (facts §7.2-§7.5), in the order a
 * bus comes up: before the protocol version, at 1.1, at 1.4 before D0,
 * in D0.  Each refused request is answered with a negative NTSTATUS in
 * its completion (facts §7.4); packets that cannot be requests get no
 * completion at all.
 */
#include "guest/hostile/cases.h"

#include "guest/hostile/env.h"
#include "guest/hostile/vpci_io.h"
#include "guest/lib/string.h"
#include "vmbus/abi/vpci_abi.h"

#define UNKNOWN_VPCI_MSG   (VPCI_MSG_BASE + 0x77u)
#define EMPTY_SLOT         VPCI_WIN_SLOT(7, 0)
#define SLOT_BEYOND_BUS    0x100u
#define TEST64_SLOT        VPCI_WIN_SLOT(0, 0)
#define NO_SUCH_VP         9u

static bool status_is(struct hsaw *s, uint32_t got, uint32_t want)
{
	if (got == VPCI_IO_NO_COMPLETION)
		saw(s, "no completion");
	else
		saw(s, "completion status 0x%x", got);
	return got == want;
}

static bool request_is(struct hsaw *s, const void *m, uint32_t len,
		       uint32_t want)
{
	return status_is(s, vpci_io_request(m, len, NULL, 0), want);
}

static bool no_completion(struct hsaw *s, uint16_t pkt_type, const void *m,
			  uint32_t len)
{
	bool quiet = vpci_io_post_quiet(pkt_type, m, len);

	saw(s, "%s", quiet ? "no completion, nothing sent back" : "an answer");
	return quiet;
}

/* ---- before QUERY_PROTOCOL_VERSION (facts §7.5 step 2) ----------------- */

static bool early_setup(void)
{
	return vpci_io_open();
}

static bool relations_before_version(struct hsaw *s)
{
	struct vpci_message m = { VPCI_MSG_QUERY_BUS_RELATIONS };

	return request_is(s, &m, sizeof(m), VPCI_STATUS_INVALID_DEVICE_STATE);
}

static bool d0_before_version(struct hsaw *s)
{
	struct vpci_bus_d0_entry m = {
		.type = VPCI_MSG_BUS_D0ENTRY,
		.mmio_base = henv.window,
	};

	return request_is(s, &m, sizeof(m), VPCI_STATUS_INVALID_DEVICE_STATE);
}

/* Packets are whole qwords (facts §6.3): the only payload shorter than
 * the u32 type is none at all. */
static bool no_payload(struct hsaw *s)
{
	return request_is(s, NULL, 0, VPCI_STATUS_BAD_DATA);
}

/* facts §7.2: the message types, and which way each goes. */
static bool unknown_message(struct hsaw *s)
{
	struct vpci_message m = { UNKNOWN_VPCI_MSG };

	return request_is(s, &m, sizeof(m), VPCI_STATUS_NOT_SUPPORTED);
}

static bool host_message(struct hsaw *s)
{
	struct vpci_bus_relations m = { .type = VPCI_MSG_BUS_RELATIONS };

	return request_is(s, &m, sizeof(m), VPCI_STATUS_BAD_DATA);
}

static bool unserved_message(struct hsaw *s)
{
	uint32_t m[4] = { VPCI_MSG_READ_BLOCK, 0, TEST64_SLOT, 4 };

	return request_is(s, m, sizeof(m), VPCI_STATUS_NOT_SUPPORTED);
}

/* 24 bytes cut to 16: a whole qword short, so the padding cannot
 * hide it. */
static bool interrupt_truncated(struct hsaw *s)
{
	struct vpci_create_interrupt m;

	memset(&m, 0, sizeof(m));
	m.type = VPCI_MSG_CREATE_INTERRUPT;
	return request_is(s, &m, 16, VPCI_STATUS_BAD_DATA);
}

/* facts §7.4: completions go host -> guest only. */
static bool stray_completion(struct hsaw *s)
{
	uint32_t status = 0;

	return no_completion(s, VMBUS_PKT_COMP, &status, sizeof(status));
}

static bool gpa_direct_packet(struct hsaw *s)
{
	struct vpci_message m = { VPCI_MSG_QUERY_BUS_RELATIONS };

	return no_completion(s, VMBUS_PKT_DATA_GPA_DIRECT, &m, sizeof(m));
}

static const struct hcase early_cases[] = {
	{ "QUERY_BUS_RELATIONS before the protocol version", "vpci.before-version", relations_before_version },
	{ "D0 entry before the protocol version", "vpci.before-version", d0_before_version },
	{ "VPCI packet with no payload", "vpci.truncated", no_payload },
	{ "CREATE_INTERRUPT cut to 16 bytes", "vpci.truncated", interrupt_truncated },
	{ "unknown VPCI message type", "vpci.unknown-message", unknown_message },
	{ "host-to-guest BUS_RELATIONS sent by the guest", "vpci.wrong-direction", host_message },
	{ "READ_BLOCK (not served)", "vpci.unsupported-message", unserved_message },
	{ "completion for an unknown transaction", "vpci.packet-type", stray_completion },
	{ "GPA-direct packet on the PCI channel", "vpci.packet-type", gpa_direct_packet },
};

const struct hgroup hostile_vpci_early_group =
	HGROUP("PCI bus, no version yet", early_setup, NULL, early_cases);

/* ---- at protocol 1.1 (facts §7.2: ASSIGNED2 >= 1.2, INTERRUPT3 1.4) ---- */

static bool v11_setup(void)
{
	return vpci_io_version(VPCI_PROTOCOL_VERSION_1_1);
}

static bool assigned2_at_1_1(struct hsaw *s)
{
	struct vpci_resources_assigned2 m;

	memset(&m, 0, sizeof(m));
	m.type = VPCI_MSG_RESOURCES_ASSIGNED2;
	m.win_slot = TEST64_SLOT;
	return request_is(s, &m, sizeof(m), VPCI_STATUS_NOT_SUPPORTED);
}

static bool interrupt3_at_1_1(struct hsaw *s)
{
	struct vpci_create_interrupt3 m;

	memset(&m, 0, sizeof(m));
	m.type = VPCI_MSG_CREATE_INTERRUPT3;
	m.win_slot = TEST64_SLOT;
	m.int_desc.vector = 0x40;
	m.int_desc.vector_count = 1;
	m.int_desc.processor_count = 1;
	return request_is(s, &m, sizeof(m), VPCI_STATUS_NOT_SUPPORTED);
}

static const struct hcase v11_cases[] = {
	{ "RESOURCES_ASSIGNED2 at protocol 1.1", "vpci.needs-newer-version", assigned2_at_1_1 },
	{ "CREATE_INTERRUPT3 at protocol 1.1", "vpci.needs-newer-version", interrupt3_at_1_1 },
};

const struct hgroup hostile_vpci_v11_group =
	HGROUP("PCI bus at 1.1", v11_setup, NULL, v11_cases);

/* ---- at protocol 1.4, not in D0 (facts §7.3, §7.5, §7.6) --------------- */

static bool v14_setup(void)
{
	return vpci_io_version(VPCI_PROTOCOL_VERSION_1_4);
}

static bool d0(struct hsaw *s, uint64_t base, uint32_t want)
{
	struct vpci_bus_d0_entry m = {
		.type = VPCI_MSG_BUS_D0ENTRY,
		.mmio_base = base,
	};

	return request_is(s, &m, sizeof(m), want);
}

static bool d0_truncated(struct hsaw *s)
{
	struct vpci_bus_d0_entry m = {
		.type = VPCI_MSG_BUS_D0ENTRY,
		.mmio_base = henv.window,
	};

	return request_is(s, &m, 8, VPCI_STATUS_BAD_DATA);
}

/* facts §7.3: win_slot is bits 4:0 device, 7:5 function, rest 0. */
static bool requirements(struct hsaw *s, uint32_t slot, uint32_t want)
{
	struct vpci_child_message m = {
		.type = VPCI_MSG_QUERY_RESOURCE_REQUIREMENTS,
		.win_slot = slot,
	};

	return request_is(s, &m, sizeof(m), want);
}

static bool requirements_beyond_bus(struct hsaw *s)
{
	return requirements(s, SLOT_BEYOND_BUS, VPCI_STATUS_INVALID_PARAMETER);
}

static bool requirements_empty_slot(struct hsaw *s)
{
	return requirements(s, EMPTY_SLOT, VPCI_STATUS_NO_SUCH_DEVICE);
}

static bool assigned(struct hsaw *s, uint32_t slot, uint64_t start,
		     uint32_t want)
{
	struct vpci_resources_assigned2 m;

	memset(&m, 0, sizeof(m));
	m.type = VPCI_MSG_RESOURCES_ASSIGNED2;
	m.win_slot = slot;
	if (start) {
		m.memory_range[0].type = VPCI_RES_TYPE_MEMORY;
		m.memory_range[0].start = start;
		m.memory_range[0].length = VPCI_TEST_TEST64_BAR0_SIZE;
	}
	return request_is(s, &m, sizeof(m), want);
}

static bool assigned_before_d0(struct hsaw *s)
{
	return assigned(s, TEST64_SLOT, 0, VPCI_STATUS_INVALID_DEVICE_STATE);
}

/* facts §7.6, §9.4: the 8 KiB window is 4 KiB aligned, inside a gap. */
static bool d0_misaligned(struct hsaw *s)
{
	return d0(s, henv.window + 0x800, VPCI_STATUS_INVALID_PARAMETER);
}

static bool d0_in_ram(struct hsaw *s)
{
	return d0(s, 0x200000, VPCI_STATUS_INVALID_PARAMETER);
}

static bool d0_straddling_gap_end(struct hsaw *s)
{
	return d0(s, henv.low_end - 0x1000, VPCI_STATUS_INVALID_PARAMETER);
}

static bool d0_top_of_address_space(struct hsaw *s)
{
	return d0(s, ~0xFFFull, VPCI_STATUS_INVALID_PARAMETER);
}

static const struct hcase v14_cases[] = {
	{ "D0 entry cut to 8 bytes", "vpci.truncated", d0_truncated },
	{ "resource requirements for a slot beyond the bus", "vpci.slot-invalid", requirements_beyond_bus },
	{ "resource requirements for an empty slot", "vpci.slot-unknown", requirements_empty_slot },
	{ "resources assigned before D0", "vpci.assigned-before-d0", assigned_before_d0 },
	{ "D0 entry with a config window not 4 KiB aligned", "vpci.d0-window-misaligned", d0_misaligned },
	{ "D0 entry with the config window in RAM", "vpci.d0-window-outside-gaps", d0_in_ram },
	{ "D0 entry with the config window across the gap's end", "vpci.d0-window-outside-gaps", d0_straddling_gap_end },
	{ "D0 entry with the config window at the top of the address space", "vpci.d0-window-outside-gaps", d0_top_of_address_space },
};

const struct hgroup hostile_vpci_v14_group =
	HGROUP("PCI bus at 1.4", v14_setup, NULL, v14_cases);

/* ---- in D0 (facts §7.3-§7.5) -------------------------------------------- */

static bool d0_setup(void)
{
	return vpci_io_d0_entry(henv.window);
}

static bool d0_twice(struct hsaw *s)
{
	return d0(s, henv.window + 0x10000, VPCI_STATUS_INVALID_DEVICE_STATE);
}

static bool version_in_d0(struct hsaw *s)
{
	struct vpci_query_protocol_version q = {
		.type = VPCI_MSG_QUERY_PROTOCOL_VERSION,
		.version = VPCI_PROTOCOL_VERSION_1_4,
	};

	return request_is(s, &q, sizeof(q), VPCI_STATUS_INVALID_DEVICE_STATE);
}

static bool assigned_empty_slot(struct hsaw *s)
{
	return assigned(s, EMPTY_SLOT, 0, VPCI_STATUS_NO_SUCH_DEVICE);
}

static bool assigned_outside_gaps(struct hsaw *s)
{
	return assigned(s, TEST64_SLOT, henv.hole, VPCI_STATUS_INVALID_PARAMETER);
}

static bool eject_not_asked(struct hsaw *s)
{
	struct vpci_ejection_complete m = {
		.type = VPCI_MSG_EJECTION_COMPLETE,
		.win_slot = TEST64_SLOT,
	};

	return request_is(s, &m, sizeof(m), VPCI_STATUS_INVALID_DEVICE_STATE);
}

/* facts §7.3: an MSI vector is >= 16, its target a VP the guest has;
 * only interrupts the host made can be deleted. */
static bool interrupt(struct hsaw *s, uint32_t vector, uint16_t vp)
{
	struct vpci_create_interrupt3 m;

	memset(&m, 0, sizeof(m));
	m.type = VPCI_MSG_CREATE_INTERRUPT3;
	m.win_slot = TEST64_SLOT;
	m.int_desc.vector = vector;
	m.int_desc.delivery_mode = VPCI_DELIVERY_FIXED;
	m.int_desc.vector_count = 1;
	m.int_desc.processor_count = 1;
	m.int_desc.processor_array[0] = vp;
	return request_is(s, &m, sizeof(m), VPCI_STATUS_INVALID_PARAMETER);
}

static bool interrupt_exception_vector(struct hsaw *s)
{
	return interrupt(s, 3, 0);
}

static bool interrupt_no_such_vp(struct hsaw *s)
{
	return interrupt(s, 0x40, NO_SUCH_VP);
}

static bool delete_never_made(struct hsaw *s)
{
	struct vpci_delete_interrupt m;

	memset(&m, 0, sizeof(m));
	m.type = VPCI_MSG_DELETE_INTERRUPT;
	m.win_slot = TEST64_SLOT;
	m.int_desc.vector_count = 1;
	m.int_desc.data = 0x40;
	m.int_desc.address = 0xDEAD0000ull;
	return request_is(s, &m, sizeof(m), VPCI_STATUS_INVALID_PARAMETER);
}

static const struct hcase d0_cases[] = {
	{ "D0 entry while in D0", "vpci.d0-twice", d0_twice },
	{ "protocol version query while in D0", "vpci.version-in-d0", version_in_d0 },
	{ "resources assigned for an empty slot", "vpci.slot-unknown", assigned_empty_slot },
	{ "resources assigned outside the MMIO gaps", "vpci.assigned-bad-descriptor", assigned_outside_gaps },
	{ "ejection complete for a slot never ejected", "vpci.eject-unexpected", eject_not_asked },
	{ "interrupt on exception vector 3", "vpci.interrupt-bad-vector", interrupt_exception_vector },
	{ "interrupt targeting a VP that does not exist", "vpci.interrupt-bad-vp", interrupt_no_such_vp },
	{ "delete of an interrupt never made", "vpci.interrupt-unknown", delete_never_made },
};

const struct hgroup hostile_vpci_d0_group = HGROUP("PCI bus in D0", d0_setup, NULL, d0_cases);
