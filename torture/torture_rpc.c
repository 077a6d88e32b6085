/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bitspeerauth.rpc: ExchangePublicKeys against a live server.
 *
 * smbtorture gives the binding and the credentials (-U, --realm,
 * --use-kerberos=required); every test opens its own connection with
 * torture_rpc_connection().
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <talloc.h>
#include <tevent.h>
#include <core/ntstatus.h>
#include <core/hresult.h>
#include <dcerpc.h>
#include <rpc_common.h>
#include <gen_ndr/dcerpc.h>
#include "torture/bpa_torture_abi.h"
#include "torture/bpa_torture.h"
#include <credentials.h>
#include <gen_ndr/ndr_samr.h>
#include "librpc/gen_ndr/ndr_bitspeerauth.h"
#include "librpc/gen_ndr/ndr_bitspeerauth_c.h"
#include "util/bpa_hresult.h"
#include "util/sid_string.h"
#include "client/bpa_client.h"
#include "torture/torture_cert.h"

static bool connect_pipe(struct torture_context *tctx,
			 struct dcerpc_pipe **p)
{
	NTSTATUS status = torture_rpc_connection(tctx, p,
						 &ndr_table_bitspeerauth);

	if (!NT_STATUS_IS_OK(status)) {
		torture_result(tctx, TORTURE_FAIL, "connect: %s",
			       nt_errstr(status));
		return false;
	}
	return true;
}

/* Send @len bytes someone else encoded as opnum @opnum */
static NTSTATUS raw_call(struct torture_context *tctx,
			 struct dcerpc_pipe *p,
			 uint32_t opnum,
			 const uint8_t *in,
			 size_t len)
{
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint32_t out_flags = 0;

	return dcerpc_binding_handle_raw_call(p->binding_handle, NULL, opnum,
					      0, in, len, tctx, &out,
					      &out_len, &out_flags);
}

/* MS-BPAU 3.1.4: a NULL ClientKey with a length is an NDR fault */
static bool test_null_key_with_length_faults(struct torture_context *tctx)
{
	static const uint8_t stub[] = {
		0x05, 0x00, 0x00, 0x00,	/* ClientKeyLength 5 */
		0x00, 0x00, 0x00, 0x00,	/* ClientKey NULL */
	};
	struct dcerpc_pipe *p = NULL;
	NTSTATUS status;
	bool ok;

	ok = connect_pipe(tctx, &p);
	if (!ok) {
		return false;
	}
	status = raw_call(tctx, p, NDR_BITSPEERAUTH_EXCHANGEPUBLICKEYS, stub,
			  sizeof(stub));
	if (!NT_STATUS_EQUAL(status, NT_STATUS_RPC_BAD_STUB_DATA)) {
		torture_result(tctx, TORTURE_FAIL,
			       "got %s, expected a DCERPC_FAULT_NDR "
			       "(NT_STATUS_RPC_BAD_STUB_DATA)",
			       nt_errstr(status));
		return false;
	}
	torture_comment(tctx, "refused: %s (fault 0x%08x)\n",
			nt_errstr(status), p->last_fault_code);
	return true;
}

/* MS-BPAU 3.1.4: only opnum 0 exists */
static bool test_opnum_out_of_range(struct torture_context *tctx)
{
	static const uint8_t stub[] = { 0, 0, 0, 0, 0, 0, 0, 0 };
	struct dcerpc_pipe *p = NULL;
	NTSTATUS status;
	bool ok;

	ok = connect_pipe(tctx, &p);
	if (!ok) {
		return false;
	}
	status = raw_call(tctx, p, 1, stub, sizeof(stub));
	if (!NT_STATUS_EQUAL(status, NT_STATUS_RPC_PROCNUM_OUT_OF_RANGE)) {
		torture_result(tctx, TORTURE_FAIL,
			       "got %s, expected "
			       "NT_STATUS_RPC_PROCNUM_OUT_OF_RANGE",
			       nt_errstr(status));
		return false;
	}
	return true;
}

/*
 * Trailing stub bytes: dcesrv pulls through the table and, like Samba's
 * client (dcerpc.c "ignoring %u unread bytes"), does not refuse bytes
 * left after the last parameter (NT3.1 compatibility).  Our strict pull
 * keeps that: only the whole-buffer helper bpa_ndr_pull_exchange_blob()
 * refuses them.  This pins the behaviour: the call is answered, not
 * faulted.
 */
