/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Phase one, stage 3: the RSA key's bounds, read from the DER alone
 * before GnuTLS touches the key (cert_validate.h,
 * bpa_cert_check_rsa_key()).
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include "blob/cert_der.h"
#include "validate/cert_validate.h"
#include "validate/cert_validate_private.h"

/* rsaEncryption, 1.2.840.113549.1.1.1 (RFC 8017 A.1) */
static const uint8_t oid_rsa_encryption[9] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01
};

/*
 * A DER INTEGER's magnitude: false if negative; @p/@len without the
 * leading zero octets (len 0 for zero).
 */
static bool der_uint(const struct bpa_der_tlv *t,
		     const uint8_t **p,
		     size_t *len)
{
	const uint8_t *q = t->content.p;
	size_t n = t->content.len;

	if (t->tag != 0x02 || n == 0 || (q[0] & 0x80) != 0) {
		return false;
	}
	while (n > 0 && q[0] == 0) {
		q++;
		n--;
	}
	*p = q;
	*len = n;
	return true;
}

static uint32_t uint_bits(const uint8_t *p, size_t len)
{
	uint32_t bits;
	uint8_t top;

	if (len == 0) {
		return 0;
	}
	if (len > UINT32_MAX / 8) {
		return UINT32_MAX;
	}
	bits = (uint32_t)len * 8;
	for (top = p[0]; (top & 0x80) == 0; top <<= 1) {
		bits--;
	}
	return bits;
}

/*
 * The subjectPublicKeyInfo of @c: rsaEncryption with RSAPublicKey
 * ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017
 * A.1.1), read from the DER alone.  Returns the reasons of the key.
 *
 * Bounds, so that the one public-key operation (s^e mod n, stage 5)
 * costs at most what an RSA-@max_bits key with a 32-bit exponent costs:
 *  - modulus @min_bits..@max_bits ("min rsa bits", "max rsa bits");
 *  - e odd and 3 <= e < 2^32: CryptoAPI keeps the exponent in a DWORD
 *    (RSAPUBKEY.pubexp), so a Windows peer cannot have a larger one;
 *    e = 1 makes the "signature" the padded hash itself (anyone could
 *    forge it), an even e has no inverse mod lambda(n);
 *  - the modulus odd and larger than an allowed e (else the key is
 *    degenerate).
 */
uint32_t bpa_validate_rsa_key(const struct bpa_der_cert *c,
			      uint32_t min_bits,
			      uint32_t max_bits,
			      struct rsa_key_info *k)
{
	struct bpa_der_tlv spki, alg, oid, seq, n, e;
	const uint8_t *np = NULL, *ep = NULL;
	size_t nlen = 0, elen = 0;
	uint32_t r = 0;
	size_t i;
	bool ok;

	*k = (struct rsa_key_info) { 0 };
	ok = bpa_der_read(c->spki.p, c->spki.len, &spki) &&
	     bpa_der_read(spki.content.p, spki.content.len, &alg) &&
	     alg.tag == 0x30 &&
	     bpa_der_read(alg.content.p, alg.content.len, &oid) &&
	     oid.tag == 0x06;
	if (!ok) {
		return BPA_CERT_R_DER;
	}
	if (oid.content.len != sizeof(oid_rsa_encryption) ||
	    memcmp(oid.content.p, oid_rsa_encryption,
		   sizeof(oid_rsa_encryption)) != 0) {
		return BPA_CERT_R_NOT_RSA;
	}
	ok = c->spk.p != NULL &&
	     bpa_der_read(c->spk.p, c->spk.len, &seq) && seq.tag == 0x30 &&
	     seq.whole.len == c->spk.len &&
	     bpa_der_read(seq.content.p, seq.content.len, &n) &&
	     bpa_der_read(seq.content.p + n.whole.len,
			  seq.content.len - n.whole.len, &e) &&
	     n.whole.len + e.whole.len == seq.content.len &&
	     der_uint(&n, &np, &nlen) && der_uint(&e, &ep, &elen);
	if (!ok) {
		return BPA_CERT_R_DER;
	}
	k->n = (struct bpa_der_span) { .p = np, .len = nlen };
	k->pe = (struct bpa_der_span) { .p = ep, .len = elen };
	k->bits = uint_bits(np, nlen);
	k->e_bits = uint_bits(ep, elen);
	for (i = 0; k->e_bits <= 32 && i < elen; i++) {
		k->e = (k->e << 8) | ep[i];
	}
	if (k->bits < min_bits) {
		r |= BPA_CERT_R_RSA_TOO_SMALL;
	}
	if (k->bits > max_bits) {
		r |= BPA_CERT_R_RSA_TOO_LARGE;
	}
	if (k->e_bits > 32 || k->e < 3 || (k->e & 1) == 0) {
		r |= BPA_CERT_R_RSA_EXPONENT;
	}
	if (nlen == 0 || (np[nlen - 1] & 1) == 0 ||
	    (k->e_bits <= 32 && k->bits <= k->e_bits)) {
		r |= BPA_CERT_R_RSA_DEGENERATE;
	}
	return r;
}

uint32_t bpa_cert_check_rsa_key(const uint8_t *der,
				size_t len,
				uint32_t min_bits,
				uint32_t max_bits,
				uint32_t *pbits)
{
	struct bpa_der_cert c;
	struct rsa_key_info k = { 0 };
	uint32_t r = BPA_CERT_R_DER;
	bool ok;

	ok = der != NULL && bpa_der_cert_parse(der, len, &c);
	if (ok) {
		r = bpa_validate_rsa_key(&c, min_bits, max_bits, &k);
	}
	if (pbits != NULL) {
		*pbits = k.bits;
	}
	return r;
}
