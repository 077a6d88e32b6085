/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HTTP for OCSP (RFC 6960 A.1) and CRL distribution points: libcurl's
 * easy interface, one handle per fetch, bounded in time and size.
 */
#include <string.h>
#include <strings.h>
#include <curl/curl.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "ocsp/ocsp_client.h"

struct fetch_state {
	TALLOC_CTX *mem_ctx;
	uint8_t *buf;
	size_t len;
	size_t max;
	bool too_big;
	bool nomem;
};

static size_t fetch_write(char *ptr, size_t size, size_t nmemb, void *priv)
{
	struct fetch_state *st = priv;
	size_t n = size * nmemb;
	uint8_t *nb = NULL;

	if (n == 0) {
		return 0;
	}
	if (n > st->max || st->len > st->max - n) {
		st->too_big = true;
		return 0;	/* curl stops with CURLE_WRITE_ERROR */
	}
	nb = talloc_realloc(st->mem_ctx, st->buf, uint8_t, st->len + n);
	if (nb == NULL) {
		st->nomem = true;
		return 0;
	}
	memcpy(nb + st->len, ptr, n);
	st->buf = nb;
	st->len += n;
	return n;
}

HRESULT bpa_ocsp_http_fetch(TALLOC_CTX *mem_ctx,
			    const char *url,
			    const DATA_BLOB *body,
			    const char *content_type,
			    uint32_t timeout_ms,
			    size_t max_size,
			    DATA_BLOB *pout,
			    char **perr)
{
	struct fetch_state st = { .mem_ctx = mem_ctx, .max = max_size };
	CURL *h = NULL;
	struct curl_slist *hdrs = NULL;
	char *ctype = NULL;
	const char *err = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	HRESULT hr = HRES_CRYPT_E_REVOCATION_OFFLINE;
	TALLOC_CTX *frame = NULL;
	CURLcode cc;
	long code = 0;
	int bad = 0;

	*pout = data_blob_null;
	if (perr != NULL) {
		*perr = NULL;
	}
	if (url == NULL || timeout_ms == 0 || max_size == 0) {
		return HRES_E_INVALIDARG;
	}
	frame = talloc_new(mem_ctx);
	if (frame == NULL) {
		return HRES_E_OUTOFMEMORY;
	}
	st.mem_ctx = frame;
	if (strncasecmp(url, "http://", 7) != 0) {
		err = "not an http:// URL";
		goto done;
	}
	h = curl_easy_init();
	if (h == NULL) {
		err = "curl_easy_init failed";
		goto done;
	}
	bad |= curl_easy_setopt(h, CURLOPT_URL, url);
	bad |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http");
	bad |= curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	bad |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	bad |= curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	bad |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
	bad |= curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
				(curl_off_t)max_size);
	bad |= curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, fetch_write);
	bad |= curl_easy_setopt(h, CURLOPT_WRITEDATA, &st);
	bad |= curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	bad |= curl_easy_setopt(h, CURLOPT_USERAGENT, "bitspeerauth");
	if (body != NULL) {
		ctype = talloc_asprintf(frame, "Content-Type: %s",
					content_type != NULL ? content_type :
					"application/octet-stream");
		if (ctype == NULL) {
			hr = HRES_E_OUTOFMEMORY;
			goto done;
		}
		hdrs = curl_slist_append(hdrs, ctype);
		if (hdrs == NULL) {
			hr = HRES_E_OUTOFMEMORY;
			goto done;
		}
		bad |= curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
		bad |= curl_easy_setopt(h, CURLOPT_POST, 1L);
		bad |= curl_easy_setopt(h, CURLOPT_POSTFIELDS,
					(const char *)body->data);
		bad |= curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
					(curl_off_t)body->length);
	}
	if (bad != 0) {
		err = "libcurl refused an option";
		goto done;
	}

	cc = curl_easy_perform(h);
	if (st.nomem) {
		hr = HRES_E_OUTOFMEMORY;
		goto done;
	}
	if (st.too_big || cc == CURLE_FILESIZE_EXCEEDED) {
		err = talloc_asprintf(frame, "response larger than %zu "
				      "bytes", max_size);
		goto done;
	}
	if (cc != CURLE_OK) {
		err = talloc_asprintf(frame, "%s%s%s",
				      curl_easy_strerror(cc),
				      errbuf[0] != '\0' ? ": " : "", errbuf);
		goto done;
	}
	cc = curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (cc != CURLE_OK || code != 200) {
		err = talloc_asprintf(frame, "HTTP status %ld", code);
		goto done;
	}
	pout->data = talloc_steal(mem_ctx, st.buf);
	pout->length = st.len;
	st.buf = NULL;
	hr = BPA_S_OK;
done:
	if (!HRES_IS_OK(hr)) {
		if (err == NULL && HRES_IS_EQUAL(hr, HRES_E_OUTOFMEMORY)) {
			err = "out of memory";
		}
		if (err == NULL) {
			err = "transport error";
		}
		DBG_INFO("%s: %s\n", url, err);
		if (perr != NULL) {
			*perr = talloc_strdup(mem_ctx, err);
		}
	}
	TALLOC_FREE(frame);
	curl_slist_free_all(hdrs);
	if (h != NULL) {
		curl_easy_cleanup(h);
	}
	return hr;
}
