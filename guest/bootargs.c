// SPDX-License-Identifier: MIT
#include "guest/bootargs.h"

#include <stddef.h>

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* If the word at p starts with `prefix`, the rest of the word (may be
 * empty), else NULL. */
static const char *after_prefix(const char *p, const char *prefix)
{
	while (*prefix && *p == *prefix) {
		p++;
		prefix++;
	}
	return *prefix ? NULL : p;
}

static const char *next_word(const char *p)
{
	while (*p && !is_space(*p))
		p++;
	while (is_space(*p))
		p++;
	return p;
}

bool bootargs_has(const char *args, const char *word)
{
	if (!args || !word || !*word)
		return false;
	for (const char *p = args; *p; p = next_word(p)) {
		while (is_space(*p))
			p++;

		const char *rest = after_prefix(p, word);

		if (rest && (!*rest || is_space(*rest)))
			return true;
	}
	return false;
}

/* Decimal digits up to the end of the word; false if empty, not all
 * digits, or above UINT32_MAX. */
static bool parse_u32(const char *p, uint32_t *out)
{
	uint64_t v = 0;
	bool any = false;

	for (; *p && !is_space(*p); p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > UINT32_MAX)
			return false;
		any = true;
	}
	if (any)
		*out = (uint32_t)v;
	return any;
}

bool bootargs_get_u32(const char *args, const char *key, uint32_t *out)
{
	bool found = false;

	if (!args || !key || !*key)
		return false;
	for (const char *p = args; *p; p = next_word(p)) {
		while (is_space(*p))
			p++;

		const char *rest = after_prefix(p, key);
		uint32_t v;

		if (rest && *rest == '=' && parse_u32(rest + 1, &v)) {
			*out = v;
			found = true;
		}
	}
	return found;
}