static bool test_trailing_bytes_are_not_a_fault(struct torture_context *tctx)
{
	static const uint8_t stub[] = {
		0x00, 0x00, 0x00, 0x00,	/* ClientKeyLength 0 */
		0x00, 0x00, 0x00, 0x00,	/* ClientKey NULL */
		0xde, 0xad, 0xbe, 0xef,	/* trailing */
	};
	struct dcerpc_pipe *p = NULL;
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint32_t out_flags = 0;
	NTSTATUS status;
	bool ok;

	ok = connect_pipe(tctx, &p);
	if (!ok) {
		return false;
	}
	status = dcerpc_binding_handle_raw_call(
		p->binding_handle, NULL, NDR_BITSPEERAUTH_EXCHANGEPUBLICKEYS,
		0, stub, sizeof(stub), tctx, &out, &out_len, &out_flags);
	if (!NT_STATUS_IS_OK(status)) {
		torture_result(tctx, TORTURE_FAIL, "got %s (fault 0x%08x)",
			       nt_errstr(status), p->last_fault_code);
		return false;
	}
	torture_comment(tctx, "answered with a %zu byte stub\n", out_len);
	return true;
}

/* MS-BPAU 3.2.3: the connection smbtorture made is Kerberos */
static bool test_binding_is_kerberos(struct torture_context *tctx)
{
	struct dcerpc_pipe *p = NULL;
	enum dcerpc_AuthType type = DCERPC_AUTH_TYPE_NONE;
	enum dcerpc_AuthLevel level = DCERPC_AUTH_LEVEL_NONE;
	bool ok;

	ok = connect_pipe(tctx, &p);
	if (!ok) {
		return false;
	}
	dcerpc_binding_handle_auth_info(p->binding_handle, &type, &level);
	if (type != DCERPC_AUTH_TYPE_KRB5 ||
	    level < DCERPC_AUTH_LEVEL_INTEGRITY) {
		torture_result(tctx, TORTURE_FAIL,
			       "auth type %d level %d: run with a "
			       "[krb5,sign] binding and Kerberos "
			       "credentials", (int)type, (int)level);
		return false;
	}
	return true;
}

/*
 * The SID of @account, from the DC with SAMR (as the client does): the
 * server's own host, or "torture:bpa_samr_binding" when the server is
 * not a DC (a member's SAMR knows only its local accounts)
 */
static bool account_sid(struct torture_context *tctx,
			const char *account,
			char **sid_str)
{
	const char *samr = torture_setting_string(tctx, "bpa_samr_binding",
						  NULL);
	struct tevent_context *ev = NULL;
	struct dcerpc_pipe *p = NULL;
	struct dom_sid sid;
	NTSTATUS status;
	HRESULT hr;

	if (samr == NULL) {
		status = torture_rpc_connection(tctx, &p, &ndr_table_samr);
	} else {
		ev = tevent_context_init(tctx);
		status = (ev == NULL) ? NT_STATUS_NO_MEMORY :
			dcerpc_pipe_connect(tctx, &p, samr, &ndr_table_samr,
					    samba_cmdline_get_creds(), ev,
					    samba_cmdline_get_lp_ctx());
	}
	if (!NT_STATUS_IS_OK(status)) {
		torture_result(tctx, TORTURE_FAIL, "samr: %s",
			       nt_errstr(status));
		return false;
	}
	hr = bpa_client_samr_lookup(tctx, p->binding_handle, account, &sid);
	talloc_free(p);
	TALLOC_FREE(ev);
	if (!HRES_IS_OK(hr)) {
		torture_result(tctx, TORTURE_FAIL, "SAMR lookup of %s: "
			       "0x%08x", account, HRES_ERROR_V(hr));
		return false;
	}
	*sid_str = bpa_sid_string(tctx, &sid);
	return *sid_str != NULL;
}

/* The sAMAccountName of @creds ("PEER1$@BPA.TEST" -> "PEER1$") */
static char *sam_account_name(TALLOC_CTX *mem_ctx,
			      struct cli_credentials *creds)
{
	const char *user = cli_credentials_get_username(creds);

	if (user == NULL || user[0] == '\0' || user[0] == '@') {
		return NULL;
	}
	return talloc_strndup(mem_ctx, user, strcspn(user, "@"));
}

