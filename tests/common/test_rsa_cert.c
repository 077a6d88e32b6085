/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Certificates with an RSA key of any shape: see test_rsa_cert.h */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include "blob/cert_der.h"
#include "common/test_rsa_cert.h"

/* A growing DER buffer */
struct der_buf {
	uint8_t *p;
	size_t len;
	bool ok;
};

static void put(TALLOC_CTX *ctx,
		struct der_buf *b,
		const void *data,
		size_t len)
{
	uint8_t *n = NULL;

	if (!b->ok) {
		return;
	}
	n = talloc_realloc(ctx, b->p, uint8_t, b->len + len + 1);
	if (n == NULL) {
		b->ok = false;
		return;
	}
	b->p = n;
	if (len > 0) {
		memcpy(b->p + b->len, data, len);
	}
	b->len += len;
}

/* tag and definite length (up to 2^32-1) */
static void put_hdr(TALLOC_CTX *ctx,
		    struct der_buf *b,
		    uint8_t tag,
		    size_t len)
{
	uint8_t h[6];
	size_t n = 0;

	h[n++] = tag;
	if (len < 0x80) {
		h[n++] = (uint8_t)len;
	} else if (len <= 0xff) {
		h[n++] = 0x81;
		h[n++] = (uint8_t)len;
	} else if (len <= 0xffff) {
		h[n++] = 0x82;
		h[n++] = (uint8_t)(len >> 8);
		h[n++] = (uint8_t)len;
	} else {
		h[n++] = 0x83;
		h[n++] = (uint8_t)(len >> 16);
		h[n++] = (uint8_t)(len >> 8);
		h[n++] = (uint8_t)len;
	}
	put(ctx, b, h, n);
}

static void put_tlv(TALLOC_CTX *ctx,
		    struct der_buf *b,
		    uint8_t tag,
		    const uint8_t *data,
		    size_t len)
{
	put_hdr(ctx, b, tag, len);
	put(ctx, b, data, len);
}

/* a positive INTEGER from a magnitude (leading zeros dropped) */
static void put_uint(TALLOC_CTX *ctx, struct der_buf *b, const DATA_BLOB *v)
{
	const uint8_t *p = v->data;
	size_t len = v->length;
	bool pad;

	while (len > 1 && p[0] == 0) {
		p++;
		len--;
	}
	pad = len > 0 && (p[0] & 0x80) != 0;
	put_hdr(ctx, b, 0x02, len + (pad ? 1 : 0));
	if (pad) {
		put(ctx, b, "", 1);
	}
	put(ctx, b, p, len);
}

static void put_bits(TALLOC_CTX *ctx,
		     struct der_buf *b,
		     const uint8_t *p,
		     size_t len)
{
	put_hdr(ctx, b, 0x03, len + 1);
	put(ctx, b, "", 1);
	put(ctx, b, p, len);
}

/* SubjectPublicKeyInfo: rsaEncryption, NULL parameters, (n, e) */
static bool make_spki(TALLOC_CTX *ctx,
		      const DATA_BLOB *n,
		      const DATA_BLOB *e,
		      struct der_buf *out)
{
	static const uint8_t alg[] = {
		0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
		0x01, 0x01, 0x01, 0x05, 0x00
	};
	struct der_buf ints = { .ok = true };
	struct der_buf key = { .ok = true };
	struct der_buf inner = { .ok = true };

	put_uint(ctx, &ints, n);
	put_uint(ctx, &ints, e);
	put_tlv(ctx, &key, 0x30, ints.p, ints.len);
	put(ctx, &inner, alg, sizeof(alg));
	put_bits(ctx, &inner, key.p, key.len);
	*out = (struct der_buf) { .ok = true };
	put_tlv(ctx, out, 0x30, inner.p, inner.len);
	return ints.ok && key.ok && inner.ok && out->ok;
}

/* EMSA-PKCS1-v1_5 of SHA-256(@tbs), @k bytes (RFC 8017 9.2) */
static bool forged_sig(TALLOC_CTX *ctx,
		       const struct der_buf *tbs,
		       size_t k,
		       DATA_BLOB *sig)
{
	static const uint8_t digest_info[] = {
		0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
		0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20
	};
	size_t t = sizeof(digest_info) + 32;
	uint8_t *em = NULL;

	if (k < t + 11) {
		return false;
	}
	em = talloc_size(ctx, k);
	if (em == NULL) {
		return false;
	}
	em[0] = 0x00;
	em[1] = 0x01;
	memset(em + 2, 0xff, k - t - 3);
	em[k - t - 1] = 0x00;
	memcpy(em + k - t, digest_info, sizeof(digest_info));
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, tbs->p, tbs->len,
			     em + k - 32) != 0) {
		return false;
	}
	*sig = data_blob_const(em, k);
	return true;
}

