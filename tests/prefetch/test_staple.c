/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Stapling end to end (seed cert-open-server-ocsp-response): the
 * prefetcher keeps the response for the PKI's "good" certificate
 * against a real openssl ocsp; gnutls-cli --ocsp connects to
 *  - gnutls-serv --ocsp-response <the response file>, and
 *  - a small GnuTLS server in this process that staples from memory
 *    through bpa_prefetch_gnutls_install(),
 * trusts the certificate with the stapled response and saves it
 * (--save-ocsp): it is the prefetcher's, and after a refresh the small
 * server staples the new one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/prctl.h>
#include <netinet/in.h>
#include <cmocka.h>
#include <talloc.h>
#include <tevent.h>
#include <gnutls/gnutls.h>
#include <gnutls/ocsp.h>
#include "util/bpa_hresult.h"
#include "prefetch/prefetcher.h"
#include "prefetch/prefetch_gnutls.h"
#include "pf_test_util.h"

#define SERV_PORT 8891
#define OWN_PORT 8892

static char *tmp_path(TALLOC_CTX *mem_ctx, const char *name)
{
	const char *t = getenv("BPA_TMP");

	assert_non_null(t);
	return talloc_asprintf(mem_ctx, "%s/%s", t, name);
}

static char *subject_cn(TALLOC_CTX *mem_ctx, gnutls_x509_crt_t c)
{
	char buf[256];
	size_t n = sizeof(buf);

	assert_int_equal(gnutls_x509_crt_get_dn_by_oid(c,
		GNUTLS_OID_X520_COMMON_NAME, 0, 0, buf, &n), 0);
	return talloc_strndup(mem_ctx, buf, n);
}

