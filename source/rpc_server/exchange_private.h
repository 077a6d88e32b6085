/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The stages of bpa_srv_exchange() (exchange.h), for the asynchronous
 * form (exchange_async.c), which runs the middle one in a child process:
 *   start   (the serving process) the server's blob, the decode;
 *   check   (either) both validation phases and the revocation check:
 *           what may wait on a validator or a responder;
 *   finish  (the serving process) the table add, the answer.
 */
#ifndef _BPA_SRV_EXCHANGE_PRIVATE_H_
#define _BPA_SRV_EXCHANGE_PRIVATE_H_

#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include <talloc.h>
#include <util/data_blob.h>

struct bpa_srv_state;
struct bpa_srv_caller;
struct bpa_cert_blob;
struct bpa_exchange_result;

/* What start leaves for check and finish */
struct bpa_exchange_call {
	DATA_BLOB ours;			/* the server's CERTIFICATE_BLOB */
	struct bpa_cert_blob *blob;	/* the caller's, decoded */
};

enum bpa_exchange_step {
	BPA_EXCHANGE_STEP_DONE,		/* *res is the answer */
	BPA_EXCHANGE_STEP_CHECK,	/* a blob to check */
};

/* *@c on @mem_ctx; @res filled when DONE (a refusal, ClientKeyLength 0) */
enum bpa_exchange_step bpa_srv_exchange_start(TALLOC_CTX *mem_ctx,
					      struct bpa_srv_state *state,
					      const uint8_t *key,
					      uint32_t key_len,
					      struct bpa_exchange_call *c,
					      struct bpa_exchange_result *res);

/* true: accepted, go on to finish; false: @res is the refusal (its
 * strings on @mem_ctx or static) */
bool bpa_srv_exchange_check(TALLOC_CTX *mem_ctx,
			    const struct bpa_srv_state *state,
			    const struct bpa_srv_caller *caller,
			    const struct bpa_cert_blob *blob,
			    time_t now,
			    struct bpa_exchange_result *res);

/* MS-BPAU 3.1.4.1 <3>, <4>: store, then S_OK with c->ours, or the
 * table's refusal */
void bpa_srv_exchange_finish(TALLOC_CTX *mem_ctx,
			     struct bpa_srv_state *state,
			     const struct bpa_srv_caller *caller,
			     const struct bpa_exchange_call *c,
			     time_t now,
			     struct bpa_exchange_result *res);

#endif /* _BPA_SRV_EXCHANGE_PRIVATE_H_ */
