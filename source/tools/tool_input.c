/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The commands' shared input: smb.conf, certificate files (tool_input.h) */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <talloc.h>
#include <param.h>
#include "util/bpa_config.h"
#include "util/bpa_file.h"
#include "util/bpa_crypto.h"
#include "tools/tool_input.h"

/* Files we read: certificates and chains are small */
#define MAX_CERT_FILE (4 * 1024 * 1024)

/* The whole regular file @path, 1 byte .. MAX_CERT_FILE; errors printed */
static bool read_small_file(TALLOC_CTX *mem_ctx,
			    const char *who,
			    const char *path,
			    DATA_BLOB *out)
{
	int ret = bpa_file_read(mem_ctx, path, MAX_CERT_FILE,
				BPA_FILE_FOLLOW | BPA_FILE_NONEMPTY, out,
				NULL);

	if (ret == EINVAL) {
		fprintf(stderr, "%s: %s: not a certificate file (size)\n",
			who, path);
	} else if (ret == EIO) {
		fprintf(stderr, "%s: %s: read failed\n", who, path);
	} else if (ret != 0) {
		fprintf(stderr, "%s: %s: %s\n", who, path, strerror(ret));
	}
	return ret == 0;
}

bool bpa_tool_read_certs(TALLOC_CTX *mem_ctx,
			 const char *who,
			 const char *path,
			 DATA_BLOB **pcerts,
			 size_t *pn)
{
	DATA_BLOB file = data_blob_null;
	gnutls_datum_t d = { NULL, 0 };
	gnutls_x509_crt_t *list = NULL;
	unsigned n = 0, i;
	DATA_BLOB *out = NULL;
	bool ok = false;
	int rc;

	*pcerts = NULL;
	*pn = 0;
	if (!read_small_file(mem_ctx, who, path, &file)) {
		return false;
	}
	d.data = file.data;
	d.size = (unsigned int)file.length;
	rc = gnutls_x509_crt_list_import2(&list, &n, &d, GNUTLS_X509_FMT_PEM,
					  0);
	if (rc < 0 || n == 0) {
		n = 0;
		rc = gnutls_x509_crt_list_import2(&list, &n, &d,
						  GNUTLS_X509_FMT_DER, 0);
	}
	if (rc < 0 || n == 0) {
		fprintf(stderr, "%s: %s: not an X.509 certificate: %s\n", who,
			path, rc < 0 ? gnutls_strerror(rc) : "empty");
		n = 0;
		goto done;
	}
	out = talloc_zero_array(mem_ctx, DATA_BLOB, n);
	for (i = 0; out != NULL && i < n; i++) {
		gnutls_datum_t der = { NULL, 0 };

		rc = gnutls_x509_crt_export2(list[i], GNUTLS_X509_FMT_DER,
					     &der);
		if (rc < 0) {
			fprintf(stderr, "%s: %s: %s\n", who, path,
				gnutls_strerror(rc));
			goto done;
		}
		out[i] = data_blob_talloc(out, der.data, der.size);
		gnutls_free(der.data);
		if (out[i].data == NULL) {
			goto done;
		}
	}
	if (out == NULL) {
		goto done;
	}
	*pcerts = out;
	*pn = n;
	out = NULL;
	ok = true;
done:
	for (i = 0; i < n; i++) {
		gnutls_x509_crt_deinit(list[i]);
	}
	gnutls_free(list);
	data_blob_free(&file);
	TALLOC_FREE(out);
	return ok;
}

bool bpa_tool_read_crts(TALLOC_CTX *mem_ctx,
			const char *who,
			const char *path,
			gnutls_x509_crt_t **pcrts,
			size_t *pn)
{
	DATA_BLOB *der = NULL;
	gnutls_x509_crt_t *out = NULL;
	size_t n = 0;
	size_t i;

	if (!bpa_tool_read_certs(mem_ctx, who, path, &der, &n)) {
		return false;
	}
	out = talloc_zero_array(mem_ctx, gnutls_x509_crt_t, n);
	for (i = 0; out != NULL && i < n; i++) {
		gnutls_datum_t d = { der[i].data, (unsigned)der[i].length };

		if (bpa_gnutls_x509_crt_init(mem_ctx, &out[i]) < 0 ||
		    gnutls_x509_crt_import(out[i], &d,
					   GNUTLS_X509_FMT_DER) < 0) {
			fprintf(stderr, "%s: %s: cannot import\n", who, path);
			return false;
		}
	}
	*pcrts = out;
	*pn = n;
	return out != NULL;
}

struct bpa_config *bpa_tool_load_config(TALLOC_CTX *mem_ctx,
					const char *who,
					const char *configfile)
{
	struct loadparm_context *lp_ctx = loadparm_init_global(false);
	struct bpa_config *cfg = NULL;
	bool ok;

	if (lp_ctx == NULL) {
		fprintf(stderr, "%s: loadparm_init failed\n", who);
		return NULL;
	}
	if (configfile != NULL) {
		ok = lpcfg_load(lp_ctx, configfile);
		if (!ok) {
			fprintf(stderr, "%s: cannot load %s\n", who,
				configfile);
			return NULL;
		}
	} else {
		/* no smb.conf: the defaults */
		(void)lpcfg_load_default(lp_ctx);
	}
	cfg = bpa_config_load(mem_ctx, lp_ctx);
	if (cfg == NULL) {
		fprintf(stderr, "%s: out of memory\n", who);
	}
	return cfg;
}
