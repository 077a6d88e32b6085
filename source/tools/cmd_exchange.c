/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * "bitspeerauth exchange": one MS-BPAU 3.2 exchange from the command
 * line, through the client library (source/client/bpa_client.h).
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <inttypes.h>
#include <ctype.h>
#include <time.h>
#include <stdlib.h>
#include <popt.h>
#include "util/bpa_debug.h"
#include <talloc.h>
#include <tevent.h>
#include <param.h>
#include <credentials.h>
#include <util/data_blob.h>
#include <util/discard.h>
#include "util/bpa_hresult.h"
#include "util/sid_string.h"
#include "util/bpa_config.h"
#include "localcert/local_cert.h"
#include "client/bpa_client.h"
#include "tools/cmd_exchange.h"
#include "tools/cmd_exchange_private.h"
#include "tools/tool_output.h"
#include "tools/tool_popt.h"

static bool load_blob(TALLOC_CTX *mem_ctx,
		      const char *path,
		      DATA_BLOB *b)
{
	FILE *f = fopen(path, "rb");
	uint8_t buf[65537];
	size_t n;

	if (f == NULL) {
		fprintf(stderr, "%s: cannot open\n", path);
		return false;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (n == 0 || n > 65536) {
		fprintf(stderr, "%s: %zu bytes (1..65536 expected)\n", path,
			n);
		return false;
	}
	*b = data_blob_talloc(mem_ctx, buf, n);
	return b->data != NULL;
}

/* "netbios.dnsdomain" in lower case, for the certificate's SAN */
static char *dns_host_name(TALLOC_CTX *mem_ctx,
			   struct loadparm_context *lp_ctx)
{
	char *s = talloc_asprintf(mem_ctx, "%s.%s",
				  lpcfg_netbios_name(lp_ctx),
				  lpcfg_dnsdomain(lp_ctx));
	size_t i;

	for (i = 0; s != NULL && s[i] != '\0'; i++) {
		s[i] = tolower((unsigned char)s[i]);
	}
	return s;
}

/*
 * MS-BPAU 3.2.1.1: the local certificate (subject: our own account's
 * SID), loaded or created where smb.conf says, as a CERTIFICATE_BLOB;
 * or the bytes of --client-blob.
 */
static bool local_blob(TALLOC_CTX *mem_ctx,
		       const struct exchange_opts *o,
		       struct exchange_run *r,
		       DATA_BLOB *blob)
{
	struct bpa_local_cert_params p = { .cert_file = NULL };
	struct bpa_local_cert *lc = NULL;
	struct dom_sid own = { 0 };
	char buf[BPA_SID_STRING_MAX];
	char *account = NULL;
	char *dns_name = NULL;
	bool ok;
	HRESULT hr;

	if (o->client_blob != NULL) {
		return load_blob(mem_ctx, o->client_blob, blob);
	}
	account = exchange_own_account(mem_ctx, r->creds, r->lp_ctx);
	if (account == NULL) {
		return false;
	}
	ok = exchange_lookup_sid(mem_ctx, r, account, &own);
	if (!ok) {
		return false;
	}
	dns_name = dns_host_name(mem_ctx, r->lp_ctx);
	p.cert_file = o->client_cert != NULL ? o->client_cert :
		r->config->certificate_file;
	p.key_file = o->client_key != NULL ? o->client_key :
		r->config->key_file;
	p.sid = &own;
	p.dns_name = dns_name;
	p.key_bits = r->config->key_bits;
	p.lifetime_days = r->config->cert_lifetime_days;
	p.renew_days = r->config->cert_renew_days;
	/* smb.conf's files are the administrator's: used as they are */
	p.configured = o->client_cert == NULL && o->client_key == NULL &&
		       r->config->certificate_configured;
	p.now = time(NULL);
	hr = bpa_local_cert_load_or_create(mem_ctx, &p, &lc);
	if (!HRES_IS_OK(hr)) {
		bpa_tool_print_hresult(NULL, "local certificate", hr);
		return false;
	}
	printf("local certificate: %s %s (%s)\n", account,
	       bpa_sid_format(&own, buf),
	       lc->created ? "created" : "loaded");
	*blob = lc->blob;
	return true;
}

static int run_exchange(TALLOC_CTX *mem_ctx,
			const struct exchange_opts *o,
			struct bpa_client_timing *timing)
{
	struct exchange_run r = { .ev = NULL, .timing = timing };
	struct bpa_client_result *res = NULL;
	struct dom_sid server_sid = { 0 };
	char sid_buf[BPA_SID_STRING_MAX];
	const char *realm = NULL;
	char *account = NULL;
	DATA_BLOB local = data_blob_null;
	uint64_t t0;
	bool ok;
	int rc;
	HRESULT hr;

	r.ev = tevent_context_init(mem_ctx);
	r.lp_ctx = loadparm_init_global(false);
	if (r.ev == NULL || r.lp_ctx == NULL) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	if (o->configfile != NULL) {
		ok = lpcfg_load(r.lp_ctx, o->configfile);
	} else {
		ok = lpcfg_load_default(r.lp_ctx);
	}
	if (!ok) {
		fprintf(stderr, "cannot load %s\n",
			o->configfile != NULL ? o->configfile : "smb.conf");
		return 2;
	}
	bpa_debug_init();
	r.config = bpa_config_load(mem_ctx, r.lp_ctx);
	if (r.config == NULL) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}

	t0 = bpa_client_clock_ns();
	ok = exchange_make_creds(mem_ctx, o, r.lp_ctx, &r.creds);
	if (!ok) {
		return 2;
	}
	bpa_client_timing_add(r.timing, BPA_CLIENT_PHASE_KERBEROS, t0);
	/* a failure is the bind's to report, as without --timing */
	(void)bpa_client_kerberos(r.ev, r.lp_ctx, r.creds, r.timing);
	realm = exchange_pick_realm(o, r.creds, r.lp_ctx);
	ok = exchange_pick_authority(mem_ctx, o, &r, realm);
	if (!ok) {
		return 2;
	}
	if (o->server_account != NULL) {
		account = talloc_strdup(mem_ctx, o->server_account);
	} else {
		account = bpa_client_machine_account(mem_ctx,
						     o->target_hostname);
	}
	/* MS-BPAU 3.2.3: the server principal is its machine account */
	r.binding = bpa_client_binding_string_for(mem_ctx, o->server,
						  o->target_hostname, account,
						  realm, o->seal != 0);
	if (r.binding == NULL || account == NULL) {
		fprintf(stderr, "bad --server, --target-hostname or "
			"--server-account\n");
		return 2;
	}

	/* Whose certificate must come back (MS-BPAU 3.2.4.1) */
	if (o->server_sid != NULL) {
		ok = bpa_sid_parse(o->server_sid, &server_sid);
		if (!ok) {
			fprintf(stderr, "--server-sid %s: not a SID\n",
				o->server_sid);
			return 2;
		}
	}
	if (r.authority.kind == BPA_SID_AUTHORITY_NONE &&
	    (o->server_sid == NULL || o->client_blob == NULL)) {
		fprintf(stderr, "no authority for account SIDs: this host's "
			"winbindd does not answer; give a domain controller "
			"with --dc and --dc-hostname, or --server-sid and "
			"--client-blob (the server itself is never asked)\n");
		return 2;
	}
	if (o->server_sid == NULL) {
		ok = exchange_lookup_sid(mem_ctx, &r, account, &server_sid);
		if (!ok) {
			/* a DC out of reach is transient, too */
			return exchange_refused_exit(r.lookup_hr);
		}
	}
	printf("server account: %s %s (%s)\n", account,
	       bpa_sid_format(&server_sid, sid_buf),
	       o->server_sid != NULL ? "given" : r.authority_name);

	r.mark = bpa_client_clock_ns();
	ok = local_blob(mem_ctx, o, &r, &local);
	if (!ok) {
		return 1;
	}
	bpa_client_timing_add(r.timing, BPA_CLIENT_PHASE_LOCAL_CERT, r.mark);
	printf("binding: %s\n", r.binding);
	hr = bpa_client_exchange_timed(mem_ctx, r.ev, r.lp_ctx, r.creds,
				       r.binding, &local, &res, r.timing);
	if (!HRES_IS_OK(hr)) {
		bpa_tool_print_hresult(NULL, "ExchangePublicKeys", hr);
		return exchange_refused_exit(hr);
	}
	printf("auth: type %" PRIu32 " level %" PRIu32 "\n",
	       res->auth_type, res->auth_level);
	printf("server key: %zu bytes (port %u)\n", res->server_blob.length,
	       (unsigned)res->port);
	t0 = bpa_client_clock_ns();
	rc = exchange_accept_server_key(mem_ctx, o, &r, &server_sid, res);
	bpa_client_timing_add(r.timing, BPA_CLIENT_PHASE_STORE, t0);
	return rc;
}

