/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fuzz harness: the CRL entry walk of the revocation stack's crl
 * provider (source/revocation/rev_crl_der.h, RFC 5280 5.1 / 5.3.1).
 *
 * Input: byte 0 = serial length n (0..20), bytes 1..n the serial, the
 * rest the CRL DER; also looked up: the fixed serial 0x1101 (the
 * seeds' keyCompromise entry).
 *
 * Invariants: a reason only for a found entry; reasons 0..10; the same
 * answer twice (no state).  Everything is read inside the input
 * (ASan).
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include "fuzz_common.h"
#include "revocation/rev_crl_der.h"

static void one(const uint8_t *crl,
		size_t len,
		const uint8_t *sn,
		size_t sn_len)
{
	struct bpa_crl_entry e, again;
	bool ok = bpa_crl_der_find(crl, len, sn, sn_len, &e);
	bool ok2 = bpa_crl_der_find(crl, len, sn, sn_len, &again);

	FUZZ_CHECK(ok == ok2 && memcmp(&e, &again, sizeof(e)) == 0,
		   "not deterministic");
	FUZZ_CHECK(!e.has_reason || e.found, "reason without an entry");
	FUZZ_CHECK(!e.has_reason || e.reason <= 10, "reason out of range");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t fixed[] = { 0x11, 0x01 };
	size_t n;

	if (size < 1) {
		return 0;
	}
	n = data[0] % 21;
	if (size < 1 + n) {
		return 0;
	}
	one(data + 1 + n, size - 1 - n, data + 1, n);
	one(data + 1 + n, size - 1 - n, fixed, sizeof(fixed));
	return 0;
}
