/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz harness: the peer table's record parsers (source/peers/
 * peer_record.h): the "sid/<SID>" value and the "BPA/TABLE" record.
 *
 * Invariants: every span of a decoded view lies inside the input; the
 * record format has a single encoding, so a decoded record copied to a
 * struct bpa_peer and pushed again gives back exactly the input bytes;
 * the meta record likewise; nothing is left on the iteration's context.
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include "fuzz_common.h"
#include "peers/peer_table.h"
#include "peers/peer_record.h"

static bool inside(const uint8_t *data,
		   size_t size,
		   const uint8_t *p,
		   size_t len)
{
	if (len == 0) {
		return true;
	}
	return p != NULL && p >= data && p <= data + size &&
	       len <= (size_t)(data + size - p);
}

static void check_record(const uint8_t *data, size_t size)
{
	struct bpa_peer_record_view v;
	struct bpa_peer *peer = NULL;
	struct dom_sid sid;
	TALLOC_CTX *ctx = NULL;
	DATA_BLOB again = data_blob_null;
	bool ok;

	ok = bpa_peer_record_view(data, size, &v);
	if (!ok) {
		return;
	}
	FUZZ_CHECK(v.version == BPA_PEER_TABLE_VERSION ||
		   v.version == BPA_PEER_TABLE_VERSION_1, "version");
	FUZZ_CHECK(inside(data, size, v.hash, 32), "hash outside");
	FUZZ_CHECK(v.cert_len > 0 && inside(data, size, v.cert, v.cert_len),
		   "certificate outside or empty");
	FUZZ_CHECK(inside(data, size, v.props, v.props_len),
		   "properties outside");
	FUZZ_CHECK(v.addr != NULL || v.addr_len == 0, "address length");
	FUZZ_CHECK(inside(data, size, v.addr, v.addr_len),
		   "address outside");
	FUZZ_CHECK(v.addr == NULL ||
		   memchr(v.addr, '\0', v.addr_len) == NULL, "NUL in address");

	ctx = talloc_new(NULL);
	FUZZ_CHECK(ctx != NULL, "talloc_new");
	ok = bpa_sid_parse("S-1-5-21-1-2-3-1000", &sid);
	FUZZ_CHECK(ok, "SID");
	peer = bpa_peer_record_to_peer(ctx, &v, &sid);
	FUZZ_CHECK(peer != NULL, "record to peer");
	FUZZ_CHECK(bpa_sid_equal(&peer->sid, &sid), "peer SID");
	again = bpa_peer_record_push(ctx, peer, v.hash, v.inserted,
				     v.last_exchange);
	FUZZ_CHECK(again.data != NULL, "push");
	if (v.version == BPA_PEER_TABLE_VERSION) {
		FUZZ_CHECK(again.length == size &&
			   memcmp(again.data, data, size) == 0,
			   "decoded record does not push to the same bytes");
	} else {
		/* version 1: migrated, never larger, and now current */
		struct bpa_peer_record_view w;

		FUZZ_CHECK(again.length <= size, "migrated row grew");
		FUZZ_CHECK(bpa_peer_record_view(again.data, again.length,
						&w), "migrated row decodes");
		FUZZ_CHECK(w.version == BPA_PEER_TABLE_VERSION &&
			   w.props_len <= v.props_len &&
			   w.cert_len == v.cert_len, "migrated row");
	}
	data_blob_free(&again);
	TALLOC_FREE(peer);
	fuzz_ctx_done(ctx);
}

static void check_meta(const uint8_t *data, size_t size)
{
	uint8_t buf[BPA_PEER_META_LEN];
	uint32_t version = 0xdeadbeef;
	uint32_t count = 0xdeadbeef;
	HRESULT h;

	h = bpa_peer_meta_pull(data, size, &version, &count);
	if (HRES_IS_OK(h)) {
		FUZZ_CHECK(size == BPA_PEER_META_LEN, "meta length");
		FUZZ_CHECK(version == BPA_PEER_TABLE_VERSION ||
			   version == BPA_PEER_TABLE_VERSION_1,
			   "meta version");
		bpa_peer_meta_push(buf, count);
		/* a version 1 record is written back as the current one */
		FUZZ_CHECK(memcmp(buf, data, 8) == 0 &&
			   memcmp(buf + 12, data + 12, 4) == 0,
			   "meta record does not push to the same bytes");
		FUZZ_CHECK(version != BPA_PEER_TABLE_VERSION ||
			   memcmp(buf, data, size) == 0,
			   "meta record does not push to the same bytes");
		return;
	}
	FUZZ_CHECK(HRES_IS_EQUAL(h, BPA_E_PEERS_FOREIGN) ||
		   HRES_IS_EQUAL(h, BPA_E_PEERS_VERSION), "meta error code");
	if (HRES_IS_EQUAL(h, BPA_E_PEERS_VERSION)) {
		FUZZ_CHECK(version != BPA_PEER_TABLE_VERSION,
			   "version error with the right version");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_record(data, size);
	check_meta(data, size);
	return 0;
}
