/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * "bitspeerauth peers revoke | unrevoke | revoked": the administrator's
 * own revocation list (the revocation stack's "local" provider,
 * source/revocation/rev_local.h), next to the peer table.
 *
 *   peers revoke SID [--reason NAME]
 *       revokes the certificate SID has in the peer table now, then
 *       removes SID's row (so the peer must exchange again, with a new
 *       key: the revoked one is refused whoever presents it)
 *   peers revoke --cert FILE [--reason NAME]
 *       revokes that certificate (and removes a row that holds it)
 *   peers unrevoke SID | --cert FILE
 *   peers revoked [--json]
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <time.h>
#include <popt.h>
#include "util/bpa_debug.h"
#include <talloc.h>
#include "util/bpa_hresult.h"
#include "util/bpa_config.h"
#include "util/sid_string.h"
#include "util/bpa_text.h"
#include "util/bpa_crypto.h"
#include "ocsp/ocsp_client.h"
#include "revocation/rev_local.h"
#include "peers/peer_table.h"
#include "tools/cmd_peers.h"
#include "tools/cmd_revocation.h"
#include "tools/tool_input.h"
#include "tools/tool_output.h"
#include "tools/tool_popt.h"

static const char *const subcommands[] = { "revoke", "unrevoke", "revoked" };

/* Options of "peers" that take a value (skipped when looking for the
 * subcommand word) */
static bool takes_value(const char *a)
{
	static const char *const opts[] = {
		"-s", "--configfile", "--table", "-d", "--debuglevel",
		"--cert", "--reason", "--list",
	};
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		if (strcmp(a, opts[i]) == 0) {
			return true;
		}
	}
	return false;
}

bool bpa_cmd_peers_is_revoke(int argc, const char **argv)
{
	int i;
	size_t j;

	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-') {
			if (takes_value(argv[i])) {
				i++;
			}
			continue;
		}
		for (j = 0; j < sizeof(subcommands) / sizeof(subcommands[0]);
		     j++) {
			if (strcmp(argv[i], subcommands[j]) == 0) {
				return true;
			}
		}
		return false;
	}
	return false;
}

struct revoke_opts {
	char *configfile;
	char *table;
	char *list;
	char *cert;
	char *reason;
	int json;
	int debuglevel;
	struct bpa_config *cfg;
};

static const char *table_of(const struct revoke_opts *o)
{
	return o->table != NULL ? o->table : o->cfg->peer_table;
}

/* Open the peer table read-write, or NULL if it does not exist */
static struct bpa_peer_table *open_table(TALLOC_CTX *mem_ctx,
					 const struct revoke_opts *o,
					 HRESULT *phr)
{
	struct bpa_peer_table_params params;
	struct bpa_peer_table *t = NULL;

	bpa_peer_table_params_init(&params);
	params.path = table_of(o);
	params.max_peers = o->cfg->max_peers;
	params.evict_min_age = o->cfg->evict_min_age;
	params.attach = true;
	*phr = bpa_peer_table_open(mem_ctx, &params, &t);
	return t;
}

static int revoke_sid(TALLOC_CTX *mem_ctx,
		      const struct revoke_opts *o,
		      const char *arg,
		      uint32_t reason)
{
	struct bpa_peer_table *t = NULL;
	struct bpa_peer *peer = NULL;
	struct dom_sid sid;
	char canon[BPA_SID_STRING_MAX];
	uint8_t hash[32];
	char hex[65];
	HRESULT hr;

	if (!bpa_sid_parse(arg, &sid)) {
		fprintf(stderr, "bitspeerauth peers: \"%s\" is not a SID\n",
			arg);
		return BPA_PEERS_EXIT_USAGE;
	}
	bpa_sid_format(&sid, canon);
	t = open_table(mem_ctx, o, &hr);
	if (t == NULL) {
		bpa_tool_print_hresult(BPA_PEERS_WHO, table_of(o), hr);
		return BPA_PEERS_EXIT_ERROR;
	}
	hr = bpa_peer_table_get(mem_ctx, t, &sid, &peer);
	if (!HRES_IS_OK(hr)) {
		bpa_tool_print_hresult(BPA_PEERS_WHO, canon, hr);
		return HRES_IS_EQUAL(hr, BPA_E_PEER_NOT_FOUND) ?
			BPA_PEERS_EXIT_NO : BPA_PEERS_EXIT_ERROR;
	}
	/* listed first: if the removal fails, the key is still refused */
	hr = bpa_rev_local_add(o->list, &peer->cert_der, reason, canon,
			       time(NULL));
	if (!HRES_IS_OK(hr)) {
		bpa_tool_print_hresult(BPA_PEERS_WHO, o->list, hr);
		return BPA_PEERS_EXIT_ERROR;
	}
	hr = bpa_peer_table_remove(t, &sid);
	if (!HRES_IS_OK(hr)) {
		bpa_tool_print_hresult(BPA_PEERS_WHO, canon, hr);
		return BPA_PEERS_EXIT_ERROR;
	}
	bpa_rev_cert_hash(&peer->cert_der, hash);
	bpa_hex_lower(hash, sizeof(hash), hex);
	printf("revoked %s (certificate sha256 %s, %s); its row is "
	       "removed\n", canon, hex, bpa_crl_reason_name(reason));
	return BPA_PEERS_EXIT_OK;
}

