/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The commands' shared output (tool_output.h) */
#include <stdio.h>
#include <inttypes.h>
#include "util/bpa_hresult.h"
#include "util/bpa_text.h"
#include "tools/tool_output.h"

void bpa_tool_print_hresult(const char *who, const char *what, HRESULT hr)
{
	const char *name = bpa_hresult_name(hr);

	fprintf(stderr, "%s%s%s: 0x%08" PRIx32 " (%s)\n",
		who != NULL ? who : "", who != NULL ? ": " : "", what,
		HRES_ERROR_V(hr), name != NULL ? name : "?");
}

char *bpa_tool_json_str(TALLOC_CTX *mem_ctx, const char *s)
{
	return bpa_json_append_string(talloc_strdup(mem_ctx, ""), s);
}

const char *bpa_tool_json_or_null(TALLOC_CTX *mem_ctx, const char *s)
{
	return s != NULL ? bpa_tool_json_str(mem_ctx, s) : "null";
}
