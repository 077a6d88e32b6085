/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * MS-BPAU 3.1.6.1 / 3.2.6.1 in a real GnuTLS handshake over a
 * socketpair: with bpa_peer_table_gnutls_install(), a self-signed peer
 * certificate is accepted exactly when the table knows it, it is valid
 * now, and on resumed sessions too (issue 9).  Certificates are made at
 * test time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <cmocka.h>
#include "util/sid_string.h"
#include "peers/peer_table.h"
#include "peers/peer_tls.h"
#include "ocsp/ocsp_client.h"
#include "revocation/revocation.h"
#include "revocation/rev_local.h"
#include "peer_test_util.h"

#define T0 1700000000

struct endpoint {
	DATA_BLOB der;
	gnutls_x509_crt_t crt;
	gnutls_x509_privkey_t key;
};

struct fixture {
	char *dir;
	struct bpa_peer_table *server_table;
	struct bpa_peer_table *client_table;
	struct endpoint server;
	struct endpoint known;
	struct endpoint unknown;
};

static void make_endpoint(struct fixture *f,
			  const char *cn,
			  struct endpoint *e)
{
	assert_int_equal(ptu_selfsigned(f, cn, &e->der, &e->crt, &e->key),
			 0);
}

static void free_endpoint(struct endpoint *e)
{
	gnutls_x509_crt_deinit(e->crt);
	gnutls_x509_privkey_deinit(e->key);
}

static struct bpa_peer_table *new_table(struct fixture *f, const char *name)
{
	struct bpa_peer_table_params p;
	struct bpa_peer_table *t = NULL;

	bpa_peer_table_params_init(&p);
	p.path = talloc_asprintf(f, "%s/%s", f->dir, name);
	assert_true(HRES_IS_OK(bpa_peer_table_open(f, &p, &t)));
	return t;
}

static void add_cert(struct bpa_peer_table *t,
		     const char *sid,
		     const DATA_BLOB *der)
{
	struct bpa_peer p = { .cert_der = *der };

	assert_true(bpa_sid_parse(sid, &p.sid));
	assert_true(HRES_IS_OK(bpa_peer_table_add(t, &p, T0)));
}

static int setup(void **state)
{
	struct fixture *f = talloc_zero(NULL, struct fixture);

	assert_non_null(f);
	f->dir = ptu_tmpdir(f);
	assert_non_null(f->dir);
	make_endpoint(f, "S-1-5-21-1-2-3-1000", &f->server);
	make_endpoint(f, "S-1-5-21-1-2-3-1104", &f->known);
	make_endpoint(f, "S-1-5-21-1-2-3-1105", &f->unknown);
	f->server_table = new_table(f, "server.tdb");
	f->client_table = new_table(f, "client.tdb");
	add_cert(f->server_table, "S-1-5-21-1-2-3-1104", &f->known.der);
	add_cert(f->client_table, "S-1-5-21-1-2-3-1000", &f->server.der);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free_endpoint(&f->server);
	free_endpoint(&f->known);
	free_endpoint(&f->unknown);
	TALLOC_FREE(f->server_table);
	TALLOC_FREE(f->client_table);
	ptu_rmdir(f->dir);
	talloc_free(f);
	return 0;
}

/* One side of a handshake */
struct side {
	unsigned int flags;		/* GNUTLS_SERVER / GNUTLS_CLIENT */
	int fd;
	struct endpoint *cert;		/* NULL: send none */
	struct bpa_peer_table *table;	/* NULL: do not verify the peer */
	int handshake;			/* result */
	int got_ok;			/* client: read the server's "k" */
	/* resumption: the server issues tickets with @ticket_key; the
	 * client resumes @resume, and keeps its session in @save */
	const char *priority;		/* NULL: the default */
	const gnutls_datum_t *ticket_key;
	const gnutls_datum_t *resume;
	gnutls_datum_t *save;
	bool resumed;			/* gnutls_session_is_resumed() */
};

