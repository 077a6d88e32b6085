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
 * run in a child process forked for the call (a fork of samba costs
 * milliseconds, so only then); the serving process goes on
 * with its loop, reads the verdict from a pipe and then stores the peer
 * and answers, as bpa_srv_exchange() does.  What the child learns that
 * lasts (the validator's success cache and failure counts, OCSP and CRL
 * responses) is in their tdb files, so the next call sees it.
 *
 * A child that dies or outlives the longest the checks may take (the
 * validator timeout plus four URL timeouts, plus 10 s) is killed and
 * the call answers E_FAIL ("checks-failed"), logged.  Freeing the
 * request (the call going away with its connection) kills the child.
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
