/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * "bitspeerauth ocsp status | fetch" (cmd_ocsp.h), seed
 * cert-open-server-ocsp-response; "prefetch" is cmd_ocsp_prefetch.c.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <time.h>
#include <errno.h>
#include <signal.h>
#include <popt.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include "util/bpa_debug.h"
#include <talloc.h>
#include "util/bpa_hresult.h"
#include "util/bpa_config.h"
#include "util/bpa_text.h"
#include "util/bpa_crypto.h"
#include "ocsp/ocsp_client.h"
#include "prefetch/prefetcher.h"
#include "prefetch/prefetch_config.h"
#include "prefetch/prefetch_io.h"
#include "tools/cmd_ocsp.h"
#include "tools/cmd_ocsp_private.h"
#include "tools/tool_input.h"
#include "tools/tool_output.h"
#include "tools/tool_popt.h"

static const char *tstr(TALLOC_CTX *mem_ctx, time_t t)
{
	char b[BPA_TIME_STRING_MAX];

	return t > 0 ? talloc_strdup(mem_ctx, bpa_time_format(t, b)) : NULL;
}

/* A JSON value: a string, or null (short: the JSON below is dense) */
static const char *jstr(TALLOC_CTX *mem_ctx, const char *s)
{
	return bpa_tool_json_or_null(mem_ctx, s);
}

struct ocsp_view {
	const char *cert_file;
	const char *subject;
	const char *issuer_from;	/* NULL: no issuer found */
	const char *url;		/* NULL: no OCSP AIA URL */
	const char *mode;
	const char *configured;		/* the option's value */
	const char *refused;		/* an out-of-range option */
	const char *response_file;
	bool file_present;
	const char *file_state;		/* "good", or why not usable */
	bool has_status;		/* a status file exists */
	bool running;			/* and its pid is alive */
	struct bpa_prefetch_status st;
	time_t now;
};

static void print_text(const struct ocsp_view *v, TALLOC_CTX *m)
{
	const struct bpa_prefetch_status *st = &v->st;

	printf("certificate: %s (%s)\n", v->cert_file,
	       v->subject ? v->subject : "unreadable");
	printf("issuer: %s\n", v->issuer_from ? v->issuer_from :
	       "not found (neither in the certificate file nor in the ca "
	       "file)");
	printf("url: %s\n", v->url ? v->url : "none (no OCSP AIA URL)");
	printf("prefetch: %s (ocsp prefetch = %s)\n", v->mode,
	       v->configured);
	if (v->refused != NULL) {
		printf("refused: bitspeerauth:%s is out of range\n",
		       v->refused);
	}
	printf("response file: %s (%s)\n", v->response_file,
	       v->file_present ? v->file_state : "absent");
	if (!v->has_status) {
		printf("prefetcher: no status file (not running)\n");
		return;
	}
	if (v->running) {
		printf("prefetcher: pid %d, status of %s\n", st->pid,
		       tstr(m, st->updated));
	} else {
		printf("prefetcher: pid %d, not running (its last status, of "
		       "%s)\n", st->pid, tstr(m, st->updated));
	}
	printf("state: %s\n", bpa_prefetch_state_name(st->state));
	if (st->has_response) {
		printf("this update: %s\n", tstr(m, st->this_update));
		printf("next update: %s (in %lld s)\n",
		       tstr(m, st->next_update),
		       (long long)(st->next_update - v->now));
	}
	if (st->state == BPA_PREFETCH_STATE_REVOKED) {
		const char *rn = bpa_crl_reason_name(st->reason);

		printf("revoked: %s (%s)\n", tstr(m, st->revocation_time),
		       rn ? rn : "unspecified");
	}
	if (st->next_retrieval > 0) {
		printf("next retrieval: %s (in %lld s, %s)\n",
		       tstr(m, st->next_retrieval),
		       (long long)(st->next_retrieval - v->now),
		       bpa_prefetch_rule_name(st->rule));
	} else {
		printf("next retrieval: in progress\n");
	}
	printf("retrievals: %" PRIu32 ", failing: %" PRIu32 "\n",
	       st->retrievals, st->failures);
	printf("last error: %s\n", st->last_error && st->last_error[0] ?
	       st->last_error : "none");
}

