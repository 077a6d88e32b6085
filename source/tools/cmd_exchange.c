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
#include <errno.h>
#include <unistd.h>
#include <spawn.h>
#include <sys/wait.h>
#include <arpa/inet.h>
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
#include "util/bpa_text.h"
#include "revocation/revocation.h"
#include "localcert/local_cert.h"
#include "validate/cert_validate.h"
#include "validator/validator.h"
#include "peers/peer_table.h"
#include "client/bpa_client.h"
#include "util/bpa_winbind.h"
#include "tools/cmd_exchange.h"
#include "tools/tool_output.h"
#include "tools/tool_popt.h"

/* libsamba-hostconfig (public), declared in no installed header */
const char *lpcfg_workgroup(struct loadparm_context *lp_ctx);

struct exchange_opts {
	const char *server;
	const char *target_hostname;
	const char *realm;
	const char *keytab;
	const char *principal;
	const char *ccache;
	const char *user;
	const char *client_blob;
	const char *client_cert;
	const char *client_key;
	const char *server_sid;
	const char *server_account;
	const char *dc;
	const char *dc_hostname;
	const char *dc_account;
	const char *peer_table;
	const char *configfile;
	int seal;
	int no_store;
	int timing;
};

/* The realm: --realm, else the credentials', else smb.conf's */
static const char *pick_realm(const struct exchange_opts *o,
			      struct cli_credentials *creds,
			      struct loadparm_context *lp_ctx)
{
	const char *r = o->realm;

	if (r == NULL || r[0] == '\0') {
		r = cli_credentials_get_realm(creds);
	}
	if (r == NULL || r[0] == '\0') {
		r = lpcfg_realm(lp_ctx);
	}
	if (r == NULL || r[0] == '\0') {
		return NULL;
	}
	return r;
}

/* A private credential cache file, removed when its owner is freed */
struct tmp_ccache {
	char *path;
};

static int tmp_ccache_destructor(struct tmp_ccache *c)
{
	if (c->path != NULL) {
		unlink(c->path);
	}
	return 0;
}

/*
 * Samba's cli_credentials does not kinit from a keytab (it wants a
 * password), so a keytab is turned into a private ccache with the
 * system's kinit (krb5-user), as a domain-joined host would, and that
 * ccache is used.  The file goes when @mem_ctx is freed.
 */
static char *kinit_from_keytab(TALLOC_CTX *mem_ctx, const char *keytab,
			       const char *principal)
{
	extern char **environ;
	struct tmp_ccache *c = NULL;
	const char *tmpdir = getenv("TMPDIR");
	char *cc_name = NULL;
	pid_t pid;
	int status = 0;
	int fd;
	int rc;
	char *argv[8];

	c = talloc_zero(mem_ctx, struct tmp_ccache);
	if (c == NULL) {
		return NULL;
	}
	c->path = talloc_asprintf(c, "%s/bpa-ccache-XXXXXX",
				  tmpdir != NULL ? tmpdir : "/tmp");
	if (c->path == NULL) {
		goto fail;
	}
	fd = mkstemp(c->path);
	if (fd == -1) {
		fprintf(stderr, "cannot create %s\n", c->path);
		TALLOC_FREE(c->path);
		goto fail;
	}
	close(fd);
	talloc_set_destructor(c, tmp_ccache_destructor);

	cc_name = talloc_asprintf(c, "FILE:%s", c->path);
	if (cc_name == NULL) {
		goto fail;
	}
	argv[0] = discard_const_p(char, "kinit");
	argv[1] = discard_const_p(char, "-k");
	argv[2] = discard_const_p(char, "-t");
	argv[3] = discard_const_p(char, keytab);
	argv[4] = discard_const_p(char, "-c");
	argv[5] = cc_name;
	argv[6] = discard_const_p(char, principal);
	argv[7] = NULL;
	rc = posix_spawnp(&pid, "kinit", NULL, NULL, argv, environ);
	if (rc != 0) {
		fprintf(stderr, "cannot run kinit: %s\n", strerror(rc));
		goto fail;
	}
	rc = waitpid(pid, &status, 0);
	if (rc != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "kinit -k -t %s %s failed\n", keytab,
			principal);
		goto fail;
	}
	return cc_name;
fail:
	TALLOC_FREE(c);
	return NULL;
}

/*
 * MS-BPAU 3.2.3: Kerberos only.  From a keytab (default principal: this
 * host's machine account), a credential cache, or a password.
 */
static bool make_creds(TALLOC_CTX *mem_ctx, const struct exchange_opts *o,
		       struct loadparm_context *lp_ctx,
		       struct cli_credentials **pcreds)
{
	struct cli_credentials *creds = cli_credentials_init(mem_ctx);
	const char *err = NULL;
	int ret;