/* gnutls-cli --ocsp against PORT, in the background; its pid */
static pid_t cli_start(TALLOC_CTX *mem_ctx,
		       int port,
		       const char *cn,
		       const char *save,
		       const char *out)
{
	char *p = talloc_asprintf(mem_ctx, "%d", port);
	char *host = talloc_asprintf(mem_ctx, "--verify-hostname=%s", cn);
	char *sv = talloc_asprintf(mem_ctx, "--save-ocsp=%s", save);
	char *ca = talloc_asprintf(mem_ctx, "--x509cafile=%s",
				   pf_pki_path(mem_ctx, "ca.pem"));
	pid_t pid;

	(void)unlink(save);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int n = open("/dev/null", O_RDONLY);

		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(n, 0);
		dup2(o, 1);
		dup2(o, 2);
		execlp("gnutls-cli", "gnutls-cli", "--ocsp", ca, host, sv,
		       "-p", p, "127.0.0.1", (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void cli_wait(pid_t pid)
{
	int i;
	int st = 0;

	/* bounded: 20 s */
	for (i = 0; i < 400; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid) {
			return;
		}
		usleep(50 * 1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	fail_msg("gnutls-cli did not finish");
}

static void assert_saw_good_staple(TALLOC_CTX *mem_ctx,
				   const char *out,
				   const char *save,
				   const DATA_BLOB *want)
{
	gnutls_datum_t d = { NULL, 0 };
	gnutls_datum_t s = { NULL, 0 };
	gnutls_ocsp_resp_t r = NULL;
	unsigned int status = 99;

	assert_int_equal(gnutls_load_file(out, &d), 0);
	print_message("# gnutls-cli: %s\n",
		      strstr((char *)d.data, "- Status") ?
		      "saw a status line" : (char *)d.data);
	/* the chain and the stapled response verified */
	assert_non_null(strstr((char *)d.data,
			       "The certificate is trusted"));
	assert_non_null(strstr((char *)d.data, "OCSP status request"));
	gnutls_free(d.data);
	/* what it was stapled: the prefetcher's response, status good */
	assert_int_equal(gnutls_load_file(save, &s), 0);
	assert_int_equal(s.size, want->length);
	assert_memory_equal(s.data, want->data, s.size);
	assert_int_equal(gnutls_ocsp_resp_init(&r), 0);
	assert_int_equal(gnutls_ocsp_resp_import(r, &s), 0);
	assert_true(gnutls_ocsp_resp_get_single(r, 0, NULL, NULL, NULL, NULL,
						&status, NULL, NULL, NULL,
						NULL) >= 0);
	assert_int_equal(status, GNUTLS_OCSP_CERT_GOOD);
	gnutls_ocsp_resp_deinit(r);
	gnutls_free(s.data);
}

/* One handshake of our own server (the helper staples), with the CLI */
static void own_server_once(TALLOC_CTX *mem_ctx,
			    gnutls_certificate_credentials_t cred,
			    int ls,
			    const char *cn,
			    const char *save,
			    const char *out)
{
	gnutls_session_t s = NULL;
	pid_t cli = cli_start(mem_ctx, OWN_PORT, cn, save, out);
	int fd = accept(ls, NULL, NULL);
	int rc;

	assert_true(fd >= 0);
	assert_int_equal(gnutls_init(&s, GNUTLS_SERVER), 0);
	assert_int_equal(gnutls_set_default_priority(s), 0);
	assert_int_equal(gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE,
						cred), 0);
	gnutls_transport_set_int(s, fd);
	gnutls_handshake_set_timeout(s, 10000);
	do {
		rc = gnutls_handshake(s);
	} while (rc < 0 && gnutls_error_is_fatal(rc) == 0);
	assert_int_equal(rc, 0);
	gnutls_bye(s, GNUTLS_SHUT_WR);
	gnutls_deinit(s);
	close(fd);
	cli_wait(cli);
}

static void test_staple(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct tevent_context *ev = tevent_context_init(t);
	gnutls_x509_crt_t ca = pf_load_crt(t, "ca");
	gnutls_x509_crt_t good = pf_load_crt(t, "good");
	char *cn = subject_cn(t, good);
	char *file = tmp_path(t, "staple.der");
	char *save = tmp_path(t, "saved.der");
	char *out = tmp_path(t, "cli.out");
	char *pem = pf_pki_path(t, "good.pem");
	char *key = pf_pki_path(t, "good.key");
	struct bpa_prefetch_params p;
	struct bpa_prefetch_status st;
	struct bpa_prefetch *pf = NULL;
	gnutls_certificate_credentials_t cred = NULL;
	DATA_BLOB first = data_blob_null;
	DATA_BLOB now = data_blob_null;
	char port[16];
	pid_t ossl = pf_responder_start("ca");
	pid_t serv;
	int ls;
	int i;

	bpa_prefetch_params_init(&p);
	p.s.min_validity = 50;
	p.s.url_timeout_ms = 2000;
	p.s.max_before = 55;
	p.s.min_before = 2;
	p.s.min_after = 1;
	p.response_file = file;
	assert_true(HRES_IS_OK(bpa_prefetch_open(t, ev, good, ca, 0, &p,
						 &pf)));
	assert_true(HRES_IS_OK(bpa_prefetch_get(t, pf, time(NULL), &first)));

	/* gnutls-serv --ocsp-response: the file */
	snprintf(port, sizeof(port), "%d", SERV_PORT);
	serv = fork();
	assert_true(serv >= 0);
	if (serv == 0) {
		int n = open("/dev/null", O_RDWR);

		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(n, 0);
		dup2(n, 1);
		dup2(n, 2);
		execlp("gnutls-serv", "gnutls-serv", "--x509certfile", pem,
		       "--x509keyfile", key, "--ocsp-response", file, "-p",
		       port, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100; i++) {
		pid_t cli = 0;

		usleep(100 * 1000);
		cli = cli_start(t, SERV_PORT, cn, save, out);
		cli_wait(cli);
		if (access(save, F_OK) == 0) {
			break;
		}
	}
	assert_saw_good_staple(t, out, save, &first);
	kill(serv, SIGTERM);
	waitpid(serv, NULL, 0);

	/* our own server: the helper staples from memory */
	assert_int_equal(gnutls_certificate_allocate_credentials(&cred), 0);
	assert_int_equal(gnutls_certificate_set_x509_key_file(cred, pem, key,
			 GNUTLS_X509_FMT_PEM), 0);
	assert_int_equal(bpa_prefetch_gnutls_install(cred, 0, pf), 0);
	ls = pf_listen(OWN_PORT);
	own_server_once(t, cred, ls, cn, save, out);
	assert_saw_good_staple(t, out, save, &first);

	/* a refresh (due five seconds after the first retrieval) */
	bpa_prefetch_get_status(pf, &st);
	for (i = 0; i < 150; i++) {
		const DATA_BLOB *cur = bpa_prefetch_current(pf, time(NULL));

		if (cur != NULL && data_blob_cmp(cur, &first) != 0) {
			break;
		}
		pf_run(ev, 100, NULL);
	}
	assert_true(HRES_IS_OK(bpa_prefetch_get(t, pf, time(NULL), &now)));
	assert_int_not_equal(data_blob_cmp(&now, &first), 0);
	own_server_once(t, cred, ls, cn, save, out);
	assert_saw_good_staple(t, out, save, &now);
	print_message("# refreshed response stapled\n");

	close(ls);
	gnutls_certificate_free_credentials(cred);
	bpa_prefetch_close(pf);
	pf_responder_stop(ossl);
	talloc_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_staple),
	};

	gnutls_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
