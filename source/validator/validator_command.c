/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Seed bits-validate-server-certificate, phase two as a program
 * ("bitspeerauth:validator command"); the contract is in
 * validator_private.h.
 *
 * fork() and execve(), no shell: a process group of its own (so a
 * timeout can end the program's children too), default signal
 * dispositions and an empty mask (samba ignores SIGPIPE and blocks
 * others), every descriptor above 2 closed; a failed exec is reported
 * through a close-on-exec pipe.  Its
 * standard input is a socket, written with MSG_NOSIGNAL: a program that
 * exits without reading cannot raise SIGPIPE in the caller.  Exit is
 * seen through a pidfd (no SIGCHLD handler needed, none disturbed).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "util/bpa_debug.h"
#include "util/bpa_text.h"
#include "validator/validator_private.h"

#define VCOMMAND_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:" \
		      "/usr/bin:/sbin:/bin"
/* the first line of standard output we look at */
#define VCOMMAND_STDOUT_MAX 256

struct vrun {
	pid_t pid;
	int pidfd;		/* -1: poll waitpid() */
	int in;			/* our end of its standard input */
	int out;
	int err;
	const uint8_t *der;
	size_t der_left;
	char stdout_buf[VCOMMAND_STDOUT_MAX + 1];
	size_t stdout_len;
	char stderr_buf[BPA_VCOMMAND_STDERR_MAX + 1];
	size_t stderr_len;
	size_t stderr_dropped;
	bool exited;
	int status;
};

static void close_fd(int *fd)
{
	if (*fd != -1) {
		close(*fd);
		*fd = -1;
	}
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The program's environment: nothing of the caller's */
static char **make_env(TALLOC_CTX *mem_ctx,
		       const struct bpa_validator_request *req)
{
	char **env = talloc_zero_array(mem_ctx, char *, 6);

	if (env == NULL) {
		return NULL;
	}
	env[0] = talloc_strdup(env, VCOMMAND_PATH);
	env[1] = talloc_asprintf(env, "BPA_ROLE=%s", req->role_name);
	env[2] = talloc_asprintf(env, "BPA_ENDPOINT=%s", req->endpoint);
	env[3] = talloc_asprintf(env, "BPA_SUBJECT_SID=%s", req->subject_sid);
	env[4] = talloc_asprintf(env, "BPA_CERT_SHA256=%s", req->cert_sha256);
	if (env[0] == NULL || env[1] == NULL || env[2] == NULL ||
	    env[3] == NULL || env[4] == NULL) {
		TALLOC_FREE(env);
	}
	return env;
}

/*
 * The child, between fork() and exec: only async-signal-safe calls
 * (samba may have threads).  A failed exec writes its errno to @errfd.
 */
static void child(const char *path,
		  char **env,
		  int fd_in,
		  int fd_out,
		  int fd_err,
		  int errfd,
		  int max_fd)
{
	char *argv[2] = { (char *)(uintptr_t)path, NULL };
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	int e;
	int sig;
	int fd;

	setpgid(0, 0);
	/* samba ignores SIGPIPE, blocks others: the program gets the
	 * defaults */
	for (sig = 1; sig < NSIG; sig++) {
		sigaction(sig, &dfl, NULL);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(fd_in, 0) == -1 || dup2(fd_out, 1) == -1 ||
	    dup2(fd_err, 2) == -1) {
		goto fail;
	}
	/* nothing of the caller's descriptors survives the exec */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
		for (fd = 3; fd < max_fd; fd++) {
			fcntl(fd, F_SETFD, FD_CLOEXEC);
		}
	}
	execve(path, argv, env);
fail:
	e = errno;
	if (write(errfd, &e, sizeof(e)) < 0) {
		/* nothing more to do */
	}
	_exit(127);
}

/* fork and exec @path; an exec failure is its errno */
static int spawn(const char *path,
		 char **env,
		 int fd_in,
		 int fd_out,
		 int fd_err,
		 pid_t *pid)
{
	long open_max = sysconf(_SC_OPEN_MAX);
	int max_fd = (open_max < 0 || open_max > 65536) ? 65536 :
		     (int)open_max;
	int ep[2];
	int e = 0;
	ssize_t n;
	pid_t p;

	if (pipe2(ep, O_CLOEXEC) != 0) {
		return errno;
	}
	p = fork();
	if (p == -1) {
		e = errno;
		close(ep[0]);
		close(ep[1]);
		return e;
	}
	if (p == 0) {
		close(ep[0]);
		child(path, env, fd_in, fd_out, fd_err, ep[1], max_fd);
	}
	close(ep[1]);
	/* the same in the parent: no window where it is not a leader */
	setpgid(p, p);
	do {
		n = read(ep[0], &e, sizeof(e));
	} while (n == -1 && errno == EINTR);
	close(ep[0]);
	if (n == (ssize_t)sizeof(e)) {
		/* it did not exec: reap it */
		while (waitpid(p, NULL, 0) == -1 && errno == EINTR) {
		}
		return e != 0 ? e : EIO;
	}
	*pid = p;
	return 0;
}

/* Read what is there; false at EOF or on error (the fd is closed) */
static void read_some(int *fd,
		      char *buf,
		      size_t max,
		      size_t *len,
		      size_t *dropped)
{
	char tmp[4096];
	ssize_t n;

	for (;;) {
		n = read(*fd, tmp, sizeof(tmp));
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return;
		}
		if (n <= 0) {
			close_fd(fd);
			return;
		}
		if (*len < max) {
			size_t take = (size_t)n;

			if (take > max - *len) {
				take = max - *len;
			}
			memcpy(buf + *len, tmp, take);
			*len += take;
			n -= (ssize_t)take;
		}
		if (dropped != NULL) {
			*dropped += (size_t)n;
		}
	}
}

