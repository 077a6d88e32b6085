/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * MS-BPAU 3.1.1.1: a new self-signed local certificate (subject CN =
 * the account SID, RSA, serverAuth and clientAuth), key first, both
 * written atomically (local_cert_private.h).
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <inttypes.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/crypto.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "util/sid_string.h"
#include "util/bpa_file.h"
#include "localcert/local_cert.h"
#include "localcert/local_cert_private.h"

HRESULT bpa_lc_create(struct bpa_local_cert *lc,
		      const struct bpa_local_cert_params *p)
{
	TALLOC_CTX *frame = talloc_new(lc);
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t key_pem = { NULL, 0 };
	gnutls_datum_t cert_pem = { NULL, 0 };
	HRESULT hres = HRES_E_FAIL;
	uint8_t serial[16];
	char *sid = NULL;
	time_t nb = p->now - 3600;
	time_t na = p->now + (time_t)p->lifetime_days * SECONDS_PER_DAY;
	bool exported = false;
	int ret, rc;

	if (frame == NULL) {
		return HRES_E_OUTOFMEMORY;
	}
	/* a failed load may have left state in the objects */
	bpa_lc_objects_release(lc->gt);
	rc = gnutls_x509_crt_init(&lc->gt->crt);
	if (rc >= 0) {
		rc = gnutls_x509_privkey_init(&lc->gt->key);
	}
	if (rc < 0) {
		DBG_ERR("gnutls init: %s\n", gnutls_strerror(rc));
		goto done;
	}
	crt = lc->gt->crt;
	sid = bpa_sid_string(frame, p->sid);
	if (sid == NULL) {
		hres = HRES_E_OUTOFMEMORY;
		goto done;
	}

	rc = gnutls_x509_privkey_generate(lc->gt->key, GNUTLS_PK_RSA,
					  p->key_bits, 0);
	if (rc < 0) {
		DBG_ERR("RSA %" PRIu32 " key generation: %s\n", p->key_bits,
			gnutls_strerror(rc));
		goto done;
	}
	rc = gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial));
	if (rc < 0) {
		DBG_ERR("gnutls_rnd: %s\n", gnutls_strerror(rc));
		goto done;
	}
	serial[0] = (serial[0] & 0x7f) | 0x01;	/* positive, 16 bytes */

	rc = gnutls_x509_crt_set_version(crt, 3);
	if (rc >= 0) {
		rc = gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
	}
	if (rc >= 0) {
		rc = gnutls_x509_crt_set_activation_time(crt, nb);
	}
	if (rc >= 0) {
		rc = gnutls_x509_crt_set_expiration_time(crt, na);
	}
	if (rc >= 0) {	/* subject CN = the SID string, MS-BPAU 3.1.4.1 */
		rc = gnutls_x509_crt_set_dn_by_oid(crt,
			GNUTLS_OID_X520_COMMON_NAME, 0, sid, strlen(sid));
	}
	if (rc >= 0 && p->dns_name != NULL && p->dns_name[0] != '\0') {
		rc = gnutls_x509_crt_set_subject_alt_name(crt,
			GNUTLS_SAN_DNSNAME, p->dns_name,
			(unsigned)strlen(p->dns_name), GNUTLS_FSAN_SET);
	}
	if (rc >= 0) {
		rc = gnutls_x509_crt_set_key_purpose_oid(crt,
			GNUTLS_KP_TLS_WWW_SERVER, 0);
	}
	if (rc >= 0) {
		rc = gnutls_x509_crt_set_key_purpose_oid(crt,
			GNUTLS_KP_TLS_WWW_CLIENT, 0);
	}
	if (rc >= 0) {
		rc = gnutls_x509_crt_set_key_usage(crt,
			GNUTLS_KEY_DIGITAL_SIGNATURE |
			GNUTLS_KEY_KEY_ENCIPHERMENT);
	}
	if (rc >= 0) {
		rc = gnutls_x509_crt_set_basic_constraints(crt, 0, -1);
	}
	if (rc >= 0) {
		rc = gnutls_x509_crt_set_key(crt, lc->gt->key);
	}
	if (rc >= 0) {
		rc = gnutls_x509_crt_sign2(crt, crt, lc->gt->key,
					   GNUTLS_DIG_SHA256, 0);
	}
	if (rc < 0) {
		DBG_ERR("building the certificate: %s\n", gnutls_strerror(rc));
		goto done;
	}

	rc = gnutls_x509_privkey_export2(lc->gt->key, GNUTLS_X509_FMT_PEM,
					 &key_pem);
	if (rc >= 0) {
		rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM,
					     &cert_pem);
	}
	if (rc < 0) {
		DBG_ERR("PEM export: %s\n", gnutls_strerror(rc));
		goto done;
	}
	/* the key first: a certificate never points at a missing key */
	ret = bpa_file_write_atomic(p->key_file, key_pem.data, key_pem.size,
				    0600);
	if (ret != 0) {
		DBG_ERR("cannot write %s: %s\n", p->key_file, strerror(ret));
		goto done;
	}
	ret = bpa_file_write_atomic(p->cert_file, cert_pem.data,
				    cert_pem.size, 0644);
	if (ret != 0) {
		DBG_ERR("cannot write %s: %s\n", p->cert_file,
			strerror(ret));
		goto done;
	}
	exported = bpa_lc_export_der(lc);
	if (!exported) {
		goto done;
	}
	/* hand out a parsed certificate, not the one under construction
	 * (GnuTLS does not return e.g. the SAN of the latter) */
	gnutls_x509_crt_deinit(lc->gt->crt);
	lc->gt->crt = NULL;
	rc = gnutls_x509_crt_init(&lc->gt->crt);
	if (rc >= 0) {
		gnutls_datum_t der = {
			.data = lc->cert_der.data,
			.size = (unsigned)lc->cert_der.length,
		};

		rc = gnutls_x509_crt_import(lc->gt->crt, &der,
					    GNUTLS_X509_FMT_DER);
	}
	if (rc < 0) {
		DBG_ERR("re-reading the certificate: %s\n",
			gnutls_strerror(rc));
		goto done;
	}
	lc->not_before = nb;
	lc->not_after = na;
	lc->created = true;
	DBG_NOTICE("created local certificate %s for %s (RSA %" PRIu32
		   ", %" PRIu32 " days)\n", p->cert_file, sid, p->key_bits,
		   p->lifetime_days);
	hres = BPA_S_OK;
done:
	if (key_pem.data != NULL) {
		gnutls_memset(key_pem.data, 0, key_pem.size);
		gnutls_free(key_pem.data);
	}
	gnutls_free(cert_pem.data);
	TALLOC_FREE(frame);
	return hres;
}
