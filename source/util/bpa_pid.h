/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The calling process's pid, without a system call each time: the
 * checks "is this state still the process's own, or a copy inherited
 * over fork()" run on every exchange (docs/platform.md, on what a tdb
 * transaction costs).
 */
#ifndef _BPA_PID_H_
#define _BPA_PID_H_

#include <sys/types.h>

/**
 * getpid(), remembered until the next fork(): a pthread_atfork() child
 * handler forgets it, so a child asks the kernel once.  A process made
 * by a raw clone(2) or _Fork(3), which run no fork handlers, must not
 * call it (nothing in Samba or here does).
 */
pid_t bpa_getpid(void);

#endif /* _BPA_PID_H_ */
