/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What one ExchangePublicKeys does with a ClientKey (MS-BPAU 3.1.4.1),
 * source/rpc_server/exchange.c on a real peer table (tdb in a temporary
 * folder), a real local certificate (source/localcert) and client
 * certificates from torture/torture_cert.c, an independent encoder.
 * Every refusal: the HRESULT, the named verdict, no server key, and the
 * table unchanged.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <cmocka.h>
#include <talloc.h>
#include "util/bpa_hresult.h"
#include "util/sid_string.h"
#include "util/bpa_config.h"
#include "peers/peer_table.h"
#include "localcert/local_cert.h"
#include "rpc_server/auth_check.h"
#include "rpc_server/server_state.h"
#include "rpc_server/exchange.h"
#include "rpc_server/exchange_async.h"
#include "validator/validator.h"
#include "torture/torture_cert.h"
#include <signal.h>
#include <errno.h>
#include <tevent.h>

#define DOM "S-1-5-21-1778051447-1805189228-3439535259"
#define DC_SID DOM "-1000"
#define PEER1 DOM "-1103"
#define PEER2 DOM "-1104"
#define PEER3 DOM "-1105"

/* Made once for all tests (RSA key generation is slow under valgrind) */
struct group {
	char dir[64];
	DATA_BLOB peer[4];		/* [n]: a blob of PEERn, n = 1..3 */
};
static struct group *grp;

struct ctx {
	char dir[64];
	struct bpa_srv_state state;
	time_t now;
};

static struct bpa_srv_caller *caller_of(TALLOC_CTX *mem_ctx, const char *s)
{
	struct bpa_srv_caller *c = talloc_zero(mem_ctx, struct bpa_srv_caller);

	assert_non_null(c);
	assert_true(bpa_sid_parse(s, &c->sid));
	snprintf(c->sid_str, sizeof(c->sid_str), "%s", s);
	c->account_name = "BPA\\PEER$";
	c->remote = "ipv4:127.0.0.1:40000";
	c->auth_type = DCERPC_AUTH_TYPE_KRB5;
	c->auth_level = DCERPC_AUTH_LEVEL_INTEGRITY;
	return c;
}

static int rm_rf(const char *dir)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static int group_setup(void **gstate)
{
	const char *sids[] = { NULL, PEER1, PEER2, PEER3 };
	const char *err = NULL;
	size_t i;

	grp = talloc_zero(NULL, struct group);
	assert_non_null(grp);
	snprintf(grp->dir, sizeof(grp->dir), "/tmp/bpa-test-exchange-XXXXXX");
	assert_non_null(mkdtemp(grp->dir));
	for (i = 1; i < 4; i++) {
		assert_true(bpa_torture_make_blob(grp, sids[i], &grp->peer[i],
						  &err));
	}
	return 0;
}

static int group_teardown(void **gstate)
{
	int ret = rm_rf(grp->dir);

	TALLOC_FREE(grp);
	return ret == 0 ? 0 : -1;
}

static int setup(void **pstate)
{
	struct ctx *c = talloc_zero(NULL, struct ctx);
	struct bpa_peer_table_params tp;
	struct bpa_local_cert_params cp = { .key_bits = 2048 };
	struct bpa_config *cfg = NULL;
	struct dom_sid dc;
	HRESULT hr;

	assert_non_null(c);
	snprintf(c->dir, sizeof(c->dir), "/tmp/bpa-test-exchange-XXXXXX");
	assert_non_null(mkdtemp(c->dir));
	c->now = time(NULL);
	cfg = talloc_zero(c, struct bpa_config);
	assert_non_null(cfg);
	cfg->max_peers = 2;
	cfg->evict_min_age = 60;
	cfg->min_rsa_bits = 2048;
	cfg->max_rsa_bits = 16384;
	cfg->clock_skew = 300;
	c->state.cfg = cfg;
	c->state.pid = getpid();

	bpa_peer_table_params_init(&tp);
	tp.path = talloc_asprintf(c, "%s/peers.tdb", c->dir);
	tp.max_peers = cfg->max_peers;
	tp.evict_min_age = cfg->evict_min_age;
	hr = bpa_peer_table_open(c, &tp, &c->state.table);
	assert_true(HRES_IS_OK(hr));

	assert_true(bpa_sid_parse(DC_SID, &dc));
	c->state.self.sid = dc;
	cp.cert_file = talloc_asprintf(c, "%s/cert.pem", grp->dir);
	cp.key_file = talloc_asprintf(c, "%s/key.pem", grp->dir);
	cp.sid = &dc;
	cp.dns_name = "vm.bpa.test";
	cp.lifetime_days = 30;
	cp.renew_days = 1;
	cp.now = c->now;
	hr = bpa_local_cert_load_or_create(c, &cp, &c->state.cert);
	assert_true(HRES_IS_OK(hr));
	*pstate = c;
	return 0;
}

