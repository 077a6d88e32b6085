/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * In process: what bpa_srv_exchange() (MS-BPAU 3.1.4.1, a ClientKey that
 * really replaces the caller's row: two certificates alternating) costs
 * against floors written directly on GnuTLS and tdb, all measured in the
 * same run, blocks interleaved and rotated over the repetitions:
 *
 *   srv         bpa_srv_exchange(), volatile table (the server's flags)
 *   srv-persist the same on a "persistent peers = yes" table
 *   srv-big     srv on a table created for "max peers = 1000000" (the
 *               table still holds one peer): what the limit alone costs
 *               (tdb's hash size is fixed when the file is created, and
 *               each transaction copies the hash heads)
 *   crypto      what no implementation can skip: import the
 *               certificate, verify its self-signature (RSA-2048),
 *               SHA-256 of the DER
 *   floor       crypto + one tdb transaction doing what the add must
 *               do (look up the index and the row, delete the old index
 *               entry, store row and index), on a TDB_NOMMAP |
 *               TDB_NOSYNC tdb: no remap of the file per transaction
 *   floor-mmap  the same on a tdb opened as the table opens it
 *               (mmap, TDB_INCOMPATIBLE_HASH, TDB_NOSYNC)
 *
 * Printed: us per call (wall, and CPU of the process) min / median
 * over the repetitions, and the ratios srv / floor, srv / floor-mmap,
 * srv-persist / srv, srv-big / srv per repetition (min / median).  The
 * persistent table's extra cost is mostly waiting for the disk
 * (fdatasync): see it in wall time, not in CPU.  Goal (issue 15):
 * srv <= 1.3x floor.
 *
 *   bench_exchange [CALLS [REPS [VARIANT]]]   (default 400 5; ~10 s)
 *
 * With VARIANT (a name above) only that one runs, and nothing is
 * printed: for profiling (perf record, valgrind --tool=callgrind).
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <talloc.h>
#include <tdb.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/crypto.h>
#include "util/bpa_hresult.h"
#include "util/sid_string.h"
#include "util/bpa_config.h"
#include "blob/cert_blob.h"
#include "peers/peer_table.h"
#include "localcert/local_cert.h"
#include "rpc_server/auth_check.h"
#include "rpc_server/server_state.h"
#include "rpc_server/exchange.h"
#include "torture/torture_cert.h"

#define DOM "S-1-5-21-1778051447-1805189228-3439535259"
#define DC_SID DOM "-1000"
#define PEER DOM "-1103"
#define MAX_REPS 50

#define BIG_MAX_PEERS 1000000

enum variant {
	V_SRV, V_PERSIST, V_BIG, V_CRYPTO, V_FLOOR, V_FLOOR_MMAP, V_COUNT
};
static const char *names[V_COUNT] = {
	"srv", "srv-persist", "srv-big", "crypto", "floor", "floor-mmap",
};
/* the b->state[] each bpa_srv_exchange() variant runs on */
static const int state_of[V_COUNT] = { [V_PERSIST] = 1, [V_BIG] = 2 };

struct bench {
	char dir[64];
	struct bpa_srv_state state[3];	/* volatile, persistent, big */
	struct bpa_srv_caller caller;
	DATA_BLOB blob[2];		/* CERTIFICATE_BLOBs, alternating */
	DATA_BLOB der[2];		/* their certificates */
	DATA_BLOB props[2];		/* the properties as stored */
	char cert_key[2][5 + 64 + 1];	/* "cert/<sha256>" of each */
	struct tdb_context *floor_tdb[2];	/* nommap, mmap */
	unsigned n;
	time_t now;
};

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool open_state(TALLOC_CTX *mem_ctx,
		       struct bench *b,
		       int i,
		       bool persistent,
		       uint32_t max_peers)
{
	struct bpa_srv_state *s = &b->state[i];
	struct bpa_peer_table_params tp;
	struct bpa_local_cert_params cp = { .key_bits = 2048 };
	struct bpa_config *cfg = talloc_zero(mem_ctx, struct bpa_config);
	HRESULT hr;

	if (cfg == NULL) {
		return false;
	}
	cfg->max_peers = max_peers;
	cfg->evict_min_age = 60;
	cfg->min_rsa_bits = 2048;
	cfg->max_rsa_bits = 16384;
	cfg->clock_skew = 300;
	s->cfg = cfg;
	s->pid = getpid();
	bpa_peer_table_params_init(&tp);
	tp.path = talloc_asprintf(mem_ctx, "%s/peers%d.tdb", b->dir, i);
	tp.persistent = persistent;
	tp.max_peers = max_peers;
	hr = bpa_peer_table_open(mem_ctx, &tp, &s->table);
	if (!HRES_IS_OK(hr)) {
		fprintf(stderr, "table: 0x%08x\n", HRES_ERROR_V(hr));
		return false;
	}
	if (!bpa_sid_parse(DC_SID, &s->self.sid)) {
		return false;
	}
	cp.cert_file = talloc_asprintf(mem_ctx, "%s/cert.pem", b->dir);
	cp.key_file = talloc_asprintf(mem_ctx, "%s/key.pem", b->dir);
	cp.sid = &s->self.sid;
	cp.dns_name = "vm.bpa.test";
	cp.lifetime_days = 30;
	cp.renew_days = 1;
	cp.now = b->now;
	hr = bpa_local_cert_load_or_create(mem_ctx, &cp, &s->cert);
	return HRES_IS_OK(hr);
}

static struct tdb_context *open_floor(struct bench *b, bool mmap)
{
	char path[128];
	int flags = TDB_NOSYNC | TDB_INCOMPATIBLE_HASH | TDB_CLEAR_IF_FIRST;

	if (!mmap) {
		flags |= TDB_NOMMAP;
	}
	snprintf(path, sizeof(path), "%s/floor%d.tdb", b->dir, (int)mmap);
	return tdb_open(path, 201, flags, O_RDWR | O_CREAT, 0600);
}

/* A DER header at @p (< @end): *len of the content; its length or 0 */
static size_t der_header(const uint8_t *p, const uint8_t *end, size_t *len)
{
	size_t n, i, h = 2;

	if (end - p < 2) {
		return 0;
	}
	if (p[1] < 0x80) {
		*len = p[1];
		return 2;
	}
	n = p[1] & 0x7f;
	if (n == 0 || n > 3 || (size_t)(end - p) < 2 + n) {
		return 0;
	}
	for (*len = 0, i = 0; i < n; i++) {
		*len = (*len << 8) | p[2 + i];
	}
	return h + n;
}

/*
 * What no implementation can skip: import the certificate, verify its
 * self-signature over the tbsCertificate (RFC 5280 4.1: the first
 * element of the outer SEQUENCE), SHA-256 of the DER.  (Not
 * gnutls_x509_crt_verify() with the certificate as its own trust
 * anchor: a trusted certificate is not signature-checked.)
 */
static bool crypto_one(const DATA_BLOB *der, uint8_t hash[32])
{
	gnutls_datum_t d = { .data = der->data, .size = der->length };
	const uint8_t *end = der->data + der->length;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t tbs, sig;
	uint8_t sigbuf[2048];
	size_t sig_len = sizeof(sigbuf), h, len = 0, tlen = 0;
	bool ok = false;
	int sa;

	h = der_header(der->data, end, &len);
	if (h == 0 || (tlen = der_header(der->data + h, end, &len)) == 0) {
		return false;
	}
	tbs = (gnutls_datum_t) { .data = der->data + h,
				 .size = tlen + len };
	if (gnutls_x509_crt_init(&crt) < 0) {
		return false;
	}
	if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) < 0 ||
	    (sa = gnutls_x509_crt_get_signature_algorithm(crt)) < 0 ||
	    gnutls_x509_crt_get_signature(crt, (char *)sigbuf,
					  &sig_len) < 0) {
		goto done;
	}
	sig = (gnutls_datum_t) { .data = sigbuf, .size = sig_len };
	if (gnutls_x509_crt_verify_data2(crt, sa, 0, &tbs, &sig) < 0) {
		goto done;
	}
	ok = gnutls_hash_fast(GNUTLS_DIG_SHA256, der->data, der->length,
			      hash) == 0;
done:
	gnutls_x509_crt_deinit(crt);
	return ok;
}

