/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * MS-BPAU 3.1.6.1 with the revocation stack (seed
 * ocsp-revocation-provider): a revoked certificate is not a known peer,
 * whoever's row holds it.
 */
#include <stdbool.h>
#include <time.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "peers/peer_table.h"
#include "peers/peer_table_private.h"
#include "revocation/revocation.h"

void bpa_peer_table_set_revocation(struct bpa_peer_table *t,
				   struct bpa_rev_stack *s,
				   int mode)
{
	if (t == NULL) {
		return;
	}
	t->rev = (mode == BPA_REV_MODE_NO) ? NULL : s;
	t->rev_mode = mode;
}

bool bpa_peer_rev_refuses(struct bpa_peer_table *t,
			  const DATA_BLOB *cert_der)
{
	TALLOC_CTX *frame = NULL;
	struct bpa_rev_status st;
	bool accept = false;
	HRESULT hr;

	if (t->rev == NULL) {
		return false;
	}
	frame = talloc_new(NULL);
	if (frame == NULL) {
		return true;	/* fail closed */
	}
	hr = bpa_rev_check_cert(frame, t->rev, (enum bpa_rev_mode)t->rev_mode,
				cert_der, NULL, 0, time(NULL), &accept, &st);
	TALLOC_FREE(frame);
	if (!HRES_IS_OK(hr)) {
		return true;
	}
	if (!accept) {
		DBG_NOTICE("peer table %s: a known certificate is refused by "
			   "revocation (%s): not a known peer\n", t->path,
			   bpa_rev_error_name(st.error) ?: "?");
	}
	return !accept;
}
