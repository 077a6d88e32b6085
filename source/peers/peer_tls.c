/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * MS-BPAU 3.1.6.1 / 3.2.6.1 for a TLS endpoint: a GnuTLS verify callback
 * that accepts the peer's (self-signed) certificate exactly when it is a
 * known peer in the table.
 */
#include <stdint.h>
#include <stdbool.h>
#include <gnutls/gnutls.h>
#include "util/bpa_debug.h"
#include "util/sid_string.h"
#include "peers/peer_table.h"
#include "peers/peer_tls.h"

int bpa_peer_table_gnutls_verify(gnutls_session_t session)
{
	struct bpa_peer_table *t = gnutls_session_get_ptr(session);
	const gnutls_datum_t *certs = NULL;
	unsigned int n = 0;
	struct dom_sid sid;
	char buf[BPA_SID_STRING_MAX];
	DATA_BLOB der;
	gnutls_certificate_type_t type;
	bool known;

	if (t == NULL) {
		DBG_ERR("TLS verify: no peer table on the session\n");
		return GNUTLS_E_CERTIFICATE_ERROR;
	}
	type = gnutls_certificate_type_get(session);
	if (type != GNUTLS_CRT_X509) {
		DBG_NOTICE("TLS verify: peer certificate is not X.509\n");
		return GNUTLS_E_CERTIFICATE_ERROR;
	}
	certs = gnutls_certificate_get_peers(session, &n);
	if (certs == NULL || n == 0) {
		DBG_NOTICE("TLS verify: the peer sent no certificate\n");
		return GNUTLS_E_CERTIFICATE_ERROR;
	}
	der = data_blob_const(certs[0].data, certs[0].size);
	known = bpa_peer_table_known_cert(t, &der, &sid);
	if (!known) {
		DBG_NOTICE("TLS verify: certificate is not a known peer's: "
			   "rejected\n");
		return GNUTLS_E_CERTIFICATE_ERROR;
	}
	DBG_INFO("TLS verify: known peer %s\n", bpa_sid_format(&sid, buf));
	return 0;
}

int bpa_peer_table_gnutls_install(gnutls_session_t session,
				  struct bpa_peer_table *t)
{
	if (t == NULL) {
		return GNUTLS_E_INVALID_REQUEST;
	}
	gnutls_session_set_ptr(session, t);
	gnutls_session_set_verify_function(session,
					   bpa_peer_table_gnutls_verify);
	gnutls_certificate_server_set_request(session, GNUTLS_CERT_REQUIRE);
	return 0;
}
