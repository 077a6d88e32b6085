/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The interface of a validator module ("bitspeerauth:validator module =
 * PATH"), the shared-object form of phase two of the seed
 * bits-validate-server-certificate (the BITS validation callback).
 *
 * This header is all a module needs: plain C, no Samba or bitspeerauth
 * header.  A module exports one function, looked up with dlsym:
 *
 *   int bpa_validator_init(struct bpa_validator_ops *ops,
 *                          uint32_t version);
 *
 * bitspeerauth calls it once after dlopen() with the interface version
 * it speaks (BPA_VALIDATOR_INTERFACE_VERSION) and ops->size set; the
 * module checks the version, fills ops->validate (and optionally
 * ops->name, ops->unload, ops->private_data) and returns 0.  Any other
 * return value, a missing symbol or a NULL ops->validate make the
 * validator "unavailable" (every certificate is then refused with
 * BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED, 0x80200074) until the
 * file is fixed; no restart is needed, the file is checked (device,
 * inode, size, mtime) on every call and loaded again when it changed.
 * Replace a module with a new file (install(1), mv), never by writing
 * into the loaded one.
 *
 * validate() is called only for a certificate that passed the built-in
 * checks (phase one), and not again for an <endpoint, certificate> pair
 * it accepted before (the success cache).  It returns an HRESULT:
 *   0                       accept;
 *   a value with bit 31 set refuse with that HRESULT, which the caller
 *                           (the exchange's peer) gets back;
 *   0x80200074              "cannot decide now": unavailable, as above,
 *                           neither counted as a refusal nor cached;
 *   other values            refuse with E_FAIL (0x80004005).
 * It runs in the calling process (a samba worker, the CLI), may be
 * called from several processes at once, and should be quick: the
 * exchange waits for it.
 */
#ifndef _BPA_VALIDATOR_MODULE_H_
#define _BPA_VALIDATOR_MODULE_H_

#include <stdint.h>
#include <stddef.h>

#define BPA_VALIDATOR_INTERFACE_VERSION 1
#define BPA_VALIDATOR_INIT_SYMBOL "bpa_validator_init"

/* Which side asks (the command's BPA_ROLE) */
enum bpa_validator_role {
	/* a server validates a client's certificate (MS-BPAU 3.1.4.1) */
	BPA_VALIDATOR_ROLE_SERVER = 1,
	/* a client validates a server's certificate (MS-BPAU 3.2.4.1) */
	BPA_VALIDATOR_ROLE_CLIENT = 2,
};

/* One certificate to decide on; every pointer valid during the call */
struct bpa_validator_request {
	uint32_t role;			/* enum bpa_validator_role */
	const char *role_name;		/* "server" or "client" */
	/* the remote party: the caller's SID string (server role), or
	 * "<server host as given>:<port>" (client role) */
	const char *endpoint;
	const char *subject_sid;	/* the certificate's subject SID */
	const char *cert_sha256;	/* 64 lower-case hex digits */
	const uint8_t *cert_der;	/* the X.509 certificate, DER */
	size_t cert_len;
};

struct bpa_validator_ops {
	uint32_t size;		/* sizeof(*ops), set by the host */
	const char *name;		/* for the logs; may stay NULL */
	uint32_t (*validate)(void *private_data,
			     const struct bpa_validator_request *req);
	/* called before dlclose(); may be NULL */
	void (*unload)(void *private_data);
	void *private_data;
};

typedef int (*bpa_validator_init_fn)(struct bpa_validator_ops *ops,
				     uint32_t version);

int bpa_validator_init(struct bpa_validator_ops *ops, uint32_t version);

#endif /* _BPA_VALIDATOR_MODULE_H_ */
