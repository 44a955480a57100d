/* SPDX-License-Identifier: MIT */
/*
 * A minimal VMBus client: the channel-management side of what Linux's
 * hv_vmbus does (facts §5): version negotiation, offers, GPADLs, opening
 * and closing channels, unload.  Messages go out with HvPostMessage and
 * come back through the SynIC message FIFO of the BSP (the VP named in
 * INITIATE_CONTACT.target_vcpu).  Every wait is bounded.
 */
#ifndef GUEST_VMBUS_CLIENT_H
#define GUEST_VMBUS_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "vmbus/abi/vmbus_abi.h"
#include "vmm/abi/hv_abi.h"

#define VMBUS_CLIENT_MAX_OFFERS 16
/* Linux starts its GPADL handles here and counts up (facts §5.3). */
#define VMBUS_CLIENT_FIRST_GPADL 0xE1E10u

struct vmbus_offer_info {
	struct vmbus_guid class_id;
	struct vmbus_guid instance_id;
	uint32_t relid;
	uint32_t connection_id;       /* for HvSignalEvent */
	uint16_t chn_flags;
	uint16_t mmio_megabytes;
	uint16_t sub_channel_index;
	uint8_t monitor_allocated;
	uint16_t is_dedicated_interrupt;
};

enum vmbus_version_result {
	VMBUS_VERSION_ACCEPTED,
	VMBUS_VERSION_REFUSED,        /* VERSION_RESPONSE, supported = 0 */
	VMBUS_VERSION_POST_FAILED,    /* HvPostMessage refused */
	VMBUS_VERSION_NO_REPLY,
};

struct vmbus_version_attempt {
	uint32_t version;
	enum vmbus_version_result result;
	uint16_t post_status;
	uint8_t connection_state;
	uint32_t msg_conn_id;         /* as the host answered */
};

struct vmbus_client {
	uint32_t version;             /* negotiated; 0 = not connected */
	uint32_t msg_conn_id;         /* for every message after contact */
	uint32_t target_vcpu;         /* VP receiving host messages */
	uint32_t wait_spins;          /* bound of each wait for a reply */
	struct vmbus_offer_info offers[VMBUS_CLIENT_MAX_OFFERS];
	unsigned nr_offers;
	unsigned offers_dropped;      /* beyond VMBUS_CLIENT_MAX_OFFERS */
	bool all_offers_delivered;
	uint32_t next_gpadl;
	unsigned messages_received;
	unsigned bad_messages;        /* failed the checks of facts §5.5 */
	unsigned unexpected_messages; /* valid but not asked for */
	uint16_t last_post_status;
	void *interrupt_page;         /* INITIATE_CONTACT < 5.0 */
	void *monitor_pages[2];
};

/* Allocates the pages INITIATE_CONTACT refers to.  False if out of RAM. */
bool vmbus_client_init(struct vmbus_client *c, uint32_t target_vcpu);

/* Try `versions` in order until one is accepted (Linux's walk, facts
 * §5.4); one record per attempt goes to `attempts`.  Returns the number
 * of attempts; c->version is set on success. */
unsigned vmbus_connect(struct vmbus_client *c, const uint32_t *versions,
		       unsigned nr_versions,
		       struct vmbus_version_attempt *attempts);

/* REQUESTOFFERS, then collect OFFERCHANNELs until ALLOFFERS_DELIVERED. */
bool vmbus_request_offers(struct vmbus_client *c);
const struct vmbus_offer_info *vmbus_find_offer(const struct vmbus_client *c,
						 const struct vmbus_guid *class_id);

/* GPADL_HEADER (+ GPADL_BODY...) then wait for GPADL_CREATED.  *handle,
 * *messages (how many were posted) and *status (creation_status, or
 * ~0u if no answer) are filled in any case.  True on status 0. */
bool vmbus_gpadl_create(struct vmbus_client *c, uint32_t relid,
			const uint64_t *pfns, uint32_t count, uint32_t *handle,
			unsigned *messages, uint32_t *status);
/* GPADL_TEARDOWN, then wait for GPADL_TORNDOWN. */
bool vmbus_gpadl_teardown(struct vmbus_client *c, uint32_t relid,
			  uint32_t handle);
/* OPENCHANNEL, then wait for OPENCHANNEL_RESULT; *status as above. */
bool vmbus_open_channel(struct vmbus_client *c, uint32_t relid,
			uint32_t gpadl, uint32_t target_vp,
			uint32_t downstream_pages, uint32_t *status);
/* CLOSECHANNEL (the host does not answer).  True if posted. */
bool vmbus_close_channel(struct vmbus_client *c, uint32_t relid);
/* UNLOAD, then wait for UNLOAD_RESPONSE. */
bool vmbus_unload(struct vmbus_client *c);
/* UNLOAD as a crashing Linux sends it (facts §5.4; vmbus_initiate_unload
 * with crash = true): the caller has interrupts off, so the answer is
 * polled straight from `slot` -- SIMP slot 2 of the VP named in
 * INITIATE_CONTACT -- not taken from the interrupt FIFO.  Messages found
 * there before UNLOAD_RESPONSE are dropped (*dropped counts them), each
 * slot freed with EOM when the host flagged more pending.  At most
 * c->wait_spins polls.  True if UNLOAD_RESPONSE came. */
bool vmbus_unload_polled(struct vmbus_client *c, volatile struct hv_message *slot,
			 unsigned *dropped);

bool vmbus_guid_equal(const struct vmbus_guid *a, const struct vmbus_guid *b);
/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" into buf[37]. */
void vmbus_guid_format(char *buf, const struct vmbus_guid *g);

#endif
