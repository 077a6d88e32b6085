/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The prefetcher's handle, shared by source/prefetch's files only */
#ifndef _BPA_PREFETCH_PRIVATE_H_
#define _BPA_PREFETCH_PRIVATE_H_

#include <sys/types.h>
#include "prefetch/prefetcher.h"

struct bpa_pf_fetch;
struct tevent_timer;

struct bpa_prefetch {
	struct tevent_context *ev;
	pid_t owner;			/* the process that retrieves */
	gnutls_x509_crt_t cert;		/* our copies */
	gnutls_x509_crt_t issuer;
	char *url;			/* the AIA OCSP URL */
	struct bpa_prefetch_params p;	/* response_file is ours */
	char *status_path;		/* "<response_file>.status" */

	/* the response held: verified, good, for this certificate */
	bool have;
	DATA_BLOB der;
	time_t this_update;
	time_t next_update;
	enum bpa_prefetch_state state;
	time_t revocation_time;		/* state REVOKED */
	uint32_t reason;

	/* the schedule */
	uint32_t failures;
	uint32_t retrievals;
	bool have_attempt;
	time_t last_attempt;
	char *last_error;
	struct bpa_prefetch_sched next;
	struct tevent_timer *retrieve_timer;
	struct tevent_timer *expire_timer;
	struct bpa_pf_fetch *inflight;
};

/** Write "<response_file>.status" (atomically), if there is a file. */
void bpa_pf_status_save(struct bpa_prefetch *pf, time_t now);

#endif /* _BPA_PREFETCH_PRIVATE_H_ */
