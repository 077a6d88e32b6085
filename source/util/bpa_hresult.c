/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Names of the project's HRESULTs, from their definitions (one entry per
 * code in bpa_hresult.h), and Samba's names for the rest.
 */
#include <stddef.h>
#include "util/bpa_hresult.h"

#define BPA_HRESULT_ENTRY(c) { .hr = c, .name = #c }

static const struct {
	HRESULT hr;
	const char *name;
} bpa_hresult_names[] = {
	BPA_HRESULT_ENTRY(BPA_E_PEERS_FOREIGN),
	BPA_HRESULT_ENTRY(BPA_E_PEERS_VERSION),
	BPA_HRESULT_ENTRY(BPA_E_PEERS_CORRUPT),
	BPA_HRESULT_ENTRY(BPA_E_PEER_NOT_FOUND),
	BPA_HRESULT_ENTRY(BPA_E_PEER_CERT_IN_USE),
	BPA_HRESULT_ENTRY(BPA_E_PEERS_NO_TABLE),
	BPA_HRESULT_ENTRY(BPA_E_PEERS_READ_ONLY),
	BPA_HRESULT_ENTRY(BPA_E_CLIENT_NO_SERVER_KEY),
	BPA_HRESULT_ENTRY(BPA_E_CLIENT_NO_SUCH_ACCOUNT),
	/* BITS's name, the one administrators search for */
	{ .hr = BPA_E_VALIDATOR_UNAVAILABLE,
	  .name = "BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED" },
};

const char *bpa_hresult_name(HRESULT hr)
{
	size_t i;

	if (HRES_IS_OK(hr)) {
		return "S_OK";
	}
	for (i = 0; i < sizeof(bpa_hresult_names) /
		    sizeof(bpa_hresult_names[0]); i++) {
		if (HRES_IS_EQUAL(hr, bpa_hresult_names[i].hr)) {
			return bpa_hresult_names[i].name;
		}
	}
	/*
	 * hresult_errstr() names every code Samba knows, but formats the
	 * others into a static buffer: ask hresult_errstr_const() (the
	 * same table, descriptions) whether Samba knows it first.
	 */
	if (hresult_errstr_const(hr) == NULL) {
		return NULL;
	}
	return hresult_errstr(hr);
}
