/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * "bitspeerauth peers": the table of peer certificates from the command
 * line (MS-BPAU 3.1.1.2, 3.1.6.1).  It attaches to the table the server
 * uses (never creating or clearing it) through source/peers.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <time.h>
#include <sys/stat.h>
#include <popt.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include "util/bpa_debug.h"
#include <talloc.h>
#include <param.h>
#include "util/bpa_hresult.h"
#include "util/sid_string.h"
#include "util/bpa_config.h"
#include "util/bpa_crypto.h"
#include "util/bpa_text.h"
#include "peers/peer_table.h"
#include "revocation/revocation.h"
#include "tools/cmd_peers.h"
#include "tools/cmd_revocation.h"
#include "tools/tool_input.h"
#include "tools/tool_output.h"
#include "tools/tool_popt.h"

/* Options every peers subcommand takes */
struct peers_opts {
	char *configfile;	/* popt's strdup: freed by bpa_cmd_peers() */
	char *table;
	int debuglevel;
	int json;
};

/* What a subcommand works on */
struct peers_ctx {
	TALLOC_CTX *mem_ctx;
	struct bpa_peer_table *t;	/* opened as the subcommand asks */
	const struct peers_opts *o;
};

struct peers_subcommand {
	const char *name;
	const char *args;	/* positional arguments, for usage */
	int nargs;
	bool write;		/* opens the table read-write */
	bool json;		/* takes --json */
	int (*fn)(const struct peers_ctx *c, const char *arg);
};

static int hr_exit(HRESULT hr)
{
	if (HRES_IS_EQUAL(hr, BPA_E_PEER_NOT_FOUND)) {
		return BPA_PEERS_EXIT_NO;
	}
	return BPA_PEERS_EXIT_ERROR;
}

/* Collect copies of every row, sorted by SID string */
struct peer_list {
	TALLOC_CTX *mem_ctx;
	struct bpa_peer **peers;
	size_t n;
	bool nomem;
};

static struct bpa_peer *peer_dup(TALLOC_CTX *mem_ctx,
				 const struct bpa_peer *p)
{
	struct bpa_peer *c = talloc_zero(mem_ctx, struct bpa_peer);

	if (c == NULL) {
		return NULL;
	}
	*c = *p;
	c->cert_der = data_blob_talloc(c, p->cert_der.data,
				       p->cert_der.length);
	c->properties = data_blob_null;
	if (p->properties.length > 0) {
		c->properties = data_blob_talloc(c, p->properties.data,
						 p->properties.length);
	}
	c->address = NULL;
	if (p->address != NULL) {
		c->address = talloc_strdup(c, p->address);
	}
	if (c->cert_der.data == NULL ||
	    (p->properties.length > 0 && c->properties.data == NULL) ||
	    (p->address != NULL && c->address == NULL)) {
		TALLOC_FREE(c);
	}
	return c;
}

static int collect_fn(const struct bpa_peer *peer, void *private_data)
{
	struct peer_list *l = private_data;
	struct bpa_peer *c = NULL;

	l->peers = talloc_realloc(l->mem_ctx, l->peers, struct bpa_peer *,
				  l->n + 1);
	if (l->peers == NULL) {
		l->nomem = true;
		return 1;
	}
	c = peer_dup(l->peers, peer);
	if (c == NULL) {
		l->nomem = true;
		return 1;
	}
	l->peers[l->n++] = c;
	return 0;
}

static int cmp_peer(const void *a, const void *b)
{
	const struct bpa_peer *pa = *(struct bpa_peer * const *)a;
	const struct bpa_peer *pb = *(struct bpa_peer * const *)b;
	char sa[BPA_SID_STRING_MAX], sb[BPA_SID_STRING_MAX];

	bpa_sid_format(&pa->sid, sa);
	bpa_sid_format(&pb->sid, sb);
	return strcmp(sa, sb);
}

static HRESULT collect(TALLOC_CTX *mem_ctx,
		       struct bpa_peer_table *t,
		       struct peer_list *l)
{
	HRESULT hr;

