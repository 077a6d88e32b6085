/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Helpers shared by the peer table tests: temporary files, made-up
 * peers with opaque certificate bytes, real self-signed certificates
 * (GnuTLS), and a canonical dump of a table's full contents.
 */
#ifndef _BPA_PEER_TEST_UTIL_H_
#define _BPA_PEER_TEST_UTIL_H_

#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include <talloc.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/crypto.h>
#include "peers/peer_table.h"

/** A new empty directory under $TMPDIR (or /tmp), on @mem_ctx */
char *ptu_tmpdir(TALLOC_CTX *mem_ctx);

/** rm -rf of a directory made by ptu_tmpdir() */
void ptu_rmdir(const char *dir);

/**
 * A peer "S-1-5-21-1-2-3-<rid>" with 300 opaque certificate bytes that
 * depend on (@rid, @tag), properties "props-<rid>", address "10.0.0.1".
 */
struct bpa_peer *ptu_peer(TALLOC_CTX *mem_ctx, uint32_t rid, uint32_t tag);

/**
 * Every row of @t as one sorted text (sid, hash, times, sizes, address):
 * two equal dumps mean equal contents.  NULL on error.
 */
char *ptu_dump(TALLOC_CTX *mem_ctx, struct bpa_peer_table *t);

/**
 * A self-signed ECDSA P-256 certificate with subject CN=@cn, valid from
 * now - 1 h for a day.  DER in @der (on @mem_ctx); @crt and @key if not
 * NULL (caller deinits them).  0 or a GnuTLS error.
 */
int ptu_selfsigned(TALLOC_CTX *mem_ctx,
		   const char *cn,
		   DATA_BLOB *der,
		   gnutls_x509_crt_t *crt,
		   gnutls_x509_privkey_t *key);

/** The same, valid from @not_before to @not_after */
int ptu_selfsigned_valid(TALLOC_CTX *mem_ctx,
			 const char *cn,
			 time_t not_before,
			 time_t not_after,
			 DATA_BLOB *der,
			 gnutls_x509_crt_t *crt,
			 gnutls_x509_privkey_t *key);

/** Write @len bytes to @path (0 or -1) */
int ptu_write_file(const char *path, const void *data, size_t len);

/** Read a whole file on @mem_ctx; data NULL on error */
DATA_BLOB ptu_read_file(TALLOC_CTX *mem_ctx, const char *path);

/**
 * Bound a forked test child by its parent instead of a clock: it is
 * killed (SIGKILL) when the test process goes (a failed assertion,
 * meson's timeout), however slow the machine is.  Call first thing in
 * the child; _exit()s if the parent is already gone.
 */
void ptu_child_bound(void);

/**
 * End a forked test child: free @mem_ctx (so valgrind sees no leak in
 * the child) and _exit(@rc) without running cmocka's atexit handlers.
 */
void ptu_child_exit(TALLOC_CTX *mem_ctx, int rc) __attribute__((noreturn));

#endif /* _BPA_PEER_TEST_UTIL_H_ */
