// SPDX-License-Identifier: MIT
/*
 * The VPCI service through the real VMBus core: a simulated guest takes
 * the offer, opens the channel with pci-hyperv's 16 KiB rings and walks
 * the start of Linux's probe (facts §7.5) through the rings; closing the
 * channel and unloading release everything the bus held.
 */
#include "tests/unit/test_vmbus_guest.h"

#include "firmware/memmap.h"
#include "vmbus/abi/vpci_abi.h"
#include "vmbus/mmio_registry.h"
#include "vmbus/vpci.h"
#include "vmm/mmio_bus.h"

#define MIB  0x100000ull
#define WIN  (MEMMAP_DEFAULT_LOW_MMIO_BASE + 0x20000)
#define RING_PAGES 4u                  /* pci-hyperv: 16 KiB each way */

struct fixture {
	struct tg *tg;
	struct memmap map;
	struct mmio_registry reg;
	struct mmio_bus mmio;
	struct vpci_bus *bus;
	uint64_t pfns[2 * RING_PAGES];
	struct tg_ring out, in;
	struct vmbus_msg_offer_channel offer;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct memmap_range low = { MEMMAP_DEFAULT_LOW_MMIO_BASE,
				    MEMMAP_DEFAULT_LOW_MMIO_SIZE };
	struct memmap_range high = { MEMMAP_DEFAULT_HIGH_MMIO_BASE,
				     MEMMAP_DEFAULT_HIGH_MMIO_SIZE };
	struct vpci_bus_config c;
	char err[128];

	assert_non_null(f);
	log_set_quiet(1);
	assert_int_equal(memmap_build(&f->map, 256 * MIB, low, high, NULL, 0), 0);
	mmio_registry_init(&f->reg, &f->map);
	vpci_bus_config_default(&c, 0, TG_NR_VPS);
	f->bus = vpci_bus_create(&c, &f->reg, &f->mmio, err, sizeof(err));
	assert_non_null(f->bus);

	f->tg = tg_new();
	assert_int_equal(vmbus_register_service(f->tg->host,
						vpci_bus_service(f->bus)), 0);
	tg_connect(f->tg, VMBUS_VERSION(5, 3));
	tg_request_offers(f->tg, 1, &f->offer);
	for (uint32_t i = 0; i < 2 * RING_PAGES; i++)
		f->pfns[i] = tg_alloc_pfn(f->tg);
	assert_int_equal(tg_create_gpadl(f->tg, 1, 0xE1E10, f->pfns, 2 * RING_PAGES), 0);
	assert_int_equal(tg_open(f->tg, 1, 0xE1E10, RING_PAGES, 0), 0);
	f->out = tg_ring_of(f->tg, f->pfns, RING_PAGES);
	f->in = tg_ring_of(f->tg, f->pfns + RING_PAGES, RING_PAGES);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tg_free(f->tg);
	vpci_bus_destroy(f->bus);
	free(f);
	return 0;
}

/* Write one packet into the guest->host ring and signal if due. */
static void guest_send(struct fixture *f, const void *msg, uint32_t len,
		       uint64_t tid, bool completion)
{
	bool signal = false;

	assert_int_equal(tg_ring_write(&f->out, VMBUS_PKT_DATA_INBAND,
				       completion ? VMBUS_PKT_FLAG_COMPLETION_REQUESTED : 0,
				       tid, msg, len, &signal), 0);
	if (signal)
		assert_int_equal(tg_signal(f->tg, 1), HV_STATUS_SUCCESS);
}

/* Read the next host packet; returns its padded payload length. */
static uint32_t guest_recv(struct fixture *f, struct vmbus_packet_desc *d,
			   uint8_t *buf, uint32_t size)
{
	uint32_t len = 0;
	bool signal_writer = false;

	assert_int_equal(tg_ring_read(&f->in, d, buf, size, &len, &signal_writer), 1);
	return len;
}

static void offer_names_the_pci_class_and_instance(void **state)
{
	struct fixture *f = *state;
	const struct vmbus_guid pci = VMBUS_CLASS_PCI;

	assert_memory_equal(&f->offer.if_type, &pci, 16);
	assert_memory_equal(&f->offer.if_instance, &f->bus->instance_id, 16);
	/* Linux's PCI domain: instance bytes 5:4. */
	assert_int_equal(f->offer.if_instance.b[4] | (f->offer.if_instance.b[5] << 8),
			 VPCI_DOMAIN(0));
	assert_true(f->bus->open);
}