	*l = (struct peer_list) { .mem_ctx = mem_ctx };
	hr = bpa_peer_table_traverse(t, collect_fn, l, NULL);
	if (HRES_IS_OK(hr) && l->nomem) {
		hr = HRES_E_OUTOFMEMORY;
	}
	if (HRES_IS_OK(hr) && l->n > 1) {
		qsort(l->peers, l->n, sizeof(l->peers[0]), cmp_peer);
	}
	return hr;
}

static int list_json(TALLOC_CTX *mem_ctx,
		     struct bpa_peer_table *t,
		     const struct peer_list *l)
{
	size_t i;

	printf("{\n  \"count\": %zu,\n  \"max_peers\": %" PRIu32 ",\n"
	       "  \"peers\": [", l->n, bpa_peer_table_max_peers(t));
	for (i = 0; i < l->n; i++) {
		const struct bpa_peer *p = l->peers[i];
		char sid[BPA_SID_STRING_MAX];
		char hex[65];
		char ins[BPA_TIME_STRING_MAX], last[BPA_TIME_STRING_MAX];
		TALLOC_CTX *row = talloc_new(mem_ctx);
		const char *addr = NULL;

		bpa_sid_format(&p->sid, sid);
		bpa_hex_lower(p->cert_hash, sizeof(p->cert_hash), hex);
		bpa_time_format(p->inserted, ins);
		bpa_time_format(p->last_exchange, last);
		addr = row != NULL ? bpa_tool_json_or_null(row, p->address)
				   : NULL;
		if (addr == NULL) {
			fprintf(stderr, "out of memory\n");
			return BPA_PEERS_EXIT_ERROR;
		}
		printf("%s\n    {\"sid\": \"%s\", \"cert_sha256\": \"%s\", "
		       "\"inserted\": \"%s\", \"inserted_epoch\": %lld, "
		       "\"last_exchange\": \"%s\", "
		       "\"last_exchange_epoch\": %lld, \"address\": %s, "
		       "\"cert_length\": %zu, \"properties_length\": %zu}",
		       i > 0 ? "," : "", sid, hex, ins,
		       (long long)p->inserted, last,
		       (long long)p->last_exchange, addr,
		       p->cert_der.length, p->properties.length);
		TALLOC_FREE(row);
	}
	printf("%s]\n}\n", l->n > 0 ? "\n  " : "");
	return BPA_PEERS_EXIT_OK;
}

static int cmd_list(const struct peers_ctx *c, const char *arg)
{
	struct peer_list l;
	HRESULT hr;
	size_t i;

	hr = collect(c->mem_ctx, c->t, &l);
	if (!HRES_IS_OK(hr)) {
		bpa_tool_print_hresult(BPA_PEERS_WHO, "list", hr);
		return hr_exit(hr);
	}
	if (c->o->json) {
		return list_json(c->mem_ctx, c->t, &l);
	}
	printf("%-46s %-20s %-20s %-16s %s\n", "SID", "INSERTED",
	       "LAST EXCHANGE", "SHA-256", "ADDRESS");
	for (i = 0; i < l.n; i++) {
		const struct bpa_peer *p = l.peers[i];
		char sid[BPA_SID_STRING_MAX];
		char hex[65];
		char ins[BPA_TIME_STRING_MAX], last[BPA_TIME_STRING_MAX];
		TALLOC_CTX *row = talloc_new(c->mem_ctx);
		const char *addr = "-";

		bpa_sid_format(&p->sid, sid);
		bpa_hex_lower(p->cert_hash, sizeof(p->cert_hash), hex);
		hex[16] = '\0';
		bpa_time_format(p->inserted, ins);
		bpa_time_format(p->last_exchange, last);
		if (p->address != NULL) {
			addr = row != NULL ? bpa_printable(row, p->address)
					   : "?";
		}
		printf("%-46s %-20s %-20s %-16s %s\n", sid, ins, last, hex,
		       addr);
		TALLOC_FREE(row);
	}
	printf("%zu of at most %" PRIu32 " peers\n", l.n,
	       bpa_peer_table_max_peers(c->t));
	return BPA_PEERS_EXIT_OK;
}

