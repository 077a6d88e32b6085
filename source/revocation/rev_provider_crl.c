/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The "crl" provider: CRLs from "bitspeerauth:crl files" (read when the
 * stack is made) and from the certificate's CRL distribution points
 * (http:// URLs, fetched with the OCSP client's HTTP and cached until
 * nextUpdate).  One certificate per call:
 *   no issuer known, or no CRL of this issuer  -> NO_REVOCATION_CHECK
 *   a CRL of the issuer that does not verify, is not yet valid or has
 *   expired (nextUpdate), and no good one      -> REVOCATION_OFFLINE
 *   listed in a good CRL                       -> REVOKED + reason
 *   not listed in a good CRL                   -> success (or the rest)
 * Not handled (documented): delta CRLs, indirect CRLs, partitioned
 * distribution points; a CRL counts when its issuer name and signature
 * are the certificate's issuer's.
 */
#include <string.h>
#include <strings.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "ocsp/ocsp_client.h"
#include "revocation/rev_local.h"
#include "revocation/rev_crl_der.h"
#include "revocation/rev_private.h"

/* CRLs can be much larger than OCSP responses */
#define REV_MAX_CRL (4 * 1024 * 1024)
#define REV_MAX_CDP 8

struct crl_verdict {
	bool usable;		/* issuer's, verified, in its time */
	bool listed;
	struct bpa_crl_entry entry;
	time_t next_update;	/* -1 if none */
	const char *why;	/* when not usable */
};

static void judge(const DATA_BLOB *der,
		  gnutls_x509_crt_t cert,
		  gnutls_x509_crt_t issuer,
		  const struct bpa_rev_stack *s,
		  const struct bpa_rev_para *para,
		  struct crl_verdict *v)
{
	gnutls_x509_crl_t crl = NULL;
	gnutls_datum_t d = { der->data, der->length };
	uint8_t serial[64];
	size_t serial_len = sizeof(serial);
	unsigned verify = 0;
	time_t tu, nu;

	memset(v, 0, sizeof(*v));
	v->next_update = -1;
	v->why = "not a CRL";
	if (gnutls_x509_crl_init(&crl) < 0) {
		return;
	}
	if (gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_DER) < 0) {
		goto done;
	}
	v->why = "not signed by the issuer";
	/* the times are ours to judge (with the skew), below: GnuTLS
	 * flags them (and "invalid" with them) whatever the flags say;
	 * a signature problem always comes with a bit of its own */
	if (gnutls_x509_crl_verify(crl, &issuer, 1,
				   GNUTLS_VERIFY_DISABLE_TIME_CHECKS,
				   &verify) < 0 ||
	    (verify & ~(GNUTLS_CERT_INVALID |
			GNUTLS_CERT_REVOCATION_DATA_SUPERSEDED |
			GNUTLS_CERT_REVOCATION_DATA_ISSUED_IN_FUTURE)) != 0) {
		goto done;
	}
	tu = gnutls_x509_crl_get_this_update(crl);
	nu = gnutls_x509_crl_get_next_update(crl);
	v->next_update = nu;
	if (tu == (time_t)-1 || tu > para->now + (time_t)s->p.clock_skew) {
		v->why = "CRL not yet valid (thisUpdate)";
		goto done;
	}
	if (nu != (time_t)-1 &&
	    (nu + (time_t)s->p.clock_skew < para->now ||
	     (para->check_freshness && nu < para->now))) {
		v->why = "CRL expired (nextUpdate)";
		goto done;
	}
	if (para->check_freshness && para->freshness_time > 0 &&
	    tu + (time_t)para->freshness_time < para->now) {
		v->why = "CRL outside the freshness time";
		goto done;
	}
	if (gnutls_x509_crt_get_serial(cert, serial, &serial_len) < 0 ||
	    !bpa_crl_der_find(der->data, der->length, serial, serial_len,
			      &v->entry)) {
		v->why = "CRL does not parse";
		goto done;
	}
	v->usable = true;
	v->listed = v->entry.found;
	v->why = NULL;
done:
	gnutls_x509_crl_deinit(crl);
}

/* Is @der a CRL of @cert's issuer (by name)? */
static bool crl_of_issuer(gnutls_x509_crl_t crl, gnutls_x509_crt_t cert)
{
	gnutls_datum_t a = { NULL, 0 }, b = { NULL, 0 };
	bool same = false;

	if (gnutls_x509_crl_get_raw_issuer_dn(crl, &a) == 0 &&
	    gnutls_x509_crt_get_raw_issuer_dn(cert, &b) == 0) {
		same = a.size == b.size && memcmp(a.data, b.data, a.size) == 0;
	}
	gnutls_free(a.data);
	gnutls_free(b.data);
	return same;
}

/* The http:// CDP URLs of @cert */
static size_t cdp_urls(TALLOC_CTX *mem_ctx,
		       gnutls_x509_crt_t cert,
		       char **urls)
{
	size_t n = 0;
	unsigned seq;

	for (seq = 0; seq < 32 && n < REV_MAX_CDP; seq++) {
		char buf[1024];
		size_t sz = sizeof(buf) - 1;
		unsigned flags = 0;
		int rc;

		rc = gnutls_x509_crt_get_crl_dist_points(cert, seq, buf, &sz,
							 &flags, NULL);
		if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
			break;
		}
		if (rc != GNUTLS_SAN_URI) {
			continue;
		}
		buf[sz] = '\0';
		if (strlen(buf) == sz && strncasecmp(buf, "http://", 7) == 0) {
			urls[n] = talloc_strdup(mem_ctx, buf);
			if (urls[n] != NULL) {
				n++;
			}
		}
	}
	return n;
}