static void run_side(struct side *s)
{
	gnutls_certificate_credentials_t cred = NULL;
	gnutls_session_t session = NULL;
	char c = 0;
	int rc;

	s->handshake = GNUTLS_E_INTERNAL_ERROR;
	rc = gnutls_certificate_allocate_credentials(&cred);
	assert_int_equal(rc, 0);
	if (s->cert != NULL) {
		rc = gnutls_certificate_set_x509_key(cred, &s->cert->crt, 1,
						     s->cert->key);
		assert_int_equal(rc, 0);
	}
	assert_int_equal(gnutls_init(&session, s->flags), 0);
	if (s->priority != NULL) {
		assert_int_equal(gnutls_priority_set_direct(session,
						s->priority, NULL), 0);
	} else {
		assert_int_equal(gnutls_set_default_priority(session), 0);
	}
	assert_int_equal(gnutls_credentials_set(session,
						GNUTLS_CRD_CERTIFICATE, cred),
			 0);
	if (s->table != NULL) {
		assert_int_equal(bpa_peer_table_gnutls_install(session,
							       s->table), 0);
	}
	if (s->ticket_key != NULL) {
		assert_int_equal(gnutls_session_ticket_enable_server(session,
							s->ticket_key), 0);
	}
	if (s->resume != NULL) {
		assert_int_equal(gnutls_session_set_data(session,
				s->resume->data, s->resume->size), 0);
	}
	gnutls_transport_set_int(session, s->fd);
	gnutls_handshake_set_timeout(session, 20000);
	do {
		rc = gnutls_handshake(session);
	} while (rc < 0 && gnutls_error_is_fatal(rc) == 0);
	s->handshake = rc;
	s->resumed = rc == 0 && gnutls_session_is_resumed(session) != 0;
	if (rc == 0 && s->flags == GNUTLS_SERVER) {
		gnutls_record_send(session, "k", 1);
	} else if (rc == 0) {
		do {
			rc = gnutls_record_recv(session, &c, 1);
		} while (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED);
		s->got_ok = (rc == 1 && c == 'k');
		/* after a read: TLS 1.3's ticket comes after the handshake */
		if (s->save != NULL) {
			assert_int_equal(gnutls_session_get_data2(session,
							s->save), 0);
		}
	}
	/* closing our end wakes up the other side if it still waits */
	close(s->fd);
	gnutls_deinit(session);
	gnutls_certificate_free_credentials(cred);
}

static void *client_thread(void *arg)
{
	run_side(arg);
	return NULL;
}

static void handshake(struct side *server, struct side *client)
{
	pthread_t th;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	server->flags = GNUTLS_SERVER;
	server->fd = sv[0];
	client->flags = GNUTLS_CLIENT;
	client->fd = sv[1];
	assert_int_equal(pthread_create(&th, NULL, client_thread, client), 0);
	run_side(server);
	assert_int_equal(pthread_join(th, NULL), 0);
}

static void test_server_accepts_known_peer_self_signed(void **state)
{
	struct fixture *f = *state;
	struct side server = { .cert = &f->server, .table = f->server_table };
	struct side client = { .cert = &f->known };

	handshake(&server, &client);
	assert_int_equal(server.handshake, 0);
	assert_int_equal(client.handshake, 0);
	assert_true(client.got_ok);
}

static void test_server_rejects_unknown_peer(void **state)
{
	struct fixture *f = *state;
	struct side server = { .cert = &f->server, .table = f->server_table };
	struct side client = { .cert = &f->unknown };

	handshake(&server, &client);
	assert_int_equal(server.handshake, GNUTLS_E_CERTIFICATE_ERROR);
	assert_false(client.got_ok);
}

static void test_server_rejects_peer_without_certificate(void **state)
{
	struct fixture *f = *state;
	struct side server = { .cert = &f->server, .table = f->server_table };
	struct side client = { .cert = NULL };

	handshake(&server, &client);
	assert_int_not_equal(server.handshake, 0);
	assert_false(client.got_ok);
}

static void test_server_rejects_removed_peer(void **state)
{
	struct fixture *f = *state;
	struct side server = { .cert = &f->server, .table = f->server_table };
	struct side client = { .cert = &f->known };
	struct dom_sid sid;

	assert_true(bpa_sid_parse("S-1-5-21-1-2-3-1104", &sid));
	assert_true(HRES_IS_OK(bpa_peer_table_remove(f->server_table, &sid)));
	handshake(&server, &client);
	assert_int_equal(server.handshake, GNUTLS_E_CERTIFICATE_ERROR);
	assert_false(client.got_ok);
}