static bool parse_sid_arg(const char *arg, struct dom_sid *sid)
{
	bool ok = bpa_sid_parse(arg, sid);

	if (!ok) {
		fprintf(stderr, "bitspeerauth peers: \"%s\" is not a SID "
			"(S-1-...)\n", arg);
		return false;
	}
	return true;
}

static char *pem_of(TALLOC_CTX *mem_ctx, const DATA_BLOB *der)
{
	gnutls_datum_t in = { der->data, (unsigned int)der->length };
	gnutls_datum_t out = { NULL, 0 };
	char *s = NULL;
	int rc;

	rc = gnutls_pem_base64_encode2("CERTIFICATE", &in, &out);
	if (rc < 0) {
		fprintf(stderr, "PEM encoding: %s\n", gnutls_strerror(rc));
		return NULL;
	}
	s = talloc_strndup(mem_ctx, (const char *)out.data, out.size);
	gnutls_free(out.data);
	return s;
}

/* The certificate's subject, issuer and validity, when it parses */
static void print_cert_info(const DATA_BLOB *der)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t in = { der->data, (unsigned int)der->length };
	gnutls_datum_t dn = { NULL, 0 };
	char t1[BPA_TIME_STRING_MAX], t2[BPA_TIME_STRING_MAX];
	int rc;

	rc = gnutls_x509_crt_init(&crt);
	if (rc < 0) {
		return;
	}
	rc = gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_DER);
	if (rc < 0) {
		printf("certificate:    does not parse as X.509 (%s)\n",
		       gnutls_strerror(rc));
		goto done;
	}
	rc = gnutls_x509_crt_get_dn3(crt, &dn, 0);
	if (rc == 0) {
		printf("subject:        %.*s\n", (int)dn.size, dn.data);
		gnutls_free(dn.data);
		dn.data = NULL;
	}
	rc = gnutls_x509_crt_get_issuer_dn3(crt, &dn, 0);
	if (rc == 0) {
		printf("issuer:         %.*s\n", (int)dn.size, dn.data);
		gnutls_free(dn.data);
	}
	bpa_time_format(gnutls_x509_crt_get_activation_time(crt), t1);
	bpa_time_format(gnutls_x509_crt_get_expiration_time(crt), t2);
	printf("valid:          %s .. %s\n", t1, t2);
done:
	gnutls_x509_crt_deinit(crt);
}

static int cmd_show(const struct peers_ctx *c, const char *arg)
{
	struct bpa_peer *p = NULL;
	struct dom_sid sid;
	char sidbuf[BPA_SID_STRING_MAX];
	char hex[65];
	char ins[BPA_TIME_STRING_MAX], last[BPA_TIME_STRING_MAX];
	char *pem = NULL;
	bool ok;
	HRESULT hr;

	ok = parse_sid_arg(arg, &sid);
	if (!ok) {
		return BPA_PEERS_EXIT_USAGE;
	}
	hr = bpa_peer_table_get(c->mem_ctx, c->t, &sid, &p);
	if (!HRES_IS_OK(hr)) {
		bpa_tool_print_hresult(BPA_PEERS_WHO, arg, hr);
		return hr_exit(hr);
	}
	bpa_sid_format(&p->sid, sidbuf);
	bpa_hex_lower(p->cert_hash, sizeof(p->cert_hash), hex);
	bpa_time_format(p->inserted, ins);
	bpa_time_format(p->last_exchange, last);
	printf("sid:            %s\n", sidbuf);
	printf("inserted:       %s\n", ins);
	printf("last exchange:  %s\n", last);
	printf("address:        %s\n",
	       p->address ? bpa_printable(c->mem_ctx, p->address) : "-");
	printf("cert sha256:    %s\n", hex);
	printf("cert length:    %zu\n", p->cert_der.length);
	printf("properties:     %zu bytes\n", p->properties.length);
	print_cert_info(&p->cert_der);
	pem = pem_of(c->mem_ctx, &p->cert_der);
	if (pem == NULL) {
		return BPA_PEERS_EXIT_ERROR;
	}
	fputs(pem, stdout);
	return BPA_PEERS_EXIT_OK;
}

