/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * MS-BPAU 3.1.6.1 lookup cost against the size of the peer table.
 *
 * Builds ONE table and grows it to 1k, 10k, 100k and 1M peers (through
 * bpa_peer_table_add_batch(), 10k peers per transaction, and the last
 * 1000 of each size through bpa_peer_table_add(), one transaction each:
 * "1-add/s" is that rate at that size); at each size it
 * times L bpa_peer_table_known_cert() calls on random known certificates
 * and L on unknown ones, and prints ns/lookup and the ratio against the
 * 1k baseline measured in the same run, twice: through the writer's
 * handle (the server's: no mapping, a pread() per record read) and
 * through a read-only attached handle in a fresh process (as
 * "bitspeerauth peers lookup" or a TLS verify hook reads: tdb's
 * mapping).  Then the consistency check (bpa_peer_table_check(), what
 * opening a persistent table runs) in us per peer, through both handles:
 * the open checks through a mapped one.  The writer's check is timed up
 * to 100k peers only (~3 s there, ~30 s at 1M).
 * The table is indexed by the certificate's SHA-256
 * ("cert/<hash>" -> SID), so a ratio near 1 is what O(1) looks like.
 * The tdb has 2 * MAX_PEERS + 1 hash buckets (at most 2000001), so
 * chains stay at about one record up to 1M peers; what still grows
 * with the size is memory: at 1M peers a lookup misses the caches and
 * the TLB in a 0.6 GB file, which the mapped reader sees most (its
 * lookups are ~5x cheaper, so the misses weigh more).
 *
 * "1-add/s" falls with MAX_PEERS, not with the number of peers: each
 * tdb transaction copies the whole hash table (tdb_transaction_start()
 * reads all bucket heads), 8 MB for a table sized for 1M peers; for the
 * default limit of 100 it is under 1 KB.
 *
 * Each lookup hashes the certificate (SHA-256 of 400 bytes here; real
 * certificates are ~1 KB, which adds the same constant at every size).
 *
 * Runtime: ~110 s on the 2-core build VM (measured: 105 s), most of it
 * growing the table to 1M peers; the file is ~0.6 GB under $TMPDIR and is
 * removed at the end.  Not a test: run it with bench/run-all.sh
 * BUILD_DIR (make bench).
 *
 *   bench_peers_lookup [MAX_PEERS [LOOKUPS]]   (default 1000000 200000)
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "util/sid_string.h"
#include "peers/peer_table.h"

#define CERT_LEN 400

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Deterministic, distinct certificate bytes for peer @i */
static void cert_bytes(uint32_t i, uint8_t buf[CERT_LEN])
{
	uint64_t x = 0x9E3779B97F4A7C15ull * (i + 1);
	size_t k;

	for (k = 0; k < CERT_LEN; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[k] = (uint8_t)x;
	}
	snprintf((char *)buf, 16, "BENCH%010u", i);
}

#define BATCH 10000
#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif

/* Add peers first .. first + n - 1, in one batch or one by one */
static bool add_peers(struct bpa_peer_table *t,
		      uint32_t first,
		      uint32_t n,
		      bool batch)
{
	struct bpa_peer *peers = calloc(n, sizeof(*peers));
	uint8_t *certs = malloc((size_t)n * CERT_LEN);
	bool ok = false;
	HRESULT hr;
	uint32_t i;

	if (peers == NULL || certs == NULL) {
		goto done;
	}
	for (i = 0; i < n; i++) {
		char sid[64];

		cert_bytes(first + i, certs + (size_t)i * CERT_LEN);
		peers[i].cert_der = (DATA_BLOB) {
			certs + (size_t)i * CERT_LEN, CERT_LEN
		};
		snprintf(sid, sizeof(sid), "S-1-5-21-7-8-9-%u",
			 first + i + 1000);
		ok = bpa_sid_parse(sid, &peers[i].sid);
		if (!ok) {
			goto done;
		}
	}
	if (batch) {
		hr = bpa_peer_table_add_batch(t, peers, n, 1700000000, NULL);
	} else {
		hr = BPA_S_OK;
		for (i = 0; i < n && HRES_IS_OK(hr); i++) {
			hr = bpa_peer_table_add(t, &peers[i], 1700000000);
		}
	}
	ok = HRES_IS_OK(hr);
	if (!ok) {
		fprintf(stderr, "add from %u: 0x%08x\n", first,
			HRES_ERROR_V(hr));
	}
done:
	free(peers);
	free(certs);
	return ok;
}

static uint32_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 11);
}

