/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rpc_worker.h's in-tree path of the installed dcesrv_core.h */
#include <dcesrv_core.h>
