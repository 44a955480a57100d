// SPDX-License-Identifier: MIT
/* The VPCI service after D0 entry: BARs programmed through the config
 * window and their registry claims, RESOURCES_ASSIGNED/RELEASED,
 * interrupts (1.1, 2, 3, delete), host-initiated eject, what closing the
 * channel releases, and two buses side by side. */
#include "tests/unit/test_vpci_fixture.h"

/* ---- Resources and BARs ----------------------------------------------------- */

static void bars_programmed_through_the_window(void **state)
{
	struct fixture *f = *state;
	const uint64_t a = HIGH + 0x100000, b = LOW + 0x200000;
	const struct mmio_claim *c;

	bring_up(f, f->bus, WIN);
	program_bars(f, WIN, a, b);
	assert_int_equal(cfg_read(f, WIN, 0, PCI_CFG_BAR0, 4), (uint32_t)a | 0xC);
	assert_int_equal(cfg_read(f, WIN, 0, PCI_CFG_BAR0 + 4, 4), (uint32_t)(a >> 32));
	c = mmio_registry_find(&f->reg, a, 1);
	assert_non_null(c);
	assert_string_equal(c->owner, "vpci0/slot0");
	assert_int_equal(c->kind, MMIO_CLAIM_BAR);
	assert_int_equal(c->size, 0x4000);
	c = mmio_registry_find(&f->reg, b, 1);
	assert_non_null(c);
	assert_string_equal(c->owner, "vpci0/slot1");
	assert_int_equal(c->size, 0x100);
	/* The functions answer at their BARs. */
	assert_int_equal(mmio_read(f, a + VPCI_TEST_REG_MAGIC, 4), VPCI_TEST_MAGIC);
	assert_int_equal(mmio_read(f, a + VPCI_TEST_REG_IDENTITY, 4),
			 VPCI_TEST_IDENTITY(VPCI_TEST_DEVICE_TEST64, 0, 0));
	assert_int_equal(mmio_read(f, b + VPCI_TEST_REG_IDENTITY, 4),
			 VPCI_TEST_IDENTITY(VPCI_TEST_DEVICE_TEST32, 0, 1));
	uint64_t pattern = 0x0123456789ABCDEFull;
	mmio_bus_access(&f->mmio, b + VPCI_TEST_REG_SCRATCH, &pattern, 8, true);
	assert_int_equal(mmio_read(f, b + VPCI_TEST_REG_SCRATCH, 8), pattern);
	assert_int_equal(f->mmio.n, 3);           /* window + two BARs */
	assert_true(mmio_registry_consistent(&f->reg));
}

