/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Inside the CERTIFICATE_BLOB codec (cert_blob.h), MS-BPAU 2.2.2:
 *   cert_blob.c         the 2.2.2.1 property table, the value rules, the
 *                       errors' names
 *   cert_blob_decode.c  the wire to struct bpa_cert_blob
 *   cert_blob_encode.c  struct bpa_cert_blob to the wire
 *   cert_blob_props.c   the hash properties computed from a certificate
 */
#ifndef _BPA_CERT_BLOB_PRIVATE_H_
#define _BPA_CERT_BLOB_PRIVATE_H_

#include <stdint.h>
#include <stddef.h>
#include "blob/cert_blob.h"

/* 2.2.2.1: PropertyID, Reserved, Length; 2.2.2.2 the same three */
#define BPA_BLOB_PROP_HEADER_LEN 12
#define BPA_BLOB_CERT_HEADER_LEN 12


enum prop_kind {
	KIND_FIXED,		/* exactly .size bytes */
	KIND_STRING,		/* NUL-terminated UTF-16LE */
	KIND_KEY_SPEC,		/* uint32 == 1 */
	KIND_EKU,		/* DER ExtKeyUsageSyntax */
	KIND_DER,		/* one DER element */
	KIND_KEY_PROV_INFO,	/* 2.2.2.1.1 */
};

struct prop_desc {
	uint32_t id;
	const char *name;
	enum prop_kind kind;
	size_t size;
};

/** The 2.2.2.1 row of property @id, or NULL for an unknown id */
const struct prop_desc *bpa_blob_prop_desc(uint32_t id);

/**
 * 2.2.2.1 for one property of a blob: a known id, not yet in *@seen
 * (a bit per id, updated), a Length within 64 KiB, a Value of the
 * property's kind.  KEY_PROV_INFO is checked as 2.2.2.1.1 says.
 */
enum bpa_blob_err bpa_blob_check_prop(uint32_t id,
				      const uint8_t *v,
				      size_t len,
				      uint32_t *seen);

#endif /* _BPA_CERT_BLOB_PRIVATE_H_ */
