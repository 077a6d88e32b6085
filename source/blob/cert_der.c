/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Strict DER reading of an X.509 certificate's outline (RFC 5280 4.1) */
#include <string.h>
#include "blob/cert_der.h"

const uint8_t bpa_oid_server_auth[8] = {
	0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01 };
const uint8_t bpa_oid_client_auth[8] = {
	0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02 };
const uint8_t bpa_oid_ext_key_usage[3] = { 0x55, 0x1d, 0x25 };
const uint8_t bpa_oid_subject_key_id[3] = { 0x55, 0x1d, 0x0e };
/* 2.5.29.37.0, RFC 5280 4.2.1.12 */
static const uint8_t oid_any_eku[4] = { 0x55, 0x1d, 0x25, 0x00 };

#define DER_SEQUENCE	0x30
#define DER_INTEGER	0x02
#define DER_BIT_STRING	0x03
#define DER_OCTET_STRING 0x04
#define DER_OID		0x06
#define DER_BOOLEAN	0x01

bool bpa_der_read(const uint8_t *buf, size_t len, struct bpa_der_tlv *tlv)
{
	size_t hdr = 2;
	size_t clen = 0;

	if (buf == NULL || len < 2) {
		return false;
	}
	if ((buf[0] & 0x1f) == 0x1f) {
		return false;	/* high tag numbers: not in a certificate */
	}
	if (buf[1] < 0x80) {
		clen = buf[1];
	} else {
		size_t n = buf[1] & 0x7f;
		size_t i;

		if (n == 0 || n > 4 || len < 2 + n || buf[2] == 0) {
			return false;	/* indefinite, huge, non-minimal */
		}
		for (i = 0; i < n; i++) {
			clen = (clen << 8) | buf[2 + i];
		}
		if (clen < 0x80) {
			return false;	/* long form where short fits */
		}
		hdr = 2 + n;
	}
	if (clen > len - hdr) {
		return false;
	}
	tlv->tag = buf[0];
	tlv->whole.p = buf;
	tlv->whole.len = hdr + clen;
	tlv->content.p = buf + hdr;
	tlv->content.len = clen;
	return true;
}

/* Read the next element of a constructed value with tag @tag */
static bool next(struct bpa_der_span *rest, uint8_t tag,
		 struct bpa_der_tlv *tlv)
{
	if (!bpa_der_read(rest->p, rest->len, tlv) || tlv->tag != tag) {
		return false;
	}
	rest->p += tlv->whole.len;
	rest->len -= tlv->whole.len;
	return true;
}

static bool peek_tag(const struct bpa_der_span *rest, uint8_t tag)
{
	return rest->len > 0 && rest->p[0] == tag;
}

/* BIT STRING with no unused bits: the octets after the first */
static bool bit_string_octets(const struct bpa_der_tlv *tlv,
			      struct bpa_der_span *out)
{
	if (tlv->content.len < 1 || tlv->content.p[0] != 0) {
		return false;
	}
	out->p = tlv->content.p + 1;
	out->len = tlv->content.len - 1;
	return true;
}

