/* SPDX-License-Identifier: MIT */
/*
 * Shared between the pci_front/vpci_*.c files only: message exchange,
 * function lookup, and the steps each file provides to the probe.
 */
#ifndef KVMBUS_PCIF_VPCI_INTERNAL_H
#define KVMBUS_PCIF_VPCI_INTERNAL_H

#include "pci_front/vpci_front.h"

/* Freestanding-safe copies: the guest provides memcpy/memset, the host
 * has libc; the builtins reach either without a header. */
#define pcif_copy(dst, src, n) __builtin_memcpy((dst), (src), (n))
#define pcif_zero(dst, n)      __builtin_memset((dst), 0, (n))

/* ---- vpci_front.c: talking to the host ------------------------------- */
uint32_t pcif_wait_ms(const struct pcif_bus *bus);
/* Request with completion; *status = the completion's s32 status (as
 * Linux's generic completion: -1 if the payload is shorter than 4). */
int pcif_request(struct pcif_bus *bus, const void *msg, uint32_t len,
		 void *resp, uint32_t resp_cap, uint32_t *status);
int pcif_post(struct pcif_bus *bus, const void *msg, uint32_t len);
/* Handle one host-initiated message.  *was_relations (may be NULL) tells
 * whether it was BUS_RELATIONS/BUS_RELATIONS2 and got applied. */
int pcif_dispatch(struct pcif_bus *bus, const uint8_t *msg, uint32_t len,
		  bool *was_relations);
void pcif_log_hex_msg(struct pcif_bus *bus, enum pcif_log_level level,
		      const char *prefix, uint64_t value);

/* ---- vpci_relations.c: the function list ------------------------------ */
struct pcif_func *pcif_func_at(struct pcif_bus *bus, uint32_t win_slot);
/* Linux pci_devices_present_work + survey_child_resources. */
int pcif_apply_relations(struct pcif_bus *bus, const uint8_t *msg,
			 uint32_t len);
/* Linux hv_pci_eject_device / hv_eject_device_work. */
int pcif_handle_eject(struct pcif_bus *bus, const uint8_t *msg, uint32_t len);

/* ---- vpci_bars.c: BAR arithmetic and programming ---------------------- */
/* Linux survey_child_resources: sum of the probed BARs, low and high. */
void pcif_survey_bar_space(struct pcif_bus *bus);
/* Linux prepopulate_bars, through the config window; counts the BARs
 * left without room in bus->unassigned_bars. */
void pcif_program_bars(struct pcif_bus *bus);

#endif
