/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * MS-BPAU 3.1.1.1, 3.2.1.1: the local certificate.  Two kinds of files:
 *  - self-managed (no option set): loaded when still good, otherwise
 *    created (self-signed RSA, subject CN = the account SID) and written
 *    atomically, under a lock file; absent -> created, due -> renewed,
 *    but a file that cannot be read or is unsafe is never replaced;
 *  - configured by the administrator: used as it is or refused, never
 *    created, renewed or rewritten; it may hold the leaf followed by its
 *    issuers (a CA-issued certificate).
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include "util/bpa_debug.h"
#include "util/bpa_hresult.h"
#include "util/sid_string.h"
#include "util/bpa_file.h"
#include "blob/cert_blob.h"
#include "validate/cert_validate.h"
#include "localcert/local_cert.h"
#include "localcert/local_cert_private.h"

/* A certificate chain or key file is smaller than this */
#define PEM_FILE_MAX (1024 * 1024)

int bpa_lc_objects_release(struct bpa_local_cert_gnutls *gt)
{
	unsigned int i;

	if (gt->crt != NULL) {
		gnutls_x509_crt_deinit(gt->crt);
		gt->crt = NULL;
	}
	for (i = 0; i < gt->num_issuers; i++) {
		gnutls_x509_crt_deinit(gt->issuers[i]);
	}
	gnutls_free(gt->issuers);
	gt->issuers = NULL;
	gt->num_issuers = 0;
	if (gt->key != NULL) {
		gnutls_x509_privkey_deinit(gt->key);
		gt->key = NULL;
	}
	return 0;
}

static struct bpa_local_cert_gnutls *gnutls_objects_new(TALLOC_CTX *mem_ctx)
{
	struct bpa_local_cert_gnutls *gt = NULL;
	int rc;

	gt = talloc_zero(mem_ctx, struct bpa_local_cert_gnutls);
	if (gt == NULL) {
		return NULL;
	}
	talloc_set_destructor(gt, bpa_lc_objects_release);
	rc = gnutls_x509_crt_init(&gt->crt);
	if (rc < 0) {
		DBG_ERR("gnutls_x509_crt_init: %s\n", gnutls_strerror(rc));
		TALLOC_FREE(gt);
		return NULL;
	}
	rc = gnutls_x509_privkey_init(&gt->key);
	if (rc < 0) {
		DBG_ERR("gnutls_x509_privkey_init: %s\n", gnutls_strerror(rc));
		TALLOC_FREE(gt);
		return NULL;
	}
	return gt;
}

bool bpa_lc_export_der(struct bpa_local_cert *lc)
{
	gnutls_datum_t der = { NULL, 0 };
	int rc;

	rc = gnutls_x509_crt_export2(lc->gt->crt, GNUTLS_X509_FMT_DER, &der);
	if (rc < 0) {
		DBG_ERR("gnutls_x509_crt_export2: %s\n", gnutls_strerror(rc));
		return false;
	}
	lc->cert_der = data_blob_talloc(lc, der.data, der.size);
	gnutls_free(der.data);
	return lc->cert_der.data != NULL;
}

/* What try_load() found */
enum load_result {
	LOAD_OK,	/* usable: lc holds it */
	LOAD_ABSENT,	/* self-managed, a file missing: create */
	LOAD_RENEW,	/* self-managed, readable but not for us now */
	LOAD_REFUSE,	/* logged: do not serve, do not touch the files */
};

static const char *file_error(int err)
{
	switch (err) {
	case ELOOP:
		return "is a symbolic link";
	case EINVAL:
		return "is not a regular file of 1 byte to 1 MiB";
	default:
		return strerror(err);
	}
}

/* The certificate file: the leaf, then its issuers (PEM, in order) */
static bool import_chain(struct bpa_local_cert *lc,
			 const char *file,
			 const DATA_BLOB *pem)
{
	gnutls_datum_t d = { pem->data, (unsigned)pem->length };
	gnutls_x509_crt_t *list = NULL;
	unsigned int n = 0;
	unsigned int i;
	int rc;

	rc = gnutls_x509_crt_list_import2(&list, &n, &d, GNUTLS_X509_FMT_PEM,
		GNUTLS_X509_CRT_LIST_FAIL_IF_UNSORTED);
	if (rc < 0 || n == 0) {
		DBG_ERR("%s: no certificate chain in it (%s)\n", file,
			rc < 0 ? gnutls_strerror(rc) : "empty");
		return false;
	}
	gnutls_x509_crt_deinit(lc->gt->crt);
	lc->gt->crt = list[0];
	if (n == 1) {
		gnutls_free(list);
		return true;
	}
	for (i = 1; i < n; i++) {
		list[i - 1] = list[i];
	}
	lc->gt->issuers = list;
	lc->gt->num_issuers = n - 1;
	return true;
}

