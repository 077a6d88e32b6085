/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The prefetcher's files and its HTTP child (prefetch_io.h) */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <tevent.h>
#include "util/bpa_debug.h"
#include "util/bpa_file.h"
#include "util/bpa_hresult.h"
#include "ocsp/ocsp_client.h"
#include "util/bpa_crypto.h"
#include "prefetch/prefetch_io.h"

/* The child gets this much longer than libcurl's own timeout */
#define FETCH_GUARD_MS	3000

HRESULT bpa_pf_copy_crt(TALLOC_CTX *mem_ctx,
			gnutls_x509_crt_t in,
			gnutls_x509_crt_t *out)
{
	gnutls_datum_t der = { NULL, 0 };
	int rc;

	rc = bpa_gnutls_x509_crt_init(mem_ctx, out);
	if (rc < 0) {
		return HRES_E_OUTOFMEMORY;
	}
	rc = gnutls_x509_crt_export2(in, GNUTLS_X509_FMT_DER, &der);
	if (rc >= 0) {
		rc = gnutls_x509_crt_import(*out, &der, GNUTLS_X509_FMT_DER);
	}
	gnutls_free(der.data);
	if (rc < 0) {
		DBG_ERR("cannot copy a certificate: %s\n",
			gnutls_strerror(rc));
		return HRES_E_FAIL;
	}
	return BPA_S_OK;
}

bool bpa_pf_write_atomic(const char *path,
			 const uint8_t *data,
			 size_t len,
			 mode_t mode)
{
	int ret = bpa_file_write_atomic(path, data, len, mode);

	if (ret != 0) {
		DBG_ERR("cannot write %s: %s\n", path, strerror(ret));
	}
	return ret == 0;
}

bool bpa_pf_read_file(TALLOC_CTX *mem_ctx,
		      const char *path,
		      size_t max,
		      DATA_BLOB *out,
		      bool *missing)
{
	int ret;

	*out = data_blob_null;
	ret = bpa_file_read(mem_ctx, path, max, 0, out, NULL);
	*missing = (ret == ENOENT);
	return ret == 0;
}

struct bpa_pf_fetch {
	struct tevent_context *ev;
	pid_t owner;		/* the process that started the child */
	pid_t pid;
	int fd;
	struct tevent_fd *fde;
	struct tevent_timer *guard;
	uint8_t *buf;
	size_t len;
	size_t max;
	bpa_pf_fetch_done_fn done;
	void *private_data;
};

static void fetch_reap(struct bpa_pf_fetch *f, bool kill_it)
{
	if (getpid() != f->owner) {
		/* a forked copy (a samba worker): not our child to kill */
		f->pid = -1;
	}
	if (f->pid > 0) {
		if (kill_it) {
			(void)kill(f->pid, SIGKILL);
		}
		/* ECHILD: the host reaped it already */
		while (waitpid(f->pid, NULL, 0) == -1 && errno == EINTR) {
		}
		f->pid = -1;
	}
	TALLOC_FREE(f->fde);
	TALLOC_FREE(f->guard);
	if (f->fd != -1) {
		close(f->fd);
		f->fd = -1;
	}
}

static int fetch_destructor(struct bpa_pf_fetch *f)
{
	fetch_reap(f, true);
	return 0;
}

/* Report once; the handle stays the caller's to free */
static void fetch_finish(struct bpa_pf_fetch *f,
			 bool ok,
			 const DATA_BLOB *body,
			 const char *err,
			 bool kill_it)
{
	bpa_pf_fetch_done_fn done = f->done;

	fetch_reap(f, kill_it);
	f->done = NULL;
	if (done != NULL) {
		done(f->private_data, ok, body, err);
	}
}

