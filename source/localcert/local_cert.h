/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The local certificate, MS-BPAU 3.1.1.1 (server) and 3.2.1.1 (client):
 * an X.509 certificate whose subject CN is the machine account's SID,
 * kept as PEM files (certificate, and the private key with mode 0600).
 *
 * Self-managed (the default paths): self-signed, created on first use
 * and renewed before it expires.  Configured by the administrator
 * (bpa_local_cert_params.configured): used as it is or refused, never
 * created, renewed or rewritten; it may be CA-issued, the certificate
 * file holding the leaf followed by its issuers.
 */
#ifndef _BPA_LOCAL_CERT_H_
#define _BPA_LOCAL_CERT_H_

#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include <talloc.h>
#include <util/data_blob.h>
#include <core/hresult.h>
#include <gen_ndr/security.h>
#include <gnutls/x509.h>

struct bpa_local_cert_params {
	const char *cert_file;		/* PEM certificate path */
	const char *key_file;		/* PEM private key path (0600) */
	const struct dom_sid *sid;	/* the account SID: subject CN */
	const char *dns_name;		/* SAN dNSName, may be NULL */
	uint32_t key_bits;		/* RSA modulus bits, >= 2048 */
	uint32_t lifetime_days;		/* validity of a new certificate */
	uint32_t renew_days;		/* renew this close to notAfter */
	time_t now;			/* the current time */
	bool configured;		/* the administrator's files: load
					 * or refuse, never write */
};

struct bpa_local_cert {
	DATA_BLOB cert_der;		/* the certificate, DER */
	DATA_BLOB blob;			/* its CERTIFICATE_BLOB (2.2.2):
					 * hash properties, ENHKEY_USAGE,
					 * no KEY_PROV_INFO */
	struct dom_sid sid;
	time_t not_before;
	time_t not_after;
	bool created;			/* true: made now, not loaded */
	bool configured;		/* the administrator's files */
	struct bpa_local_cert_gnutls *gt; /* private: key and cert,
					 * freed by a talloc destructor */
};

/**
 * Load the certificate and key at @p->cert_file / @p->key_file when
 * both exist, parse, belong together, have @p->sid as subject CN, pass
 * our peers' phase one (both roles) and are not within @p->renew_days of
 * expiry.  Otherwise:
 *  - @p->configured: refuse (E_FAIL, logged with the file and the
 *    reason); the files are never written.  A certificate file may hold
 *    the leaf and then its issuers (CA-issued; the leaf need not be
 *    self-issued), see bpa_local_cert_issuer();
 *  - self-managed, under a lock file "<cert_file>.lock" (O_NOFOLLOW):
 *    a file that cannot be read (EACCES, EIO, ...), is a symbolic link,
 *    a key file with group/other bits, a file that does not parse, or a
 *    key that is not the certificate's: refuse (E_FAIL, logged), never
 *    replace (the host's identity would change silently).  A file
 *    absent, or a certificate for another SID, too small a key, or due
 *    for renewal: create a new pair:
 * RSA @p->key_bits, self-signed with SHA-256, CN = SID string, SAN
 * dNSName, EKU serverAuth + clientAuth, key usage digitalSignature +
 * keyEncipherment, valid from now - 1 h to now + lifetime_days.  The key
 * is written to a temporary file created O_EXCL with mode 0600 and
 * renamed into place, then the certificate likewise (mode 0644).
 * *@plc is allocated on @mem_ctx.  Returns 0 or an HRESULT error
 * (E_INVALIDARG for bad parameters, E_FAIL for I/O or GnuTLS errors).
 */
HRESULT bpa_local_cert_load_or_create(TALLOC_CTX *mem_ctx,
				      const struct bpa_local_cert_params *p,
				      struct bpa_local_cert **plc);

/** The certificate, owned by @lc (for TLS credentials, MS-BPCR). */
gnutls_x509_crt_t bpa_local_cert_crt(const struct bpa_local_cert *lc);

/** The private key, owned by @lc. */
gnutls_x509_privkey_t bpa_local_cert_key(const struct bpa_local_cert *lc);

/**
 * true if @lc expires within @renew_days of @now (or has expired); for a
 * configured one (never renewed) only once it has expired.
 */
bool bpa_local_cert_needs_renewal(const struct bpa_local_cert *lc,
				  time_t now,
				  uint32_t renew_days);

/**
 * The certificates that followed the leaf in the certificate file, its
 * issuers in order (the leaf's issuer first), owned by @lc: what OCSP
 * and revocation use for the local certificate.  0 / NULL for a
 * self-signed certificate or @i out of range.
 */
unsigned int bpa_local_cert_num_issuers(const struct bpa_local_cert *lc);
gnutls_x509_crt_t bpa_local_cert_issuer(const struct bpa_local_cert *lc,
					unsigned int i);

#endif /* _BPA_LOCAL_CERT_H_ */
