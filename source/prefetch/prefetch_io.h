/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The prefetcher's I/O (source/prefetch, and the ocsp tool's files):
 * files written atomically, and one OCSP HTTP POST in a child process
 * watched from a tevent loop (so the loop never blocks on the network).
 */
#ifndef _BPA_PREFETCH_IO_H_
#define _BPA_PREFETCH_IO_H_

#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>
#include <talloc.h>
#include <util/data_blob.h>
#include <core/hresult.h>
#include <gnutls/x509.h>

struct tevent_context;

/** A copy of @in on @mem_ctx (freed with it): S_OK, HRES_E_OUTOFMEMORY,
 * HRES_E_FAIL (a GnuTLS error, logged) */
HRESULT bpa_pf_copy_crt(TALLOC_CTX *mem_ctx,
			gnutls_x509_crt_t in,
			gnutls_x509_crt_t *out);

/**
 * bpa_file_write_atomic() (util/bpa_file.h) of @len bytes to @path
 * with mode @mode; false (logged) on error, nothing left behind.
 */
bool bpa_pf_write_atomic(const char *path,
			 const uint8_t *data,
			 size_t len,
			 mode_t mode);

/** The whole of @path (at most @max bytes, not a link) on @mem_ctx,
 * bpa_file_read(); false if it does not exist (*@missing true), cannot
 * be read or is larger. */
bool bpa_pf_read_file(TALLOC_CTX *mem_ctx,
		      const char *path,
		      size_t max,
		      DATA_BLOB *out,
		      bool *missing);

/*
 * Called once with the response body (S_OK) or a text saying why there
 * is none; @body and @err are freed after the call returns.
 */
typedef void (*bpa_pf_fetch_done_fn)(void *private_data,
				     bool ok,
				     const DATA_BLOB *body,
				     const char *err);

struct bpa_pf_fetch;

/**
 * POST @req (an OCSPRequest) to @url in a child process, within
 * @timeout_ms (libcurl's, and a guard that kills the child a little
 * later).  @done runs from @ev.  Freeing the returned handle kills the
 * child and @done is not called.  NULL (logged) if the child cannot be
 * started.
 */
struct bpa_pf_fetch *bpa_pf_fetch_start(TALLOC_CTX *mem_ctx,
					struct tevent_context *ev,
					const char *url,
					const DATA_BLOB *req,
					uint32_t timeout_ms,
					size_t max,
					bpa_pf_fetch_done_fn done,
					void *private_data);

#endif /* _BPA_PREFETCH_IO_H_ */
