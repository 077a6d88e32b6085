/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * For the prefetch tests (run by with_pki.sh): the PKI's certificates,
 * a real openssl ocsp responder on 127.0.0.1:8890 started and stopped
 * at will, a listener that never answers, and a bounded event loop.
 */
#ifndef _PF_TEST_UTIL_H_
#define _PF_TEST_UTIL_H_

#include <stdbool.h>
#include <sys/types.h>
#include <talloc.h>
#include <tevent.h>
#include <gnutls/x509.h>

#define PF_PORT 8890

/** $BPA_PKI/<name>.pem, owned by @mem_ctx (fails the test if absent) */
gnutls_x509_crt_t pf_load_crt(TALLOC_CTX *mem_ctx, const char *name);

/** $BPA_PKI/<name> as a path on @mem_ctx */
char *pf_pki_path(TALLOC_CTX *mem_ctx, const char *name);

/**
 * openssl ocsp on PF_PORT for the PKI's index, signing with
 * <signer>.pem/.key ("ca", or "other-ca": the wrong key), responses
 * valid for one minute (-nmin 1).  Returns once it accepts connections.
 */
pid_t pf_responder_start(const char *signer);
void pf_responder_stop(pid_t pid);

/** A socket listening on PF_PORT that never accepts: HTTP times out */
int pf_silent_listener(void);

/** A socket listening on 127.0.0.1:@port */
int pf_listen(int port);

/** Run @ev for @ms milliseconds (or until *@until is true) */
void pf_run(struct tevent_context *ev, unsigned int ms, const bool *until);

/** Milliseconds on the monotonic clock */
double pf_ms(void);

#endif /* _PF_TEST_UTIL_H_ */
