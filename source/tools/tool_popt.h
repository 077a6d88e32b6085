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

#endif /* _BPA_TOOL_POPT_H_ */
