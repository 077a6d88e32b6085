/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Prints bpa_options[] (source/util/bpa_config.c), one option a line:
 *   NAME <TAB> TYPE <TAB> DEFAULT [<TAB> MIN <TAB> MAX]
 * DEFAULT as the documentation writes it (bpa_option_default_string()).
 * Read by check_options.py.
 */
#include <stdio.h>
#include <inttypes.h>
#include "util/bpa_config.h"

static const char *type_name(enum bpa_option_type t)
{
	switch (t) {
	case BPA_OPTION_BOOL:
		return "bool";
	case BPA_OPTION_UINT:
		return "uint";
	case BPA_OPTION_PATH:
		return "path";
	case BPA_OPTION_STRING:
		return "string";
	}
	return "?";
}

int main(void)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	const struct bpa_option *opts = NULL;
	size_t n = 0;
	size_t i;
	int ret = 0;

	if (mem_ctx == NULL) {
		return 1;
	}
	opts = bpa_config_options(&n);
	for (i = 0; i < n; i++) {
		char *def = bpa_option_default_string(mem_ctx, &opts[i]);

		if (def == NULL) {
			ret = 1;
			break;
		}
		printf("%s\t%s\t%s", opts[i].name, type_name(opts[i].type),
		       def);
		if (opts[i].type == BPA_OPTION_UINT) {
			printf("\t%" PRIu32 "\t%" PRIu32, opts[i].min,
			       opts[i].max);
		}
		printf("\n");
	}
	talloc_free(mem_ctx);
	return ret;
}
