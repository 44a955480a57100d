// SPDX-License-Identifier: MIT
/*
 * The bus trace (see vmm/trace.h).
 *
 * A record's fields are formatted straight into the chosen output format
 * as they are added, so trace_end() only wraps them in the record header
 * and writes one line.  Two rules keep every line well-formed no matter
 * what is traced:
 *   - a field either fits whole or is dropped whole (the buffer is rolled
 *     back), and the record is then marked truncated;
 *   - every string byte outside printable ASCII is escaped, so a hostile
 *     guest's bytes can neither break a JSON string nor start a new line.
 *
 * JSON Lines shape:
 *   {"t":0.001234,"dir":"g2h","chan":"ctl","msg":"NAME",<fields>}
 * "chan" is the string "ctl" for control messages and the relid as a
 * JSON number for a channel.  Text shape:
 *   [  0.001234] g->h ctl     NAME key=value ...
 */
#include "vmm/trace.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

/* A record's name is cut to this many bytes before escaping. */
#define NAME_MAX_BYTES 64
/* Header (< 64) + escaped name (<= 6 per byte) + fields + truncation
 * marker and closing (< 24). */
#define LINE_MAX_BYTES (96 + 6 * NAME_MAX_BYTES + sizeof(((struct trace_rec *)0)->fields))

/* trace_begin() marks a record taken while tracing was off with this
 * length, so later field calls and trace_end() on it do nothing. */
#define REC_INACTIVE UINT_MAX

static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *trace_out;
static bool trace_out_owned;
static enum trace_format trace_fmt = TRACE_TEXT;
static struct timespec trace_start;

/* Time zero is process start: take it before main() runs. */
__attribute__((constructor)) static void trace_take_start_time(void)
{
	clock_gettime(CLOCK_MONOTONIC, &trace_start);
}

double trace_now(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - trace_start.tv_sec) +
	       (double)(now.tv_nsec - trace_start.tv_nsec) / 1e9;
}

/* ---- opening and closing --------------------------------------------- */

static void close_locked(void)
{
	if (trace_out && trace_out_owned)
		fclose(trace_out);
	else if (trace_out)
		fflush(trace_out);
	__atomic_store_n(&trace_out, NULL, __ATOMIC_RELEASE);
	trace_out_owned = false;
}

int trace_open(const char *path, enum trace_format fmt)
{
	FILE *f = stderr;
	bool owned = false;

	if (fmt != TRACE_TEXT && fmt != TRACE_JSON) {
		errno = EINVAL;
		return -1;
	}
	if (path && strcmp(path, "-") != 0) {
		f = fopen(path, "w");
		if (!f)
			return -1;
		owned = true;
	}

	pthread_mutex_lock(&trace_lock);
	close_locked();
	trace_fmt = fmt;
	trace_out_owned = owned;
	__atomic_store_n(&trace_out, f, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&trace_lock);
	return 0;
}

void trace_close(void)
{
	pthread_mutex_lock(&trace_lock);
	close_locked();
	pthread_mutex_unlock(&trace_lock);
}

bool trace_enabled(void)
{
	return __atomic_load_n(&trace_out, __ATOMIC_ACQUIRE) != NULL;
}

/* ---- a bounded string builder ---------------------------------------- */

struct sbuf {
	char *p;
	size_t cap;   /* bytes usable, not counting a terminating NUL */
	size_t len;
	bool full;
};

static void sb_put(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_put(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;

	if (b->full)
		return;
	size_t room = b->cap - b->len;
	/* Only short items (numbers, keys) go through here; format them
	 * aside so a partial item never lands in the buffer. */
	char tmp[128];
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp) || (size_t)n > room) {
		b->full = true;
		return;
	}
	memcpy(b->p + b->len, tmp, (size_t)n);
	b->len += (size_t)n;
}

