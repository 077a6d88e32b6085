/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The one part of a CRL GnuTLS does not expose: the reasonCode entry
 * extension of a revoked certificate (RFC 5280 5.3.1).  A strict DER
 * walk of CertificateList -> tbsCertList -> revokedCertificates.
 */
#ifndef _BPA_REV_CRL_DER_H_
#define _BPA_REV_CRL_DER_H_

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

struct bpa_crl_entry {
	bool found;		/* the serial is in revokedCertificates */
	bool has_reason;	/* with a reasonCode extension */
	uint32_t reason;	/* its value (0..10) */
};

/**
 * Look @serial (INTEGER contents octets, as in the certificate) up in
 * the DER CRL @crl.
 * @return false when @crl is not a well-formed CertificateList (as far
 *         as this walk reads it); true and @e otherwise.
 */
bool bpa_crl_der_find(const uint8_t *crl,
		      size_t len,
		      const uint8_t *serial,
		      size_t serial_len,
		      struct bpa_crl_entry *e);

#endif /* _BPA_REV_CRL_DER_H_ */
