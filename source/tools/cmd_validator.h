/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * "bitspeerauth validator failures [--json]" and "bitspeerauth
 * validator reset [--failures]": the validator's failure records and
 * success cache (seed bits-validate-server-certificate,
 * source/validator/validator.h).
 */
#ifndef _BPA_CMD_VALIDATOR_H_
#define _BPA_CMD_VALIDATOR_H_

#include <talloc.h>

/** @argv[0] is "validator"; exit 0, 2 on a usage error, 3 on error */
int bpa_cmd_validator(TALLOC_CTX *mem_ctx, int argc, const char **argv);

#endif /* _BPA_CMD_VALIDATOR_H_ */