static void write_some(struct vrun *r)
{
	ssize_t n;

	while (r->der_left > 0) {
		n = send(r->in, r->der, r->der_left, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return;
		}
		if (n <= 0) {
			/* it does not read its input (EPIPE): its choice */
			r->der_left = 0;
			break;
		}
		r->der += n;
		r->der_left -= (size_t)n;
	}
	shutdown(r->in, SHUT_WR);
	close_fd(&r->in);
}

static bool check_exit(struct vrun *r)
{
	pid_t p;

	if (r->exited) {
		return true;
	}
	/* WNOWAIT: the zombie keeps the pid (and the group) until the
	 * leftovers are killed (end_group) */
	{
		siginfo_t si = { .si_pid = 0 };

		p = waitid(P_PID, (id_t)r->pid, &si,
			   WEXITED | WNOHANG | WNOWAIT);
		if (p == 0 && si.si_pid == r->pid) {
			r->exited = true;
		}
	}
	return r->exited;
}

/* Kill whatever is left of its process group, then reap it */
static void end_group(struct vrun *r)
{
	pid_t p;

	kill(-r->pid, SIGKILL);
	do {
		p = waitpid(r->pid, &r->status, 0);
	} while (p == -1 && errno == EINTR);
	if (p != r->pid) {
		/* reaped by someone else: we do not know how it ended */
		r->status = -1;
	}
	r->exited = true;
}

/*
 * Feed it, collect its output, until it exits or @deadline passes.
 * Returns false on the timeout.
 */
static bool supervise(struct vrun *r, int64_t deadline)
{
	while (!check_exit(r)) {
		struct pollfd fds[4];
		nfds_t n = 0;
		int64_t left = deadline - now_ms();
		int slice;

		if (left <= 0) {
			return false;
		}
		slice = r->pidfd != -1 ? (int)(left > 1000 ? 1000 : left) :
			(int)(left > 10 ? 10 : left);
		if (r->in != -1) {
			fds[n++] = (struct pollfd) { .fd = r->in,
						     .events = POLLOUT };
		}
		if (r->out != -1) {
			fds[n++] = (struct pollfd) { .fd = r->out,
						     .events = POLLIN };
		}
		if (r->err != -1) {
			fds[n++] = (struct pollfd) { .fd = r->err,
						     .events = POLLIN };
		}
		if (r->pidfd != -1) {
			fds[n++] = (struct pollfd) { .fd = r->pidfd,
						     .events = POLLIN };
		}
		if (poll(fds, n, slice) < 0 && errno != EINTR) {
			return false;
		}
		if (r->in != -1) {
			write_some(r);
		}
		if (r->out != -1) {
			read_some(&r->out, r->stdout_buf, VCOMMAND_STDOUT_MAX,
				  &r->stdout_len, NULL);
		}
		if (r->err != -1) {
			read_some(&r->err, r->stderr_buf,
				  BPA_VCOMMAND_STDERR_MAX, &r->stderr_len,
				  &r->stderr_dropped);
		}
	}
	/* what it wrote before it exited */
	if (r->out != -1) {
		read_some(&r->out, r->stdout_buf, VCOMMAND_STDOUT_MAX,
			  &r->stdout_len, NULL);
	}
	if (r->err != -1) {
		read_some(&r->err, r->stderr_buf, BPA_VCOMMAND_STDERR_MAX,
			  &r->stderr_len, &r->stderr_dropped);
	}
	return true;
}

/* Its standard error, a log line per line, bounded */
static void log_stderr(TALLOC_CTX *mem_ctx,
		       const char *path,
		       struct vrun *r)
{
	char *line = NULL;
	char *save = NULL;

