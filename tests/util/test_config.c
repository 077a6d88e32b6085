/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bpa_config_load() through bpa_options[]: every option's default when
 * smb.conf is silent, every number's range (min and max accepted, one
 * past either end replaced by the default), booleans and paths set.
 * The table itself is compared with the documentation by
 * tests/docs/check_options.py.
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
#include <cmocka.h>
#include <talloc.h>
#include <param.h>
#include "util/bpa_config.h"

const char *lpcfg_state_directory(struct loadparm_context *);

enum probe { PROBE_NONE, PROBE_MIN, PROBE_MAX, PROBE_BELOW, PROBE_ABOVE,
	     PROBE_SET };

/* An smb.conf setting every option to its @p probe; the loaded config */
static struct bpa_config *load(TALLOC_CTX *mem_ctx,
			       enum probe p,
			       struct loadparm_context **plp)
{
	char path[] = "/tmp/bpa-test-config-XXXXXX";
	const struct bpa_option *opts = NULL;
	struct loadparm_context *lp = NULL;
	struct bpa_config *c = NULL;
	size_t n = 0;
	size_t i;
	FILE *f = NULL;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "[global]\n");
	opts = bpa_config_options(&n);
	for (i = 0; i < n && p != PROBE_NONE; i++) {
		const struct bpa_option *o = &opts[i];
		unsigned long v = o->def;

		switch (o->type) {
		case BPA_OPTION_UINT:
			if (p == PROBE_MIN) {
				v = o->min;
			} else if (p == PROBE_MAX) {
				v = o->max;
			} else if (p == PROBE_BELOW && o->min > 0) {
				v = (unsigned long)o->min - 1;
			} else if (p == PROBE_ABOVE) {
				v = (unsigned long)o->max + 1;
			}
			fprintf(f, "bitspeerauth:%s = %lu\n", o->name, v);
			break;
		case BPA_OPTION_BOOL:
			if (p == PROBE_SET) {
				fprintf(f, "bitspeerauth:%s = %s\n", o->name,
					o->def ? "no" : "yes");
			}
			break;
		case BPA_OPTION_PATH:
		case BPA_OPTION_STRING:
			if (p == PROBE_SET) {
				fprintf(f, "bitspeerauth:%s = /set/%s\n",
					o->name, o->name);
			}
			break;
		}
	}
	assert_int_equal(fclose(f), 0);
	lp = loadparm_init(mem_ctx);
	assert_non_null(lp);
	assert_true(lpcfg_load(lp, path));
	unlink(path);
	c = bpa_config_load(mem_ctx, lp);
	assert_non_null(c);
	*plp = lp;
	return c;
}

#define FIELD(c, o, T) (*(T *)((char *)(c) + (o)->offset))

static void check_all(enum probe p)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct loadparm_context *lp = NULL;
	struct bpa_config *c = load(mem_ctx, p, &lp);
	const struct bpa_option *opts = NULL;
	size_t n = 0;
	size_t i;

	opts = bpa_config_options(&n);
	assert_true(n > 0);
	/* a strict option out of range is named, in range it is not */
	if (p == PROBE_ABOVE || p == PROBE_BELOW) {
		assert_non_null(c->refused_option);
	} else {
		assert_null(c->refused_option);
	}
	for (i = 0; i < n; i++) {
		const struct bpa_option *o = &opts[i];
		char *want = NULL;

		switch (o->type) {
		case BPA_OPTION_UINT: {
			uint32_t v = FIELD(c, o, uint32_t);
			uint32_t exp = o->def;

			if (p == PROBE_MIN) {
				exp = o->min;
			} else if (p == PROBE_MAX) {
				exp = o->max;
			}
			if (v != exp) {
				print_error("%s: %u, expected %u\n", o->name,
					    v, exp);
			}
			assert_int_equal(v, exp);
			assert_true(o->min <= o->def && o->def <= o->max);
			break;
		}
		case BPA_OPTION_BOOL:
			assert_int_equal(FIELD(c, o, bool),
					 p == PROBE_SET ? !o->def : !!o->def);
			break;
		case BPA_OPTION_PATH:
		case BPA_OPTION_STRING:
			if (p == PROBE_SET) {
				want = talloc_asprintf(mem_ctx, "/set/%s",
						       o->name);
			} else if (o->type == BPA_OPTION_STRING) {
				want = talloc_strdup(mem_ctx, o->def_str);
			} else {
				want = talloc_asprintf(mem_ctx, "%s/%s",
					o->dir == BPA_DIR_PRIVATE ?
					lpcfg_private_dir(lp) :
					lpcfg_state_directory(lp),
					o->def_str);
			}
			if (want == NULL) {
				assert_null(FIELD(c, o, char *));
			} else {
				assert_string_equal(FIELD(c, o, char *), want);
			}
			break;
		}
	}
	talloc_free(mem_ctx);
}

static void test_defaults(void **state)
{
	check_all(PROBE_NONE);
}

static void test_min_max_accepted(void **state)
{
	check_all(PROBE_MIN);
	check_all(PROBE_MAX);
}

static void test_out_of_range_is_default(void **state)
{
	check_all(PROBE_BELOW);
	check_all(PROBE_ABOVE);
}

static void test_set(void **state)
{
	check_all(PROBE_SET);
}

/* Names are unique, and the documented form of each default exists */
static void test_table(void **state)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	const struct bpa_option *opts = NULL;
	size_t n = 0;
	size_t i;
	size_t j;

	opts = bpa_config_options(&n);
	for (i = 0; i < n; i++) {
		assert_non_null(bpa_option_default_string(mem_ctx, &opts[i]));
		for (j = i + 1; j < n; j++) {
			assert_string_not_equal(opts[i].name, opts[j].name);
		}
	}
	talloc_free(mem_ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_min_max_accepted),
		cmocka_unit_test(test_out_of_range_is_default),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
