/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bpa_tls_peer: one side of a TLS connection between two peers that
 * exchanged certificates (MS-BPAU 4.1, 3.1.6.1 / 3.2.6.1): each side
 * presents its local certificate and accepts the other's only if its own
 * peer table knows it (bpa_peer_table_gnutls_install()).
 *
 *   bpa_tls_peer server --cert PEM --key PEM --table TDB --listen ADDR
 *                       --port-file FILE
 *   bpa_tls_peer client --cert PEM --key PEM --table TDB --connect ADDR
 *                       --port N [--bind ADDR]
 *
 * The server takes one connection (port 0: the kernel's choice, written
 * to FILE once it listens), the client makes one.  On success the server
 * sends "k" and the client reads it (with TLS 1.3 a client learns of the
 * server's verdict on its certificate only then).  Each prints one line,
 * "<role>: ok peer <subject DN>" or "<role>: failed <reason>", and exits
 * 0 or 1 (2: usage, 3: setup).  Both stop by themselves after 30 s.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <signal.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <popt.h>
#include <talloc.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include "peers/peer_table.h"
#include "peers/peer_tls.h"

struct opts {
	const char *cert;
	const char *key;
	const char *table;
	const char *listen;
	const char *port_file;
	const char *connect;
	const char *bind;
	int port;
};

static void peer_dn(gnutls_session_t session, char *buf, size_t len)
{
	const gnutls_datum_t *list = NULL;
	gnutls_x509_crt_t crt = NULL;
	unsigned int n = 0;
	size_t sz = len;

	snprintf(buf, len, "?");
	list = gnutls_certificate_get_peers(session, &n);
	if (list == NULL || n == 0 || gnutls_x509_crt_init(&crt) != 0) {
		return;
	}
	if (gnutls_x509_crt_import(crt, &list[0], GNUTLS_X509_FMT_DER) == 0 &&
	    gnutls_x509_crt_get_dn(crt, buf, &sz) != 0) {
		snprintf(buf, len, "?");
	}
	gnutls_x509_crt_deinit(crt);
}

static int sock_addr(const char *addr, int port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, addr, &sa->sin_addr) == 1 ? 0 : -1;
}

/* The connected socket: the server accepts one, the client connects */
static int connect_side(bool server, const struct opts *o)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	FILE *f = NULL;
	int fd;
	int c;
	int one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (server) {
		if (sock_addr(o->listen, 0, &sa) != 0 ||
		    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
		    listen(fd, 1) != 0 ||
		    getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) {
			goto fail;
		}
		f = fopen(o->port_file, "w");
		if (f == NULL) {
			goto fail;
		}
		fprintf(f, "%d\n", ntohs(sa.sin_port));
		if (fclose(f) != 0) {
			goto fail;
		}
		c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		close(fd);
		return c;
	}
	if (o->bind != NULL &&
	    (sock_addr(o->bind, 0, &sa) != 0 ||
	     bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)) {
		goto fail;
	}
	if (sock_addr(o->connect, o->port, &sa) != 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		goto fail;
	}
	return fd;
fail:
	fprintf(stderr, "socket: %s\n", strerror(errno));
	close(fd);
	return -1;
}

