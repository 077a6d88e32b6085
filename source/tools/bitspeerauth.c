/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bitspeerauth: the administration tool of the MS-BPAU implementation.
 *
 *   bitspeerauth COMMAND [ARGS...]
 *
 * Every command parses its own options (popt), including the common
 * -s/--configfile, so that the options follow the command.
 *
 * Adding a command: write "int bpa_cmd_<name>(TALLOC_CTX *mem_ctx,
 * int argc, const char **argv)" in source/tools/cmd_<name>.c, where
 * argv[0] is the command name and the return value is the exit status,
 * declare it in cmd_<name>.h, add the .c to bitspeerauth_sources in
 * source/tools/meson.build, and add one row to bpa_tool_commands[]
 * below.  Nothing else needs to change.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <talloc.h>
#include "util/bpa_debug.h"
#include "tools/cmd_peers.h"
#include "tools/cmd_exchange.h"
#include "tools/cmd_revocation.h"
#include "tools/cmd_validator.h"
#include "tools/cmd_ocsp.h"

struct bpa_tool_command {
	const char *name;
	const char *summary;
	int (*fn)(TALLOC_CTX *mem_ctx, int argc, const char **argv);
};

static const struct bpa_tool_command bpa_tool_commands[] = {
	{ "peers", "list, show, remove, check, export the peer table",
	  bpa_cmd_peers },
	{ "exchange", "one ExchangePublicKeys exchange as a client peer",
	  bpa_cmd_exchange },
	{ "revocation", "check a certificate with the revocation stack",
	  bpa_cmd_revocation },
	{ "validator", "the validator's failure records and success cache",
	  bpa_cmd_validator },
	{ "ocsp", "OCSP prefetch of the local certificate: status, fetch",
	  bpa_cmd_ocsp },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: bitspeerauth COMMAND [OPTIONS] [ARGS]\n\n"
		"Commands:\n");
	for (i = 0; i < sizeof(bpa_tool_commands) /
		    sizeof(bpa_tool_commands[0]); i++) {
		fprintf(out, "  %-10s %s\n", bpa_tool_commands[i].name,
			bpa_tool_commands[i].summary);
	}
	fprintf(out, "\n\"bitspeerauth COMMAND --help\" for its options.\n");
}

int main(int argc, const char **argv)
{
	TALLOC_CTX *mem_ctx = NULL;
	size_t i;
	bool help;
	int ret = 2;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	help = (strcmp(argv[1], "--help") == 0 ||
		strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0);
	if (help) {
		usage(stdout);
		return 0;
	}
	bpa_debug_init();
	mem_ctx = talloc_new(NULL);
	if (mem_ctx == NULL) {
		fprintf(stderr, "out of memory\n");
		return 3;
	}
	for (i = 0; i < sizeof(bpa_tool_commands) /
		    sizeof(bpa_tool_commands[0]); i++) {
		int c = strcmp(argv[1], bpa_tool_commands[i].name);

		if (c == 0) {
			ret = bpa_tool_commands[i].fn(mem_ctx, argc - 1,
						      argv + 1);
			goto done;
		}
	}
	fprintf(stderr, "bitspeerauth: unknown command \"%s\"\n\n", argv[1]);
	usage(stderr);
done:
	TALLOC_FREE(mem_ctx);
	return ret;
}
