/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Certificates with an RSA key of any shape (issue 9: huge moduli and
 * exponents, e = 1, even moduli), for the tests, the fuzz seeds and the
 * validation benchmark.  GnuTLS will not make such keys, so the
 * certificate is assembled here: a template certificate's
 * TBSCertificate with its subjectPublicKeyInfo replaced, and a
 * signature of the caller's choice.
 */
#ifndef _BPA_TEST_RSA_CERT_H_
#define _BPA_TEST_RSA_CERT_H_

#include <stdint.h>
#include <stdbool.h>
#include <talloc.h>
#include <util/data_blob.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

/**
 * A copy of @tmpl (a DER certificate signed with sha256WithRSAEncryption)
 * whose subjectPublicKeyInfo is rsaEncryption with modulus @n and
 * exponent @e (big-endian magnitudes), signed:
 *  - with @signer (PKCS#1 v1.5, SHA-256) if not NULL;
 *  - else with the bytes @sig if not NULL;
 *  - else with the "e = 1 forgery": the PKCS#1 v1.5 encoding of the
 *    SHA-256 DigestInfo of the new TBSCertificate, as long as @n, which
 *    is what s^1 mod n yields when the encoding is below n.
 * @return false on a template that does not parse, GnuTLS errors, ENOMEM
 */
bool trc_cert_with_rsa_key(TALLOC_CTX *mem_ctx,
			   const DATA_BLOB *tmpl,
			   const DATA_BLOB *n,
			   const DATA_BLOB *e,
			   gnutls_privkey_t signer,
			   const DATA_BLOB *sig,
			   DATA_BLOB *out);

/**
 * A number of exactly @bits bits (>= 2) of deterministic filler, as a
 * big-endian magnitude on @mem_ctx, odd when @odd (a number of fewer
 * bits is below it: a "signature" for a modulus).
 */
DATA_BLOB trc_number(TALLOC_CTX *mem_ctx, uint32_t bits, bool odd);

/** The small number @v (> 0) as a big-endian magnitude on @mem_ctx. */
DATA_BLOB trc_small(TALLOC_CTX *mem_ctx, uint64_t v);

#endif /* _BPA_TEST_RSA_CERT_H_ */
