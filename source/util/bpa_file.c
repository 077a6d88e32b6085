/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Bounded reads and atomic writes of small files (bpa_file.h) */
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <gnutls/gnutls.h>
#include "util/bpa_file.h"

int bpa_file_read(TALLOC_CTX *mem_ctx,
		  const char *path,
		  size_t max,
		  unsigned int flags,
		  DATA_BLOB *out,
		  mode_t *pmode)
{
	int oflags = O_RDONLY | O_CLOEXEC;
	struct stat st;
	uint8_t *buf = NULL;
	size_t size = 0;
	size_t got = 0;
	int ret = 0;
	int fd;

	if ((flags & BPA_FILE_FOLLOW) == 0) {
		oflags |= O_NOFOLLOW;
	}
	fd = open(path, oflags);
	if (fd == -1) {
		return errno;
	}
	ret = fstat(fd, &st);
	if (ret == -1) {
		ret = errno;
		goto done;
	}
	if (!S_ISREG(st.st_mode) || st.st_size < 0 ||
	    (uint64_t)st.st_size > max ||
	    ((flags & BPA_FILE_NONEMPTY) != 0 && st.st_size == 0)) {
		ret = EINVAL;
		goto done;
	}
	size = (size_t)st.st_size;
	buf = talloc_size(mem_ctx, size);
	if (buf == NULL) {
		ret = ENOMEM;
		goto done;
	}
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);

		if (n == -1 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			ret = n == 0 ? EIO : errno;
			gnutls_memset(buf, 0, size);
			TALLOC_FREE(buf);
			goto done;
		}
		got += (size_t)n;
	}
	*out = data_blob_const(buf, got);
	if (pmode != NULL) {
		*pmode = st.st_mode;
	}
	ret = 0;
done:
	close(fd);
	return ret;
}

int bpa_file_write_atomic(const char *path,
			  const uint8_t *data,
			  size_t len,
			  mode_t mode)
{
	char *tmp = NULL;
	size_t off = 0;
	int ret = 0;
	int fd = -1;

	tmp = talloc_asprintf(NULL, "%s.XXXXXX", path);
	if (tmp == NULL) {
		return ENOMEM;
	}
	fd = mkstemp(tmp);	/* O_CREAT | O_EXCL, mode 0600 */
	if (fd == -1) {
		ret = errno;
		goto done;
	}
	ret = fchmod(fd, mode);
	if (ret == -1) {
		ret = errno;
		goto done;
	}
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n == -1 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			ret = n == 0 ? EIO : errno;
			goto done;
		}
		off += (size_t)n;
	}
	ret = fsync(fd);
	if (ret == -1) {
		ret = errno;
		goto done;
	}
	ret = close(fd);
	fd = -1;
	if (ret == -1) {
		ret = errno;
		goto done;
	}
	ret = rename(tmp, path);
	if (ret == -1) {
		ret = errno;
		goto done;
	}
	ret = 0;
done:
	if (fd != -1) {
		close(fd);
	}
	if (ret != 0) {
		unlink(tmp);
	}
	TALLOC_FREE(tmp);
	return ret;
}