static int cmd_remove(const struct peers_ctx *c, const char *arg)
{
	struct dom_sid sid;
	bool ok;
	HRESULT hr;

	ok = parse_sid_arg(arg, &sid);
	if (!ok) {
		return BPA_PEERS_EXIT_USAGE;
	}
	hr = bpa_peer_table_remove(c->t, &sid);
	if (!HRES_IS_OK(hr)) {
		bpa_tool_print_hresult(BPA_PEERS_WHO, arg, hr);
		return hr_exit(hr);
	}
	printf("removed %s\n", arg);
	return BPA_PEERS_EXIT_OK;
}

/* MS-BPAU 3.1.6.1: exit 0 known, 1 unknown */
static int cmd_check(const struct peers_ctx *c, const char *arg)
{
	DATA_BLOB *certs = NULL;
	DATA_BLOB der = data_blob_null;
	struct dom_sid sid;
	char buf[BPA_SID_STRING_MAX];
	size_t n = 0;
	bool ok;

	/* PEM (the first certificate) or DER */
	ok = bpa_tool_read_certs(c->mem_ctx, BPA_PEERS_WHO, arg, &certs, &n);
	if (!ok) {
		return BPA_PEERS_EXIT_ERROR;
	}
	der = certs[0];
	ok = bpa_peer_table_known_cert(c->t, &der, &sid);
	if (!ok) {
		printf("unknown\n");
		return BPA_PEERS_EXIT_NO;
	}
	/* stored once, but it must be valid now (with the clock skew) */
	ok = bpa_peer_table_known_cert_at(c->t, &der, time(NULL), NULL);
	if (!ok) {
		printf("unknown: stored for %s, but outside its validity\n",
		       bpa_sid_format(&sid, buf));
		return BPA_PEERS_EXIT_NO;
	}
	printf("known: %s\n", bpa_sid_format(&sid, buf));
	return BPA_PEERS_EXIT_OK;
}

static int cmd_export(const struct peers_ctx *c, const char *arg)
{
	struct peer_list l;
	HRESULT hr;
	size_t i;
	int ret = BPA_PEERS_EXIT_OK;
	int rc;

	rc = mkdir(arg, 0755);
	if (rc != 0 && errno != EEXIST) {
		fprintf(stderr, "bitspeerauth peers: mkdir %s: %s\n", arg,
			strerror(errno));
		return BPA_PEERS_EXIT_ERROR;
	}
	hr = collect(c->mem_ctx, c->t, &l);
	if (!HRES_IS_OK(hr)) {
		bpa_tool_print_hresult(BPA_PEERS_WHO, "export", hr);
		return hr_exit(hr);
	}
	for (i = 0; i < l.n; i++) {
		char sid[BPA_SID_STRING_MAX];
		char *pem = pem_of(l.peers, &l.peers[i]->cert_der);
		char *path = NULL;
		size_t len;
		ssize_t n;
		int fd;

		bpa_sid_format(&l.peers[i]->sid, sid);
		path = talloc_asprintf(l.peers, "%s/%s.pem", arg, sid);
		if (pem == NULL || path == NULL) {
			return BPA_PEERS_EXIT_ERROR;
		}
		len = strlen(pem);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
			  O_CLOEXEC, 0644);
		if (fd == -1) {
			fprintf(stderr, "bitspeerauth peers: %s: %s\n", path,
				strerror(errno));
			ret = BPA_PEERS_EXIT_ERROR;
			continue;
		}
		n = write(fd, pem, len);
		if (n != (ssize_t)len) {
			fprintf(stderr, "bitspeerauth peers: %s: write "
				"failed\n", path);
			ret = BPA_PEERS_EXIT_ERROR;
		}
		close(fd);
	}
	printf("exported %zu certificate(s) to %s\n", l.n, arg);
	return ret;
}

