/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The prefetcher of the local certificate's OCSP response, for stapling
 * (seed cert-open-server-ocsp-response: CertOpenServerOcspResponse,
 * CertGetServerOcspResponseContext, CertCloseServerOcspResponse).
 *
 * bpa_prefetch_open() takes the certificate and its issuer (copies are
 * kept), finds the OCSP URL in the certificate's AIA and runs on the
 * caller's tevent loop: no thread.  Each retrieval is one HTTP POST
 * (source/ocsp, libcurl) made in a short-lived child process, so the
 * loop (samba's parent process) never blocks on the network; the
 * response is verified here (issuer or delegated responder with
 * id-kp-OCSPSigning, certID, thisUpdate/nextUpdate) before it is kept.
 * Requests carry no nonce: the response is for stapling to others, and
 * RFC 5019 responders serve pre-signed responses.
 *
 * What is handed out (bpa_prefetch_current(), the response file, the
 * GnuTLS callback): only a verified good response for this certificate
 * with a nextUpdate at least "min validity" away.  The last good one is
 * kept through failed retrievals (responder down, tryLater, garbage, a
 * bad signature) until that margin, and a newer one replaces it only
 * if its thisUpdate is not older.  A revoked status drops it at once
 * (logged at level 0) and nothing is stapled.
 *
 * The response file (params.response_file), when set: the current
 * response in DER, written as a temporary file in the same folder and
 * renamed into place (mode 0644), the form
 * gnutls_certificate_set_ocsp_status_request_file() and gnutls-serv
 * --ocsp-response load.  It is removed as soon as no response may be
 * handed out (expiry of the margin, revoked): a TLS server that reads it
 * never staples a stale response.  A file still usable at open is
 * loaded, so a restart does not wait for the responder.  Next to it,
 * "<response_file>.status" holds the schedule and the last error for
 * "bitspeerauth ocsp status" (bpa_prefetch_status_read()).
 *
 * The handle is talloc-owned: freeing it (or its parent, or
 * bpa_prefetch_close()) stops the timers and kills a retrieval in
 * flight.  Timers inherited by a forked process (samba's workers) do
 * nothing there: only the process that opened it retrieves.
 */
#ifndef _BPA_PREFETCHER_H_
#define _BPA_PREFETCHER_H_

#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include <talloc.h>
#include <util/data_blob.h>
#include <core/hresult.h>
#include <gnutls/x509.h>
#include "prefetch/schedule.h"

struct tevent_context;
struct bpa_prefetch;

/* dwFlags: CERT_SERVER_OCSP_RESPONSE_ASYNC_FLAG; 0 is synchronous */
#define BPA_PREFETCH_ASYNC_FLAG		0x1

struct bpa_prefetch_params {
	struct bpa_prefetch_settings s;	/* the five settings */
	const char *response_file;	/* DER file kept current, or NULL */
	uint32_t clock_skew;		/* thisUpdate tolerance (s) */
};

/** The seed's settings, no file, a clock skew of 300 s. */
void bpa_prefetch_params_init(struct bpa_prefetch_params *p);

/**
 * Open the prefetcher for @cert issued by @issuer on @ev.  With @flags 0
 * the first retrieval is made before returning (blocking, at most the
 * URL timeout) unless a usable response was loaded from the file; with
 * BPA_PREFETCH_ASYNC_FLAG it is scheduled at once and this returns.
 * Either way the handle is returned when the first retrieval fails,
 * and retrieving goes on.
 *
 * @return S_OK and *@ppf on @mem_ctx;
 *         HRES_E_INVALIDARG: a NULL argument, unknown flags, settings
 *         that do not make sense (min before > max before);
 *         HRES_CRYPT_E_NOT_IN_REVOCATION_DATABASE: @cert has no OCSP AIA
 *         URL (http://);
 *         HRES_E_OUTOFMEMORY; HRES_E_FAIL (a GnuTLS error).  Logged.
 */
HRESULT bpa_prefetch_open(TALLOC_CTX *mem_ctx,
			  struct tevent_context *ev,
			  gnutls_x509_crt_t cert,
			  gnutls_x509_crt_t issuer,
			  uint32_t flags,
			  const struct bpa_prefetch_params *p,
			  struct bpa_prefetch **ppf);

/**
 * The response to staple now (DER, owned by @pf, valid until the next
 * return to the tevent loop), or NULL when none may be handed out.
 */
const DATA_BLOB *bpa_prefetch_current(struct bpa_prefetch *pf, time_t now);

/** A copy of the current response on @mem_ctx: S_OK, or
 * HRES_CRYPT_E_NOT_FOUND when there is none; HRES_E_OUTOFMEMORY. */
HRESULT bpa_prefetch_get(TALLOC_CTX *mem_ctx,
			 struct bpa_prefetch *pf,
			 time_t now,
			 DATA_BLOB *presp);

/** Stop and free (NULL is allowed). */
void bpa_prefetch_close(struct bpa_prefetch *pf);

/* What the status command shows */
enum bpa_prefetch_state {
	BPA_PREFETCH_STATE_NONE = 0,	/* nothing to hand out */
	BPA_PREFETCH_STATE_GOOD,	/* a good response is handed out */
	BPA_PREFETCH_STATE_REVOKED,	/* the responder says revoked */
};

/** "none", "good", "revoked" */
const char *bpa_prefetch_state_name(enum bpa_prefetch_state st);

struct bpa_prefetch_status {
	const char *url;		/* the AIA URL */
	enum bpa_prefetch_state state;
	bool has_response;		/* this/next_update are set */
	time_t this_update;
	time_t next_update;
	time_t revocation_time;		/* REVOKED */
	uint32_t reason;		/* REVOKED: enum bpa_crl_reason */
	time_t next_retrieval;		/* 0: none scheduled */
	enum bpa_prefetch_rule rule;	/* which rule set next_retrieval */
	uint32_t failures;		/* consecutive, see schedule.h */
	uint32_t retrievals;		/* attempts since open */
	time_t last_attempt;		/* 0: none yet */
	const char *last_error;		/* NULL or "" after a success */
	time_t updated;			/* when this status was made */
	int pid;			/* the process that retrieves */
};

/** @pf's status; strings owned by @pf. */
void bpa_prefetch_get_status(struct bpa_prefetch *pf,
			     struct bpa_prefetch_status *st);

/**
 * The status file written next to the response file
 * ("<response_file>.status"), read back: S_OK and *@st with strings on
 * @mem_ctx; HRES_CRYPT_E_NOT_FOUND when there is no such file (no
 * prefetcher ran); HRES_E_FAIL when it cannot be read or parsed.
 */
HRESULT bpa_prefetch_status_read(TALLOC_CTX *mem_ctx,
				 const char *response_file,
				 struct bpa_prefetch_status *st);

/** "<response_file>.status" on @mem_ctx */
char *bpa_prefetch_status_path(TALLOC_CTX *mem_ctx,
			       const char *response_file);

#endif /* _BPA_PREFETCHER_H_ */
