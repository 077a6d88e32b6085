/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Who may call ExchangePublicKeys (MS-BPAU 3.1.4.1 <2>): the decision
 * of source/rpc_server/auth_check.c, table-driven, on the structures
 * Samba's dcesrv hands a call (dcesrv_call_auth_info() and
 * dcesrv_call_session_info() are Samba's own, not replaced).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>
#include <dcesrv_core.h>
#include <tsocket.h>
#include <samba/session.h>
#include <gen_ndr/auth.h>
#include <gen_ndr/samr.h>
#include "util/sid_string.h"
#include "rpc_server/auth_check.h"

#define DOM "S-1-5-21-1778051447-1805189228-3439535259"

struct auth_case {
	const char *name;
	enum dcerpc_AuthType type;
	enum dcerpc_AuthLevel level;
	const char *sid;		/* NULL: no session at all */
	const char *account;
	uint32_t acct_flags;
	bool allow_users;
	enum bpa_caller_verdict want;
};

static const struct auth_case cases[] = {
	{ "computer, krb5, integrity", DCERPC_AUTH_TYPE_KRB5,
	  DCERPC_AUTH_LEVEL_INTEGRITY, DOM "-1103", "PEER1$", ACB_WSTRUST,
	  false, BPA_CALLER_OK },
	{ "domain controller, krb5, privacy", DCERPC_AUTH_TYPE_KRB5,
	  DCERPC_AUTH_LEVEL_PRIVACY, DOM "-1000", "VM$", ACB_SVRTRUST,
	  false, BPA_CALLER_OK },
	{ "computer, NTLMSSP, integrity", DCERPC_AUTH_TYPE_NTLMSSP,
	  DCERPC_AUTH_LEVEL_INTEGRITY, DOM "-1103", "PEER1$", ACB_WSTRUST,
	  false, BPA_CALLER_NOT_KERBEROS },
	{ "computer, SPNEGO, privacy", DCERPC_AUTH_TYPE_SPNEGO,
	  DCERPC_AUTH_LEVEL_PRIVACY, DOM "-1103", "PEER1$", ACB_WSTRUST,
	  false, BPA_CALLER_NOT_KERBEROS },
	{ "computer, schannel, privacy", DCERPC_AUTH_TYPE_SCHANNEL,
	  DCERPC_AUTH_LEVEL_PRIVACY, DOM "-1103", "PEER1$", ACB_WSTRUST,
	  false, BPA_CALLER_NOT_KERBEROS },
	{ "anonymous, no auth", DCERPC_AUTH_TYPE_NONE,
	  DCERPC_AUTH_LEVEL_NONE, "S-1-5-7", "ANONYMOUS LOGON", 0,
	  false, BPA_CALLER_NOT_KERBEROS },
	{ "computer, krb5, connect", DCERPC_AUTH_TYPE_KRB5,
	  DCERPC_AUTH_LEVEL_CONNECT, DOM "-1103", "PEER1$", ACB_WSTRUST,
	  false, BPA_CALLER_LEVEL_TOO_LOW },
	{ "computer, krb5, packet", DCERPC_AUTH_TYPE_KRB5,
	  DCERPC_AUTH_LEVEL_PACKET, DOM "-1103", "PEER1$", ACB_WSTRUST,
	  false, BPA_CALLER_LEVEL_TOO_LOW },
	{ "krb5, integrity, no session", DCERPC_AUTH_TYPE_KRB5,
	  DCERPC_AUTH_LEVEL_INTEGRITY, NULL, NULL, 0,
	  false, BPA_CALLER_NO_IDENTITY },
	{ "krb5, integrity, SYSTEM", DCERPC_AUTH_TYPE_KRB5,
	  DCERPC_AUTH_LEVEL_INTEGRITY, "S-1-5-18", "SYSTEM$", ACB_WSTRUST,
	  false, BPA_CALLER_NOT_DOMAIN_ACCOUNT },
	{ "krb5, integrity, a domain SID without RID", DCERPC_AUTH_TYPE_KRB5,
	  DCERPC_AUTH_LEVEL_INTEGRITY, DOM, "PEER1$", ACB_WSTRUST,
	  false, BPA_CALLER_NOT_DOMAIN_ACCOUNT },
	{ "user account, krb5, integrity", DCERPC_AUTH_TYPE_KRB5,
	  DCERPC_AUTH_LEVEL_INTEGRITY, DOM "-1105", "bpauser", ACB_NORMAL,
	  false, BPA_CALLER_NOT_COMPUTER },
	{ "user account allowed by configuration", DCERPC_AUTH_TYPE_KRB5,
	  DCERPC_AUTH_LEVEL_INTEGRITY, DOM "-1105", "bpauser", ACB_NORMAL,
	  true, BPA_CALLER_OK },
	{ "user account allowed, but NTLM", DCERPC_AUTH_TYPE_NTLMSSP,
	  DCERPC_AUTH_LEVEL_INTEGRITY, DOM "-1105", "bpauser", ACB_NORMAL,
	  true, BPA_CALLER_NOT_KERBEROS },
	{ "user account named like a computer", DCERPC_AUTH_TYPE_KRB5,
	  DCERPC_AUTH_LEVEL_INTEGRITY, DOM "-1107", "fake$", ACB_NORMAL,
	  false, BPA_CALLER_NOT_COMPUTER },
	{ "workstation flag without '$'", DCERPC_AUTH_TYPE_KRB5,
	  DCERPC_AUTH_LEVEL_INTEGRITY, DOM "-1108", "PEER9", ACB_WSTRUST,
	  false, BPA_CALLER_NOT_COMPUTER },
	{ "interdomain trust account", DCERPC_AUTH_TYPE_KRB5,
	  DCERPC_AUTH_LEVEL_INTEGRITY, DOM "-1109", "OTHER$", ACB_DOMTRUST,
	  false, BPA_CALLER_NOT_COMPUTER },
};