	if (creds == NULL) {
		return false;
	}
	cli_credentials_set_conf(creds, lp_ctx);
	/* before the ccache: a realm set later would invalidate it */
	if (o->realm != NULL) {
		cli_credentials_set_realm(creds, o->realm, CRED_SPECIFIED);
	}
	if (o->user != NULL) {
		cli_credentials_parse_string(creds, o->user, CRED_SPECIFIED);
	} else if (o->ccache != NULL) {
		/* a file cache must be there (Kerberos reads it lazily) */
		const char *file = o->ccache;

		if (strncmp(file, "FILE:", 5) == 0) {
			file += 5;
		}
		if (file[0] == '/') {
			ret = access(file, R_OK);
			if (ret != 0) {
				fprintf(stderr, "ccache %s: %s\n", o->ccache,
					strerror(errno));
				return false;
			}
		}
		ret = cli_credentials_set_ccache(creds, lp_ctx, o->ccache,
						 CRED_SPECIFIED, &err);
		if (ret != 0) {
			fprintf(stderr, "ccache %s: %s\n", o->ccache,
				err != NULL ? err : "unusable");
			return false;
		}
	} else if (o->keytab == NULL) {
		/*
		 * No identity given: this host's machine account, with the
		 * password the join stored (secrets.tdb on a member,
		 * secrets.ldb on a DC), as Samba's own tools do with -P
		 */
		NTSTATUS status;

		status = cli_credentials_set_machine_account(creds, lp_ctx);
		if (!NT_STATUS_IS_OK(status)) {
			fprintf(stderr, "no machine account in %s's secrets "
				"(%s): give -k, --ccache or -U\n",
				lpcfg_netbios_name(lp_ctx), nt_errstr(status));
			return false;
		}
	} else {
		const char *keytab = o->keytab;
		char *principal = NULL;
		char *ccache = NULL;

		principal = talloc_strdup(mem_ctx, o->principal);
		if (principal == NULL) {
			principal = talloc_asprintf(mem_ctx, "%s$@%s",
				lpcfg_netbios_name(lp_ctx),
				lpcfg_realm(lp_ctx));
		}
		if (keytab == NULL || principal == NULL) {
			return false;
		}
		ccache = kinit_from_keytab(mem_ctx, keytab, principal);
		if (ccache == NULL) {
			return false;
		}
		ret = cli_credentials_set_ccache(creds, lp_ctx, ccache,
						 CRED_SPECIFIED, &err);
		if (ret != 0) {
			fprintf(stderr, "ccache from %s: %s\n", keytab,
				err != NULL ? err : "unusable");
			return false;
		}
	}
	cli_credentials_set_kerberos_state(creds, CRED_USE_KERBEROS_REQUIRED,
					   CRED_SPECIFIED);
	*pcreds = creds;
	return true;
}

static bool load_blob(TALLOC_CTX *mem_ctx, const char *path, DATA_BLOB *b)
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

/* The sAMAccountName of the credentials, else this host's "NETBIOS$" */
static char *own_account(TALLOC_CTX *mem_ctx, struct cli_credentials *creds,
			 struct loadparm_context *lp_ctx)
{
	const char *user = cli_credentials_get_username(creds);

	if (user != NULL && user[0] != '\0' && user[0] != '@') {
		return talloc_strndup(mem_ctx, user, strcspn(user, "@"));
	}
	return talloc_asprintf(mem_ctx, "%s$", lpcfg_netbios_name(lp_ctx));
}

struct exchange_run {
	struct tevent_context *ev;
	struct loadparm_context *lp_ctx;
	struct bpa_config *config;
	struct cli_credentials *creds;
	char *binding;		/* to the server */
	/* who answers for account SIDs: never the server (3.2.4.1) */
	struct bpa_sid_authority authority;
	const char *authority_name;	/* "winbind", "DC <fqdn>" */
	HRESULT lookup_hr;	/* why the last lookup_sid() failed */
	struct bpa_client_timing *timing; /* --timing, else NULL */
	uint64_t mark;		/* the end of the last lookup_sid() */
};

/* An account's SID from the authority; prints why not */
static bool lookup_sid(TALLOC_CTX *mem_ctx, struct exchange_run *r,
		       const char *account, struct dom_sid *sid)
{
	uint64_t t0 = bpa_client_clock_ns();
	HRESULT hr;

	hr = bpa_client_authority_sid(mem_ctx, r->ev, r->lp_ctx, r->creds,
				      &r->authority, account, sid);
	r->mark = bpa_client_timing_add(r->timing, BPA_CLIENT_PHASE_LOOKUP,
					t0);
	if (!HRES_IS_OK(hr)) {
		fprintf(stderr, "looking up %s: ", account);
		bpa_tool_print_hresult(NULL, r->authority_name, hr);
		r->lookup_hr = hr;
		return false;
	}
	return true;
}

