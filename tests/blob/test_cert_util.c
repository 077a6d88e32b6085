/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <cmocka.h>
#include "test_cert_util.h"

DATA_BLOB tcu_load_hex(TALLOC_CTX *mem_ctx, const char *name)
{
	const char *root = getenv("BPA_SOURCE_ROOT");
	char path[4096];
	char line[512];
	uint8_t *buf = talloc_size(mem_ctx, 70000);
	size_t n = 0;
	FILE *f = NULL;

	assert_non_null(root);
	assert_non_null(buf);
	snprintf(path, sizeof(path), "%s/tests/data/%s", root, name);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line;

		if (line[0] == '#' || line[0] == '\n') {
			continue;
		}
		p += 4;		/* the offset */
		assert_int_equal(strtoul(line, NULL, 16), n);
		for (;;) {
			unsigned v;

			while (*p == ' ') {
				p++;
			}
			if (!isxdigit((unsigned char)p[0])) {
				break;
			}
			assert_int_equal(sscanf(p, "%2x", &v), 1);
			buf[n++] = (uint8_t)v;
			p += 2;
		}
	}
	fclose(f);
	return data_blob_const(buf, n);
}

gnutls_x509_privkey_t tcu_key(gnutls_pk_algorithm_t alg, unsigned bits)
{
	gnutls_x509_privkey_t k = NULL;

	assert_int_equal(gnutls_x509_privkey_init(&k), 0);
	assert_int_equal(gnutls_x509_privkey_generate(k, alg, bits, 0), 0);
	return k;
}

static void crt_common(gnutls_x509_crt_t crt,
		       gnutls_x509_privkey_t key,
		       const char *cn,
		       const char *cn2,
		       const char *org,
		       time_t nb,
		       time_t na)
{
	uint8_t serial[16];

	assert_int_equal(gnutls_rnd(GNUTLS_RND_NONCE, serial,
				    sizeof(serial)), 0);
	serial[0] &= 0x7f;
	serial[0] |= 0x01;
	assert_int_equal(gnutls_x509_crt_set_version(crt, 3), 0);
	assert_int_equal(gnutls_x509_crt_set_serial(crt, serial,
						    sizeof(serial)), 0);
	assert_int_equal(gnutls_x509_crt_set_activation_time(crt, nb), 0);
	assert_int_equal(gnutls_x509_crt_set_expiration_time(crt, na), 0);
	if (cn != NULL) {
		assert_int_equal(gnutls_x509_crt_set_dn_by_oid(crt,
			GNUTLS_OID_X520_COMMON_NAME, 0, cn, strlen(cn)), 0);
	}
	if (cn2 != NULL) {
		assert_int_equal(gnutls_x509_crt_set_dn_by_oid(crt,
			GNUTLS_OID_X520_COMMON_NAME, 0, cn2, strlen(cn2)), 0);
	}
	if (org != NULL) {
		assert_int_equal(gnutls_x509_crt_set_dn_by_oid(crt,
			GNUTLS_OID_X520_ORGANIZATION_NAME, 0, org,
			strlen(org)), 0);
	}
	assert_int_equal(gnutls_x509_crt_set_key(crt, key), 0);
}

DATA_BLOB tcu_make_cert(TALLOC_CTX *mem_ctx, const struct tcu_cert_opts *o)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_x509_crt_t issuer = NULL;
	gnutls_digest_algorithm_t dig = o->dig ? o->dig : GNUTLS_DIG_SHA256;
	gnutls_datum_t out = { NULL, 0 };
	DATA_BLOB res;

	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	crt_common(crt, o->key, o->cn, o->cn2, o->org, o->not_before,
		   o->not_after);
	if (o->eku & TCU_EKU_SERVER) {
		assert_int_equal(gnutls_x509_crt_set_key_purpose_oid(crt,
			GNUTLS_KP_TLS_WWW_SERVER, 0), 0);
	}
	if (o->eku & TCU_EKU_CLIENT) {
		assert_int_equal(gnutls_x509_crt_set_key_purpose_oid(crt,
			GNUTLS_KP_TLS_WWW_CLIENT, 0), 0);
	}
	if (o->ski) {
		uint8_t id[20];
		size_t idlen = sizeof(id);

		assert_int_equal(gnutls_x509_crt_get_key_id(crt, 0, id,
							    &idlen), 0);
		id[0] ^= 0x5a;	/* differs from SHA-1(SPKI) on purpose */
		assert_int_equal(gnutls_x509_crt_set_subject_key_id(crt, id,
			idlen), 0);
	}
	if (o->issuer_key == NULL) {
		assert_int_equal(gnutls_x509_crt_sign2(crt, crt, o->key,
						       dig, 0), 0);
	} else if (o->issuer_der != NULL) {
		gnutls_datum_t d = {
			.data = o->issuer_der->data,
			.size = (unsigned)o->issuer_der->length,
		};

		assert_int_equal(gnutls_x509_crt_init(&issuer), 0);
		assert_int_equal(gnutls_x509_crt_import(issuer, &d,
			GNUTLS_X509_FMT_DER), 0);
		assert_int_equal(gnutls_x509_crt_sign2(crt, issuer,
			o->issuer_key, dig, 0), 0);
		gnutls_x509_crt_deinit(issuer);
	} else {
		assert_int_equal(gnutls_x509_crt_init(&issuer), 0);
		crt_common(issuer, o->issuer_key, "Test CA", NULL, NULL,
			   o->not_before, o->not_after);
		assert_int_equal(gnutls_x509_crt_sign2(issuer, issuer,
			o->issuer_key, GNUTLS_DIG_SHA256, 0), 0);
		assert_int_equal(gnutls_x509_crt_sign2(crt, issuer,
			o->issuer_key, dig, 0), 0);
		gnutls_x509_crt_deinit(issuer);
	}
	assert_int_equal(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER,
						 &out), 0);
	res = data_blob_talloc(mem_ctx, out.data, out.size);
	gnutls_free(out.data);
	gnutls_x509_crt_deinit(crt);
	return res;
}

DATA_BLOB tcu_make_ca(TALLOC_CTX *mem_ctx,
		      gnutls_x509_privkey_t key,
		      const char *cn,
		      time_t nb,
		      time_t na)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t out = { NULL, 0 };
	DATA_BLOB res;

	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	crt_common(crt, key, cn, NULL, NULL, nb, na);
	assert_int_equal(gnutls_x509_crt_set_basic_constraints(crt, 1, -1),
			 0);
	assert_int_equal(gnutls_x509_crt_set_key_usage(crt,
		GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN), 0);
	assert_int_equal(gnutls_x509_crt_sign2(crt, crt, key,
					       GNUTLS_DIG_SHA256, 0), 0);
	assert_int_equal(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER,
						 &out), 0);
	res = data_blob_talloc(mem_ctx, out.data, out.size);
	gnutls_free(out.data);
	gnutls_x509_crt_deinit(crt);
	return res;
}