/* tdb_check() and the table's own invariants (bpa_peer_table_check()) */
static int cmd_verify(const struct peers_ctx *c, const char *arg)
{
	uint32_t n = 0;
	HRESULT hr;

	hr = bpa_peer_table_check(c->t);
	if (!HRES_IS_OK(hr)) {
		bpa_tool_print_hresult(BPA_PEERS_WHO, "verify", hr);
		return BPA_PEERS_EXIT_ERROR;
	}
	hr = bpa_peer_table_count(c->t, &n);
	if (!HRES_IS_OK(hr)) {
		bpa_tool_print_hresult(BPA_PEERS_WHO, "verify", hr);
		return BPA_PEERS_EXIT_ERROR;
	}
	printf("consistent: %" PRIu32 " peers\n", n);
	return BPA_PEERS_EXIT_OK;
}

static const struct peers_subcommand peers_subcommands[] = {
	{ "list", "[--json]", 0, false, true, cmd_list },
	{ "show", "SID", 1, false, false, cmd_show },
	{ "remove", "SID", 1, true, false, cmd_remove },
	{ "check", "CERTFILE", 1, false, false, cmd_check },
	{ "export", "DIR", 1, false, false, cmd_export },
	{ "verify", "", 0, false, false, cmd_verify },
};

static void peers_usage(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: bitspeerauth peers SUBCOMMAND [-s SMB.CONF] "
		"[--table PATH] [-d LEVEL]\n");
	for (i = 0; i < sizeof(peers_subcommands) /
		    sizeof(peers_subcommands[0]); i++) {
		fprintf(out, "  bitspeerauth peers %s %s\n",
			peers_subcommands[i].name, peers_subcommands[i].args);
	}
	fprintf(out, "  bitspeerauth peers revoke SID|--cert FILE "
		"[--reason NAME]\n"
		"  bitspeerauth peers unrevoke SID|--cert FILE\n"
		"  bitspeerauth peers revoked [--json]\n");
	fprintf(out, "check exits 0 if the certificate is a known peer's, "
		"1 if not, 2 or more on error.\n");
}

/* --table, else "bitspeerauth:peer table" from smb.conf */
static const char *table_path(TALLOC_CTX *mem_ctx,
			      const struct peers_opts *o,
			      struct bpa_config **pcfg)
{
	struct loadparm_context *lp_ctx = NULL;
	bool ok;

	*pcfg = NULL;
	lp_ctx = loadparm_init_global(false);
	if (lp_ctx == NULL) {
		fprintf(stderr, "bitspeerauth peers: loadparm_init failed\n");
		return NULL;
	}
	if (o->configfile != NULL) {
		ok = lpcfg_load(lp_ctx, o->configfile);
	} else {
		ok = lpcfg_load_default(lp_ctx);
	}
	if (!ok && o->table == NULL) {
		fprintf(stderr, "bitspeerauth peers: cannot load %s (use -s "
			"or --table)\n", o->configfile ? o->configfile :
			"the default smb.conf");
		return NULL;
	}
	*pcfg = bpa_config_load(mem_ctx, lp_ctx);
	if (*pcfg == NULL) {
		fprintf(stderr, "bitspeerauth peers: out of memory\n");
		return NULL;
	}
	if (o->table != NULL) {
		return o->table;
	}
	return (*pcfg)->peer_table;
}