/* An IPv4 or IPv6 address rather than a host name */
static bool is_address(const char *s)
{
	struct in6_addr a6;
	struct in_addr a4;

	return inet_pton(AF_INET, s, &a4) == 1 ||
	       inet_pton(AF_INET6, s, &a6) == 1;
}

/*
 * MS-BPAU 3.2.4.1 (issue 9): --dc names a DC, asked over a binding that
 * only the DC's own account can complete; else this host's winbindd.
 * Never the server under test.  Prints why there is none.
 */
static bool pick_authority(TALLOC_CTX *mem_ctx,
			   const struct exchange_opts *o,
			   struct exchange_run *r, const char *realm)
{
	struct bpa_sid_authority *a = &r->authority;
	char *binding = NULL;

	if (o->dc == NULL) {
		if (!bpa_winbind_available()) {
			a->kind = BPA_SID_AUTHORITY_NONE;
			r->authority_name = "none";
			return true;
		}
		a->kind = BPA_SID_AUTHORITY_WINBIND;
		a->domain = lpcfg_workgroup(r->lp_ctx);
		r->authority_name = "winbind";
		return true;
	}
	a->kind = BPA_SID_AUTHORITY_DC;
	a->dc_host = o->dc;
	a->dc_hostname = o->dc_hostname;
	if (a->dc_hostname == NULL && !is_address(o->dc)) {
		a->dc_hostname = o->dc;
	}
	a->dc_account = o->dc_account;
	a->realm = realm;
	if (a->dc_hostname == NULL) {
		fprintf(stderr, "--dc %s is an address: give the DC's FQDN "
			"with --dc-hostname\n", o->dc);
		return false;
	}
	binding = bpa_client_authority_binding(mem_ctx, a);
	if (binding == NULL) {
		fprintf(stderr, "bad --dc, --dc-hostname or --dc-account, or "
			"no realm\n");
		return false;
	}
	r->authority_name = talloc_asprintf(mem_ctx, "DC %s",
					    a->dc_hostname);
	return r->authority_name != NULL;
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
static bool local_blob(TALLOC_CTX *mem_ctx, const struct exchange_opts *o,
		       struct exchange_run *r, DATA_BLOB *blob)
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
	account = own_account(mem_ctx, r->creds, r->lp_ctx);
	if (account == NULL) {
		return false;
	}
	ok = lookup_sid(mem_ctx, r, account, &own);
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

/* The client's own table of peer certificates (3.2.1.2), kept */
static bool open_table(TALLOC_CTX *mem_ctx, const struct exchange_opts *o,
		       struct exchange_run *r, struct bpa_peer_table **pt)
{
	struct bpa_peer_table_params p;
	HRESULT hr;

