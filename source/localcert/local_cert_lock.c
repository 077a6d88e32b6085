/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The local certificate's creation lock: one process creates, the
 * others load (local_cert_private.h).
 */
#include <stdbool.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/file.h>
#include "util/bpa_debug.h"
#include "localcert/local_cert_private.h"

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
