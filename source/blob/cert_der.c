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

/*
 * A cursor over the contents of a constructed value.  Errors are sticky:
 * after the first mismatch every later take fails too, so a parser is a
 * straight list of takes and one check of ->ok at the end.
 */
struct cursor {
	struct bpa_der_span rest;
	bool ok;
};

static struct cursor cursor_of(struct bpa_der_span span)
{
	struct cursor cur = { .rest = span, .ok = true };

	return cur;
}

/* The next element, which must have tag @tag */
static void take(struct cursor *cur, uint8_t tag, struct bpa_der_tlv *tlv)
{
	bool ok = false;

	memset(tlv, 0, sizeof(*tlv));
	if (!cur->ok) {
		return;
	}
	ok = bpa_der_read(cur->rest.p, cur->rest.len, tlv);
	if (!ok || tlv->tag != tag) {
		memset(tlv, 0, sizeof(*tlv));
		cur->ok = false;
		return;
	}
	cur->rest.p += tlv->whole.len;
	cur->rest.len -= tlv->whole.len;
}

/* The next element if it has tag @tag; @present says whether it had */
static void take_optional(struct cursor *cur,
			  uint8_t tag,
			  struct bpa_der_tlv *tlv,
			  bool *present)
{
	*present = cur->ok && cur->rest.len > 0 && cur->rest.p[0] == tag;
	if (*present) {
		take(cur, tag, tlv);
	}
}

/* Nothing may follow */
static void take_end(struct cursor *cur)
{
	if (cur->rest.len != 0) {
		cur->ok = false;
	}
}

/* BIT STRING with no unused bits: the octets after the first */
static void bit_string_octets(struct cursor *cur,
			      const struct bpa_der_tlv *tlv,
			      struct bpa_der_span *out)
{
	if (!cur->ok || tlv->content.len < 1 || tlv->content.p[0] != 0) {
		cur->ok = false;
		return;
	}
	out->p = tlv->content.p + 1;
	out->len = tlv->content.len - 1;
}

/* RFC 5280 4.1: TBSCertificate */
static bool parse_tbs(struct bpa_der_span tbs, struct bpa_der_cert *c)
{
	struct cursor cur = cursor_of(tbs);
	struct cursor spki;
	struct cursor exts;
	struct bpa_der_tlv t;
	bool present = false;

	take_optional(&cur, 0xa0, &t, &present);	/* version */
	take(&cur, DER_INTEGER, &t);			/* serialNumber */
	c->serial = t.content;
	take(&cur, DER_SEQUENCE, &t);			/* signature */
	take(&cur, DER_SEQUENCE, &t);			/* issuer */
	c->issuer = t.whole;
	take(&cur, DER_SEQUENCE, &t);			/* validity */
	take(&cur, DER_SEQUENCE, &t);			/* subject */
	c->subject = t.whole;
	take(&cur, DER_SEQUENCE, &t);			/* subjectPKInfo */
	c->spki = t.whole;

	spki = cursor_of(t.content);
	take(&spki, DER_SEQUENCE, &t);			/* algorithm */
	take(&spki, DER_BIT_STRING, &t);		/* subjectPublicKey */
	bit_string_octets(&spki, &t, &c->spk);
	take_end(&spki);

	take_optional(&cur, 0x81, &t, &present);	/* issuerUniqueID */
	take_optional(&cur, 0x82, &t, &present);	/* subjectUniqueID */
	take_optional(&cur, 0xa3, &t, &present);	/* extensions */
	c->extensions.p = NULL;
	c->extensions.len = 0;
	if (present) {
		exts = cursor_of(t.content);
		take(&exts, DER_SEQUENCE, &t);
		take_end(&exts);
		c->extensions = t.content;
		cur.ok = cur.ok && exts.ok;
	}
	take_end(&cur);
	return cur.ok && spki.ok && c->serial.len > 0;
}

bool bpa_der_cert_parse(const uint8_t *der,
			size_t len,
			struct bpa_der_cert *c)
{
	struct bpa_der_span whole = { .p = der, .len = len };
	struct cursor top = cursor_of(whole);
	struct cursor cert;
	struct bpa_der_tlv t;
	bool ok = false;

	memset(c, 0, sizeof(*c));
	take(&top, DER_SEQUENCE, &t);			/* Certificate */
	take_end(&top);
	cert = cursor_of(t.content);
	cert.ok = top.ok;
	take(&cert, DER_SEQUENCE, &t);			/* tbsCertificate */
	c->tbs = t.whole;
	ok = cert.ok && parse_tbs(t.content, c);
	take(&cert, DER_SEQUENCE, &t);			/* signatureAlgorithm */
	c->sig_alg = t.whole;
	take(&cert, DER_BIT_STRING, &t);		/* signatureValue */
	bit_string_octets(&cert, &t, &c->sig);
	take_end(&cert);
	return ok && cert.ok;
}

bool bpa_der_cert_find_ext(const struct bpa_der_cert *c,
			   const uint8_t *oid,
			   size_t oid_len,
			   struct bpa_der_span *value)
{
	struct cursor exts = cursor_of(c->extensions);
	bool found = false;

	value->p = NULL;
	value->len = 0;
	while (exts.ok && exts.rest.len > 0) {
		struct bpa_der_tlv ext, id, v;
		struct cursor e;
		bool critical = false;
		bool match = false;

		take(&exts, DER_SEQUENCE, &ext);	/* Extension */
		e = cursor_of(ext.content);
		e.ok = exts.ok;
		take(&e, DER_OID, &id);			/* extnID */
		take_optional(&e, DER_BOOLEAN, &v, &critical);
		take(&e, DER_OCTET_STRING, &v);		/* extnValue */
		take_end(&e);
		if (!e.ok) {
			return false;
		}
		match = id.content.len == oid_len &&
			memcmp(id.content.p, oid, oid_len) == 0;
		if (match && found) {
			return false;	/* RFC 5280 4.2: at most once */
		}
		if (match) {
			found = true;
			*value = v.content;
		}
	}
	return exts.ok;
}

bool bpa_der_eku_has(const uint8_t *der,
		     size_t len,
		     const uint8_t *oid,
		     size_t oid_len,
		     bool *has_oid)
{
	struct bpa_der_span whole = { .p = der, .len = len };
	struct cursor top = cursor_of(whole);
	struct cursor seq;
	struct bpa_der_tlv t;
	bool has = false;

	*has_oid = false;
	take(&top, DER_SEQUENCE, &t);		/* ExtKeyUsageSyntax */
	take_end(&top);
	seq = cursor_of(t.content);
	seq.ok = top.ok && t.content.len > 0;	/* SIZE (1..MAX) */
	while (seq.ok && seq.rest.len > 0) {
		bool is_oid = false;
		bool is_any = false;

		take(&seq, DER_OID, &t);		/* KeyPurposeId */
		if (t.content.len == 0) {
			seq.ok = false;
			break;
		}
		is_oid = t.content.len == oid_len &&
			 memcmp(t.content.p, oid, oid_len) == 0;
		is_any = t.content.len == sizeof(oid_any_eku) &&
			 memcmp(t.content.p, oid_any_eku,
				sizeof(oid_any_eku)) == 0;
		has = has || is_oid || is_any;
	}
	if (!seq.ok) {
		return false;
	}
	*has_oid = has;
	return true;
}
