/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MS-DTYP 2.4.2.1: SID string format */
#include <string.h>
#include <stdio.h>
#include <inttypes.h>
#include "util/sid_string.h"

/* One decimal number, canonical (no leading zero unless "0"), < 2^32 */
static bool parse_dec32(const char *s,
			size_t len,
			size_t *pos,
			uint32_t *out)
{
	uint64_t v = 0;
	size_t start = *pos;
	size_t i = *pos;

	while (i < len && s[i] >= '0' && s[i] <= '9') {
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > UINT32_MAX) {
			return false;
		}
		i++;
	}
	if (i == start || i - start > 10) {
		return false;
	}
	if (s[start] == '0' && i - start > 1) {
		return false;
	}
	*out = (uint32_t)v;
	*pos = i;
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

bool bpa_sid_parse_len(const char *str, size_t len, struct dom_sid *sid)
{
	struct dom_sid tmp = { .sid_rev_num = 1 };
	size_t pos = 4;
	uint64_t auth = 0;
	int i;

	memset(sid, 0, sizeof(*sid));
	if (str == NULL || len < 4 || memcmp(str, "S-1-", 4) != 0) {
		return false;
	}

	if (len - pos >= 2 && str[pos] == '0' && str[pos + 1] == 'x') {
		/* 12 hex digits, only for authorities >= 2^32 */
		pos += 2;
		if (len - pos < 12) {
			return false;
		}
		for (i = 0; i < 12; i++) {
			int h = hexval(str[pos + i]);
			if (h < 0) {
				return false;
			}
			auth = (auth << 4) | (uint64_t)h;
		}
		pos += 12;
		if (auth <= UINT32_MAX) {
			return false;
		}
	} else {
		uint32_t a32 = 0;
		if (!parse_dec32(str, len, &pos, &a32)) {
			return false;
		}
		auth = a32;
	}
	for (i = 0; i < 6; i++) {
		tmp.id_auth[i] = (uint8_t)(auth >> (8 * (5 - i)));
	}

	while (pos < len) {
		uint32_t sub = 0;

		if (str[pos] != '-' || tmp.num_auths >= 15) {
			return false;
		}
		pos++;
		if (!parse_dec32(str, len, &pos, &sub)) {
			return false;
		}
		tmp.sub_auths[tmp.num_auths++] = sub;
	}
	if (tmp.num_auths == 0) {
		return false;
	}
	*sid = tmp;
	return true;
}

bool bpa_sid_parse(const char *str, struct dom_sid *sid)
{
	if (str == NULL) {
		memset(sid, 0, sizeof(*sid));
		return false;
	}
	return bpa_sid_parse_len(str, strlen(str), sid);
}

char *bpa_sid_format(const struct dom_sid *sid,
		     char buf[BPA_SID_STRING_MAX])
{
	uint64_t auth = 0;
	size_t off = 0;
	int i;

	/* the ABNF needs at least one SubAuthority: never write "S-1-5" */
	if (sid == NULL || sid->sid_rev_num != 1 ||
	    sid->num_auths < 1 || sid->num_auths > 15) {
		return NULL;
	}
	for (i = 0; i < 6; i++) {
		auth = (auth << 8) | sid->id_auth[i];
	}
	if (auth > UINT32_MAX) {
		off = (size_t)snprintf(buf, BPA_SID_STRING_MAX,
				       "S-1-0x%012" PRIX64, auth);
	} else {
		off = (size_t)snprintf(buf, BPA_SID_STRING_MAX,
				       "S-1-%" PRIu64, auth);
	}
	for (i = 0; i < sid->num_auths; i++) {
		off += (size_t)snprintf(buf + off, BPA_SID_STRING_MAX - off,
					"-%" PRIu32, sid->sub_auths[i]);
	}
	return buf;
}

char *bpa_sid_string(TALLOC_CTX *mem_ctx, const struct dom_sid *sid)
{
	char buf[BPA_SID_STRING_MAX];

	if (bpa_sid_format(sid, buf) == NULL) {
		return NULL;
	}
	return talloc_strdup(mem_ctx, buf);
}

bool bpa_sid_equal(const struct dom_sid *a, const struct dom_sid *b)
{
	int i;

	if (a == NULL || b == NULL || a->sid_rev_num != 1 ||
	    b->sid_rev_num != 1 || a->num_auths != b->num_auths ||
	    a->num_auths < 0 || a->num_auths > 15) {
		return false;
	}
	if (memcmp(a->id_auth, b->id_auth, sizeof(a->id_auth)) != 0) {
		return false;
	}
	for (i = 0; i < a->num_auths; i++) {
		if (a->sub_auths[i] != b->sub_auths[i]) {
			return false;
		}
	}
	return true;
}
