/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The client role (MS-BPAU 3.2) without a DC: binding strings, the
 * machine account name (3.2.3), argument checks, and transport errors
 * reported as HRESULT_FROM_NT.  The live exchange is in the 'dc' suite.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>
#include <talloc.h>
#include <tevent.h>
#include <param.h>
#include <credentials.h>
#include <rpc_common.h>
#include "librpc/gen_ndr/bitspeerauth.h"
#include "client/bpa_client.h"

struct acct_case {
	const char *fqdn;
	const char *want;	/* NULL: refused */
};

static const struct acct_case acct_cases[] = {
	{ "vm.bpa.test", "VM$" },		/* MS-BPAU 3.2.3 */
	{ "sample.corp.contoso.com", "SAMPLE$" },
	{ "Peer1", "PEER1$" },
	{ "abcdefghijklmno.x", "ABCDEFGHIJKLMNO$" },	/* 15: the max */
	{ "abcdefghijklmnop.x", "ABCDEFGHIJKLMNO$" },	/* cut to 15 */
	{ "", NULL },
	{ ".bpa.test", NULL },
	{ NULL, NULL },
};

static void test_machine_account_is_first_label_upper_dollar(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(acct_cases) / sizeof(acct_cases[0]); i++) {
		TALLOC_CTX *frame = talloc_new(NULL);
		char *got = bpa_client_machine_account(frame,
						       acct_cases[i].fqdn);

		if (acct_cases[i].want == NULL) {
			assert_null(got);
		} else {
			assert_non_null(got);
			assert_string_equal(got, acct_cases[i].want);
		}
		talloc_free(frame);
	}
}

struct binding_case {
	const char *host;
	const char *fqdn;
	const char *realm;
	bool seal;
	const char *want;	/* NULL: refused */
};

static const struct binding_case binding_cases[] = {
	{ "127.0.0.1", "vm.bpa.test", NULL, false,
	  "ncacn_ip_tcp:127.0.0.1[krb5,sign,target_hostname=vm.bpa.test]" },
	{ "127.0.0.1", "vm.bpa.test", NULL, true,
	  "ncacn_ip_tcp:127.0.0.1[krb5,seal,target_hostname=vm.bpa.test]" },
	{ "dc1", "vm.bpa.test", "BPA.TEST", true,
	  "ncacn_ip_tcp:dc1[krb5,seal,target_hostname=vm.bpa.test,"
	  "target_principal=VM$@BPA.TEST]" },
	/* nothing that would add options or end the binding */
	{ "127.0.0.1]", "vm.bpa.test", NULL, false, NULL },
	{ "127.0.0.1", "vm,seal", NULL, false, NULL },
	{ "127.0.0.1", "vm.bpa.test", "BPA.TEST,x=y", false, NULL },
	{ "127.0.0.1", "vm bpa", NULL, false, NULL },
	{ "", "vm.bpa.test", NULL, false, NULL },
	{ "127.0.0.1", "", NULL, false, NULL },
	{ NULL, "vm.bpa.test", NULL, false, NULL },
	/* a long host label: the NetBIOS name is its first 15 */
	{ "h", "abcdefghijklmnop.bpa.test", "BPA.TEST", false,
	  "ncacn_ip_tcp:h[krb5,sign,target_hostname=abcdefghijklmnop.bpa."
	  "test,target_principal=ABCDEFGHIJKLMNO$@BPA.TEST]" },
};

static void test_binding_string_for_an_explicit_account(void **state)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	char *s = NULL;

	s = bpa_client_binding_string_for(frame, "10.0.0.5", "fs.bpa.test",
					  "FILESRV01$", "BPA.TEST", true);
	assert_non_null(s);
	assert_string_equal(s, "ncacn_ip_tcp:10.0.0.5[krb5,seal,"
			    "target_hostname=fs.bpa.test,"
			    "target_principal=FILESRV01$@BPA.TEST]");
	/* an account may not bring its own realm or options */
	assert_null(bpa_client_binding_string_for(frame, "h", "fs.bpa.test",
			"A$@EVIL.TEST", "BPA.TEST", false));
	assert_null(bpa_client_binding_string_for(frame, "h", "fs.bpa.test",
			"A$,seal", "BPA.TEST", false));
	assert_null(bpa_client_binding_string_for(frame, "h", "fs.bpa.test",
			NULL, "BPA.TEST", false));
	talloc_free(frame);
}

