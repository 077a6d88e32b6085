/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The checker process of a serving process (checker.h) */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <tevent.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "util/bpa_config.h"
#include "util/sid_string.h"
#include "blob/cert_blob.h"
#include "validator/validator.h"
#include "revocation/revocation.h"
#include "rpc_server/auth_check.h"
#include "rpc_server/server_state.h"
#include "rpc_server/exchange.h"
#include "rpc_server/exchange_private.h"
#include "rpc_server/checker.h"
#include "rpc_server/child.h"

/* One request, server to checker: one datagram, the ClientKey after it */
struct check_request {
	int64_t now;
	char sid[BPA_SID_STRING_MAX];	/* the caller's */
	uint32_t key_len;
};

struct checker;

/* One request while the checker has it, queued or in flight */
struct check_state {
	struct tevent_req *req;
	char sid[BPA_SID_STRING_MAX];
	const uint8_t *key;		/* the call's ClientKey */
	uint32_t key_len;
	time_t now;
	bool answered;			/* verdict is the checker's */
	struct bpa_check_verdict verdict;
	struct checker *ck;		/* queued there, or NULL */
	struct check_state *next;
};

/*
 * The checker of this serving process: forked at its first request,
 * then asked one request at a time over a SOCK_SEQPACKET pair, the
 * others queued.  A fork of samba costs milliseconds, a request and its
 * answer microseconds.
 */
struct checker {
	struct tevent_context *ev;
	struct bpa_srv_state *state;
	pid_t owner;			/* the serving process */
	pid_t pid;			/* the checker, 0: none now */
	struct tevent_fd *fde;		/* its socket (auto close) */
	int fd;
	struct tevent_timer *guard;	/* on the request in flight */
	struct tevent_immediate *im;	/* checker_next_later() */
	bool in_flight;			/* head was sent */
	struct check_state *head, *tail;
};

static struct checker *process_checker;

/* The longest one request may take: the validator, a few fetches */
static unsigned checks_bound(const struct bpa_config *cfg)
{
	return cfg->validator_timeout +
	       4 * ((cfg->revocation_url_timeout + 999) / 1000) + 10;
}

/*
 * A checker that was killed is still tearing its memory down
 * (milliseconds for a fork of samba): reap it when its pidfd says it
 * has exited, not with a wait that would hold the loop.  The reaper
 * lives with the loop; without pidfd_open() (older kernels, valgrind)
 * the wait is a blocking one.
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

/* The checker's answer to one request */
static void checker_answer(struct bpa_srv_state *state,
			   const uint8_t *buf,
			   size_t len,
			   struct bpa_check_verdict *w)
{
	struct check_request rq;
	struct bpa_srv_caller caller;
	struct bpa_exchange_result res = { .reason = "no-memory" };
	struct bpa_cert_blob *blob = NULL;
	TALLOC_CTX *m = talloc_new(NULL);
	bool ok = false;

	memset(w, 0, sizeof(*w));
	memset(&caller, 0, sizeof(caller));
	res.hr = HRES_E_FAIL;
	res.verdict = BPA_EXCHANGE_ERROR;
	if (len >= sizeof(rq)) {
		memcpy(&rq, buf, sizeof(rq));
		rq.sid[sizeof(rq.sid) - 1] = '\0';
	}
	if (m == NULL || len < sizeof(rq) ||
	    rq.key_len != len - sizeof(rq) ||
	    !bpa_sid_parse(rq.sid, &caller.sid) ||
	    bpa_blob_decode(m, buf + sizeof(rq), rq.key_len, &blob) !=
	    BPA_BLOB_OK) {
		res.reason = "checks-failed";
	} else {
		copy_str(caller.sid_str, sizeof(caller.sid_str), rq.sid);
		ok = bpa_srv_exchange_check(m, state, &caller, blob,
					    (time_t)rq.now, &res);
	}
	w->passed = ok ? 1 : 0;
	w->hr = HRES_ERROR_V(res.hr);
	w->verdict = (uint32_t)res.verdict;
	w->validator_cached = res.validator_cached ? 1 : 0;
	copy_str(w->reason, sizeof(w->reason), res.reason);
	copy_str(w->subject, sizeof(w->subject), res.subject);
	copy_str(w->revocation, sizeof(w->revocation), res.revocation);
	copy_str(w->phase, sizeof(w->phase), res.phase);
	TALLOC_FREE(m);
}