/* Who smbtorture is (its -U credentials), and that account's SID */
static bool caller_sid(struct torture_context *tctx, char **sid_str)
{
	struct cli_credentials *creds = samba_cmdline_get_creds();
	char *account = NULL;

	if (creds != NULL) {
		account = sam_account_name(tctx, creds);
	}
	if (account == NULL) {
		torture_result(tctx, TORTURE_ERROR, "no -U account");
		return false;
	}
	torture_comment(tctx, "caller: %s\n", account);
	return account_sid(tctx, account, sid_str);
}

/* The server's machine account, from the binding's target_hostname */
static bool server_sid(struct torture_context *tctx,
		       struct dcerpc_pipe *p,
		       char **sid_str)
{
	const char *fqdn = dcerpc_binding_get_string_option(p->binding,
							   "target_hostname");
	char *account = bpa_client_machine_account(tctx, fqdn);

	if (account == NULL) {
		torture_result(tctx, TORTURE_FAIL, "binding needs "
			       "target_hostname=<server fqdn>");
		return false;
	}
	return account_sid(tctx, account, sid_str);
}

struct exchange_out {
	HRESULT result;
	uint32_t len;
	uint8_t *key;
};

static bool call_exchange(struct torture_context *tctx,
			  struct dcerpc_pipe *p,
			  const DATA_BLOB *client_key,
			  struct exchange_out *o)
{
	struct bitspeerauth_ExchangePublicKeys r = { .in = { 0 } };
	NTSTATUS status;

	o->len = 0;
	o->key = NULL;
	r.in.ClientKeyLength = client_key->length;
	r.in.ClientKey = client_key->length > 0 ? client_key->data : NULL;
	r.out.pServerKeyLength = &o->len;
	r.out.pServerKey = &o->key;
	status = dcerpc_bitspeerauth_ExchangePublicKeys_r(p->binding_handle,
							  tctx,
							  &r);
	if (!NT_STATUS_IS_OK(status)) {
		torture_result(tctx, TORTURE_FAIL, "ExchangePublicKeys: %s",
			       nt_errstr(status));
		return false;
	}
	o->result = r.out.result;
	torture_comment(tctx, "ExchangePublicKeys: 0x%08x, %u byte key\n",
			HRES_ERROR_V(o->result), o->len);
	return true;
}

/* S_OK with a server key whose subject is the server's account SID */
static bool expect_server_key(struct torture_context *tctx,
			      struct dcerpc_pipe *p,
			      const struct exchange_out *o)
{
	DATA_BLOB b = data_blob_const(o->key, o->len);
	const char *err = NULL;
	char *want = NULL;
	char *subject = NULL;
	bool ok;

	if (!HRES_IS_OK(o->result) || o->len == 0 || o->key == NULL) {
		torture_result(tctx, TORTURE_FAIL, "expected S_OK and a "
			       "server key, got 0x%08x and %u bytes",
			       HRES_ERROR_V(o->result), o->len);
		return false;
	}
	subject = bpa_torture_blob_subject(tctx, &b, &err);
	if (subject == NULL) {
		torture_result(tctx, TORTURE_FAIL, "server key: %s", err);
		return false;
	}
	ok = server_sid(tctx, p, &want);
	if (!ok) {
		return false;
	}
	if (strcmp(subject, want) != 0) {
		torture_result(tctx, TORTURE_FAIL, "server certificate "
			       "subject %s, server account %s", subject, want);
		return false;
	}
	return true;
}

/* MS-BPAU 3.1.4.1: an error returns no server key */
static bool expect_error(struct torture_context *tctx,
			 const struct exchange_out *o,
			 HRESULT want)
{
	if (!HRES_IS_EQUAL(o->result, want)) {
		torture_result(tctx, TORTURE_FAIL, "got 0x%08x, expected "
			       "0x%08x", HRES_ERROR_V(o->result),
			       HRES_ERROR_V(want));
		return false;
	}
	if (o->len != 0 || o->key != NULL) {
		torture_result(tctx, TORTURE_FAIL, "an error came with a "
			       "%u byte server key", o->len);
		return false;
	}
	return true;
}

