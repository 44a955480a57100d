// SPDX-License-Identifier: MIT
/* trace: text and JSON Lines records for every field type, JSON validity
 * (checked by a small strict parser below), escaping, truncation, and
 * whole lines from concurrent writers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/trace.h"

/* ---- a strict validator for one flat JSON object ------------------------ */

static const char *json_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* Returns the byte after the closing quote, or NULL. */
static const char *json_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (;;) {
		unsigned char c = (unsigned char)*p;

		if (c == '"')
			return p + 1;
		if (c < 0x20)               /* raw control chars (and NUL) */
			return NULL;
		if (c == '\\') {
			p++;
			if (strchr("\"\\/bfnrt", *p) && *p) {
				p++;
			} else if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!is_hex(p[i]))
						return NULL;
				p += 5;
			} else {
				return NULL;
			}
			continue;
		}
		p++;
	}
}

static const char *json_number(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0') {
		p++;
	} else if (*p >= '1' && *p <= '9') {
		while (*p >= '0' && *p <= '9')
			p++;
	} else {
		return NULL;
	}
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return p;
}

static const char *json_value(const char *p)
{
	if (*p == '"')
		return json_string(p);
	if (strncmp(p, "true", 4) == 0)
		return p + 4;
	if (strncmp(p, "false", 5) == 0)
		return p + 5;
	return json_number(p);
}

/* A whole line: one object, then "\n" and nothing else. */
static bool json_line_valid(const char *line)
{
	const char *p = json_ws(line);

	if (*p++ != '{')
		return false;
	p = json_ws(p);
	if (*p != '}') {
		for (;;) {
			p = json_string(json_ws(p));
			if (!p)
				return false;
			p = json_ws(p);
			if (*p++ != ':')
				return false;
			p = json_value(json_ws(p));
			if (!p)
				return false;
			p = json_ws(p);
			if (*p == ',') {
				p++;
				continue;
			}
			break;
		}
	}
	if (*p++ != '}')
		return false;
	return strcmp(p, "\n") == 0;
}

/* ---- capture helpers ---------------------------------------------------- */

static char trace_path[] = "/tmp/kvmbus-trace-XXXXXX";

static int setup(void **state)
{
	int fd = mkstemp(trace_path);

	(void)state;
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	trace_close();
	unlink(trace_path);
	return 0;
}