/*
 * Read @p's files into @lc.  Self-managed: absent -> LOAD_ABSENT; for
 * another SID, below key bits, refused by phase one, or due for renewal
 * -> LOAD_RENEW.  Anything that could be a transient error or someone
 * else's file (cannot read, a symbolic link, a key others may read, does
 * not parse, key and certificate do not match) -> LOAD_REFUSE, in both
 * kinds: replacing it would change this host's identity.  Configured:
 * anything but LOAD_OK is LOAD_REFUSE, with the file and the reason.
 */
static enum load_result try_load(struct bpa_local_cert *lc,
				 const struct bpa_local_cert_params *p)
{
	TALLOC_CTX *frame = talloc_new(lc);
	const bool configured = p->configured;
	/* configured files may be links the administrator made */
	const unsigned int rflags = BPA_FILE_NONEMPTY |
				    (configured ? BPA_FILE_FOLLOW : 0);
	struct bpa_validate_policy policy;
	struct bpa_cert_blob *blob = NULL;
	struct bpa_cert_verdict *v = NULL;
	DATA_BLOB cert_pem = data_blob_null;
	DATA_BLOB key_pem = data_blob_null;
	gnutls_datum_t d;
	uint8_t id_crt[64], id_key[64];
	size_t id_crt_len = sizeof(id_crt), id_key_len = sizeof(id_key);
	enum load_result res = LOAD_REFUSE;
	enum bpa_blob_err berr;
	const char *kind = configured ? "configured " : "";
	uint32_t reasons;
	mode_t mode = 0;
	bool same_sid = false;
	int cret, kret, rc;

	if (frame == NULL) {
		return LOAD_REFUSE;
	}
	cret = bpa_file_read(frame, p->cert_file, PEM_FILE_MAX, rflags,
			     &cert_pem, &mode);
	kret = bpa_file_read(frame, p->key_file, PEM_FILE_MAX, rflags,
			     &key_pem, &mode);
	if (cret != 0 && cret != ENOENT) {
		DBG_ERR("%scertificate file %s %s: refusing to serve, the "
			"file is left as it is\n", kind, p->cert_file,
			file_error(cret));
		goto done;
	}
	if (kret != 0 && kret != ENOENT) {
		DBG_ERR("%skey file %s %s: refusing to serve, the file is "
			"left as it is\n", kind, p->key_file,
			file_error(kret));
		goto done;
	}
	if (cret == ENOENT || kret == ENOENT) {
		if (configured) {
			DBG_ERR("configured %s %s does not exist: refusing to "
				"serve (it is never created)\n",
				cret == ENOENT ? "certificate file" :
				"key file",
				cret == ENOENT ? p->cert_file : p->key_file);
			goto done;
		}
		DBG_NOTICE("no local certificate yet (%s, %s)\n",
			   p->cert_file, p->key_file);
		res = LOAD_ABSENT;
		goto done;
	}
	if ((mode & 0077) != 0) {
		/* others may have read the key: neither use nor replace it */
		DBG_ERR("%skey file %s is accessible to others (mode %03o): "
			"refusing to serve\n", kind, p->key_file,
			(unsigned)(mode & 0777));
		goto done;
	}
	if (!import_chain(lc, p->cert_file, &cert_pem)) {
		goto done;
	}
	d.data = key_pem.data;
	d.size = (unsigned)key_pem.length;
	rc = gnutls_x509_privkey_import(lc->gt->key, &d, GNUTLS_X509_FMT_PEM);
	if (rc < 0) {
		DBG_ERR("%skey file %s: %s: refusing to serve\n", kind,
			p->key_file, gnutls_strerror(rc));
		goto done;
	}
	rc = gnutls_x509_crt_get_key_id(lc->gt->crt, 0, id_crt, &id_crt_len);
	if (rc >= 0) {
		rc = gnutls_x509_privkey_get_key_id(lc->gt->key, 0, id_key,
						    &id_key_len);
	}
	if (rc < 0 || id_crt_len != id_key_len ||
	    memcmp(id_crt, id_key, id_crt_len) != 0) {
		DBG_ERR("%skey file %s does not belong to the certificate in "
			"%s: refusing to serve\n", kind, p->key_file,
			p->cert_file);
		goto done;
	}
	if (!bpa_lc_export_der(lc)) {
		goto done;
	}
	berr = bpa_blob_from_cert(frame, &lc->cert_der, &blob);
	if (berr != BPA_BLOB_OK) {
		DBG_ERR("%scertificate file %s: %s: refusing to serve\n", kind,
			p->cert_file, bpa_blob_strerror(berr));
		goto done;
	}

	/* what our peers' phase one checks (both roles: the host is server
	 * and client); a created key must have the configured key bits */
	bpa_validate_policy_default(&policy);
	if (!configured) {
		policy.min_rsa_bits = p->key_bits;
	}
	policy.clock_skew = 0;
	policy.expected_subject = p->sid;
	bpa_cert_validate(frame, blob, BPA_CERT_ROLE_SERVER, &policy, p->now,
			  &v);
	if (v != NULL && v->reasons == 0) {
		bpa_cert_validate(frame, blob, BPA_CERT_ROLE_CLIENT, &policy,
				  p->now, &v);
	}
	if (v == NULL) {
		goto done;
	}
	reasons = v->reasons;
	if (configured && lc->gt->num_issuers > 0) {
		/* CA-issued: its issuer signed it, not itself (the chain
		 * is for OCSP and revocation, checked by those layers) */
		reasons &= ~BPA_CERT_R_NOT_SELF_ISSUED;
	}
	same_sid = v->has_sid && bpa_sid_equal(&v->subject_sid, p->sid);
	v->reasons = reasons;	/* the text names what decided */
	if (reasons != 0 || !same_sid) {
		char buf[BPA_SID_STRING_MAX];
		const char *why = (reasons & BPA_CERT_R_WRONG_SUBJECT) ?
			"its subject is not the machine account's SID" :
			bpa_cert_verdict_string(frame, v);

		if (configured) {
			DBG_ERR("configured certificate file %s is not usable "
				"for %s: %s: refusing to serve\n",
				p->cert_file, bpa_sid_format(p->sid, buf),
				why != NULL ? why : "?");
			goto done;
		}
		DBG_NOTICE("%s not usable for %s (%s); creating anew\n",
			   p->cert_file, bpa_sid_format(p->sid, buf),
			   why != NULL ? why : "?");
		res = LOAD_RENEW;
		goto done;
	}
	lc->not_before = v->not_before;
	lc->not_after = v->not_after;
	lc->configured = configured;
	if (bpa_local_cert_needs_renewal(lc, p->now, p->renew_days)) {
		DBG_NOTICE("%s expires within %" PRIu32 " days; renewing\n",
			   p->cert_file, p->renew_days);
		res = LOAD_RENEW;
		goto done;
	}
	if (configured && (int64_t)lc->not_after - (int64_t)p->renew_days *
	    SECONDS_PER_DAY <= (int64_t)p->now) {
		DBG_WARNING("configured certificate file %s expires within "
			    "%" PRIu32 " days: renew it (bitspeerauth never "
			    "rewrites it)\n", p->cert_file, p->renew_days);
	}
	res = LOAD_OK;
done:
	if (key_pem.data != NULL) {
		gnutls_memset(key_pem.data, 0, key_pem.length);
	}
	if (res != LOAD_OK) {
		data_blob_free(&lc->cert_der);
	}
	TALLOC_FREE(frame);
	return res;
}

