/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Writes the seed corpora of tests/fuzz/corpus/<harness>/ (committed;
 * rerun only to regenerate them):
 *
 *   ninja -C build tests/fuzz/fuzz_gen_corpus
 *   build/tests/fuzz/fuzz_gen_corpus tests/data/ms-bpau-4.2-blob.hex \
 *       tests/fuzz/corpus
 *
 * Seeds: the MS-BPAU 4.2 sample blob and its certificate, certificates
 * made here with GnuTLS (RSA 2048 with CN=SID, client/server EKU, SKI;
 * RSA 1024 SHA-1 without EKU) and their blobs, a blob with every
 * property kind and a KEY_PROV_INFO, ExchangePublicKeys stubs (request
 * and response, NDR32 and NDR64), SID strings, peer records, the
 * validator's records; issue 9's
 * RSA keys (tests/common/test_rsa_cert.h) as bare certificates and
 * blobs: huge moduli and exponents (each cost seconds to minutes of
 * CPU before the bounds: with -timeout=1 the suite fails on such an
 * input), e = 1 with the forged "signature", an even modulus.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <sys/stat.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/crypto.h>
#include "blob/cert_blob.h"
#include "peers/peer_table.h"
#include "peers/peer_record.h"
#include "validator/validator_record.h"
#include "librpc/ndr/ndr_bitspeerauth_strict.h"
#include "common/test_rsa_cert.h"

#define DIE(...) do { fprintf(stderr, __VA_ARGS__); exit(1); } while (0)

static const char *outdir;

static void put(const char *sub,
		const char *name,
		const uint8_t *data,
		size_t len)
{
	char path[4096];
	FILE *f = NULL;

	snprintf(path, sizeof(path), "%s/%s", outdir, sub);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, sub, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, len, f) != len) {
		DIE("cannot write %s\n", path);
	}
	fclose(f);
}

static void put_blob(const char *sub, const char *name, const DATA_BLOB *b)
{
	put(sub, name, b->data, b->length);
}

/* A tests/data hex file: '#' comments, 4 hex digits offset, hex bytes */
static DATA_BLOB load_hex(TALLOC_CTX *ctx, const char *path)
{
	uint8_t *buf = talloc_size(ctx, 70000);
	char line[512];
	size_t n = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL || buf == NULL) {
		DIE("cannot read %s\n", path);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line + 4;
		unsigned v;

		if (line[0] == '#' || line[0] == '\n') {
			continue;
		}
		for (;;) {
			while (*p == ' ') {
				p++;
			}
			if (!isxdigit((unsigned char)p[0]) ||
			    sscanf(p, "%2x", &v) != 1) {
				break;
			}
			buf[n++] = (uint8_t)v;
			p += 2;
		}
	}
	fclose(f);
	return data_blob_const(buf, n);
}

#define CHK(x) do { int _r = (x); if (_r < 0) { \
	DIE("%s: %s\n", #x, gnutls_strerror(_r)); } } while (0)

static DATA_BLOB make_cert(TALLOC_CTX *ctx,
			   unsigned bits,
			   gnutls_digest_algorithm_t dig,
			   const char *cn,
			   unsigned eku,
			   bool ski)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t crt = NULL;
	uint8_t serial[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 1 };
	uint8_t der[4096];
	size_t len = sizeof(der);
	uint8_t id[20];
	size_t id_len = sizeof(id);

	CHK(gnutls_x509_privkey_init(&key));
	CHK(gnutls_x509_privkey_generate(key, GNUTLS_PK_RSA, bits, 0));
	CHK(gnutls_x509_crt_init(&crt));
	CHK(gnutls_x509_crt_set_version(crt, 3));
	CHK(gnutls_x509_crt_set_serial(crt, serial, sizeof(serial)));
	/* 2025-01-01 .. 2028-01-01: valid at the harness's fixed time */
	CHK(gnutls_x509_crt_set_activation_time(crt, 1735689600));
	CHK(gnutls_x509_crt_set_expiration_time(crt, 1830297600));
	CHK(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME,
					  0, cn, strlen(cn)));
	CHK(gnutls_x509_crt_set_key(crt, key));
	if (eku & 1) {
		CHK(gnutls_x509_crt_set_key_purpose_oid(crt,
			GNUTLS_KP_TLS_WWW_SERVER, 0));
	}
	if (eku & 2) {
		CHK(gnutls_x509_crt_set_key_purpose_oid(crt,
			GNUTLS_KP_TLS_WWW_CLIENT, 0));
	}
	if (ski) {
		CHK(gnutls_x509_crt_get_key_id(crt, 0, id, &id_len));
		CHK(gnutls_x509_crt_set_subject_key_id(crt, id, id_len));
	}
	CHK(gnutls_x509_crt_sign2(crt, crt, key, dig, 0));
	CHK(gnutls_x509_crt_export(crt, GNUTLS_X509_FMT_DER, der, &len));
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
	return data_blob_talloc(ctx, der, len);
}

