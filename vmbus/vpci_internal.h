/* SPDX-License-Identifier: MIT */
/*
 * Shared by the vmbus/vpci*.c files only.  Unless said otherwise the
 * caller holds bus->lock.
 */
#ifndef KVMBUS_VPCI_INTERNAL_H
#define KVMBUS_VPCI_INTERNAL_H

#include "vmbus/vpci.h"

/* Queue a packet for the guest (dropped if the channel is not open). */
void vpci_queue(struct vpci_bus *bus, uint16_t pkt_type, uint64_t trans_id,
		const void *data, uint32_t len);
/* Queue BUS_RELATIONS (or BUS_RELATIONS2 from protocol 1.3) listing the
 * present functions. */
void vpci_queue_relations(struct vpci_bus *bus);
/* Remember which request a completion answers, for the trace. */
void vpci_note_completion(struct vpci_bus *bus, uint64_t trans_id,
			  uint32_t msg_type);
/* The request type a completion with this transaction id answered, or 0. */
uint32_t vpci_completed_type(struct vpci_bus *bus, uint64_t trans_id);

/* The present function at win_slot, or NULL. */
struct vpci_slot *vpci_find_slot(struct vpci_bus *bus, uint32_t win_slot);
/* Back to power-on: BAR claims and handlers released, config space and
 * scratch reset, no resources or interrupts. */
void vpci_reset_function(struct vpci_slot *s);
/* Drop a function: BAR claims and handlers, config reset, not present. */
void vpci_remove_slot(struct vpci_bus *bus, struct vpci_slot *s);
/* Leave D0: window unmapped and released, every function's BARs
 * released and its config space reset.  Idempotent. */
void vpci_power_down(struct vpci_bus *bus);

/* ---- Protocol handlers (vmbus/vpci_proto.c, vpci_interrupts.c) ---- */
/* A completion payload being built: status first; the largest is the
 * resource-requirements one (28 bytes). */
struct vpci_reply {
	uint8_t buf[32];
	uint32_t len;
};

/* The present function a child message names, or NULL with the refusal
 * logged and *status set (what names the request, for the log). */
struct vpci_slot *vpci_lookup_slot(struct vpci_bus *bus, uint32_t win_slot,
				   const char *what, uint32_t *status);
/* Handlers: p holds at least the message's full size. */
uint32_t vpci_on_create_interrupt(struct vpci_bus *bus, const uint8_t *p,
				  uint32_t len, struct vpci_reply *r);
uint32_t vpci_on_create_interrupt2(struct vpci_bus *bus, const uint8_t *p,
				   uint32_t len, struct vpci_reply *r);
uint32_t vpci_on_create_interrupt3(struct vpci_bus *bus, const uint8_t *p,
				   uint32_t len, struct vpci_reply *r);
uint32_t vpci_on_delete_interrupt(struct vpci_bus *bus, const uint8_t *p,
				  uint32_t len, struct vpci_reply *r);

/* The config window's MMIO handler (vmbus/vpci_cfgwin.c). */
int vpci_cfgwin_map(struct vpci_bus *bus, uint64_t base);
void vpci_cfgwin_unmap(struct vpci_bus *bus);

#endif
