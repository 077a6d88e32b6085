/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The prefetch schedule (seed cert-open-server-ocsp-response) with a
 * test clock: every rule of the seed, the minimum interval, the backoff
 * and its cap, table-driven; when a response may be handed out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdio.h>
#include <cmocka.h>
#include <string.h>
#include "util/bpa_hresult.h"
#include "util/bpa_config.h"
#include "prefetch/schedule.h"
#include "prefetch/prefetch_config.h"

#define NOW ((time_t)1800000000)

struct sched_case {
	const char *what;
	bool small;		/* max 20, min before 3, min after 1 */
	bool held;
	time_t next_update;	/* relative to NOW */
	uint32_t failures;
	bool attempted;
	time_t last_attempt;	/* relative to NOW */
	time_t want_due;	/* relative to NOW */
	enum bpa_prefetch_rule want_rule;
};

static const struct sched_case sched_cases[] = {
	{ "nothing held, never tried: now", false, false, 0, 0, false, 0,
	  0, BPA_PREFETCH_RULE_FIRST },
	{ "a day left: nextUpdate - max before", false, true, 86400, 0,
	  true, 0, 86400 - 14400, BPA_PREFETCH_RULE_MAX_BEFORE },
	{ "max before reached later than the last attempt", false, true,
	  14400 + 30, 0, true, -3600, 30, BPA_PREFETCH_RULE_MAX_BEFORE },
	{ "shorter than max before: one step after the last attempt",
	  false, true, 3600, 0, true, 0, 60,
	  BPA_PREFETCH_RULE_MIN_INTERVAL },
	{ "max before long past, last attempt long ago: now", false, true,
	  3600, 0, true, -7200, 0, BPA_PREFETCH_RULE_MAX_BEFORE },
	{ "inside min before: nextUpdate + min after", false, true, 100, 0,
	  true, 0, 160, BPA_PREFETCH_RULE_MIN_AFTER },
	{ "exactly nextUpdate - min before: min after", false, true, 120,
	  0, false, 0, 180, BPA_PREFETCH_RULE_MIN_AFTER },
	{ "one second before the window, pushed into it by the interval",
	  false, true, 121, 0, true, 0, 181,
	  BPA_PREFETCH_RULE_MIN_AFTER },
	{ "nextUpdate passed, before + min after: wait for it", false,
	  true, -10, 0, true, -500, 50, BPA_PREFETCH_RULE_MIN_AFTER },
	{ "nextUpdate + min after passed: now", false, true, -100, 0, true,
	  -1000, 0, BPA_PREFETCH_RULE_MAX_BEFORE },
	{ "first failure: one step", false, false, 0, 1, true, 0, 60,
	  BPA_PREFETCH_RULE_BACKOFF },
	{ "second failure: doubled", false, false, 0, 2, true, 0, 120,
	  BPA_PREFETCH_RULE_BACKOFF },
	{ "third failure: doubled again", false, false, 0, 3, true, 0, 240,
	  BPA_PREFETCH_RULE_BACKOFF },
	{ "seventh failure: capped at an hour", false, false, 0, 7, true, 0,
	  3600, BPA_PREFETCH_RULE_BACKOFF },
	{ "the millionth failure: still an hour, never gives up", false,
	  false, 0, 1000000, true, 0, 3600, BPA_PREFETCH_RULE_BACKOFF },
	{ "backoff already elapsed: now", false, false, 0, 2, true, -1000,
	  0, BPA_PREFETCH_RULE_BACKOFF },
	{ "failing while held: backoff", false, true, 86400, 1, true, 0, 60,
	  BPA_PREFETCH_RULE_BACKOFF },
	{ "backoff into min before: nextUpdate + min after", false, true,
	  130, 1, true, 0, 190, BPA_PREFETCH_RULE_MIN_AFTER },
	{ "small: first failure one second", true, false, 0, 1, true, 0, 1,
	  BPA_PREFETCH_RULE_BACKOFF },
	{ "small: third failure four seconds", true, false, 0, 3, true, 0,
	  4, BPA_PREFETCH_RULE_BACKOFF },
	{ "small: capped at max before / 4", true, false, 0, 9, true, 0, 5,
	  BPA_PREFETCH_RULE_BACKOFF },
	{ "small: 60 s response refreshed 20 s before", true, true, 60, 0,
	  true, 0, 40, BPA_PREFETCH_RULE_MAX_BEFORE },
	{ "small: inside min before", true, true, 2, 0, true, 0, 3,
	  BPA_PREFETCH_RULE_MIN_AFTER },
};

static void test_schedule_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(sched_cases) / sizeof(sched_cases[0]); i++) {
		const struct sched_case *c = &sched_cases[i];
		struct bpa_prefetch_settings s;
		struct bpa_prefetch_sched_in in = {
			.have_response = c->held,
			.next_update = NOW + c->next_update,
			.failures = c->failures,
			.have_attempt = c->attempted,
			.last_attempt = NOW + c->last_attempt,
			.now = NOW,
		};
		struct bpa_prefetch_sched out;

		bpa_prefetch_settings_init(&s);
		if (c->small) {
			s.max_before = 20;
			s.min_before = 3;
			s.min_after = 1;
			s.min_validity = 1;
		}
		out = bpa_prefetch_schedule(&s, &in);
		print_message("# %s: due %+lld (%s)\n", c->what,
			      (long long)(out.due - NOW),
			      bpa_prefetch_rule_name(out.rule));
		assert_int_equal(out.due - NOW, c->want_due);
		assert_int_equal(out.rule, c->want_rule);
		assert_true(out.due >= NOW);
	}
}

