/* SPDX-License-Identifier: MIT */
/*
 * The VPCI test fixture: a memory map and MMIO registry, an MMIO bus, and
 * a bus whose send function captures what the host sends; helpers that
 * build packets the way pci-hyperv does and read the replies back.
 *
 * Included by the test_vpci*.c suites; everything is static inline so a
 * suite need not use every helper.
 */
#ifndef KVMBUS_TEST_VPCI_FIXTURE_H
#define KVMBUS_TEST_VPCI_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "firmware/memmap.h"
#include "vmbus/abi/vpci_abi.h"
#include "vmbus/mmio_registry.h"
#include "vmbus/vpci.h"
#include "vmm/log.h"
#include "vmm/mmio_bus.h"
#include "vmm/trace.h"

#define MIB  0x100000ull
#define LOW  MEMMAP_DEFAULT_LOW_MMIO_BASE
#define HIGH MEMMAP_DEFAULT_HIGH_MMIO_BASE
#define WIN  (LOW + 0x10000)       /* a free config window */

struct sent {
	uint16_t type;
	uint64_t tid;
	uint32_t len;
	uint8_t data[VPCI_MSG_MAX];
};

struct capture {
	struct sent msg[64];
	unsigned n;
	int rc;                       /* what send returns; 0 = accept */
};

struct fixture {
	struct memmap map;
	struct mmio_registry reg;
	struct mmio_bus mmio;
	struct vpci_bus *bus;
	struct capture cap;
};

static inline int capture_send(void *ctx, uint16_t type, uint64_t tid,
			       const void *payload, uint32_t len)
{
	struct capture *c = ctx;

	if (c->rc)
		return c->rc;
	assert_true(c->n < 64);
	assert_true(len <= VPCI_MSG_MAX);
	c->msg[c->n].type = type;
	c->msg[c->n].tid = tid;
	c->msg[c->n].len = len;
	memcpy(c->msg[c->n].data, payload, len);
	c->n++;
	return 0;
}

static inline struct vpci_bus *make_bus(struct fixture *f, unsigned index,
					struct capture *cap)
{
	struct vpci_bus_config c;
	char err[128] = "";
	struct vpci_bus *bus;

	vpci_bus_config_default(&c, index, 2);
	bus = vpci_bus_create(&c, &f->reg, &f->mmio, err, sizeof(err));
	assert_non_null(bus);
	vpci_bus_set_sender(bus, capture_send, cap);
	vpci_bus_open(bus);
	return bus;
}

static inline int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct memmap_range low = { LOW, MEMMAP_DEFAULT_LOW_MMIO_SIZE };
	struct memmap_range high = { HIGH, MEMMAP_DEFAULT_HIGH_MMIO_SIZE };

	assert_non_null(f);
	log_set_quiet(1);
	assert_int_equal(memmap_build(&f->map, 256 * MIB, low, high, NULL, 0), 0);
	mmio_registry_init(&f->reg, &f->map);
	mmio_registry_new_boot(&f->reg);
	f->bus = make_bus(f, 0, &f->cap);
	*state = f;
	return 0;
}

static inline int teardown(void **state)
{
	struct fixture *f = *state;

	vpci_bus_destroy(f->bus);
	free(f);
	return 0;
}

/* ---- Sending and reading back ------------------------------------------ */

static inline uint32_t raw(struct vpci_bus *bus, uint16_t pkt_type, uint16_t flags,
			   uint64_t tid, const void *msg, uint32_t len)
{
	struct vmbus_pkt pkt;

	memset(&pkt, 0, sizeof(pkt));
	pkt.desc.type = pkt_type;
	pkt.desc.offset8 = 2;
	pkt.desc.len8 = (uint16_t)((16 + len + 7) / 8);
	pkt.desc.flags = flags;
	pkt.desc.trans_id = tid;
	pkt.payload = msg;
	pkt.payload_len = len;
	return vpci_handle_packet(bus, &pkt);
}

/* A request the guest waits on (completion requested). */
static inline uint32_t req(struct vpci_bus *bus, const void *msg, uint32_t len,
			   uint64_t tid)
{
	return raw(bus, VMBUS_PKT_DATA_INBAND, VMBUS_PKT_FLAG_COMPLETION_REQUESTED,
		   tid, msg, len);
}

/* A message the guest does not wait on. */
static inline uint32_t post(struct vpci_bus *bus, const void *msg, uint32_t len)
{
	return raw(bus, VMBUS_PKT_DATA_INBAND, 0, 0, msg, len);
}

static inline const struct sent *last(struct capture *c)
{
	assert_true(c->n > 0);
	return &c->msg[c->n - 1];
}

static inline uint32_t u32_at(const struct sent *s, size_t off)
{
	uint32_t v;

	assert_true(off + 4 <= s->len);
	memcpy(&v, s->data + off, 4);
	return v;
}

