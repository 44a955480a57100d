// SPDX-License-Identifier: MIT
#include "guest/bootargs.h"

#include <stddef.h>

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

bool bootargs_has(const char *args, const char *word)
{
	if (!args || !word || !*word)
		return false;
	for (const char *p = args; *p;) {
		while (is_space(*p))
			p++;
		const char *w = word;
		const char *q = p;

		while (*w && *q == *w) {
			q++;
			w++;
		}
		if (!*w && (!*q || is_space(*q)))
			return true;
		while (*p && !is_space(*p))
			p++;
	}
	return false;
}
