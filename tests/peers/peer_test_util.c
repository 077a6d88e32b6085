/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <ftw.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include "util/sid_string.h"
#include "peer_test_util.h"

char *ptu_tmpdir(TALLOC_CTX *mem_ctx)
{
	const char *base = getenv("TMPDIR");
	char *tmpl = NULL;

	if (base == NULL || base[0] == '\0') {
		base = "/tmp";
	}
	tmpl = talloc_asprintf(mem_ctx, "%s/bpa-peers-XXXXXX", base);
	if (tmpl == NULL || mkdtemp(tmpl) == NULL) {
		TALLOC_FREE(tmpl);
	}
	return tmpl;
}

static int rm_fn(const char *path,
		 const struct stat *st,
		 int flag,
		 struct FTW *ftw)
{
	return remove(path);
}

void ptu_rmdir(const char *dir)
{
	if (dir != NULL) {
		nftw(dir, rm_fn, 16, FTW_DEPTH | FTW_PHYS);
	}
}

struct bpa_peer *ptu_peer(TALLOC_CTX *mem_ctx, uint32_t rid, uint32_t tag)
{
	struct bpa_peer *p = talloc_zero(mem_ctx, struct bpa_peer);
	char *sid = NULL;
	size_t i;

	if (p == NULL) {
		return NULL;
	}
	sid = talloc_asprintf(p, "S-1-5-21-1-2-3-%u", rid);
	if (sid == NULL || !bpa_sid_parse(sid, &p->sid)) {
		goto fail;
	}
	p->cert_der = data_blob_talloc(p, NULL, 300);
	if (p->cert_der.data == NULL) {
		goto fail;
	}
	for (i = 0; i < 300; i++) {
		p->cert_der.data[i] = (uint8_t)(i * 7 + rid * 13 + tag * 101 +
						(rid >> 8) + (tag >> 8));
	}
	snprintf((char *)p->cert_der.data, 32, "CERT-%u-%u", rid, tag);
	p->properties = data_blob_string_const(
		talloc_asprintf(p, "props-%u", rid));
	p->address = "10.0.0.1";
	return p;
fail:
	TALLOC_FREE(p);
	return NULL;
}

struct dump_state {
	TALLOC_CTX *mem_ctx;
	char **lines;
	size_t n;
};

static int dump_fn(const struct bpa_peer *peer, void *private_data)
{
	struct dump_state *st = private_data;
	char sid[BPA_SID_STRING_MAX];
	char hex[65];
	size_t i;

	for (i = 0; i < 32; i++) {
		snprintf(hex + 2 * i, 3, "%02x", peer->cert_hash[i]);
	}
	st->lines = talloc_realloc(st->mem_ctx, st->lines, char *, st->n + 1);
	if (st->lines == NULL) {
		return 1;
	}
	st->lines[st->n] = talloc_asprintf(st->lines, "%s %s %lld %lld %zu "
					   "%zu %s\n",
					   bpa_sid_format(&peer->sid, sid),
					   hex, (long long)peer->inserted,
					   (long long)peer->last_exchange,
					   peer->cert_der.length,
					   peer->properties.length,
					   peer->address ? peer->address :
					   "-");
	st->n++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

char *ptu_dump(TALLOC_CTX *mem_ctx, struct bpa_peer_table *t)
{
	struct dump_state st = { .mem_ctx = talloc_new(mem_ctx) };
	char *out = NULL;
	HRESULT hr;
	size_t i;

	hr = bpa_peer_table_traverse(t, dump_fn, &st, NULL);
	if (!HRES_IS_OK(hr)) {
		goto done;
	}
	if (st.n > 0) {
		qsort(st.lines, st.n, sizeof(char *), cmp_str);
	}
	out = talloc_strdup(mem_ctx, "");
	for (i = 0; out != NULL && i < st.n; i++) {
		out = talloc_strdup_append(out, st.lines[i]);
	}
done:
	talloc_free(st.mem_ctx);
	return out;
}

int ptu_selfsigned(TALLOC_CTX *mem_ctx,
		   const char *cn,
		   DATA_BLOB *der,
		   gnutls_x509_crt_t *pcrt,
		   gnutls_x509_privkey_t *pkey)
{
	time_t now = time(NULL);

	return ptu_selfsigned_valid(mem_ctx, cn, now - 3600, now + 86400,
				    der, pcrt, pkey);
}

int ptu_selfsigned_valid(TALLOC_CTX *mem_ctx,
			 const char *cn,
			 time_t not_before,
			 time_t not_after,
			 DATA_BLOB *der,
			 gnutls_x509_crt_t *pcrt,
			 gnutls_x509_privkey_t *pkey)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_x509_privkey_t key = NULL;
	gnutls_datum_t out = { NULL, 0 };
	unsigned char serial[8];
	int rc;

	rc = gnutls_x509_privkey_init(&key);
	if (rc < 0) {
		goto done;
	}
	rc = gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
			GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0);
	if (rc < 0) {
		goto done;
	}
	rc = gnutls_x509_crt_init(&crt);
	if (rc < 0) {
		goto done;
	}
	rc = gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial));
	if (rc < 0) {
		goto done;
	}
	serial[0] &= 0x7f;
	rc = gnutls_x509_crt_set_version(crt, 3);
	if (rc == 0) {
		rc = gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
	}
	if (rc == 0) {
		rc = gnutls_x509_crt_set_dn_by_oid(crt,
				GNUTLS_OID_X520_COMMON_NAME, 0, cn,
				strlen(cn));
	}
	if (rc == 0) {
		rc = gnutls_x509_crt_set_activation_time(crt, not_before);
	}
	if (rc == 0) {
		rc = gnutls_x509_crt_set_expiration_time(crt, not_after);
	}
	if (rc == 0) {
		rc = gnutls_x509_crt_set_key(crt, key);
	}
	if (rc == 0) {
		rc = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0);
	}
	if (rc < 0) {
		goto done;
	}
	rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &out);
	if (rc < 0) {
		goto done;
	}
	*der = data_blob_talloc(mem_ctx, out.data, out.size);
	gnutls_free(out.data);
	if (der->data == NULL) {
		rc = GNUTLS_E_MEMORY_ERROR;
		goto done;
	}
	if (pcrt != NULL) {
		*pcrt = crt;
		crt = NULL;
	}
	if (pkey != NULL) {
		*pkey = key;
		key = NULL;
	}
done:
	if (crt != NULL) {
		gnutls_x509_crt_deinit(crt);
	}
	if (key != NULL) {
		gnutls_x509_privkey_deinit(key);
	}
	return rc;
}

int ptu_write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ssize_t n;

	if (fd == -1) {
		return -1;
	}
	n = write(fd, data, len);
	close(fd);
	return (n == (ssize_t)len) ? 0 : -1;
}

DATA_BLOB ptu_read_file(TALLOC_CTX *mem_ctx, const char *path)
{
	DATA_BLOB b = data_blob_null;
	struct stat st;
	int fd = open(path, O_RDONLY);

	if (fd == -1) {
		return b;
	}
	if (fstat(fd, &st) == 0) {
		b = data_blob_talloc(mem_ctx, NULL, st.st_size + 1);
		if (b.data != NULL &&
		    read(fd, b.data, st.st_size) == st.st_size) {
			b.length = st.st_size;
		} else {
			data_blob_free(&b);
		}
	}
	close(fd);
	return b;
}

void ptu_child_bound(void)
{
	pid_t parent = getppid();

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) {
		_exit(11);
	}
}

void ptu_child_exit(TALLOC_CTX *mem_ctx, int rc)
{
	talloc_free(mem_ctx);
	_exit(rc);
}
