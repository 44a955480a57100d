/* SPDX-License-Identifier: MIT */
/*
 * The hostile guest's PCI pass-through channel (facts §7): raw VPCI
 * messages in, completions out.  A request asks for a completion (facts
 * §6.3 flag bit 0) so the guest sees the status the host refused it with;
 * completions echo the request's transaction id (facts §7.4).
 */
#ifndef GUEST_HOSTILE_VPCI_IO_H
#define GUEST_HOSTILE_VPCI_IO_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/channel.h"

/* Status when no completion came. */
#define VPCI_IO_NO_COMPLETION 0xFFFFFFFFu

extern struct guest_channel vpci_ch;

/* Open the PCI bus's channel (16 KiB each way, as Linux). */
bool vpci_io_open(void);
void vpci_io_close(void);
/* In-band message with completion requested; the completion's status
 * (or VPCI_IO_NO_COMPLETION).  Up to resp_cap bytes of the completion's
 * payload go to resp (may be NULL).  Host in-band messages read on the
 * way are dropped. */
uint32_t vpci_io_request(const void *msg, uint32_t len, void *resp,
			 uint32_t resp_cap);
/* A packet of any type, no completion asked; true if nothing at all
 * comes back. */
bool vpci_io_post_quiet(uint16_t pkt_type, const void *msg, uint32_t len);

/* Legitimate steps the groups build on (TAP checks). */
bool vpci_io_version(uint32_t version);
bool vpci_io_d0_entry(uint64_t window);

#endif
