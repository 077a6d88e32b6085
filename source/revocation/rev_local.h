/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The administrator's own revocation list: the "local" provider of the
 * revocation stack (revocation.h), one tdb file next to the peer table
 * ("bitspeerauth:revocation list", default
 * <state dir>/bitspeerauth_revoked.tdb).
 *
 * A certificate is listed by the SHA-256 of its DER, whoever presents
 * it; the entry keeps the certificate, the RFC 5280 reason, when it was
 * revoked and the SID it was revoked for (or its subject CN).
 *
 * On disk:
 *   "BPA/REVOKED"   -> magic "BPAREVOK", u32 version
 *   "rev/<sha256>"  -> u32 version, u32 reason, u64 time, u16 sid
 *                      length, sid, u32 certificate length, DER
 *                      (little-endian)
 * Each change is one tdb transaction.  A file that is not a list of
 * ours is never modified.
 */
#ifndef _BPA_REV_LOCAL_H_
#define _BPA_REV_LOCAL_H_

#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include <talloc.h>
#include <util/data_blob.h>
#include <core/hresult.h>

#define BPA_REV_LOCAL_VERSION 1

/*
 * Errors (Samba's names): HRES_CRYPT_E_NOT_FOUND (0x80092004) for a
 * certificate that is not listed, HRES_CRYPT_E_FILE_ERROR (0x80092003)
 * for a file that is not a list of ours.
 */

struct bpa_rev_entry {
	uint8_t cert_hash[32];		/* SHA-256 of cert_der */
	uint32_t reason;		/* RFC 5280 5.3.1 */
	time_t revoked_at;
	char *sid;			/* "" when unknown */
	DATA_BLOB cert_der;
};

/**
 * List @cert_der as revoked for @reason at @now, for @sid (NULL: the
 * certificate's subject CN).  Creates the file (mode 0600) if needed.
 * An entry already there is replaced (new reason and time).
 * @return S_OK; HRES_E_INVALIDARG (empty or oversized certificate,
 *         reason not an RFC 5280 value); HRES_CRYPT_E_FILE_ERROR; HRES_E_FAIL
 *         (I/O, logged).
 */
HRESULT bpa_rev_local_add(const char *path,
			  const DATA_BLOB *cert_der,
			  uint32_t reason,
			  const char *sid,
			  time_t now);

/**
 * Remove the entry of the certificate whose SHA-256 is @hash.
 * @return S_OK; HRES_CRYPT_E_NOT_FOUND; HRES_CRYPT_E_FILE_ERROR; HRES_E_FAIL.
 */
HRESULT bpa_rev_local_remove(const char *path, const uint8_t hash[32]);

/**
 * Remove every entry revoked for @sid.
 * @param removed  number of entries removed (0: HRES_CRYPT_E_NOT_FOUND)
 */
HRESULT bpa_rev_local_remove_sid(const char *path,
				 const char *sid,
				 uint32_t *removed);

/**
 * Is @cert_der listed?  A missing file lists nothing.
 * @return S_OK and *@pe on @mem_ctx (if @pe not NULL);
 *         HRES_CRYPT_E_NOT_FOUND; HRES_CRYPT_E_FILE_ERROR; HRES_E_FAIL.
 */
HRESULT bpa_rev_local_lookup(TALLOC_CTX *mem_ctx,
			     const char *path,
			     const DATA_BLOB *cert_der,
			     struct bpa_rev_entry **pe);

/**
 * Every entry, sorted by revocation time, on @mem_ctx.  A missing file
 * is an empty list.
 */
HRESULT bpa_rev_local_list(TALLOC_CTX *mem_ctx,
			   const char *path,
			   struct bpa_rev_entry **pentries,
			   size_t *pcount);

/** SHA-256 of @der into @hash. @return false on a GnuTLS error. */
bool bpa_rev_cert_hash(const DATA_BLOB *der, uint8_t hash[32]);

#endif /* _BPA_REV_LOCAL_H_ */