/*
 * The checker keeps no socket of the server's: a client connection or
 * a listening socket held here would outlive samba's close of it (no
 * FIN for the client until the checker ends).  Files (the log, the
 * tdbs the checks use) stay.
 */
static void close_sockets_but(int keep)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e = NULL;
	struct stat st;
	int fd;

	if (d == NULL) {
		return;
	}
	while ((e = readdir(d)) != NULL) {
		fd = atoi(e->d_name);
		if (e->d_name[0] < '0' || e->d_name[0] > '9' || fd == keep ||
		    fd == dirfd(d)) {
			continue;
		}
		if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)) {
			close(fd);
		}
	}
	closedir(d);
}

/* The checker: requests in, verdicts out, until the server goes */
_Noreturn static void checker_main(struct bpa_srv_state *state,
				   pid_t parent,
				   int fd)
{
	size_t size = sizeof(struct check_request) + BPA_BLOB_MAX_LEN;
	uint8_t *buf = NULL;
	struct bpa_check_verdict w;
	ssize_t n;

	bpa_srv_child_init(parent, SIGKILL, "bpa-check");
	close_sockets_but(fd);
	buf = malloc(size);
	if (buf == NULL) {
		_exit(1);
	}
	for (;;) {
		n = recv(fd, buf, size, 0);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			_exit(n == 0 ? 0 : 1);	/* the server went */
		}
		checker_answer(state, buf, (size_t)n, &w);
		while ((n = send(fd, &w, sizeof(w), MSG_NOSIGNAL)) < 0 &&
		       errno == EINTR) {
		}
		if (n != (ssize_t)sizeof(w)) {
			_exit(1);
		}
	}
}

/* The request's end: the checker's verdict, or (NULL) its failure */
static void check_done(struct check_state *h,
		       const struct bpa_check_verdict *w)
{
	if (w != NULL) {
		h->verdict = *w;
		h->answered = true;
	}
	tevent_req_done(h->req);
}

/* Take the head off the queue; it is no longer the checker's */
static struct check_state *checker_pop(struct checker *ck)
{
	struct check_state *h = ck->head;

	if (h != NULL) {
		ck->head = h->next;
		if (ck->head == NULL) {
			ck->tail = NULL;
		}
		h->next = NULL;
		h->ck = NULL;
	}
	ck->in_flight = false;
	TALLOC_FREE(ck->guard);
	return h;
}

/* Kill the checker process (a new one starts for the next request) */
static void checker_kill(struct checker *ck)
{
	TALLOC_FREE(ck->fde);	/* closes the socket */
	ck->fd = -1;
	if (ck->pid > 0) {
		(void)kill(ck->pid, SIGKILL);
		reap_later(ck->ev, ck->ev, ck->pid);
		ck->pid = 0;
	}
	ck->in_flight = false;
	TALLOC_FREE(ck->guard);
}

static void checker_next(struct checker *ck);

static void checker_next_now(struct tevent_context *ev,
			     struct tevent_immediate *im,
			     void *private_data)
{
	checker_next(talloc_get_type_abort(private_data, struct checker));
}

/*
 * After a kill: the next request on the next turn of the loop, when
 * tevent has let go of the dead checker's socket (an fd event freed in
 * its own handler lingers until the handler returns, and a new socket
 * could get its number)
 */
static void checker_next_later(struct checker *ck)
{
	if (ck->head != NULL) {
		tevent_schedule_immediate(ck->im, ck->ev, checker_next_now,
					  ck);
	}
}

