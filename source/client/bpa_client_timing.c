/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Where the time of one exchange goes (issue 15): the phases of
 * struct bpa_client_timing and the Kerberos phase.  See bpa_client.h.
 */
#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include "util/bpa_debug.h"
#include <talloc.h>
#include <tevent.h>
#include <credentials.h>
#include "client/bpa_client.h"

_PUBLIC_ uint64_t bpa_client_clock_ns(void)
{
	struct timespec ts = { 0 };

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

_PUBLIC_ uint64_t bpa_client_timing_add(struct bpa_client_timing *t,
					enum bpa_client_phase phase,
					uint64_t since_ns)
{
	uint64_t now = bpa_client_clock_ns();

	if (t != NULL && phase < BPA_CLIENT_PHASE_COUNT && now > since_ns) {
		t->ns[phase] += now - since_ns;
	}
	return now;
}

_PUBLIC_ const char *bpa_client_phase_name(enum bpa_client_phase phase)
{
	static const char *const names[BPA_CLIENT_PHASE_COUNT] = {
		[BPA_CLIENT_PHASE_KERBEROS] = "kerberos",
		[BPA_CLIENT_PHASE_LOOKUP] = "lookup",
		[BPA_CLIENT_PHASE_LOCAL_CERT] = "local_cert",
		[BPA_CLIENT_PHASE_BIND] = "bind",
		[BPA_CLIENT_PHASE_CALL] = "call",
		[BPA_CLIENT_PHASE_STORE] = "store",
	};

	if (phase >= BPA_CLIENT_PHASE_COUNT) {
		return NULL;
	}
	return names[phase];
}

_PUBLIC_ bool bpa_client_kerberos(struct tevent_context *ev,
				  struct loadparm_context *lp_ctx,
				  struct cli_credentials *creds,
				  struct bpa_client_timing *t)
{
	struct ccache_container *ccc = NULL;
	const char *err = NULL;
	uint64_t t0 = bpa_client_clock_ns();
	int ret;

	if (ev == NULL || lp_ctx == NULL || creds == NULL) {
		return false;
	}
	/* MS-BPAU 3.2.3: what the bind's Kerberos would obtain first */
	ret = cli_credentials_get_ccache(creds, ev, lp_ctx, &ccc, &err);
	bpa_client_timing_add(t, BPA_CLIENT_PHASE_KERBEROS, t0);
	if (ret != 0) {
		DBG_NOTICE("Kerberos credentials not ready (%d): %s; the "
			   "bind will say\n", ret, err != NULL ? err : "?");
		return false;
	}
	return true;
}