/* A test certificate blob for @sid_str */
static bool make_blob(struct torture_context *tctx,
		      const char *sid_str,
		      DATA_BLOB *blob)
{
	const char *err = "no SID";
	bool ok = false;

	if (sid_str != NULL) {
		ok = bpa_torture_make_blob(tctx, sid_str, blob, &err);
	}
	if (!ok) {
		torture_result(tctx, TORTURE_ERROR, "certificate: %s", err);
	}
	return ok;
}

/* A connection, and a certificate blob for the caller's own SID */
static bool connect_with_caller_blob(struct torture_context *tctx,
				     struct dcerpc_pipe **p,
				     char **sid,
				     DATA_BLOB *blob)
{
	bool ok;

	ok = connect_pipe(tctx, p);
	if (!ok) {
		return false;
	}
	ok = caller_sid(tctx, sid);
	if (!ok) {
		return false;
	}
	return make_blob(tctx, *sid, blob);
}

/* MS-BPAU 3.1.4.1: our certificate is taken, the server's returned */
static bool test_exchange_success(struct torture_context *tctx)
{
	struct dcerpc_pipe *p = NULL;
	struct exchange_out o;
	DATA_BLOB blob = data_blob_null;
	char *sid = NULL;
	bool ok;

	ok = connect_with_caller_blob(tctx, &p, &sid, &blob);
	if (!ok) {
		return false;
	}
	ok = call_exchange(tctx, p, &blob, &o);
	if (!ok) {
		return false;
	}
	ok = expect_server_key(tctx, p, &o);
	if (!ok) {
		return false;
	}
	/* again: the row is replaced, still S_OK (<4>) */
	ok = call_exchange(tctx, p, &blob, &o);
	if (!ok) {
		return false;
	}
	return expect_server_key(tctx, p, &o);
}

/* MS-BPAU 3.1.4.1: no ClientKey, nothing decoded, server key returned */
static bool test_no_client_key_gets_server_key(struct torture_context *tctx)
{
	struct dcerpc_pipe *p = NULL;
	struct exchange_out o;
	DATA_BLOB none = data_blob_null;
	bool ok;

	ok = connect_pipe(tctx, &p);
	if (!ok) {
		return false;
	}
	ok = call_exchange(tctx, p, &none, &o);
	if (!ok) {
		return false;
	}
	return expect_server_key(tctx, p, &o);
}

/* MS-BPAU 3.1.4.1: a subject that is not the caller: 0x80070005 */
static bool test_subject_sid_mismatch(struct torture_context *tctx)
{
	struct dcerpc_pipe *p = NULL;
	struct exchange_out o;
	DATA_BLOB blob = data_blob_null;
	char *sid = NULL;
	char *other = NULL;
	bool ok;

	ok = connect_pipe(tctx, &p);
	if (!ok) {
		return false;
	}
	ok = caller_sid(tctx, &sid);
	if (!ok) {
		return false;
	}
	/* the caller's SID with another RID: a real-looking stranger */
	other = talloc_asprintf(tctx, "%.*s-4242",
				(int)(strrchr(sid, '-') - sid), sid);
	ok = make_blob(tctx, other, &blob);
	if (!ok) {
		return false;
	}
	torture_comment(tctx, "caller %s, certificate for %s\n", sid,
			other);
	ok = call_exchange(tctx, p, &blob, &o);
	if (!ok) {
		return false;
	}
	return expect_error(tctx, &o, HRES_E_ACCESSDENIED);
}

/* MS-BPAU 3.1.4.1: a blob that does not decode: an error, no key */
static bool test_undecodable_blob(struct torture_context *tctx)
{
	static const uint8_t junk[] = { 0x01, 0x02, 0x03, 0x04, 0x05 };
	struct dcerpc_pipe *p = NULL;
	struct exchange_out o;
	DATA_BLOB blob = data_blob_const(junk, sizeof(junk));
	bool ok;

	ok = connect_pipe(tctx, &p);
	if (!ok) {
		return false;
	}
	ok = call_exchange(tctx, p, &blob, &o);
	if (!ok) {
		return false;
	}
	if (HRES_IS_OK(o.result)) {
		torture_result(tctx, TORTURE_FAIL, "junk accepted");
		return false;
	}
	return expect_error(tctx, &o, o.result);
}

