/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz harness: the validator tdb's record parsers (source/validator/
 * validator_record.h): the failure record "fail/<endpoint>" (key and
 * value), the cached success and the meta record.  The file is shared
 * by every process that opens it, so a damaged record must be refused,
 * never misread.
 *
 * Invariants: a record that parses pushes back to exactly the input
 * (one encoding); a failure record has count >= 1, first <= last and
 * the failure bit; an endpoint taken from a key lies inside the key and
 * is printable ASCII without space.  The input is tried whole as each
 * value, and split at its first NUL as key and value.
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include "fuzz_common.h"
#include "validator/validator_record.h"

static void check_values(const uint8_t *data, size_t size)
{
	uint8_t buf[BPA_VFAIL_LEN];
	struct bpa_vfail f;
	struct bpa_vok o;
	struct bpa_vmeta m;

	if (bpa_vfail_pull(data, size, &f)) {
		FUZZ_CHECK(size == BPA_VFAIL_LEN, "failure record length");
		FUZZ_CHECK(f.count >= 1 && f.first <= f.last,
			   "failure record counts");
		FUZZ_CHECK((f.hresult & 0x80000000u) != 0, "failure bit");
		bpa_vfail_push(&f, buf);
		FUZZ_CHECK(memcmp(buf, data, size) == 0,
			   "failure record does not push to the same bytes");
	}
	if (bpa_vok_pull(data, size, &o)) {
		FUZZ_CHECK(size == BPA_VOK_LEN, "success record length");
		bpa_vok_push(&o, buf);
		FUZZ_CHECK(memcmp(buf, data, size) == 0,
			   "success record does not push to the same bytes");
	}
	if (bpa_vmeta_pull(data, size, &m)) {
		FUZZ_CHECK(size == BPA_VMETA_LEN, "meta record length");
		FUZZ_CHECK(m.oldest <= m.next, "meta order");
		bpa_vmeta_push(&m, buf);
		FUZZ_CHECK(memcmp(buf, data, size) == 0,
			   "meta record does not push to the same bytes");
	}
}

static void check_key(const uint8_t *key, size_t len)
{
	const uint8_t *ep = NULL;
	size_t ep_len = 0;
	size_t i;

	if (!bpa_vfail_key_endpoint(key, len, &ep, &ep_len)) {
		return;
	}
	FUZZ_CHECK(ep > key && ep + ep_len == key + len,
		   "endpoint outside the key");
	FUZZ_CHECK(ep_len >= 1 && ep_len <= BPA_VENDPOINT_MAX,
		   "endpoint length");
	for (i = 0; i < ep_len; i++) {
		FUZZ_CHECK(ep[i] > 0x20 && ep[i] < 0x7f,
			   "endpoint not printable");
	}
	FUZZ_CHECK(bpa_vendpoint_ok((const char *)ep, ep_len),
		   "endpoint check disagrees");
	FUZZ_CHECK(!bpa_vkey_is_ok(key, len), "a key of two kinds");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);

	check_values(data, size);
	check_key(data, size);
	if (nul != NULL) {
		size_t klen = (size_t)(nul - data);

		check_key(data, klen);
		check_values(nul + 1, size - klen - 1);
	}
	return 0;
}
