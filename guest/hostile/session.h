/* SPDX-License-Identifier: MIT */
/*
 * The hostile guest's legitimate VMBus session: the connection the attacks
 * run inside, done the way Linux's hv_vmbus does it (facts §5.4) through
 * the shared client (guest/vmbus_client.h).  Between attacks the guest may
 * UNLOAD and connect again: the host then forgets every GPADL and channel
 * (facts §5.4, UNLOAD), which gives the next attacks fresh channels.
 */
#ifndef GUEST_HOSTILE_SESSION_H
#define GUEST_HOSTILE_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/channel.h"
#include "guest/vmbus_client.h"

struct hsession {
	struct vmbus_client client;
	bool connected;
	/* Valid after session_offers(). */
	struct vmbus_offer_info echo, video, pci;
	bool have_echo, have_video, have_pci;
};

extern struct hsession hs;

/* Client pages (once).  False if out of memory. */
bool session_init(void);
/* INITIATE_CONTACT at exactly `version` (TAP check). */
bool session_connect(uint32_t version);
/* REQUESTOFFERS; finds the echo, video and PCI channels (TAP check). */
bool session_offers(void);
/* Both of the above at 5.3. */
bool session_connect_and_offers(void);
/* UNLOAD and wait for UNLOAD_RESPONSE (TAP check). */
bool session_unload(void);

/* Open a fresh channel (new ring pages, new GPADL) with host interrupts
 * to VP 0, quietly: true if OPENCHANNEL_RESULT said 0. */
bool session_open(struct guest_channel *ch, const struct vmbus_offer_info *o,
		  unsigned out_pages, unsigned in_pages);
/* CLOSECHANNEL + GPADL_TEARDOWN, quietly. */
bool session_close(struct guest_channel *ch);

#endif
