/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The few smbtorture symbols our module uses.  Samba does not install
 * its torture headers (docs/platform.md, "Harness traps"), so they are
 * declared here, written from their definitions in Samba 4.17.12
 * (lib/torture/torture.h, source4/torture/smbtorture.h,
 * source4/torture/rpc/rpc.h, source4/torture/ndr/ndr.h).  Like every
 * module built against Samba's private ABI, the module is tied to this
 * Samba build.
 *
 * Provided by: libtorture-samba4.so.0 (suite, comment, result, setting
 * functions), libcmdline-samba4.so.0 (samba_cmdline_get_creds) and the
 * smbtorture binary itself (torture_register_suite,
 * torture_rpc_connection, the NDR test helpers): those stay undefined in
 * the module and are resolved when smbtorture loads it.
 */
#ifndef _BPA_TORTURE_ABI_H_
#define _BPA_TORTURE_ABI_H_

#include <stdint.h>
#include <stdbool.h>
#include <talloc.h>
#include <core/ntstatus.h>
#include <ndr.h>

struct torture_results;
struct torture_test;
struct torture_tcase;
struct torture_suite;
struct dcerpc_pipe;
struct tevent_context;
struct loadparm_context;

enum torture_result {
	TORTURE_OK = 0,
	TORTURE_FAIL = 1,
	TORTURE_ERROR = 2,
	TORTURE_SKIP = 3
};

/*
 * struct torture_context stays opaque: its 4.17.12 layout differs from
 * lib/torture/torture.h in git (ev and lp_ctx sit at 0x140/0x148 of a
 * 0x158-byte struct in the Debian build).  The loadparm context comes
 * from samba_cmdline_get_lp_ctx() instead, the event context is our own.
 */
struct torture_context;

struct torture_suite *torture_suite_create(TALLOC_CTX *mem_ctx,
					   const char *name);
bool torture_suite_add_suite(struct torture_suite *suite,
			     struct torture_suite *child);
struct torture_tcase *torture_suite_add_simple_test(struct torture_suite *suite,
	const char *name,
	bool (*run)(struct torture_context *tctx));
void torture_comment(struct torture_context *tctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void torture_result(struct torture_context *tctx,
		    enum torture_result result,
		    const char *fmt,
		    ...)
	__attribute__((format(printf, 3, 4)));
const char *torture_setting_string(struct torture_context *tctx,
				   const char *name,
				   const char *default_value);

/* libcmdline-samba4 (private): smbtorture's -U credentials and -s/
 * --option settings (the torture context's own lp_ctx) */
struct cli_credentials;
struct cli_credentials *samba_cmdline_get_creds(void);
struct loadparm_context *samba_cmdline_get_lp_ctx(void);

/* smbtorture */
bool torture_register_suite(TALLOC_CTX *mem_ctx,
			    struct torture_suite *suite);
NTSTATUS torture_rpc_connection(struct torture_context *tctx,
				struct dcerpc_pipe **p,
				const struct ndr_interface_table *table);
/*
 * source4/torture/ndr/ndr.c as built in 4.17.12 (the argument order was
 * checked against the smbtorture binary): the test case is @name, the
 * test inside it @check_fn_name, its description "db:<db_name>".  The
 * test pulls @db with @ndr_flags (NDR_IN/NDR_OUT for a function) and
 * @flags (e.g. LIBNDR_FLAG_NDR64) | LIBNDR_FLAG_REF_ALLOC, requires
 * every byte read, calls @check_fn, prints, pushes and compares the
 * push with @db byte for byte.
 */
struct torture_test *_torture_suite_add_ndr_pullpush_test(
	struct torture_suite *suite,
	const char *name,
	ndr_pull_flags_fn_t pull_fn,
	ndr_push_flags_fn_t push_fn,
	ndr_print_fn_t print_fn,
	ndr_print_function_t print_function,
	const char *db_name,
	DATA_BLOB db,
	size_t struct_size,
	int ndr_flags,
	int flags,
	const char *check_fn_name,
	bool (*check_fn)(struct torture_context *tctx, void *data));
/* The test @db_name in case @name: pulling @db must fail with @ndr_err */
struct torture_test *_torture_suite_add_ndr_pull_invalid_data_test(
	struct torture_suite *suite,
	const char *name,
	ndr_pull_flags_fn_t pull_fn,
	const char *db_name,
	DATA_BLOB db,
	size_t struct_size,
	int ndr_flags,
	int flags,
	enum ndr_err_code ndr_err);

#endif /* _BPA_TORTURE_ABI_H_ */
