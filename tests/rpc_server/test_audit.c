/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The audit line of source/rpc_server/audit.c: the JSON object of one
 * exchange (bitspeerauth:audit json) is exactly as documented, strings
 * are escaped (RFC 8259 7), and a call without a described caller
 * still gives valid output.  Refusals of unauthenticated callers do not
 * flood the log (issue 9): at the default level they give one summary
 * line a minute; authenticated refusals stay one line each at level 1.
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
#include "util/bpa_hresult.h"
#include "util/sid_string.h"
#include "rpc_server/auth_check.h"
#include "rpc_server/exchange.h"
#include "rpc_server/audit.h"
#include "util/bpa_debug.h"

/* 2026-11-23T10:00:00Z */
#define NOW ((time_t)1795428000)

static void fill_caller(struct bpa_srv_caller *c, const char *account)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->sid_str, sizeof(c->sid_str), "S-1-5-21-1-2-3-1103");
	c->account_name = account;
	c->remote = "ipv4:127.0.0.1:40000";
	c->auth_type = DCERPC_AUTH_TYPE_KRB5;
	c->auth_level = DCERPC_AUTH_LEVEL_PRIVACY;
}

static void test_json_of_a_success_is_the_documented_object(void **state)
{
	struct bpa_srv_caller c;
	struct bpa_exchange_result res = {
		.hr = BPA_S_OK,
		.verdict = BPA_EXCHANGE_ADDED,
		.reason = "added",
		.client_key_length = 807,
		.subject = "S-1-5-21-1-2-3-1103",
	};
	char *json = NULL;

	fill_caller(&c, "BPA\\PEER1$");
	json = bpa_srv_audit_json(NULL, &c, &res, NOW);
	assert_non_null(json);
	assert_string_equal(json,
		"{\"type\": \"bitspeerauth\", \"version\": 1, "
		"\"timestamp\": \"2026-11-23T10:00:00Z\", "
		"\"callerSid\": \"S-1-5-21-1-2-3-1103\", "
		"\"account\": \"BPA\\\\PEER1$\", "
		"\"remoteAddress\": \"ipv4:127.0.0.1:40000\", "
		"\"authType\": \"krb5\", \"authLevel\": \"privacy\", "
		"\"clientKeyLength\": 807, "
		"\"subjectSid\": \"S-1-5-21-1-2-3-1103\", "
		"\"verdict\": \"added\", \"reason\": \"added\", "
		"\"hresult\": \"0x00000000\"}");
	talloc_free(json);
}

static void test_json_escapes_quotes_and_control_characters(void **state)
{
	struct bpa_srv_caller c;
	struct bpa_exchange_result res = {
		.hr = HRES_E_ACCESSDENIED,
		.verdict = BPA_EXCHANGE_REFUSED_CALLER,
		.reason = "not-a-computer-account",
	};
	char *json = NULL;

	fill_caller(&c, "BPA\\\"evil\"\n\x01");
	json = bpa_srv_audit_json(NULL, &c, &res, NOW);
	assert_non_null(json);
	assert_non_null(strstr(json,
		"\"account\": \"BPA\\\\\\\"evil\\\"\\u000a\\u0001\", "));
	assert_non_null(strstr(json, "\"verdict\": \"refused-caller\", "
				     "\"reason\": \"not-a-computer-account\", "
				     "\"hresult\": \"0x80070005\"}"));
	assert_null(strchr(json, '\n'));
	talloc_free(json);
}

static void test_json_without_a_caller_has_empty_fields(void **state)
{
	struct bpa_exchange_result res = {
		.hr = HRES_E_FAIL,
		.verdict = BPA_EXCHANGE_ERROR,
		.reason = "no-memory",
	};
	char *json = bpa_srv_audit_json(NULL, NULL, &res, NOW);

	assert_non_null(json);
	assert_non_null(strstr(json, "\"callerSid\": \"\", \"account\": \"\""));
	assert_non_null(strstr(json, "\"hresult\": \"0x80004005\"}"));
	talloc_free(json);
}