struct fixture {
	struct dcesrv_call_state call;
	struct dcesrv_connection conn;
	struct dcesrv_auth auth;
	struct auth_session_info session;
	struct security_token token;
	struct auth_user_info info;
	struct dom_sid sid;
};

static void setup_call(TALLOC_CTX *mem_ctx,
		       struct fixture *f,
		       const struct auth_case *c)
{
	struct tsocket_address *addr = NULL;
	int ret;

	memset(f, 0, sizeof(*f));
	ret = tsocket_address_inet_from_strings(mem_ctx, "ip", "127.0.0.1",
						40000, &addr);
	assert_int_equal(ret, 0);
	f->conn.remote_address = addr;
	f->call.conn = &f->conn;
	f->call.auth_state = &f->auth;
	f->auth.auth_type = c->type;
	f->auth.auth_level = c->level;
	f->auth.auth_finished = true;
	if (c->sid == NULL) {
		return;
	}
	assert_true(bpa_sid_parse(c->sid, &f->sid));
	f->token.num_sids = 1;
	f->token.sids = &f->sid;
	f->info.account_name = c->account;
	f->info.domain_name = "BPA";
	f->info.acct_flags = c->acct_flags;
	f->session.security_token = &f->token;
	f->session.info = &f->info;
	f->auth.session_info = &f->session;
}

static void test_caller_verdicts_follow_the_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TALLOC_CTX *mem_ctx = talloc_new(NULL);
		const struct auth_case *c = &cases[i];
		struct bpa_srv_caller *caller = NULL;
		struct fixture f;
		enum bpa_caller_verdict v;

		setup_call(mem_ctx, &f, c);
		v = bpa_srv_check_caller(mem_ctx, &f.call, c->allow_users,
					 &caller);
		print_message("# %s: %s\n", c->name,
			      bpa_caller_verdict_name(v));
		assert_int_equal(v, c->want);
		assert_non_null(caller);
		assert_string_equal(caller->remote, "ipv4:127.0.0.1:40000");
		assert_int_equal(caller->auth_type, c->type);
		assert_int_equal(caller->auth_level, c->level);
		assert_string_equal(caller->sid_str,
				    c->sid != NULL ? c->sid : "none");
		talloc_free(mem_ctx);
	}
}

static void test_caller_is_described_for_the_log(void **state)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct bpa_srv_caller *caller = NULL;
	struct fixture f;

	setup_call(mem_ctx, &f, &cases[0]);
	assert_int_equal(bpa_srv_check_caller(mem_ctx, &f.call, false,
					      &caller), BPA_CALLER_OK);
	assert_string_equal(caller->account_name, "BPA\\PEER1$");
	assert_int_equal(caller->acct_flags, ACB_WSTRUST);
	assert_true(bpa_sid_equal(&caller->sid, &f.sid));
	talloc_free(mem_ctx);
}

static void test_verdict_names_are_distinct(void **state)
{
	const char *seen[BPA_CALLER_NOT_COMPUTER + 1] = { NULL };
	int v;
	int w;

	for (v = BPA_CALLER_OK; v <= BPA_CALLER_NOT_COMPUTER; v++) {
		seen[v] = bpa_caller_verdict_name(v);
		assert_string_not_equal(seen[v], "unknown");
		for (w = 0; w < v; w++) {
			assert_string_not_equal(seen[v], seen[w]);
		}
	}
	assert_string_equal(bpa_caller_verdict_name(99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caller_verdicts_follow_the_table),
		cmocka_unit_test(test_caller_is_described_for_the_log),
		cmocka_unit_test(test_verdict_names_are_distinct),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