/* The backoff never shrinks, never exceeds its cap, never overflows */
static void test_backoff_monotonic(void **state)
{
	struct bpa_prefetch_settings s;
	uint32_t prev = 0;
	uint32_t k;

	bpa_prefetch_settings_init(&s);
	assert_int_equal(bpa_prefetch_backoff(&s, 0), 0);
	for (k = 1; k < 200; k++) {
		uint32_t b = bpa_prefetch_backoff(&s, k);

		assert_true(b >= prev);
		assert_true(b <= BPA_PREFETCH_BACKOFF_MAX);
		assert_true(b >= 1);
		prev = b;
	}
	assert_int_equal(prev, BPA_PREFETCH_BACKOFF_MAX);
	assert_int_equal(bpa_prefetch_backoff(&s, UINT32_MAX),
			 BPA_PREFETCH_BACKOFF_MAX);
	/* min after 0: the step is still one second */
	s.min_after = 0;
	assert_int_equal(bpa_prefetch_backoff(&s, 1), 1);
}

static void test_usable(void **state)
{
	struct bpa_prefetch_settings s;

	bpa_prefetch_settings_init(&s);
	assert_true(bpa_prefetch_usable(&s, NOW + 86400, NOW));
	assert_true(bpa_prefetch_usable(&s, NOW + 600, NOW));
	assert_false(bpa_prefetch_usable(&s, NOW + 599, NOW));
	assert_false(bpa_prefetch_usable(&s, NOW, NOW));
	assert_false(bpa_prefetch_usable(&s, NOW - 1, NOW));
	s.min_validity = 0;
	/* never at or past nextUpdate, whatever min validity says */
	assert_true(bpa_prefetch_usable(&s, NOW + 1, NOW));
	assert_false(bpa_prefetch_usable(&s, NOW, NOW));
}

static void test_settings(void **state)
{
	struct bpa_prefetch_settings s;

	bpa_prefetch_settings_init(&s);
	assert_int_equal(s.min_validity, 600);
	assert_int_equal(s.url_timeout_ms, 15000);
	assert_int_equal(s.max_before, 14400);
	assert_int_equal(s.min_before, 120);
	assert_int_equal(s.min_after, 60);
	assert_true(bpa_prefetch_settings_valid(&s));
	s.min_before = s.max_before + 1;
	assert_false(bpa_prefetch_settings_valid(&s));
	assert_string_equal(bpa_prefetch_rule_name(BPA_PREFETCH_RULE_BACKOFF),
			    "backoff");
	assert_string_equal(
		bpa_prefetch_rule_name(BPA_PREFETCH_RULE_MIN_AFTER),
		"min-after-next-update");
}

/* "ocsp prefetch": auto follows the AIA URL; other words refused */
static void test_mode_parse(void **state)
{
	static const struct {
		const char *s;
		bool has_url;
		bool ok;
		enum bpa_prefetch_mode want;
	} cases[] = {
		{ "auto", true, true, BPA_PREFETCH_MODE_ASYNC },
		{ "auto", false, true, BPA_PREFETCH_MODE_NO },
		{ NULL, true, true, BPA_PREFETCH_MODE_ASYNC },
		{ "no", true, true, BPA_PREFETCH_MODE_NO },
		{ "SYNC", false, true, BPA_PREFETCH_MODE_SYNC },
		{ "async", false, true, BPA_PREFETCH_MODE_ASYNC },
		{ "yes", true, false, BPA_PREFETCH_MODE_NO },
		{ "", true, false, BPA_PREFETCH_MODE_NO },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum bpa_prefetch_mode m = BPA_PREFETCH_MODE_NO;

		assert_int_equal(bpa_prefetch_mode_parse(cases[i].s,
							 cases[i].has_url,
							 &m), cases[i].ok);
		if (cases[i].ok) {
			assert_int_equal(m, cases[i].want);
		}
	}
	assert_string_equal(bpa_prefetch_mode_name(BPA_PREFETCH_MODE_SYNC),
			    "sync");
}

/* From smb.conf: an out-of-range ocsp option refuses, not defaults */
static void test_params_from_config(void **state)
{
	struct bpa_config c;
	struct bpa_prefetch_params p;

	memset(&c, 0, sizeof(c));
	c.ocsp_min_validity = 5;
	c.ocsp_url_timeout = 100;
	c.ocsp_max_before = 20;
	c.ocsp_min_before = 3;
	c.ocsp_min_after = 1;
	c.clock_skew = 7;
	c.ocsp_response_file = (char *)"/x/resp.der";
	assert_true(HRES_IS_OK(bpa_prefetch_params_from_config(&c, &p)));
	assert_int_equal(p.s.min_validity, 5);
	assert_int_equal(p.s.url_timeout_ms, 100);
	assert_int_equal(p.s.max_before, 20);
	assert_int_equal(p.s.min_before, 3);
	assert_int_equal(p.s.min_after, 1);
	assert_int_equal(p.clock_skew, 7);
	assert_string_equal(p.response_file, "/x/resp.der");
	c.refused_option = "ocsp min validity";
	assert_true(HRES_IS_EQUAL(bpa_prefetch_params_from_config(&c, &p),
				  HRES_E_INVALIDARG));
	/* another feature's strict option is not ours to refuse */
	c.refused_option = "validator timeout";
	assert_true(HRES_IS_OK(bpa_prefetch_params_from_config(&c, &p)));
	c.refused_option = NULL;
	c.ocsp_min_before = 21;
	assert_true(HRES_IS_EQUAL(bpa_prefetch_params_from_config(&c, &p),
				  HRES_E_INVALIDARG));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schedule_table),
		cmocka_unit_test(test_backoff_monotonic),
		cmocka_unit_test(test_usable),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_mode_parse),
		cmocka_unit_test(test_params_from_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