static void checker_readable(struct tevent_context *ev,
			     struct tevent_fd *fde,
			     uint16_t flags,
			     void *private_data)
{
	struct checker *ck = talloc_get_type_abort(private_data,
						   struct checker);
	struct check_state *h = NULL;
	struct bpa_check_verdict w;
	ssize_t n;

	n = recv(ck->fd, &w, sizeof(w), MSG_DONTWAIT);
	if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
		return;
	}
	if (n == (ssize_t)sizeof(w) && ck->in_flight) {
		h = checker_pop(ck);
		checker_next(ck);
		check_done(h, &w);
		return;
	}
	DBG_ERR("the checker (pid %d) %s: killed, the check it had "
		"fails\n", (int)ck->pid, n == 0 ? "ended" :
		"answered what was not asked");
	h = ck->in_flight ? ck->head : NULL;
	checker_kill(ck);
	if (h != NULL) {
		(void)checker_pop(ck);
	}
	checker_next_later(ck);
	if (h != NULL) {
		check_done(h, NULL);
	}
}

static void checker_overdue(struct tevent_context *ev,
			    struct tevent_timer *te,
			    struct timeval now,
			    void *private_data)
{
	struct checker *ck = talloc_get_type_abort(private_data,
						   struct checker);
	struct check_state *h = NULL;

	ck->guard = NULL;	/* tevent frees a timer that fired */
	DBG_ERR("the checker (pid %d) took longer than %u s over one "
		"exchange: killed\n", (int)ck->pid,
		checks_bound(ck->state->cfg));
	checker_kill(ck);
	h = checker_pop(ck);
	checker_next_later(ck);
	if (h != NULL) {
		check_done(h, NULL);
	}
}

static bool checker_spawn(struct checker *ck)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		DBG_ERR("socketpair: %s\n", strerror(errno));
		return false;
	}
	ck->pid = fork();
	if (ck->pid == 0) {
		close(sv[0]);
		checker_main(ck->state, ck->owner, sv[1]);
	}
	close(sv[1]);
	if (ck->pid == -1) {
		DBG_ERR("fork: %s\n", strerror(errno));
		ck->pid = 0;
		close(sv[0]);
		return false;
	}
	ck->fd = sv[0];
	ck->fde = tevent_add_fd(ck->ev, ck, ck->fd, TEVENT_FD_READ,
				checker_readable, ck);
	if (ck->fde == NULL) {
		close(ck->fd);
		ck->fd = -1;
		checker_kill(ck);
		return false;
	}
	tevent_fd_set_auto_close(ck->fde);
	DBG_INFO("checker pid %d started\n", (int)ck->pid);
	return true;
}

/* Send the head of the queue, starting a checker when there is none */
static void checker_next(struct checker *ck)
{
	struct check_state *h = NULL;
	struct check_request rq;
	struct iovec iov[2];
	ssize_t n;

	while (!ck->in_flight && ck->head != NULL) {
		h = ck->head;
		if (ck->pid == 0 && !checker_spawn(ck)) {
			(void)checker_pop(ck);
			check_done(h, NULL);
			continue;
		}
		memset(&rq, 0, sizeof(rq));
		rq.now = (int64_t)h->now;
		copy_str(rq.sid, sizeof(rq.sid), h->sid);
		rq.key_len = h->key_len;
		iov[0] = (struct iovec) { &rq, sizeof(rq) };
		iov[1] = (struct iovec) { (void *)h->key, h->key_len };
		n = writev(ck->fd, iov, 2);
		ck->guard = tevent_add_timer(ck->ev, ck,
					     tevent_timeval_current_ofs(
					     checks_bound(ck->state->cfg), 0),
					     checker_overdue, ck);
		if (n != (ssize_t)(sizeof(rq) + h->key_len) ||
		    ck->guard == NULL) {
			DBG_ERR("cannot ask the checker (pid %d): %s\n",
				(int)ck->pid, n < 0 ? strerror(errno) :
				"short write or no memory");
			checker_kill(ck);
			(void)checker_pop(ck);
			checker_next_later(ck);
			check_done(h, NULL);
			return;
		}
		ck->in_flight = true;
	}
}

