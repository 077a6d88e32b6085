/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>
#include "test_hex.h"

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

bool bpa_test_hex_decode(TALLOC_CTX *mem_ctx,
			 const char *hex,
			 DATA_BLOB *out)
{
	size_t len = strlen(hex);
	DATA_BLOB b = data_blob_null;
	size_t i;

	*out = data_blob_null;
	if (len % 2 != 0) {
		return false;
	}
	b = data_blob_talloc(mem_ctx, NULL, len / 2);
	if (len > 0 && b.data == NULL) {
		return false;
	}
	for (i = 0; i < len / 2; i++) {
		int hi = hex_digit(hex[2 * i]);
		int lo = hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			data_blob_free(&b);
			return false;
		}
		b.data[i] = (uint8_t)(hi << 4 | lo);
	}
	*out = b;
	return true;
}
