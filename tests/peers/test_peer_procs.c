/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The peer table across processes (MS-BPAU 3.1.4.1 <3>: the limit holds
 * whatever the concurrency):
 * - 8 forked processes adding 1000 distinct and overlapping SIDs each at
 *   once (and 2 readers asking 3.1.6.1 about stable peers meanwhile),
 *   with a large and a small table: nothing lost or duplicated,
 *   the limit never exceeded, the index consistent with the rows, and
 *   the file passing tdb_check() and "tdbtool FILE check";
 * - a process SIGKILLed in the middle of an add (inside the transaction,
 *   after prepare-commit, after commit): the table opens, is consistent,
 *   and holds exactly the old or the new state.
 * Not under valgrind (8 processes, real contention).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>
#include "util/sid_string.h"
#include "peers/peer_table.h"
/* the write-transaction hook, internal to source/peers */
#define BPA_PEER_TABLE_TEST_HOOK 1
#include "peers/peer_table_private.h"
#include "peer_test_util.h"

#define T0 1700000000
#define NPROCS 8
#define NADDS 1000
#define OWN_RID(c, k) (100000u * ((c) + 1) + (k))

struct fixture {
	char *dir;
	char *path;
};

static int setup(void **state)
{
	struct fixture *f = talloc_zero(NULL, struct fixture);

	assert_non_null(f);
	f->dir = ptu_tmpdir(f);
	assert_non_null(f->dir);
	f->path = talloc_asprintf(f, "%s/peers.tdb", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ptu_rmdir(f->dir);
	talloc_free(f);
	return 0;
}

static void assert_hr(HRESULT got, HRESULT want)
{
	if (!HRES_IS_EQUAL(got, want)) {
		fail_msg("got 0x%08x (%s), want 0x%08x (%s)",
			 HRES_ERROR_V(got), bpa_hresult_name(got),
			 HRES_ERROR_V(want), bpa_hresult_name(want));
	}
}

static struct bpa_peer_table *open_table(TALLOC_CTX *mem_ctx,
					 const char *path,
					 uint32_t max,
					 uint32_t min_age,
					 bool persistent)
{
	struct bpa_peer_table_params p;
	struct bpa_peer_table *t = NULL;

	bpa_peer_table_params_init(&p);
	p.path = path;
	p.max_peers = max;
	p.evict_min_age = min_age;
	p.persistent = persistent;
	assert_hr(bpa_peer_table_open(mem_ctx, &p, &t), BPA_S_OK);
	return t;
}

static uint32_t count_of(struct bpa_peer_table *t)
{
	uint32_t n = 0;

	assert_hr(bpa_peer_table_count(t, &n), BPA_S_OK);
	return n;
}

/* "tdbtool FILE check" says the file is sound */
static void assert_tdbtool_ok(const char *path)
{
	char *cmd = talloc_asprintf(NULL, "tdbtool '%s' check 2>&1", path);
	char buf[512] = "";
	size_t n = 0;
	FILE *p = popen(cmd, "r");

	assert_non_null(p);
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	pclose(p);
	talloc_free(cmd);
	if (strstr(buf, "Database integrity is OK") == NULL) {
		fail_msg("tdbtool check: %s", buf);
	}
}

/*
 * One of the NPROCS writers: even k adds the shared SID k/2, odd k its
 * own SID; its certificates are tagged with its number, so the table
 * shows who wrote each row.  Exits 0 if every add answered as allowed
 * and (small table) the count never went over the limit.
 */
static void writer(struct bpa_peer_table *t,
		   int c,
		   bool small,
		   uint32_t max)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	int rc = 0;
	uint32_t k;

	ptu_child_bound();	/* never outlive a failed test */
	if (!HRES_IS_OK(bpa_peer_table_reopen(t))) {
		ptu_child_exit(mem_ctx, 10);
	}
	for (k = 0; k < NADDS && rc == 0; k++) {
		uint32_t rid = (k % 2 == 0) ? k / 2 : OWN_RID(c, k);
		struct bpa_peer *p = ptu_peer(mem_ctx, rid, c + 1);
		HRESULT hr = bpa_peer_table_add(t, p, T0 + k);
		uint32_t n = 0;

		if (!HRES_IS_OK(hr) &&
		    !(small && HRES_IS_EQUAL(hr, HRES_OLE_E_NOCACHE))) {
			fprintf(stderr, "writer %d add %u: 0x%08x\n", c, k,
				HRES_ERROR_V(hr));
			rc = 11;
		}
		if (!HRES_IS_OK(bpa_peer_table_count(t, &n)) || n > max) {
			fprintf(stderr, "writer %d: count %u > %u\n", c, n,
				max);
			rc = 12;
		}
		talloc_free(p);
	}
	ptu_child_exit(mem_ctx, rc);
}

