/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Shared by the libFuzzer harnesses in tests/fuzz: an invariant check
 * that aborts (so libFuzzer and the replay driver both report it as a
 * crash and keep the input), and the talloc leak check of one
 * iteration.
 */
#ifndef _BPA_FUZZ_COMMON_H_
#define _BPA_FUZZ_COMMON_H_

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <talloc.h>

/* libFuzzer's entry point, also called by replay_main.c */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** Abort with @what and the location if @cond is false. */
#define FUZZ_CHECK(cond, what) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz invariant broken at %s:%d: %s "	\
			"(%s)\n", __FILE__, __LINE__, (what), #cond);	\
		abort();						\
	}								\
} while (0)

/**
 * The iteration's context must hold nothing but itself (everything the
 * parser allocated was freed or returned and freed by the harness);
 * then free it.
 */
static inline void fuzz_ctx_done(TALLOC_CTX *ctx)
{
	size_t blocks = talloc_total_blocks(ctx);

	if (blocks != 1) {
		talloc_report_full(ctx, stderr);
	}
	FUZZ_CHECK(blocks == 1, "talloc memory left on the context");
	talloc_free(ctx);
}

#endif /* _BPA_FUZZ_COMMON_H_ */