	bpa_peer_table_params_init(&p);
	p.path = o->peer_table != NULL ? o->peer_table :
		r->config->client_peer_table;
	p.max_peers = r->config->max_peers;
	p.evict_min_age = r->config->evict_min_age;
	/* a command-line client is short-lived: its table persists */
	p.persistent = true;
	hr = bpa_peer_table_open(mem_ctx, &p, pt);
	if (!HRES_IS_OK(hr)) {
		fprintf(stderr, "peer table %s: ", p.path);
		bpa_tool_print_hresult(NULL, "open", hr);
		return false;
	}
	return true;
}

/* Exit statuses (bitspeerauth(1)): a refusal is permanent, an
 * unavailable validator or the network transient (seed
 * bits-validate-server-certificate: retry later) */
#define EXCHANGE_EXIT_REFUSED	1
#define EXCHANGE_EXIT_TRANSIENT	3

static int refused_exit(HRESULT hr)
{
	if (bpa_client_hresult_is_transient(hr)) {
		printf("transient error: retry later\n");
		return EXCHANGE_EXIT_TRANSIENT;
	}
	return EXCHANGE_EXIT_REFUSED;
}

/* Which phase decided, as the seed's error context names it */
static void print_phase(const struct bpa_validation_result *vr)
{
	const char *name = bpa_hresult_name(vr->hres);

	if (vr->error_context == 0) {
		printf("validation: phase %s%s\n",
		       bpa_validation_phase_name(vr->phase),
		       vr->phase != BPA_PHASE_VALIDATOR ? "" :
		       vr->cached ? " (cached)" : " (asked)");
		return;
	}
	printf("validation: phase %s, error context %" PRIu32
	       " (BG_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK), 0x%08" PRIx32
	       " (%s)\n", bpa_validation_phase_name(vr->phase),
	       vr->error_context, HRES_ERROR_V(vr->hres),
	       name != NULL ? name : "?");
}

/* 3.2.4.1: decode, validate (server role), subject check, store */
static int accept_server_key(TALLOC_CTX *mem_ctx,
			     const struct exchange_opts *o,
			     struct exchange_run *r,
			     const struct dom_sid *server_sid,
			     const struct bpa_client_result *res)
{
	const DATA_BLOB *server_blob = &res->server_blob;
	struct bpa_validation_result *vr = NULL;
	struct bpa_validate_policy policy;
	struct bpa_client_accept a = { .server_sid = server_sid };
	struct bpa_cert_verdict *v = NULL;
	struct bpa_peer_table *table = NULL;
	char *text = NULL;
	bool ok;
	HRESULT hr;

	bpa_validate_policy_default(&policy);
	policy.min_rsa_bits = r->config->min_rsa_bits;
	policy.max_rsa_bits = r->config->max_rsa_bits;
	policy.allow_sha1_signatures = r->config->allow_sha1_signatures;
	policy.clock_skew = r->config->clock_skew;
	if (o->no_store == 0) {
		ok = open_table(mem_ctx, o, r, &table);
		if (!ok) {
			return 1;
		}
	}
	a.policy = &policy;
	a.table = table;
	a.now = time(NULL);
	a.revocation_mode = (int)r->config->revocation_check;
	hr = bpa_rev_stack_from_config(mem_ctx, r->config, &a.revocation);
	if (!HRES_IS_OK(hr)) {
		bpa_tool_print_hresult(NULL, "revocation configuration", hr);
		return 1;
	}
	/* seed ocsp-revocation-provider: CA-issued servers need "ca file" */
	policy.anchors = bpa_rev_stack_anchors(a.revocation);
	/* phase two: the validator of smb.conf; the endpoint as BITS
	 * names it, the server as given and the port connected to */
	hr = bpa_validation_ctx_from_config(mem_ctx, r->config, false,
					    &a.validator);
	if (!HRES_IS_OK(hr)) {
		bpa_tool_print_hresult(NULL, "validator configuration", hr);
		return 1;
	}
	a.endpoint = talloc_asprintf(mem_ctx, "%s:%u", o->server,
				     (unsigned)res->port);
	if (a.endpoint == NULL) {
		return 1;
	}
	a.pvalidation = &vr;
	hr = bpa_client_accept_server_blob(mem_ctx, server_blob, &a, &v);
	if (v != NULL) {
		char sid[BPA_SID_STRING_MAX] = "-";
		char until[BPA_TIME_STRING_MAX];

		text = bpa_cert_verdict_string(mem_ctx, v);
		if (v->has_sid) {
			bpa_sid_format(&v->subject_sid, sid);
		}
		bpa_time_format(v->not_after, until);
		printf("server certificate: %s (subject %s, RSA %" PRIu32
		       " bits, not after %s)\n", text != NULL ? text : "?",
		       sid, v->rsa_bits, until);
	}
	if (vr != NULL) {
		print_phase(vr);
	}
	if (!HRES_IS_OK(hr)) {
		bpa_tool_print_hresult(NULL, "server certificate refused", hr);
		return refused_exit(hr);
	}
	if (table == NULL) {
		printf("validated, not stored (--no-store)\n");
	} else {
		printf("added to the peer table %s\n",
		       o->peer_table != NULL ? o->peer_table :
		       r->config->client_peer_table);
	}
	return 0;
}

static int run_exchange(TALLOC_CTX *mem_ctx, const struct exchange_opts *o,
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
	ok = make_creds(mem_ctx, o, r.lp_ctx, &r.creds);
	if (!ok) {
		return 2;
	}
	bpa_client_timing_add(r.timing, BPA_CLIENT_PHASE_KERBEROS, t0);
	/* a failure is the bind's to report, as without --timing */
	(void)bpa_client_kerberos(r.ev, r.lp_ctx, r.creds, r.timing);
	realm = pick_realm(o, r.creds, r.lp_ctx);
	ok = pick_authority(mem_ctx, o, &r, realm);
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
		ok = lookup_sid(mem_ctx, &r, account, &server_sid);
		if (!ok) {
			/* a DC out of reach is transient, too */
			return refused_exit(r.lookup_hr);
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
		return refused_exit(hr);
	}
	printf("auth: type %" PRIu32 " level %" PRIu32 "\n",
	       res->auth_type, res->auth_level);
	printf("server key: %zu bytes (port %u)\n", res->server_blob.length,
	       (unsigned)res->port);
	t0 = bpa_client_clock_ns();
	rc = accept_server_key(mem_ctx, o, &r, &server_sid, res);
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
	    !is_address(o.server)) {
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