/* ns per known_cert() over @n lookups of peers below @have (or unknown) */
static double time_lookups(struct bpa_peer_table *t,
			   uint32_t have,
			   uint32_t n,
			   bool known,
			   uint64_t *seed)
{
	uint8_t *bufs = malloc((size_t)n * CERT_LEN);
	uint32_t i, hits = 0;
	double t0, t1;

	if (bufs == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	for (i = 0; i < n; i++) {
		uint32_t id = known ? rnd(seed) % have :
			      0x80000000u + rnd(seed) % 0x7fffffffu;

		cert_bytes(id, bufs + (size_t)i * CERT_LEN);
	}
	t0 = now_s();
	for (i = 0; i < n; i++) {
		DATA_BLOB b = { bufs + (size_t)i * CERT_LEN, CERT_LEN };

		hits += bpa_peer_table_known_cert(t, &b, NULL) ? 1 : 0;
	}
	t1 = now_s();
	free(bufs);
	if (hits != (known ? n : 0)) {
		fprintf(stderr, "wrong answers: %u hits of %u (%s)\n", hits,
			n, known ? "known" : "unknown");
		exit(1);
	}
	return (t1 - t0) * 1e9 / n;
}

/*
 * "--read PATH HAVE LOOKUPS SEED": the lookups the way a reader outside
 * the exchange does them (bitspeerauth peers lookup, a TLS verify hook):
 * a handle attached read-only, which keeps tdb's mapping.  Run as a
 * process of its own (tdb opens a file once per process); prints
 * "known unknown" ns per lookup, then the check's us per peer.
 */
static int read_only_lookups(char **argv)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct bpa_peer_table_params p;
	struct bpa_peer_table *t = NULL;
	uint32_t have = (uint32_t)strtoul(argv[3], NULL, 10);
	uint32_t n = (uint32_t)strtoul(argv[4], NULL, 10);
	uint64_t seed = strtoull(argv[5], NULL, 10);
	double k_ns, u_ns, t0, check_us;
	HRESULT hr;

	bpa_peer_table_params_init(&p);
	p.path = argv[2];
	p.attach = true;
	p.read_only = true;
	hr = bpa_peer_table_open(mem_ctx, &p, &t);
	if (!HRES_IS_OK(hr)) {
		fprintf(stderr, "attach %s: 0x%08x\n", p.path,
			HRES_ERROR_V(hr));
		return 1;
	}
	k_ns = time_lookups(t, have, n, true, &seed);
	u_ns = time_lookups(t, have, n, false, &seed);
	t0 = now_s();
	hr = bpa_peer_table_check(t);
	check_us = (now_s() - t0) * 1e6 / have;
	if (!HRES_IS_OK(hr)) {
		fprintf(stderr, "check: 0x%08x\n", HRES_ERROR_V(hr));
		return 1;
	}
	printf("%.0f %.0f %.2f\n", k_ns, u_ns, check_us);
	talloc_free(mem_ctx);
	return 0;
}

static bool read_only_run(const char *self,
			  const char *path,
			  uint32_t have,
			  uint32_t n,
			  uint64_t seed,
			  double *k_ns,
			  double *u_ns,
			  double *check_us)
{
	char a_have[16], a_n[16], a_seed[24], out[128];
	char *args[] = {
		(char *)self, (char *)"--read", (char *)path, a_have, a_n,
		a_seed, NULL,
	};
	ssize_t len = 0, got;
	int status = 0;
	int fd[2];
	pid_t pid;

	snprintf(a_have, sizeof(a_have), "%u", have);
	snprintf(a_n, sizeof(a_n), "%u", n);
	snprintf(a_seed, sizeof(a_seed), "%llu", (unsigned long long)seed);
	if (pipe(fd) != 0) {
		return false;
	}
	/* no shell: the path is passed as it is; this very program */
	pid = fork();
	if (pid == 0) {
		close(fd[0]);
		if (dup2(fd[1], STDOUT_FILENO) == -1) {
			_exit(127);
		}
		execv("/proc/self/exe", args);
		_exit(127);
	}
	close(fd[1]);
	while (pid > 0 && len < (ssize_t)sizeof(out) - 1 &&
	       (got = read(fd[0], out + len, sizeof(out) - 1 - len)) > 0) {
		len += got;
	}
	close(fd[0]);
	out[len] = '\0';
	if (pid < 0 || waitpid(pid, &status, 0) != pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		return false;
	}
	return sscanf(out, "%lf %lf %lf", k_ns, u_ns, check_us) == 3;
}

