// SPDX-License-Identifier: MIT
/*
 * The glue between a VPCI bus and the VMBus core: the service's callbacks
 * and the send function.  Everything protocol-related lives in the pure
 * handler (vmbus/vpci_proto.c); this file only moves packets.
 */
#include "vmbus/vpci_internal.h"

#include "vmm/log.h"

static int send_to_channel(void *ctx, uint16_t pkt_type, uint64_t trans_id,
			   const void *payload, uint32_t len)
{
	struct vpci_bus *bus = ctx;
	struct vmbus_channel *ch = __atomic_load_n(&bus->chan, __ATOMIC_ACQUIRE);

	if (!ch)
		return -2;
	return vmbus_chan_send(ch, pkt_type, 0, trans_id, payload, len);
}

static uint32_t svc_open(void *svc, struct vmbus_channel *ch)
{
	struct vpci_bus *bus = svc;

	__atomic_store_n(&bus->chan, ch, __ATOMIC_RELEASE);
	vpci_bus_set_sender(bus, send_to_channel, bus);
	vpci_bus_open(bus);
	return 0;
}

static void svc_close(void *svc, struct vmbus_channel *ch)
{
	struct vpci_bus *bus = svc;

	(void)ch;
	vpci_bus_close(bus);
	__atomic_store_n(&bus->chan, NULL, __ATOMIC_RELEASE);
}

static void svc_reset(void *svc)
{
	svc_close(svc, NULL);
}

/* Drain the guest's ring.  While the guest's receive ring is full we stop
 * taking requests (their replies would have nowhere to go); the core
 * signals us again once it has room. */
static void svc_signal(void *svc, struct vmbus_channel *ch)
{
	struct vpci_bus *bus = svc;
	struct vmbus_pkt pkt;

	pthread_mutex_lock(&bus->drain_lock);
	for (;;) {
		vpci_bus_flush(bus);
		if (vpci_bus_blocked(bus))
			break;
		if (vmbus_chan_peek(ch, &pkt) <= 0)
			break;
		vpci_handle_packet(bus, &pkt);
		vmbus_chan_consume(ch);
	}
	pthread_mutex_unlock(&bus->drain_lock);
}

const struct vmbus_service_ops vpci_service_ops = {
	.open = svc_open,
	.close = svc_close,
	.signal = svc_signal,
	.reset = svc_reset,
	.describe = vpci_describe,
};

const struct vmbus_service *vpci_bus_service(struct vpci_bus *bus)
{
	static const struct vmbus_guid pci_class = VMBUS_CLASS_PCI;

	bus->service.name = bus->name;
	bus->service.class_id = pci_class;
	bus->service.instance_id = bus->instance_id;
	bus->service.mmio_megabytes = 0;
	bus->service.ops = &vpci_service_ops;
	bus->service.ctx = bus;
	return &bus->service;
}
