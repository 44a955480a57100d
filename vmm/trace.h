/* SPDX-License-Identifier: MIT */
/*
 * The decoded, timestamped trace of every message that crosses the bus.
 * One record per control message or data packet: time since start,
 * direction, channel, decoded name, key fields.  Text (one line) or
 * JSON Lines (one object) with the same content.
 *
 * Usage on a hot path costs one branch when tracing is off:
 *     struct trace_rec r;
 *     if (trace_begin(&r, TRACE_G2H, TRACE_CTL, "INITIATE_CONTACT")) {
 *             trace_ver(&r, "version", v);
 *             trace_u64(&r, "target_vcpu", vp);
 *             trace_end(&r);
 *     }
 */
#ifndef KVMBUS_TRACE_H
#define KVMBUS_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum trace_dir { TRACE_G2H, TRACE_H2G, TRACE_HOST };
#define TRACE_CTL (-1)          /* channel argument for control messages */

enum trace_format { TRACE_TEXT, TRACE_JSON };

/* path NULL or "-" = stderr.  Returns 0, or -1 with errno set. */
int trace_open(const char *path, enum trace_format fmt);
void trace_close(void);
bool trace_enabled(void);

struct trace_rec {
	enum trace_dir dir;
	int chan;
	const char *name;             /* static string */
	double t;
	char fields[896];             /* formatted key/value pairs */
	unsigned len;
	bool overflow;
};

/* chan: a relid, or TRACE_CTL.  Returns false (and does nothing) when
 * tracing is off.  name may be NULL and set later with trace_set_name()
 * (a service names a data packet after the core started its record);
 * a record still unnamed at trace_end() is shown as "PACKET". */
bool trace_begin(struct trace_rec *r, enum trace_dir dir, int chan,
		 const char *name);
void trace_set_name(struct trace_rec *r, const char *name);
bool trace_has_name(const struct trace_rec *r);
void trace_u64(struct trace_rec *r, const char *key, uint64_t v);
void trace_hex(struct trace_rec *r, const char *key, uint64_t v);
void trace_str(struct trace_rec *r, const char *key, const char *v);
/* A VMBus-style version major << 16 | minor, shown as "5.3". */
void trace_ver(struct trace_rec *r, const char *key, uint32_t v);
void trace_guid(struct trace_rec *r, const char *key, const uint8_t g[16]);
void trace_end(struct trace_rec *r);

/* Seconds since the process started (monotonic), for traces and logs. */
double trace_now(void);

#endif