static void put_cert_and_blob(TALLOC_CTX *ctx,
			      const char *name,
			      const DATA_BLOB *der)
{
	struct bpa_cert_blob *b = NULL;
	DATA_BLOB enc = data_blob_null;
	char n[256];

	put_blob("cert_der", name, der);
	put_blob("cert_validate", name, der);
	if (bpa_blob_from_cert(ctx, der, &b) != BPA_BLOB_OK ||
	    bpa_blob_encode(ctx, b, &enc) != BPA_BLOB_OK) {
		DIE("blob of %s\n", name);
	}
	snprintf(n, sizeof(n), "%s-blob", name);
	put_blob("cert_blob", n, &enc);
	put_blob("cert_validate", n, &enc);
}

/* issue 9: RSA keys of every shape the bounds refuse, on @tmpl */
static void put_rsa_shapes(TALLOC_CTX *ctx, const DATA_BLOB *tmpl)
{
	static const struct {
		const char *name;
		uint32_t n_bits, e_bits;
		uint64_t e;		/* instead of e_bits */
		bool even, forged;
	} shapes[] = {
		{ "rsa-n2048-e507904", 2048, 507904 },
		{ "rsa-n16384-e479232", 16384, 479232 },
		{ "rsa-n131072-e257248", 131072, 257248 },
		{ "rsa-n16384-e2p32m1", 16384, 0, 0xffffffffull },
		{ "rsa-n16385-e65537", 16385, 0, 65537 },
		{ "rsa-n2048-e1-forged", 2048, 0, 1, false, true },
		{ "rsa-n2048-even", 2048, 0, 65537, true },
	};
	size_t i;

	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		DATA_BLOB n = trc_number(ctx, shapes[i].n_bits,
					 !shapes[i].even);
		DATA_BLOB e = shapes[i].e != 0 ? trc_small(ctx, shapes[i].e) :
			      trc_number(ctx, shapes[i].e_bits, true);
		DATA_BLOB sig = trc_number(ctx, shapes[i].n_bits - 1, true);
		struct bpa_cert_blob bare = { .num_props = 0 };
		DATA_BLOB der, enc;
		char name[128];

		if (!trc_cert_with_rsa_key(ctx, tmpl, &n, &e, NULL,
					   shapes[i].forged ? NULL : &sig,
					   &der)) {
			DIE("%s\n", shapes[i].name);
		}
		put_blob("cert_validate", shapes[i].name, &der);
		/* the TLS hook's key walk (bpa_cert_check_rsa_key) too */
		put_blob("cert_der", shapes[i].name, &der);
		bare.cert_der = der;
		if (bpa_blob_encode(ctx, &bare, &enc) == BPA_BLOB_OK) {
			snprintf(name, sizeof(name), "%s-blob",
				 shapes[i].name);
			put_blob("cert_validate", name, &enc);
			put_blob("cert_blob", name, &enc);
		}
	}
}

