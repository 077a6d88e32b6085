/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * MS-BPAU 3.2.4.1: the server's certificate, once decoded and
 * validated, belongs to the server's Kerberos identity or is refused;
 * then it joins the client's table of peer certificates (3.2.1.2).
 */
#include <stdint.h>
#include <stdbool.h>
#include "util/bpa_debug.h"
#include <talloc.h>
#include "util/sid_string.h"
#include "peers/peer_table.h"
#include "client/bpa_client.h"

_PUBLIC_ HRESULT bpa_client_store_server_cert(struct bpa_peer_table *table,
					      const struct dom_sid *server_sid,
					      const struct dom_sid *subject_sid,
					      const DATA_BLOB *cert_der,
					      const DATA_BLOB *properties,
					      time_t now)
{
	struct bpa_peer peer = { .address = NULL };
	char want[BPA_SID_STRING_MAX];
	char got[BPA_SID_STRING_MAX];
	bool same;
	HRESULT hr;

	if (table == NULL || server_sid == NULL || subject_sid == NULL ||
	    cert_der == NULL || cert_der->length == 0) {
		return HRES_E_INVALIDARG;
	}
	/* 3.2.4.1: the subject MUST be the server's Kerberos identity */
	same = bpa_sid_equal(server_sid, subject_sid);
	if (!same) {
		DBG_WARNING("server certificate subject %s is not the "
			    "server account %s: refused\n",
			    bpa_sid_format(subject_sid, got),
			    bpa_sid_format(server_sid, want));
		return HRES_SEC_E_WRONG_PRINCIPAL;
	}

	peer.sid = *server_sid;
	peer.cert_der = *cert_der;
	if (properties != NULL) {
		peer.properties = *properties;
	}
	/* <6>, <7>: replace this server's row; a full table may evict */
	hr = bpa_peer_table_add(table, &peer, now);
	if (!HRES_IS_OK(hr)) {
		DBG_WARNING("server %s not added to the peer table: "
			    "0x%08" PRIx32 "\n",
			    bpa_sid_format(server_sid, want),
			    HRES_ERROR_V(hr));
		return hr;
	}
	DBG_NOTICE("server %s added to the peer table\n",
		   bpa_sid_format(server_sid, want));
	return BPA_S_OK;
}