static char *url_key(TALLOC_CTX *mem_ctx, const char *url)
{
	DATA_BLOB b = data_blob_const(url, strlen(url));
	uint8_t h[32];
	char *k = NULL;
	size_t i;

	if (!bpa_rev_cert_hash(&b, h)) {
		return NULL;
	}
	k = talloc_strdup(mem_ctx, "crl/");
	for (i = 0; i < 32 && k != NULL; i++) {
		k = talloc_asprintf_append(k, "%02x", h[i]);
	}
	return k;
}

/* Use verdict @v of a CRL from @where; true when it decided */
static bool apply(TALLOC_CTX *mem_ctx,
		  const struct crl_verdict *v,
		  const char *where,
		  const struct bpa_rev_para *para,
		  struct bpa_rev_status *st,
		  bool *good,
		  const char **failure)
{
	if (!v->usable) {
		*failure = talloc_asprintf(mem_ctx, "crl %s: %s", where,
					   v->why);
		return false;
	}
	if (v->next_update != (time_t)-1) {
		bpa_rev_note_freshness(st, v->next_update, para->now);
	}
	if (v->listed) {
		const char *rn = NULL;

		st->error = HRES_CRYPT_E_REVOKED;
		st->reason = v->entry.has_reason ? v->entry.reason :
			     BPA_CRL_REASON_UNSPECIFIED;
		rn = bpa_crl_reason_name(st->reason);
		st->detail = talloc_asprintf(mem_ctx, "crl %s: revoked (%s)",
					     where, rn ? rn : "unspecified");
		return true;
	}
	*good = true;
	st->detail = talloc_asprintf(mem_ctx, "crl %s: not listed", where);
	return false;
}

static HRESULT crl_check(TALLOC_CTX *mem_ctx,
			 struct bpa_rev_stack *s,
			 const struct bpa_rev_chain *chain,
			 uint32_t first,
			 const struct bpa_rev_para *para,
			 struct bpa_rev_status *st)
{
	gnutls_x509_crt_t cert = bpa_rev_chain_crt(chain, first);
	gnutls_x509_crt_t issuer = bpa_rev_issuer(chain, first);
	struct crl_verdict v;
	const char *failure = NULL;
	char *urls[REV_MAX_CDP];
	bool good = false, seen = false;
	size_t i, n;

	st->index = first;
	st->error = HRES_CRYPT_E_NO_REVOCATION_CHECK;
	if (issuer == NULL) {
		st->detail = "crl: the issuer is not known";
		return st->error;
	}
	/* the configured files */
	for (i = 0; i < s->n_crls; i++) {
		if (!crl_of_issuer(s->crls[i], cert)) {
			continue;
		}
		seen = true;
		judge(&s->crl_der[i], cert, issuer, s, para, &v);
		if (apply(mem_ctx, &v, "file", para, st, &good, &failure)) {
			return st->error;
		}
	}
	/* the distribution points, unless a file already answered */
	n = good ? 0 : cdp_urls(mem_ctx, cert, urls);
	for (i = 0; i < n && !good; i++) {
		char *key = url_key(mem_ctx, urls[i]);
		DATA_BLOB der = data_blob_null;
		bool cached = false;
		char *err = NULL;
		HRESULT hr;

		seen = true;
		if (key != NULL) {
			der = bpa_rev_cache_get(mem_ctx, s, key, para->now);
			cached = der.length > 0;
		}
		if (!cached) {
			hr = bpa_ocsp_http_fetch(mem_ctx, urls[i], NULL, NULL,
						 s->p.url_timeout_ms,
						 REV_MAX_CRL, &der, &err);
			if (!HRES_IS_OK(hr)) {
				failure = talloc_asprintf(mem_ctx,
					"crl %s: %s", urls[i],
					err ? err : "fetch failed");
				continue;
			}
		}
		judge(&der, cert, issuer, s, para, &v);
		if (!cached && key != NULL && v.usable &&
		    v.next_update != (time_t)-1) {
			bpa_rev_cache_put(s, key, &der, v.next_update);
		}
		if (cached && !v.usable && key != NULL) {
			bpa_rev_cache_del(s, key);
		}
		if (apply(mem_ctx, &v, urls[i], para, st, &good, &failure)) {
			return st->error;
		}
	}
	if (good) {
		if (first + 1 < chain->checked) {
			st->index = first + 1;
			st->error = HRES_CRYPT_E_NO_REVOCATION_CHECK;
		} else {
			st->error = BPA_S_OK;
		}
		return st->error;
	}
	if (seen) {
		/* there are CRLs for it, none usable: no "good", no pass */
		st->error = HRES_CRYPT_E_REVOCATION_OFFLINE;
		st->detail = failure ? failure : "crl: no usable CRL";
		return st->error;
	}
	st->detail = "crl: no CRL of this issuer";
	return st->error;
}

const struct bpa_rev_provider bpa_rev_provider_crl = {
	.name = "crl",
	.fn = crl_check,
	.network = true,
};