static bool print_json(const struct ocsp_view *v, TALLOC_CTX *m)
{
	const struct bpa_prefetch_status *st = &v->st;
	char *s = NULL;

	s = talloc_asprintf(m, "{\"certificate\": %s, \"subject\": %s, "
		"\"issuerFrom\": %s, \"url\": %s, \"mode\": \"%s\", "
		"\"configured\": %s, \"refused\": %s, \"responseFile\": %s, "
		"\"responseFilePresent\": %s, \"responseFileState\": %s, "
		"\"statusFile\": %s, \"running\": %s",
		jstr(m, v->cert_file), jstr(m, v->subject),
		jstr(m, v->issuer_from), jstr(m, v->url), v->mode,
		jstr(m, v->configured), jstr(m, v->refused),
		jstr(m, v->response_file), v->file_present ? "true" : "false",
		jstr(m, v->file_present ? v->file_state : NULL),
		v->has_status ? "true" : "false",
		v->running ? "true" : "false");
	if (s != NULL && v->has_status) {
		s = talloc_asprintf_append(s, ", \"pid\": %d, \"updated\": %s"
			", \"state\": \"%s\", \"thisUpdate\": %s, "
			"\"nextUpdate\": %s, \"nextUpdateIn\": ", st->pid,
			jstr(m, tstr(m, st->updated)),
			bpa_prefetch_state_name(st->state),
			jstr(m, st->has_response ?
			     tstr(m, st->this_update) : NULL),
			jstr(m, st->has_response ?
			     tstr(m, st->next_update) : NULL));
	}
	if (s != NULL && v->has_status) {
		s = st->has_response ?
		    talloc_asprintf_append(s, "%lld", (long long)
					   (st->next_update - v->now)) :
		    talloc_strdup_append(s, "null");
	}
	if (s != NULL && v->has_status) {
		s = talloc_asprintf_append(s, ", \"nextRetrieval\": %s, "
			"\"nextRetrievalIn\": %lld, \"rule\": \"%s\", "
			"\"retrievals\": %" PRIu32 ", \"failures\": %" PRIu32
			", \"lastError\": %s",
			jstr(m, tstr(m, st->next_retrieval)),
			(long long)(st->next_retrieval > 0 ?
				    st->next_retrieval - v->now : 0),
			bpa_prefetch_rule_name(st->rule), st->retrievals,
			st->failures,
			jstr(m, st->last_error && st->last_error[0] ?
			     st->last_error : NULL));
	}
	if (s != NULL) {
		s = talloc_strdup_append(s, "}");
	}
	if (s == NULL) {
		return false;
	}
	printf("%s\n", s);
	return true;
}

/* The response file checked as the prefetcher would at its start */
static const char *file_state(TALLOC_CTX *m,
			      const char *path,
			      gnutls_x509_crt_t leaf,
			      gnutls_x509_crt_t issuer,
			      const struct bpa_config *cfg,
			      time_t now,
			      bool *present)
{
	struct bpa_ocsp_result *r = NULL;
	struct bpa_prefetch_params p;
	DATA_BLOB der = data_blob_null;
	bool missing = false;
	HRESULT hr;

	*present = bpa_pf_read_file(m, path, BPA_OCSP_DEFAULT_MAX_RESPONSE,
				    &der, &missing);
	if (!*present) {
		*present = !missing;
		return "unreadable";
	}
	if (issuer == NULL) {
		return "not checked: no issuer";
	}
	hr = bpa_ocsp_response_check(m, &der, NULL, leaf, issuer, now,
				     cfg->clock_skew, &r);
	if (!HRES_IS_OK(hr)) {
		return "cannot be checked";
	}
	(void)bpa_prefetch_params_from_config(cfg, &p);
	if (r->outcome == BPA_OCSP_GOOD && r->has_next_update &&
	    bpa_prefetch_usable(&p.s, r->next_update, now)) {
		return "good, handed out";
	}
	if (r->outcome == BPA_OCSP_GOOD && r->has_next_update) {
		return talloc_asprintf(m, "good, but only %lld s to its "
				       "nextUpdate, less than ocsp min "
				       "validity: not handed out",
				       (long long)(r->next_update - now));
	}
	return bpa_ocsp_result_string(m, r, now);
}

