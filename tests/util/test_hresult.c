/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bpa_hresult_name(): the project's codes by their own names, Samba's
 * by Samba's, success as S_OK, an unknown code as NULL */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "util/bpa_hresult.h"

static void test_names(void **state)
{
	assert_string_equal(bpa_hresult_name(BPA_S_OK), "S_OK");
	assert_string_equal(bpa_hresult_name(BPA_E_PEERS_CORRUPT),
			    "BPA_E_PEERS_CORRUPT");
	assert_string_equal(bpa_hresult_name(BPA_E_CLIENT_NO_SUCH_ACCOUNT),
			    "BPA_E_CLIENT_NO_SUCH_ACCOUNT");
	/* MS-BPAU 3.1.4.1 and <3>: Samba's names */
	assert_string_equal(bpa_hresult_name(HRES_E_ACCESSDENIED),
			    "HRES_E_ACCESSDENIED");
	assert_string_equal(bpa_hresult_name(HRES_ERROR(0x80040006)),
			    "HRES_OLE_E_NOCACHE");
	assert_null(bpa_hresult_name(HRES_ERROR(0x8FFF1234)));
}

/* every project code is distinct and none is one Samba names */
static void test_project_codes_are_ours(void **state)
{
	const HRESULT ours[] = {
		BPA_E_PEERS_FOREIGN, BPA_E_PEERS_VERSION, BPA_E_PEERS_CORRUPT,
		BPA_E_PEER_NOT_FOUND, BPA_E_PEER_CERT_IN_USE,
		BPA_E_PEERS_NO_TABLE, BPA_E_PEERS_READ_ONLY,
		BPA_E_CLIENT_NO_SERVER_KEY, BPA_E_CLIENT_NO_SUCH_ACCOUNT,
	};
	size_t i, j;

	for (i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
		const char *name = bpa_hresult_name(ours[i]);

		assert_non_null(name);
		assert_int_equal(strncmp(name, "BPA_E_", 6), 0);
		assert_string_not_equal(hresult_errstr(ours[i]), name);
		assert_int_equal(strncmp(hresult_errstr(ours[i]),
					 "HRES code ", 10), 0);
		for (j = 0; j < i; j++) {
			assert_false(HRES_IS_EQUAL(ours[i], ours[j]));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_project_codes_are_ours),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
