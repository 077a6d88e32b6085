/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The validator tdb's record formats (validator_record.h) */
#include <string.h>
#include "util/bpa_bytes.h"
#include "validator/validator_record.h"

bool bpa_vendpoint_ok(const char *ep, size_t len)
{
	size_t i;

	if (ep == NULL || len == 0 || len > BPA_VENDPOINT_MAX) {
		return false;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)ep[i];

		if (c <= 0x20 || c >= 0x7f) {
			return false;
		}
	}
	return true;
}

void bpa_vmeta_push(const struct bpa_vmeta *m, uint8_t out[BPA_VMETA_LEN])
{
	out[0] = BPA_VRECORD_VERSION;
	PUSH_LE_U64(out, 1, m->next);
	PUSH_LE_U64(out, 9, m->oldest);
}

bool bpa_vmeta_pull(const uint8_t *d, size_t n, struct bpa_vmeta *m)
{
	if (d == NULL || n != BPA_VMETA_LEN || d[0] != BPA_VRECORD_VERSION) {
		return false;
	}
	m->next = PULL_LE_U64(d, 1);
	m->oldest = PULL_LE_U64(d, 9);
	return m->oldest <= m->next;
}

void bpa_vok_push(const struct bpa_vok *o, uint8_t out[BPA_VOK_LEN])
{
	out[0] = BPA_VRECORD_VERSION;
	PUSH_LE_U64(out, 1, o->seq);
	PUSH_LE_U64(out, 9, o->when);
}

bool bpa_vok_pull(const uint8_t *d, size_t n, struct bpa_vok *o)
{
	if (d == NULL || n != BPA_VOK_LEN || d[0] != BPA_VRECORD_VERSION) {
		return false;
	}
	o->seq = PULL_LE_U64(d, 1);
	o->when = PULL_LE_U64(d, 9);
	return true;
}

void bpa_vfail_push(const struct bpa_vfail *f, uint8_t out[BPA_VFAIL_LEN])
{
	out[0] = BPA_VRECORD_VERSION;
	PUSH_LE_U64(out, 1, f->count);
	PUSH_LE_U64(out, 9, f->first);
	PUSH_LE_U64(out, 17, f->last);
	PUSH_LE_U32(out, 25, f->hresult);
}

bool bpa_vfail_pull(const uint8_t *d, size_t n, struct bpa_vfail *f)
{
	if (d == NULL || n != BPA_VFAIL_LEN || d[0] != BPA_VRECORD_VERSION) {
		return false;
	}
	f->count = PULL_LE_U64(d, 1);
	f->first = PULL_LE_U64(d, 9);
	f->last = PULL_LE_U64(d, 17);
	f->hresult = PULL_LE_U32(d, 25);
	/* a refusal has the failure bit (validator_ctx.c makes it so) */
	return f->count >= 1 && f->first <= f->last &&
	       (f->hresult & 0x80000000u) != 0;
}

void bpa_vseq_key(uint64_t seq, uint8_t out[BPA_VSEQ_KEY_LEN])
{
	memcpy(out, BPA_VKEY_SEQ, 4);
	PUSH_LE_U64(out, 4, seq);
}

bool bpa_vfail_key_endpoint(const uint8_t *key,
			    size_t n,
			    const uint8_t **ep,
			    size_t *len)
{
	const size_t plen = sizeof(BPA_VKEY_FAIL) - 1;

	if (key == NULL || n <= plen ||
	    memcmp(key, BPA_VKEY_FAIL, plen) != 0 ||
	    !bpa_vendpoint_ok((const char *)key + plen, n - plen)) {
		return false;
	}
	*ep = key + plen;
	*len = n - plen;
	return true;
}

bool bpa_vkey_is_ok(const uint8_t *key, size_t n)
{
	const size_t plen = sizeof(BPA_VKEY_OK) - 1;

	return key != NULL && n > plen && memcmp(key, BPA_VKEY_OK, plen) == 0;
}