static void test_text_line_names_caller_verdict_and_reason(void **state)
{
	struct bpa_srv_caller c;
	struct bpa_exchange_result res = {
		.hr = HRES_E_ACCESSDENIED,
		.verdict = BPA_EXCHANGE_WRONG_SUBJECT,
		.reason = "subject-is-not-the-caller",
		.client_key_length = 807,
		.subject = "S-1-5-21-1-2-3-1104",
	};
	char *text = NULL;

	fill_caller(&c, "BPA\\PEER1$\n\x1b[31mforged");
	text = bpa_srv_audit_text(NULL, &c, &res);
	assert_non_null(text);
	assert_string_equal(text,
		"ExchangePublicKeys from S-1-5-21-1-2-3-1103 "
		"(BPA\\PEER1$??[31mforged) at ipv4:127.0.0.1:40000 "
		"[krb5/privacy] key 807 bytes: refused, wrong-subject: "
		"subject-is-not-the-caller subject=S-1-5-21-1-2-3-1104, "
		"hresult 0x80070005");
	talloc_free(text);
}

static void test_audit_logs_every_verdict_without_crashing(void **state)
{
	struct bpa_srv_caller c;
	struct bpa_exchange_result res = { .reason = "r" };
	int v;

	fill_caller(&c, "BPA\\PEER1$");
	for (v = BPA_EXCHANGE_SERVED; v <= BPA_EXCHANGE_ERROR; v++) {
		res.verdict = v;
		assert_string_not_equal(bpa_exchange_verdict_name(v),
					"unknown");
		bpa_srv_audit(&c, &res, true, NOW);
		bpa_srv_audit(NULL, &res, true, NOW);
	}
}

/* What reached the log at level <= 1, from Samba's debug callback */
struct captured {
	unsigned lines;
	unsigned summaries;
	char last[512];
};

static void capture(void *private_ptr, int level, const char *msg)
{
	struct captured *c = private_ptr;

	if (level > DBGLVL_WARNING) {
		return;
	}
	c->lines++;
	if (strstr(msg, "unauthenticated or anonymous callers refused") !=
	    NULL) {
		c->summaries++;
	}
	snprintf(c->last, sizeof(c->last), "%s", msg);
}

static void log_at_level_1(struct captured *c)
{
	memset(c, 0, sizeof(*c));
	debug_set_callback(c, capture);
	debuglevel_set(DBGLVL_WARNING);
}

static void log_reset(void)
{
	debug_set_callback(NULL, NULL);
	debuglevel_set(0);
}

/* @n refusals of @c in the second @t, then one at @t + 60 */
static void refuse_many(const struct bpa_srv_caller *c,
			time_t t,
			unsigned n)
{
	struct bpa_exchange_result res = {
		.hr = HRES_E_ACCESSDENIED,
		.verdict = BPA_EXCHANGE_REFUSED_CALLER,
		.reason = "not-kerberos",
	};
	unsigned i;

	for (i = 0; i < n; i++) {
		bpa_srv_audit(c, &res, true, t);
	}
	bpa_srv_audit(c, &res, true, t + BPA_AUDIT_SUMMARY_INTERVAL);
}

static void test_unauthenticated_refusals_give_one_summary_a_minute(
	void **state)
{
	struct bpa_srv_caller c;
	struct captured got;

	fill_caller(&c, "");
	snprintf(c.sid_str, sizeof(c.sid_str), "none");
	c.auth_type = DCERPC_AUTH_TYPE_NONE;
	c.auth_level = DCERPC_AUTH_LEVEL_NONE;
	log_at_level_1(&got);
	refuse_many(&c, NOW + 600, 1000);
	log_reset();
	/* the first call's summary, then the minute's */
	assert_int_equal(got.lines, 2);
	assert_int_equal(got.summaries, 2);
	assert_non_null(strstr(got.last, ": 1000 call(s) of "));
	assert_non_null(strstr(got.last, "the last from ipv4:127.0.0.1:40000"));
	assert_int_equal(bpa_srv_audit_level(&c, &(struct bpa_exchange_result){
		.verdict = BPA_EXCHANGE_REFUSED_CALLER }), 5);
}

