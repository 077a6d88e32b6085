/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * MS-BPAU 3.1.6.1 / 3.2.6.1 for a TLS endpoint: a GnuTLS verify callback
 * that accepts the peer's (self-signed) certificate exactly when it is a
 * known peer in the table, valid now, with a key within phase one's
 * bounds; and the same check on a resumed session, on which GnuTLS does
 * not call the verify callback (issue 9).
 */
#include <stdint.h>
#include <stdbool.h>
#include <time.h>
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
	/* phase one's key bounds before GnuTLS verifies with the key */
	known = bpa_peer_table_key_ok(t, &der);
	if (!known) {
		DBG_NOTICE("TLS verify: the peer's key is out of bounds: "
			   "rejected\n");
		return GNUTLS_E_CERTIFICATE_ERROR;
	}
	known = bpa_peer_table_known_cert_at(t, &der, time(NULL), &sid);
	if (!known) {
		DBG_NOTICE("TLS verify: certificate is not a known peer's: "
			   "rejected\n");
		return GNUTLS_E_CERTIFICATE_ERROR;
	}
	DBG_INFO("TLS verify: known peer %s\n", bpa_sid_format(&sid, buf));
	return 0;
}

/*
 * A resumed session (TLS 1.2 session ID or ticket, TLS 1.3 PSK) skips
 * the verify callback: the peer's certificate from the first handshake
 * is checked again here, after the Finished messages, so that a peer
 * removed, evicted, replaced, revoked or expired since then fails the
 * handshake instead of living on for the ticket's lifetime.
 */
static int resumed_check(gnutls_session_t session,
			 unsigned int htype,
			 unsigned int when,
			 unsigned int incoming,
			 const gnutls_datum_t *msg)
{
	unsigned resumed = gnutls_session_is_resumed(session);

	if (!resumed) {
		return 0;
	}
	DBG_DEBUG("TLS: resumed session, checking the peer again\n");
	return bpa_peer_table_gnutls_verify(session);
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
	gnutls_handshake_set_hook_function(session, GNUTLS_HANDSHAKE_FINISHED,
					   GNUTLS_HOOK_POST, resumed_check);
	return 0;
}
