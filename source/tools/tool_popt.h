/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What every bitspeerauth command does with popt, in one place. */
#ifndef _BPA_TOOL_POPT_H_
#define _BPA_TOOL_POPT_H_

#include <stdbool.h>
#include <popt.h>

/**
 * Consume every option of @pc (each one stores into its variable, none
 * returns a value).  On a bad option print "@who: OPTION: reason" to
 * stderr and return false; the arguments left are poptGetArgs(@pc).
 */
bool bpa_tool_options(poptContext pc, const char *who);

/**
 * Start command @who: a popt context for @argv and @options in *@ppc
 * (the caller frees it with poptFreeContext(), whatever this returns),
 * every option consumed (bpa_tool_options()), the arguments left in
 * *@pargs: an empty list when there are none, never NULL.  false on a
 * bad option (printed).
 */
bool bpa_tool_parse(const char *who,
		    int argc,
		    const char **argv,
		    const struct poptOption *options,
		    poptContext *ppc,
		    const char ***pargs);

#endif /* _BPA_TOOL_POPT_H_ */
