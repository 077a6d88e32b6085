/* SPDX-License-Identifier: GPL-3.0-or-later */
/* seed cert-open-server-ocsp-response on the AD DC (server_prefetch.h) */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <tevent.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include <dcesrv_core.h>
#include "localcert/local_cert.h"
#include "prefetch/prefetcher.h"
#include "prefetch/prefetch_config.h"
#include "rpc_server/server_state.h"
#include "rpc_server/server_prefetch.h"
#include "rpc_server/child.h"

bool bpa_srv_prefetch_wanted(const struct bpa_srv_state *s)
{
	return bpa_prefetch_wanted(s->cfg);
}

/* The prefetch process: the prefetcher on a loop of its own, forever */
_Noreturn static void prefetch_process(gnutls_x509_crt_t leaf,
				       gnutls_x509_crt_t issuer,
				       const struct bpa_prefetch_params *p,
				       pid_t parent)
{
	struct tevent_context *ev = NULL;
	struct bpa_prefetch *pf = NULL;
	HRESULT hr;

	bpa_srv_child_init(parent, SIGTERM, "bpa-ocsp");
	ev = tevent_context_init(NULL);
	if (ev == NULL) {
		_exit(1);
	}
	hr = bpa_prefetch_open(ev, ev, leaf, issuer, BPA_PREFETCH_ASYNC_FLAG,
			       p, &pf);
	if (!HRES_IS_OK(hr)) {
		DBG_ERR("OCSP prefetch process: 0x%08x (%s)\n",
			HRES_ERROR_V(hr), bpa_hresult_name(hr) ?
			bpa_hresult_name(hr) : "error");
		_exit(1);
	}
	DBG_NOTICE("OCSP prefetch process %d running\n", (int)getpid());
	(void)tevent_loop_wait(ev);
	_exit(0);
}

/*
 * The watcher, between samba's rpc task and the prefetch process: it
 * starts the prefetch process again when it ends (a crash, kill -9, a
 * failed start), after 1 s, doubling up to PREFETCH_RESTART_MAX while
 * the process keeps ending within PREFETCH_RUN_OK of its start.  The
 * rpc task cannot watch it itself: with -M prefork its master never
 * runs its loop again.  Nothing here but fork, waitpid and sleep.
 */
#define PREFETCH_RESTART_MAX 300
#define PREFETCH_RUN_OK 600

_Noreturn static void prefetch_watcher(gnutls_x509_crt_t leaf,
				       gnutls_x509_crt_t issuer,
				       const struct bpa_prefetch_params *p,
				       pid_t parent)
{
	pid_t self = 0;
	unsigned delay = 1;

	bpa_srv_child_init(parent, SIGTERM, "bpa-ocsp-watch");
	self = getpid();
	for (;;) {
		time_t started = time(NULL);
		int status = 0;
		pid_t pid = fork();
		pid_t w = 0;

		if (pid == 0) {
			prefetch_process(leaf, issuer, p, self);
		}
		if (pid == -1) {
			DBG_ERR("OCSP prefetch: fork: %s\n", strerror(errno));
		}
		while (pid > 0 && (w = waitpid(pid, &status, 0)) == -1 &&
		       errno == EINTR) {
		}
		if (pid > 0 && w == -1) {
			/* its state unknown: never two of them */
			DBG_ERR("OCSP prefetch: waitpid(%d): %s\n", (int)pid,
				strerror(errno));
			(void)kill(pid, SIGKILL);
			pid = 0;
		}
		if (time(NULL) - started >= PREFETCH_RUN_OK) {
			delay = 1;
		}
		if (pid > 0 && WIFSIGNALED(status)) {
			DBG_ERR("OCSP prefetch process %d ended by signal "
				"%d: starting it again in %u s\n", (int)pid,
				WTERMSIG(status), delay);
		} else if (pid > 0) {
			DBG_ERR("OCSP prefetch process %d exited with %d: "
				"starting it again in %u s\n", (int)pid,
				WEXITSTATUS(status), delay);
		}
		sleep(delay);
		delay = (delay * 2 > PREFETCH_RESTART_MAX) ?
			PREFETCH_RESTART_MAX : delay * 2;
	}
}

struct prefetch_child {
	pid_t owner;	/* the rpc task */
	pid_t pid;
};

static int prefetch_child_destructor(struct prefetch_child *c)
{
	/* a worker that inherited this does not own the process */
	if (getpid() == c->owner && c->pid > 0) {
		(void)kill(c->pid, SIGTERM);
		(void)waitpid(c->pid, NULL, WNOHANG);
	}
	return 0;
}

/* dwFlags 0: the first retrieval before samba's start goes on */
static void prefetch_sync_first(gnutls_x509_crt_t leaf,
				gnutls_x509_crt_t issuer,
				const struct bpa_prefetch_params *p)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	struct tevent_context *ev = frame ? tevent_context_init(frame) : NULL;
	struct bpa_prefetch *pf = NULL;
	HRESULT hr;

	if (ev != NULL) {
		/* writes the response file; the process starts from it */
		hr = bpa_prefetch_open(frame, ev, leaf, issuer, 0, p, &pf);
		if (!HRES_IS_OK(hr)) {
			DBG_ERR("OCSP prefetch (sync): 0x%08x\n",
				HRES_ERROR_V(hr));
		}
	}
	TALLOC_FREE(frame);
}

void bpa_srv_prefetch_start(struct bpa_srv_state *s)
{
	TALLOC_CTX *frame = talloc_new(s);
	gnutls_x509_crt_t leaf = NULL;
	struct bpa_prefetch_plan plan;
	struct prefetch_child *child = NULL;
	pid_t parent = getpid();
	HRESULT hr;

	if (frame == NULL || s->cert == NULL) {
		goto done;
	}
	leaf = bpa_local_cert_crt(s->cert);
	/* logged there, whatever stops it */
	hr = bpa_prefetch_plan_from_config(frame, s->cfg, leaf,
					   bpa_local_cert_issuer(s->cert, 0),
					   &plan);
	if (!HRES_IS_OK(hr) || plan.mode == BPA_PREFETCH_MODE_NO) {
		goto done;
	}
	if (plan.mode == BPA_PREFETCH_MODE_SYNC) {
		prefetch_sync_first(leaf, plan.issuer, &plan.params);
	}
	child = talloc_zero(s, struct prefetch_child);
	if (child == NULL) {
		goto done;
	}
	child->owner = parent;
	child->pid = fork();
	if (child->pid == 0) {
		prefetch_watcher(leaf, plan.issuer, &plan.params, parent);
	}
	if (child->pid == -1) {
		DBG_ERR("OCSP prefetch not started: fork: %s\n",
			strerror(errno));
		TALLOC_FREE(child);
		goto done;
	}
	talloc_set_destructor(child, prefetch_child_destructor);
	s->prefetch_pid = child->pid;
done:
	TALLOC_FREE(frame);
}
