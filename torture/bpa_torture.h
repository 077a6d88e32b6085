/* SPDX-License-Identifier: GPL-3.0-or-later */
/* torture/: the sub-suites of smbtorture's "bitspeerauth" suite */
#ifndef _BPA_TORTURE_H_
#define _BPA_TORTURE_H_

#include <talloc.h>

struct torture_suite;

/** "bitspeerauth.ndr": marshalling, no server needed */
struct torture_suite *bpa_torture_ndr_suite(TALLOC_CTX *mem_ctx);

/** "bitspeerauth.rpc": calls against a live server (binding given to
 * smbtorture, Kerberos credentials with -U/--use-kerberos) */
struct torture_suite *bpa_torture_rpc_suite(TALLOC_CTX *mem_ctx);

#endif /* _BPA_TORTURE_H_ */
