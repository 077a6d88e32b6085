/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Internal to source/validator: the configured validators.
 *
 * "bitspeerauth:validator command = PATH" (validator_command.c): phase
 * two as a program, run once per certificate to decide on (seed
 * bits-validate-server-certificate).  The contract (README "Validator",
 * bitspeerauth(8)): PATH is run without a shell and without arguments,
 * in a process group of its own, with
 *   standard input   the certificate, DER;
 *   environment      PATH (a fixed system one), BPA_ROLE (server or
 *                    client), BPA_ENDPOINT, BPA_SUBJECT_SID,
 *                    BPA_CERT_SHA256 (64 lower-case hex digits);
 *   exit status 0    accepts;
 *   other exits      refuse with the HRESULT on the first line of
 *                    standard output ("0x%08x"; a value without the
 *                    failure bit, or no such line, is E_FAIL);
 * and is "unavailable" (BPA_E_VALIDATOR_UNAVAILABLE) if it cannot be
 * started, is killed by a signal, or runs longer than the timeout
 * (then its whole process group is killed).  When it exits, what is
 * left of its process group is killed too.  Its standard error goes to
 * the log, at most BPA_VCOMMAND_STDERR_MAX bytes.
 */
#ifndef _BPA_VALIDATOR_PRIVATE_H_
#define _BPA_VALIDATOR_PRIVATE_H_

#include <stdint.h>
#include <talloc.h>
#include "util/bpa_hresult.h"
#include "validator/bpa_validator_module.h"

#define BPA_VCOMMAND_STDERR_MAX 4096

/**
 * Run @path for @req with a limit of @timeout seconds.  Returns S_OK,
 * the program's refusal, or BPA_E_VALIDATOR_UNAVAILABLE with *@why (on
 * @mem_ctx) saying why.
 */
HRESULT bpa_vcommand_run(TALLOC_CTX *mem_ctx,
			 const char *path,
			 uint32_t timeout,
			 const struct bpa_validator_request *req,
			 char **why);

/** A validator's refusal @v: itself if it has the failure bit, else
 * E_FAIL (validator_ctx.c) */
HRESULT bpa_validator_refusal(uint32_t v);

struct bpa_vmodule;

/**
 * "bitspeerauth:validator module = PATH" (validator_module.c): dlopen
 * @path, call its bpa_validator_init() (bpa_validator_module.h).
 * Unloaded (ops.unload, dlclose) when *@pm is freed.  Returns S_OK or
 * BPA_E_VALIDATOR_UNAVAILABLE with *@why.
 */
HRESULT bpa_vmodule_load(TALLOC_CTX *mem_ctx,
			 const char *path,
			 struct bpa_vmodule **pm,
			 char **why);

/** The module's answer for @req, as bpa_validator_refusal() maps it */
HRESULT bpa_vmodule_call(struct bpa_vmodule *m,
			 const struct bpa_validator_request *req);

#endif /* _BPA_VALIDATOR_PRIVATE_H_ */
