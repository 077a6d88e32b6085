/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bpa_client_socket_options() (issue 15): smb.conf "socket options" on
 * the pipe's TCP connection, found by its endpoint port; other
 * connections of the process are left alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <talloc.h>
#include <param.h>
#include <dcerpc.h>
#include "client/bpa_client.h"

struct link {
	int listener;
	int client;
	int server;
	unsigned port;
};

/* a connected pair on 127.0.0.1 */
static void link_open(struct link *l)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l->listener = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(l->listener >= 0);
	assert_int_equal(bind(l->listener, (struct sockaddr *)&a,
			      sizeof(a)), 0);
	assert_int_equal(listen(l->listener, 1), 0);
	assert_int_equal(getsockname(l->listener, (struct sockaddr *)&a,
				     &len), 0);
	l->port = ntohs(a.sin_port);
	l->client = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(l->client >= 0);
	assert_int_equal(connect(l->client, (struct sockaddr *)&a,
				 sizeof(a)), 0);
	l->server = accept(l->listener, NULL, NULL);
	assert_true(l->server >= 0);
}

static void link_close(struct link *l)
{
	close(l->client);
	close(l->server);
	close(l->listener);
}

static int sockopt(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	assert_int_equal(getsockopt(fd, level, name, &v, &len), 0);
	return v != 0;
}

/* a pipe as dcerpc_pipe_connect() leaves it: only the binding is read */
static void pipe_to(TALLOC_CTX *ctx, struct dcerpc_pipe *p, unsigned port)
{
	struct dcerpc_binding *b = NULL;
	char *s = talloc_asprintf(ctx, "ncacn_ip_tcp:127.0.0.1[%u]", port);

	assert_non_null(s);
	assert_true(NT_STATUS_IS_OK(dcerpc_parse_binding(ctx, s, &b)));
	memset(p, 0, sizeof(*p));
	p->binding = b;
}

static void test_nodelay_on_the_pipe_only(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct dcerpc_pipe p;
	struct link ours, other;

	link_open(&ours);
	link_open(&other);
	assert_false(sockopt(ours.client, IPPROTO_TCP, TCP_NODELAY));
	pipe_to(ctx, &p, ours.port);
	/* no smb.conf: Samba's default, TCP_NODELAY */
	assert_int_equal(bpa_client_socket_options(&p, NULL), 1);
	assert_true(sockopt(ours.client, IPPROTO_TCP, TCP_NODELAY));
	assert_false(sockopt(other.client, IPPROTO_TCP, TCP_NODELAY));
	/* the listener and the accepted side have no peer on that port */
	assert_false(sockopt(ours.server, IPPROTO_TCP, TCP_NODELAY));
	link_close(&ours);
	link_close(&other);
	talloc_free(ctx);
}

static void test_configured_socket_options_honoured(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct loadparm_context *lp = loadparm_init_global(false);
	struct dcerpc_pipe p;
	struct link l;

	assert_non_null(lp);
	assert_true(lpcfg_set_cmdline(lp, "socket options", "SO_KEEPALIVE"));
	link_open(&l);
	pipe_to(ctx, &p, l.port);
	assert_int_equal(bpa_client_socket_options(&p, lp), 1);
	assert_true(sockopt(l.client, SOL_SOCKET, SO_KEEPALIVE));
	assert_false(sockopt(l.client, IPPROTO_TCP, TCP_NODELAY));
	link_close(&l);
	talloc_free(ctx);
}

static void test_no_endpoint_nothing_done(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct dcerpc_binding *b = NULL;
	struct dcerpc_pipe p;

	assert_int_equal(bpa_client_socket_options(NULL, NULL), 0);
	assert_true(NT_STATUS_IS_OK(dcerpc_parse_binding(ctx,
		"ncacn_ip_tcp:127.0.0.1", &b)));
	memset(&p, 0, sizeof(p));
	p.binding = b;
	assert_int_equal(bpa_client_socket_options(&p, NULL), 0);
	talloc_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nodelay_on_the_pipe_only),
		cmocka_unit_test(test_configured_socket_options_honoured),
		cmocka_unit_test(test_no_endpoint_nothing_done),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
