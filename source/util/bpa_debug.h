/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bitspeerauth: logging through Samba's DEBUG system with a debug class
 * of our own ("bitspeerauth"), so that "log level = 1 bitspeerauth:10"
 * raises only our messages.  Include this header instead of
 * <util/debug.h>; use DBG_ERR/WARNING/NOTICE/INFO/DEBUG.
 */
#ifndef _BPA_DEBUG_H_
#define _BPA_DEBUG_H_

#include <stdint.h>
#include <stdbool.h>
#include <inttypes.h>

#ifndef __location__
/* Samba's own build gets this from lib/replace */
#define BPA_STRINGIFY_(x) #x
#define BPA_STRINGIFY(x) BPA_STRINGIFY_(x)
#define __location__ __FILE__ ":" BPA_STRINGIFY(__LINE__)
#endif

extern int bpa_debug_class;

#undef DBGC_CLASS
#define DBGC_CLASS bpa_debug_class
#include <util/debug.h>

/**
 * Register the "bitspeerauth" debug class with Samba's debug system.
 * Idempotent; until it is called our messages use DBGC_ALL.
 */
void bpa_debug_init(void);

#endif /* _BPA_DEBUG_H_ */