/*
 * The add written directly on tdb: look up the certificate's index
 * entry and the row, drop the previous certificate's index entry,
 * store the row (certificate + properties + a header's worth) and the
 * new index entry: one transaction.
 */
static bool floor_one(struct bench *b, struct tdb_context *tdb, int k)
{
	static const char sid_key[] = "sid/" PEER;
	uint8_t hash[32], row[8192];
	char cert_key[5 + 64 + 1];
	TDB_DATA key, old, val;
	size_t len;
	int j;

	if (!crypto_one(&b->der[k], hash)) {
		return false;
	}
	memcpy(cert_key, "cert/", 5);
	for (j = 0; j < 32; j++) {
		snprintf(cert_key + 5 + 2 * j, 3, "%02x", hash[j]);
	}
	len = 64 + b->der[k].length + b->props[k].length;
	if (len > sizeof(row)) {
		return false;
	}
	memset(row, 0, 64);
	memcpy(row + 64, b->der[k].data, b->der[k].length);
	memcpy(row + 64 + b->der[k].length, b->props[k].data,
	       b->props[k].length);
	if (tdb_transaction_start(tdb) != 0) {
		return false;
	}
	key = (TDB_DATA) { .dptr = (uint8_t *)cert_key, .dsize = 69 };
	free(tdb_fetch(tdb, key).dptr);
	key = (TDB_DATA) { .dptr = (uint8_t *)sid_key,
			   .dsize = sizeof(sid_key) - 1 };
	old = tdb_fetch(tdb, key);
	if (old.dptr != NULL) {
		/* the previous certificate's index entry */
		tdb_delete(tdb, (TDB_DATA) {
			.dptr = (uint8_t *)b->cert_key[k ^ 1], .dsize = 69 });
		free(old.dptr);
	}
	val = (TDB_DATA) { .dptr = row, .dsize = len };
	if (tdb_store(tdb, key, val, TDB_REPLACE) != 0) {
		goto fail;
	}
	key = (TDB_DATA) { .dptr = (uint8_t *)cert_key, .dsize = 69 };
	val = (TDB_DATA) { .dptr = (uint8_t *)sid_key + 4,
			   .dsize = sizeof(sid_key) - 5 };
	if (tdb_store(tdb, key, val, TDB_REPLACE) != 0) {
		goto fail;
	}
	return tdb_transaction_commit(tdb) == 0;
fail:
	tdb_transaction_cancel(tdb);
	return false;
}