/* Seed ocsp-revocation-provider: a known peer whose certificate the
 * administrator revoked (its row kept) is not a known peer: 3.1.6.1
 * says no and the TLS hook refuses the handshake; unrevoked, it is
 * known again; with "revocation check = no" the list is not read */
static void test_server_rejects_revoked_peer(void **state)
{
	struct fixture *f = *state;
	struct side server = { .cert = &f->server, .table = f->server_table };
	struct side client = { .cert = &f->known };
	struct side server2 = { .cert = &f->server, .table = f->server_table };
	struct side client2 = { .cert = &f->known };
	struct bpa_rev_params p;
	struct bpa_rev_stack *rev = NULL;
	char *list = talloc_asprintf(f, "%s/revoked.tdb", f->dir);
	uint8_t hash[32];

	bpa_rev_params_init(&p);
	p.local_list = list;
	assert_true(HRES_IS_OK(bpa_rev_stack_create(f, &p, &rev)));
	bpa_peer_table_set_revocation(f->server_table, rev, BPA_REV_MODE_SOFT);
	assert_true(bpa_peer_table_known_cert(f->server_table, &f->known.der,
					      NULL));
	assert_true(HRES_IS_OK(bpa_rev_local_add(list, &f->known.der,
		BPA_CRL_REASON_KEY_COMPROMISE, NULL, T0)));
	assert_false(bpa_peer_table_known_cert(f->server_table, &f->known.der,
					       NULL));
	handshake(&server, &client);
	assert_int_equal(server.handshake, GNUTLS_E_CERTIFICATE_ERROR);
	assert_false(client.got_ok);

	bpa_peer_table_set_revocation(f->server_table, rev, BPA_REV_MODE_NO);
	assert_true(bpa_peer_table_known_cert(f->server_table, &f->known.der,
					      NULL));
	bpa_peer_table_set_revocation(f->server_table, rev, BPA_REV_MODE_SOFT);
	assert_true(bpa_rev_cert_hash(&f->known.der, hash));
	assert_true(HRES_IS_OK(bpa_rev_local_remove(list, hash)));
	handshake(&server2, &client2);
	assert_int_equal(server2.handshake, 0);
	assert_true(client2.got_ok);
	bpa_peer_table_set_revocation(f->server_table, NULL, BPA_REV_MODE_NO);
	unlink(list);
}

/* MS-BPAU 3.2.6.1: the client side checks the server the same way */
static void test_client_checks_server_against_its_table(void **state)
{
	struct fixture *f = *state;
	struct side server = { .cert = &f->server, .table = f->server_table };
	struct side client = { .cert = &f->known, .table = f->client_table };
	struct side server2 = { .cert = &f->unknown };
	struct side client2 = { .cert = &f->known, .table = f->client_table };

	handshake(&server, &client);
	assert_int_equal(server.handshake, 0);
	assert_int_equal(client.handshake, 0);
	assert_true(client.got_ok);

	/* a server whose certificate the client does not know */
	handshake(&server2, &client2);
	assert_int_equal(client2.handshake, GNUTLS_E_CERTIFICATE_ERROR);
	assert_false(client2.got_ok);
}

/*
 * Issue 9: GnuTLS does not call the verify callback on a resumed
 * session.  @priority: the protocol.  A full handshake, its ticket
 * resumed by a server without the hook (so resumption really happens),
 * resumed by one with the hook while the peer is known (@still_known:
 * what that gives), then after the peer was removed: refused.
 */