static int teardown(void **pstate)
{
	struct ctx *c = *pstate;
	int ret;

	TALLOC_FREE(c->state.table);
	ret = rm_rf(c->dir);
	talloc_free(c);
	return ret == 0 ? 0 : -1;
}

static char *table_text(TALLOC_CTX *mem_ctx, struct ctx *c)
{
	uint32_t n = 0;
	struct bpa_peer *p = NULL;
	struct dom_sid sid;
	char *s = NULL;
	const char *sids[] = { PEER1, PEER2, PEER3 };
	size_t i;

	assert_true(HRES_IS_OK(bpa_peer_table_count(c->state.table, &n)));
	s = talloc_asprintf(mem_ctx, "%u", n);
	for (i = 0; i < 3; i++) {
		assert_true(bpa_sid_parse(sids[i], &sid));
		if (HRES_IS_OK(bpa_peer_table_get(mem_ctx, c->state.table,
						  &sid, &p))) {
			s = talloc_asprintf_append(s, " %s:%02x%02x%02x%02x",
						   sids[i], p->cert_hash[0],
						   p->cert_hash[1],
						   p->cert_hash[2],
						   p->cert_hash[3]);
		}
	}
	return s;
}

static DATA_BLOB blob_for(TALLOC_CTX *mem_ctx,
			  const char *subject,
			  const struct bpa_torture_cert_opts *o)
{
	struct bpa_torture_cert_opts none = { 0 };
	DATA_BLOB b = data_blob_null;
	const char *err = NULL;

	assert_true(bpa_torture_make_blob_opts(mem_ctx, subject,
					       o ? o : &none, &b, &err));
	return b;
}

/* One call; returns the result */
static void exchange(TALLOC_CTX *mem_ctx,
		     struct ctx *c,
		     const char *caller,
		     const DATA_BLOB *key,
		     struct bpa_exchange_result *res)
{
	memset(res, 0, sizeof(*res));
	bpa_srv_exchange(mem_ctx, &c->state, caller_of(mem_ctx, caller),
			 key ? key->data : NULL, key ? key->length : 0,
			 c->now, res);
	assert_non_null(res->reason);
}

static void assert_served(const struct bpa_exchange_result *res,
			  const struct ctx *c)
{
	assert_int_equal(HRES_ERROR_V(res->hr), 0);
	assert_int_equal(res->server_blob.length, c->state.cert->blob.length);
	assert_memory_equal(res->server_blob.data, c->state.cert->blob.data,
			    res->server_blob.length);
}

static void test_no_client_key_returns_the_server_blob_only(void **pstate)
{
	struct ctx *c = *pstate;
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct bpa_exchange_result res;
	char *subject = NULL;
	const char *err = NULL;

	exchange(mem_ctx, c, PEER1, NULL, &res);
	assert_int_equal(res.verdict, BPA_EXCHANGE_SERVED);
	assert_served(&res, c);
	subject = bpa_torture_blob_subject(mem_ctx, &res.server_blob, &err);
	assert_string_equal(subject, DC_SID);
	assert_string_equal(table_text(mem_ctx, c), "0");
	talloc_free(mem_ctx);
}

static void test_own_certificate_is_added_then_replaced(void **pstate)
{
	struct ctx *c = *pstate;
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct bpa_exchange_result res;
	DATA_BLOB b1 = grp->peer[1];
	DATA_BLOB b2 = blob_for(mem_ctx, PEER1, NULL);
	char *first = NULL;

	exchange(mem_ctx, c, PEER1, &b1, &res);
	assert_int_equal(res.verdict, BPA_EXCHANGE_ADDED);
	assert_served(&res, c);
	assert_string_equal(res.subject, PEER1);
	first = table_text(mem_ctx, c);
	assert_int_equal(first[0], '1');

	exchange(mem_ctx, c, PEER1, &b2, &res);
	assert_int_equal(res.verdict, BPA_EXCHANGE_ADDED);
	assert_string_not_equal(table_text(mem_ctx, c), first);
	assert_int_equal(table_text(mem_ctx, c)[0], '1');
	talloc_free(mem_ctx);
}

struct refusal {
	const char *name;
	const char *subject;		/* NULL: garbage bytes; PEER2 and
					 * DC_SID: blobs made once */
	struct bpa_torture_cert_opts opts;
	enum bpa_exchange_verdict verdict;
	uint32_t hr;
};

