/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * End-to-end cost of ExchangePublicKeys (MS-BPAU 3.1.4.1) against a live
 * DC, as a ratio to a baseline call measured in the same run on the
 * same kind of connection: the remote management interface's
 * mgmt_is_server_listening (DCE 1.1 RPC, opnum 2: no arguments, no
 * work on the server), on a connection made with the same binding
 * string (the endpoint's port given, so the same listening socket),
 * so the same transport, auth type and level, and the same samba
 * process model.  bench/bench_dc.sh starts the DC and runs this.
 *
 *   bench_dc_calls --binding B -s SMBCONF --ccache F --blob A --blob2 B
 *       [--calls N] [--reps R] [--modes m,m,...] [--procs p,p,...]
 *       [--first K]
 *
 * Modes (each a block of N calls on one connection, made by a fresh
 * process that has connected and bound before the clock starts):
 *   mgmt   the baseline call
 *   alt    ExchangePublicKeys, certificates A and B alternating: every
 *          call really replaces the caller's row
 *   same   ExchangePublicKeys with A every time
 *   empty  ExchangePublicKeys with ClientKeyLength 0
 * Every (procs, mode) block runs once per repetition, in an order that
 * rotates from one repetition to the next (A/B interleaved, so a
 * change of machine load hits every mode alike).  With procs P > 1, P
 * processes run their N calls at the same time and the rate is the
 * aggregate.  Printed: calls/s min / median / max over the repetitions,
 * and per repetition the ratio to the baseline of the same repetition
 * (median and min).
 *
 * --first K: K fresh connections, each timing the connect + bind, the
 * first ExchangePublicKeys (alternating) and the median of 20 later
 * ones on it: what a client that connects for one exchange pays.
 * Connections get smb.conf "socket options" (TCP_NODELAY) as the
 * project's client applies them (bpa_client_socket_options());
 * --nagle leaves Samba's client socket as it is, for the comparison.
 *
 * --rate MODE: one block only, prints "rate=<calls/s>" (for the
 * script's persistent-vs-volatile comparison between two DCs).
 *
 * --server-pid PID (samba -M single): each block also reads the CPU
 * time of every thread of PID (/proc/PID/task/.../schedstat, ns) before
 * the calls and after them, and prints the server's CPU per call by
 * mode and its ratio to the baseline's: where a mode's time goes, the
 * server or the wire and the client.
 *
 * A call that does not return S_OK stops the benchmark (exit 1): a
 * rate of refusals would measure nothing.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sys/types.h>
#include <dirent.h>
#include <talloc.h>
#define TEVENT_DEPRECATED 1
#include <tevent.h>
#include <util/data_blob.h>
#include <core/ntstatus.h>
#include <param.h>
#include <credentials.h>
#include <dcerpc.h>
#include "librpc/gen_ndr/ndr_bitspeerauth.h"
#include "librpc/gen_ndr/ndr_bitspeerauth_c.h"
#include "client/bpa_client.h"

/*
 * The remote management interface (DCE 1.1 RPC, Samba's mgmt.idl):
 * its table lives in a private Samba library, so the baseline binds its
 * syntax from this description and makes the call raw, opnum 2
 * (mgmt_is_server_listening: no input; output a [ref] uint32 status
 * and a boolean32 result).
 */
static const char * const mgmt_names[] = { "host" };
static const struct ndr_interface_string_array mgmt_strings = {
	.count = 1,
	.names = mgmt_names,
};
static const struct ndr_interface_table mgmt_iface = {
	.name = "mgmt",
	.syntax_id = {
		.uuid = { 0xafa8bd80, 0x7d8a, 0x11c9, { 0xbe, 0xf4 },
			  { 0x08, 0x00, 0x2b, 0x10, 0x29, 0x89 } },
		.if_version = 1,
	},
	.num_calls = 0,
	.endpoints = &mgmt_strings,	/* unused: the binding has the port */
	.authservices = &mgmt_strings,	/* the principal's service */
};
#define MGMT_IS_SERVER_LISTENING 2

#define MAX_REPS 50
#define MAX_LIST 8
#define LATER_CALLS 20

enum mode { M_MGMT, M_ALT, M_SAME, M_EMPTY, M_COUNT };
static const char *mode_names[M_COUNT] = { "mgmt", "alt", "same", "empty" };

struct opts {
	const char *binding;
	const char *smbconf;
	const char *ccache;
	const char *blob[2];
	unsigned calls;
	unsigned reps;
	unsigned first;
	bool nagle;		/* --nagle: Samba's client socket as it is */
	int modes[MAX_LIST];
	unsigned n_modes;
	unsigned procs[MAX_LIST];
	unsigned n_procs;
	int rate_mode;
	long server_pid;	/* --server-pid, 0: not measured */
};

struct conn {
	TALLOC_CTX *mem_ctx;
	struct tevent_context *ev;
	struct loadparm_context *lp_ctx;
	struct dcerpc_pipe *bpa;	/* bound to the mode's interface */
	DATA_BLOB key[2];
	unsigned n;			/* calls made */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool read_file(TALLOC_CTX *mem_ctx, const char *path, DATA_BLOB *b)
{
	FILE *f = fopen(path, "rb");
	long len;

	*b = data_blob_null;
	if (f == NULL) {
		perror(path);
		return false;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return false;
	}
	*b = data_blob_talloc(mem_ctx, NULL, len);
	if (b->data == NULL || fread(b->data, 1, len, f) != (size_t)len) {
		fclose(f);
		return false;
	}
	fclose(f);
	return true;
}

static bool conn_open(const struct opts *o, enum mode m, struct conn *c)
{
	struct cli_credentials *creds = NULL;
	const char *err = NULL;
	NTSTATUS status;
	int i;

	*c = (struct conn) { .mem_ctx = talloc_new(NULL) };
	if (c->mem_ctx == NULL) {
		return false;
	}
	status = dcerpc_init();
	c->ev = tevent_context_init(c->mem_ctx);
	c->lp_ctx = loadparm_init_global(false);
	if (!NT_STATUS_IS_OK(status) || c->ev == NULL || c->lp_ctx == NULL) {
		return false;
	}
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	tevent_loop_allow_nesting(c->ev);
#pragma GCC diagnostic pop
	if (o->smbconf != NULL && !lpcfg_load(c->lp_ctx, o->smbconf)) {
		fprintf(stderr, "cannot load %s\n", o->smbconf);
		return false;
	}
	for (i = 0; i < 2; i++) {
		if (!read_file(c->mem_ctx, o->blob[i], &c->key[i])) {
			return false;
		}
	}
	creds = cli_credentials_init(c->mem_ctx);
	if (creds == NULL) {
		return false;
	}
	cli_credentials_set_conf(creds, c->lp_ctx);
	if (cli_credentials_set_ccache(creds, c->lp_ctx, o->ccache,
				       CRED_SPECIFIED, &err) != 0) {
		fprintf(stderr, "ccache %s: %s\n", o->ccache,
			err ? err : "error");
		return false;
	}
	status = dcerpc_pipe_connect(c->mem_ctx, &c->bpa, o->binding,
				     m == M_MGMT ? &mgmt_iface :
				     &ndr_table_bitspeerauth, creds, c->ev,
				     c->lp_ctx);
	if (!NT_STATUS_IS_OK(status)) {
		fprintf(stderr, "connect: %s\n", nt_errstr(status));
		return false;
	}
	/* what bpa_client_connect() does: smb.conf "socket options" */
	if (!o->nagle) {
		bpa_client_socket_options(c->bpa, c->lp_ctx);
	}
	return true;
}

static bool call_one(struct conn *c, enum mode m)
{
	TALLOC_CTX *frame = talloc_new(c->mem_ctx);
	struct bitspeerauth_ExchangePublicKeys r = { .in = { 0 } };
	const DATA_BLOB *key = NULL;
	uint32_t out_len = 0;
	uint8_t *out_key = NULL;
	NTSTATUS status;
	bool ok = false;

	if (frame == NULL) {
		return false;
	}
	if (m == M_MGMT) {
		uint8_t *out = NULL;
		size_t olen = 0;
		uint32_t oflags = 0;

		status = dcerpc_binding_handle_raw_call(
			c->bpa->binding_handle, NULL,
			MGMT_IS_SERVER_LISTENING, 0, NULL, 0, frame, &out,
			&olen, &oflags);
		ok = NT_STATUS_IS_OK(status) && olen == 8 &&
		     (out[4] | out[5] | out[6] | out[7]) != 0;
		if (!ok) {
			fprintf(stderr, "mgmt_is_server_listening: %s %zu\n",
				nt_errstr(status), olen);
		}
		goto done;
	}
	if (m == M_ALT) {
		key = &c->key[c->n % 2];
	} else if (m == M_SAME) {
		key = &c->key[0];
	}
	if (key != NULL) {
		r.in.ClientKeyLength = key->length;
		r.in.ClientKey = key->data;
	}
	r.out.pServerKeyLength = &out_len;
	r.out.pServerKey = &out_key;
	status = dcerpc_bitspeerauth_ExchangePublicKeys_r(
		c->bpa->binding_handle, frame, &r);
	ok = NT_STATUS_IS_OK(status) && HRES_IS_OK(r.out.result) &&
	     out_len > 0;
	if (!ok) {
		fprintf(stderr, "ExchangePublicKeys: %s 0x%08x\n",
			nt_errstr(status), HRES_ERROR_V(r.out.result));
	}
done:
	c->n++;
	TALLOC_FREE(frame);
	return ok;
}

/*
 * P processes, each connected and bound, then (on the parent's go) N
 * calls of @m.  Returns the aggregate calls/s, or -1.
 */
/* CPU time of all threads of @pid so far, in ns; -1 if unreadable */
static double task_cpu_ns(long pid)
{
	char path[320];
	struct dirent *e = NULL;
	DIR *dir = NULL;
	double sum = 0;
	bool any = false;

	snprintf(path, sizeof(path), "/proc/%ld/task", pid);
	dir = opendir(path);
	if (dir == NULL) {
		return -1;
	}
	while ((e = readdir(dir)) != NULL) {
		unsigned long long ns = 0;
		FILE *f = NULL;

		if (e->d_name[0] == '.') {
			continue;
		}
		snprintf(path, sizeof(path), "/proc/%ld/task/%s/schedstat",
			 pid, e->d_name);
		f = fopen(path, "r");
		if (f == NULL) {
			continue;	/* a thread that just ended */
		}
		if (fscanf(f, "%llu", &ns) == 1) {
			sum += (double)ns;
			any = true;
		}
		fclose(f);
	}
	closedir(dir);
	return any ? sum : -1;
}

/*
 * Calls/s of one block; with o->server_pid, *srv_us gets the server's
 * CPU microseconds per call during it
 */
static double block(const struct opts *o,
		    enum mode m,
		    unsigned procs,
		    double *srv_us)
{
	double c0 = -1, c1 = -1;
	pid_t pids[MAX_LIST * 8];
	int ready[2], go[2];
	double t0 = 0, t1;
	unsigned i, up = 0;
	bool failed = false;
	char ch;

	if (pipe(ready) != 0 || pipe(go) != 0) {
		return -1;
	}
	for (i = 0; i < procs; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			struct conn c;
			unsigned k;
			int rc = 1;

			close(ready[0]);
			close(go[1]);
			ch = (conn_open(o, m, &c) && call_one(&c, m)) ?
				'r' : 'x';
			if (write(ready[1], &ch, 1) != 1 || ch != 'r' ||
			    read(go[0], &ch, 1) != 1 || ch != 'g') {
				_exit(1);
			}
			for (k = 0; k < o->calls; k++) {
				if (!call_one(&c, m)) {
					break;
				}
			}
			rc = (k == o->calls) ? 0 : 1;
			TALLOC_FREE(c.mem_ctx);
			_exit(rc);
		}
		if (pids[i] < 0) {
			failed = true;
			procs = i;
			break;
		}
	}
	close(ready[1]);
	close(go[0]);
	while (up < procs && read(ready[0], &ch, 1) == 1 && ch == 'r') {
		up++;
	}
	if (up == procs && !failed) {
		if (o->server_pid > 0) {
			c0 = task_cpu_ns(o->server_pid);
		}
		t0 = now_s();
		for (i = 0; i < procs; i++) {
			ch = 'g';
			failed |= (write(go[1], &ch, 1) != 1);
		}
	}
	close(go[1]);
	close(ready[0]);
	for (i = 0; i < procs; i++) {
		int status = 0;

		waitpid(pids[i], &status, 0);
		failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	}
	t1 = now_s();
	if (o->server_pid > 0) {
		c1 = task_cpu_ns(o->server_pid);
	}
	if (failed || up != procs) {
		fprintf(stderr, "block %s x%u failed\n", mode_names[m], procs);
		return -1;
	}
	if (o->server_pid > 0) {
		if (c0 < 0 || c1 < 0) {
			fprintf(stderr, "cannot read the CPU time of pid %ld\n",
				o->server_pid);
			return -1;
		}
		*srv_us = (c1 - c0) / 1e3 / ((double)procs * o->calls);
	}
	return (double)procs * o->calls / (t1 - t0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return (n % 2) ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void print_stats(const char *what,
			const char *unit,
			double *v,
			unsigned n)
{
	double med = median(v, n);

	printf("%-28s min %9.3f  median %9.3f  max %9.3f %s\n", what, v[0],
	       med, v[n - 1], unit);
}

/*
 * One line per mode of procs[@i]: @t itself, or with @ratio its ratio
 * to the baseline call of the same repetition (none without it)
 */
static void print_modes(const struct opts *o,
			double t[][M_COUNT][MAX_REPS],
			unsigned i,
			bool ratio,
			const char *prefix,
			const char *suffix)
{
	double v[MAX_REPS];
	bool baseline = false;
	unsigned j, r;

	for (j = 0; j < o->n_modes; j++) {
		baseline |= (o->modes[j] == M_MGMT);
	}
	for (j = 0; j < o->n_modes && (baseline || !ratio); j++) {
		int m = o->modes[j];
		char what[64];

		if (ratio && m == M_MGMT) {
			continue;
		}
		for (r = 0; r < o->reps; r++) {
			v[r] = ratio ? t[i][m][r] / t[i][M_MGMT][r] :
				       t[i][m][r];
		}
		snprintf(what, sizeof(what), "%s%s%s x%u%s", prefix,
			 mode_names[m], ratio ? "/mgmt" : "", o->procs[i],
			 suffix);
		print_stats(what, ratio ? "x" : "", v, o->reps);
	}
}

/* connect, first call, later calls: one fresh connection per sample */
/*
 * *@once: the median over the samples of first - later, what the first
 * call on a connection pays once
 */
static int first_calls_mode(const struct opts *o,
			    enum mode m,
			    double *once)
{
	double conn[MAX_REPS], first[MAX_REPS], later[MAX_REPS];
	double ratio[MAX_REPS], extra[MAX_REPS];
	unsigned i, k;
	int fd[2];

	for (i = 0; i < o->first; i++) {
		double v[3 + LATER_CALLS];
		pid_t pid;
		int status = 0;

		if (pipe(fd) != 0) {
			return 1;
		}
		pid = fork();
		if (pid == 0) {
			struct conn c;
			double t;

			close(fd[0]);
			t = now_s();
			if (!conn_open(o, m, &c)) {
				_exit(1);
			}
			v[0] = now_s() - t;
			for (k = 0; k <= LATER_CALLS; k++) {
				t = now_s();
				if (!call_one(&c, m)) {
					_exit(1);
				}
				v[1 + k] = now_s() - t;
			}
			_exit(write(fd[1], v, sizeof(v)) == sizeof(v) ? 0 : 1);
		}
		close(fd[1]);
		if (pid < 0 || read(fd[0], v, sizeof(v)) != sizeof(v)) {
			close(fd[0]);
			return 1;
		}
		close(fd[0]);
		waitpid(pid, &status, 0);
		conn[i] = v[0] * 1e3;
		first[i] = v[1] * 1e3;
		later[i] = median(&v[2], LATER_CALLS) * 1e3;
		ratio[i] = first[i] / later[i];
		extra[i] = first[i] - later[i];
	}
	printf("%s:\n", mode_names[m]);
	print_stats("connect + bind", "ms", conn, o->first);
	print_stats("first call on it", "ms", first, o->first);
	print_stats("later call (median)", "ms", later, o->first);
	print_stats("first / later", "x", ratio, o->first);
	print_stats("first - later", "ms", extra, o->first);
	*once = median(extra, o->first);
	return 0;
}

/*
 * The first call pays for what the bind left to it (the server
 * completes a Kerberos bind when the third leg, auth3, arrives, which
 * has no reply): so the baseline call is measured the same way
 */
static int first_calls(const struct opts *o)
{
	double once[M_COUNT] = { 0 };
	bool seen[M_COUNT] = { false };
	unsigned i;

	for (i = 0; i < o->n_modes; i++) {
		int m = o->modes[i];

		if (first_calls_mode(o, (enum mode)m, &once[m]) != 0) {
			return 1;
		}
		seen[m] = true;
	}
	/* the share of the first call that is ours, not the bind's */
	for (i = 0; seen[M_MGMT] && i < M_COUNT; i++) {
		if (i != M_MGMT && seen[i]) {
			printf("%s first - later, beyond mgmt's: %.3f ms "
			       "(medians)\n", mode_names[i],
			       once[i] - once[M_MGMT]);
		}
	}
	return 0;
}

static int parse_list(const char *s,
		      bool modes,
		      int *m,
		      unsigned *p,
		      unsigned *n)
{
	char *copy = strdup(s), *save = NULL, *tok;
	int j;

	*n = 0;
	for (tok = strtok_r(copy, ",", &save); tok != NULL && *n < MAX_LIST;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!modes) {
			p[(*n)++] = strtoul(tok, NULL, 10);
			continue;
		}
		for (j = 0; j < M_COUNT; j++) {
			if (strcmp(tok, mode_names[j]) == 0) {
				m[(*n)++] = j;
				break;
			}
		}
		if (j == M_COUNT) {
			fprintf(stderr, "unknown mode %s\n", tok);
			free(copy);
			return -1;
		}
	}
	free(copy);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "binding", required_argument, NULL, 'b' },
		{ "smbconf", required_argument, NULL, 's' },
		{ "ccache", required_argument, NULL, 'c' },
		{ "blob", required_argument, NULL, 'f' },
		{ "blob2", required_argument, NULL, 'g' },
		{ "calls", required_argument, NULL, 'n' },
		{ "reps", required_argument, NULL, 'r' },
		{ "modes", required_argument, NULL, 'm' },
		{ "procs", required_argument, NULL, 'p' },
		{ "first", required_argument, NULL, 'F' },
		{ "rate", required_argument, NULL, 'R' },
		{ "nagle", no_argument, NULL, 'N' },
		{ "server-pid", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o = { .calls = 1000, .reps = 5, .rate_mode = -1 };
	static double rate[MAX_LIST][M_COUNT][MAX_REPS];
	static double srv[MAX_LIST][M_COUNT][MAX_REPS];
	double v[MAX_REPS];
	unsigned r, i, j, k, nb;
	unsigned m1 = 1;
	int c;

	parse_list("mgmt,alt,same,empty", true, o.modes, NULL, &o.n_modes);
	parse_list("1", false, NULL, o.procs, &o.n_procs);
	while ((c = getopt_long(argc, argv, "b:s:", longopts, NULL)) != -1) {
		switch (c) {
		case 'b': o.binding = optarg; break;
		case 's': o.smbconf = optarg; break;
		case 'c': o.ccache = optarg; break;
		case 'f': o.blob[0] = optarg; break;
		case 'g': o.blob[1] = optarg; break;
		case 'n': o.calls = strtoul(optarg, NULL, 10); break;
		case 'r': o.reps = strtoul(optarg, NULL, 10); break;
		case 'F': o.first = strtoul(optarg, NULL, 10); break;
		case 'N': o.nagle = true; break;
		case 'P': o.server_pid = strtol(optarg, NULL, 10); break;
		case 'm':
			if (parse_list(optarg, true, o.modes, NULL,
				       &o.n_modes) != 0) {
				return 2;
			}
			break;
		case 'p':
			parse_list(optarg, false, NULL, o.procs, &o.n_procs);
			break;
		case 'R':
			if (parse_list(optarg, true, &o.rate_mode, NULL,
				       &m1) != 0) {
				return 2;
			}
			break;
		default:
			return 2;
		}
	}
	if (o.binding == NULL || o.ccache == NULL || o.blob[0] == NULL ||
	    o.blob[1] == NULL || o.calls == 0 || o.reps == 0 ||
	    o.reps > MAX_REPS || o.first > MAX_REPS) {
		fprintf(stderr, "usage: see bench/bench_dc_calls.c\n");
		return 2;
	}
	if (o.rate_mode >= 0) {
		double su = 0;
		double x = block(&o, o.rate_mode, 1, &su);

		if (x < 0) {
			return 1;
		}
		printf("rate=%.1f\n", x);
		return 0;
	}
	if (o.first > 0) {
		return first_calls(&o);
	}
	/* the blocks of one repetition, rotated by one each repetition */
	nb = o.n_procs * o.n_modes;
	for (r = 0; r < o.reps; r++) {
		for (k = 0; k < nb; k++) {
			unsigned b = (k + r) % nb;
			unsigned pi = b / o.n_modes;
			int m = o.modes[b % o.n_modes];
			double x = block(&o, m, o.procs[pi],
					 &srv[pi][m][r]);

			if (x < 0) {
				return 1;
			}
			rate[pi][m][r] = x;
		}
	}
	printf("%u calls per block, %u repetitions, modes interleaved\n",
	       o.calls, o.reps);
	for (i = 0; i < o.n_procs; i++) {
		print_modes(&o, rate, i, false, "", " calls/s");
	}
	for (i = 0; i < o.n_procs; i++) {
		print_modes(&o, rate, i, true, "ratio ", "");
	}
	for (i = 0; o.server_pid > 0 && i < o.n_procs; i++) {
		print_modes(&o, srv, i, false, "server cpu us/call ", "");
		print_modes(&o, srv, i, true, "server cpu ", "");
	}
	if (o.n_procs > 1) {
		for (i = 1; i < o.n_procs; i++) {
			for (j = 0; j < o.n_modes; j++) {
				int m = o.modes[j];
				char what[64];

				for (r = 0; r < o.reps; r++) {
					v[r] = rate[i][m][r] / rate[0][m][r];
				}
				snprintf(what, sizeof(what),
					 "ratio %s x%u/x%u", mode_names[m],
					 o.procs[i], o.procs[0]);
				print_stats(what, "x", v, o.reps);
			}
		}
	}
	return 0;
}