static int cmd_status(TALLOC_CTX *m,
		      const char *who,
		      const struct bpa_config *cfg,
		      bool json)
{
	struct ocsp_view v = {
		.cert_file = cfg->certificate_file,
		.configured = cfg->ocsp_prefetch,
		.refused = cfg->refused_option,
		.response_file = cfg->ocsp_response_file,
		.now = time(NULL),
	};
	gnutls_x509_crt_t *crts = NULL;
	gnutls_x509_crt_t issuer = NULL;
	enum bpa_prefetch_mode mode = BPA_PREFETCH_MODE_NO;
	size_t n = 0;
	char *url = NULL;
	char dn[512];
	size_t dn_len = sizeof(dn);
	HRESULT hr;

	if (bpa_tool_read_crts(m, who, cfg->certificate_file, &crts, &n) &&
	    n > 0) {
		if (gnutls_x509_crt_get_dn(crts[0], dn, &dn_len) >= 0) {
			v.subject = talloc_strdup(m, dn);
		}
		if (HRES_IS_OK(bpa_ocsp_aia_url(m, crts[0], &url))) {
			v.url = url;
		}
		hr = bpa_prefetch_issuer(m, crts[0], n > 1 ? crts[1] : NULL,
					 cfg->ca_file, &issuer,
					 &v.issuer_from);
		if (!HRES_IS_OK(hr)) {
			issuer = NULL;
		}
	}
	if (!bpa_prefetch_mode_parse(cfg->ocsp_prefetch, v.url != NULL,
				     &mode)) {
		v.mode = "invalid";
	} else {
		v.mode = bpa_prefetch_mode_name(mode);
	}
	v.file_state = (n > 0) ? file_state(m, cfg->ocsp_response_file,
					    crts[0], issuer, cfg, v.now,
					    &v.file_present) : "not checked";
	if (n == 0) {
		v.file_present = false;
	}
	hr = bpa_prefetch_status_read(m, cfg->ocsp_response_file, &v.st);
	v.has_status = HRES_IS_OK(hr);
	/* a stopped prefetcher leaves its last status behind */
	v.running = v.has_status &&
		    (kill((pid_t)v.st.pid, 0) == 0 || errno == EPERM);
	if (json) {
		return print_json(&v, m) ? BPA_OCSP_EXIT_OK :
					   BPA_OCSP_EXIT_ERROR;
	}
	print_text(&v, m);
	return BPA_OCSP_EXIT_OK;
}

/* What "ocsp fetch" is asked to do */
struct fetch_args {
	const char *cert_file;		/* --cert */
	const char *issuer_file;	/* --issuer, or NULL */
	const char *out_file;		/* --out, or NULL */
	int timeout_ms;			/* --timeout, 0: the option's */
};

static int cmd_fetch(TALLOC_CTX *m,
		     const char *who,
		     const struct fetch_args *a,
		     const struct bpa_config *cfg,
		     bool json)
{
	gnutls_x509_crt_t *crts = NULL;
	gnutls_x509_crt_t *iss = NULL;
	gnutls_x509_crt_t issuer = NULL;
	struct bpa_ocsp_params p;
	struct bpa_ocsp_result *r = NULL;
	const char *from = NULL;
	size_t n = 0;
	size_t ni = 0;
	time_t now = time(NULL);
	HRESULT hr;
	char *line = NULL;

	if (!bpa_tool_read_crts(m, who, a->cert_file, &crts, &n)) {
		return BPA_OCSP_EXIT_ERROR;
	}
	if (a->issuer_file != NULL &&
	    !bpa_tool_read_crts(m, who, a->issuer_file, &iss, &ni)) {
		return BPA_OCSP_EXIT_ERROR;
	}
	hr = bpa_prefetch_issuer(m, crts[0], ni > 0 ? iss[0] :
				 (n > 1 ? crts[1] : NULL),
				 a->issuer_file == NULL ? cfg->ca_file : NULL,
				 &issuer, &from);
	if (!HRES_IS_OK(hr)) {
		fprintf(stderr, "%s: %s: its issuer is not in %s\n", who,
			a->cert_file, a->issuer_file ? a->issuer_file :
			"the file nor in bitspeerauth:ca file");
		return BPA_OCSP_EXIT_ERROR;
	}
	bpa_ocsp_params_init(&p);
	p.nonce = false;	/* as the prefetcher: see prefetcher.h */
	p.timeout_ms = a->timeout_ms > 0 ? (uint32_t)a->timeout_ms :
				       cfg->ocsp_url_timeout;
	p.clock_skew = cfg->clock_skew;
	hr = bpa_ocsp_query(m, crts[0], issuer, NULL, &p, now, &r);
	if (HRES_IS_EQUAL(hr, HRES_CRYPT_E_NOT_FOUND)) {
		fprintf(stderr, "%s: %s has no OCSP AIA URL "
			"(CRYPT_E_NOT_IN_REVOCATION_DATABASE)\n", who,
			a->cert_file);
		return BPA_OCSP_EXIT_NOT_GOOD;
	}
	if (!HRES_IS_OK(hr)) {
		fprintf(stderr, "%s: 0x%08" PRIX32 " (%s)\n", who,
			HRES_ERROR_V(hr), bpa_hresult_name(hr) ?: "?");
		return BPA_OCSP_EXIT_ERROR;
	}
	line = bpa_ocsp_result_string(m, r, now);
	if (json) {
		printf("{\"url\": %s, \"outcome\": \"%s\", \"thisUpdate\": "
		       "%s, \"nextUpdate\": %s, \"detail\": %s, \"out\": "
		       "%s}\n", jstr(m, r->url),
		       bpa_ocsp_outcome_name(r->outcome),
		       jstr(m, tstr(m, r->this_update)),
		       jstr(m, r->has_next_update ?
			    tstr(m, r->next_update) : NULL),
		       jstr(m, line), jstr(m, r->outcome == BPA_OCSP_GOOD ?
					   a->out_file : NULL));
	} else {
		printf("url: %s\nissuer: from %s\nresult: %s\n", r->url,
		       from, line ? line : "?");
	}
	if (r->outcome != BPA_OCSP_GOOD) {
		return BPA_OCSP_EXIT_NOT_GOOD;
	}
	if (a->out_file != NULL &&
	    !bpa_pf_write_atomic(a->out_file, r->response_der.data,
				 r->response_der.length, 0644)) {
		fprintf(stderr, "%s: cannot write %s\n", who, a->out_file);
		return BPA_OCSP_EXIT_ERROR;
	}
	if (a->out_file != NULL && !json) {
		printf("written: %s\n", a->out_file);
	}
	return BPA_OCSP_EXIT_OK;
}