static const struct refusal refusals[] = {
	{ "another computer's SID", PEER2, { 0 },
	  BPA_EXCHANGE_WRONG_SUBJECT, 0x80070005 },
	{ "the DC's SID", DC_SID, { 0 },
	  BPA_EXCHANGE_WRONG_SUBJECT, 0x80070005 },
	{ "subject not a SID", "bitspeerauth test", { 0 },
	  BPA_EXCHANGE_WRONG_SUBJECT, 0x80070005 },
	{ "SID in lower case", "s-1-5-21-1778051447-1805189228-3439535259-1103",
	  { 0 }, BPA_EXCHANGE_WRONG_SUBJECT, 0x80070005 },
	{ "not a CERTIFICATE_BLOB", NULL, { 0 },
	  BPA_EXCHANGE_BAD_BLOB, 0x80070057 },
	{ "expired", PEER1, { .expired = true },
	  BPA_EXCHANGE_INVALID_CERT, 0x800B0101 },
	{ "serverAuth only", PEER1, { .server_auth_only = true },
	  BPA_EXCHANGE_INVALID_CERT, 0x800B0110 },
	{ "RSA 1024", PEER1, { .rsa_bits = 1024 },
	  BPA_EXCHANGE_INVALID_CERT, 0x80090003 },
	{ "SHA1_HASH property of other bytes", PEER1,
	  { .bad_sha1_property = true },
	  BPA_EXCHANGE_INVALID_CERT, 0x80091007 },
	/* 3.1.4.1: whose certificate it is decides before the policy
	 * (issue 9 item 2: these were 0x800B0101, 0x80090003, ...) */
	{ "another computer's SID, expired", PEER2, { .expired = true },
	  BPA_EXCHANGE_WRONG_SUBJECT, 0x80070005 },
	{ "another computer's SID, RSA 1024", PEER2, { .rsa_bits = 1024 },
	  BPA_EXCHANGE_WRONG_SUBJECT, 0x80070005 },
	{ "another computer's SID, serverAuth only", PEER2,
	  { .server_auth_only = true },
	  BPA_EXCHANGE_WRONG_SUBJECT, 0x80070005 },
	{ "another computer's SID, bad SHA1_HASH", PEER2,
	  { .bad_sha1_property = true },
	  BPA_EXCHANGE_WRONG_SUBJECT, 0x80070005 },
};

static bool opts_none(const struct bpa_torture_cert_opts *o)
{
	return o->rsa_bits == 0 && !o->client_auth_only &&
	       !o->server_auth_only && !o->expired && !o->bad_sha1_property;
}

static void test_refusals_leave_the_table_unchanged(void **pstate)
{
	struct ctx *c = *pstate;
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct bpa_exchange_result res;
	DATA_BLOB own = grp->peer[1];
	static const uint8_t junk[] = "not a CERTIFICATE_BLOB at all";
	char *before = NULL;
	size_t i;

	exchange(mem_ctx, c, PEER1, &own, &res);
	assert_int_equal(res.verdict, BPA_EXCHANGE_ADDED);
	before = table_text(mem_ctx, c);

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		const struct refusal *r = &refusals[i];
		DATA_BLOB b = data_blob_const(junk, sizeof(junk) - 1);

		if (r->subject == NULL) {
			/* the junk above */
		} else if (strcmp(r->subject, PEER2) == 0 &&
			   opts_none(&r->opts)) {
			b = grp->peer[2];
		} else if (strcmp(r->subject, DC_SID) == 0) {
			b = c->state.cert->blob;
		} else {
			b = blob_for(mem_ctx, r->subject, &r->opts);
		}
		exchange(mem_ctx, c, PEER1, &b, &res);
		print_message("# %s: %s, %s, 0x%08x\n", r->name,
			      bpa_exchange_verdict_name(res.verdict),
			      res.reason, HRES_ERROR_V(res.hr));
		assert_int_equal(res.verdict, r->verdict);
		assert_int_equal(HRES_ERROR_V(res.hr), r->hr);
		assert_int_equal(res.server_blob.length, 0);
		assert_null(res.server_blob.data);
		assert_string_equal(table_text(mem_ctx, c), before);
	}
	talloc_free(mem_ctx);
}

