/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MS-BPAU 3.1.4.1 with its checks in a child process (exchange_async.h) */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <tevent.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "util/bpa_config.h"
#include "validator/validator.h"
#include "revocation/revocation.h"
#include "rpc_server/server_state.h"
#include "rpc_server/exchange.h"
#include "rpc_server/exchange_private.h"
#include "rpc_server/exchange_async.h"
#include "rpc_server/child.h"

/* The checks' verdict, child to parent: one write below PIPE_BUF */
struct exchange_wire {
	uint32_t passed;
	uint32_t hr;
	uint32_t verdict;
	uint32_t validator_cached;
	char reason[256];
	char subject[BPA_SID_STRING_MAX];
	char revocation[32];
	char phase[32];
};

struct exchange_async_state {
	TALLOC_CTX *out;		/* the call's: the result's memory */
	struct bpa_srv_state *state;
	const struct bpa_srv_caller *caller;
	time_t now;
	struct bpa_exchange_call c;
	struct bpa_exchange_result res;
	pid_t pid;			/* the checking child, 0: none */
	int fd;				/* its pipe, -1: none */
	struct tevent_fd *fde;		/* on fd */
	struct tevent_timer *guard;	/* checks_bound() */
	struct exchange_wire wire;
	size_t got;
};

/* May the revocation check wait on a fetch? */
static bool checks_may_fetch(const struct bpa_srv_state *state)
{
	return (enum bpa_rev_mode)state->cfg->revocation_check !=
	       BPA_REV_MODE_NO && bpa_rev_stack_may_fetch(state->rev);
}

bool bpa_srv_exchange_may_block(const struct bpa_srv_state *state)
{
	return bpa_validation_has_validator(state->validator) ||
	       checks_may_fetch(state);
}

/* The longest the checks may take: the validator, a few fetches */
static unsigned checks_bound(const struct bpa_config *cfg)
{
	return cfg->validator_timeout +
	       4 * ((cfg->revocation_url_timeout + 999) / 1000) + 10;
}

/* Kill and reap a child still there; drop the pipe */
static int exchange_async_destructor(struct exchange_async_state *s)
{
	if (s->fde != NULL) {
		/* tevent closes the pipe (auto close) when done with it */
		TALLOC_FREE(s->fde);
		s->fd = -1;
	}
	if (s->pid > 0) {
		(void)kill(s->pid, SIGKILL);
		while (waitpid(s->pid, NULL, 0) == -1 && errno == EINTR) {
		}
		s->pid = 0;
	}
	if (s->fd != -1) {
		close(s->fd);
		s->fd = -1;
	}
	return 0;
}

/*
 * A child that has written its verdict is still tearing its memory
 * down (milliseconds for a fork of samba): reap it when its pidfd says
 * it has exited, not with a wait that would hold the loop.  The reaper
 * lives with the loop; without pidfd_open() (older kernels,
 * valgrind) the wait is a blocking one.
 */
struct reaper {
	pid_t pid;
};

static int reaper_destructor(struct reaper *r)
{
	if (r->pid > 0) {
		while (waitpid(r->pid, NULL, 0) == -1 && errno == EINTR) {
		}
	}
	return 0;
}

static void reaper_ready(struct tevent_context *ev,
			 struct tevent_fd *fde,
			 uint16_t flags,
			 void *private_data)
{
	struct reaper *r = talloc_get_type_abort(private_data,
						 struct reaper);

	if (waitpid(r->pid, NULL, WNOHANG) != 0) {
		r->pid = 0;
	}
	/* else not yet: the destructor waits */
	talloc_free(r);
}

static void reap_later(struct tevent_context *ev,
		       TALLOC_CTX *owner,
		       pid_t pid)
{
	struct reaper *r = NULL;
	struct tevent_fd *fde = NULL;
	int fd = -1;

	if (waitpid(pid, NULL, WNOHANG) != 0) {
		return;		/* gone already (or not ours any more) */
	}
#ifdef SYS_pidfd_open
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
#endif
	r = talloc(owner, struct reaper);
	if (fd == -1 || r == NULL) {
		if (fd != -1) {
			close(fd);
		}
		TALLOC_FREE(r);
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR) {
		}
		return;
	}
	*r = (struct reaper) { .pid = pid };
	talloc_set_destructor(r, reaper_destructor);
	fde = tevent_add_fd(ev, r, fd, TEVENT_FD_READ, reaper_ready, r);
	if (fde == NULL) {
		close(fd);
		talloc_free(r);
		return;
	}
	/* closed by tevent once it is done with it, never before */
	tevent_fd_set_auto_close(fde);
}

