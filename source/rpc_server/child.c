/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The start of a process the server forks (child.h) */
#include <signal.h>
#include <unistd.h>
#include <sys/prctl.h>
#include "rpc_server/child.h"

void bpa_srv_child_init(pid_t parent, int deathsig, const char *name)
{
	static const int caught[] = {
		SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2,
	};
	size_t i;

	for (i = 0; i < sizeof(caught) / sizeof(caught[0]); i++) {
		signal(caught[i], SIG_DFL);
	}
	signal(SIGPIPE, SIG_IGN);
	if (prctl(PR_SET_PDEATHSIG, deathsig) != 0 || getppid() != parent) {
		_exit(0);
	}
	(void)prctl(PR_SET_NAME, name);
}
