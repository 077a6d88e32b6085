/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HRESULT values used by MS-BPAU (MS-ERREF 2.1).  Samba's HRESULT type
 * and HRES_ERROR() come from <core/hresult.h>.
 */
#ifndef _BPA_HRESULT_CODES_H_
#define _BPA_HRESULT_CODES_H_

#include <stdint.h>
#include <stdbool.h>
#include <core/hresult.h>

/* MS-BPAU 3.1.4.1: caller not allowed / subject SID is not the caller */
#define BPA_E_ACCESSDENIED		HRES_ERROR(0x80070005)
/* MS-BPAU 3.1.4.1 <3>: the peer table is full (CO_E_NOT_SUPPORTED) */
#define BPA_E_TABLE_FULL		HRES_ERROR(0x80040006)
/* MS-ERREF: E_INVALIDARG, a CERTIFICATE_BLOB that does not decode */
#define BPA_E_INVALIDARG		HRES_ERROR(0x80070057)
/* MS-ERREF: E_OUTOFMEMORY */
#define BPA_E_OUTOFMEMORY		HRES_ERROR(0x8007000E)
/* MS-ERREF: E_FAIL, an internal error (encoding, storage) */
#define BPA_E_FAIL			HRES_ERROR(0x80004005)
/* MS-ERREF: CERT_E_EXPIRED, a certificate outside its validity period */
#define BPA_CERT_E_EXPIRED		HRES_ERROR(0x800B0101)
/* MS-ERREF: TRUST_E_CERT_SIGNATURE, the self-signature does not verify */
#define BPA_TRUST_E_CERT_SIGNATURE	HRES_ERROR(0x80096004)
/* MS-ERREF: CERT_E_WRONG_USAGE, EKU does not allow the role */
#define BPA_CERT_E_WRONG_USAGE		HRES_ERROR(0x800B0110)
/* MS-ERREF: NTE_BAD_KEY, not RSA or too small */
#define BPA_NTE_BAD_KEY			HRES_ERROR(0x80090003)
/* MS-ERREF: NTE_BAD_ALGID, a signature algorithm not allowed (SHA-1) */
#define BPA_NTE_BAD_ALGID		HRES_ERROR(0x80090008)
/* MS-ERREF: CRYPT_E_HASH_VALUE, a hash property does not match */
#define BPA_CRYPT_E_HASH_VALUE		HRES_ERROR(0x80091007)
/* MS-ERREF: CRYPT_E_ASN1_BADTAG..., a certificate that does not parse */
#define BPA_CRYPT_E_ASN1_ERROR		HRES_ERROR(0x80093100)

#endif /* _BPA_HRESULT_CODES_H_ */
