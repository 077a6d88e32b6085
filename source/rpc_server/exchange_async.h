/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bpa_srv_exchange() (exchange.h) without blocking the serving process.
 *
 * A validator (a command or a module: seed bits-validate-server-
 * certificate) and the revocation providers that fetch (ocsp, crl:
 * seed ocsp-revocation-provider) can each take seconds, up to their
 * timeouts.  samba serves every connection of a process from one tevent
 * loop (with "-M single" every service of the DC), so while a call waits
 * on them nothing else there moves.  When the configuration can wait
 * (bpa_srv_exchange_may_block()), the serving process first decides
 * what needs no waiting: phase one's refusals and the validator's
 * cached pairs (bpa_validation_set_no_wait()), unless a revocation
 * provider may fetch.  The rest of the checks of a decoded ClientKey
 * go to the process's checker ("bpa-check"): a child forked at the
 * first such call (a fork of samba costs milliseconds) that answers one
 * request at a time over a socket pair, the others queued, so a slow
 * validator holds up only the checks queued behind it.  The serving
 * process goes on with its loop, then stores the peer and answers, as
 * bpa_srv_exchange() does.  What the checks learn that lasts (the
 * validator's success cache and failure counts, OCSP and CRL responses)
 * is in their tdb files, so either process sees it.
 *
 * A checker that dies, or takes longer over one request than the
 * validator timeout plus four URL timeouts plus 10 s, is killed and that
 * call answers E_FAIL ("checks-failed"), logged; the next request
 * starts another.  A request freed while the checker has it (the call
 * going away with its connection) stops the checker too.  The checker
 * holds no socket of samba's (a client connection it kept open would
 * never see samba's close), and it ends with the serving process.
 */
#ifndef _BPA_SRV_EXCHANGE_ASYNC_H_
#define _BPA_SRV_EXCHANGE_ASYNC_H_

#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include <talloc.h>

struct tevent_context;
struct tevent_req;
struct bpa_srv_state;
struct bpa_srv_caller;
struct bpa_exchange_result;

/** Can the checks of a call under @state wait on something outside? */
bool bpa_srv_exchange_may_block(const struct bpa_srv_state *state);

/**
 * Start serving the ClientKey of an admitted @caller (as
 * bpa_srv_exchange()).  The request and everything the result points
 * to (the server blob, the strings) are on @mem_ctx, the call's.
 */
struct tevent_req *bpa_srv_exchange_send(TALLOC_CTX *mem_ctx,
					 struct tevent_context *ev,
					 struct bpa_srv_state *state,
					 const struct bpa_srv_caller *caller,
					 const uint8_t *key,
					 uint32_t key_len,
					 time_t now);

/** The result, always filled (E_FAIL or E_OUTOFMEMORY when the request
 * itself failed) */
void bpa_srv_exchange_recv(struct tevent_req *req,
			   struct bpa_exchange_result *res);

#endif /* _BPA_SRV_EXCHANGE_ASYNC_H_ */