static void probe_sequence_through_the_rings(void **state)
{
	struct fixture *f = *state;
	struct vpci_query_protocol_version v = { VPCI_MSG_QUERY_PROTOCOL_VERSION,
						 VPCI_PROTOCOL_VERSION_1_4 };
	struct vpci_message q = { VPCI_MSG_QUERY_BUS_RELATIONS };
	struct vpci_child_message rr = { VPCI_MSG_QUERY_RESOURCE_REQUIREMENTS, 1 };
	struct vpci_bus_d0_entry d0 = { VPCI_MSG_BUS_D0ENTRY, 0, WIN };
	struct vmbus_packet_desc d;
	uint8_t buf[4096];
	uint32_t len, status, slot = 1, val = 0;

	/* Version: a completion echoing the transaction id. */
	guest_send(f, &v, sizeof(v), 7, true);
	len = guest_recv(f, &d, buf, sizeof(buf));
	assert_int_equal(d.type, VMBUS_PKT_COMP);
	assert_int_equal(d.trans_id, 7);
	/* More than 20 raw bytes, or Linux drops it (facts §7.4). */
	assert_true(16 + len > 20);
	memcpy(&status, buf, 4);
	assert_int_equal(status, 0);

	/* Relations arrive in-band. */
	guest_send(f, &q, sizeof(q), 0, false);
	len = guest_recv(f, &d, buf, sizeof(buf));
	assert_int_equal(d.type, VMBUS_PKT_DATA_INBAND);
	assert_true(len >= 8 + 2 * 28);
	memcpy(&status, buf, 4);
	assert_int_equal(status, VPCI_MSG_BUS_RELATIONS2);

	/* Probed BARs for slot 1. */
	guest_send(f, &rr, sizeof(rr), 8, true);
	len = guest_recv(f, &d, buf, sizeof(buf));
	assert_int_equal(d.type, VMBUS_PKT_COMP);
	assert_true(len >= 28);
	memcpy(&status, buf + 4, 4);
	assert_int_equal(status, 0xFFFFFF00);

	/* D0 entry: the window appears on the MMIO bus. */
	guest_send(f, &d0, sizeof(d0), 9, true);
	guest_recv(f, &d, buf, sizeof(buf));
	memcpy(&status, buf, 4);
	assert_int_equal(status, 0);
	mmio_bus_access(&f->mmio, WIN, &slot, 4, true);
	mmio_bus_access(&f->mmio, WIN + VPCI_CFG_PAGE_OFFSET + 2, &val, 2, false);
	assert_int_equal(val, VPCI_TEST_DEVICE_TEST32);
	assert_non_null(mmio_registry_find(&f->reg, WIN, 1));

	/* Closing the channel is an implicit D0 exit. */
	tg_close(f->tg, 1);
	assert_false(f->bus->open);
	assert_false(f->bus->in_d0);
	assert_null(mmio_registry_find(&f->reg, 0, UINT64_MAX));
	assert_int_equal(f->mmio.n, 0);
}

static void host_eject_reaches_the_guest(void **state)
{
	struct fixture *f = *state;
	struct vpci_query_protocol_version v = { VPCI_MSG_QUERY_PROTOCOL_VERSION,
						 VPCI_PROTOCOL_VERSION_1_2 };
	struct vpci_ejection_complete done = { VPCI_MSG_EJECTION_COMPLETE, 0, 0 };
	struct vmbus_packet_desc d;
	uint8_t buf[4096];
	uint32_t word;

	guest_send(f, &v, sizeof(v), 1, true);
	guest_recv(f, &d, buf, sizeof(buf));
	assert_int_equal(vpci_bus_eject(f->bus, 0), 0);
	/* The host interrupts the guest for its in-band PCI_EJECT. */
	assert_true(tg_take_event(f->tg, 0, 1));
	guest_recv(f, &d, buf, sizeof(buf));
	assert_int_equal(d.type, VMBUS_PKT_DATA_INBAND);
	memcpy(&word, buf, 4);
	assert_int_equal(word, VPCI_MSG_EJECT);
	memcpy(&word, buf + 4, 4);
	assert_int_equal(word, 0);
	/* EJECTION_COMPLETE: BUS_RELATIONS (1.2: 20-byte form) with one left. */
	guest_send(f, &done, sizeof(done), 0, false);
	guest_recv(f, &d, buf, sizeof(buf));
	memcpy(&word, buf, 4);
	assert_int_equal(word, VPCI_MSG_BUS_RELATIONS);
	memcpy(&word, buf + 4, 4);
	assert_int_equal(word, 1);
	assert_null(vpci_bus_slot(f->bus, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(offer_names_the_pci_class_and_instance,
						setup, teardown),
		cmocka_unit_test_setup_teardown(probe_sequence_through_the_rings,
						setup, teardown),
		cmocka_unit_test_setup_teardown(host_eject_reaches_the_guest,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