static void bar_refusals(void **state)
{
	struct fixture *f = *state;

	bring_up(f, f->bus, WIN);
	/* Outside the gaps: cleared, reads back only the type bits. */
	cfg_write(f, WIN, 0, PCI_CFG_BAR0, 4, 0x00400000);
	cfg_write(f, WIN, 0, PCI_CFG_BAR0 + 4, 4, 0);
	assert_string_equal(guest_last_refusal(), "vpci.bar-outside-gaps");
	assert_int_equal(cfg_read(f, WIN, 0, PCI_CFG_BAR0, 4), 0xC);
	/* On top of the bus's own config window. */
	cfg_write(f, WIN, 1, PCI_CFG_BAR0, 4, (uint32_t)(WIN + 0x1000));
	assert_string_equal(guest_last_refusal(), "vpci.bar-overlap");
	assert_int_equal(cfg_read(f, WIN, 1, PCI_CFG_BAR0, 4), 0);
	cfg_write(f, WIN, 1, PCI_CFG_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_int_equal(f->mmio.n, 1);           /* only the window */
	/* The window itself still works. */
	assert_int_equal(cfg_read(f, WIN, 1, PCI_CFG_DEVICE_ID, 2), VPCI_TEST_DEVICE_TEST32);
	assert_true(mmio_registry_consistent(&f->reg));
}

static void resources_assigned_rules(void **state)
{
	struct fixture *f = *state;
	struct vpci_resources_assigned m1;
	struct vpci_resources_assigned2 m2;

	assert_int_equal(negotiate(f->bus, VPCI_PROTOCOL_VERSION_1_1), 0);
	/* Outside D0. */
	memset(&m1, 0, sizeof(m1));
	m1.type = VPCI_MSG_RESOURCES_ASSIGNED;
	m1.win_slot = 0;
	assert_int_equal(req(f->bus, &m1, sizeof(m1), 9), VPCI_STATUS_INVALID_DEVICE_STATE);
	assert_string_equal(guest_last_refusal(), "vpci.assigned-before-d0");
	assert_int_equal(d0_entry(f->bus, WIN), 0);
	/* Linux's all-zero descriptors. */
	assert_int_equal(req(f->bus, &m1, sizeof(m1), 9), 0);
	assert_int_equal(completion(&f->cap, 9), 0);
	assert_true(vpci_bus_slot(f->bus, 0)->resources_assigned);
	/* Truncated. */
	assert_int_equal(req(f->bus, &m1, sizeof(m1) - 1, 9), VPCI_STATUS_BAD_DATA);
	assert_string_equal(guest_last_refusal(), "vpci.truncated");
	/* A descriptor in RAM. */
	m1.memory_range[0].type = VPCI_RES_TYPE_MEMORY;
	m1.memory_range[0].start = 0x100000;
	m1.memory_range[0].length = 0x4000;
	assert_int_equal(req(f->bus, &m1, sizeof(m1), 9), VPCI_STATUS_INVALID_PARAMETER);
	assert_string_equal(guest_last_refusal(), "vpci.assigned-bad-descriptor");
	/* A port range is not MMIO. */
	m1.memory_range[0].type = 1;
	m1.memory_range[0].start = LOW;
	assert_int_equal(req(f->bus, &m1, sizeof(m1), 9), VPCI_STATUS_INVALID_PARAMETER);
	/* Large memory in the high gap, length in 64 KiB units. */
	m1.memory_range[0].type = VPCI_RES_TYPE_MEMORY_LARGE;
	m1.memory_range[0].flags = VPCI_RES_FLAG_LARGE_48;
	m1.memory_range[0].start = HIGH;
	m1.memory_range[0].length = 1;
	assert_int_equal(req(f->bus, &m1, sizeof(m1), 9), 0);
	/* Large without a size flag is malformed. */
	m1.memory_range[0].flags = 0;
	assert_int_equal(req(f->bus, &m1, sizeof(m1), 9), VPCI_STATUS_INVALID_PARAMETER);
	/* ASSIGNED2 needs 1.2. */
	memset(&m2, 0, sizeof(m2));
	m2.type = VPCI_MSG_RESOURCES_ASSIGNED2;
	assert_int_equal(req(f->bus, &m2, sizeof(m2), 9), VPCI_STATUS_NOT_SUPPORTED);
	assert_string_equal(guest_last_refusal(), "vpci.needs-newer-version");
	/* Unknown slot. */
	m1.win_slot = 3;
	memset(m1.memory_range, 0, sizeof(m1.memory_range));
	assert_int_equal(req(f->bus, &m1, sizeof(m1), 9), VPCI_STATUS_NO_SUCH_DEVICE);
}

static void resources_released_drops_bars(void **state)
{
	struct fixture *f = *state;
	const uint64_t a = HIGH + 0x100000, b = LOW + 0x200000;

	bring_up(f, f->bus, WIN);
	program_bars(f, WIN, a, b);
	f->cap.n = 0;
	/* Linux posts it without asking for a completion. */
	assert_int_equal(child(f->bus, VPCI_MSG_RESOURCES_RELEASED, 1, false), 0);
	assert_int_equal(f->cap.n, 0);
	assert_null(mmio_registry_find(&f->reg, b, 0x100));
	assert_int_equal(mmio_read(f, b, 4), 0xFFFFFFFF);
	assert_int_equal(cfg_read(f, WIN, 1, PCI_CFG_BAR0, 4), 0);
	/* Slot 0 untouched. */
	assert_non_null(mmio_registry_find(&f->reg, a, 1));
	assert_int_equal(mmio_read(f, a, 4), VPCI_TEST_MAGIC);
	assert_int_equal(child(f->bus, VPCI_MSG_RESOURCES_RELEASED, 9, false),
			 VPCI_STATUS_NO_SUCH_DEVICE);
}

/* ---- Interrupts ------------------------------------------------------------- */

static const struct vpci_int_desc *int_desc_of(struct capture *c)
{
	static struct vpci_create_interrupt_completion ci;
	const struct sent *s = last(c);

	assert_int_equal(s->len, sizeof(ci));
	memcpy(&ci, s->data, sizeof(ci));
	return &ci.int_desc;
}

static void interrupts_v1(void **state)
{
	struct fixture *f = *state;
	struct vpci_create_interrupt m;
	const struct vpci_int_desc *d;

	assert_int_equal(negotiate(f->bus, VPCI_PROTOCOL_VERSION_1_1), 0);
	memset(&m, 0, sizeof(m));
	m.type = VPCI_MSG_CREATE_INTERRUPT;
	m.win_slot = 0;
	m.int_desc.vector = 0x41;
	m.int_desc.vector_count = 1;
	m.int_desc.cpu_mask = ~0ull;          /* what Linux sends */
	assert_int_equal(req(f->bus, &m, sizeof(m), 0x77), 0);
	assert_int_equal(completion(&f->cap, 0x77), 0);
	d = int_desc_of(&f->cap);
	assert_int_equal(d->address, 0xFEE00000ull);
	assert_int_equal(d->data, 0x41);
	assert_int_equal(d->vector_count, 1);
	/* Only VP 1 in the mask. */
	m.int_desc.cpu_mask = 0x2;
	assert_int_equal(req(f->bus, &m, sizeof(m), 0x78), 0);
	assert_int_equal(int_desc_of(&f->cap)->address, 0xFEE01000ull);
	/* Lowest priority shows in the data's delivery field. */
	m.int_desc.delivery_mode = VPCI_DELIVERY_LOWEST_PRIO;
	assert_int_equal(req(f->bus, &m, sizeof(m), 0x79), 0);
	assert_int_equal(int_desc_of(&f->cap)->data, 0x141);
	/* No valid VP in the mask (the guest has 2). */
	m.int_desc.cpu_mask = 0x4;
	assert_int_equal(req(f->bus, &m, sizeof(m), 0x7A), VPCI_STATUS_INVALID_PARAMETER);
	assert_string_equal(guest_last_refusal(), "vpci.interrupt-bad-vp");
	assert_int_equal(last(&f->cap)->len, 24);
	/* Exception vectors, odd delivery modes and zero counts. */
	m.int_desc.cpu_mask = 1;
	m.int_desc.delivery_mode = 0;
	m.int_desc.vector = 5;
	assert_int_equal(req(f->bus, &m, sizeof(m), 0x7B), VPCI_STATUS_INVALID_PARAMETER);
	assert_string_equal(guest_last_refusal(), "vpci.interrupt-bad-vector");
	m.int_desc.vector = 0x41;
	m.int_desc.delivery_mode = 4;
	assert_int_equal(req(f->bus, &m, sizeof(m), 0x7C), VPCI_STATUS_INVALID_PARAMETER);
	m.int_desc.delivery_mode = 0;
	m.int_desc.vector_count = 0;
	assert_int_equal(req(f->bus, &m, sizeof(m), 0x7D), VPCI_STATUS_INVALID_PARAMETER);
	/* Create 2 and 3 need newer versions. */
	struct vpci_create_interrupt3 m3;
	memset(&m3, 0, sizeof(m3));
	m3.type = VPCI_MSG_CREATE_INTERRUPT3;
	assert_int_equal(req(f->bus, &m3, sizeof(m3), 0x7E), VPCI_STATUS_NOT_SUPPORTED);
	assert_int_equal(vpci_bus_slot(f->bus, 0)->interrupts, 3);
}

static void interrupts_v2_v3_and_delete(void **state)
{
	struct fixture *f = *state;
	struct vpci_create_interrupt2 m2;
	struct vpci_create_interrupt3 m3;
	struct vpci_delete_interrupt del;

	assert_int_equal(negotiate(f->bus, VPCI_PROTOCOL_VERSION_1_2), 0);
	memset(&m2, 0, sizeof(m2));
	m2.type = VPCI_MSG_CREATE_INTERRUPT2;
	m2.win_slot = 1;
	m2.int_desc.vector = 0x30;
	m2.int_desc.vector_count = 2;         /* multi-MSI */
	m2.int_desc.processor_count = 1;
	m2.int_desc.processor_array[0] = 1;
	assert_int_equal(req(f->bus, &m2, sizeof(m2), 1), 0);
	assert_int_equal(int_desc_of(&f->cap)->address, 0xFEE01000ull);
	assert_int_equal(int_desc_of(&f->cap)->vector_count, 2);
	/* A VP the guest does not have, anywhere in the array. */
	m2.int_desc.processor_count = 2;
	m2.int_desc.processor_array[1] = 9;
	assert_int_equal(req(f->bus, &m2, sizeof(m2), 2), VPCI_STATUS_INVALID_PARAMETER);
	m2.int_desc.processor_count = 0;
	assert_int_equal(req(f->bus, &m2, sizeof(m2), 3), VPCI_STATUS_INVALID_PARAMETER);
	m2.int_desc.processor_count = 33;
	assert_int_equal(req(f->bus, &m2, sizeof(m2), 3), VPCI_STATUS_INVALID_PARAMETER);

	/* 1.4: CREATE_INTERRUPT3 with a 32-bit vector field. */
	vpci_bus_close(f->bus);
	vpci_bus_open(f->bus);
	assert_int_equal(negotiate(f->bus, VPCI_PROTOCOL_VERSION_1_4), 0);
	memset(&m3, 0, sizeof(m3));
	m3.type = VPCI_MSG_CREATE_INTERRUPT3;
	m3.win_slot = 0;
	m3.int_desc.vector = 0xEF;
	m3.int_desc.vector_count = 1;
	m3.int_desc.processor_count = 1;
	assert_int_equal(req(f->bus, &m3, sizeof(m3), 4), 0);
	assert_int_equal(int_desc_of(&f->cap)->data, 0xEF);
	assert_int_equal(int_desc_of(&f->cap)->address, 0xFEE00000ull);
	m3.int_desc.vector = 0x1EF;
	assert_int_equal(req(f->bus, &m3, sizeof(m3), 5), VPCI_STATUS_INVALID_PARAMETER);

	/* Delete what we made: fine (Linux posts it). */
	memset(&del, 0, sizeof(del));
	del.type = VPCI_MSG_DELETE_INTERRUPT;
	del.win_slot = 0;
	del.int_desc.vector_count = 1;
	del.int_desc.data = 0xEF;
	del.int_desc.address = 0xFEE00000ull;
	assert_int_equal(post(f->bus, &del, sizeof(del)), 0);
	assert_int_equal(vpci_bus_slot(f->bus, 0)->interrupts, 0);
	/* Something we never handed out. */
	del.int_desc.address = 0x12345000ull;
	assert_int_equal(post(f->bus, &del, sizeof(del)), VPCI_STATUS_INVALID_PARAMETER);
	assert_string_equal(guest_last_refusal(), "vpci.interrupt-unknown");
}

/* ---- Eject ---------------------------------------------------------------------- */

static void eject_flow(void **state)
{
	struct fixture *f = *state;
	const uint64_t a = HIGH + 0x100000, b = LOW + 0x200000;
	struct vpci_ejection_complete done = { VPCI_MSG_EJECTION_COMPLETE, 1, 0 };
	const struct sent *s;

	bring_up(f, f->bus, WIN);
	program_bars(f, WIN, a, b);
	f->cap.n = 0;
	assert_int_equal(vpci_bus_eject(f->bus, 1), 0);
	assert_int_equal(f->cap.n, 1);
	s = last(&f->cap);
	assert_int_equal(s->type, VMBUS_PKT_DATA_INBAND);
	assert_int_equal(s->len, 8);
	assert_int_equal(u32_at(s, 0), VPCI_MSG_EJECT);
	assert_int_equal(u32_at(s, 4), 1);
	/* Once pending, not again; nor for functions that do not exist. */
	assert_int_equal(vpci_bus_eject(f->bus, 1), -1);
	assert_int_equal(vpci_bus_eject(f->bus, 6), -1);
	/* Still there until the guest confirms. */
	assert_non_null(vpci_bus_slot(f->bus, 1));
	assert_non_null(mmio_registry_find(&f->reg, b, 1));

	/* The guest confirms (no completion requested, as Linux does). */
	f->cap.n = 0;
	assert_int_equal(post(f->bus, &done, sizeof(done)), 0);
	assert_null(vpci_bus_slot(f->bus, 1));
	assert_null(mmio_registry_find(&f->reg, b, 1));
	assert_int_equal(mmio_read(f, b, 4), 0xFFFFFFFF);
	assert_int_equal(f->mmio.n, 2);           /* window + slot 0's BAR */
	/* Updated relations follow. */
	assert_int_equal(f->cap.n, 1);
	s = last(&f->cap);
	assert_int_equal(u32_at(s, 0), VPCI_MSG_BUS_RELATIONS2);
	assert_int_equal(u32_at(s, 4), 1);
	assert_int_equal(s->len, 8 + 28);
	/* The config window no longer knows slot 1. */
	assert_int_equal(cfg_read(f, WIN, 1, 0, 4), 0xFFFFFFFF);
	/* A completion for a function the host did not eject. */
	done.win_slot = 0;
	assert_int_equal(post(f->bus, &done, sizeof(done)), VPCI_STATUS_INVALID_DEVICE_STATE);
	assert_string_equal(guest_last_refusal(), "vpci.eject-unexpected");
	done.win_slot = 1;
	assert_int_equal(post(f->bus, &done, sizeof(done)), VPCI_STATUS_NO_SUCH_DEVICE);
	assert_int_equal(f->bus->stats.ejects, 1);
}

static void eject_without_a_driver_is_immediate(void **state)
{
	struct fixture *f = *state;

	/* Open, but no version agreed: nobody to ask. */
	f->cap.n = 0;
	assert_int_equal(vpci_bus_eject(f->bus, 0), 0);
	assert_int_equal(f->cap.n, 0);
	assert_null(vpci_bus_slot(f->bus, 0));
	/* A pending eject completes when the channel closes. */
	assert_int_equal(negotiate(f->bus, VPCI_PROTOCOL_VERSION_1_4), 0);
	assert_int_equal(vpci_bus_eject(f->bus, 1), 0);
	vpci_bus_close(f->bus);
	assert_null(vpci_bus_slot(f->bus, 1));
	vpci_bus_open(f->bus);
	assert_int_equal(negotiate(f->bus, VPCI_PROTOCOL_VERSION_1_4), 0);
	struct vpci_message q = { VPCI_MSG_QUERY_BUS_RELATIONS };
	assert_int_equal(post(f->bus, &q, sizeof(q)), 0);
	assert_int_equal(u32_at(last(&f->cap), 4), 0);
}

/* ---- Reset, two buses ------------------------------------------------------ */

static void close_releases_everything(void **state)
{
	struct fixture *f = *state;
	const uint64_t a = HIGH + 0x100000, b = LOW + 0x200000;

	bring_up(f, f->bus, WIN);
	program_bars(f, WIN, a, b);
	assert_int_equal(f->mmio.n, 3);
	vpci_bus_close(f->bus);
	/* The registry holds nothing for a bus that is not open. */
	assert_null(mmio_registry_find(&f->reg, 0, UINT64_MAX));
	assert_int_equal(f->mmio.n, 0);
	assert_false(f->bus->in_d0);
	assert_int_equal(f->bus->protocol_version, 0);
	/* Functions are back to power-on. */
	assert_int_equal(pci_func_bar_address(&vpci_bus_slot(f->bus, 0)->fn, 0), 0);
	assert_false(pci_func_mem_enabled(&vpci_bus_slot(f->bus, 1)->fn));
	/* Nothing goes out on a closed bus. */
	f->cap.n = 0;
	assert_int_equal(negotiate(f->bus, VPCI_PROTOCOL_VERSION_1_4), 0);
	assert_int_equal(f->cap.n, 0);
	/* Reopened: a fresh session that starts with the version. */
	vpci_bus_open(f->bus);
	assert_int_equal(d0_entry(f->bus, WIN), VPCI_STATUS_INVALID_DEVICE_STATE);
	bring_up(f, f->bus, WIN);
	assert_int_equal(f->mmio.n, 1);
}

static void two_buses_windows_cannot_overlap(void **state)
{
	struct fixture *f = *state;
	struct capture cap1;
	struct vpci_bus *bus1;
	const struct mmio_claim *c;

	memset(&cap1, 0, sizeof(cap1));
	bus1 = make_bus(f, 1, &cap1);
	assert_string_equal(bus1->name, "vpci1");
	/* Linux's PCI domain comes from instance bytes 5:4: distinct. */
	assert_int_equal(f->bus->instance_id.b[4] | (f->bus->instance_id.b[5] << 8),
			 VPCI_DOMAIN(0));
	assert_int_equal(bus1->instance_id.b[4] | (bus1->instance_id.b[5] << 8),
			 VPCI_DOMAIN(1));
	assert_memory_not_equal(&f->bus->instance_id, &bus1->instance_id, 16);

	bring_up(f, f->bus, WIN);
	assert_int_equal(negotiate(bus1, VPCI_PROTOCOL_VERSION_1_4), 0);
	assert_int_equal(d0_entry(bus1, WIN + 0x1000), VPCI_STATUS_MMIO_OVERLAP);
	assert_int_equal(f->reg.refused[0].holder.kind, MMIO_CLAIM_CONFIG_WINDOW);
	assert_string_equal(f->reg.refused[0].holder.owner, "vpci0");
	assert_int_equal(d0_entry(bus1, WIN + 0x2000), 0);
	assert_int_equal(assigned2(bus1, 0), 0);
	/* Each bus has its own pair, with its own identity. */
	cfg_write(f, WIN + 0x2000, 0, PCI_CFG_BAR0, 4, 0);
	cfg_write(f, WIN + 0x2000, 0, PCI_CFG_BAR0 + 4, 4, (uint32_t)(HIGH >> 32));
	cfg_write(f, WIN + 0x2000, 0, PCI_CFG_COMMAND, 2, PCI_COMMAND_MEMORY);
	c = mmio_registry_find(&f->reg, HIGH, 1);
	assert_non_null(c);
	assert_string_equal(c->owner, "vpci1/slot0");
	assert_int_equal(mmio_read(f, HIGH + VPCI_TEST_REG_IDENTITY, 4),
			 VPCI_TEST_IDENTITY(VPCI_TEST_DEVICE_TEST64, 1, 0));
	/* bus 0's slot 0 cannot take the same range. */
	cfg_write(f, WIN, 0, PCI_CFG_BAR0, 4, 0);
	cfg_write(f, WIN, 0, PCI_CFG_BAR0 + 4, 4, (uint32_t)(HIGH >> 32));
	assert_string_equal(guest_last_refusal(), "vpci.bar-overlap");
	/* Closing bus 1 leaves bus 0's claims alone. */
	vpci_bus_close(bus1);
	assert_null(mmio_registry_find(&f->reg, HIGH, 1));
	assert_non_null(mmio_registry_find(&f->reg, WIN, 1));
	assert_true(mmio_registry_consistent(&f->reg));
	vpci_bus_destroy(bus1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(bars_programmed_through_the_window),
		T(bar_refusals),
		T(resources_assigned_rules),
		T(resources_released_drops_bars),
		T(interrupts_v1),
		T(interrupts_v2_v3_and_delete),
		T(eject_flow),
		T(eject_without_a_driver_is_immediate),
		T(close_releases_everything),
		T(two_buses_windows_cannot_overlap),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