static bool parse_tbs(const struct bpa_der_span *tbs, struct bpa_der_cert *c)
{
	struct bpa_der_span rest = *tbs;
	struct bpa_der_tlv t;
	struct bpa_der_span spki_rest;

	if (peek_tag(&rest, 0xa0) && !next(&rest, 0xa0, &t)) {
		return false;		/* [0] EXPLICIT Version */
	}
	if (!next(&rest, DER_INTEGER, &t) || t.content.len == 0) {
		return false;
	}
	c->serial = t.content;
	if (!next(&rest, DER_SEQUENCE, &t)) {	/* signature */
		return false;
	}
	if (!next(&rest, DER_SEQUENCE, &t)) {
		return false;
	}
	c->issuer = t.whole;
	if (!next(&rest, DER_SEQUENCE, &t)) {	/* validity */
		return false;
	}
	if (!next(&rest, DER_SEQUENCE, &t)) {
		return false;
	}
	c->subject = t.whole;
	if (!next(&rest, DER_SEQUENCE, &t)) {
		return false;
	}
	c->spki = t.whole;

	spki_rest = t.content;
	if (!next(&spki_rest, DER_SEQUENCE, &t)) {
		return false;
	}
	if (!next(&spki_rest, DER_BIT_STRING, &t) || spki_rest.len != 0) {
		return false;
	}
	if (!bit_string_octets(&t, &c->spk)) {
		return false;
	}

	/* [1] issuerUniqueID, [2] subjectUniqueID (IMPLICIT BIT STRING) */
	if (peek_tag(&rest, 0x81) && !next(&rest, 0x81, &t)) {
		return false;
	}
	if (peek_tag(&rest, 0x82) && !next(&rest, 0x82, &t)) {
		return false;
	}
	c->extensions.p = NULL;
	c->extensions.len = 0;
	if (peek_tag(&rest, 0xa3)) {
		struct bpa_der_span ext;

		if (!next(&rest, 0xa3, &t)) {
			return false;
		}
		ext = t.content;
		if (!next(&ext, DER_SEQUENCE, &t) || ext.len != 0) {
			return false;
		}
		c->extensions = t.content;
	}
	return rest.len == 0;
}

bool bpa_der_cert_parse(const uint8_t *der, size_t len,
			struct bpa_der_cert *c)
{
	struct bpa_der_tlv outer;
	struct bpa_der_tlv t;
	struct bpa_der_span rest;

	memset(c, 0, sizeof(*c));
	if (!bpa_der_read(der, len, &outer) || outer.tag != DER_SEQUENCE ||
	    outer.whole.len != len) {
		return false;
	}
	rest = outer.content;
	if (!next(&rest, DER_SEQUENCE, &t)) {
		return false;
	}
	c->tbs = t.whole;
	if (!parse_tbs(&t.content, c)) {
		return false;
	}
	if (!next(&rest, DER_SEQUENCE, &t)) {
		return false;
	}
	c->sig_alg = t.whole;
	if (!next(&rest, DER_BIT_STRING, &t) || rest.len != 0) {
		return false;
	}
	return bit_string_octets(&t, &c->sig);
}

bool bpa_der_cert_find_ext(const struct bpa_der_cert *c,
			   const uint8_t *oid, size_t oid_len,
			   struct bpa_der_span *value)
{
	struct bpa_der_span rest = c->extensions;
	bool found = false;

	value->p = NULL;
	value->len = 0;
	while (rest.len > 0) {
		struct bpa_der_tlv ext, t;
		struct bpa_der_span er;
		bool match = false;

		if (!next(&rest, DER_SEQUENCE, &ext)) {
			return false;
		}
		er = ext.content;
		if (!next(&er, DER_OID, &t)) {
			return false;
		}
		match = (t.content.len == oid_len &&
			 memcmp(t.content.p, oid, oid_len) == 0);
		if (peek_tag(&er, DER_BOOLEAN) && !next(&er, DER_BOOLEAN, &t)) {
			return false;
		}
		if (!next(&er, DER_OCTET_STRING, &t) || er.len != 0) {
			return false;
		}
		if (match) {
			if (found) {
				return false;	/* RFC 5280 4.2: once only */
			}
			found = true;
			*value = t.content;
		}
	}
	return true;
}

bool bpa_der_eku_has(const uint8_t *der, size_t len,
		     const uint8_t *oid, size_t oid_len, bool *has_oid)
{
	struct bpa_der_tlv seq, t;
	struct bpa_der_span rest;
	bool has = false;

	*has_oid = false;
	if (!bpa_der_read(der, len, &seq) || seq.tag != DER_SEQUENCE ||
	    seq.whole.len != len || seq.content.len == 0) {
		return false;
	}
	rest = seq.content;
	while (rest.len > 0) {
		if (!next(&rest, DER_OID, &t) || t.content.len == 0) {
			return false;
		}
		if ((t.content.len == oid_len &&
		     memcmp(t.content.p, oid, oid_len) == 0) ||
		    (t.content.len == sizeof(oid_any_eku) &&
		     memcmp(t.content.p, oid_any_eku,
			    sizeof(oid_any_eku)) == 0)) {
			has = true;
		}
	}
	*has_oid = has;
	return true;
}
