/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * When the prefetcher of the local certificate's OCSP response asks the
 * responder again (seed cert-open-server-ocsp-response: the five
 * CERT_SRV_OCSP_RESP_* settings).  A pure function of the settings, what
 * is held and a clock given by the caller: no I/O, no time(NULL), so a
 * test drives every rule with a clock of its own.
 *
 * The rules, in the order they are applied:
 *  - nothing held and no failure yet: now (FIRST);
 *  - the last retrieval failed (or brought nothing newer than what is
 *    held): the last attempt + the backoff (BACKOFF);
 *  - a response held with nextUpdate N: N - max_before (MAX_BEFORE),
 *    but never sooner than the last attempt + the backoff's first step
 *    (MIN_INTERVAL: a responder whose responses live shorter than
 *    max_before is not asked in a loop);
 *  - whatever the above gave: if that moment is at or after
 *    N - min_before and before N + min_after, the responder cannot be
 *    expected to have a newer response before N: wait until
 *    N + min_after (MIN_AFTER).
 *
 * The backoff: the k-th consecutive failure waits step * 2^(k-1), step
 * = max(1 s, min_after), at most cap = max(step, min(3600 s,
 * max_before / 4)).  Doubling so that a responder that is down is not
 * hammered; the cap so that a long outage still gets at least four
 * attempts inside the refresh window, and at least one an hour; it never
 * gives up.
 */
#ifndef _BPA_PREFETCH_SCHEDULE_H_
#define _BPA_PREFETCH_SCHEDULE_H_

#include <stdint.h>
#include <stdbool.h>
#include <time.h>

/* The seed's defaults */
#define BPA_PREFETCH_DEFAULT_MIN_VALIDITY	600	/* s */
#define BPA_PREFETCH_DEFAULT_URL_TIMEOUT	15000	/* ms */
#define BPA_PREFETCH_DEFAULT_MAX_BEFORE		14400	/* s */
#define BPA_PREFETCH_DEFAULT_MIN_BEFORE		120	/* s */
#define BPA_PREFETCH_DEFAULT_MIN_AFTER		60	/* s */
/* The longest backoff step (s) */
#define BPA_PREFETCH_BACKOFF_MAX		3600

struct bpa_prefetch_settings {
	uint32_t min_validity;	/* "ocsp min validity" (s) */
	uint32_t url_timeout_ms; /* "ocsp url timeout" (ms) */
	uint32_t max_before;	/* "ocsp max before next update" (s) */
	uint32_t min_before;	/* "ocsp min before next update" (s) */
	uint32_t min_after;	/* "ocsp min after next update" (s) */
};

/** The seed's defaults: 600 s, 15000 ms, 14400 s, 120 s, 60 s. */
void bpa_prefetch_settings_init(struct bpa_prefetch_settings *s);

/* Which rule decided the next retrieval */
enum bpa_prefetch_rule {
	BPA_PREFETCH_RULE_FIRST = 0,	/* nothing held yet: now */
	BPA_PREFETCH_RULE_MAX_BEFORE,	/* nextUpdate - max before */
	BPA_PREFETCH_RULE_MIN_INTERVAL,	/* not sooner than one step after
					 * the last retrieval */
	BPA_PREFETCH_RULE_MIN_AFTER,	/* nextUpdate + min after */
	BPA_PREFETCH_RULE_BACKOFF,	/* after a failed retrieval */
};

/** "first", "max-before-next-update", "min-interval",
 * "min-after-next-update", "backoff" */
const char *bpa_prefetch_rule_name(enum bpa_prefetch_rule r);

/* What the schedule is computed from */
struct bpa_prefetch_sched_in {
	bool have_response;	/* a good response with nextUpdate held */
	time_t next_update;	/* its nextUpdate */
	uint32_t failures;	/* consecutive retrievals that brought no
				 * newer good response */
	bool have_attempt;	/* a retrieval took place */
	time_t last_attempt;	/* when the last one ended */
	time_t now;
};

struct bpa_prefetch_sched {
	time_t due;		/* the next retrieval, >= now */
	enum bpa_prefetch_rule rule;
	uint32_t backoff;	/* the step used (s), 0 if none */
};

/** The backoff step after @failures consecutive failures (s); 0 for 0. */
uint32_t bpa_prefetch_backoff(const struct bpa_prefetch_settings *s,
			      uint32_t failures);

/** The next retrieval for @in under @s. */
struct bpa_prefetch_sched bpa_prefetch_schedule(
	const struct bpa_prefetch_settings *s,
	const struct bpa_prefetch_sched_in *in);

/**
 * May a good response with nextUpdate @next_update be handed out at
 * @now: valid for at least min_validity more seconds (and so never at
 * or past its nextUpdate)?
 */
bool bpa_prefetch_usable(const struct bpa_prefetch_settings *s,
			 time_t next_update,
			 time_t now);

/**
 * The settings make sense together: min_before <= max_before.  Each
 * value's own range is bpa_options[]'s.
 */
bool bpa_prefetch_settings_valid(const struct bpa_prefetch_settings *s);

#endif /* _BPA_PREFETCH_SCHEDULE_H_ */
