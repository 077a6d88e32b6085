/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "util/bpa_debug.h"

int bpa_debug_class = DBGC_ALL;

void bpa_debug_init(void)
{
	int cls;

	if (bpa_debug_class != DBGC_ALL) {
		return;
	}
	cls = debug_add_class("bitspeerauth");
	if (cls == -1) {
		DBG_WARNING("cannot add the bitspeerauth debug class\n");
		return;
	}
	bpa_debug_class = cls;
}
