/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A process the server forks for work of its own (the OCSP prefetch,
 * an exchange's checks): its start, before anything else runs there.
 */
#ifndef _BPA_SRV_CHILD_H_
#define _BPA_SRV_CHILD_H_

#include <sys/types.h>

/**
 * Default handling for the signals samba catches (its handlers write
 * to pipes of the parent's loop), SIGPIPE ignored, @deathsig when
 * @parent goes (PR_SET_PDEATHSIG; exits at once if it already went),
 * named @name in ps and /proc/PID/comm.
 */
void bpa_srv_child_init(pid_t parent, int deathsig, const char *name);

#endif /* _BPA_SRV_CHILD_H_ */