static void resume_after_removal(struct fixture *f,
				 const char *priority,
				 int still_known)
{
	gnutls_datum_t key = { NULL, 0 };
	gnutls_datum_t saved = { NULL, 0 };
	struct side server = { .cert = &f->server, .table = f->server_table };
	struct side client = { .cert = &f->known };
	struct side plain = { .cert = &f->server };
	struct side client1 = { .cert = &f->known };
	struct side server2 = { .cert = &f->server, .table = f->server_table };
	struct side client2 = { .cert = &f->known };
	struct side server3 = { .cert = &f->server, .table = f->server_table };
	struct side client3 = { .cert = &f->known };
	struct dom_sid sid;

	assert_int_equal(gnutls_session_ticket_key_generate(&key), 0);
	server.ticket_key = plain.ticket_key = &key;
	server2.ticket_key = server3.ticket_key = &key;
	server.priority = plain.priority = server2.priority =
		server3.priority = priority;
	client.save = &saved;
	handshake(&server, &client);
	assert_int_equal(server.handshake, 0);
	assert_true(client.got_ok);
	assert_false(server.resumed);
	assert_non_null(saved.data);

	/* the ticket works: a server without the hook resumes it */
	client1.resume = &saved;
	handshake(&plain, &client1);
	assert_int_equal(plain.handshake, 0);
	assert_true(plain.resumed);

	client2.resume = &saved;
	handshake(&server2, &client2);
	assert_int_equal(server2.handshake, still_known);
	if (still_known == 0) {
		assert_true(server2.resumed);
		assert_true(client2.got_ok);
	}

	/* removed from the table: the resumption fails */
	assert_true(bpa_sid_parse("S-1-5-21-1-2-3-1104", &sid));
	assert_true(HRES_IS_OK(bpa_peer_table_remove(f->server_table, &sid)));
	client3.resume = &saved;
	handshake(&server3, &client3);
	assert_int_equal(server3.handshake, GNUTLS_E_CERTIFICATE_ERROR);
	assert_false(client3.got_ok);

	gnutls_free(saved.data);
	gnutls_free(key.data);
}

/* TLS 1.2: the resumed session has the client's certificate, which is
 * checked again: accepted while known, refused once removed */
static void test_tls12_resumption_rechecks_the_peer(void **state)
{
	resume_after_removal(*state, "NORMAL:-VERS-ALL:+VERS-TLS1.2", 0);
}

/* TLS 1.3: GnuTLS keeps no client certificate with a ticket, so the
 * server cannot check it again and refuses every resumption (fail
 * closed); the client connects again with a full handshake */
static void test_tls13_resumption_is_refused_by_the_server(void **state)
{
	resume_after_removal(*state, "NORMAL:-VERS-ALL:+VERS-TLS1.3",
			     GNUTLS_E_CERTIFICATE_ERROR);
}

/* Issue 9, 3.1.6.1: a known certificate outside its validity (with the
 * table's clock skew) is not a known peer, nor for the TLS hook */
