/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Text for logs, the audit line and the tools: one time format, one
 * JSON string escaper, one printable filter.  They agree on what is a
 * control character: bytes below 0x20 and DEL (0x7f); a NULL string is
 * "" in JSON and "?" in a printable copy.
 */
#ifndef _BPA_TEXT_H_
#define _BPA_TEXT_H_

#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include <talloc.h>

/* "2026-12-01T21:05:43Z" and its NUL; room for a decimal fallback */
#define BPA_TIME_STRING_MAX 32

/**
 * @t as ISO 8601 UTC ("%Y-%m-%dT%H:%M:%SZ") into @buf, or as a decimal
 * number of seconds if gmtime_r() cannot represent it.
 * @return @buf
 */
char *bpa_time_format(time_t t, char buf[BPA_TIME_STRING_MAX]);

/** Is @c a control character (below 0x20, or DEL)? */
static inline bool bpa_is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/**
 * Append @s as a JSON string literal (RFC 8259 section 7: '"', '\\' and
 * control characters escaped) to the talloc string @out, as
 * talloc_strdup_append_buffer() does.  NULL @s is "".
 * @return the new @out, NULL on ENOMEM (or if @out was NULL)
 */
char *bpa_json_append_string(char *out, const char *s);

/**
 * A copy of @s on @mem_ctx with control characters replaced by '?',
 * for log lines and terminals.  NULL @s, or ENOMEM, gives "?" (a
 * constant).
 */
const char *bpa_printable(TALLOC_CTX *mem_ctx, const char *s);

#endif /* _BPA_TEXT_H_ */
