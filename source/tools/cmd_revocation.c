/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * "bitspeerauth revocation check CERTFILE [--chain FILE] [--json]": the
 * revocation stack of source/revocation on a certificate, as the
 * exchange would run it (seed ocsp-revocation-provider).
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
#include "ocsp/ocsp_client.h"
#include "revocation/revocation.h"
#include "tools/cmd_revocation.h"
#include "tools/tool_input.h"
#include "tools/tool_output.h"
#include "tools/tool_popt.h"

static void print_text(const struct bpa_rev_status *st,
		       enum bpa_rev_mode mode,
		       bool accept)
{
	const char *name = bpa_rev_error_name(st->error);

	printf("status: %s (0x%08" PRIX32 ")\n", name ? name : "?",
	       HRES_ERROR_V(st->error));
	printf("index: %" PRIu32 "\n", st->index);
	if (st->provider != NULL) {
		printf("provider: %s\n", st->provider);
	}
	if (HRES_IS_EQUAL(st->error, HRES_CRYPT_E_REVOKED)) {
		const char *rn = bpa_crl_reason_name(st->reason);

		printf("reason: %s\n", rn ? rn : "unspecified");
	}
	if (st->has_freshness_time) {
		printf("next update in: %" PRId64 " s\n", st->freshness_time);
	}
	if (st->detail != NULL && st->detail[0] != '\0') {
		printf("detail: %s\n", st->detail);
	}
	printf("revocation: %s\n", bpa_rev_audit_word(mode, st));
	printf("decision (%s): %s\n", bpa_rev_mode_name(mode),
	       accept ? (HRES_IS_OK(st->error) ||
			 mode == BPA_REV_MODE_NO ? "accepted" :
			 "accepted, but the check did not take place") :
	       "refused");
}

static bool print_json(TALLOC_CTX *mem_ctx,
		       const struct bpa_rev_status *st,
		       enum bpa_rev_mode mode,
		       bool accept)
{
	const char *name = bpa_rev_error_name(st->error);
	const char *rn = HRES_IS_EQUAL(st->error, HRES_CRYPT_E_REVOKED) ?
			 bpa_crl_reason_name(st->reason) : NULL;
	char *s = NULL;

	s = talloc_asprintf(mem_ctx, "{\"status\": \"%s\", \"hresult\": "
			    "\"0x%08" PRIX32 "\", \"index\": %" PRIu32
			    ", \"provider\": %s, \"reason\": %s%s%s, "
			    "\"nextUpdateIn\": ",
			    name ? name : "?", HRES_ERROR_V(st->error),
			    st->index,
			    st->provider ? bpa_tool_json_str(mem_ctx,
							     st->provider)
					 : "null",
			    rn ? "\"" : "", rn ? rn : "null", rn ? "\"" : "");
	if (s != NULL && st->has_freshness_time) {
		s = talloc_asprintf_append(s, "%" PRId64, st->freshness_time);
	} else if (s != NULL) {
		s = talloc_strdup_append(s, "null");
	}
	if (s != NULL) {
		s = talloc_asprintf_append(s, ", \"revocation\": \"%s\", "
			"\"mode\": \"%s\", \"accepted\": %s, \"detail\": %s}",
			bpa_rev_audit_word(mode, st), bpa_rev_mode_name(mode),
			accept ? "true" : "false",
			bpa_tool_json_str(mem_ctx, st->detail ? st->detail
							       : ""));
	}
	if (s == NULL) {
		return false;
	}
	printf("%s\n", s);
	return true;
}

