/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The checker of a serving process (exchange_async.h says why): a child
 * forked at the first request ("bpa-check"), asked one request at a
 * time over a SOCK_SEQPACKET pair, the others queued.  It runs
 * bpa_srv_exchange_check() (exchange_private.h) on the caller's SID and
 * ClientKey as they were at the call, and answers a verdict.
 *
 * It is killed when it dies, takes longer over one request than the
 * validator timeout plus four URL timeouts plus 10 s, or a request it
 * has goes away (its answer would be read as the next one's); that
 * request fails, and the next one starts another checker on the next
 * turn of the loop.  It holds no socket of samba's, ends with the
 * serving process (PR_SET_PDEATHSIG), and goes with the loop it was
 * made on.
 */
#ifndef _BPA_SRV_CHECKER_H_
#define _BPA_SRV_CHECKER_H_

#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include <talloc.h>
#include "util/sid_string.h"

struct tevent_context;
struct tevent_req;
struct bpa_srv_state;

/* A verdict, the checker's answer: one datagram, fixed size */
struct bpa_check_verdict {
	uint32_t passed;		/* accepted: store and answer */
	uint32_t hr;			/* else the refusal's HRESULT */
	uint32_t verdict;		/* enum bpa_exchange_verdict */
	uint32_t validator_cached;
	char reason[256];
	char subject[BPA_SID_STRING_MAX];
	char revocation[32];		/* "" when not checked */
	char phase[32];			/* "" when not validated */
};

/** Ask this process's checker about @key (a ClientKey that decodes)
 * from @caller_sid at @now; @key must live until the request ends. */
struct tevent_req *bpa_checker_send(TALLOC_CTX *mem_ctx,
				    struct tevent_context *ev,
				    struct bpa_srv_state *state,
				    const char *caller_sid,
				    const uint8_t *key,
				    uint32_t key_len,
				    time_t now);

/** true and *@v: the checker's verdict; false: the checker failed
 * (could not start, died, overran), logged */
bool bpa_checker_recv(struct tevent_req *req, struct bpa_check_verdict *v);

#endif /* _BPA_SRV_CHECKER_H_ */
