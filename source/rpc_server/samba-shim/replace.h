/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Samba's rpc_worker.h (from the source package, not installed) starts
 * with Samba's in-tree "replace.h"; outside Samba's tree the system
 * headers give what rpc_worker.h needs.
 */
#ifndef _BPA_SHIM_REPLACE_H_
#define _BPA_SHIM_REPLACE_H_
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#endif