/* Every property kind and a valid KEY_PROV_INFO (2.2.2.1.1) */
static void put_full_blob(const DATA_BLOB *der)
{
	static const uint8_t kpi[] = {
		28, 0, 0, 0,  32, 0, 0, 0,  1, 0, 0, 0,  7, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0,  1, 0, 0, 0,
		'c', 0, 0, 0,  'p', 0, 0, 0 };
	static const uint8_t name[] = { 'n', 0, 'a', 0, 0, 0 };
	static const uint8_t spec[] = { 1, 0, 0, 0 };
	static const uint8_t date[] = { 0, 0x80, 0x3e, 0xd5, 0xde, 0xb1,
					0x9d, 0x01 };
	static const uint8_t alg[] = { 0x05, 0x00 };
	static const struct { uint32_t id; const uint8_t *v; uint32_t n; }
	props[] = {
		{ BPA_PROP_KEY_PROV_INFO, kpi, sizeof(kpi) },
		{ BPA_PROP_FRIENDLY_NAME, name, sizeof(name) },
		{ BPA_PROP_DESCRIPTION, name, sizeof(name) },
		{ BPA_PROP_AUTO_ENROLL, name, sizeof(name) },
		{ BPA_PROP_KEY_SPEC, spec, sizeof(spec) },
		{ BPA_PROP_DATE_STAMP, date, sizeof(date) },
		{ BPA_PROP_PUBKEY_ALG_PARA, alg, sizeof(alg) },
	};
	uint8_t buf[8192];
	size_t n = 0;
	size_t i;

	for (i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
		uint32_t h[3] = { props[i].id, 1, props[i].n };

		memcpy(buf + n, h, sizeof(h));	/* little-endian host */
		memcpy(buf + n + 12, props[i].v, props[i].n);
		n += 12 + props[i].n;
	}
	{
		uint32_t h[3] = { BPA_BLOB_CERT_ELEMENT_ID, 1,
				  (uint32_t)der->length };

		memcpy(buf + n, h, sizeof(h));
		memcpy(buf + n + 12, der->data, der->length);
		n += 12 + der->length;
	}
	put("cert_blob", "all-props-kpi", buf, n);
}

static void put_ndr(TALLOC_CTX *ctx,
		    const char *name,
		    int dir,
		    uint32_t flags,
		    uint32_t len,
		    const uint8_t *key,
		    uint32_t result)
{
	struct bitspeerauth_ExchangePublicKeys r = { .in = { 0 } };
	uint32_t out_len = len;
	uint8_t *out_key = discard_const_p(uint8_t, key);
	DATA_BLOB b = data_blob_null;
	uint8_t *seed = NULL;

	r.in.ClientKeyLength = len;
	r.in.ClientKey = discard_const_p(uint8_t, key);
	r.out.pServerKeyLength = &out_len;
	r.out.pServerKey = &out_key;
	r.out.result = HRES_ERROR(result);
	if (!NDR_ERR_CODE_IS_SUCCESS(bpa_ndr_push_exchange_blob(ctx, dir,
			flags, &r, &b))) {
		DIE("push %s\n", name);
	}
	seed = talloc_size(ctx, b.length + 1);
	seed[0] = (uint8_t)(((flags & LIBNDR_FLAG_NDR64) ? 1 : 0) |
			    (dir == NDR_OUT ? 2 : 0));
	memcpy(seed + 1, b.data, b.length);
	put("ndr_exchange", name, seed, b.length + 1);
}

static void put_peer(TALLOC_CTX *ctx,
		     const char *name,
		     const DATA_BLOB *cert,
		     const char *addr,
		     bool props)
{
	struct bpa_peer p = { .cert_der = *cert, .address = addr };
	static const uint8_t pr[] = { 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0,
				      0xaa, 0xbb };
	uint8_t hash[32];
	DATA_BLOB b;

	if (props) {
		p.properties = data_blob_const(pr, sizeof(pr));
	}
	bpa_peer_sha256(cert->data, cert->length, hash);
	b = bpa_peer_record_push(ctx, &p, hash, 1767225600, 1767229200);
	put_blob("peer_record", name, &b);
}

/* The validator tdb's records, as value and as "key\0value" */
static void put_validator_records(void)
{
	struct bpa_vfail f = { .count = 3, .first = 1800000001,
			       .last = 1800000003, .hresult = 0x80070005 };
	struct bpa_vok o = { .seq = 41, .when = 1800000000 };
	struct bpa_vmeta m = { .next = 42, .oldest = 2 };
	static const char key[] =
		"fail/S-1-5-21-1004336348-1177238915-682003330-1105";
	static const char key2[] = "fail/dc.bpa.test:49152";
	uint8_t v[BPA_VFAIL_LEN];
	uint8_t kv[sizeof(key) + BPA_VFAIL_LEN];

	bpa_vfail_push(&f, v);
	put("validator_record", "fail", v, sizeof(v));
	memcpy(kv, key, sizeof(key));	/* with its NUL */
	memcpy(kv + sizeof(key), v, sizeof(v));
	put("validator_record", "fail-key-sid", kv, sizeof(kv));
	memcpy(kv, key2, sizeof(key2));
	memcpy(kv + sizeof(key2), v, sizeof(v));
	put("validator_record", "fail-key-host",
	    kv, sizeof(key2) + sizeof(v));
	bpa_vok_push(&o, v);
	put("validator_record", "ok", v, BPA_VOK_LEN);
	bpa_vmeta_push(&m, v);
	put("validator_record", "meta", v, BPA_VMETA_LEN);
}