static void test_known_cert_at_honours_validity_and_skew(void **state)
{
	struct fixture *f = *state;
	struct bpa_peer_table *t = f->server_table;
	const DATA_BLOB *d = &f->known.der;
	time_t nb = gnutls_x509_crt_get_activation_time(f->known.crt);
	time_t na = gnutls_x509_crt_get_expiration_time(f->known.crt);
	struct side server = { .cert = &f->server, .table = t };
	struct side client = { .cert = &f->known };
	struct dom_sid sid;

	assert_true(bpa_peer_table_known_cert_at(t, d, nb + 10, &sid));
	assert_true(bpa_peer_table_known_cert_at(t, d, na - 10, NULL));
	assert_true(bpa_peer_table_known_cert_at(t, d, na + 299, NULL));
	assert_false(bpa_peer_table_known_cert_at(t, d, na + 301, NULL));
	assert_true(bpa_peer_table_known_cert_at(t, d, nb - 299, NULL));
	assert_false(bpa_peer_table_known_cert_at(t, d, nb - 301, NULL));
	/* the time-less lookup of the bytes is unchanged */
	assert_true(bpa_peer_table_known_cert(t, d, NULL));
	bpa_peer_table_set_cert_policy(t, 0, 2048, 16384);
	assert_false(bpa_peer_table_known_cert_at(t, d, na + 1, NULL));
	assert_false(bpa_peer_table_known_cert_at(t, &f->unknown.der,
						  nb + 10, NULL));

	/* the TLS hook asks at the time of the handshake: a stored
	 * certificate that is not yet valid is refused */
	bpa_peer_table_set_cert_policy(t, 0, 2048, 16384);
	assert_true(bpa_sid_parse("S-1-5-21-1-2-3-1104", &sid));
	assert_true(HRES_IS_OK(bpa_peer_table_remove(t, &sid)));
	{
		struct endpoint later;
		gnutls_x509_crt_t crt = NULL;
		gnutls_datum_t out = { NULL, 0 };
		DATA_BLOB der;

		/* the known key, re-signed valid from tomorrow */
		later = f->known;
		assert_int_equal(gnutls_x509_crt_init(&crt), 0);
		assert_int_equal(gnutls_x509_crt_import(crt,
			&(gnutls_datum_t){ f->known.der.data,
					   f->known.der.length },
			GNUTLS_X509_FMT_DER), 0);
		assert_int_equal(gnutls_x509_crt_set_activation_time(crt,
			time(NULL) + 86400), 0);
		assert_int_equal(gnutls_x509_crt_set_expiration_time(crt,
			time(NULL) + 2 * 86400), 0);
		assert_int_equal(gnutls_x509_crt_sign2(crt, crt, f->known.key,
			GNUTLS_DIG_SHA256, 0), 0);
		assert_int_equal(gnutls_x509_crt_export2(crt,
			GNUTLS_X509_FMT_DER, &out), 0);
		der = data_blob_talloc(f, out.data, out.size);
		gnutls_free(out.data);
		add_cert(t, "S-1-5-21-1-2-3-1104", &der);
		later.crt = crt;
		client.cert = &later;
		handshake(&server, &client);
		assert_int_equal(server.handshake,
				 GNUTLS_E_CERTIFICATE_ERROR);
		assert_false(client.got_ok);
		gnutls_x509_crt_deinit(crt);
	}
	bpa_peer_table_set_cert_policy(t, 300, 2048, 16384);
}

/* Issue 9: the hook's key bounds (bpa_peer_table_key_ok(), which the
 * verify callback asks first) on the RSA shapes of the fuzz seeds */
static void test_hook_key_bounds_are_phase_ones(void **state)
{
	struct fixture *f = *state;
	struct bpa_peer_table *t = f->server_table;
	const char *root = getenv("BPA_SOURCE_ROOT");
	static const struct {
		const char *file;
		bool ok;
	} cases[] = {
		{ "rsa2048-client-eku", true },
		{ "rsa-n2048-e507904", false },
		{ "rsa-n16384-e479232", false },
		{ "rsa-n131072-e257248", false },
		{ "rsa-n16384-e2p32m1", true },	/* the largest e allowed */
		{ "rsa-n16385-e65537", false },
		{ "rsa-n2048-e1-forged", false },
		{ "rsa-n2048-even", false },
		{ "rsa1024-sha1-no-eku", false },
	};
	size_t i;

	assert_non_null(root);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *path = talloc_asprintf(f, "%s/tests/fuzz/corpus/"
					     "cert_der/%s", root,
					     cases[i].file);
		DATA_BLOB der = ptu_read_file(f, path);

		assert_non_null(der.data);
		if (bpa_peer_table_key_ok(t, &der) != cases[i].ok) {
			fail_msg("%s: want %d", cases[i].file, cases[i].ok);
		}
		if (strcmp(cases[i].file, "rsa-n16385-e65537") == 0) {
			bpa_peer_table_set_cert_policy(t, 300, 2048, 16385);
			assert_true(bpa_peer_table_key_ok(t, &der));
			bpa_peer_table_set_cert_policy(t, 300, 2048, 16384);
		}
	}
	/* not RSA: no exponent to bound (the fixtures are ECDSA) */
	assert_true(bpa_peer_table_key_ok(t, &f->known.der));
}

int main(void)
{
	/* a side that fails closes its end: the other's write must not
	 * kill the test */
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_tls12_resumption_rechecks_the_peer,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_tls13_resumption_is_refused_by_the_server,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_known_cert_at_honours_validity_and_skew,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_hook_key_bounds_are_phase_ones,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_server_accepts_known_peer_self_signed,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_server_rejects_unknown_peer, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_server_rejects_revoked_peer, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_server_rejects_peer_without_certificate,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_server_rejects_removed_peer, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_client_checks_server_against_its_table,
			setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