static void run_writers(struct bpa_peer_table *t, bool small, uint32_t max)
{
	pid_t pids[NPROCS];
	int c;

	for (c = 0; c < NPROCS; c++) {
		pids[c] = fork();
		assert_true(pids[c] >= 0);
		if (pids[c] == 0) {
			writer(t, c, small, max);
		}
	}
	for (c = 0; c < NPROCS; c++) {
		int status = 0;

		assert_int_equal(waitpid(pids[c], &status, 0), pids[c]);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fail_msg("writer %d: status 0x%x", c, status);
		}
	}
}

/*
 * A reader running while the writers write: the stable peers (rids
 * 900000..900099, added before) must always be known, an unknown
 * certificate never.  Exits 0 if every answer was right.
 */
#define STABLE_RID(i) (900000u + (i))
#define NSTABLE 100

static void reader(struct bpa_peer_table *t, int stop_fd)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct bpa_peer *unknown = ptu_peer(mem_ctx, 1, 999);
	int rc = 0;
	uint32_t r, i;

	ptu_child_bound();	/* never outlive a failed test */
	if (!HRES_IS_OK(bpa_peer_table_reopen(t))) {
		ptu_child_exit(mem_ctx, 10);
	}
	/* until the parent closes the pipe: the writers are done */
	for (r = 0; rc == 0; r++) {
		char x;
		ssize_t n = read(stop_fd, &x, 1);

		if (n == 0 && r > 0) {
			break;
		}
		for (i = 0; i < NSTABLE && rc == 0; i++) {
			struct bpa_peer *p = ptu_peer(mem_ctx, STABLE_RID(i),
						      0);
			struct dom_sid sid;
			bool known = bpa_peer_table_known_cert(
				t, &p->cert_der, &sid);

			if (!known || !bpa_sid_equal(&sid, &p->sid)) {
				fprintf(stderr, "reader: stable peer %u not "
					"known in round %u\n", i, r);
				rc = 13;
			}
			talloc_free(p);
		}
		if (bpa_peer_table_known_cert(t, &unknown->cert_der, NULL)) {
			rc = 14;
		}
	}
	ptu_child_exit(mem_ctx, rc);
}

static void test_8_writers_large_table_lose_nothing(void **state)
{
	struct fixture *f = *state;
	struct bpa_peer_table *t = open_table(f, f->path, 100000, 60, false);
	pid_t readers[2];
	int stop[2];
	uint32_t k;
	int c;

	for (k = 0; k < NSTABLE; k++) {
		struct bpa_peer *p = ptu_peer(f, STABLE_RID(k), 0);

		assert_hr(bpa_peer_table_add(t, p, T0), BPA_S_OK);
		talloc_free(p);
	}
	assert_int_equal(pipe2(stop, O_NONBLOCK), 0);
	for (c = 0; c < 2; c++) {
		readers[c] = fork();
		assert_true(readers[c] >= 0);
		if (readers[c] == 0) {
			close(stop[1]);
			reader(t, stop[0]);
		}
	}
	close(stop[0]);
	run_writers(t, false, 100000);
	close(stop[1]);
	for (c = 0; c < 2; c++) {
		int status = 0;

		assert_int_equal(waitpid(readers[c], &status, 0), readers[c]);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fail_msg("reader %d: status 0x%x", c, status);
		}
	}
	/* 100 stable + 500 shared + 8 x 500 own, each exactly once */
	assert_int_equal(count_of(t), NSTABLE + 500 + NPROCS * 500);
	assert_hr(bpa_peer_table_check(t), BPA_S_OK);
	assert_tdbtool_ok(f->path);

	for (c = 0; c < NPROCS; c++) {
		for (k = 1; k < NADDS; k += 2) {
			struct bpa_peer *p = ptu_peer(f, OWN_RID(c, k), c + 1);
			struct dom_sid sid;

			assert_true(bpa_peer_table_known_cert(t, &p->cert_der,
							      &sid));
			assert_true(bpa_sid_equal(&sid, &p->sid));
			talloc_free(p);
		}
	}
	/* a shared SID holds exactly one writer's certificate */
	for (k = 0; k < NADDS / 2; k++) {
		int known = 0;

		for (c = 0; c < NPROCS; c++) {
			struct bpa_peer *p = ptu_peer(f, k, c + 1);

			known += bpa_peer_table_known_cert(t, &p->cert_der,
							   NULL) ? 1 : 0;
			talloc_free(p);
		}
		assert_int_equal(known, 1);
	}
	talloc_free(t);
}

