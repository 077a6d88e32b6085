/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * "bitspeerauth ocsp prefetch" (cmd_ocsp.h), seed
 * cert-open-server-ocsp-response: the prefetcher of the local
 * certificate's OCSP response in the foreground, for a host where samba
 * does not run it.  On an AD DC the rpc task does (server_prefetch.c);
 * a member's rpcd_ workers come and go, so there a service manager runs
 * this instead (debian/bitspeerauth-ocsp-prefetch.service) and restarts
 * it when it fails, as the DC's watcher does.  One per response file:
 * "<response file>.lock" is held while it runs.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/file.h>
#include <gnutls/x509.h>
#include <talloc.h>
#include <tevent.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "util/bpa_config.h"
#include "prefetch/prefetcher.h"
#include "prefetch/prefetch_config.h"
#include "tools/cmd_ocsp.h"
#include "tools/cmd_ocsp_private.h"
#include "tools/tool_input.h"

/* The lock that keeps a second prefetcher off @response_file */
static int lock_response_file(TALLOC_CTX *mem_ctx,
			      const char *who,
			      const char *response_file)
{
	char *path = talloc_asprintf(mem_ctx, "%s.lock", response_file);
	int fd = -1;

	if (path == NULL) {
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1) {
		fprintf(stderr, "%s: %s: %s\n", who, path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		fprintf(stderr, "%s: %s: %s\n", who, path,
			errno == EWOULDBLOCK ? "another prefetcher holds it" :
			strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void on_stop_signal(struct tevent_context *ev,
			   struct tevent_signal *se,
			   int signum,
			   int count,
			   void *siginfo,
			   void *private_data)
{
	int *stopped_by = private_data;

	*stopped_by = signum;
}

int bpa_cmd_ocsp_prefetch(TALLOC_CTX *mem_ctx,
			  const char *who,
			  const struct bpa_config *cfg)
{
	TALLOC_CTX *frame = talloc_new(mem_ctx);
	struct tevent_context *ev = NULL;
	struct bpa_prefetch *pf = NULL;
	struct bpa_prefetch_plan plan;
	gnutls_x509_crt_t *crts = NULL;
	size_t n = 0;
	int stopped_by = 0;
	int lock_fd = -1;
	int ret = BPA_OCSP_EXIT_ERROR;
	HRESULT hr;

	if (frame == NULL) {
		return ret;
	}
	if (cfg->ad_dc) {
		fprintf(stderr, "%s: this is an AD DC, where samba runs the "
			"OCSP prefetch itself: not started\n", who);
		goto done;
	}
	if (!bpa_prefetch_wanted(cfg)) {
		printf("nothing to prefetch (ocsp prefetch = %s, %s "
		       "certificate)\n",
		       cfg->ocsp_prefetch ? cfg->ocsp_prefetch : "auto",
		       cfg->certificate_configured ? "a configured" :
		       "the self-managed");
		ret = BPA_OCSP_EXIT_OK;
		goto done;
	}
	if (!bpa_tool_read_crts(frame, who, cfg->certificate_file, &crts,
				&n) || n == 0) {
		goto done;
	}
	/* what stops it is logged (level 0) and said below */
	hr = bpa_prefetch_plan_from_config(frame, cfg, crts[0],
					   n > 1 ? crts[1] : NULL, &plan);
	if (!HRES_IS_OK(hr)) {
		fprintf(stderr, "%s: not started: 0x%08x (%s)\n", who,
			HRES_ERROR_V(hr), bpa_hresult_name(hr) ?
			bpa_hresult_name(hr) : "error");
		goto done;
	}
	if (plan.mode == BPA_PREFETCH_MODE_NO) {
		printf("nothing to prefetch (%s has no OCSP AIA URL)\n",
		       cfg->certificate_file);
		ret = BPA_OCSP_EXIT_OK;
		goto done;
	}
	lock_fd = lock_response_file(frame, who, cfg->ocsp_response_file);
	if (lock_fd == -1) {
		goto done;
	}
	ev = tevent_context_init(frame);
	if (ev == NULL ||
	    tevent_add_signal(ev, frame, SIGTERM, 0, on_stop_signal,
			      &stopped_by) == NULL ||
	    tevent_add_signal(ev, frame, SIGINT, 0, on_stop_signal,
			      &stopped_by) == NULL) {
		fprintf(stderr, "%s: no memory for the loop\n", who);
		goto done;
	}
	/* sync: the first retrieval before this goes on (at most the URL
	 * timeout); either way the loop retrieves on after a failure */
	hr = bpa_prefetch_open(frame, ev, crts[0], plan.issuer,
			       plan.mode == BPA_PREFETCH_MODE_SYNC ? 0 :
			       BPA_PREFETCH_ASYNC_FLAG, &plan.params, &pf);
	if (!HRES_IS_OK(hr)) {
		fprintf(stderr, "%s: not started: 0x%08x (%s)\n", who,
			HRES_ERROR_V(hr), bpa_hresult_name(hr) ?
			bpa_hresult_name(hr) : "error");
		goto done;
	}
	printf("prefetching (%s) the OCSP response of %s from %s, issuer "
	       "from %s, into %s; pid %d\n",
	       bpa_prefetch_mode_name(plan.mode), cfg->certificate_file,
	       plan.url, plan.issuer_from, cfg->ocsp_response_file,
	       (int)getpid());
	fflush(stdout);
	while (stopped_by == 0) {
		if (tevent_loop_once(ev) != 0) {
			fprintf(stderr, "%s: the loop failed: %s\n", who,
				strerror(errno));
			goto done;
		}
	}
	printf("stopped by signal %d\n", stopped_by);
	ret = BPA_OCSP_EXIT_OK;
done:
	/* stops the timers, kills a retrieval in flight */
	bpa_prefetch_close(pf);
	if (lock_fd != -1) {
		close(lock_fd);
	}
	TALLOC_FREE(frame);
	return ret;
}
