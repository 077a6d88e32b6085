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

bool bpa_tool_parse(const char *who,
		    int argc,
		    const char **argv,
		    const struct poptOption *options,
		    poptContext *ppc,
		    const char ***pargs)
{
	static const char *none[] = { NULL };
	const char **args = NULL;

	*pargs = none;
	*ppc = poptGetContext(who, argc, argv, options, 0);
	if (*ppc == NULL || !bpa_tool_options(*ppc, who)) {
		return false;
	}
	args = poptGetArgs(*ppc);
	if (args != NULL) {
		*pargs = args;
	}
	return true;
}