static void copy_str(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src != NULL ? src : "");
}

/* The child: the checks, the verdict down the pipe, nothing else */
_Noreturn static void exchange_child(struct exchange_async_state *s,
				     pid_t parent,
				     int fd)
{
	struct exchange_wire w;
	TALLOC_CTX *m = NULL;
	bool ok = false;
	const uint8_t *p = (const uint8_t *)&w;
	size_t left = sizeof(w);
	ssize_t n;

	bpa_srv_child_init(parent, SIGKILL, "bpa-check");
	memset(&w, 0, sizeof(w));
	m = talloc_new(NULL);
	if (m != NULL) {
		ok = bpa_srv_exchange_check(m, s->state, s->caller,
					    s->c.blob, s->now, &s->res);
	} else {
		s->res.hr = HRES_E_OUTOFMEMORY;
		s->res.verdict = BPA_EXCHANGE_ERROR;
		s->res.reason = "no-memory";
	}
	w.passed = ok ? 1 : 0;
	w.hr = HRES_ERROR_V(s->res.hr);
	w.verdict = (uint32_t)s->res.verdict;
	w.validator_cached = s->res.validator_cached ? 1 : 0;
	copy_str(w.reason, sizeof(w.reason), s->res.reason);
	copy_str(w.subject, sizeof(w.subject), s->res.subject);
	copy_str(w.revocation, sizeof(w.revocation), s->res.revocation);
	copy_str(w.phase, sizeof(w.phase), s->res.phase);
	TALLOC_FREE(m);
	while (left > 0) {
		n = write(fd, p, left);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			_exit(1);
		}
		p += n;
		left -= (size_t)n;
	}
	_exit(0);
}

static void fail(struct tevent_req *req, const char *why)
{
	struct exchange_async_state *s = tevent_req_data(
		req, struct exchange_async_state);

	s->res.verdict = BPA_EXCHANGE_ERROR;
	s->res.hr = HRES_E_FAIL;
	s->res.reason = why;
	s->res.server_blob = data_blob_null;
	tevent_req_done(req);
}

/* A string of the wire on the call's context (NULL for "" where the
 * result says "did not get that far") */
static const char *wire_str(struct exchange_async_state *s,
			    const char *w,
			    size_t n,
			    bool empty_is_null)
{
	char *v = NULL;

	if (empty_is_null && w[0] == '\0') {
		return NULL;
	}
	v = talloc_strndup(s->out, w, n);
	return v != NULL ? v : "no-memory";
}

static void verdict_read(struct tevent_req *req)
{
	struct exchange_async_state *s = tevent_req_data(
		req, struct exchange_async_state);
	const struct exchange_wire *w = &s->wire;

	s->res.validator_cached = w->validator_cached != 0;
	copy_str(s->res.subject, sizeof(s->res.subject), w->subject);
	s->res.revocation = wire_str(s, w->revocation,
				     sizeof(w->revocation), true);
	s->res.phase = wire_str(s, w->phase, sizeof(w->phase), true);
	if (w->passed != 0) {
		bpa_srv_exchange_finish(s->out, s->state, s->caller, &s->c,
					s->now, &s->res);
		tevent_req_done(req);
		return;
	}
	s->res.hr = HRES_ERROR(w->hr);
	s->res.verdict = (enum bpa_exchange_verdict)w->verdict;
	s->res.reason = wire_str(s, w->reason, sizeof(w->reason), false);
	s->res.server_blob = data_blob_null;
	tevent_req_done(req);
}

static void child_readable(struct tevent_context *ev,
			   struct tevent_fd *fde,
			   uint16_t flags,
			   void *private_data)
{
	struct tevent_req *req = talloc_get_type_abort(private_data,
						       struct tevent_req);
	struct exchange_async_state *s = tevent_req_data(
		req, struct exchange_async_state);
	int status = 0;
	pid_t w;
	ssize_t n;

	n = read(s->fd, (uint8_t *)&s->wire + s->got,
		 sizeof(s->wire) - s->got);
	if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
		return;
	}
	if (n > 0) {
		s->got += (size_t)n;
		if (s->got < sizeof(s->wire)) {
			return;
		}
	}
	TALLOC_FREE(s->fde);	/* and the pipe, auto close */
	s->fd = -1;
	TALLOC_FREE(s->guard);
	if (s->got == sizeof(s->wire)) {
		/* it wrote its verdict and exits */
		reap_later(ev, ev, s->pid);
		s->pid = 0;
		verdict_read(req);
		return;
	}
	/* its end closed the pipe: a zombie by now, or about to be */
	while ((w = waitpid(s->pid, &status, 0)) == -1 && errno == EINTR) {
	}
	s->pid = 0;
	DBG_ERR("the checks of an exchange ended without a verdict (%s %d)\n",
		(w > 0 && WIFSIGNALED(status)) ? "signal" : "exit status",
		(w > 0 && WIFSIGNALED(status)) ? WTERMSIG(status) :
		WEXITSTATUS(status));
	fail(req, "checks-failed");
}