/* --timing: one line, milliseconds per phase and in all (issue 15) */
static void print_timing(const struct bpa_client_timing *t,
			 uint64_t total_ns)
{
	int i;

	printf("timing:");
	for (i = 0; i < BPA_CLIENT_PHASE_COUNT; i++) {
		printf(" %s=%.3f", bpa_client_phase_name(i), t->ns[i] / 1e6);
	}
	printf(" total=%.3f ms\n", total_ns / 1e6);
}

/* popt malloc()s the strings of POPT_ARG_STRING options: ours to free */
static void free_opts(struct exchange_opts *o)
{
	const char **strings[] = {
		&o->server, &o->target_hostname, &o->realm, &o->keytab,
		&o->principal, &o->ccache, &o->user, &o->client_blob,
		&o->client_cert, &o->client_key, &o->server_sid,
		&o->server_account, &o->dc, &o->dc_hostname, &o->dc_account,
		&o->peer_table, &o->configfile,
	};
	size_t i;

	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		free(discard_const_p(char, *strings[i]));
		*strings[i] = NULL;
	}
}

int bpa_cmd_exchange(TALLOC_CTX *mem_ctx, int argc, const char **argv)
{
	struct exchange_opts o = { .server = NULL };
	struct bpa_client_timing timing = { .ns = { 0 } };
	uint64_t start = bpa_client_clock_ns();
	TALLOC_CTX *frame = NULL;
	poptContext pc = NULL;
	int ret;
	struct poptOption options[] = {
		POPT_AUTOHELP
		{ "server", 0, POPT_ARG_STRING, &o.server, 0,
		  "Server address or name", "HOST" },
		{ "target-hostname", 0, POPT_ARG_STRING, &o.target_hostname,
		  0, "The server's FQDN (Kerberos service; default: "
		  "--server if it is a name)", "FQDN" },
		{ "realm", 0, POPT_ARG_STRING, &o.realm, 0,
		  "Kerberos realm", "REALM" },
		{ "keytab", 'k', POPT_ARG_STRING, &o.keytab, 0,
		  "Keytab (default: no keytab, the machine account's "
		  "password from this host's secrets)", "KEYTAB" },
		{ "principal", 0, POPT_ARG_STRING, &o.principal, 0,
		  "Principal in the keytab (default: NETBIOS$@REALM)",
		  "PRINCIPAL" },
		{ "ccache", 0, POPT_ARG_STRING, &o.ccache, 0,
		  "Kerberos credential cache", "CCACHE" },
		{ "user", 'U', POPT_ARG_STRING, &o.user, 0,
		  "Account and password", "USER[@REALM]%PASS" },
		{ "seal", 0, POPT_ARG_NONE, &o.seal, 0,
		  "Privacy (seal) instead of integrity (sign)", NULL },
		{ "client-cert", 0, POPT_ARG_STRING, &o.client_cert, 0,
		  "Local certificate (PEM; created if missing; default: "
		  "bitspeerauth:certificate file)", "FILE" },
		{ "client-key", 0, POPT_ARG_STRING, &o.client_key, 0,
		  "Its private key (PEM, 0600; default: bitspeerauth:key "
		  "file)", "FILE" },
		{ "client-blob", 0, POPT_ARG_STRING, &o.client_blob, 0,
		  "Send these CERTIFICATE_BLOB bytes instead (tests)",
		  "FILE" },
		{ "server-sid", 0, POPT_ARG_STRING, &o.server_sid, 0,
		  "The server account's SID (default: asked of --dc, else "
		  "of this host's winbindd)", "SID" },
		{ "server-account", 0, POPT_ARG_STRING, &o.server_account, 0,
		  "The server's sAMAccountName (default: first 15 "
		  "characters of the FQDN's host label, and $)", "NAME$" },
		{ "dc", 0, POPT_ARG_STRING, &o.dc, 0,
		  "A domain controller to ask for account SIDs with SAMR "
		  "(default: this host's winbindd; never the server)",
		  "HOST" },
		{ "dc-hostname", 0, POPT_ARG_STRING, &o.dc_hostname, 0,
		  "The DC's FQDN: its account is the binding's principal "
		  "(default: --dc if it is a name)", "FQDN" },
		{ "dc-account", 0, POPT_ARG_STRING, &o.dc_account, 0,
		  "The DC's sAMAccountName (default: from --dc-hostname)",
		  "NAME$" },
		{ "peer-table", 0, POPT_ARG_STRING, &o.peer_table, 0,
		  "The client's peer table", "FILE" },
		{ "no-store", 0, POPT_ARG_NONE, &o.no_store, 0,
		  "Validate, do not add to the peer table", NULL },
		{ "timing", 0, POPT_ARG_NONE, &o.timing, 0,
		  "Print the time of each part of the exchange", NULL },
		{ "configfile", 's', POPT_ARG_STRING, &o.configfile, 0,
		  "smb.conf to use", "FILE" },
		POPT_TABLEEND
	};

	frame = talloc_new(mem_ctx);
	if (frame == NULL) {
		return 1;
	}
	pc = poptGetContext("bitspeerauth exchange", argc, argv, options, 0);
	if (!bpa_tool_options(pc, "bitspeerauth exchange")) {
		ret = 2;
		goto done;
	}
	if (o.server != NULL && o.target_hostname == NULL &&
	    !exchange_is_address(o.server)) {
		/* the name connected to names the Kerberos service */
		o.target_hostname = strdup(o.server);
	}
	if (o.server == NULL || o.target_hostname == NULL) {
		poptPrintUsage(pc, stderr, 0);
		ret = 2;
		goto done;
	}
	ret = run_exchange(frame, &o, o.timing != 0 ? &timing : NULL);
	if (o.timing != 0) {
		print_timing(&timing, bpa_client_clock_ns() - start);
	}
done:
	poptFreeContext(pc);
	free_opts(&o);
	TALLOC_FREE(frame);
	return ret;
}

