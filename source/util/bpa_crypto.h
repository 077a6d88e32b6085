/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Small GnuTLS helpers shared by the layers: SHA-256, hex of a hash,
 * GnuTLS objects owned by a talloc context (released by a destructor,
 * so one TALLOC_FREE on the error path is enough), and a buffer for
 * key material that is wiped when it is freed.
 */
#ifndef _BPA_CRYPTO_H_
#define _BPA_CRYPTO_H_

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <talloc.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>
#include <util/data_blob.h>

#define BPA_SHA256_LEN 32

/** SHA-256 of @data into @out; false on a GnuTLS error (logged) */
bool bpa_sha256(const uint8_t *data,
		size_t len,
		uint8_t out[BPA_SHA256_LEN]);

/** Lower-case hex of @n bytes at @p into @out (2 * @n + 1 bytes) */
void bpa_hex_lower(const uint8_t *p, size_t n, char *out);

/*
 * A GnuTLS object initialised and tied to @mem_ctx: it is deinit'ed
 * when @mem_ctx (or the returned holder) is freed.  Returns the GnuTLS
 * error (GNUTLS_E_MEMORY_ERROR when talloc fails); *obj is NULL then.
 */
int bpa_gnutls_x509_crt_init(TALLOC_CTX *mem_ctx, gnutls_x509_crt_t *obj);
int bpa_gnutls_x509_privkey_init(TALLOC_CTX *mem_ctx,
				 gnutls_x509_privkey_t *obj);
int bpa_gnutls_pubkey_init(TALLOC_CTX *mem_ctx, gnutls_pubkey_t *obj);

/*
 * A copy of @len bytes at @data (or @len zero bytes if @data is NULL)
 * on @mem_ctx that is overwritten with zeros before it is freed: for
 * private keys and their PEM.  data NULL on ENOMEM.
 */
DATA_BLOB bpa_secret_blob_talloc(TALLOC_CTX *mem_ctx,
				 const void *data,
				 size_t len);

#endif /* _BPA_CRYPTO_H_ */