	if (r->stderr_len == 0) {
		return;
	}
	r->stderr_buf[r->stderr_len] = '\0';
	for (line = strtok_r(r->stderr_buf, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		DBG_NOTICE("validator %s: stderr: %s\n", path,
			   bpa_printable(mem_ctx, line));
	}
	if (r->stderr_dropped > 0) {
		DBG_NOTICE("validator %s: stderr: %zu more bytes not logged\n",
			   path, r->stderr_dropped);
	}
}

/* "0x%08x" on the first line, else E_FAIL */
static HRESULT stdout_hresult(struct vrun *r)
{
	char *end = NULL;
	unsigned long v;
	size_t len;

	r->stdout_buf[r->stdout_len] = '\0';
	len = strcspn(r->stdout_buf, "\r\n");
	r->stdout_buf[len] = '\0';
	if (len < 3 || len > 10 || r->stdout_buf[0] != '0' ||
	    (r->stdout_buf[1] != 'x' && r->stdout_buf[1] != 'X') ||
	    strspn(r->stdout_buf + 2, "0123456789abcdefABCDEF") != len - 2) {
		return HRES_E_FAIL;
	}
	v = strtoul(r->stdout_buf + 2, &end, 16);
	return bpa_validator_refusal((uint32_t)v);
}

static int pidfd_of(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	return -1;
#endif
}

HRESULT bpa_vcommand_run(TALLOC_CTX *mem_ctx,
			 const char *path,
			 uint32_t timeout,
			 const struct bpa_validator_request *req,
			 char **why)
{
	TALLOC_CTX *frame = talloc_new(mem_ctx);
	struct vrun *r = NULL;
	int sv[2] = { -1, -1 }, po[2] = { -1, -1 }, pe[2] = { -1, -1 };
	char **env = NULL;
	HRESULT hr = BPA_E_VALIDATOR_UNAVAILABLE;
	int64_t started;
	bool in_time;
	int rc;

	*why = NULL;
	if (frame == NULL) {
		return hr;
	}
	r = talloc_zero(frame, struct vrun);
	env = make_env(frame, req);
	if (r == NULL || env == NULL) {
		*why = talloc_strdup(mem_ctx, "no memory");
		goto done;
	}
	r->pidfd = r->in = r->out = r->err = -1;
	r->der = req->cert_der;
	r->der_left = req->cert_len;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 ||
	    pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0) {
		*why = talloc_asprintf(mem_ctx, "no pipe: %s",
				       strerror(errno));
		goto done;
	}
	rc = spawn(path, env, sv[1], po[1], pe[1], &r->pid);
	close_fd(&sv[1]);
	close_fd(&po[1]);
	close_fd(&pe[1]);
	if (rc != 0) {
		*why = talloc_asprintf(mem_ctx, "cannot be started: %s",
				       strerror(rc));
		goto done;
	}
	r->in = sv[0];
	r->out = po[0];
	r->err = pe[0];
	sv[0] = po[0] = pe[0] = -1;
	fcntl(r->in, F_SETFL, O_NONBLOCK);
	fcntl(r->out, F_SETFL, O_NONBLOCK);
	fcntl(r->err, F_SETFL, O_NONBLOCK);
	r->pidfd = pidfd_of(r->pid);

	started = now_ms();
	in_time = supervise(r, started + (int64_t)timeout * 1000);
	end_group(r);
	log_stderr(frame, path, r);
	if (!in_time) {
		*why = talloc_asprintf(mem_ctx, "timed out after %" PRIu32
				       " s (its process group was killed)",
				       timeout);
		goto done;
	}
	if (r->status == -1) {
		*why = talloc_strdup(mem_ctx, "its exit status was lost");
		goto done;
	}
	if (WIFSIGNALED(r->status)) {
		*why = talloc_asprintf(mem_ctx, "killed by signal %d",
				       WTERMSIG(r->status));
		goto done;
	}
	if (!WIFEXITED(r->status)) {
		*why = talloc_strdup(mem_ctx, "did not exit");
		goto done;
	}
	DBG_INFO("validator %s: exit %d after %" PRId64 " ms\n", path,
		 WEXITSTATUS(r->status), now_ms() - started);
	hr = WEXITSTATUS(r->status) == 0 ? BPA_S_OK : stdout_hresult(r);
done:
	if (r != NULL) {
		close_fd(&r->in);
		close_fd(&r->out);
		close_fd(&r->err);
		close_fd(&r->pidfd);
	}
	close_fd(&sv[0]);
	close_fd(&sv[1]);
	close_fd(&po[0]);
	close_fd(&po[1]);
	close_fd(&pe[0]);
	close_fd(&pe[1]);
	TALLOC_FREE(frame);
	return hr;
}
