/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * MS-BPAU 3.1.6.1 / 3.2.6.1 for a TLS endpoint: a GnuTLS verify callback
 * that accepts the peer's (self-signed) certificate exactly when it is a
 * known peer in the table.  Kept apart from peer_table.h so that users of
 * the table need not include gnutls.h.
 */
#ifndef _BPA_PEER_TLS_H_
#define _BPA_PEER_TLS_H_

#include <gnutls/gnutls.h>

struct bpa_peer_table;

/**
 * GnuTLS: make @session accept its peer's certificate (self-signed or
 * not) exactly when it is a known peer of @t (MS-BPAU 3.1.6.1).
 *
 * Installs bpa_peer_table_gnutls_verify() with
 * gnutls_session_set_verify_function(), stores @t as the session's user
 * pointer (gnutls_session_set_ptr(): the caller must not use that
 * pointer for anything else), and, on a server, requires a client
 * certificate (gnutls_certificate_server_set_request(GNUTLS_CERT_REQUIRE)).
 * A resumed session, which GnuTLS does not verify again, is checked by a
 * handshake hook (gnutls_handshake_set_hook_function() on Finished, post:
 * the caller must not install a hook of its own on the session): the
 * peer's certificate must still be a known peer, or the handshake fails.
 * @t must outlive the session's handshake.
 * @return 0 or a GnuTLS error code.
 */
int bpa_peer_table_gnutls_install(gnutls_session_t session,
				  struct bpa_peer_table *t);

/**
 * The GnuTLS verify callback (gnutls_certificate_verify_function): the
 * session's user pointer must be the struct bpa_peer_table *.  Accepts
 * (returns 0) iff the peer sent an X.509 certificate whose first (leaf)
 * certificate has an RSA key within the table's bounds (or is not RSA:
 * phase one stores only RSA, and other key types cost GnuTLS a fixed
 * amount) and is a known peer of the table, valid now
 * (bpa_peer_table_key_ok(), bpa_peer_table_known_cert_at()); otherwise
 * returns
 * GNUTLS_E_CERTIFICATE_ERROR, which fails the handshake.
 */
int bpa_peer_table_gnutls_verify(gnutls_session_t session);

#endif /* _BPA_PEER_TLS_H_ */
