/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * MS-BPAU 3.1.6.1 / 3.2.6.1 with the time: a certificate that has
 * expired since it was stored (or is not yet valid) is not a known peer
 * (issue 9), within the configured clock skew as in phase one.  And the
 * RSA bounds of phase one for the TLS hook, which uses the key of a
 * stored certificate for a signature check on every handshake.
 */
#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include "util/bpa_debug.h"
#include "util/bpa_crypto.h"
#include "validate/cert_validate.h"
#include "peers/peer_table.h"
#include "peers/peer_table_private.h"

void bpa_peer_table_set_cert_policy(struct bpa_peer_table *t,
				    uint32_t clock_skew,
				    uint32_t min_rsa_bits,
				    uint32_t max_rsa_bits)
{
	if (t == NULL) {
		return;
	}
	t->clock_skew = clock_skew;
	t->min_rsa_bits = min_rsa_bits;
	t->max_rsa_bits = max_rsa_bits;
}

/* Within [notBefore - skew, notAfter + skew] at @now */
static bool cert_valid_at(const DATA_BLOB *der, time_t now, uint32_t skew)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t d;
	time_t nb;
	time_t na;
	bool ok = false;
	int rc;

	if (frame == NULL) {
		return false;
	}
	rc = bpa_gnutls_x509_crt_init(frame, &crt);
	if (rc != GNUTLS_E_SUCCESS) {
		goto done;
	}
	d.data = der->data;
	d.size = der->length;
	rc = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER);
	if (rc != GNUTLS_E_SUCCESS) {
		DBG_NOTICE("known peer's certificate does not parse: %s\n",
			   gnutls_strerror(rc));
		goto done;
	}
	nb = gnutls_x509_crt_get_activation_time(crt);
	na = gnutls_x509_crt_get_expiration_time(crt);
	if (nb == (time_t)-1 || na == (time_t)-1) {
		goto done;
	}
	if (now + (time_t)skew < nb) {
		DBG_NOTICE("known peer's certificate is not yet valid\n");
		goto done;
	}
	if (now - (time_t)skew > na) {
		DBG_NOTICE("known peer's certificate has expired\n");
		goto done;
	}
	ok = true;
done:
	TALLOC_FREE(frame);
	return ok;
}

/* MS-BPAU 3.1.6.1, 3.2.6.1 */
bool bpa_peer_table_known_cert_at(struct bpa_peer_table *t,
				  const DATA_BLOB *cert_der,
				  time_t now,
				  struct dom_sid *psid)
{
	struct dom_sid sid;
	bool known;

	known = bpa_peer_table_known_cert(t, cert_der, &sid);
	if (!known) {
		return false;
	}
	known = cert_valid_at(cert_der, now, t->clock_skew);
	if (known && psid != NULL) {
		*psid = sid;
	}
	return known;
}

bool bpa_peer_table_key_ok(struct bpa_peer_table *t,
			   const DATA_BLOB *cert_der)
{
	uint32_t reasons;
	uint32_t bits = 0;

	if (t == NULL || cert_der == NULL || cert_der->data == NULL) {
		return false;
	}
	reasons = bpa_cert_check_rsa_key(cert_der->data, cert_der->length,
					 t->min_rsa_bits, t->max_rsa_bits,
					 &bits);
	/* not RSA: no exponent to bound (only RSA is ever stored) */
	if (reasons != 0 && reasons != BPA_CERT_R_NOT_RSA) {
		DBG_NOTICE("peer key refused (RSA %" PRIu32 " bits, reasons "
			   "0x%" PRIx32 ")\n", bits, reasons);
		return false;
	}
	return true;
}
