// SPDX-License-Identifier: MIT
/*
 * Raw VPCI traffic (vpci_io.h).  kvmbus answers during the HvSignalEvent
 * exit, so a completion is in the inbound ring when the send returns; the
 * waits are bounded anyway.
 */
#include "guest/hostile/vpci_io.h"

#include "guest/hostile/session.h"
#include "guest/lib/report.h"
#include "guest/lib/string.h"
#include "vmbus/abi/vpci_abi.h"

#define VPCI_RING_PAGES 4u
#define RECV_SPINS      20000u
#define QUIET_SPINS     400u

struct guest_channel vpci_ch;
static uint64_t next_trans_id = 0x5000;
static uint8_t scratch[256];

bool vpci_io_open(void)
{
	return report(session_open(&vpci_ch, &hs.pci, VPCI_RING_PAGES,
				   VPCI_RING_PAGES),
		      "setup: PCI bus channel opened (relid %u)", hs.pci.relid);
}

void vpci_io_close(void)
{
	report(session_close(&vpci_ch), "setup: PCI bus channel closed");
}

uint32_t vpci_io_request(const void *msg, uint32_t len, void *resp,
			 uint32_t resp_cap)
{
	uint64_t id = next_trans_id++;
	struct vmbus_packet_desc d;
	uint32_t got, status;

	if (guest_channel_send(&vpci_ch, VMBUS_PKT_DATA_INBAND,
			       VMBUS_PKT_FLAG_COMPLETION_REQUESTED, id, msg,
			       len) != 0)
		return VPCI_IO_NO_COMPLETION;
	for (;;) {
		if (guest_channel_recv(&vpci_ch, &d, scratch, sizeof(scratch),
				       &got, RECV_SPINS) != 1)
			return VPCI_IO_NO_COMPLETION;
		if (d.type == VMBUS_PKT_COMP && d.trans_id == id)
			break;
	}
	if (got < sizeof(status))
		return VPCI_IO_NO_COMPLETION;
	memcpy(&status, scratch, sizeof(status));
	if (resp)
		memcpy(resp, scratch, got < resp_cap ? got : resp_cap);
	return status;
}

bool vpci_io_post_quiet(uint16_t pkt_type, const void *msg, uint32_t len)
{
	struct vmbus_packet_desc d;
	uint32_t got;

	if (guest_channel_send(&vpci_ch, pkt_type, 0, next_trans_id++, msg,
			       len) != 0)
		return false;
	return guest_channel_recv(&vpci_ch, &d, scratch, sizeof(scratch), &got,
				  QUIET_SPINS) == 0;
}

bool vpci_io_version(uint32_t version)
{
	struct vpci_query_protocol_version q = {
		.type = VPCI_MSG_QUERY_PROTOCOL_VERSION,
		.version = version,
	};
	uint32_t st = vpci_io_request(&q, sizeof(q), NULL, 0);

	return report(st == VPCI_STATUS_SUCCESS,
		      "setup: PCI protocol %u.%u agreed (status 0x%x)",
		      version >> 16, version & 0xFFFF, st);
}

bool vpci_io_d0_entry(uint64_t window)
{
	struct vpci_bus_d0_entry m = {
		.type = VPCI_MSG_BUS_D0ENTRY,
		.mmio_base = window,
	};
	uint32_t st = vpci_io_request(&m, sizeof(m), NULL, 0);

	return report(st == VPCI_STATUS_SUCCESS,
		      "setup: PCI D0 entry with the config window at 0x%lx (status 0x%x)",
		      (unsigned long)window, st);
}
