/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz harness: the strict DER outline reader (source/blob/cert_der.h)
 * and the certificate properties computed from its spans.
 *
 * Invariants: an element read is a prefix of the input whose header is
 * the minimal DER header of its contents; a parsed certificate is the
 * whole input and every span lies inside it (the TBSCertificate fields
 * inside the TBSCertificate); the extension and EKU lookups stay inside
 * too; computing the blob properties from a certificate that parsed never
 * says the DER is bad except for a malformed extension, and leaves
 * nothing allocated.  The RSA key walk of the TLS hook and the CLI
 * (bpa_cert_check_rsa_key(), issue 9) answers only known reasons, and
 * DER for what does not parse as a certificate.
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include "fuzz_common.h"
#include "blob/cert_der.h"
#include "blob/cert_blob.h"
#include "validate/cert_validate.h"

static bool inside(const struct bpa_der_span *outer,
		   const struct bpa_der_span *s)
{
	if (s->len == 0) {
		return true;
	}
	return s->p != NULL && s->p >= outer->p &&
	       s->p <= outer->p + outer->len &&
	       s->len <= (size_t)(outer->p + outer->len - s->p);
}

static size_t der_header_len(size_t content_len)
{
	size_t n = 2;

	if (content_len < 0x80) {
		return n;
	}
	while (content_len > 0) {
		n++;
		content_len >>= 8;
	}
	return n;
}

static void check_read(const uint8_t *data, size_t size)
{
	struct bpa_der_tlv t;
	bool ok;

	ok = bpa_der_read(data, size, &t);
	if (!ok) {
		return;
	}
	FUZZ_CHECK(size >= 2 && t.tag == data[0] && (t.tag & 0x1f) != 0x1f,
		   "tag");
	FUZZ_CHECK(t.whole.p == data && t.whole.len <= size, "whole");
	FUZZ_CHECK(t.content.p + t.content.len == t.whole.p + t.whole.len,
		   "contents do not end the element");
	FUZZ_CHECK(t.whole.len - t.content.len ==
		   der_header_len(t.content.len), "header not minimal");
}

static void check_ext(const struct bpa_der_cert *c,
		      const uint8_t *oid,
		      size_t oid_len,
		      bool is_eku)
{
	struct bpa_der_span v = { .p = NULL };
	bool ok;
	bool has = false;

	ok = bpa_der_cert_find_ext(c, oid, oid_len, &v);
	if (!ok || v.len == 0) {
		return;
	}
	FUZZ_CHECK(inside(&c->extensions, &v), "extension value outside");
	if (is_eku) {
		(void)bpa_der_eku_has(v.p, v.len, bpa_oid_client_auth,
				      sizeof(bpa_oid_client_auth), &has);
	}
}

static void check_compute(const uint8_t *data, size_t size)
{
	static const uint32_t ids[] = {
		BPA_PROP_SHA1_HASH, BPA_PROP_MD5_HASH,
		BPA_PROP_SIGNATURE_HASH, BPA_PROP_KEY_IDENTIFIER,
		BPA_PROP_SUBJECT_PUBLIC_KEY_MD5_HASH,
		BPA_PROP_ISSUER_PUBLIC_KEY_MD5_HASH,
		BPA_PROP_SUBJECT_NAME_MD5_HASH,
		BPA_PROP_ISSUER_SERIAL_NUMBER_MD5_HASH,
		BPA_PROP_ENHKEY_USAGE,
	};
	DATA_BLOB der = data_blob_const(data, size);
	TALLOC_CTX *ctx = talloc_new(NULL);
	size_t i;

	FUZZ_CHECK(ctx != NULL, "talloc_new");
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		DATA_BLOB out = data_blob_null;
		enum bpa_blob_err err;

		err = bpa_blob_prop_compute(ctx, &der, ids[i], &out);
		FUZZ_CHECK(err == BPA_BLOB_OK ||
			   err == BPA_BLOB_ERR_NOT_COMPUTABLE ||
			   (err == BPA_BLOB_ERR_CERT_DER &&
			    (ids[i] == BPA_PROP_KEY_IDENTIFIER ||
			     ids[i] == BPA_PROP_ENHKEY_USAGE)),
			   "property of a parsed certificate not computed");
		if (err == BPA_BLOB_OK) {
			FUZZ_CHECK(out.length > 0 && out.data != NULL,
				   "empty property");
			data_blob_free(&out);
		}
	}
	fuzz_ctx_done(ctx);
}

static void check_cert(const uint8_t *data, size_t size)
{
	struct bpa_der_cert c;
	struct bpa_der_span all = { .p = data, .len = size };
	bool ok;

	ok = bpa_der_cert_parse(data, size, &c);
	if (!ok) {
		return;
	}
	FUZZ_CHECK(c.tbs.len > 0 && inside(&all, &c.tbs), "tbs");
	FUZZ_CHECK(inside(&c.tbs, &c.serial), "serial");
	FUZZ_CHECK(c.issuer.len > 0 && inside(&c.tbs, &c.issuer), "issuer");
	FUZZ_CHECK(c.subject.len > 0 && inside(&c.tbs, &c.subject),
		   "subject");
	FUZZ_CHECK(c.spki.len > 0 && inside(&c.tbs, &c.spki), "spki");
	FUZZ_CHECK(inside(&c.spki, &c.spk), "subjectPublicKey");
	FUZZ_CHECK(inside(&c.tbs, &c.extensions), "extensions");
	FUZZ_CHECK(c.sig_alg.len > 0 && inside(&all, &c.sig_alg) &&
		   c.sig_alg.p >= c.tbs.p + c.tbs.len, "signature algorithm");
	FUZZ_CHECK(inside(&all, &c.sig) && c.sig.p >= c.sig_alg.p +
		   c.sig_alg.len, "signature");
	check_ext(&c, bpa_oid_ext_key_usage, sizeof(bpa_oid_ext_key_usage),
		  true);
	check_ext(&c, bpa_oid_subject_key_id,
		  sizeof(bpa_oid_subject_key_id), false);
	check_compute(data, size);
}

static void check_rsa_key(const uint8_t *data, size_t size)
{
	struct bpa_der_cert c;
	uint32_t bits = 0;
	uint32_t r;
	bool parsed;

	r = bpa_cert_check_rsa_key(data, size, 2048, 16384, &bits);
	parsed = bpa_der_cert_parse(data, size, &c);
	FUZZ_CHECK((r & ~BPA_CERT_R_ALL) == 0, "rsa key reasons");
	FUZZ_CHECK(parsed || r == BPA_CERT_R_DER, "rsa key of no cert");
	FUZZ_CHECK(bits <= 8 * size, "rsa key bits");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool has = false;

	check_read(data, size);
	check_cert(data, size);
	check_rsa_key(data, size);
	(void)bpa_der_eku_has(data, size, bpa_oid_server_auth,
			      sizeof(bpa_oid_server_auth), &has);
	return 0;
}