static void sb_bytes(struct sbuf *b, const char *s, size_t n)
{
	if (b->full)
		return;
	if (n > b->cap - b->len) {
		b->full = true;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

/* A JSON string literal, quotes included.  Bytes >= 0x80 are escaped as
 * \u00XX: traced strings are byte strings of unknown encoding, and this
 * keeps the output valid JSON even for bytes that are not UTF-8. */
static void sb_json_str(struct sbuf *b, const char *s, size_t max)
{
	sb_bytes(b, "\"", 1);
	for (size_t i = 0; i < max && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"':  sb_bytes(b, "\\\"", 2); break;
		case '\\': sb_bytes(b, "\\\\", 2); break;
		case '\n': sb_bytes(b, "\\n", 2); break;
		case '\r': sb_bytes(b, "\\r", 2); break;
		case '\t': sb_bytes(b, "\\t", 2); break;
		default:
			if (c < 0x20 || c >= 0x7f)
				sb_put(b, "\\u%04x", c);
			else
				sb_bytes(b, (const char *)&c, 1);
		}
	}
	sb_bytes(b, "\"", 1);
}

/* Whether a text-format value must be quoted to stay one unambiguous
 * token: empty, or containing a space, '=', a quote, a backslash, or any
 * byte outside printable ASCII. */
static bool text_needs_quotes(const char *s)
{
	if (!*s)
		return true;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '=')
			return true;
	}
	return false;
}

static void sb_text_str(struct sbuf *b, const char *s)
{
	if (!text_needs_quotes(s)) {
		sb_bytes(b, s, strlen(s));
		return;
	}
	sb_bytes(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };
			sb_bytes(b, esc, 2);
		} else if (c < 0x20 || c >= 0x7f) {
			sb_put(b, "\\x%02x", c);
		} else {
			sb_bytes(b, (const char *)&c, 1);
		}
	}
	sb_bytes(b, "\"", 1);
}

/* ---- records ----------------------------------------------------------- */

bool trace_begin(struct trace_rec *r, enum trace_dir dir, int chan,
		 const char *name)
{
	if (!trace_enabled()) {
		r->len = REC_INACTIVE;
		r->name = name;
		return false;
	}
	r->dir = dir;
	r->chan = chan;
	r->name = name;
	r->t = trace_now();
	r->len = 0;
	r->overflow = false;
	return true;
}

void trace_set_name(struct trace_rec *r, const char *name)
{
	r->name = name;
}

bool trace_has_name(const struct trace_rec *r)
{
	return r->name != NULL;
}

static bool rec_active(const struct trace_rec *r)
{
	return r->len <= sizeof(r->fields);
}

/* Builder over the part of fields[] that fields may use. */
static struct sbuf field_sbuf(struct trace_rec *r)
{
	struct sbuf b = {
		.p = r->fields,
		.cap = sizeof(r->fields),
		.len = r->len,
	};
	return b;
}

/* Start a field: separator and key.  Returns false if the record is
 * inactive or already truncated. */
static bool field_open(struct trace_rec *r, struct sbuf *b, const char *key)
{
	if (!rec_active(r) || r->overflow)
		return false;
	*b = field_sbuf(r);
	if (trace_fmt == TRACE_JSON) {
		sb_bytes(b, ",", 1);
		sb_json_str(b, key ? key : "", NAME_MAX_BYTES);
		sb_bytes(b, ":", 1);
	} else {
		sb_put(b, " %s=", key ? key : "");
	}
	return true;
}

/* Keep the field if it fit whole; otherwise roll back and mark the
 * record truncated so no later, smaller field appears out of order. */
static void field_close(struct trace_rec *r, struct sbuf *b)
{
	if (b->full)
		r->overflow = true;
	else
		r->len = (unsigned)b->len;
}

void trace_u64(struct trace_rec *r, const char *key, uint64_t v)
{
	struct sbuf b;

	if (!field_open(r, &b, key))
		return;
	sb_put(&b, "%llu", (unsigned long long)v);
	field_close(r, &b);
}

void trace_hex(struct trace_rec *r, const char *key, uint64_t v)
{
	struct sbuf b;

	if (!field_open(r, &b, key))
		return;
	if (trace_fmt == TRACE_JSON)
		sb_put(&b, "\"0x%llx\"", (unsigned long long)v);
	else
		sb_put(&b, "0x%llx", (unsigned long long)v);
	field_close(r, &b);
}