static bool one_call(TALLOC_CTX *mem_ctx, struct bench *b, enum variant v)
{
	struct bpa_exchange_result res;
	TALLOC_CTX *frame = NULL;
	uint8_t hash[32];
	int k = b->n++ % 2;
	bool ok;

	switch (v) {
	case V_CRYPTO:
		return crypto_one(&b->der[k], hash);
	case V_FLOOR:
		return floor_one(b, b->floor_tdb[0], k);
	case V_FLOOR_MMAP:
		return floor_one(b, b->floor_tdb[1], k);
	default:
		break;
	}
	frame = talloc_new(mem_ctx);
	memset(&res, 0, sizeof(res));
	bpa_srv_exchange(frame, &b->state[state_of[v]], &b->caller,
			 b->blob[k].data, b->blob[k].length, b->now, &res);
	ok = HRES_IS_OK(res.hr) && res.verdict == BPA_EXCHANGE_ADDED;
	if (!ok) {
		fprintf(stderr, "exchange: 0x%08x %s\n", HRES_ERROR_V(res.hr),
			res.reason);
	}
	TALLOC_FREE(frame);
	return ok;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void stats(const char *what,
		  const char *unit,
		  double *v,
		  unsigned n)
{
	double med;

	qsort(v, n, sizeof(*v), cmp_double);
	med = (n % 2) ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	printf("%-26s min %9.3f  median %9.3f  max %9.3f %s\n", what, v[0],
	       med, v[n - 1], unit);
}

int main(int argc, char **argv)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	static double us[V_COUNT][MAX_REPS], cpu[V_COUNT][MAX_REPS];
	double v[MAX_REPS];
	unsigned calls = argc > 1 ? strtoul(argv[1], NULL, 10) : 400;
	unsigned reps = argc > 2 ? strtoul(argv[2], NULL, 10) : 5;
	struct bench *b = talloc_zero(mem_ctx, struct bench);
	struct bpa_cert_blob *cb = NULL;
	const char *err = NULL;
	uint8_t hash[32];
	char cmd[128];
	unsigned r, i, k;
	int only = -1;
	int ret = 1;

	if (b == NULL || calls == 0 || reps == 0 || reps > MAX_REPS) {
		fprintf(stderr, "usage: bench_exchange [CALLS [REPS<=50]]\n");
		return 2;
	}
	for (i = 0; argc > 3 && i < V_COUNT; i++) {
		if (strcmp(argv[3], names[i]) == 0) {
			only = i;
		}
	}
	if (argc > 3 && only < 0) {
		fprintf(stderr, "unknown variant %s\n", argv[3]);
		return 2;
	}
	snprintf(b->dir, sizeof(b->dir), "%s/bpa-bench-exchange-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(b->dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	b->now = time(NULL);
	if (!bpa_sid_parse(PEER, &b->caller.sid)) {
		goto done;
	}
	snprintf(b->caller.sid_str, sizeof(b->caller.sid_str), "%s", PEER);
	b->caller.account_name = "BPA\\PEER$";
	b->caller.remote = "ipv4:127.0.0.1:40000";
	b->caller.auth_type = DCERPC_AUTH_TYPE_KRB5;
	b->caller.auth_level = DCERPC_AUTH_LEVEL_INTEGRITY;
	for (k = 0; k < 2; k++) {
		if (!bpa_torture_make_blob(mem_ctx, PEER, &b->blob[k], &err) ||
		    bpa_blob_decode(mem_ctx, b->blob[k].data,
				    b->blob[k].length, &cb) != BPA_BLOB_OK ||
		    bpa_blob_encode(mem_ctx, cb, &b->props[k]) !=
		    BPA_BLOB_OK) {
			fprintf(stderr, "blob: %s\n", err ? err : "?");
			goto done;
		}
		b->der[k] = cb->cert_der;
		if (!crypto_one(&b->der[k], hash)) {
			goto done;
		}
		memcpy(b->cert_key[k], "cert/", 5);
		for (i = 0; i < 32; i++) {
			snprintf(b->cert_key[k] + 5 + 2 * i, 3, "%02x",
				 hash[i]);
		}
	}
	if (!open_state(mem_ctx, b, 0, false, 100) ||
	    !open_state(mem_ctx, b, 1, true, 100) ||
	    !open_state(mem_ctx, b, 2, false, BIG_MAX_PEERS)) {
		goto done;
	}
	b->floor_tdb[0] = open_floor(b, false);
	b->floor_tdb[1] = open_floor(b, true);
	if (b->floor_tdb[0] == NULL || b->floor_tdb[1] == NULL) {
		goto done;
	}
	if (only >= 0) {
		for (i = 0; i < calls * reps; i++) {
			if (!one_call(mem_ctx, b, only)) {
				goto done;
			}
		}
		ret = 0;
		goto done;
	}
	/* warm up every variant */
	for (i = 0; i < V_COUNT; i++) {
		for (k = 0; k < 20; k++) {
			if (!one_call(mem_ctx, b, i)) {
				goto done;
			}
		}
	}
	for (r = 0; r < reps; r++) {
		for (k = 0; k < V_COUNT; k++) {
			enum variant vv = (k + r) % V_COUNT;
			double t0 = clock_s(CLOCK_MONOTONIC);
			double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);

			for (i = 0; i < calls; i++) {
				if (!one_call(mem_ctx, b, vv)) {
					goto done;
				}
			}
			us[vv][r] = (clock_s(CLOCK_MONOTONIC) - t0) * 1e6 /
				    calls;
			cpu[vv][r] = (clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0) *
				     1e6 / calls;
		}
	}
	printf("%u calls per block, %u repetitions, blocks interleaved\n",
	       calls, reps);
	for (i = 0; i < V_COUNT; i++) {
		char what[64];

		snprintf(what, sizeof(what), "%s us/call", names[i]);
		memcpy(v, us[i], reps * sizeof(double));
		stats(what, "", v, reps);
		snprintf(what, sizeof(what), "%s cpu us/call", names[i]);
		memcpy(v, cpu[i], reps * sizeof(double));
		stats(what, "", v, reps);
	}
#define RATIO(t, a, b_, label) do { \
		for (r = 0; r < reps; r++) { \
			v[r] = t[a][r] / t[b_][r]; \
		} \
		stats(label, "x", v, reps); \
	} while (0)
	RATIO(us, V_SRV, V_FLOOR, "ratio srv/floor");
	RATIO(us, V_SRV, V_FLOOR_MMAP, "ratio srv/floor-mmap");
	RATIO(us, V_SRV, V_CRYPTO, "ratio srv/crypto");
	RATIO(us, V_PERSIST, V_SRV, "ratio srv-persist/srv");
	RATIO(us, V_BIG, V_SRV, "ratio srv-big/srv");
	RATIO(cpu, V_SRV, V_FLOOR, "cpu ratio srv/floor");
	RATIO(cpu, V_SRV, V_FLOOR_MMAP, "cpu ratio srv/floor-mmap");
	RATIO(cpu, V_PERSIST, V_SRV, "cpu ratio srv-persist/srv");
	ret = 0;
done:
	for (k = 0; k < 2; k++) {
		if (b->floor_tdb[k] != NULL) {
			tdb_close(b->floor_tdb[k]);
		}
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", b->dir);
	TALLOC_FREE(mem_ctx);
	if (system(cmd) != 0) {
		ret = 1;
	}
	return ret;
}