static void test_anonymous_ntlm_refusals_are_not_logged_one_by_one(
	void **state)
{
	struct bpa_srv_caller c;
	struct captured got;

	/* an NTLM anonymous bind: authenticated as nobody */
	fill_caller(&c, "NT AUTHORITY\\ANONYMOUS LOGON");
	snprintf(c.sid_str, sizeof(c.sid_str), "S-1-5-7");
	c.auth_type = DCERPC_AUTH_TYPE_NTLMSSP;
	log_at_level_1(&got);
	refuse_many(&c, NOW + 3600, 500);
	log_reset();
	assert_int_equal(got.lines, 2);
	assert_int_equal(got.summaries, 2);
}

static void test_authenticated_refusals_stay_one_line_each_at_level_1(
	void **state)
{
	struct bpa_srv_caller c;
	struct captured got;

	/* a domain account over NTLM: a principal, so each is audited */
	fill_caller(&c, "BPA\\PEER1$");
	c.auth_type = DCERPC_AUTH_TYPE_NTLMSSP;
	log_at_level_1(&got);
	refuse_many(&c, NOW + 7200, 10);
	log_reset();
	/* text and JSON line of each of the 11 calls */
	assert_int_equal(got.lines, 22);
	assert_int_equal(got.summaries, 0);
	assert_non_null(strstr(got.last, "bitspeerauth-audit: {"));
}

/* Seed bits-validate-server-certificate: which phase decided */
static void test_phase_and_validator_cached(void **state)
{
	struct bpa_srv_caller c;
	struct bpa_exchange_result ok = {
		.hr = BPA_S_OK,
		.verdict = BPA_EXCHANGE_ADDED,
		.reason = "added",
		.phase = "validator",
		.validator_cached = true,
	};
	struct bpa_exchange_result no = {
		.hr = HRES_ERROR(0x80200074),
		.verdict = BPA_EXCHANGE_INVALID_CERT,
		.reason = "validator-unavailable",
		.phase = "validator-unavailable",
	};
	char *s = NULL;

	fill_caller(&c, "PEER1$");
	s = bpa_srv_audit_json(NULL, &c, &ok, NOW);
	assert_non_null(strstr(s, "\"phase\": \"validator\", "
				  "\"validatorCached\": true, "
				  "\"hresult\": \"0x00000000\"}"));
	talloc_free(s);
	s = bpa_srv_audit_text(NULL, &c, &ok);
	assert_non_null(strstr(s, " phase=validator validatorCached=yes"));
	talloc_free(s);
	s = bpa_srv_audit_json(NULL, &c, &no, NOW);
	assert_non_null(strstr(s, "\"phase\": \"validator-unavailable\", "
				  "\"hresult\": \"0x80200074\"}"));
	assert_null(strstr(s, "validatorCached"));
	talloc_free(s);
	/* no certificate validated: no phase */
	ok.phase = NULL;
	s = bpa_srv_audit_json(NULL, &c, &ok, NOW);
	assert_null(strstr(s, "phase"));
	talloc_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_json_of_a_success_is_the_documented_object),
		cmocka_unit_test(
			test_json_escapes_quotes_and_control_characters),
		cmocka_unit_test(
			test_json_without_a_caller_has_empty_fields),
		cmocka_unit_test(
			test_text_line_names_caller_verdict_and_reason),
		cmocka_unit_test(
			test_audit_logs_every_verdict_without_crashing),
		cmocka_unit_test(
		    test_unauthenticated_refusals_give_one_summary_a_minute),
		cmocka_unit_test(
		    test_anonymous_ntlm_refusals_are_not_logged_one_by_one),
		cmocka_unit_test(
		    test_authenticated_refusals_stay_one_line_each_at_level_1),
		cmocka_unit_test(test_phase_and_validator_cached),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