int bpa_cmd_ocsp(TALLOC_CTX *mem_ctx, int argc, const char **argv)
{
	const char *who = "bitspeerauth ocsp";
	TALLOC_CTX *frame = talloc_new(mem_ctx);
	char *configfile = NULL, *cert = NULL, *issuer = NULL, *out = NULL;
	int json = 0, debuglevel = -1, timeout_ms = 0;
	struct bpa_config *cfg = NULL;
	poptContext pc = NULL;
	const char **args = NULL;
	int ret = BPA_OCSP_EXIT_USAGE;
	struct poptOption options[] = {
		POPT_AUTOHELP
		{ "configfile", 's', POPT_ARG_STRING, &configfile, 0,
		  "smb.conf with the bitspeerauth options", "SMB.CONF" },
		{ "cert", 0, POPT_ARG_STRING, &cert, 0,
		  "fetch: the certificate (PEM; more certificates are its "
		  "chain)", "FILE" },
		{ "issuer", 0, POPT_ARG_STRING, &issuer, 0,
		  "fetch: its issuer (PEM)", "FILE" },
		{ "out", 0, POPT_ARG_STRING, &out, 0,
		  "fetch: write a good response here (DER)", "FILE" },
		{ "timeout", 0, POPT_ARG_INT, &timeout_ms, 0,
		  "fetch: ms (default: bitspeerauth:ocsp url timeout)", "MS" },
		{ "json", 0, POPT_ARG_NONE, &json, 0, "JSON output", NULL },
		{ "debuglevel", 'd', POPT_ARG_INT, &debuglevel, 0,
		  "Debug level", "LEVEL" },
		POPT_TABLEEND
	};

	if (frame == NULL) {
		return BPA_OCSP_EXIT_ERROR;
	}
	if (!bpa_tool_parse(who, argc, argv, options, &pc, &args)) {
		goto done;
	}
	if (args[0] == NULL || args[1] != NULL ||
	    (strcmp(args[0], "status") != 0 &&
	     strcmp(args[0], "fetch") != 0 &&
	     strcmp(args[0], "prefetch") != 0) ||
	    (strcmp(args[0], "fetch") == 0 && cert == NULL) ||
	    timeout_ms < 0) {
		fprintf(stderr, "Usage: bitspeerauth ocsp status [--json] "
			"[-s SMB.CONF]\n"
			"       bitspeerauth ocsp fetch --cert FILE "
			"[--issuer FILE] [--out FILE] [--timeout MS] [--json] "
			"[-s SMB.CONF]\n"
			"       bitspeerauth ocsp prefetch [-s SMB.CONF]\n");
		goto done;
	}
	if (debuglevel >= 0) {
		debuglevel_set(debuglevel);
	}
	ret = BPA_OCSP_EXIT_ERROR;
	cfg = bpa_tool_load_config(frame, who, configfile);
	if (cfg == NULL) {
		goto done;
	}
	if (strcmp(args[0], "status") == 0) {
		ret = cmd_status(frame, who, cfg, json != 0);
	} else if (strcmp(args[0], "prefetch") == 0) {
		ret = bpa_cmd_ocsp_prefetch(frame, who, cfg);
	} else {
		struct fetch_args a = {
			.cert_file = cert,
			.issuer_file = issuer,
			.out_file = out,
			.timeout_ms = timeout_ms,
		};

		ret = cmd_fetch(frame, who, &a, cfg, json != 0);
	}
done:
	poptFreeContext(pc);
	free(configfile);
	free(cert);
	free(issuer);
	free(out);
	TALLOC_FREE(frame);
	return ret;
}
