/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Test certificates for the rpc tests, made here with GnuTLS and encoded
 * here as CERTIFICATE_BLOBs (MS-BPAU 2.2.2), independently of
 * source/blob and source/localcert: the server is checked against a
 * second encoder, not against itself.
 */
#ifndef _BPA_TORTURE_CERT_H_
#define _BPA_TORTURE_CERT_H_

#include <stdint.h>
#include <stdbool.h>
#include <talloc.h>
#include <util/data_blob.h>

/**
 * A fresh self-signed RSA-2048/SHA-256 certificate shaped like the
 * MS-BPAU 4.2 example: subject and issuer CN=@subject (a SID string),
 * EKU serverAuth+clientAuth, valid from 5 minutes ago for 30 days; as a
 * CERTIFICATE_BLOB with one SHA1_HASH property (2.2.2.1) followed by
 * the certificate encoding (2.2.2.2, framed as in the 4.2 sample).
 * On @mem_ctx.
 * @return false (with *err set to a static reason) on failure
 */
bool bpa_torture_make_blob(TALLOC_CTX *mem_ctx,
			   const char *subject,
			   DATA_BLOB *blob,
			   const char **err);

/* Ways to make a test certificate wrong (all false: a good one) */
struct bpa_torture_cert_opts {
	unsigned int rsa_bits;		/* 0: 2048 */
	bool client_auth_only;		/* EKU without serverAuth */
	bool server_auth_only;		/* EKU without clientAuth */
	bool expired;			/* notAfter a day ago */
	bool bad_sha1_property;		/* SHA1_HASH of other bytes */
};

/** As bpa_torture_make_blob(), shaped by @opts */
bool bpa_torture_make_blob_opts(TALLOC_CTX *mem_ctx,
				const char *subject,
				const struct bpa_torture_cert_opts *opts,
				DATA_BLOB *blob,
				const char **err);

/**
 * An existing certificate @der (made by certtool, a CA's) framed as a
 * CERTIFICATE_BLOB like bpa_torture_make_blob()'s, on @mem_ctx.
 */
bool bpa_torture_blob_of_der(TALLOC_CTX *mem_ctx,
			     const DATA_BLOB *der,
			     DATA_BLOB *blob,
			     const char **err);

/**
 * The subject CN of the certificate inside a CERTIFICATE_BLOB (the
 * properties are skipped as 2.2.2.1 lays them out), on @mem_ctx.
 * @return NULL (with *err set) if the blob or certificate is malformed
 */
char *bpa_torture_blob_subject(TALLOC_CTX *mem_ctx,
			       const DATA_BLOB *blob,
			       const char **err);

#endif /* _BPA_TORTURE_CERT_H_ */
