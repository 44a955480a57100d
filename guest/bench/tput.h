/* SPDX-License-Identifier: MIT */
/*
 * Ring throughput, guest -> host, against the sink service: the producer
 * runs at CPL 3 (producer.h) and each run is bracketed by marks, so the
 * VMM's counters give the exits and the host's drain figures for exactly
 * that run.  Prints one "bench: ..." line per run.
 */
#ifndef GUEST_BENCH_TPUT_H
#define GUEST_BENCH_TPUT_H

#include <stdint.h>

#include "guest/bench/chan.h"

/* The user pages tput needs besides the ring (stack, arguments). */
void tput_user_area(uint64_t *start, uint64_t *end);

/* `count` packets of `payload` bytes (a multiple of 8). */
void tput_run(const struct bench_chan *sink, uint32_t payload, uint32_t count);
/* `count` HvSignalEvent round trips from CPL 3 through the gate. */
void tput_user_signals(uint32_t count);

#endif
