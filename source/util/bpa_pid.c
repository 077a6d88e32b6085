/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The pid remembered across calls, forgotten at fork (bpa_pid.h) */
#include <pthread.h>
#include <stdbool.h>
#include <unistd.h>
#include "util/bpa_pid.h"

static pid_t known_pid;
static bool hooked;
static pthread_once_t hook_once = PTHREAD_ONCE_INIT;

static void forget_pid(void)
{
	known_pid = 0;
}

static void hook_fork(void)
{
	hooked = pthread_atfork(NULL, NULL, forget_pid) == 0;
}

pid_t bpa_getpid(void)
{
	if (known_pid != 0) {
		return known_pid;
	}
	(void)pthread_once(&hook_once, hook_fork);
	if (!hooked) {
		/* no handler: a remembered pid could be a parent's */
		return getpid();
	}
	known_pid = getpid();
	return known_pid;
}