static void fetch_readable(struct tevent_context *ev,
			   struct tevent_fd *fde,
			   uint16_t flags,
			   void *private_data)
{
	struct bpa_pf_fetch *f = talloc_get_type_abort(private_data,
						       struct bpa_pf_fetch);
	uint8_t chunk[4096];
	DATA_BLOB body;
	char *err = NULL;
	ssize_t n;

	if (getpid() != f->owner) {
		/* a forked worker shares the pipe: leave it to the owner */
		TALLOC_FREE(f->fde);
		close(f->fd);
		f->fd = -1;
		return;
	}
	n = read(f->fd, chunk, sizeof(chunk));
	if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
		return;
	}
	if (n > 0) {
		uint8_t *nb = NULL;

		if ((size_t)n > f->max + 1 - f->len) {
			fetch_finish(f, false, NULL, "response too large",
				     true);
			return;
		}
		nb = talloc_realloc(f, f->buf, uint8_t, f->len + (size_t)n);
		if (nb == NULL) {
			fetch_finish(f, false, NULL, "out of memory", true);
			return;
		}
		memcpy(nb + f->len, chunk, (size_t)n);
		f->buf = nb;
		f->len += (size_t)n;
		return;
	}
	/* EOF (or a read error): the first byte says what follows */
	if (f->len == 0 || (f->buf[0] != 'R' && f->buf[0] != 'E')) {
		fetch_finish(f, false, NULL, "the HTTP child process died",
			     false);
		return;
	}
	if (f->buf[0] == 'E') {
		err = talloc_strndup(f, (const char *)f->buf + 1, f->len - 1);
		fetch_finish(f, false, NULL, err ? err : "out of memory",
			     false);
		return;
	}
	body = data_blob_const(f->buf + 1, f->len - 1);
	fetch_finish(f, true, &body, NULL, false);
}

static void fetch_timeout(struct tevent_context *ev,
			  struct tevent_timer *te,
			  struct timeval now,
			  void *private_data)
{
	struct bpa_pf_fetch *f = talloc_get_type_abort(private_data,
						       struct bpa_pf_fetch);

	f->guard = NULL;	/* freed by tevent after this returns */
	if (getpid() != f->owner) {
		return;
	}
	fetch_finish(f, false, NULL, "timed out (the HTTP child was killed)",
		     true);
}

static void write_all(int fd, const void *p, size_t len)
{
	const uint8_t *b = p;

	while (len > 0) {
		ssize_t n = write(fd, b, len);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return;
		}
		b += n;
		len -= (size_t)n;
	}
}

/* In the child: one POST, the answer down the pipe, _exit */
_Noreturn static void fetch_child(int fd,
				  const char *url,
				  const DATA_BLOB *req,
				  uint32_t timeout_ms,
				  size_t max)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	DATA_BLOB body = data_blob_null;
	char *err = NULL;
	HRESULT hr;

	hr = bpa_ocsp_http_fetch(mem_ctx, url, req,
				 "application/ocsp-request", timeout_ms, max,
				 &body, &err);
	if (HRES_IS_OK(hr)) {
		write_all(fd, "R", 1);
		write_all(fd, body.data, body.length);
	} else {
		write_all(fd, "E", 1);
		if (err == NULL) {
			err = talloc_asprintf(mem_ctx, "HTTP fetch failed: "
					      "0x%08x", HRES_ERROR_V(hr));
		}
		if (err != NULL) {
			write_all(fd, err, strlen(err));
		}
	}
	close(fd);
	_exit(0);
}

struct bpa_pf_fetch *bpa_pf_fetch_start(TALLOC_CTX *mem_ctx,
					struct tevent_context *ev,
					const char *url,
					const DATA_BLOB *req,
					uint32_t timeout_ms,
					size_t max,
					bpa_pf_fetch_done_fn done,
					void *private_data)
{
	struct bpa_pf_fetch *f = talloc_zero(mem_ctx, struct bpa_pf_fetch);
	int fds[2] = { -1, -1 };
	uint64_t guard_ms = (uint64_t)timeout_ms + FETCH_GUARD_MS;

	if (f == NULL) {
		return NULL;
	}
	f->ev = ev;
	f->owner = getpid();
	f->pid = -1;
	f->fd = -1;
	f->max = max;
	f->done = done;
	f->private_data = private_data;
	talloc_set_destructor(f, fetch_destructor);
	if (pipe2(fds, O_CLOEXEC) != 0) {
		DBG_ERR("pipe: %s\n", strerror(errno));
		TALLOC_FREE(f);
		return NULL;
	}
	f->pid = fork();
	if (f->pid == 0) {
		close(fds[0]);
		fetch_child(fds[1], url, req, timeout_ms, max);
	}
	close(fds[1]);
	f->fd = fds[0];
	if (f->pid == -1) {
		DBG_ERR("fork: %s\n", strerror(errno));
		TALLOC_FREE(f);
		return NULL;
	}
	f->fde = tevent_add_fd(ev, f, f->fd, TEVENT_FD_READ, fetch_readable,
			       f);
	f->guard = tevent_add_timer(ev, f,
				    tevent_timeval_current_ofs(
					    guard_ms / 1000,
					    (guard_ms % 1000) * 1000),
				    fetch_timeout, f);
	if (f->fde == NULL || f->guard == NULL) {
		TALLOC_FREE(f);
		return NULL;
	}
	return f;
}
