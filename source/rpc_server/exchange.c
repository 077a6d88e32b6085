/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MS-BPAU 3.1.4.1: what one ExchangePublicKeys does with a ClientKey */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include "util/bpa_debug.h"
#include "util/hresult_codes.h"
#include "util/sid_string.h"
#include "peers/peer_table.h"
#include "rpc_server/auth_check.h"
#include "rpc_server/server_state.h"
#include "rpc_server/exchange.h"

const char *bpa_exchange_verdict_name(enum bpa_exchange_verdict v)
{
	switch (v) {
	case BPA_EXCHANGE_SERVED:
		return "served";
	case BPA_EXCHANGE_ADDED:
		return "added";
	case BPA_EXCHANGE_REFUSED_CALLER:
		return "refused-caller";
	case BPA_EXCHANGE_BAD_BLOB:
		return "bad-blob";
	case BPA_EXCHANGE_INVALID_CERT:
		return "invalid-certificate";
	case BPA_EXCHANGE_WRONG_SUBJECT:
		return "wrong-subject";
	case BPA_EXCHANGE_TABLE_FULL:
		return "table-full";
	case BPA_EXCHANGE_ERROR:
		return "error";
	}
	return "unknown";
}

static void refuse(struct bpa_exchange_result *res,
		   enum bpa_exchange_verdict v, HRESULT hr, const char *why)
{
	res->verdict = v;
	res->hr = hr;
	res->reason = why;
	res->server_blob = data_blob_null;
}

void bpa_srv_exchange(TALLOC_CTX *mem_ctx, struct bpa_srv_state *state,
		      const struct bpa_srv_caller *caller,
		      const uint8_t *key, uint32_t key_len, time_t now,
		      struct bpa_exchange_result *res)
{
	res->client_key_length = key_len;
	res->subject[0] = '\0';
	res->server_blob = data_blob_null;
	/*
	 * Until source/blob, source/validate and source/localcert land:
	 * no server certificate to return, no client certificate decoded.
	 */
	refuse(res, BPA_EXCHANGE_ERROR, BPA_E_FAIL,
	       "certificate-layers-not-built");
}
