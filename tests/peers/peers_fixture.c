/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Test fixture for the bitspeerauth peers CLI test: writes a persistent
 * peer table through the API, with N peers holding real self-signed
 * certificates, and the files the CLI test checks against.
 *
 *   peers_fixture TABLE DIR N
 *
 * Peer i has SID S-1-5-21-1-2-3-(1000+i), subject CN=<SID>, address
 * 192.0.2.<i> (peer 0: a name with a quote, a backslash and a tab, for
 * the JSON escaping).  DIR gets known-<i>.pem, known-<i>.der,
 * unknown.pem (a certificate not in the table) and notacert.pem.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/sid_string.h"
#include "peers/peer_table.h"
#include "peer_test_util.h"

static bool write_pem(TALLOC_CTX *mem_ctx,
		      const char *path,
		      const DATA_BLOB *der)
{
	gnutls_datum_t in = { der->data, (unsigned int)der->length };
	gnutls_datum_t out = { NULL, 0 };
	int rc = gnutls_pem_base64_encode2("CERTIFICATE", &in, &out);
	bool ok = false;

	if (rc == 0) {
		ok = ptu_write_file(path, out.data, out.size) == 0;
		gnutls_free(out.data);
	}
	return ok;
}

int main(int argc, char **argv)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct bpa_peer_table_params params;
	struct bpa_peer_table *t = NULL;
	DATA_BLOB der;
	int n, i;
	int ret = 1;
	HRESULT hr;

	if (argc != 4 || mem_ctx == NULL) {
		fprintf(stderr, "usage: peers_fixture TABLE DIR N\n");
		return 2;
	}
	n = atoi(argv[3]);
	bpa_peer_table_params_init(&params);
	params.path = argv[1];
	params.persistent = true;
	hr = bpa_peer_table_open(mem_ctx, &params, &t);
	if (!HRES_IS_OK(hr)) {
		fprintf(stderr, "open: 0x%08x\n", HRES_ERROR_V(hr));
		goto done;
	}
	for (i = 0; i < n; i++) {
		struct bpa_peer p = { .inserted = 0 };
		char *sid = talloc_asprintf(mem_ctx, "S-1-5-21-1-2-3-%d",
					    1000 + i);
		char *path = NULL;

		if (sid == NULL || !bpa_sid_parse(sid, &p.sid) ||
		    ptu_selfsigned(mem_ctx, sid, &p.cert_der, NULL,
				   NULL) != 0) {
			goto done;
		}
		p.properties = data_blob_string_const("props");
		p.address = (i == 0) ? "peer \"zero\"\\\t.example" :
			talloc_asprintf(mem_ctx, "192.0.2.%d", i);
		hr = bpa_peer_table_add(t, &p, 1700000000 + i);
		if (!HRES_IS_OK(hr)) {
			fprintf(stderr, "add: 0x%08x\n", HRES_ERROR_V(hr));
			goto done;
		}
		path = talloc_asprintf(mem_ctx, "%s/known-%d.der", argv[2], i);
		if (path == NULL ||
		    ptu_write_file(path, p.cert_der.data,
				   p.cert_der.length) != 0) {
			goto done;
		}
		path = talloc_asprintf(mem_ctx, "%s/known-%d.pem", argv[2], i);
		if (path == NULL || !write_pem(mem_ctx, path, &p.cert_der)) {
			goto done;
		}
	}
	if (ptu_selfsigned(mem_ctx, "S-1-5-21-1-2-3-999", &der, NULL,
			   NULL) != 0 ||
	    !write_pem(mem_ctx, talloc_asprintf(mem_ctx, "%s/unknown.pem",
						argv[2]), &der)) {
		goto done;
	}
	/* issue 9: a stored certificate that has expired since (its own
	 * table: the main one's counts stay N) */
	{
		struct bpa_peer_table *e = NULL;
		struct bpa_peer p = { .inserted = 0 };
		time_t now = time(NULL);

		params.path = talloc_asprintf(mem_ctx, "%s/expired.tdb",
					      argv[2]);
		if (params.path == NULL ||
		    !bpa_sid_parse("S-1-5-21-1-2-3-998", &p.sid) ||
		    ptu_selfsigned_valid(mem_ctx, "S-1-5-21-1-2-3-998",
					 now - 30 * 86400, now - 86400,
					 &p.cert_der, NULL, NULL) != 0 ||
		    !write_pem(mem_ctx, talloc_asprintf(mem_ctx,
				"%s/expired.pem", argv[2]), &p.cert_der)) {
			goto done;
		}
		hr = bpa_peer_table_open(mem_ctx, &params, &e);
		if (HRES_IS_OK(hr)) {
			hr = bpa_peer_table_add(e, &p, now - 10 * 86400);
		}
		if (!HRES_IS_OK(hr)) {
			fprintf(stderr, "expired: 0x%08x\n",
				HRES_ERROR_V(hr));
			goto done;
		}
	}
	if (ptu_write_file(talloc_asprintf(mem_ctx, "%s/notacert.pem",
					   argv[2]),
			   "-----BEGIN CERTIFICATE-----\nAAAA\n"
			   "-----END CERTIFICATE-----\n", 62) != 0) {
		goto done;
	}
	ret = 0;
done:
	talloc_free(mem_ctx);
	return ret;
}
