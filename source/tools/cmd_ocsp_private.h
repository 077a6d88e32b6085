/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared by the "bitspeerauth ocsp" commands (cmd_ocsp.h) */
#ifndef _BPA_CMD_OCSP_PRIVATE_H_
#define _BPA_CMD_OCSP_PRIVATE_H_

#include <talloc.h>

struct bpa_config;

/* "ocsp prefetch" (cmd_ocsp_prefetch.c); an exit status */
int bpa_cmd_ocsp_prefetch(TALLOC_CTX *mem_ctx,
			  const char *who,
			  const struct bpa_config *cfg);

#endif /* _BPA_CMD_OCSP_PRIVATE_H_ */
