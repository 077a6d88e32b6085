/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The project's HRESULT vocabulary (MS-ERREF 2.1), in one place.
 *
 * Every value Samba's <core/hresult.h> already names is used under
 * Samba's name (HRES_E_ACCESSDENIED, HRES_CRYPT_E_ASN1_ERROR, ...);
 * this header only adds the codes Samba has no name for.  The ones
 * MS-BPAU itself specifies:
 *
 *   3.1.4.1    subject is not the caller, caller not allowed:
 *              HRES_E_ACCESSDENIED (0x80070005)
 *   3.1.4.1 <3> the peer table is full: 0x80040006, which MS-ERREF
 *              (and Samba) name HRES_OLE_E_NOCACHE; the spec gives
 *              only the value
 *   3.2.4.1    the server's certificate is not the server's:
 *              HRES_SEC_E_WRONG_PRINCIPAL (0x80090322)
 *
 * bpa_hresult_name() names any of them.
 */
#ifndef _BPA_HRESULT_H_
#define _BPA_HRESULT_H_

#include <stdint.h>
#include <stdbool.h>
#include <core/hresult.h>

/* Success (S_OK) */
#define BPA_S_OK			HRES_ERROR(0)

/*
 * Peer table (source/peers), HRESULT_FROM_WIN32() of the Win32 error
 * in each comment.
 */
/* ERROR_BAD_FORMAT: the file is not a peer table */
#define BPA_E_PEERS_FOREIGN		HRES_ERROR(0x8007000B)
/* ERROR_REVISION_MISMATCH: other record version */
#define BPA_E_PEERS_VERSION		HRES_ERROR(0x80070519)
/* ERROR_FILE_CORRUPT: fails a consistency check */
#define BPA_E_PEERS_CORRUPT		HRES_ERROR(0x80070570)
/* ERROR_NOT_FOUND: no peer with this SID */
#define BPA_E_PEER_NOT_FOUND		HRES_ERROR(0x80070490)
/* ERROR_ALREADY_EXISTS: the certificate is already mapped to another
 * principal */
#define BPA_E_PEER_CERT_IN_USE		HRES_ERROR(0x800700B7)
/* ERROR_FILE_NOT_FOUND: attach to a missing table */
#define BPA_E_PEERS_NO_TABLE		HRES_ERROR(0x80070002)
/* ERROR_WRITE_PROTECT: write to a read-only handle */
#define BPA_E_PEERS_READ_ONLY		HRES_ERROR(0x80070013)

/* Client role (source/client) */
/* MS-BPAU 3.2.4.1: pServerKeyLength is zero (ERROR_INVALID_DATA) */
#define BPA_E_CLIENT_NO_SERVER_KEY	HRES_ERROR(0x8007000D)
/* the server's machine account was not found (ERROR_NONE_MAPPED) */
#define BPA_E_CLIENT_NO_SUCH_ACCOUNT	HRES_ERROR(0x80070534)

/*
 * Validator (source/validator, seed bits-validate-server-certificate):
 * a validator is configured but cannot be called; BITS's
 * BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED, the name
 * bpa_hresult_name() gives it
 */
#define BPA_E_VALIDATOR_UNAVAILABLE	HRES_ERROR(0x80200074)

/**
 * Name of @hr: "S_OK", the name of one of the project's codes above,
 * else Samba's name for it ("HRES_E_ACCESSDENIED"), else NULL (a code
 * neither knows).  The string is constant.
 */
const char *bpa_hresult_name(HRESULT hr);

#endif /* _BPA_HRESULT_H_ */