static bool params_ok(const struct bpa_local_cert_params *p)
{
	char buf[BPA_SID_STRING_MAX];
	const char *sid = NULL;

	if (p == NULL || p->cert_file == NULL || p->key_file == NULL ||
	    p->cert_file[0] == '\0' || p->key_file[0] == '\0' ||
	    strcmp(p->cert_file, p->key_file) == 0) {
		DBG_ERR("local certificate: file names missing\n");
		return false;
	}
	sid = p->sid != NULL ? bpa_sid_format(p->sid, buf) : NULL;
	if (sid == NULL) {
		DBG_ERR("local certificate: no valid SID\n");
		return false;
	}
	if (p->key_bits < 2048 || p->key_bits > 16384) {
		DBG_ERR("local certificate: %" PRIu32 " key bits, "
			"need 2048..16384\n", p->key_bits);
		return false;
	}
	if (p->lifetime_days == 0 || p->lifetime_days > 36500 ||
	    p->renew_days >= p->lifetime_days) {
		DBG_ERR("local certificate: lifetime %" PRIu32 " days, "
			"renew %" PRIu32 " days before: no time to live\n",
			p->lifetime_days, p->renew_days);
		return false;
	}
	return true;
}

HRESULT bpa_local_cert_load_or_create(TALLOC_CTX *mem_ctx,
				      const struct bpa_local_cert_params *p,
				      struct bpa_local_cert **plc)
{
	struct bpa_local_cert *lc = NULL;
	struct bpa_cert_blob *blob = NULL;
	enum bpa_blob_err berr;
	HRESULT hres = BPA_S_OK;
	enum load_result loaded = LOAD_REFUSE;
	int lock_fd = -1;
	bool valid = false;

