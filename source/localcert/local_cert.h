/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The local certificate, MS-BPAU 3.1.1.1 (server) and 3.2.1.1 (client):
 * one self-signed X.509 certificate whose subject CN is the machine
 * account's SID, kept as PEM files (certificate, and the private key
 * with mode 0600), created on first use and renewed before it expires.
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
	struct bpa_local_cert_gnutls *gt; /* private: key and cert,
					 * freed by a talloc destructor */
};

/**
 * Load the certificate and key at @p->cert_file / @p->key_file when
 * both exist, parse, belong together, have @p->sid as subject CN and
 * are not within @p->renew_days of expiry; otherwise create a new pair:
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

/** true if @lc expires within @renew_days of @now (or has expired). */
bool bpa_local_cert_needs_renewal(const struct bpa_local_cert *lc,
				  time_t now, uint32_t renew_days);

#endif /* _BPA_LOCAL_CERT_H_ */
