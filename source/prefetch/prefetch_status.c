/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * "<ocsp response file>.status": what the prefetcher in samba's parent
 * process tells "bitspeerauth ocsp status".  One "key value" per line,
 * times as seconds since the epoch; the writer and the reader are here
 * and nowhere else.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "util/bpa_text.h"
#include "prefetch/prefetcher.h"
#include "prefetch/prefetch_io.h"
#include "prefetch/prefetch_private.h"

#define STATUS_MAX	(16 * 1024)

char *bpa_prefetch_status_path(TALLOC_CTX *mem_ctx,
			       const char *response_file)
{
	return talloc_asprintf(mem_ctx, "%s.status", response_file);
}

/* A value on one line: control characters become '?' */
static const char *one_line(TALLOC_CTX *mem_ctx, const char *s)
{
	return bpa_printable(mem_ctx, s != NULL ? s : "");
}

void bpa_pf_status_save(struct bpa_prefetch *pf, time_t now)
{
	TALLOC_CTX *frame = NULL;
	struct bpa_prefetch_status st;
	char *s = NULL;

	if (pf->status_path == NULL) {
		return;
	}
	frame = talloc_new(pf);
	if (frame == NULL) {
		return;
	}
	bpa_prefetch_get_status(pf, &st);
	s = talloc_asprintf(frame,
		"pid %d\nupdated %lld\nurl %s\nstate %s\nhas_response %d\n"
		"this_update %lld\nnext_update %lld\nrevocation_time %lld\n"
		"reason %" PRIu32 "\nnext_retrieval %lld\nrule %d\n"
		"failures %" PRIu32 "\nretrievals %" PRIu32 "\n"
		"last_attempt %lld\nlast_error %s\n",
		st.pid, (long long)now, one_line(frame, st.url),
		bpa_prefetch_state_name(st.state), st.has_response ? 1 : 0,
		(long long)st.this_update, (long long)st.next_update,
		(long long)st.revocation_time, st.reason,
		(long long)st.next_retrieval, (int)st.rule, st.failures,
		st.retrievals, (long long)st.last_attempt,
		one_line(frame, st.last_error));
	if (s != NULL) {
		(void)bpa_pf_write_atomic(pf->status_path, (uint8_t *)s,
					  strlen(s), 0644);
	}
	TALLOC_FREE(frame);
}

static bool parse_line(TALLOC_CTX *mem_ctx,
		       struct bpa_prefetch_status *st,
		       const char *key,
		       const char *v)
{
	long long n = strtoll(v, NULL, 10);

	if (strcmp(key, "pid") == 0) {
		st->pid = (int)n;
	} else if (strcmp(key, "updated") == 0) {
		st->updated = (time_t)n;
	} else if (strcmp(key, "url") == 0) {
		st->url = talloc_strdup(mem_ctx, v);
		return st->url != NULL;
	} else if (strcmp(key, "state") == 0) {
		st->state = strcmp(v, "good") == 0 ? BPA_PREFETCH_STATE_GOOD :
			    strcmp(v, "revoked") == 0 ?
			    BPA_PREFETCH_STATE_REVOKED :
			    BPA_PREFETCH_STATE_NONE;
	} else if (strcmp(key, "has_response") == 0) {
		st->has_response = (n != 0);
	} else if (strcmp(key, "this_update") == 0) {
		st->this_update = (time_t)n;
	} else if (strcmp(key, "next_update") == 0) {
		st->next_update = (time_t)n;
	} else if (strcmp(key, "revocation_time") == 0) {
		st->revocation_time = (time_t)n;
	} else if (strcmp(key, "reason") == 0) {
		st->reason = (uint32_t)n;
	} else if (strcmp(key, "next_retrieval") == 0) {
		st->next_retrieval = (time_t)n;
	} else if (strcmp(key, "rule") == 0) {
		st->rule = (enum bpa_prefetch_rule)n;
	} else if (strcmp(key, "failures") == 0) {
		st->failures = (uint32_t)n;
	} else if (strcmp(key, "retrievals") == 0) {
		st->retrievals = (uint32_t)n;
	} else if (strcmp(key, "last_attempt") == 0) {
		st->last_attempt = (time_t)n;
	} else if (strcmp(key, "last_error") == 0) {
		st->last_error = talloc_strdup(mem_ctx, v);
		return st->last_error != NULL;
	}
	/* other keys: a newer writer; ignored */
	return true;
}

HRESULT bpa_prefetch_status_read(TALLOC_CTX *mem_ctx,
				 const char *response_file,
				 struct bpa_prefetch_status *st)
{
	TALLOC_CTX *frame = talloc_new(mem_ctx);
	DATA_BLOB b = data_blob_null;
	char *path = NULL;
	char *text = NULL;
	char *line = NULL;
	char *save = NULL;
	bool missing = false;
	HRESULT hr = HRES_E_FAIL;

	memset(st, 0, sizeof(*st));
	if (frame == NULL) {
		return HRES_E_OUTOFMEMORY;
	}
	path = bpa_prefetch_status_path(frame, response_file);
	if (path == NULL) {
		hr = HRES_E_OUTOFMEMORY;
		goto done;
	}
	if (!bpa_pf_read_file(frame, path, STATUS_MAX, &b, &missing)) {
		hr = missing ? HRES_CRYPT_E_NOT_FOUND : HRES_E_FAIL;
		goto done;
	}
	text = talloc_strndup(frame, (const char *)b.data, b.length);
	if (text == NULL) {
		hr = HRES_E_OUTOFMEMORY;
		goto done;
	}
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');

		if (sp == NULL) {
			goto done;
		}
		*sp = '\0';
		if (!parse_line(mem_ctx, st, line, sp + 1)) {
			hr = HRES_E_OUTOFMEMORY;
			goto done;
		}
	}
	hr = (st->pid > 0) ? BPA_S_OK : HRES_E_FAIL;
done:
	TALLOC_FREE(frame);
	return hr;
}
