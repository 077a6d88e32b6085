/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Small files read whole and bounded, and written atomically: the local
 * certificate and key, the OCSP response and status files, the tool's
 * certificate files.
 */
#ifndef _BPA_FILE_H_
#define _BPA_FILE_H_

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <talloc.h>
#include <util/data_blob.h>

/* Flags of bpa_file_read() */
#define BPA_FILE_FOLLOW		0x1u	/* follow a symbolic link */
#define BPA_FILE_NONEMPTY	0x2u	/* an empty file is EINVAL */

/**
 * The whole file @path, at most @max bytes, into @out on @mem_ctx.
 * Returns 0 or an errno: ENOENT absent, ELOOP a symbolic link (without
 * BPA_FILE_FOLLOW), EINVAL not a regular file, larger than @max or
 * (BPA_FILE_NONEMPTY) empty, EIO a short read.  A partial read is wiped
 * before it is freed (it may be a key).  *@pmode (when not NULL) is the
 * file's mode.
 */
int bpa_file_read(TALLOC_CTX *mem_ctx,
		  const char *path,
		  size_t max,
		  unsigned int flags,
		  DATA_BLOB *out,
		  mode_t *pmode);

/**
 * @len bytes at @data to @path atomically: a temporary file next to it,
 * created with O_EXCL (mkstemp) and given @mode before anything is
 * written, then fsync and rename over @path.  Returns 0 or an errno;
 * nothing is left behind on failure.
 */
int bpa_file_write_atomic(const char *path,
			  const uint8_t *data,
			  size_t len,
			  mode_t mode);

#endif /* _BPA_FILE_H_ */