static void test_binding_string_asks_for_kerberos(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(binding_cases) / sizeof(binding_cases[0]);
	     i++) {
		const struct binding_case *c = &binding_cases[i];
		TALLOC_CTX *frame = talloc_new(NULL);
		struct dcerpc_binding *b = NULL;
		char *s = bpa_client_binding_string(frame, c->host, c->fqdn,
						    c->realm, c->seal);
		uint32_t flags;

		if (c->want == NULL) {
			if (s != NULL) {
				fail_msg("case %zu accepted: %s", i, s);
			}
			talloc_free(frame);
			continue;
		}
		assert_non_null(s);
		assert_string_equal(s, c->want);
		/* and Samba reads it as we mean it */
		assert_true(NT_STATUS_IS_OK(dcerpc_parse_binding(frame, s,
								 &b)));
		flags = dcerpc_binding_get_flags(b);
		assert_true(flags & DCERPC_AUTH_KRB5);
		assert_int_equal(!!(flags & DCERPC_SEAL), c->seal);
		assert_int_equal(!!(flags & DCERPC_SIGN), !c->seal);
		assert_string_equal(dcerpc_binding_get_string_option(b,
				    "target_hostname"), c->fqdn);
		assert_string_equal(dcerpc_binding_get_string_option(b,
				    "host"), c->host);
		if (c->realm != NULL) {
			assert_non_null(dcerpc_binding_get_string_option(b,
					"target_principal"));
		} else {
			assert_null(dcerpc_binding_get_string_option(b,
				    "target_principal"));
		}
		talloc_free(frame);
	}
}

struct env {
	TALLOC_CTX *mem;
	struct tevent_context *ev;
	struct loadparm_context *lp;
	struct cli_credentials *creds;
};

static int env_setup(void **state)
{
	struct env *e = talloc_zero(NULL, struct env);

	assert_non_null(e);
	e->mem = e;
	e->ev = tevent_context_init(e);
	assert_non_null(e->ev);
	e->lp = loadparm_init(e);
	assert_non_null(e->lp);
	e->creds = cli_credentials_init(e);
	assert_non_null(e->creds);
	cli_credentials_set_conf(e->creds, e->lp);
	cli_credentials_parse_string(e->creds, "PEER1$@BPA.TEST%x",
				     CRED_SPECIFIED);
	cli_credentials_set_kerberos_state(e->creds,
					   CRED_USE_KERBEROS_REQUIRED,
					   CRED_SPECIFIED);
	*state = e;
	return 0;
}

static int env_teardown(void **state)
{
	talloc_free(*state);
	return 0;
}

static void test_exchange_refuses_bad_arguments(void **state)
{
	struct env *e = *state;
	const char *b = "ncacn_ip_tcp:127.0.0.1[krb5,sign,target_hostname=x]";
	uint8_t one = 1;
	DATA_BLOB good = data_blob_const(&one, 1);
	DATA_BLOB empty = data_blob_null;
	DATA_BLOB big = data_blob_talloc_zero(e->mem,
					      BITSPEERAUTH_MAX_KEY_LENGTH + 1);
	struct bpa_client_result *res = (void *)&one;
	struct {
		const char *name;
		struct cli_credentials *creds;
		const char *binding;
		const DATA_BLOB *blob;
	} cases[] = {
		/* MS-BPAU 3.2.4.1: the client MUST send a certificate */
		{ "empty blob", e->creds, b, &empty },
		/* MS-BPAU 2.2.1: at most 64 KiB */
		{ "65537 byte blob", e->creds, b, &big },
		{ "no blob", e->creds, b, NULL },
		{ "no credentials", NULL, b, &good },
		{ "no binding", e->creds, NULL, &good },
		/* MS-BPAU 2.1, 3.2.3: TCP, Kerberos, integrity */
		{ "no authentication", e->creds, "ncacn_ip_tcp:127.0.0.1",
		  &good },
		{ "krb5 without sign/seal", e->creds,
		  "ncacn_ip_tcp:127.0.0.1[krb5]", &good },
		{ "NTLM/SPNEGO", e->creds, "ncacn_ip_tcp:127.0.0.1[sign]",
		  &good },
		{ "named pipe", e->creds,
		  "ncacn_np:127.0.0.1[krb5,sign]", &good },
		{ "not a binding", e->creds, "127.0.0.1[[", &good },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		HRESULT hr = bpa_client_exchange(e->mem, e->ev, e->lp,
						 cases[i].creds,
						 cases[i].binding,
						 cases[i].blob, &res);
		if (!HRES_IS_EQUAL(hr, HRES_E_INVALIDARG)) {
			fail_msg("%s: 0x%08x", cases[i].name,
				 HRES_ERROR_V(hr));
		}
		assert_null(res);
	}
	TALLOC_FREE(big.data);
}

