/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared GnuTLS helpers (see bpa_crypto.h) */
#include <string.h>
#include <gnutls/crypto.h>
#include "util/bpa_debug.h"
#include "util/bpa_crypto.h"

bool bpa_sha256(const uint8_t *data,
		size_t len,
		uint8_t out[BPA_SHA256_LEN])
{
	int rc = gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, out);

	if (rc != GNUTLS_E_SUCCESS) {
		DBG_ERR("gnutls_hash_fast(SHA256): %s\n", gnutls_strerror(rc));
		return false;
	}
	return true;
}

void bpa_hex_lower(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xf];
	}
	out[2 * n] = '\0';
}

/* One holder type per GnuTLS object type: the object and its deinit */
#define BPA_GNUTLS_HOLDER(type, init_fn, deinit_fn)			\
struct bpa_holder_##type {						\
	type obj;							\
};									\
static int bpa_holder_##type##_destructor(struct bpa_holder_##type *h)	\
{									\
	if (h->obj != NULL) {						\
		deinit_fn(h->obj);					\
		h->obj = NULL;						\
	}								\
	return 0;							\
}									\
int bpa_gnutls_##init_fn(TALLOC_CTX *mem_ctx, type *obj)		\
{									\
	struct bpa_holder_##type *h = NULL;				\
	int rc;								\
									\
	*obj = NULL;							\
	h = talloc_zero(mem_ctx, struct bpa_holder_##type);		\
	if (h == NULL) {						\
		return GNUTLS_E_MEMORY_ERROR;				\
	}								\
	rc = gnutls_##init_fn(&h->obj);					\
	if (rc < 0) {							\
		h->obj = NULL;						\
		TALLOC_FREE(h);						\
		return rc;						\
	}								\
	talloc_set_destructor(h, bpa_holder_##type##_destructor);	\
	*obj = h->obj;							\
	return 0;							\
}

BPA_GNUTLS_HOLDER(gnutls_x509_crt_t, x509_crt_init, gnutls_x509_crt_deinit)
BPA_GNUTLS_HOLDER(gnutls_x509_privkey_t, x509_privkey_init,
		  gnutls_x509_privkey_deinit)
BPA_GNUTLS_HOLDER(gnutls_pubkey_t, pubkey_init, gnutls_pubkey_deinit)

static int secret_destructor(uint8_t *p)
{
	gnutls_memset(p, 0, talloc_get_size(p));
	return 0;
}

DATA_BLOB bpa_secret_blob_talloc(TALLOC_CTX *mem_ctx,
				 const void *data,
				 size_t len)
{
	DATA_BLOB b = data_blob_null;
	uint8_t *p = talloc_zero_size(mem_ctx, len > 0 ? len : 1);

	if (p == NULL) {
		return b;
	}
	talloc_set_name_const(p, "bpa_secret_blob");
	if (data != NULL && len > 0) {
		memcpy(p, data, len);
	}
	talloc_set_destructor(p, secret_destructor);
	b.data = p;
	b.length = len;
	return b;
}