static int revoke_cert(TALLOC_CTX *mem_ctx,
		       const struct revoke_opts *o,
		       uint32_t reason)
{
	struct bpa_peer_table *t = NULL;
	DATA_BLOB *certs = NULL;
	size_t n = 0;
	struct dom_sid sid;
	uint8_t hash[32];
	char hex[65];
	HRESULT hr;

	if (!bpa_tool_read_certs(mem_ctx, "bitspeerauth peers", o->cert,
				 &certs, &n)) {
		return BPA_PEERS_EXIT_ERROR;
	}
	hr = bpa_rev_local_add(o->list, &certs[0], reason, NULL, time(NULL));
	if (!HRES_IS_OK(hr)) {
		bpa_tool_print_hresult(BPA_PEERS_WHO, o->list, hr);
		return BPA_PEERS_EXIT_ERROR;
	}
	bpa_rev_cert_hash(&certs[0], hash);
	bpa_hex_lower(hash, sizeof(hash), hex);
	printf("revoked certificate sha256 %s (%s)\n", hex,
	       bpa_crl_reason_name(reason));
	/* a row that holds it goes too (when there is a table) */
	t = open_table(mem_ctx, o, &hr);
	if (t != NULL && bpa_peer_table_known_cert(t, &certs[0], &sid)) {
		char buf[BPA_SID_STRING_MAX];

		hr = bpa_peer_table_remove(t, &sid);
		if (!HRES_IS_OK(hr)) {
			bpa_tool_print_hresult(BPA_PEERS_WHO, "remove", hr);
			return BPA_PEERS_EXIT_ERROR;
		}
		printf("removed the row of %s\n", bpa_sid_format(&sid, buf));
	}
	return BPA_PEERS_EXIT_OK;
}

static int unrevoke(TALLOC_CTX *mem_ctx,
		    const struct revoke_opts *o,
		    const char *arg)
{
	HRESULT hr;

	if (o->cert != NULL) {
		DATA_BLOB *certs = NULL;
		size_t n = 0;
		uint8_t hash[32];

		if (!bpa_tool_read_certs(mem_ctx, "bitspeerauth peers",
					 o->cert, &certs, &n) ||
		    !bpa_rev_cert_hash(&certs[0], hash)) {
			return BPA_PEERS_EXIT_ERROR;
		}
		hr = bpa_rev_local_remove(o->list, hash);
		if (HRES_IS_OK(hr)) {
			printf("unrevoked %s\n", o->cert);
		}
	} else {
		struct dom_sid sid;
		char canon[BPA_SID_STRING_MAX];
		uint32_t removed = 0;

		if (!bpa_sid_parse(arg, &sid)) {
			fprintf(stderr, "bitspeerauth peers: \"%s\" is not a "
				"SID\n", arg);
			return BPA_PEERS_EXIT_USAGE;
		}
		bpa_sid_format(&sid, canon);
		hr = bpa_rev_local_remove_sid(o->list, canon, &removed);
		if (HRES_IS_OK(hr)) {
			printf("unrevoked %" PRIu32 " certificate(s) of %s\n",
			       removed, canon);
		}
	}
	if (HRES_IS_EQUAL(hr, HRES_CRYPT_E_NOT_FOUND)) {
		fprintf(stderr, "bitspeerauth peers: not revoked\n");
		return BPA_PEERS_EXIT_NO;
	}
	if (!HRES_IS_OK(hr)) {
		bpa_tool_print_hresult(BPA_PEERS_WHO, o->list, hr);
		return BPA_PEERS_EXIT_ERROR;
	}
	return BPA_PEERS_EXIT_OK;
}

static int list_revoked(TALLOC_CTX *mem_ctx, const struct revoke_opts *o)
{
	struct bpa_rev_entry *e = NULL;
	size_t n = 0, i;
	HRESULT hr;

	hr = bpa_rev_local_list(mem_ctx, o->list, &e, &n);
	if (!HRES_IS_OK(hr)) {
		bpa_tool_print_hresult(BPA_PEERS_WHO, o->list, hr);
		return BPA_PEERS_EXIT_ERROR;
	}
	if (o->json) {
		printf("[");
	}
	for (i = 0; i < n; i++) {
		char hex[65], when[BPA_TIME_STRING_MAX];
		const char *rn = bpa_crl_reason_name(e[i].reason);

		bpa_hex_lower(e[i].cert_hash, sizeof(e[i].cert_hash), hex);
		bpa_time_format(e[i].revoked_at, when);
		if (o->json) {
			printf("%s\n  {\"sid\": %s, \"sha256\": \"%s\", "
			       "\"reason\": \"%s\", \"revoked\": \"%s\"}",
			       i == 0 ? "" : ",",
			       bpa_tool_json_str(mem_ctx, e[i].sid), hex,
			       rn ? rn : "unspecified", when);
		} else {
			printf("%s  %s  %s  %s\n", e[i].sid[0] ? e[i].sid : "-",
			       hex, rn ? rn : "unspecified", when);
		}
	}
	if (o->json) {
		printf("%s]\n", n > 0 ? "\n" : "");
	}
	return BPA_PEERS_EXIT_OK;
}

