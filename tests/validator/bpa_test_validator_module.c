/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A real validator module (bpa_validator_module.h) for the tests: built
 * by meson as a shared object, loaded from "bitspeerauth:validator
 * module" by the unit tests and by a live DC.
 *
 * It decides by two files next to itself (found with dladdr), so that a
 * test controls the copy it configured:
 *   <module>.log   a line "<role> <endpoint> <subject> <sha256> <len>"
 *                  is appended per call;
 *   <module>.deny  if it exists, its first line is an HRESULT
 *                  ("0x80070005") returned for every call; else 0.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dlfcn.h>
#include "validator/bpa_validator_module.h"

struct tvm {
	char log[4096];
	char deny[4096];
};

static struct tvm tvm_state;

static uint32_t tvm_validate(void *private_data,
			     const struct bpa_validator_request *req)
{
	struct tvm *t = private_data;
	unsigned long v = 0;
	char line[64];
	FILE *f = NULL;

	f = fopen(t->log, "a");
	if (f != NULL) {
		fprintf(f, "%s %s %s %s %zu\n", req->role_name, req->endpoint,
			req->subject_sid, req->cert_sha256, req->cert_len);
		fclose(f);
	}
	f = fopen(t->deny, "r");
	if (f != NULL) {
		if (fgets(line, sizeof(line), f) != NULL) {
			v = strtoul(line, NULL, 16);
		}
		fclose(f);
	}
	return (uint32_t)v;
}

int bpa_validator_init(struct bpa_validator_ops *ops, uint32_t version)
{
	Dl_info info;

	if (version != BPA_VALIDATOR_INTERFACE_VERSION ||
	    ops->size < sizeof(*ops)) {
		return -1;
	}
	if (dladdr((void *)bpa_validator_init, &info) == 0 ||
	    info.dli_fname == NULL) {
		return -1;
	}
	snprintf(tvm_state.log, sizeof(tvm_state.log), "%s.log",
		 info.dli_fname);
	snprintf(tvm_state.deny, sizeof(tvm_state.deny), "%s.deny",
		 info.dli_fname);
	ops->name = "bpa-test-validator";
	ops->validate = tvm_validate;
	ops->private_data = &tvm_state;
	return 0;
}