int main(int argc, char **argv)
{
	static const uint32_t sizes[] = { 1000, 10000, 100000, 1000000 };
	uint32_t max = (argc > 1) ? (uint32_t)strtoul(argv[1], NULL, 10) :
				    1000000;
	uint32_t lookups = (argc > 2) ?
			   (uint32_t)strtoul(argv[2], NULL, 10) : 200000;
	const char *tmp = getenv("TMPDIR");
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct bpa_peer_table_params p;
	struct bpa_peer_table *t = NULL;
	char path[4096];
	double base[4] = { 0 };
	uint64_t seed = 0x1234567;
	uint32_t have = 0;
	bool ok;
	size_t s;
	HRESULT hr;

	if (argc == 6 && strcmp(argv[1], "--read") == 0) {
		return read_only_lookups(argv);
	}
	if (max < 1000 || lookups == 0) {
		fprintf(stderr, "usage: bench_peers_lookup [MAX>=1000 "
			"[LOOKUPS]]\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/bpa-bench-peers-%d.tdb",
		 (tmp != NULL && tmp[0] != '\0') ? tmp : "/tmp", (int)getpid());
	unlink(path);
	bpa_peer_table_params_init(&p);
	p.path = path;
	p.max_peers = max;
	hr = bpa_peer_table_open(mem_ctx, &p, &t);
	if (!HRES_IS_OK(hr)) {
		fprintf(stderr, "open %s: 0x%08x\n", path, HRES_ERROR_V(hr));
		return 1;
	}
	printf("peer table lookup (MS-BPAU 3.1.6.1): %u lookups per size, "
	       "%d-byte certificates, ns per lookup (ratio to 1k)\n",
	       lookups, CERT_LEN);
	printf("%8s %8s %31s %31s %22s\n", "", "", "writer handle (pread)",
	       "read-only handle (mmap)", "check, us/peer");
	printf("%8s %8s %15s %15s %15s %15s %7s %7s %6s\n", "peers",
	       "1-add/s", "known", "unknown", "known", "unknown", "writer",
	       "mapped", "ratio");
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		uint32_t target = sizes[s];
		double t0, adds, ns[4], check[2] = { 0, 0 };
		size_t k;

		if (target > max) {
			break;
		}
		/* bulk: 10k peers per transaction, up to target - 1000 */
		while (have + 1000 < target) {
			uint32_t m = MIN(BATCH, target - 1000 - have);

			ok = add_peers(t, have, m, true);
			if (!ok) {
				return 1;
			}
			have += m;
		}
		/* the last 1000 one add (one transaction) each, timed */
		t0 = now_s();
		ok = add_peers(t, have, target - have, false);
		if (!ok) {
			return 1;
		}
		adds = (target - have) / (now_s() - t0);
		have = target;
		ns[0] = time_lookups(t, have, lookups, true, &seed);
		ns[1] = time_lookups(t, have, lookups, false, &seed);
		ok = read_only_run(argv[0], path, have, lookups, rnd(&seed),
				   &ns[2], &ns[3], &check[1]);
		if (!ok) {
			fprintf(stderr, "read-only lookups failed\n");
			return 1;
		}
		if (target <= 100000) {
			t0 = now_s();
			hr = bpa_peer_table_check(t);
			check[0] = (now_s() - t0) * 1e6 / have;
			if (!HRES_IS_OK(hr)) {
				fprintf(stderr, "check: 0x%08x\n",
					HRES_ERROR_V(hr));
				return 1;
			}
		}
		printf("%8u %8.0f", target, adds);
		for (k = 0; k < 4; k++) {
			if (s == 0) {
				base[k] = ns[k];
			}
			printf(" %7.0f %6.2fx", ns[k], ns[k] / base[k]);
		}
		if (check[0] > 0) {
			printf(" %7.2f %7.2f %5.3fx\n", check[0], check[1],
			       check[1] / check[0]);
		} else {
			printf(" %7s %7.2f %6s\n", "-", check[1], "-");
		}
		fflush(stdout);
	}
	talloc_free(mem_ctx);
	unlink(path);
	return 0;
}