	if (plc == NULL) {
		return HRES_E_INVALIDARG;
	}
	valid = params_ok(p);
	if (!valid) {
		return HRES_E_INVALIDARG;
	}
	lc = talloc_zero(mem_ctx, struct bpa_local_cert);
	if (lc == NULL) {
		return HRES_E_OUTOFMEMORY;
	}
	lc->sid = *p->sid;
	lc->gt = gnutls_objects_new(lc);
	if (lc->gt == NULL) {
		hres = HRES_E_FAIL;
		goto done;
	}
	if (!p->configured) {
		lock_fd = bpa_lc_lock(lc, p->cert_file);
		if (lock_fd == -1) {
			hres = HRES_E_FAIL;
			goto done;
		}
	}
	loaded = try_load(lc, p);
	if (loaded == LOAD_REFUSE) {
		hres = HRES_E_FAIL;
		goto done;
	}
	if (loaded != LOAD_OK) {
		hres = bpa_lc_create(lc, p);
		if (!HRES_IS_OK(hres)) {
			goto done;
		}
	}
	/* MS-BPAU 2.2.2: what ExchangePublicKeys sends, no KEY_PROV_INFO */
	berr = bpa_blob_from_cert(lc, &lc->cert_der, &blob);
	if (berr == BPA_BLOB_OK) {
		berr = bpa_blob_encode(lc, blob, &lc->blob);
	}
	if (berr != BPA_BLOB_OK) {
		DBG_ERR("encoding the local certificate: %s\n",
			bpa_blob_strerror(berr));
		hres = bpa_blob_err_hresult(berr);
		goto done;
	}
	TALLOC_FREE(blob);
	if (loaded == LOAD_OK) {
		DBG_INFO("loaded %slocal certificate %s (%u issuers)\n",
			 p->configured ? "configured " : "", p->cert_file,
			 lc->gt->num_issuers);
	}
	*plc = lc;
	lc = NULL;
done:
	if (lock_fd != -1) {
		close(lock_fd);
	}
	TALLOC_FREE(lc);
	return hres;
}

gnutls_x509_crt_t bpa_local_cert_crt(const struct bpa_local_cert *lc)
{
	return lc != NULL && lc->gt != NULL ? lc->gt->crt : NULL;
}

gnutls_x509_privkey_t bpa_local_cert_key(const struct bpa_local_cert *lc)
{
	return lc != NULL && lc->gt != NULL ? lc->gt->key : NULL;
}

bool bpa_local_cert_needs_renewal(const struct bpa_local_cert *lc,
				  time_t now,
				  uint32_t renew_days)
{
	if (lc == NULL) {
		return true;
	}
	if (lc->configured) {
		/* never renewed: due (loaded, and refused) once expired */
		return (int64_t)lc->not_after < (int64_t)now;
	}
	return (int64_t)lc->not_after - (int64_t)renew_days * SECONDS_PER_DAY
	       <= (int64_t)now;
}

unsigned int bpa_local_cert_num_issuers(const struct bpa_local_cert *lc)
{
	return lc != NULL && lc->gt != NULL ? lc->gt->num_issuers : 0;
}

gnutls_x509_crt_t bpa_local_cert_issuer(const struct bpa_local_cert *lc,
					unsigned int i)
{
	if (i >= bpa_local_cert_num_issuers(lc)) {
		return NULL;
	}
	return lc->gt->issuers[i];
}

