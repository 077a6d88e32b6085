/* SPDX-License-Identifier: GPL-3.0-or-later */
/* seed cert-open-server-ocsp-response: the prefetch schedule */
#include "prefetch/schedule.h"

void bpa_prefetch_settings_init(struct bpa_prefetch_settings *s)
{
	s->min_validity = BPA_PREFETCH_DEFAULT_MIN_VALIDITY;
	s->url_timeout_ms = BPA_PREFETCH_DEFAULT_URL_TIMEOUT;
	s->max_before = BPA_PREFETCH_DEFAULT_MAX_BEFORE;
	s->min_before = BPA_PREFETCH_DEFAULT_MIN_BEFORE;
	s->min_after = BPA_PREFETCH_DEFAULT_MIN_AFTER;
}

const char *bpa_prefetch_rule_name(enum bpa_prefetch_rule r)
{
	switch (r) {
	case BPA_PREFETCH_RULE_FIRST:
		return "first";
	case BPA_PREFETCH_RULE_MAX_BEFORE:
		return "max-before-next-update";
	case BPA_PREFETCH_RULE_MIN_INTERVAL:
		return "min-interval";
	case BPA_PREFETCH_RULE_MIN_AFTER:
		return "min-after-next-update";
	case BPA_PREFETCH_RULE_BACKOFF:
		return "backoff";
	}
	return "?";
}

uint32_t bpa_prefetch_backoff(const struct bpa_prefetch_settings *s,
			      uint32_t failures)
{
	uint32_t step = s->min_after > 0 ? s->min_after : 1;
	uint32_t cap = s->max_before / 4;
	uint64_t d = step;
	uint32_t k;

	if (failures == 0) {
		return 0;
	}
	if (cap > BPA_PREFETCH_BACKOFF_MAX) {
		cap = BPA_PREFETCH_BACKOFF_MAX;
	}
	if (cap < step) {
		cap = step;
	}
	for (k = 1; k < failures && d < cap; k++) {
		d *= 2;
	}
	return d < cap ? (uint32_t)d : cap;
}

struct bpa_prefetch_sched bpa_prefetch_schedule(
	const struct bpa_prefetch_settings *s,
	const struct bpa_prefetch_sched_in *in)
{
	struct bpa_prefetch_sched out = {
		.due = in->now,
		.rule = BPA_PREFETCH_RULE_FIRST,
	};
	uint32_t step = bpa_prefetch_backoff(s, 1);
	time_t earliest = 0;

	if (in->failures > 0 && in->have_attempt) {
		out.backoff = bpa_prefetch_backoff(s, in->failures);
		out.due = in->last_attempt + (time_t)out.backoff;
		out.rule = BPA_PREFETCH_RULE_BACKOFF;
	} else if (in->have_response) {
		out.due = in->next_update - (time_t)s->max_before;
		out.rule = BPA_PREFETCH_RULE_MAX_BEFORE;
		if (out.due < in->now) {
			out.due = in->now;
		}
		earliest = in->last_attempt + (time_t)step;
		if (in->have_attempt && out.due < earliest) {
			out.due = earliest;
			out.backoff = step;
			out.rule = BPA_PREFETCH_RULE_MIN_INTERVAL;
		}
	}
	if (out.due < in->now) {
		out.due = in->now;
	}
	/* "if the current time is >= NextUpdate - min_before, wait until
	 * NextUpdate + min_after" */
	if (in->have_response &&
	    out.due >= in->next_update - (time_t)s->min_before &&
	    out.due < in->next_update + (time_t)s->min_after) {
		out.due = in->next_update + (time_t)s->min_after;
		out.rule = BPA_PREFETCH_RULE_MIN_AFTER;
	}
	return out;
}

bool bpa_prefetch_usable(const struct bpa_prefetch_settings *s,
			 time_t next_update,
			 time_t now)
{
	return next_update > now &&
	       next_update - now >= (time_t)s->min_validity;
}

bool bpa_prefetch_settings_valid(const struct bpa_prefetch_settings *s)
{
	return s->min_before <= s->max_before && s->url_timeout_ms > 0;
}