/* a loopback TCP port nobody listens on */
static int closed_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int port;

	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static void test_exchange_reports_transport_error_as_hresult(void **state)
{
	struct env *e = *state;
	TALLOC_CTX *frame = talloc_new(e->mem);
	uint8_t one = 1;
	DATA_BLOB blob = data_blob_const(&one, 1);
	struct bpa_client_result *res = NULL;
	char *b = talloc_asprintf(frame,
		"ncacn_ip_tcp:127.0.0.1[%d,krb5,sign,target_hostname=x.y]",
		closed_port());
	HRESULT hr;

	hr = bpa_client_exchange(frame, e->ev, e->lp, e->creds, b, &blob,
				 &res);
	/* HRESULT_FROM_NT(NT_STATUS_CONNECTION_REFUSED) */
	assert_int_equal(HRES_ERROR_V(hr), 0xC0000236 | 0x10000000);
	assert_null(res);
	/* the network: worth retrying */
	assert_true(bpa_client_hresult_is_transient(hr));
	talloc_free(frame);
}

static void test_lookup_refuses_bad_arguments(void **state)
{
	struct env *e = *state;
	struct dom_sid sid;
	const char *b = "ncacn_ip_tcp:127.0.0.1[krb5,seal,target_hostname=x]";

	assert_true(HRES_IS_EQUAL(bpa_client_lookup_account_sid(e->mem, e->ev,
			e->lp, e->creds, b, "", &sid), HRES_E_INVALIDARG));
	assert_true(HRES_IS_EQUAL(bpa_client_lookup_account_sid(e->mem, e->ev,
			e->lp, e->creds, b, NULL, &sid), HRES_E_INVALIDARG));
	assert_true(HRES_IS_EQUAL(bpa_client_lookup_account_sid(e->mem, e->ev,
			e->lp, NULL, b, "VM$", &sid), HRES_E_INVALIDARG));
	assert_true(HRES_IS_EQUAL(bpa_client_lookup_account_sid(e->mem, e->ev,
			e->lp, e->creds, "ncacn_ip_tcp:127.0.0.1[sign]", "VM$",
			&sid), HRES_E_INVALIDARG));
}

/* issue 9: a DC authority is bound to the DC's own account, sealed */
static void test_authority_binding_names_the_dcs_account(void **state)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	struct bpa_sid_authority a = {
		.kind = BPA_SID_AUTHORITY_DC,
		.dc_host = "127.0.0.1",
		.dc_hostname = "dc1.bpa.test",
		.realm = "BPA.TEST",
	};
	char *s = NULL;

	s = bpa_client_authority_binding(frame, &a);
	assert_string_equal(s, "ncacn_ip_tcp:127.0.0.1[krb5,seal,"
			    "target_hostname=dc1.bpa.test,"
			    "target_principal=DC1$@BPA.TEST]");
	a.dc_account = "KDC01$";
	s = bpa_client_authority_binding(frame, &a);
	assert_string_equal(s, "ncacn_ip_tcp:127.0.0.1[krb5,seal,"
			    "target_hostname=dc1.bpa.test,"
			    "target_principal=KDC01$@BPA.TEST]");
	/* no realm, no FQDN, not a DC, or an injected option: none */
	a.realm = NULL;
	assert_null(bpa_client_authority_binding(frame, &a));
	a.realm = "BPA.TEST";
	a.dc_hostname = NULL;
	assert_null(bpa_client_authority_binding(frame, &a));
	a.dc_hostname = "dc1.bpa.test,sign";
	assert_null(bpa_client_authority_binding(frame, &a));
	a.dc_hostname = "dc1.bpa.test";
	a.kind = BPA_SID_AUTHORITY_WINBIND;
	assert_null(bpa_client_authority_binding(frame, &a));
	talloc_free(frame);
}

