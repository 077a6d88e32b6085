/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers of the prefetch tests (pf_test_util.h) */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/prctl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include "util/bpa_crypto.h"
#include "pf_test_util.h"

char *pf_pki_path(TALLOC_CTX *mem_ctx, const char *name)
{
	const char *dir = getenv("BPA_PKI");

	assert_non_null(dir);
	return talloc_asprintf(mem_ctx, "%s/%s", dir, name);
}

gnutls_x509_crt_t pf_load_crt(TALLOC_CTX *mem_ctx, const char *name)
{
	char *path = talloc_asprintf(mem_ctx, "%s.pem", name);
	gnutls_datum_t d = { NULL, 0 };
	gnutls_x509_crt_t c = NULL;

	path = pf_pki_path(mem_ctx, path);
	assert_int_equal(gnutls_load_file(path, &d), 0);
	assert_int_equal(bpa_gnutls_x509_crt_init(mem_ctx, &c), 0);
	assert_int_equal(gnutls_x509_crt_import(c, &d, GNUTLS_X509_FMT_PEM),
			 0);
	gnutls_free(d.data);
	return c;
}

double pf_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static bool port_open(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(PF_PORT) };
	int s = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = (s >= 0 && connect(s, (struct sockaddr *)&a, sizeof(a)) == 0);
	if (s >= 0) {
		close(s);
	}
	return ok;
}

static bool log_says(const char *path, const char *what)
{
	char buf[4096];
	FILE *fp = fopen(path, "r");
	size_t n;

	if (fp == NULL) {
		return false;
	}
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return strstr(buf, what) != NULL;
}

pid_t pf_responder_start(const char *signer)
{
	TALLOC_CTX *t = talloc_new(NULL);
	char *dir = pf_pki_path(t, "");
	char *pem = talloc_asprintf(t, "%s.pem", signer);
	char *key = talloc_asprintf(t, "%s.key", signer);
	char *log = pf_pki_path(t, "openssl-ocsp.log");
	pid_t pid;
	int i;

	(void)unlink(log);	/* not the last responder's words */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		/* a test that dies takes its responder with it */
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (chdir(dir) != 0) {
			_exit(126);
		}
		execlp("openssl", "openssl", "ocsp", "-index", "index.txt",
		       "-port", "8890", "-rsigner", pem, "-rkey", key, "-CA",
		       "ca.pem", "-nmin", "1", (char *)NULL);
		_exit(127);
	}
	/*
	 * Ready when it says so (bounded: 10 s).  Not by connecting: an
	 * empty connection stalls openssl ocsp, which serves one at a time.
	 */
	for (i = 0; i < 200 && !log_says(log, "waiting for OCSP"); i++) {
		usleep(50 * 1000);
	}
	assert_true(log_says(log, "waiting for OCSP"));
	talloc_free(t);
	return pid;
}

void pf_responder_stop(pid_t pid)
{
	int i;

	if (pid <= 0) {
		return;
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	for (i = 0; i < 100 && port_open(); i++) {
		usleep(20 * 1000);
	}
	assert_false(port_open());
}

int pf_silent_listener(void)
{
	return pf_listen(PF_PORT);
}

int pf_listen(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	int one = 1;
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(s >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s, 16), 0);
	return s;
}

static void wake(struct tevent_context *ev,
		 struct tevent_timer *te,
		 struct timeval now,
		 void *private_data)
{
	struct tevent_timer **pte = private_data;

	*pte = NULL;	/* tevent frees a timer that fired */
}

void pf_run(struct tevent_context *ev, unsigned int ms, const bool *until)
{
	double end = pf_ms() + ms;

	while (pf_ms() < end && (until == NULL || !*until)) {
		struct tevent_timer *te = NULL;

		te = tevent_add_timer(ev, ev,
			tevent_timeval_current_ofs(0, 100 * 1000), wake, &te);
		assert_non_null(te);
		assert_int_equal(tevent_loop_once(ev), 0);
		TALLOC_FREE(te);
	}
}
