/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the bitspeerauth commands print the same way: an HRESULT with its
 * name, a JSON string or null.  Times and hashes use util/bpa_text.h and
 * util/bpa_crypto.h (bpa_time_format(), bpa_hex_lower()).
 */
#ifndef _BPA_TOOL_OUTPUT_H_
#define _BPA_TOOL_OUTPUT_H_

#include <talloc.h>
#include <core/hresult.h>

/**
 * "@who: @what: 0x8007000e (E_OUTOFMEMORY)" on stderr; without
 * "@who: " when @who is NULL.
 */
void bpa_tool_print_hresult(const char *who, const char *what, HRESULT hr);

/** @s as a JSON string (RFC 8259 escapes) on @mem_ctx; NULL on ENOMEM */
char *bpa_tool_json_str(TALLOC_CTX *mem_ctx, const char *s);

/** @s as a JSON string, or the constant "null" when @s is NULL */
const char *bpa_tool_json_or_null(TALLOC_CTX *mem_ctx, const char *s);

#endif /* _BPA_TOOL_OUTPUT_H_ */
