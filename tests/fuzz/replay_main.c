/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A main() for the fuzz harnesses without libFuzzer (gcc builds,
 * valgrind): calls LLVMFuzzerTestOneInput once on every file given,
 * or on every file in every directory given.  Arguments starting with
 * '-' (libFuzzer options such as -runs=1) are ignored, so the command
 * line of a libFuzzer replay works unchanged.  Exit 0 when all ran (an
 * invariant break aborts).
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int run_file(const char *path)
{
	FILE *f = NULL;
	uint8_t *buf = NULL;
	long n = 0;
	size_t got = 0;
	int rc = 0;
	int ret = 1;

	f = fopen(path, "rb");
	if (f == NULL) {
		perror(path);
		return 1;
	}
	rc = fseek(f, 0, SEEK_END);
	if (rc == 0) {
		n = ftell(f);
		rc = fseek(f, 0, SEEK_SET);
	}
	if (rc != 0 || n < 0) {
		perror(path);
		goto done;
	}
	/* one spare byte so that an empty file is not malloc(0) */
	buf = malloc((size_t)n + 1);
	if (buf == NULL) {
		goto done;
	}
	got = fread(buf, 1, (size_t)n, f);
	if (got != (size_t)n) {
		fprintf(stderr, "%s: short read\n", path);
		goto done;
	}
	LLVMFuzzerTestOneInput(buf, got);
	ret = 0;
done:
	free(buf);
	fclose(f);
	return ret;
}

static int run_path(const char *path, unsigned *count)
{
	struct stat st;
	int rc = 0;
	DIR *d = NULL;
	struct dirent *e = NULL;
	char sub[4096];
	int ret = 0;

	rc = stat(path, &st);
	if (rc != 0) {
		perror(path);
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		*count += 1;
		return run_file(path);
	}
	d = opendir(path);
	if (d == NULL) {
		perror(path);
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.') {
			continue;
		}
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		ret |= run_path(sub, count);
	}
	closedir(d);
	return ret;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	int ret = 0;
	int i;

	if (LLVMFuzzerInitialize != NULL) {
		LLVMFuzzerInitialize(&argc, &argv);
	}
	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-') {
			/* a libFuzzer option (-runs=1, ...): one pass anyway */
			continue;
		}
		ret |= run_path(argv[i], &count);
	}
	printf("replayed %u inputs\n", count);
	return ret == 0 && count > 0 ? 0 : 1;
}
