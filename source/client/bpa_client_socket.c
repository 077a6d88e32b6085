/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * smb.conf "socket options" on the client's RPC connection (issue 15).
 *
 * Samba 4.17's RPC client (source4/librpc/rpc/dcerpc_sock.c) wraps the
 * TCP socket it connects in a tstream and sets no option on it: with
 * Nagle on, the first request after the bind waits for the delayed ACK
 * of the bind's last segment (~40 ms on Linux), where Samba's servers
 * apply "socket options" (default TCP_NODELAY) to every socket they
 * accept.  The pipe gives no access to its socket, so the connected
 * TCP sockets of this process whose peer port is the pipe's endpoint
 * are found in /proc/self/fd and given the configured options with
 * libsamba-util's own set_socket_options() (docs/platform.md).  Other
 * connections to the same endpoint get them too, which is what
 * "socket options" means for them as well.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <dirent.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include "util/bpa_debug.h"
#include <talloc.h>
#include <param.h>
#include <dcerpc.h>
#include "client/bpa_client.h"

/* libsamba-util, exported (_PUBLIC_) but its header is not installed */
void set_socket_options(int fd, const char *options);

/* the peer port of a connected TCP socket @fd, or 0 */
static unsigned peer_tcp_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int type = 0;
	socklen_t tlen = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) != 0 ||
	    type != SOCK_STREAM) {
		return 0;
	}
	if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0) {
		return 0;
	}
	if (ss.ss_family == AF_INET) {
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	}
	if (ss.ss_family == AF_INET6) {
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	return 0;
}

int bpa_client_socket_options(struct dcerpc_pipe *p,
			      struct loadparm_context *lp_ctx)
{
	const char *options = NULL;
	const char *endpoint = NULL;
	struct dirent *e = NULL;
	unsigned long port;
	char *end = NULL;
	DIR *d = NULL;
	int n = 0;

	if (p == NULL || p->binding == NULL) {
		return 0;
	}
	endpoint = dcerpc_binding_get_string_option(p->binding, "endpoint");
	if (endpoint == NULL) {
		return 0;
	}
	port = strtoul(endpoint, &end, 10);
	if (*end != '\0' || port == 0 || port > 65535) {
		return 0;
	}
	options = lp_ctx != NULL ? lpcfg_socket_options(lp_ctx) : NULL;
	if (options == NULL || options[0] == '\0') {
		options = "TCP_NODELAY";	/* Samba's default */
	}
	d = opendir("/proc/self/fd");
	if (d == NULL) {
		DBG_INFO("/proc/self/fd: %s: socket options not set\n",
			 strerror(errno));
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		long fd = strtol(e->d_name, &end, 10);

		if (*end != '\0' || end == e->d_name || fd < 0 ||
		    fd == dirfd(d)) {
			continue;
		}
		if (peer_tcp_port((int)fd) != port) {
			continue;
		}
		set_socket_options((int)fd, options);
		n++;
	}
	closedir(d);
	DBG_DEBUG("socket options \"%s\" on %d connection(s) to port %lu\n",
		  options, n, port);
	return n;
}