static int run(bool server, const struct opts *o)
{
	const char *role = server ? "server" : "client";
	TALLOC_CTX *frame = talloc_new(NULL);
	gnutls_certificate_credentials_t cred = NULL;
	gnutls_session_t session = NULL;
	struct bpa_peer_table_params p;
	struct bpa_peer_table *table = NULL;
	char dn[512];
	char c = 0;
	int ret = 3;
	int fd = -1;
	int rc;
	HRESULT hr;

	bpa_peer_table_params_init(&p);
	p.path = o->table;
	p.attach = true;
	p.read_only = true;
	hr = bpa_peer_table_open(frame, &p, &table);
	if (!HRES_IS_OK(hr)) {
		fprintf(stderr, "peer table %s: 0x%08x\n", o->table,
			HRES_ERROR_V(hr));
		goto done;
	}
	if (gnutls_certificate_allocate_credentials(&cred) != 0 ||
	    gnutls_certificate_set_x509_key_file(cred, o->cert, o->key,
						 GNUTLS_X509_FMT_PEM) != 0 ||
	    gnutls_init(&session,
			server ? GNUTLS_SERVER : GNUTLS_CLIENT) != 0 ||
	    gnutls_set_default_priority(session) != 0 ||
	    gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE,
				   cred) != 0 ||
	    bpa_peer_table_gnutls_install(session, table) != 0) {
		fprintf(stderr, "cannot set up GnuTLS with %s, %s\n", o->cert,
			o->key);
		goto done;
	}
	fd = connect_side(server, o);
	if (fd == -1) {
		goto done;
	}
	gnutls_transport_set_int(session, fd);
	gnutls_handshake_set_timeout(session, 20000);
	do {
		rc = gnutls_handshake(session);
	} while (rc < 0 && gnutls_error_is_fatal(rc) == 0);
	ret = 1;
	if (rc != 0) {
		printf("%s: failed %s\n", role, gnutls_strerror(rc));
		goto done;
	}
	if (server) {
		rc = gnutls_record_send(session, "k", 1);
	} else {
		do {
			rc = gnutls_record_recv(session, &c, 1);
		} while (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED);
	}
	if (rc != 1 || (!server && c != 'k')) {
		printf("%s: failed %s\n", role, rc < 0 ? gnutls_strerror(rc) :
		       "no confirmation from the server");
		goto done;
	}
	peer_dn(session, dn, sizeof(dn));
	printf("%s: ok peer %s\n", role, dn);
	gnutls_bye(session, GNUTLS_SHUT_WR);
	ret = 0;
done:
	if (fd != -1) {
		close(fd);
	}
	if (session != NULL) {
		gnutls_deinit(session);
	}
	if (cred != NULL) {
		gnutls_certificate_free_credentials(cred);
	}
	TALLOC_FREE(frame);
	return ret;
}

int main(int argc, const char **argv)
{
	struct opts o = { .cert = NULL };
	poptContext pc = NULL;
	const char *mode = NULL;
	bool server;
	int opt;
	int ret = 2;
	struct poptOption options[] = {
		POPT_AUTOHELP
		{ "cert", 0, POPT_ARG_STRING, &o.cert, 0, "PEM", NULL },
		{ "key", 0, POPT_ARG_STRING, &o.key, 0, "PEM", NULL },
		{ "table", 0, POPT_ARG_STRING, &o.table, 0, "TDB", NULL },
		{ "listen", 0, POPT_ARG_STRING, &o.listen, 0, "ADDR", NULL },
		{ "port-file", 0, POPT_ARG_STRING, &o.port_file, 0, "FILE",
		  NULL },
		{ "connect", 0, POPT_ARG_STRING, &o.connect, 0, "ADDR", NULL },
		{ "port", 0, POPT_ARG_INT, &o.port, 0, "N", NULL },
		{ "bind", 0, POPT_ARG_STRING, &o.bind, 0, "ADDR", NULL },
		POPT_TABLEEND
	};

	alarm(30);
	pc = poptGetContext("bpa_tls_peer", argc, argv, options, 0);
	while ((opt = poptGetNextOpt(pc)) > 0) {
	}
	mode = poptGetArg(pc);
	if (opt < -1 || mode == NULL || o.cert == NULL || o.key == NULL ||
	    o.table == NULL) {
		fprintf(stderr, "usage: bpa_tls_peer server|client ...\n");
		goto done;
	}
	server = strcmp(mode, "server") == 0;
	if ((server && (o.listen == NULL || o.port_file == NULL)) ||
	    (!server && (strcmp(mode, "client") != 0 || o.connect == NULL ||
			 o.port <= 0 || o.port > 65535))) {
		fprintf(stderr, "usage: bpa_tls_peer server|client ...\n");
		goto done;
	}
	ret = run(server, &o);
done:
	poptFreeContext(pc);
	return ret;
}
