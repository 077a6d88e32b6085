/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Test helpers shared by the test programs: hex text to bytes. */
#ifndef _BPA_TEST_HEX_H_
#define _BPA_TEST_HEX_H_

#include <stdint.h>
#include <stdbool.h>
#include <talloc.h>
#include <util/data_blob.h>

/**
 * Decode @hex (an even number of hex digits, either case, nothing else)
 * into a new blob on @mem_ctx.
 * @return false on odd length, a non-hex character or ENOMEM
 */
bool bpa_test_hex_decode(TALLOC_CTX *mem_ctx,
			 const char *hex,
			 DATA_BLOB *out);

#endif /* _BPA_TEST_HEX_H_ */
