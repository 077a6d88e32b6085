/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include "tools/tool_popt.h"

bool bpa_tool_options(poptContext pc, const char *who)
{
	int opt;

	while ((opt = poptGetNextOpt(pc)) > 0) {
		/* every option stores into a variable */
	}
	if (opt < -1) {
		fprintf(stderr, "%s: %s: %s\n", who,
			poptBadOption(pc, POPT_BADOPTION_NOALIAS),
			poptStrerror(opt));
		return false;
	}
	return true;
}
