/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The local certificate's files: read whole and bounded (a key is wiped
 * on a partial read), written atomically, creation locked
 * (local_cert_private.h).
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/file.h>
#include <gnutls/gnutls.h>
#include "util/bpa_debug.h"
#include "localcert/local_cert_private.h"

#define PEM_FILE_MAX (1024 * 1024)

int bpa_lc_read_file(TALLOC_CTX *mem_ctx,
		     const char *path,
		     bool follow,
		     DATA_BLOB *out,
		     mode_t *pmode)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t got = 0;
	int ret = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
	if (fd == -1) {
		return errno;
	}
	ret = fstat(fd, &st);
	if (ret == -1) {
		ret = errno;
		goto done;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > PEM_FILE_MAX) {
		ret = EINVAL;
		goto done;
	}
	buf = talloc_size(mem_ctx, (size_t)st.st_size);
	if (buf == NULL) {
		ret = ENOMEM;
		goto done;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n == -1 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			ret = n == 0 ? EIO : errno;
			gnutls_memset(buf, 0, (size_t)st.st_size);
			TALLOC_FREE(buf);
			goto done;
		}
		got += (size_t)n;
	}
	*out = data_blob_const(buf, got);
	*pmode = st.st_mode;
	ret = 0;
done:
	close(fd);
	return ret;
}

int bpa_lc_write_atomic(TALLOC_CTX *mem_ctx,
			const char *path,
			const gnutls_datum_t *data,
			mode_t mode)
{
	char *tmp = NULL;
	size_t done_len = 0;
	int ret = 0;
	int fd = -1;

	tmp = talloc_asprintf(mem_ctx, "%s.XXXXXX", path);
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
	while (done_len < data->size) {
		ssize_t n = write(fd, data->data + done_len,
				  data->size - done_len);

		if (n == -1 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			ret = n == 0 ? EIO : errno;
			goto done;
		}
		done_len += (size_t)n;
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
	if (ret != 0 && tmp != NULL) {
		unlink(tmp);
	}
	TALLOC_FREE(tmp);
	return ret;
}

int bpa_lc_lock(TALLOC_CTX *mem_ctx,
		const char *cert_file)
{
	char *path = talloc_asprintf(mem_ctx, "%s.lock", cert_file);
	int fd;
	int ret;

	if (path == NULL) {
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1) {
		DBG_ERR("cannot open the lock file %s: %s\n", path,
			errno == ELOOP ? "it is a symbolic link" :
			strerror(errno));
		return -1;
	}
	do {
		ret = flock(fd, LOCK_EX);
	} while (ret == -1 && errno == EINTR);
	if (ret == -1) {
		DBG_ERR("cannot lock %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}