static int checker_destructor(struct checker *ck)
{
	struct check_state *h = NULL;

	if (process_checker == ck) {
		process_checker = NULL;
	}
	if (ck->owner != tevent_cached_getpid()) {
		return 0;	/* a forked process's copy: not its child */
	}
	TALLOC_FREE(ck->fde);
	if (ck->pid > 0) {
		(void)kill(ck->pid, SIGKILL);
		while (waitpid(ck->pid, NULL, 0) == -1 && errno == EINTR) {
		}
		ck->pid = 0;
	}
	while ((h = ck->head) != NULL) {
		ck->head = h->next;
		h->next = NULL;
		h->ck = NULL;
	}
	return 0;
}

/* This process's checker on @ev (the process is started when needed) */
static struct checker *checker_get(struct tevent_context *ev,
				   struct bpa_srv_state *state)
{
	struct checker *ck = process_checker;
	pid_t pid = tevent_cached_getpid();

	if (ck != NULL && (ck->owner != pid || ck->ev != ev)) {
		/* inherited through a fork, or another loop's */
		TALLOC_FREE(process_checker);
		ck = NULL;
	}
	if (ck != NULL) {
		return ck;
	}
	/* on the loop: it goes with it */
	ck = talloc_zero(ev, struct checker);
	if (ck == NULL) {
		return NULL;
	}
	*ck = (struct checker) {
		.ev = ev, .state = state, .owner = pid, .fd = -1,
	};
	ck->im = tevent_create_immediate(ck);
	if (ck->im == NULL) {
		TALLOC_FREE(ck);
		return NULL;
	}
	talloc_set_destructor(ck, checker_destructor);
	process_checker = ck;
	return ck;
}

/* A request going away while the checker has it */
static int check_state_destructor(struct check_state *s)
{
	struct checker *ck = s->ck;
	struct check_state **pp = NULL;

	if (ck == NULL) {
		return 0;
	}
	if (ck->head == s && ck->in_flight) {
		/* its answer would be read as the next one's */
		DBG_NOTICE("a request went away during its checks: the "
			   "checker (pid %d) is stopped\n", (int)ck->pid);
		checker_kill(ck);
	}
	for (pp = &ck->head; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	ck->tail = NULL;
	for (s = ck->head; s != NULL; s = s->next) {
		ck->tail = s;
	}
	checker_next_later(ck);
	return 0;
}

struct tevent_req *bpa_checker_send(TALLOC_CTX *mem_ctx,
				    struct tevent_context *ev,
				    struct bpa_srv_state *state,
				    const char *caller_sid,
				    const uint8_t *key,
				    uint32_t key_len,
				    time_t now)
{
	struct tevent_req *req = NULL;
	struct check_state *s = NULL;
	struct checker *ck = NULL;

	req = tevent_req_create(mem_ctx, &s, struct check_state);
	if (req == NULL) {
		return NULL;
	}
	*s = (struct check_state) {
		.req = req, .key = key, .key_len = key_len, .now = now,
	};
	copy_str(s->sid, sizeof(s->sid), caller_sid);
	talloc_set_destructor(s, check_state_destructor);
	ck = checker_get(ev, state);
	if (ck == NULL) {
		tevent_req_done(req);
		return tevent_req_post(req, ev);
	}
	s->ck = ck;
	if (ck->tail != NULL) {
		ck->tail->next = s;
	} else {
		ck->head = s;
	}
	ck->tail = s;
	checker_next(ck);
	if (!tevent_req_is_in_progress(req)) {
		return tevent_req_post(req, ev);
	}
	return req;
}

bool bpa_checker_recv(struct tevent_req *req, struct bpa_check_verdict *v)
{
	struct check_state *s = tevent_req_data(req, struct check_state);
	bool answered = s->answered;

	if (answered) {
		*v = s->verdict;
	}
	tevent_req_received(req);
	return answered;
}
