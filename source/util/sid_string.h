/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * SID string form, MS-DTYP 2.4.2.1:
 *
 *   SID = "S-1-" IdentifierAuthority 1*SubAuthority
 *   IdentifierAuthority = 1*10DIGIT (< 2^32) / "0x" 12HEXDIG (>= 2^32)
 *   SubAuthority = "-" 1*10DIGIT (< 2^32), at most 15 of them
 *
 * Samba's own dom_sid_parse()/dom_sid_string() are private, so this is
 * our own.  The parser is strict: it accepts only the canonical form
 * (upper-case "S" and hex digits, no sign, no leading zeros, no
 * trailing text: exactly what bpa_sid_format() writes), which
 * is what MS-BPAU 3.1.4.1 compares against the caller's identity.
 */
#ifndef _BPA_SID_STRING_H_
#define _BPA_SID_STRING_H_

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <talloc.h>
#include <util/data_blob.h>
#include <gen_ndr/security.h>

/* Longest canonical string: "S-1-0x" 12 hex + 15 * "-4294967295" + NUL */
#define BPA_SID_STRING_MAX (6 + 12 + 15 * 11 + 1)

/**
 * Parse exactly @len bytes of @str as a canonical SID string.
 * @return true and fills @sid on success; false (and @sid zeroed) if
 *         the text is not a canonical MS-DTYP 2.4.2.1 SID string.
 */
bool bpa_sid_parse_len(const char *str, size_t len, struct dom_sid *sid);

/** As bpa_sid_parse_len() for a NUL-terminated string. */
bool bpa_sid_parse(const char *str, struct dom_sid *sid);

/**
 * Format @sid in canonical form into @buf (BPA_SID_STRING_MAX bytes).
 * @return @buf, or NULL if @sid is not valid (revision 1, 1 to 15
 *         subauthorities, as the ABNF requires)
 */
char *bpa_sid_format(const struct dom_sid *sid,
		     char buf[BPA_SID_STRING_MAX]);

/** Canonical string of @sid on @mem_ctx; NULL on an invalid SID or ENOMEM */
char *bpa_sid_string(TALLOC_CTX *mem_ctx, const struct dom_sid *sid);

/** true if both SIDs are valid and identical */
bool bpa_sid_equal(const struct dom_sid *a, const struct dom_sid *b);

#endif /* _BPA_SID_STRING_H_ */
