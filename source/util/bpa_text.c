/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared text helpers (see bpa_text.h) */
#include <stdio.h>
#include <string.h>
#include "util/bpa_text.h"

char *bpa_time_format(time_t t, char buf[BPA_TIME_STRING_MAX])
{
	struct tm tm;
	size_t n = 0;

	if (gmtime_r(&t, &tm) != NULL) {
		n = strftime(buf, BPA_TIME_STRING_MAX, "%Y-%m-%dT%H:%M:%SZ",
			     &tm);
	}
	if (n == 0) {
		snprintf(buf, BPA_TIME_STRING_MAX, "%lld", (long long)t);
	}
	return buf;
}

char *bpa_json_append_string(char *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	if (out == NULL) {
		return NULL;
	}
	out = talloc_strdup_append_buffer(out, "\"");
	for (; out != NULL && *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			out = talloc_asprintf_append_buffer(out, "\\%c", *p);
		} else if (bpa_is_control(*p)) {
			out = talloc_asprintf_append_buffer(out, "\\u%04x",
							    *p);
		} else {
			out = talloc_asprintf_append_buffer(out, "%c", *p);
		}
	}
	if (out != NULL) {
		out = talloc_strdup_append_buffer(out, "\"");
	}
	return out;
}

const char *bpa_printable(TALLOC_CTX *mem_ctx, const char *s)
{
	char *copy = NULL;
	char *c = NULL;

	if (s == NULL) {
		return "?";
	}
	copy = talloc_strdup(mem_ctx, s);
	if (copy == NULL) {
		return "?";
	}
	for (c = copy; *c != '\0'; c++) {
		if (bpa_is_control((unsigned char)*c)) {
			*c = '?';
		}
	}
	return copy;
}