static void test_authority_sid_needs_an_authority(void **state)
{
	struct env *e = *state;
	struct bpa_sid_authority none = { .kind = BPA_SID_AUTHORITY_NONE };
	struct bpa_sid_authority dc = {
		.kind = BPA_SID_AUTHORITY_DC,
		.dc_host = "127.0.0.1",
		.dc_hostname = "dc1.bpa.test",
	};
	struct dom_sid sid;

	assert_true(HRES_IS_EQUAL(bpa_client_authority_sid(e->mem, e->ev,
			e->lp, e->creds, &none, "VM$", &sid),
			HRES_E_INVALIDARG));
	assert_true(HRES_IS_EQUAL(bpa_client_authority_sid(e->mem, e->ev,
			e->lp, e->creds, NULL, "VM$", &sid),
			HRES_E_INVALIDARG));
	/* a DC without a realm cannot be named as a principal */
	assert_true(HRES_IS_EQUAL(bpa_client_authority_sid(e->mem, e->ev,
			e->lp, e->creds, &dc, "VM$", &sid),
			HRES_E_INVALIDARG));
	dc.realm = "BPA.TEST";
	assert_true(HRES_IS_EQUAL(bpa_client_authority_sid(e->mem, e->ev,
			e->lp, e->creds, &dc, "", &sid), HRES_E_INVALIDARG));
}

static void test_errstr_names_client_codes(void **state)
{
	assert_string_equal(bpa_hresult_name(BPA_E_CLIENT_NO_SERVER_KEY),
			    "BPA_E_CLIENT_NO_SERVER_KEY");
	assert_string_equal(bpa_hresult_name(HRES_SEC_E_WRONG_PRINCIPAL),
			    "HRES_SEC_E_WRONG_PRINCIPAL");
	assert_string_equal(bpa_hresult_name(BPA_S_OK), "S_OK");
}

/* Seed bits-validate-server-certificate: transient vs permanent */
static void test_transient_errors(void **state)
{
	assert_true(bpa_client_hresult_is_transient(HRES_ERROR(0x80200074)));
	/* HRESULT_FROM_NT(NT_STATUS_IO_TIMEOUT, EPT_NOT_REGISTERED) */
	assert_true(bpa_client_hresult_is_transient(HRES_ERROR(0xD00000B5)));
	assert_true(bpa_client_hresult_is_transient(HRES_ERROR(0xD0020036)));
	/* refusals: the server's, a validator's, Kerberos */
	assert_false(bpa_client_hresult_is_transient(HRES_E_ACCESSDENIED));
	assert_false(bpa_client_hresult_is_transient(HRES_ERROR(0x800b0109)));
	assert_false(bpa_client_hresult_is_transient(HRES_ERROR(0xD0000022)));
	assert_false(bpa_client_hresult_is_transient(HRES_ERROR(0xC0000236)));
	assert_false(bpa_client_hresult_is_transient(BPA_S_OK));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_machine_account_is_first_label_upper_dollar),
		cmocka_unit_test(test_binding_string_asks_for_kerberos),
		cmocka_unit_test(test_binding_string_for_an_explicit_account),
		cmocka_unit_test_setup_teardown(
			test_exchange_refuses_bad_arguments,
			env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(
			test_exchange_reports_transport_error_as_hresult,
			env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(
			test_lookup_refuses_bad_arguments,
			env_setup, env_teardown),
		cmocka_unit_test(test_authority_binding_names_the_dcs_account),
		cmocka_unit_test_setup_teardown(
			test_authority_sid_needs_an_authority,
			env_setup, env_teardown),
		cmocka_unit_test(test_errstr_names_client_codes),
		cmocka_unit_test(test_transient_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