static void test_full_table_refuses_a_new_peer(void **pstate)
{
	struct ctx *c = *pstate;
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct bpa_exchange_result res;
	DATA_BLOB b1 = grp->peer[1];
	DATA_BLOB b2 = grp->peer[2];
	DATA_BLOB b3 = grp->peer[3];
	char *before = NULL;

	exchange(mem_ctx, c, PEER1, &b1, &res);
	assert_int_equal(res.verdict, BPA_EXCHANGE_ADDED);
	exchange(mem_ctx, c, PEER2, &b2, &res);
	assert_int_equal(res.verdict, BPA_EXCHANGE_ADDED);
	before = table_text(mem_ctx, c);

	/* max peers 2, both younger than 60 s: <3> */
	exchange(mem_ctx, c, PEER3, &b3, &res);
	assert_int_equal(res.verdict, BPA_EXCHANGE_TABLE_FULL);
	assert_int_equal(HRES_ERROR_V(res.hr), 0x80040006);
	assert_int_equal(res.server_blob.length, 0);
	assert_string_equal(table_text(mem_ctx, c), before);

	/* 61 s later the oldest row may go */
	c->now += 61;
	exchange(mem_ctx, c, PEER3, &b3, &res);
	assert_int_equal(res.verdict, BPA_EXCHANGE_ADDED);
	assert_int_equal(table_text(mem_ctx, c)[0], '2');
	talloc_free(mem_ctx);
}

/*
 * exchange_async.h: with a validator the checks run in a child process.
 * The test validator (a callback) writes its pid to a file, then does
 * what the file "<dir>/what" says: accept, refuse, die, wait.
 */
