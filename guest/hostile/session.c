// SPDX-License-Identifier: MIT
/*
 * The legitimate session around the attacks (session.h).
 */
#include "guest/hostile/session.h"

#include <stddef.h>

#include "guest/hostile/hmsg.h"
#include "guest/lib/report.h"

struct hsession hs;

bool session_init(void)
{
	return report(vmbus_client_init(&hs.client, 0),
		      "setup: VMBus client pages allocated");
}

bool session_connect(uint32_t version)
{
	struct vmbus_version_attempt a;

	hm_drain();
	vmbus_connect(&hs.client, &version, 1, &a);
	hs.connected = a.result == VMBUS_VERSION_ACCEPTED;
	return report(hs.connected,
		      "setup: INITIATE_CONTACT %u.%u accepted (message connection id %u)",
		      version >> 16, version & 0xFFFF, hs.client.msg_conn_id);
}

bool session_offers(void)
{
	static const struct vmbus_guid echo = VMBUS_CLASS_ECHO;
	static const struct vmbus_guid video = VMBUS_CLASS_SYNTHVID;
	static const struct vmbus_guid pci = VMBUS_CLASS_PCI;
	const struct vmbus_offer_info *o;
	bool ok;

	hm_drain();
	/* A new connection offers everything again. */
	hs.client.nr_offers = 0;
	hs.client.offers_dropped = 0;
	hs.client.all_offers_delivered = false;
	ok = vmbus_request_offers(&hs.client);
	if ((o = vmbus_find_offer(&hs.client, &echo)))
		hs.echo = *o;
	hs.have_echo = o != NULL;
	if ((o = vmbus_find_offer(&hs.client, &video)))
		hs.video = *o;
	hs.have_video = o != NULL;
	if ((o = vmbus_find_offer(&hs.client, &pci)))
		hs.pci = *o;
	hs.have_pci = o != NULL;
	return report(ok && hs.have_echo && hs.have_video && hs.have_pci,
		      "setup: offers: echo relid %u, video relid %u, PCI relid %u",
		      hs.echo.relid, hs.video.relid, hs.pci.relid);
}

bool session_connect_and_offers(void)
{
	return session_connect(VMBUS_VERSION_WIN10_V5_3) && session_offers();
}

bool session_unload(void)
{
	bool ok;

	hm_drain();
	ok = vmbus_unload(&hs.client);
	hs.connected = !ok;
	hs.client.msg_conn_id = 0;
	return report(ok, "setup: UNLOAD answered (the host forgets every GPADL and channel)");
}

bool session_open(struct guest_channel *ch, const struct vmbus_offer_info *o,
		  unsigned out_pages, unsigned in_pages)
{
	uint32_t status;

	hm_drain();
	return guest_channel_open(ch, &hs.client, o, out_pages, in_pages, 0,
				  &status);
}

bool session_close(struct guest_channel *ch)
{
	hm_drain();
	return guest_channel_close(ch);
}