static void test_8_writers_small_table_never_over_limit(void **state)
{
	static const uint32_t maxes[] = { 1, 16, 100 };
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
		struct bpa_peer_table *t = open_table(f, f->path, maxes[i],
						      0, false);

		run_writers(t, true, maxes[i]);
		assert_int_equal(count_of(t), maxes[i]);
		assert_hr(bpa_peer_table_check(t), BPA_S_OK);
		assert_tdbtool_ok(f->path);
		talloc_free(t);
		assert_int_equal(unlink(f->path), 0);
	}
}

/* Test hook in the child: tell the parent, then wait to be killed */
struct stop_at {
	const char *where;
	int fd;
};

static void stop_hook(const char *where, void *private_data)
{
	struct stop_at *s = private_data;

	if (strcmp(where, s->where) != 0) {
		return;
	}
	if (write(s->fd, "x", 1) != 1) {
		_exit(20);
	}
	for (;;) {
		pause();
	}
}

/*
 * Old state {A (T0), B (T0+1)} in a full table of 2; the killed add of C
 * at T0+100 would evict A: new state {B, C}.
 */
static void test_sigkill_mid_add_leaves_old_or_new_state(void **state)
{
	static const struct {
		const char *where;
		bool new_state;
	} cases[] = {
		{ "in_transaction", false },
		{ "prepared", false },
		{ "committed", true },
	};
	struct fixture *f = *state;
	struct bpa_peer *a = ptu_peer(f, 1, 1);
	struct bpa_peer *b = ptu_peer(f, 2, 1);
	struct bpa_peer *c = ptu_peer(f, 3, 1);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bpa_peer_table *t = NULL;
		struct stop_at s = { .where = cases[i].where };
		char *before = NULL, *after = NULL;
		int fds[2];
		char x = 0;
		int status = 0;
		pid_t pid;

		t = open_table(f, f->path, 2, 60, true);
		assert_hr(bpa_peer_table_add(t, a, T0), BPA_S_OK);
		assert_hr(bpa_peer_table_add(t, b, T0 + 1), BPA_S_OK);
		before = ptu_dump(f, t);
		talloc_free(t);

		assert_int_equal(pipe(fds), 0);
		s.fd = fds[1];
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			TALLOC_CTX *m = talloc_new(NULL);

			close(fds[0]);
			ptu_child_bound(); /* never outlive a failed test */

			t = open_table(m, f->path, 2, 60, true);
			bpa_peer_table_set_test_hook(t, stop_hook, &s);
			bpa_peer_table_add(t, c, T0 + 100);
			ptu_child_exit(m, 21);	/* the hook never returns */
		}
		assert_int_equal(read(fds[0], &x, 1), 1);
		assert_int_equal(kill(pid, SIGKILL), 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status));
		close(fds[0]);
		close(fds[1]);

		/* a persistent open runs tdb_check() and our check */
		t = open_table(f, f->path, 2, 60, true);
		assert_hr(bpa_peer_table_check(t), BPA_S_OK);
		assert_int_equal(count_of(t), 2);
		after = ptu_dump(f, t);
		assert_true(bpa_peer_table_known_cert(t, &b->cert_der, NULL));
		if (cases[i].new_state) {
			assert_string_not_equal(before, after);
			assert_false(bpa_peer_table_known_cert(
				t, &a->cert_der, NULL));
			assert_true(bpa_peer_table_known_cert(
				t, &c->cert_der, NULL));
		} else {
			assert_string_equal(before, after);
			assert_false(bpa_peer_table_known_cert(
				t, &c->cert_der, NULL));
		}
		/* and it keeps working */
		assert_hr(bpa_peer_table_add(t, c, T0 + 200), BPA_S_OK);
		assert_hr(bpa_peer_table_check(t), BPA_S_OK);
		talloc_free(t);
		assert_tdbtool_ok(f->path);
		assert_int_equal(unlink(f->path), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_8_writers_large_table_lose_nothing,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_8_writers_small_table_never_over_limit,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_sigkill_mid_add_leaves_old_or_new_state,
			setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