int bpa_cmd_peers(TALLOC_CTX *mem_ctx, int argc, const char **argv)
{
	struct peers_opts o = { .debuglevel = -1 };
	const struct peers_subcommand *sub = NULL;
	struct bpa_peer_table_params params;
	struct bpa_peer_table *t = NULL;
	struct bpa_config *cfg = NULL;
	struct peers_ctx c;
	TALLOC_CTX *frame = NULL;
	poptContext pc = NULL;
	const char **args = NULL;
	int nargs = 0;
	int ret = BPA_PEERS_EXIT_USAGE;
	size_t i;
	HRESULT hr;
	struct poptOption options[] = {
		POPT_AUTOHELP
		{ "configfile", 's', POPT_ARG_STRING, &o.configfile, 0,
		  "smb.conf to read bitspeerauth:peer table from",
		  "SMB.CONF" },
		{ "table", 0, POPT_ARG_STRING, &o.table, 0,
		  "The peer table file (overrides smb.conf)", "PATH" },
		{ "debuglevel", 'd', POPT_ARG_INT, &o.debuglevel, 0,
		  "Debug level", "LEVEL" },
		{ "json", 0, POPT_ARG_NONE, &o.json, 0,
		  "list: JSON output", NULL },
		POPT_TABLEEND
	};

	/* revoke, unrevoke, revoked: the revocation list (seed 004) */
	if (bpa_cmd_peers_is_revoke(argc, argv)) {
		return bpa_cmd_peers_revoke(mem_ctx, argc, argv);
	}
	frame = talloc_new(mem_ctx);
	if (frame == NULL) {
		return BPA_PEERS_EXIT_ERROR;
	}
	/* options may come before or after the subcommand */
	if (!bpa_tool_parse(BPA_PEERS_WHO, argc, argv, options, &pc, &args)) {
		goto done;
	}
	if (args[0] == NULL) {
		peers_usage(stderr);
		goto done;
	}
	for (i = 0; i < sizeof(peers_subcommands) /
		    sizeof(peers_subcommands[0]); i++) {
		int c = strcmp(args[0], peers_subcommands[i].name);

		if (c == 0) {
			sub = &peers_subcommands[i];
		}
	}
	if (sub == NULL) {
		fprintf(stderr, "bitspeerauth peers: unknown subcommand "
			"\"%s\"\n", args[0]);
		peers_usage(stderr);
		goto done;
	}
	args++;
	while (args[nargs] != NULL) {
		nargs++;
	}
	if (nargs != sub->nargs || (o.json && !sub->json)) {
		fprintf(stderr, "Usage: bitspeerauth peers %s %s\n",
			sub->name, sub->args);
		goto done;
	}
	if (o.debuglevel >= 0) {
		debuglevel_set(o.debuglevel);
	}

	bpa_peer_table_params_init(&params);
	params.path = table_path(frame, &o, &cfg);
	if (params.path == NULL) {
		ret = BPA_PEERS_EXIT_ERROR;
		goto done;
	}
	params.max_peers = cfg->max_peers;
	params.evict_min_age = cfg->evict_min_age;
	params.attach = true;
	params.read_only = !sub->write;
	hr = bpa_peer_table_open(frame, &params, &t);
	if (!HRES_IS_OK(hr)) {
		bpa_tool_print_hresult(BPA_PEERS_WHO, params.path, hr);
		ret = BPA_PEERS_EXIT_ERROR;
		goto done;
	}
	if (sub->fn == cmd_check) {
		/* 3.1.6.1: a revoked certificate is not a known peer */
		struct bpa_rev_stack *rev = NULL;

		bpa_peer_table_set_cert_policy(t, cfg->clock_skew,
					       cfg->min_rsa_bits,
					       cfg->max_rsa_bits);

		hr = bpa_rev_stack_from_config(frame, cfg, &rev);
		if (!HRES_IS_OK(hr)) {
			bpa_tool_print_hresult(BPA_PEERS_WHO,
					       "revocation configuration", hr);
			ret = BPA_PEERS_EXIT_ERROR;
			goto done;
		}
		bpa_peer_table_set_revocation(t, rev,
					      (int)cfg->revocation_check);
	}
	c = (struct peers_ctx) { .mem_ctx = frame, .t = t, .o = &o };
	ret = sub->fn(&c, nargs > 0 ? args[0] : NULL);
done:
	poptFreeContext(pc);
	free(o.configfile);
	free(o.table);
	TALLOC_FREE(frame);
	return ret;
}