/* Kerberos credentials for "USER@REALM%PASS" */
static struct cli_credentials *second_creds(struct torture_context *tctx,
					    const char *spec)
{
	struct cli_credentials *creds = cli_credentials_init(tctx);

	if (creds == NULL) {
		return NULL;
	}
	cli_credentials_set_conf(creds, samba_cmdline_get_lp_ctx());
	cli_credentials_parse_string(creds, spec, CRED_SPECIFIED);
	cli_credentials_set_kerberos_state(creds, CRED_USE_KERBEROS_REQUIRED,
					   CRED_SPECIFIED);
	return creds;
}

/*
 * MS-BPAU 3.1.4.1 <3>: a full table refuses a new principal with
 * 0x80040006 while its oldest row is younger than a minute.  Needs the
 * server at "bitspeerauth:max peers = 1" and a second account:
 *   --option=torture:bpa_second_account='PEER2$@REALM%PASSWORD'
 * (skipped without it).  The first row is the caller's own.
 */
static bool test_table_limit(struct torture_context *tctx)
{
	const char *second = torture_setting_string(tctx,
						    "bpa_second_account",
						    NULL);
	const char *binding = torture_setting_string(tctx, "binding", NULL);
	struct dcerpc_pipe *p = NULL;
	struct cli_credentials *creds = NULL;
	struct bpa_client_result *res = NULL;
	struct tevent_context *ev = NULL;
	struct exchange_out o;
	DATA_BLOB blob = data_blob_null;
	char *sid = NULL;
	char *account = NULL;
	HRESULT hr;
	bool ok;

	if (second == NULL || binding == NULL) {
		torture_result(tctx, TORTURE_SKIP, "set --option=torture:"
			       "bpa_second_account=USER@REALM%%PASS");
		return true;
	}
	/* row 1: the caller */
	ok = connect_with_caller_blob(tctx, &p, &sid, &blob);
	if (!ok) {
		return false;
	}
	ok = call_exchange(tctx, p, &blob, &o);
	if (!ok) {
		return false;
	}
	ok = expect_server_key(tctx, p, &o);
	if (!ok) {
		return false;
	}
	/* the second principal, with its own valid certificate */
	creds = second_creds(tctx, second);
	if (creds != NULL) {
		account = sam_account_name(tctx, creds);
	}
	if (account == NULL) {
		torture_result(tctx, TORTURE_ERROR, "bad bpa_second_account");
		return false;
	}
	ok = account_sid(tctx, account, &sid);
	if (!ok) {
		return false;
	}
	ok = make_blob(tctx, sid, &blob);
	if (!ok) {
		return false;
	}
	ev = tevent_context_init(tctx);
	if (ev == NULL) {
		torture_result(tctx, TORTURE_ERROR, "no memory");
		return false;
	}
	hr = bpa_client_exchange(tctx, ev, samba_cmdline_get_lp_ctx(), creds,
				 binding, &blob, &res);
	if (!HRES_IS_EQUAL(hr, HRES_OLE_E_NOCACHE)) {
		torture_result(tctx, TORTURE_FAIL, "%s: got 0x%08x, expected "
			       "0x80040006 (is the server at max peers = 1?)",
			       account, HRES_ERROR_V(hr));
		return false;
	}
	torture_comment(tctx, "%s refused: table full\n", account);
	return true;
}

struct torture_suite *bpa_torture_rpc_suite(TALLOC_CTX *mem_ctx)
{
	struct torture_suite *suite = torture_suite_create(mem_ctx, "rpc");

	if (suite == NULL) {
		return NULL;
	}
	torture_suite_add_simple_test(suite, "binding-is-kerberos",
				      test_binding_is_kerberos);
	torture_suite_add_simple_test(suite, "null-key-with-length-faults",
				      test_null_key_with_length_faults);
	torture_suite_add_simple_test(suite, "opnum-out-of-range",
				      test_opnum_out_of_range);
	torture_suite_add_simple_test(suite, "trailing-bytes-are-not-a-fault",
				      test_trailing_bytes_are_not_a_fault);
	torture_suite_add_simple_test(suite, "exchange-success",
				      test_exchange_success);
	torture_suite_add_simple_test(suite,
				      "no-client-key-gets-server-key",
				      test_no_client_key_gets_server_key);
	torture_suite_add_simple_test(suite, "subject-sid-mismatch",
				      test_subject_sid_mismatch);
	torture_suite_add_simple_test(suite, "undecodable-blob",
				      test_undecodable_blob);
	torture_suite_add_simple_test(suite, "table-limit",
				      test_table_limit);
	return suite;
}