int bpa_cmd_peers_revoke(TALLOC_CTX *mem_ctx, int argc, const char **argv)
{
	TALLOC_CTX *frame = talloc_new(mem_ctx);
	struct revoke_opts o = { .debuglevel = -1 };
	poptContext pc = NULL;
	const char **args = NULL;
	uint32_t reason = BPA_CRL_REASON_UNSPECIFIED;
	int nargs = 0;
	int ret = BPA_PEERS_EXIT_USAGE;
	struct poptOption options[] = {
		POPT_AUTOHELP
		{ "configfile", 's', POPT_ARG_STRING, &o.configfile, 0,
		  "smb.conf", "SMB.CONF" },
		{ "table", 0, POPT_ARG_STRING, &o.table, 0,
		  "The peer table file (overrides smb.conf)", "PATH" },
		{ "list", 0, POPT_ARG_STRING, &o.list, 0,
		  "The revocation list (overrides bitspeerauth:revocation "
		  "list)", "PATH" },
		{ "cert", 0, POPT_ARG_STRING, &o.cert, 0,
		  "revoke/unrevoke: this certificate (PEM or DER)", "FILE" },
		{ "reason", 0, POPT_ARG_STRING, &o.reason, 0,
		  "revoke: RFC 5280 reason (keyCompromise, cACompromise, "
		  "affiliationChanged, superseded, cessationOfOperation, "
		  "certificateHold, unspecified)", "NAME" },
		{ "json", 0, POPT_ARG_NONE, &o.json, 0,
		  "revoked: JSON output", NULL },
		{ "debuglevel", 'd', POPT_ARG_INT, &o.debuglevel, 0,
		  "Debug level", "LEVEL" },
		POPT_TABLEEND
	};
	const char *usage =
		"Usage: bitspeerauth peers revoke SID|--cert FILE "
		"[--reason NAME]\n"
		"       bitspeerauth peers unrevoke SID|--cert FILE\n"
		"       bitspeerauth peers revoked [--json]\n"
		"  [-s SMB.CONF] [--table PATH] [--list PATH] [-d LEVEL]\n";

	if (frame == NULL) {
		return BPA_PEERS_EXIT_ERROR;
	}
	if (!bpa_tool_parse(BPA_PEERS_WHO, argc, argv, options, &pc, &args)) {
		goto done;
	}
	if (args[0] == NULL) {
		fprintf(stderr, "%s", usage);
		goto done;
	}
	while (args[nargs + 1] != NULL) {
		nargs++;
	}
	if (o.reason != NULL &&
	    (strcmp(args[0], "revoke") != 0 ||
	     !bpa_crl_reason_from_name(o.reason, &reason) ||
	     reason > BPA_CRL_REASON_CERTIFICATE_HOLD)) {
		fprintf(stderr, "bitspeerauth peers: --reason %s: not one of "
			"keyCompromise, cACompromise, affiliationChanged, "
			"superseded, cessationOfOperation, certificateHold, "
			"unspecified\n", o.reason);
		goto done;
	}
	if (strcmp(args[0], "revoked") == 0) {
		if (nargs != 0 || o.cert != NULL) {
			fprintf(stderr, "%s", usage);
			goto done;
		}
	} else if ((o.cert == NULL) != (nargs == 1) || nargs > 1 || o.json) {
		fprintf(stderr, "%s", usage);
		goto done;
	}
	if (o.debuglevel >= 0) {
		debuglevel_set(o.debuglevel);
	}
	ret = BPA_PEERS_EXIT_ERROR;
	o.cfg = bpa_tool_load_config(frame, "bitspeerauth peers",
				     o.configfile);
	if (o.cfg == NULL) {
		goto done;
	}
	if (o.list == NULL) {
		o.list = strdup(o.cfg->revocation_list);
		if (o.list == NULL) {
			goto done;
		}
	}
	if (strcmp(args[0], "revoked") == 0) {
		ret = list_revoked(frame, &o);
	} else if (strcmp(args[0], "unrevoke") == 0) {
		ret = unrevoke(frame, &o, args[1]);
	} else if (o.cert != NULL) {
		ret = revoke_cert(frame, &o, reason);
	} else {
		ret = revoke_sid(frame, &o, args[1], reason);
	}
done:
	poptFreeContext(pc);
	free(o.configfile);
	free(o.table);
	free(o.list);
	free(o.cert);
	free(o.reason);
	TALLOC_FREE(frame);
	return ret;
}