/* The completion the last request got: right type, echoed id, status. */
static inline uint32_t completion(struct capture *c, uint64_t tid)
{
	const struct sent *s = last(c);

	assert_int_equal(s->type, VMBUS_PKT_COMP);
	assert_int_equal(s->tid, tid);
	assert_true(s->len >= 4);          /* facts §7.4 */
	return u32_at(s, 0);
}

static inline uint32_t negotiate(struct vpci_bus *bus, uint32_t version)
{
	struct vpci_query_protocol_version q = {
		VPCI_MSG_QUERY_PROTOCOL_VERSION, version,
	};
	return req(bus, &q, sizeof(q), 0x100);
}

static inline uint32_t d0_entry(struct vpci_bus *bus, uint64_t base)
{
	struct vpci_bus_d0_entry m = { VPCI_MSG_BUS_D0ENTRY, 0, base };

	return req(bus, &m, sizeof(m), 0x200);
}

static inline uint32_t d0_exit(struct vpci_bus *bus)
{
	struct vpci_message m = { VPCI_MSG_BUS_D0EXIT };

	return req(bus, &m, sizeof(m), 0x201);
}

static inline uint32_t child(struct vpci_bus *bus, uint32_t type, uint32_t slot,
			     bool completion_wanted)
{
	struct vpci_child_message m = { type, slot };

	return completion_wanted ? req(bus, &m, sizeof(m), 0x300)
				 : post(bus, &m, sizeof(m));
}

static inline uint32_t assigned2(struct vpci_bus *bus, uint32_t slot)
{
	struct vpci_resources_assigned2 m;

	memset(&m, 0, sizeof(m));
	m.type = VPCI_MSG_RESOURCES_ASSIGNED2;
	m.win_slot = slot;
	return req(bus, &m, sizeof(m), 0x400);
}

/* Config window access the way pci-hyperv does it: select, then access. */
static inline uint32_t cfg_read(struct fixture *f, uint64_t win, uint32_t slot,
				uint32_t reg, unsigned len)
{
	uint32_t v = 0;

	mmio_bus_access(&f->mmio, win + VPCI_SLOT_SELECTOR_OFFSET, &slot, 4, true);
	mmio_bus_access(&f->mmio, win + VPCI_CFG_PAGE_OFFSET + reg, &v, len, false);
	return v;
}

static inline void cfg_write(struct fixture *f, uint64_t win, uint32_t slot,
			     uint32_t reg, unsigned len, uint32_t v)
{
	mmio_bus_access(&f->mmio, win + VPCI_SLOT_SELECTOR_OFFSET, &slot, 4, true);
	mmio_bus_access(&f->mmio, win + VPCI_CFG_PAGE_OFFSET + reg, &v, len, true);
}

static inline uint64_t mmio_read(struct fixture *f, uint64_t gpa, unsigned len)
{
	uint64_t v = 0;

	mmio_bus_access(&f->mmio, gpa, &v, len, false);
	return v;
}

/* Bring a bus to D0 at win with its functions' resources assigned. */
static inline void bring_up(struct fixture *f, struct vpci_bus *bus, uint64_t win)
{
	(void)f;
	assert_int_equal(negotiate(bus, VPCI_PROTOCOL_VERSION_1_4), 0);
	assert_int_equal(d0_entry(bus, win), 0);
	assert_int_equal(assigned2(bus, 0), 0);
	assert_int_equal(assigned2(bus, 1), 0);
}

/* Program slot 0's 64-bit BAR and slot 1's 32-bit BAR, decode on. */
static inline void program_bars(struct fixture *f, uint64_t win, uint64_t a, uint64_t b)
{
	cfg_write(f, win, 0, PCI_CFG_BAR0, 4, (uint32_t)a);
	cfg_write(f, win, 0, PCI_CFG_BAR0 + 4, 4, (uint32_t)(a >> 32));
	cfg_write(f, win, 0, PCI_CFG_COMMAND, 2, PCI_COMMAND_MEMORY);
	cfg_write(f, win, 1, PCI_CFG_BAR0, 4, (uint32_t)b);
	cfg_write(f, win, 1, PCI_CFG_COMMAND, 2, PCI_COMMAND_MEMORY);
}

/* Run fn with stderr captured into buf (log_* write there). */
static inline void capture_stderr(void (*fn)(void *), void *arg, char *buf, size_t len)
{
	char path[] = "/tmp/kvmbus-vpci-log-XXXXXX";
	int fd = mkstemp(path);
	int saved = dup(STDERR_FILENO);
	FILE *in;
	size_t n;

	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	log_set_quiet(0);
	fn(arg);
	log_set_quiet(1);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	close(fd);
	in = fopen(path, "r");
	assert_non_null(in);
	n = fread(buf, 1, len - 1, in);
	buf[n] = '\0';
	fclose(in);
	unlink(path);
}

#endif