void trace_str(struct trace_rec *r, const char *key, const char *v)
{
	struct sbuf b;

	if (!field_open(r, &b, key))
		return;
	if (!v)
		v = "";
	if (trace_fmt == TRACE_JSON)
		sb_json_str(&b, v, SIZE_MAX);
	else
		sb_text_str(&b, v);
	field_close(r, &b);
}

void trace_ver(struct trace_rec *r, const char *key, uint32_t v)
{
	struct sbuf b;
	/* facts §5.2: a VMBus version is major << 16 | minor. */
	unsigned major = v >> 16, minor = v & 0xffff;

	if (!field_open(r, &b, key))
		return;
	if (trace_fmt == TRACE_JSON)
		sb_put(&b, "\"%u.%u\"", major, minor);
	else
		sb_put(&b, "%u.%u", major, minor);
	field_close(r, &b);
}

void trace_guid(struct trace_rec *r, const char *key, const uint8_t g[16])
{
	struct sbuf b;
	char s[37];

	if (!field_open(r, &b, key))
		return;
	/* Canonical form; the first three fields are little-endian on the
	 * wire (facts §10 lists GUIDs in this form). */
	snprintf(s, sizeof(s),
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6],
		 g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
	if (trace_fmt == TRACE_JSON)
		sb_put(&b, "\"%s\"", s);
	else
		sb_bytes(&b, s, strlen(s));
	field_close(r, &b);
}

static const char *dir_text(enum trace_dir d)
{
	switch (d) {
	case TRACE_G2H: return "g->h";
	case TRACE_H2G: return "h->g";
	default:        return "host";
	}
}

static const char *dir_json(enum trace_dir d)
{
	switch (d) {
	case TRACE_G2H: return "g2h";
	case TRACE_H2G: return "h2g";
	default:        return "host";
	}
}

static void build_text_line(const struct trace_rec *r, const char *name,
			    struct sbuf *line)
{
	char chan[16];

	if (r->chan == TRACE_CTL)
		snprintf(chan, sizeof(chan), "ctl");
	else
		snprintf(chan, sizeof(chan), "ch %d", r->chan);
	sb_put(line, "[%10.6f] %-4s %-7s ", r->t, dir_text(r->dir), chan);
	sb_bytes(line, name, strnlen(name, NAME_MAX_BYTES));
	sb_bytes(line, r->fields, r->len);
	if (r->overflow)
		sb_bytes(line, " [truncated]", 12);
	sb_bytes(line, "\n", 1);
}

static void build_json_line(const struct trace_rec *r, const char *name,
			    struct sbuf *line)
{
	sb_put(line, "{\"t\":%.6f,\"dir\":\"%s\",\"chan\":", r->t,
	       dir_json(r->dir));
	if (r->chan == TRACE_CTL)
		sb_bytes(line, "\"ctl\"", 5);
	else
		sb_put(line, "%d", r->chan);
	sb_bytes(line, ",\"msg\":", 7);
	sb_json_str(line, name, NAME_MAX_BYTES);
	sb_bytes(line, r->fields, r->len);
	if (r->overflow)
		sb_bytes(line, ",\"truncated\":true", 17);
	sb_bytes(line, "}\n", 2);
}

void trace_end(struct trace_rec *r)
{
	char buf[LINE_MAX_BYTES + 1];
	struct sbuf line = { .p = buf, .cap = LINE_MAX_BYTES };
	const char *name = r->name ? r->name : "PACKET";

	if (!rec_active(r))
		return;

	pthread_mutex_lock(&trace_lock);
	if (trace_out) {
		if (trace_fmt == TRACE_JSON)
			build_json_line(r, name, &line);
		else
			build_text_line(r, name, &line);
		/* LINE_MAX_BYTES covers the worst case, so this cannot be full;
		 * the check only guards against a future layout change. */
		if (!line.full) {
			buf[line.len] = '\0';
			fputs(buf, trace_out);
			fflush(trace_out);
		}
	}
	pthread_mutex_unlock(&trace_lock);
	r->len = REC_INACTIVE;
}