bool trc_cert_with_rsa_key(TALLOC_CTX *mem_ctx,
			   const DATA_BLOB *tmpl,
			   const DATA_BLOB *n,
			   const DATA_BLOB *e,
			   gnutls_privkey_t signer,
			   const DATA_BLOB *sig,
			   DATA_BLOB *out)
{
	TALLOC_CTX *ctx = talloc_new(mem_ctx);
	struct bpa_der_cert c;
	struct bpa_der_tlv tbs;
	struct der_buf spki, body = { .ok = true }, ntbs = { .ok = true };
	struct der_buf cert = { .ok = true }, whole = { .ok = true };
	DATA_BLOB s = data_blob_null;
	gnutls_datum_t sd = { NULL, 0 };
	size_t before, after_off;
	size_t nlen = n->length;
	bool ok = false;

	if (ctx == NULL ||
	    !bpa_der_cert_parse(tmpl->data, tmpl->length, &c) ||
	    !bpa_der_read(c.tbs.p, c.tbs.len, &tbs) ||
	    !make_spki(ctx, n, e, &spki)) {
		goto done;
	}
	/* TBSCertificate: the template's fields with the new key */
	before = (size_t)(c.spki.p - tbs.content.p);
	after_off = before + c.spki.len;
	put(ctx, &body, tbs.content.p, before);
	put(ctx, &body, spki.p, spki.len);
	put(ctx, &body, tbs.content.p + after_off,
	    tbs.content.len - after_off);
	put_tlv(ctx, &ntbs, 0x30, body.p, body.len);
	if (!body.ok || !ntbs.ok) {
		goto done;
	}
	if (signer != NULL) {
		gnutls_datum_t d = { ntbs.p, (unsigned)ntbs.len };

		if (gnutls_privkey_sign_data(signer, GNUTLS_DIG_SHA256, 0, &d,
					     &sd) < 0) {
			goto done;
		}
		s = data_blob_const(sd.data, sd.size);
	} else if (sig != NULL) {
		s = *sig;
	} else {
		while (nlen > 0 && n->data[n->length - nlen] == 0) {
			nlen--;
		}
		if (!forged_sig(ctx, &ntbs, nlen, &s)) {
			goto done;
		}
	}
	put(ctx, &cert, ntbs.p, ntbs.len);
	put(ctx, &cert, c.sig_alg.p, c.sig_alg.len);
	put_bits(ctx, &cert, s.data, s.length);
	put_tlv(ctx, &whole, 0x30, cert.p, cert.len);
	if (!cert.ok || !whole.ok) {
		goto done;
	}
	*out = data_blob_talloc(mem_ctx, whole.p, whole.len);
	ok = out->data != NULL;
done:
	gnutls_free(sd.data);
	TALLOC_FREE(ctx);
	return ok;
}

DATA_BLOB trc_number(TALLOC_CTX *mem_ctx, uint32_t bits, bool odd)
{
	size_t len = (bits + 7) / 8;
	uint8_t *p = talloc_size(mem_ctx, len > 0 ? len : 1);
	uint64_t x = 0x9E3779B97F4A7C15ull ^ bits;
	unsigned top = (bits - 1) % 8;
	size_t i;

	if (p == NULL || bits < 2) {
		return data_blob_null;
	}
	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (uint8_t)(x >> 24);
	}
	p[0] &= (uint8_t)((1u << top) - 1);
	p[0] |= (uint8_t)(1u << top);
	if (odd) {
		p[len - 1] |= 1;
	} else {
		p[len - 1] &= 0xfe;
	}
	return data_blob_const(p, len);
}

DATA_BLOB trc_small(TALLOC_CTX *mem_ctx, uint64_t v)
{
	uint8_t b[8];
	size_t n = 0;
	int i;

	for (i = 7; i >= 0; i--) {
		uint8_t byte = (uint8_t)(v >> (8 * i));

		if (n > 0 || byte != 0) {
			b[n++] = byte;
		}
	}
	return data_blob_talloc(mem_ctx, b, n);
}