/* Close the trace and return the whole file (caller frees). */
static char *slurp(void)
{
	FILE *f;
	long n;
	char *buf;

	trace_close();
	f = fopen(trace_path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static unsigned count_lines(const char *s)
{
	unsigned n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static const uint8_t test_guid[16] = {
	/* "6b6d7662-7365-6863-8f01-6b766d627573" on the wire */
	0x62, 0x76, 0x6d, 0x6b, 0x65, 0x73, 0x63, 0x68,
	0x8f, 0x01, 0x6b, 0x76, 0x6d, 0x62, 0x75, 0x73,
};

/* ---- tests -------------------------------------------------------------- */

static void text_control_message(void **state)
{
	struct trace_rec r;
	char *out;
	double t;

	(void)state;
	assert_int_equal(trace_open(trace_path, TRACE_TEXT), 0);
	assert_true(trace_enabled());
	assert_true(trace_begin(&r, TRACE_G2H, TRACE_CTL, "INITIATE_CONTACT"));
	trace_ver(&r, "version", 0x00050003);
	trace_u64(&r, "target_vcpu", 0);
	trace_end(&r);
	out = slurp();

	/* "[  0.001234] g->h ctl     INITIATE_CONTACT ..." */
	assert_int_equal(out[0], '[');
	assert_int_equal(out[11], ']');
	assert_int_equal(sscanf(out, "[%lf]", &t), 1);
	assert_true(t >= 0.0 && t < 3600.0);
	assert_string_equal(out + 12,
		" g->h ctl     INITIATE_CONTACT version=5.3 target_vcpu=0\n");
	free(out);
}

static void text_every_field_type(void **state)
{
	struct trace_rec r;
	char *out;

	(void)state;
	assert_int_equal(trace_open(trace_path, TRACE_TEXT), 0);
	assert_true(trace_begin(&r, TRACE_H2G, 5, "OFFERCHANNEL"));
	trace_guid(&r, "type", test_guid);
	trace_hex(&r, "gpa", 0xfee00000ull);
	trace_str(&r, "name", "synthvid");
	trace_str(&r, "note", "two words");
	trace_str(&r, "odd", "a\"b\\c\nd");
	trace_str(&r, "empty", "");
	trace_u64(&r, "big", UINT64_MAX);
	trace_end(&r);
	assert_true(trace_begin(&r, TRACE_HOST, 12, "TIMER"));
	trace_end(&r);
	out = slurp();

	assert_non_null(strstr(out, "] h->g ch 5    OFFERCHANNEL type="
				    "6b6d7662-7365-6863-8f01-6b766d627573 "
				    "gpa=0xfee00000 name=synthvid "
				    "note=\"two words\" odd=\"a\\\"b\\\\c\\x0ad\" "
				    "empty=\"\" big=18446744073709551615\n"));
	assert_non_null(strstr(out, "] host ch 12   TIMER\n"));
	assert_int_equal(count_lines(out), 2);
	free(out);
}

static void json_control_message(void **state)
{
	struct trace_rec r;
	char *out;

	(void)state;
	assert_int_equal(trace_open(trace_path, TRACE_JSON), 0);
	assert_true(trace_begin(&r, TRACE_G2H, TRACE_CTL, "INITIATE_CONTACT"));
	trace_ver(&r, "version", 0x00050003);
	trace_u64(&r, "target_vcpu", 0);
	trace_end(&r);
	out = slurp();

	assert_true(json_line_valid(out));
	assert_memory_equal(out, "{\"t\":", 5);
	assert_non_null(strstr(out, ",\"dir\":\"g2h\",\"chan\":\"ctl\","
				    "\"msg\":\"INITIATE_CONTACT\","
				    "\"version\":\"5.3\",\"target_vcpu\":0}\n"));
	free(out);
}

static void json_every_field_type(void **state)
{
	struct trace_rec r;
	char *out;

	(void)state;
	assert_int_equal(trace_open(trace_path, TRACE_JSON), 0);
	assert_true(trace_begin(&r, TRACE_H2G, 7, "OFFERCHANNEL"));
	trace_guid(&r, "type", test_guid);
	trace_hex(&r, "gpa", 0xfee00000ull);
	trace_str(&r, "name", "synthvid");
	trace_u64(&r, "big", UINT64_MAX);
	trace_ver(&r, "v", 0x00020004);
	trace_end(&r);
	assert_true(trace_begin(&r, TRACE_HOST, TRACE_CTL, "NOTE"));
	trace_end(&r);
	out = slurp();

	char *second = strchr(out, '\n') + 1;
	char first[512];

	assert_true((size_t)(second - out) < sizeof(first));
	memcpy(first, out, (size_t)(second - out));
	first[second - out] = '\0';
	assert_true(json_line_valid(first));
	assert_true(json_line_valid(second));
	assert_non_null(strstr(first, "\"dir\":\"h2g\",\"chan\":7,"
				    "\"msg\":\"OFFERCHANNEL\","
				    "\"type\":\"6b6d7662-7365-6863-8f01-6b766d627573\","
				    "\"gpa\":\"0xfee00000\",\"name\":\"synthvid\","
				    "\"big\":18446744073709551615,\"v\":\"2.4\"}"));
	assert_non_null(strstr(second, "\"dir\":\"host\",\"chan\":\"ctl\","
				       "\"msg\":\"NOTE\"}\n"));
	free(out);
}

static void json_escapes_hostile_strings(void **state)
{
	struct trace_rec r;
	char *out;
	const char nasty[] = "q\"b\\s/\n\r\t\x01\x1f\x7f\xc3\xa9\xff end";

	(void)state;
	assert_int_equal(trace_open(trace_path, TRACE_JSON), 0);
	assert_true(trace_begin(&r, TRACE_G2H, 1, "PKT\"\n"));
	trace_str(&r, "k\"ey", nasty);
	trace_end(&r);
	out = slurp();

	assert_int_equal(count_lines(out), 1);
	assert_true(json_line_valid(out));
	assert_non_null(strstr(out, "\"msg\":\"PKT\\\"\\n\""));
	assert_non_null(strstr(out, "\"k\\\"ey\":\"q\\\"b\\\\s/\\n\\r\\t"
				    "\\u0001\\u001f\\u007f\\u00c3\\u00a9"
				    "\\u00ff end\""));
	free(out);
}

static void overflowing_fields_truncate_to_a_valid_line(void **state)
{
	struct trace_rec r;
	char long_str[400];
	char *out;

	(void)state;
	memset(long_str, '"', sizeof(long_str) - 1);  /* escapes double it */
	long_str[sizeof(long_str) - 1] = '\0';

	assert_int_equal(trace_open(trace_path, TRACE_JSON), 0);
	assert_true(trace_begin(&r, TRACE_G2H, 3, "BIG"));
	for (int i = 0; i < 200; i++)
		trace_u64(&r, "field", (uint64_t)i);
	trace_str(&r, "s", long_str);
	trace_end(&r);

	assert_true(trace_begin(&r, TRACE_G2H, 3, "BIGSTR"));
	trace_u64(&r, "first", 1);
	trace_str(&r, "s", long_str);
	trace_str(&r, "s2", long_str);   /* does not fit after the first */
	trace_u64(&r, "after", 2);       /* dropped: keeps field order */
	trace_end(&r);
	out = slurp();

	assert_int_equal(count_lines(out), 2);
	char *second = strchr(out, '\n') + 1;
	assert_true(json_line_valid(second));
	assert_non_null(strstr(second, "\"first\":1,\"s\":\""));
	assert_null(strstr(second, "\"s2\""));
	assert_null(strstr(second, "\"after\""));
	assert_non_null(strstr(second, ",\"truncated\":true}\n"));
	second[0] = '\0';
	assert_true(json_line_valid(out));
	assert_non_null(strstr(out, "\"truncated\":true}"));
	assert_true(strlen(out) < 1100);
	free(out);

	/* Text mode: the same record stays one line with a marker. */
	assert_int_equal(trace_open(trace_path, TRACE_TEXT), 0);
	assert_true(trace_begin(&r, TRACE_G2H, 3, "BIG"));
	for (int i = 0; i < 200; i++)
		trace_hex(&r, "field", (uint64_t)i);
	trace_end(&r);
	out = slurp();
	assert_int_equal(count_lines(out), 1);
	assert_non_null(strstr(out, " [truncated]\n"));
	free(out);
}

static void unnamed_record_is_a_packet(void **state)
{
	struct trace_rec r;
	char *out;

	(void)state;
	assert_int_equal(trace_open(trace_path, TRACE_TEXT), 0);
	assert_true(trace_begin(&r, TRACE_G2H, 2, NULL));
	assert_false(trace_has_name(&r));
	trace_end(&r);
	assert_true(trace_begin(&r, TRACE_G2H, 2, NULL));
	trace_set_name(&r, "SYNTHVID_VERSION_REQUEST");
	assert_true(trace_has_name(&r));
	trace_end(&r);
	out = slurp();
	assert_non_null(strstr(out, "ch 2    PACKET\n"));
	assert_non_null(strstr(out, "ch 2    SYNTHVID_VERSION_REQUEST\n"));
	free(out);
}

static void nothing_is_written_when_tracing_is_off(void **state)
{
	struct trace_rec r;
	char *out;

	(void)state;
	assert_int_equal(trace_open(trace_path, TRACE_TEXT), 0);
	trace_close();
	assert_false(trace_enabled());
	assert_false(trace_begin(&r, TRACE_G2H, TRACE_CTL, "X"));
	/* Calls on an inactive record are harmless no-ops. */
	trace_u64(&r, "a", 1);
	trace_str(&r, "b", "c");
	trace_guid(&r, "g", test_guid);
	trace_end(&r);
	out = slurp();
	assert_string_equal(out, "");
	free(out);
}

static void open_failure_reports_errno(void **state)
{
	(void)state;
	errno = 0;
	assert_int_equal(trace_open("/nonexistent-dir/x/trace", TRACE_JSON),
			 -1);
	assert_int_not_equal(errno, 0);
	assert_false(trace_enabled());
	assert_int_equal(trace_open(trace_path, (enum trace_format)7), -1);
}

static void time_is_monotonic(void **state)
{
	double a = trace_now();
	double b = trace_now();

	(void)state;
	assert_true(a >= 0.0);
	assert_true(b >= a);
}

/* Two writers: every line must be a whole record. */
static void *writer(void *arg)
{
	struct trace_rec r;
	int chan = (int)(intptr_t)arg;

	for (int i = 0; i < 500; i++) {
		if (trace_begin(&r, TRACE_G2H, chan, "RECORD")) {
			trace_u64(&r, "i", (uint64_t)i);
			trace_str(&r, "pad", "the quick brown fox jumps over");
			trace_end(&r);
		}
	}
	return NULL;
}

static void concurrent_records_do_not_interleave(void **state)
{
	pthread_t a, b;
	char *out, *line, *save = NULL;
	unsigned n = 0;

	(void)state;
	assert_int_equal(trace_open(trace_path, TRACE_JSON), 0);
	assert_int_equal(pthread_create(&a, NULL, writer, (void *)1), 0);
	assert_int_equal(pthread_create(&b, NULL, writer, (void *)2), 0);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	out = slurp();

	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char buf[512];

		snprintf(buf, sizeof(buf), "%s\n", line);
		if (!json_line_valid(buf))
			fail_msg("torn line: %s", line);
		n++;
	}
	assert_int_equal(n, 1000);
	free(out);
}

static void validator_rejects_bad_json(void **state)
{
	(void)state;
	/* Guard against a validator that accepts anything. */
	assert_true(json_line_valid("{\"a\":1,\"b\":\"x\",\"c\":true}\n"));
	assert_false(json_line_valid("{\"a\":1,}\n"));
	assert_false(json_line_valid("{\"a\":\"x\ny\"}\n"));
	assert_false(json_line_valid("{\"a\":\"\\x41\"}\n"));
	assert_false(json_line_valid("{\"a\":01}\n"));
	assert_false(json_line_valid("{\"a\":1}"));
	assert_false(json_line_valid("{\"a\":1}\n{"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(validator_rejects_bad_json),
		cmocka_unit_test(text_control_message),
		cmocka_unit_test(text_every_field_type),
		cmocka_unit_test(json_control_message),
		cmocka_unit_test(json_every_field_type),
		cmocka_unit_test(json_escapes_hostile_strings),
		cmocka_unit_test(overflowing_fields_truncate_to_a_valid_line),
		cmocka_unit_test(unnamed_record_is_a_packet),
		cmocka_unit_test(nothing_is_written_when_tracing_is_off),
		cmocka_unit_test(open_failure_reports_errno),
		cmocka_unit_test(time_is_monotonic),
		cmocka_unit_test(concurrent_records_do_not_interleave),
	};

	return cmocka_run_group_tests_name("trace", tests, setup, teardown);
}
