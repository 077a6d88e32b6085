/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Test certificates and CERTIFICATE_BLOBs: see torture_cert.h */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <talloc.h>
#include <util/discard.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/crypto.h>
#include "torture/torture_cert.h"

/* MS-BPAU 2.2.2.1 */
#define PROP_SHA1_HASH		3
#define PROP_RESERVED		1
/*
 * MS-BPAU 2.2.2.2: the certificate's Reserved field.  The text says
 * 0x0000000010000020, the 4.2 sample (what Windows sends) carries the
 * bytes 20 00 00 00 01 00 00 00: an element with id 32 and Reserved 1,
 * framed like a property.  We send what the sample shows.
 */
#define CERT_RESERVED_LO	0x00000020
#define CERT_RESERVED_HI	0x00000001

struct gnutls_objs {
	gnutls_x509_privkey_t key;
	gnutls_x509_crt_t crt;
};

static int gnutls_objs_destructor(struct gnutls_objs *g)
{
	if (g->crt != NULL) {
		gnutls_x509_crt_deinit(g->crt);
	}
	if (g->key != NULL) {
		gnutls_x509_privkey_deinit(g->key);
	}
	return 0;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = (v >> 24) & 0xff;
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	       (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool make_cert(struct gnutls_objs *g,
		      const char *subject,
		      const struct bpa_torture_cert_opts *o,
		      gnutls_datum_t *der,
		      const char **err)
{
	uint8_t serial[16];
	time_t now = time(NULL);
	time_t not_before = o->expired ? now - 30 * 86400 : now - 300;
	time_t not_after = o->expired ? now - 86400 : now + 30 * 86400;
	int rc;

	rc = gnutls_x509_privkey_init(&g->key);
	if (rc == GNUTLS_E_SUCCESS) {
		rc = gnutls_x509_privkey_generate(g->key, GNUTLS_PK_RSA,
			o->rsa_bits != 0 ? o->rsa_bits : 2048, 0);
	}
	if (rc != GNUTLS_E_SUCCESS) {
		*err = "RSA key generation failed";
		return false;
	}
	rc = gnutls_x509_crt_init(&g->crt);
	if (rc != GNUTLS_E_SUCCESS) {
		*err = "gnutls_x509_crt_init failed";
		return false;
	}
	rc = gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial));
	serial[0] &= 0x7f;	/* a positive INTEGER */
	serial[0] |= 0x01;
	if (rc == GNUTLS_E_SUCCESS) {
		rc = gnutls_x509_crt_set_version(g->crt, 3);
	}
	if (rc == GNUTLS_E_SUCCESS) {
		rc = gnutls_x509_crt_set_serial(g->crt, serial,
						sizeof(serial));
	}
	if (rc == GNUTLS_E_SUCCESS) {
		rc = gnutls_x509_crt_set_activation_time(g->crt,
							 not_before);
	}
	if (rc == GNUTLS_E_SUCCESS) {
		rc = gnutls_x509_crt_set_expiration_time(g->crt, not_after);
	}
	if (rc == GNUTLS_E_SUCCESS) {
		rc = gnutls_x509_crt_set_dn_by_oid(g->crt,
			GNUTLS_OID_X520_COMMON_NAME, 0, subject,
			strlen(subject));
	}
	if (rc == GNUTLS_E_SUCCESS) {
		rc = gnutls_x509_crt_set_issuer_dn_by_oid(g->crt,
			GNUTLS_OID_X520_COMMON_NAME, 0, subject,
			strlen(subject));
	}
	if (rc == GNUTLS_E_SUCCESS) {
		rc = gnutls_x509_crt_set_key(g->crt, g->key);
	}
	if (rc == GNUTLS_E_SUCCESS && !o->client_auth_only) {
		rc = gnutls_x509_crt_set_key_purpose_oid(g->crt,
			GNUTLS_KP_TLS_WWW_SERVER, 0);
	}
	if (rc == GNUTLS_E_SUCCESS && !o->server_auth_only) {
		rc = gnutls_x509_crt_set_key_purpose_oid(g->crt,
			GNUTLS_KP_TLS_WWW_CLIENT, 0);
	}
	if (rc == GNUTLS_E_SUCCESS) {
		rc = gnutls_x509_crt_set_key_usage(g->crt,
			GNUTLS_KEY_DIGITAL_SIGNATURE |
			GNUTLS_KEY_KEY_ENCIPHERMENT);
	}
	if (rc == GNUTLS_E_SUCCESS) {
		rc = gnutls_x509_crt_sign2(g->crt, g->crt, g->key,
					   GNUTLS_DIG_SHA256, 0);
	}
	if (rc == GNUTLS_E_SUCCESS) {
		rc = gnutls_x509_crt_export2(g->crt, GNUTLS_X509_FMT_DER, der);
	}
	if (rc != GNUTLS_E_SUCCESS) {
		*err = gnutls_strerror(rc);
		return false;
	}
	return true;
}

