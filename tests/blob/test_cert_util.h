/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Test helpers shared by tests/blob and tests/validate: the 4.2 sample
 * from tests/data, and certificates made at test time with GnuTLS.
 */
#ifndef _BPA_TEST_CERT_UTIL_H_
#define _BPA_TEST_CERT_UTIL_H_

#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include <talloc.h>
#include <util/data_blob.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/crypto.h>

#define TCU_EKU_SERVER 1u
#define TCU_EKU_CLIENT 2u

struct tcu_cert_opts {
	gnutls_x509_privkey_t key;	/* subject key */
	gnutls_x509_privkey_t issuer_key; /* NULL: self-signed */
	/* the issuer's certificate (DER, e.g. tcu_make_ca()'s) for
	 * issuer_key; NULL: an ad-hoc "Test CA" one */
	const DATA_BLOB *issuer_der;
	const char *cn;			/* NULL: no CN */
	const char *cn2;		/* a second CN, or NULL */
	const char *org;		/* an O attribute, or NULL */
	gnutls_digest_algorithm_t dig;	/* 0: SHA-256 */
	time_t not_before;
	time_t not_after;
	unsigned eku;			/* TCU_EKU_* bits; 0: no extension */
	bool ski;			/* add a Subject Key Identifier */
};

/** Bytes of tests/data/@name ('#' comments, hex after a 4-digit offset) */
DATA_BLOB tcu_load_hex(TALLOC_CTX *mem_ctx, const char *name);

/** A new key (caller deinits); fails the test on error. */
gnutls_x509_privkey_t tcu_key(gnutls_pk_algorithm_t alg, unsigned bits);

/** A DER certificate made as @o says; fails the test on error. */
DATA_BLOB tcu_make_cert(TALLOC_CTX *mem_ctx, const struct tcu_cert_opts *o);

/**
 * A self-signed CA certificate (basicConstraints CA, keyCertSign) for
 * @key named CN=@cn, valid @nb..@na; fails the test on error.
 */
DATA_BLOB tcu_make_ca(TALLOC_CTX *mem_ctx,
		      gnutls_x509_privkey_t key,
		      const char *cn,
		      time_t nb,
		      time_t na);

#endif
