/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * RFC 5280 5.1 / 5.3.1: find a revoked certificate's entry and its
 * reasonCode in a DER CRL.  Everything bounded by the input.
 */
#include <string.h>
#include "blob/cert_der.h"
#include "revocation/rev_crl_der.h"

#define TAG_INTEGER	0x02
#define TAG_BOOLEAN	0x01
#define TAG_OCTETS	0x04
#define TAG_OID		0x06
#define TAG_ENUM	0x0a
#define TAG_SEQ		0x30
#define TAG_UTCTIME	0x17
#define TAG_GENTIME	0x18
#define TAG_CTX0	0xa0

/* id-ce-cRLReasons 2.5.29.21 */
static const uint8_t oid_reason[] = { 0x55, 0x1d, 0x15 };

/* Next element of [*p, *p + *len) into @t, advancing; false at the end
 * or on malformed input */
static bool next(const uint8_t **p, size_t *len, struct bpa_der_tlv *t)
{
	if (*len == 0 || !bpa_der_read(*p, *len, t)) {
		return false;
	}
	*p += t->whole.len;
	*len -= t->whole.len;
	return true;
}

/* The reasonCode in crlEntryExtensions contents @p/@len */
static bool entry_reason(const uint8_t *p,
			 size_t len,
			 struct bpa_crl_entry *e)
{
	struct bpa_der_tlv ext, f;

	while (len > 0) {
		const uint8_t *q = NULL;
		size_t ql;

		if (!next(&p, &len, &ext) || ext.tag != TAG_SEQ) {
			return false;
		}
		q = ext.content.p;
		ql = ext.content.len;
		if (!next(&q, &ql, &f) || f.tag != TAG_OID) {
			return false;
		}
		if (f.content.len != sizeof(oid_reason) ||
		    memcmp(f.content.p, oid_reason, sizeof(oid_reason)) != 0) {
			continue;
		}
		if (!next(&q, &ql, &f)) {
			return false;
		}
		if (f.tag == TAG_BOOLEAN && !next(&q, &ql, &f)) {
			return false;
		}
		if (f.tag != TAG_OCTETS) {
			return false;
		}
		q = f.content.p;
		ql = f.content.len;
		if (!next(&q, &ql, &f) || f.tag != TAG_ENUM ||
		    f.content.len != 1 || f.content.p[0] > 10 || ql != 0) {
			return false;
		}
		e->has_reason = true;
		e->reason = f.content.p[0];
		return true;
	}
	return true;
}

/* INTEGER contents without sign-padding zeros, for comparison */
static void strip(const uint8_t **p, size_t *len)
{
	while (*len > 1 && (*p)[0] == 0) {
		(*p)++;
		(*len)--;
	}
}

bool bpa_crl_der_find(const uint8_t *crl,
		      size_t len,
		      const uint8_t *serial,
		      size_t serial_len,
		      struct bpa_crl_entry *e)
{
	struct bpa_der_tlv t, tbs;
	const uint8_t *p = NULL;
	size_t l;

	memset(e, 0, sizeof(*e));
	strip(&serial, &serial_len);
	/* CertificateList ::= SEQUENCE { tbsCertList, ... } */
	if (!bpa_der_read(crl, len, &t) || t.tag != TAG_SEQ) {
		return false;
	}
	p = t.content.p;
	l = t.content.len;
	if (!next(&p, &l, &tbs) || tbs.tag != TAG_SEQ) {
		return false;
	}
	p = tbs.content.p;
	l = tbs.content.len;
	/* version OPTIONAL, signature, issuer, thisUpdate */
	if (!next(&p, &l, &t)) {
		return false;
	}
	if (t.tag == TAG_INTEGER && !next(&p, &l, &t)) {
		return false;
	}
	if (t.tag != TAG_SEQ || !next(&p, &l, &t) || t.tag != TAG_SEQ ||
	    !next(&p, &l, &t) ||
	    (t.tag != TAG_UTCTIME && t.tag != TAG_GENTIME)) {
		return false;
	}
	/* nextUpdate OPTIONAL, revokedCertificates OPTIONAL */
	if (l == 0) {
		return true;
	}
	if (!next(&p, &l, &t)) {
		return false;
	}
	if ((t.tag == TAG_UTCTIME || t.tag == TAG_GENTIME)) {
		if (l == 0) {
			return true;
		}
		if (!next(&p, &l, &t)) {
			return false;
		}
	}
	if (t.tag == TAG_CTX0) {
		return true;	/* only crlExtensions: nobody revoked */
	}
	if (t.tag != TAG_SEQ) {
		return false;
	}
	p = t.content.p;
	l = t.content.len;
	while (l > 0) {
		struct bpa_der_tlv ent, sn, when, exts;
		const uint8_t *q = NULL;
		size_t ql;

		if (!next(&p, &l, &ent) || ent.tag != TAG_SEQ) {
			return false;
		}
		q = ent.content.p;
		ql = ent.content.len;
		if (!next(&q, &ql, &sn) || sn.tag != TAG_INTEGER ||
		    !next(&q, &ql, &when) ||
		    (when.tag != TAG_UTCTIME && when.tag != TAG_GENTIME)) {
			return false;
		}
		strip(&sn.content.p, &sn.content.len);
		if (sn.content.len != serial_len ||
		    memcmp(sn.content.p, serial, serial_len) != 0) {
			continue;
		}
		e->found = true;
		if (ql == 0) {
			return true;
		}
		if (!next(&q, &ql, &exts) || exts.tag != TAG_SEQ || ql != 0) {
			return false;
		}
		return entry_reason(exts.content.p, exts.content.len, e);
	}
	return true;
}