static void checks_overdue(struct tevent_context *ev,
			   struct tevent_timer *te,
			   struct timeval now,
			   void *private_data)
{
	struct tevent_req *req = talloc_get_type_abort(private_data,
						       struct tevent_req);
	struct exchange_async_state *s = tevent_req_data(
		req, struct exchange_async_state);

	/* tevent frees a timer that fired */
	s->guard = NULL;
	DBG_ERR("the checks of an exchange (pid %d) took longer than %u s: "
		"killed\n", (int)s->pid, checks_bound(s->state->cfg));
	(void)exchange_async_destructor(s);
	fail(req, "checks-failed");
}

struct tevent_req *bpa_srv_exchange_send(TALLOC_CTX *mem_ctx,
					 struct tevent_context *ev,
					 struct bpa_srv_state *state,
					 const struct bpa_srv_caller *caller,
					 const uint8_t *key,
					 uint32_t key_len,
					 time_t now)
{
	struct tevent_req *req = NULL;
	struct exchange_async_state *s = NULL;
	enum bpa_exchange_step step;
	pid_t parent = getpid();
	int fds[2];

	req = tevent_req_create(mem_ctx, &s, struct exchange_async_state);
	if (req == NULL) {
		return NULL;
	}
	*s = (struct exchange_async_state) {
		.out = mem_ctx, .state = state, .caller = caller,
		.now = now, .fd = -1,
	};
	talloc_set_destructor(s, exchange_async_destructor);
	step = bpa_srv_exchange_start(mem_ctx, state, key, key_len, &s->c,
				      &s->res);
	if (step == BPA_EXCHANGE_STEP_DONE) {
		tevent_req_done(req);
		return tevent_req_post(req, ev);
	}
	/* decided without waiting (phase one refuses, a cached pair, no
	 * fetching provider): here, no child */
	if (!checks_may_fetch(state)) {
		bool ok;

		bpa_validation_set_no_wait(state->validator, true);
		ok = bpa_srv_exchange_check(mem_ctx, state, caller, s->c.blob,
					    now, &s->res);
		bpa_validation_set_no_wait(state->validator, false);
		if (!HRES_IS_EQUAL(s->res.hr, HRES_E_PENDING)) {
			if (ok) {
				bpa_srv_exchange_finish(mem_ctx, state,
							caller, &s->c, now,
							&s->res);
			}
			tevent_req_done(req);
			return tevent_req_post(req, ev);
		}
		/* the child decides it all again */
		s->res.revocation = NULL;
		s->res.phase = NULL;
		s->res.validator_cached = false;
		s->res.subject[0] = '\0';
	}
	if (pipe2(fds, O_CLOEXEC) != 0) {
		DBG_ERR("pipe2: %s\n", strerror(errno));
		fail(req, "checks-failed");
		return tevent_req_post(req, ev);
	}
	s->pid = fork();
	if (s->pid == 0) {
		close(fds[0]);
		exchange_child(s, parent, fds[1]);
	}
	close(fds[1]);
	s->fd = fds[0];
	if (s->pid == -1) {
		DBG_ERR("fork: %s\n", strerror(errno));
		s->pid = 0;
		fail(req, "checks-failed");
		return tevent_req_post(req, ev);
	}
	s->fde = tevent_add_fd(ev, s, s->fd, TEVENT_FD_READ, child_readable,
			       req);
	if (s->fde != NULL) {
		tevent_fd_set_auto_close(s->fde);
	}
	s->guard = tevent_add_timer(ev, s, tevent_timeval_current_ofs(
				    checks_bound(state->cfg), 0),
				    checks_overdue, req);
	if (s->fde == NULL || s->guard == NULL) {
		(void)exchange_async_destructor(s);
		fail(req, "no-memory");
		return tevent_req_post(req, ev);
	}
	return req;
}

void bpa_srv_exchange_recv(struct tevent_req *req,
			   struct bpa_exchange_result *res)
{
	struct exchange_async_state *s = tevent_req_data(
		req, struct exchange_async_state);

	*res = s->res;
	tevent_req_received(req);
}