bool bpa_torture_make_blob(TALLOC_CTX *mem_ctx,
			   const char *subject,
			   DATA_BLOB *blob,
			   const char **err)
{
	struct bpa_torture_cert_opts good = { .rsa_bits = 0 };

	return bpa_torture_make_blob_opts(mem_ctx, subject, &good, blob, err);
}

/* MS-BPAU 2.2.2: one SHA1_HASH property (2.2.2.1), then the
 * certificate encoding (2.2.2.2); @flip_sha1 spoils the property */
static bool frame_blob(TALLOC_CTX *mem_ctx,
		       const uint8_t *der,
		       size_t der_len,
		       bool flip_sha1,
		       DATA_BLOB *blob,
		       const char **err)
{
	uint8_t sha1[20];
	size_t len;
	uint8_t *p = NULL;
	int rc;

	if (der_len == 0 || der_len > UINT32_MAX - 64) {
		*err = "bad certificate length";
		return false;
	}
	rc = gnutls_hash_fast(GNUTLS_DIG_SHA1, der, der_len, sha1);
	if (rc != GNUTLS_E_SUCCESS) {
		*err = gnutls_strerror(rc);
		return false;
	}
	if (flip_sha1) {
		sha1[0] ^= 0xff;
	}
	/* property (12 + 20) then certificate encoding (12 + DER) */
	len = 12 + sizeof(sha1) + 12 + der_len;
	*blob = data_blob_talloc(mem_ctx, NULL, len);
	if (blob->data == NULL) {
		*err = "no memory";
		return false;
	}
	p = blob->data;
	put_le32(p, PROP_SHA1_HASH);
	put_le32(p + 4, PROP_RESERVED);
	put_le32(p + 8, sizeof(sha1));
	memcpy(p + 12, sha1, sizeof(sha1));
	p += 12 + sizeof(sha1);
	put_le32(p, CERT_RESERVED_LO);
	put_le32(p + 4, CERT_RESERVED_HI);
	put_le32(p + 8, (uint32_t)der_len);
	memcpy(p + 12, der, der_len);
	return true;
}

bool bpa_torture_make_blob_opts(TALLOC_CTX *mem_ctx,
				const char *subject,
				const struct bpa_torture_cert_opts *opts,
				DATA_BLOB *blob,
				const char **err)
{
	struct gnutls_objs *g = NULL;
	gnutls_datum_t der = { NULL, 0 };
	bool ok = false;

	g = talloc_zero(mem_ctx, struct gnutls_objs);
	if (g == NULL) {
		*err = "no memory";
		return false;
	}
	talloc_set_destructor(g, gnutls_objs_destructor);
	ok = make_cert(g, subject, opts, &der, err);
	if (!ok) {
		goto done;
	}
	ok = frame_blob(mem_ctx, der.data, der.size, opts->bad_sha1_property,
			blob, err);
done:
	gnutls_free(der.data);
	TALLOC_FREE(g);
	return ok;
}

bool bpa_torture_blob_of_der(TALLOC_CTX *mem_ctx,
			     const DATA_BLOB *der,
			     DATA_BLOB *blob,
			     const char **err)
{
	return frame_blob(mem_ctx, der->data, der->length, false, blob, err);
}

char *bpa_torture_blob_subject(TALLOC_CTX *mem_ctx,
			       const DATA_BLOB *blob,
			       const char **err)
{
	const uint8_t *p = blob->data;
	size_t left = blob->length;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t der;
	char cn[256];
	size_t cn_len = sizeof(cn) - 1;
	char *ret = NULL;
	int rc;

	/* properties until the certificate encoding's Reserved value */
	while (left >= 12) {
		uint32_t id = get_le32(p);
		uint32_t reserved = get_le32(p + 4);
		uint32_t len = get_le32(p + 8);

		if (id == CERT_RESERVED_LO && reserved == CERT_RESERVED_HI) {
			break;
		}
		if (reserved != PROP_RESERVED || len > left - 12) {
			*err = "malformed property";
			return NULL;
		}
		p += 12 + len;
		left -= 12 + len;
	}
	if (left < 12 || get_le32(p + 8) != left - 12) {
		*err = "no certificate encoding, or trailing data";
		return NULL;
	}
	der.data = discard_const_p(unsigned char, p + 12);
	der.size = left - 12;
	rc = gnutls_x509_crt_init(&crt);
	if (rc == GNUTLS_E_SUCCESS) {
		rc = gnutls_x509_crt_import(crt, &der, GNUTLS_X509_FMT_DER);
	}
	if (rc == GNUTLS_E_SUCCESS) {
		rc = gnutls_x509_crt_get_dn_by_oid(crt,
			GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &cn_len);
	}
	if (crt != NULL) {
		gnutls_x509_crt_deinit(crt);
	}
	if (rc != GNUTLS_E_SUCCESS) {
		*err = "certificate does not parse or has no CN";
		return NULL;
	}
	cn[cn_len] = '\0';
	ret = talloc_strdup(mem_ctx, cn);
	if (ret == NULL) {
		*err = "no memory";
	}
	return ret;
}
