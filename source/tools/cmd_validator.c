/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * "bitspeerauth validator failures | reset": seed
 * bits-validate-server-certificate ("a one-off bad certificate is much
 * less concerning than thousands of bad certificates from the same
 * server": the counts per endpoint, most recent first).
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <popt.h>
#include "util/bpa_debug.h"
#include <talloc.h>
#include "util/bpa_hresult.h"
#include "util/bpa_config.h"
#include "util/bpa_text.h"
#include "validator/validator.h"
#include "tools/cmd_validator.h"
#include "tools/tool_input.h"
#include "tools/tool_output.h"
#include "tools/tool_popt.h"

#define VEXIT_OK	0
#define VEXIT_USAGE	2
#define VEXIT_ERROR	3

static int print_failures(TALLOC_CTX *mem_ctx, const char *file, bool json)
{
	struct bpa_validator_failure *list = NULL;
	char first[BPA_TIME_STRING_MAX], last[BPA_TIME_STRING_MAX];
	size_t n = 0, i;
	HRESULT hr;

	hr = bpa_validation_failures(mem_ctx, file, &list, &n);
	if (!HRES_IS_OK(hr)) {
		fprintf(stderr, "validator failures: %s: 0x%08" PRIx32 "\n",
			file, HRES_ERROR_V(hr));
		return VEXIT_ERROR;
	}
	if (json) {
		printf("[");
	} else if (n == 0) {
		printf("no refusals by the validator\n");
	} else {
		printf("%-50s %10s %-20s %-20s %s\n", "endpoint", "count",
		       "first", "last", "last hresult");
	}
	for (i = 0; i < n; i++) {
		const struct bpa_validator_failure *f = &list[i];
		const char *name = bpa_hresult_name(
			HRES_ERROR(f->last_hresult));

		bpa_time_format((time_t)f->first, first);
		bpa_time_format((time_t)f->last, last);
		if (json) {
			printf("%s{\"endpoint\": %s, \"count\": %" PRIu64
			       ", \"first\": \"%s\", \"last\": \"%s\", "
			       "\"lastHresult\": \"0x%08" PRIx32 "\"}",
			       i == 0 ? "" : ", ",
			       bpa_tool_json_str(mem_ctx, f->endpoint),
			       f->count, first, last, f->last_hresult);
			continue;
		}
		printf("%-50s %10" PRIu64 " %-20s %-20s 0x%08" PRIx32 " (%s)\n",
		       f->endpoint, f->count, first, last, f->last_hresult,
		       name != NULL ? name : "?");
	}
	if (json) {
		printf("]\n");
	}
	return VEXIT_OK;
}

static int reset(const char *file, bool failures)
{
	uint64_t dropped = 0;
	HRESULT hr;

	hr = bpa_validation_reset(file, failures, &dropped);
	if (!HRES_IS_OK(hr)) {
		fprintf(stderr, "validator reset: %s: 0x%08" PRIx32 "\n",
			file, HRES_ERROR_V(hr));
		return VEXIT_ERROR;
	}
	printf("validator cache %s: %" PRIu64 " cached successes dropped%s\n",
	       file, dropped, failures ? ", failure records dropped" : "");
	return VEXIT_OK;
}

int bpa_cmd_validator(TALLOC_CTX *mem_ctx, int argc, const char **argv)
{
	const char *who = "bitspeerauth validator";
	TALLOC_CTX *frame = talloc_new(mem_ctx);
	char *configfile = NULL;
	int json = 0, failures = 0, debuglevel = -1;
	struct bpa_config *cfg = NULL;
	poptContext pc = NULL;
	const char **args = NULL;
	int ret = VEXIT_USAGE;
	struct poptOption options[] = {
		POPT_AUTOHELP
		{ "configfile", 's', POPT_ARG_STRING, &configfile, 0,
		  "smb.conf with bitspeerauth:validator cache file",
		  "SMB.CONF" },
		{ "json", 0, POPT_ARG_NONE, &json, 0,
		  "failures: JSON output", NULL },
		{ "failures", 0, POPT_ARG_NONE, &failures, 0,
		  "reset: drop the failure records too", NULL },
		{ "debuglevel", 'd', POPT_ARG_INT, &debuglevel, 0,
		  "Debug level", "LEVEL" },
		POPT_TABLEEND
	};

	if (frame == NULL) {
		return VEXIT_ERROR;
	}
	if (!bpa_tool_parse(who, argc, argv, options, &pc, &args)) {
		goto done;
	}
	if (args[0] == NULL || args[1] != NULL ||
	    (strcmp(args[0], "failures") != 0 &&
	     strcmp(args[0], "reset") != 0)) {
		fprintf(stderr, "Usage: bitspeerauth validator failures "
			"[--json] | reset [--failures] [-s SMB.CONF] "
			"[-d LEVEL]\n");
		goto done;
	}
	if (debuglevel >= 0) {
		debuglevel_set(debuglevel);
	}
	ret = VEXIT_ERROR;
	cfg = bpa_tool_load_config(frame, who, configfile);
	if (cfg == NULL) {
		goto done;
	}
	if (strcmp(args[0], "failures") == 0) {
		ret = print_failures(frame, cfg->validator_cache_file,
				     json != 0);
	} else {
		ret = reset(cfg->validator_cache_file, failures != 0);
	}
done:
	poptFreeContext(pc);
	free(configfile);
	TALLOC_FREE(frame);
	return ret;
}