int main(int argc, char **argv)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	static const char *sids[] = {
		"S-1-5-21-397955417-626881126-188441444-3394717",
		"S-1-5-18", "S-1-0x123456789ABC-1", "S-1-4294967295-0",
		"S-1-5-21-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15",
	};
	struct bpa_cert_blob *sample = NULL;
	DATA_BLOB sample_blob;
	DATA_BLOB c1, c2, c3;
	uint8_t meta[BPA_PEER_META_LEN];
	char n[64];
	size_t i;

	if (argc != 3) {
		DIE("usage: %s SAMPLE.hex OUTDIR\n", argv[0]);
	}
	outdir = argv[2];
	mkdir(outdir, 0755);

	sample_blob = load_hex(ctx, argv[1]);
	if (bpa_blob_decode(ctx, sample_blob.data, sample_blob.length,
			    &sample) != BPA_BLOB_OK) {
		DIE("the 4.2 sample does not decode\n");
	}
	put_blob("cert_blob", "ms-bpau-4.2", &sample_blob);
	put_blob("cert_validate", "ms-bpau-4.2", &sample_blob);
	put_blob("cert_der", "ms-bpau-4.2-cert", &sample->cert_der);
	put_full_blob(&sample->cert_der);

	c1 = make_cert(ctx, 2048, GNUTLS_DIG_SHA256,
		       "S-1-5-21-1-2-3-1000", 3, true);
	c2 = make_cert(ctx, 2048, GNUTLS_DIG_SHA256,
		       "S-1-5-21-1-2-3-1001", 2, false);
	c3 = make_cert(ctx, 1024, GNUTLS_DIG_SHA1, "peer.example", 0, false);
	put_cert_and_blob(ctx, "rsa2048-both-eku-ski", &c1);
	put_cert_and_blob(ctx, "rsa2048-client-eku", &c2);
	put_cert_and_blob(ctx, "rsa1024-sha1-no-eku", &c3);
	put_rsa_shapes(ctx, &c2);

	put_ndr(ctx, "req-ndr32-sample", NDR_IN, 0,
		(uint32_t)sample_blob.length, sample_blob.data, 0);
	put_ndr(ctx, "req-ndr64-small", NDR_IN, LIBNDR_FLAG_NDR64, 5,
		(const uint8_t *)"abcde", 0);
	put_ndr(ctx, "req-ndr32-null", NDR_IN, 0, 0, NULL, 0);
	put_ndr(ctx, "req-ndr64-null", NDR_IN, LIBNDR_FLAG_NDR64, 0, NULL, 0);
	put_ndr(ctx, "rep-ndr32-small", NDR_OUT, 0, 3,
		(const uint8_t *)"xyz", 0);
	put_ndr(ctx, "rep-ndr64-sample", NDR_OUT, LIBNDR_FLAG_NDR64,
		(uint32_t)sample_blob.length, sample_blob.data, 0);
	put_ndr(ctx, "rep-ndr32-error", NDR_OUT, 0, 0, NULL, 0x80070005);

	for (i = 0; i < sizeof(sids) / sizeof(sids[0]); i++) {
		snprintf(n, sizeof(n), "sid-%zu", i);
		put("sid_string", n, (const uint8_t *)sids[i],
		    strlen(sids[i]));
	}

	/* record version 2; corpus/peer_record/<name>-v1 are the same
	 * seeds as version 1 wrote them, kept for the read migration */
	put_peer(ctx, "record-addr", &c3, "192.0.2.7", true);
	put_peer(ctx, "record-no-addr", &c3, NULL, false);
	put_peer(ctx, "record-empty-addr", &c3, "", false);
	bpa_peer_meta_push(meta, 7);
	put("peer_record", "meta", meta, sizeof(meta));
	put_validator_records();

	talloc_free(ctx);
	return 0;
}
