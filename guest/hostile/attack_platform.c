// SPDX-License-Identifier: MIT
/*
 * Attacks on kvmbus's own ports (vmm/abi/platform_abi.h): the verdict port
 * takes exactly a 32-bit OUT, and the scenario-step port only the requests
 * it defines, for buses and slots that exist.
 */
#include "guest/hostile/cases.h"

#include "guest/lib/cpu.h"
#include "vmm/abi/platform_abi.h"

/* A request code the scenario-step port does not define. */
#define UNKNOWN_REQUEST 0x7Fu
/* A PCI bus number beyond DEVICES_MAX_VPCI, and a slot no bus fills. */
#define NO_SUCH_BUS     7u
#define EMPTY_SLOT      9u

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

/* platform_abi.h: the verdict is a 32-bit OUT.  The byte says FAIL, so a
 * host that took it anyway would end the run as failed. */
static bool verdict_byte(struct hsaw *s)
{
	outb(KVMBUS_PORT_EXIT, KVMBUS_GUEST_FAIL);
	saw(s, "the run went on");
	return true;
}

/* platform_abi.h: the verdict port is write-only. */
static bool verdict_read(struct hsaw *s)
{
	uint32_t v = inl(KVMBUS_PORT_EXIT);

	saw(s, "IN read 0x%x", v);
	return v == 0xFFFFFFFFu;
}

static bool unknown_request(struct hsaw *s)
{
	outl(KVMBUS_PORT_HOST_REQUEST, KVMBUS_HOST_REQUEST(UNKNOWN_REQUEST, 0));
	saw(s, "the run went on");
	return true;
}

static bool eject_no_bus(struct hsaw *s)
{
	outl(KVMBUS_PORT_HOST_REQUEST,
	     KVMBUS_HOST_REQUEST(KVMBUS_REQ_PCI_EJECT, NO_SUCH_BUS << 8));
	saw(s, "no eject happened");
	return true;
}

static bool eject_empty_slot(struct hsaw *s)
{
	outl(KVMBUS_PORT_HOST_REQUEST,
	     KVMBUS_HOST_REQUEST(KVMBUS_REQ_PCI_EJECT, EMPTY_SLOT));
	saw(s, "no eject happened");
	return true;
}

static const struct hcase cases[] = {
	{ "verdict written with an 8-bit OUT", "platform.exit-port-width", verdict_byte },
	{ "verdict port read with IN", "platform.exit-port-width", verdict_read },
	{ "undefined request on the scenario-step port", "platform.unknown-host-request", unknown_request },
	{ "PCI eject on a bus that does not exist", "platform.eject-unknown-bus", eject_no_bus },
	{ "PCI eject of an empty slot", "platform.eject-refused", eject_empty_slot },
};

const struct hgroup hostile_platform_group =
	HGROUP("platform ports", NULL, NULL, cases);