static HRESULT test_validator(void *private_data,
			      const struct bpa_validator_request *req)
{
	struct ctx *c = private_data;
	char path[128], what[16] = "";
	FILE *f = NULL;

	snprintf(path, sizeof(path), "%s/pid", c->dir);
	f = fopen(path, "w");
	if (f != NULL) {
		fprintf(f, "%d\n", (int)getpid());
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/what", c->dir);
	f = fopen(path, "r");
	if (f != NULL) {
		if (fgets(what, sizeof(what), f) == NULL) {
			what[0] = '\0';
		}
		fclose(f);
	}
	if (strncmp(what, "refuse", 6) == 0) {
		return HRES_ERROR(0x800b0109);
	}
	if (strncmp(what, "die", 3) == 0) {
		raise(SIGKILL);
	}
	if (strncmp(what, "wait", 4) == 0) {
		sleep(30);
	}
	return BPA_S_OK;
}

static void with_validator(struct ctx *c, const char *what)
{
	static unsigned n;
	struct bpa_validation_params vp = { .timeout = 10 };
	char path[128];
	FILE *f = NULL;

	/* a file of its own: tdb opens a file once per process */
	vp.cache_file = talloc_asprintf(c, "%s/vcache-%u.tdb", c->dir, n++);
	assert_true(HRES_IS_OK(bpa_validation_ctx_new(c, &vp,
						      &c->state.validator)));
	bpa_validation_set_callback(c->state.validator, test_validator, c);
	snprintf(path, sizeof(path), "%s/what", c->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", what);
	fclose(f);
	c->state.cfg->validator_timeout = 10;
	c->state.cfg->revocation_url_timeout = 1000;
}

static int validator_pid(struct ctx *c)
{
	char path[128];
	FILE *f = NULL;
	int pid = 0;

	snprintf(path, sizeof(path), "%s/pid", c->dir);
	f = fopen(path, "r");
	if (f != NULL) {
		if (fscanf(f, "%d", &pid) != 1) {
			pid = 0;
		}
		fclose(f);
		unlink(path);
	}
	return pid;
}

/* One call through bpa_srv_exchange_send(), run to its end */
static void exchange_async(TALLOC_CTX *mem_ctx,
			   struct tevent_context *ev,
			   struct ctx *c,
			   const char *caller,
			   const DATA_BLOB *key,
			   struct bpa_exchange_result *res)
{
	struct tevent_req *req = NULL;

	memset(res, 0, sizeof(*res));
	req = bpa_srv_exchange_send(mem_ctx, ev, &c->state,
				    caller_of(mem_ctx, caller),
				    key ? key->data : NULL,
				    key ? key->length : 0, c->now);
	assert_non_null(req);
	assert_true(tevent_req_poll(req, ev));
	bpa_srv_exchange_recv(req, res);
	TALLOC_FREE(req);
	assert_non_null(res->reason);
}

static void test_async_checks_run_in_a_child(void **pstate)
{
	struct ctx *c = *pstate;
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct tevent_context *ev = tevent_context_init(mem_ctx);
	struct bpa_exchange_result res;
	DATA_BLOB b1 = grp->peer[1];
	int pid, second;

	assert_non_null(ev);
	assert_false(bpa_srv_exchange_may_block(&c->state));
	with_validator(c, "accept");
	assert_true(bpa_srv_exchange_may_block(&c->state));

	exchange_async(mem_ctx, ev, c, PEER1, &b1, &res);
	assert_int_equal(res.verdict, BPA_EXCHANGE_ADDED);
	assert_served(&res, c);
	assert_string_equal(res.subject, PEER1);
	assert_string_equal(res.phase, "validator");
	assert_false(res.validator_cached);
	pid = validator_pid(c);
	assert_true(pid > 0);
	assert_int_not_equal(pid, (int)getpid());
	/* the checker lives on; the row is the serving process's */
	assert_int_equal(kill(pid, 0), 0);
	assert_int_equal(table_text(mem_ctx, c)[0], '1');

	/* the same checker answers the next one (a callback's cached
	 * successes are its process's, validator_ctx.c, so it is asked) */
	exchange_async(mem_ctx, ev, c, PEER1, &b1, &res);
	assert_int_equal(res.verdict, BPA_EXCHANGE_ADDED);
	second = validator_pid(c);
	assert_int_equal(second, pid);

	/* ClientKeyLength 0: nothing to check, the checker not asked */
	exchange_async(mem_ctx, ev, c, PEER2, NULL, &res);
	assert_int_equal(res.verdict, BPA_EXCHANGE_SERVED);
	assert_served(&res, c);
	assert_int_equal(validator_pid(c), 0);
	/* the loop goes, and the checker with it */
	talloc_free(mem_ctx);
	assert_int_equal(kill(pid, 0), -1);
}

static void test_async_refusal_and_a_dead_child(void **pstate)
{
	struct ctx *c = *pstate;
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct tevent_context *ev = tevent_context_init(mem_ctx);
	struct bpa_exchange_result res;
	DATA_BLOB b2 = grp->peer[2];
	char *before = NULL;

	assert_non_null(ev);
	with_validator(c, "refuse");
	before = table_text(mem_ctx, c);
	exchange_async(mem_ctx, ev, c, PEER2, &b2, &res);
	assert_int_equal(res.verdict, BPA_EXCHANGE_INVALID_CERT);
	assert_int_equal(HRES_ERROR_V(res.hr), 0x800b0109);
	assert_non_null(strstr(res.reason, "refused by the validator"));
	assert_string_equal(res.phase, "validator");
	assert_int_equal(res.server_blob.length, 0);
	assert_string_equal(table_text(mem_ctx, c), before);

	with_validator(c, "die");
	exchange_async(mem_ctx, ev, c, PEER2, &b2, &res);
	assert_int_equal(res.verdict, BPA_EXCHANGE_ERROR);
	assert_int_equal(HRES_ERROR_V(res.hr), 0x80004005);
	assert_string_equal(res.reason, "checks-failed");
	assert_int_equal(res.server_blob.length, 0);
	assert_string_equal(table_text(mem_ctx, c), before);
	talloc_free(mem_ctx);
}

static void test_async_freed_request_kills_its_child(void **pstate)
{
	struct ctx *c = *pstate;
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct tevent_context *ev = tevent_context_init(mem_ctx);
	struct tevent_req *req = NULL;
	DATA_BLOB b1 = grp->peer[1];
	char *before = NULL;
	int pid = 0;
	int i;

	assert_non_null(ev);
	with_validator(c, "wait");
	before = table_text(mem_ctx, c);
	req = bpa_srv_exchange_send(mem_ctx, ev, &c->state,
				    caller_of(mem_ctx, PEER1), b1.data,
				    b1.length, c->now);
	assert_non_null(req);
	for (i = 0; i < 600 && pid == 0; i++) {
		usleep(50000);
		pid = validator_pid(c);
	}
	assert_true(pid > 0);
	assert_true(tevent_req_is_in_progress(req));
	/* the connection went away: the call and its request with it; the
	 * checker is killed (reaped from the loop, or at once) */
	TALLOC_FREE(req);
	for (i = 0; i < 100 && kill(pid, 0) == 0; i++) {
		assert_int_equal(tevent_loop_once(ev), 0);
	}
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	assert_string_equal(table_text(mem_ctx, c), before);
	talloc_free(mem_ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_no_client_key_returns_the_server_blob_only,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_own_certificate_is_added_then_replaced,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_refusals_leave_the_table_unchanged,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_full_table_refuses_a_new_peer, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_async_checks_run_in_a_child, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_async_refusal_and_a_dead_child, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_async_freed_request_kills_its_child, setup,
			teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