int bpa_cmd_revocation(TALLOC_CTX *mem_ctx, int argc, const char **argv)
{
	const char *who = "bitspeerauth revocation";
	TALLOC_CTX *frame = talloc_new(mem_ctx);
	char *configfile = NULL, *chain_file = NULL, *mode_arg = NULL;
	int json = 0, debuglevel = -1;
	struct bpa_config *cfg = NULL;
	struct bpa_rev_stack *stack = NULL;
	struct bpa_rev_status st;
	enum bpa_rev_mode mode;
	DATA_BLOB *leaf = NULL, *extra = NULL;
	size_t n_leaf = 0, n_extra = 0;
	poptContext pc = NULL;
	const char **args = NULL;
	bool accept = false;
	int ret = BPA_REV_EXIT_USAGE;
	HRESULT hr;
	struct poptOption options[] = {
		POPT_AUTOHELP
		{ "configfile", 's', POPT_ARG_STRING, &configfile, 0,
		  "smb.conf with the bitspeerauth:revocation options",
		  "SMB.CONF" },
		{ "chain", 0, POPT_ARG_STRING, &chain_file, 0,
		  "Intermediate certificates (PEM)", "FILE" },
		{ "mode", 0, POPT_ARG_STRING, &mode_arg, 0,
		  "no | soft | hard (default: bitspeerauth:revocation "
		  "check)", "MODE" },
		{ "json", 0, POPT_ARG_NONE, &json, 0, "JSON output", NULL },
		{ "debuglevel", 'd', POPT_ARG_INT, &debuglevel, 0,
		  "Debug level", "LEVEL" },
		POPT_TABLEEND
	};

	if (frame == NULL) {
		return BPA_REV_EXIT_ERROR;
	}
	if (!bpa_tool_parse(who, argc, argv, options, &pc, &args)) {
		goto done;
	}
	if (args[0] == NULL || strcmp(args[0], "check") != 0 ||
	    args[1] == NULL || args[2] != NULL) {
		fprintf(stderr, "Usage: bitspeerauth revocation check CERTFILE "
			"[--chain FILE] [--json] [--mode no|soft|hard] "
			"[-s SMB.CONF] [-d LEVEL]\n"
			"exits 0 if the policy accepts the certificate, 1 if "
			"it refuses it, 2 or more on error.\n");
		goto done;
	}
	if (debuglevel >= 0) {
		debuglevel_set(debuglevel);
	}
	ret = BPA_REV_EXIT_ERROR;
	cfg = bpa_tool_load_config(frame, who, configfile);
	if (cfg == NULL) {
		goto done;
	}
	mode = (enum bpa_rev_mode)cfg->revocation_check;
	if (mode_arg != NULL && !bpa_rev_mode_parse(mode_arg, &mode)) {
		fprintf(stderr, "%s: --mode %s: not no, soft or hard\n", who,
			mode_arg);
		ret = BPA_REV_EXIT_USAGE;
		goto done;
	}
	if (!bpa_tool_read_certs(frame, who, args[1], &leaf, &n_leaf)) {
		goto done;
	}
	if (chain_file != NULL &&
	    !bpa_tool_read_certs(frame, who, chain_file, &extra, &n_extra)) {
		goto done;
	}
	/* more than one certificate in CERTFILE: the rest is its chain */
	if (n_extra == 0 && n_leaf > 1) {
		extra = leaf + 1;
		n_extra = n_leaf - 1;
	}
	hr = bpa_rev_stack_from_config(frame, cfg, &stack);
	if (!HRES_IS_OK(hr)) {
		fprintf(stderr, "%s: the revocation configuration is not "
			"usable: 0x%08" PRIX32 " (%s)\n", who,
			HRES_ERROR_V(hr), bpa_hresult_name(hr) ?: "?");
		goto done;
	}
	hr = bpa_rev_check_cert(frame, stack, mode, &leaf[0], extra,
				n_extra, time(NULL), &accept, &st);
	if (!HRES_IS_OK(hr)) {
		fprintf(stderr, "%s: out of memory\n", who);
		goto done;
	}
	if (json) {
		if (!print_json(frame, &st, mode, accept)) {
			goto done;
		}
	} else {
		print_text(&st, mode, accept);
	}
	ret = accept ? BPA_REV_EXIT_ACCEPTED : BPA_REV_EXIT_REFUSED;
done:
	poptFreeContext(pc);
	free(configfile);
	free(chain_file);
	free(mode_arg);
	TALLOC_FREE(frame);
	return ret;
}
