/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * OCSP prefetch of the local certificate on the AD DC (seed
 * cert-open-server-ocsp-response, docs/ocsp-prefetch.md): run once per
 * samba, never in the workers.
 *
 * Where: the process that initialises the endpoint server (samba's rpc
 * task) forks a watcher, which forks one prefetch process, which runs
 * the prefetcher on a tevent loop of its own for samba's life; each
 * ends with its parent (PR_SET_PDEATHSIG), and the watcher starts the
 * prefetch process again when it ends (a crash, kill -9), with a
 * doubling delay.  Not on the task's own loop: with "-M prefork"
 * the task's master never runs that loop again once it has forked its
 * workers (it waits on a loop of its own), and the workers that do run
 * it are many and come and go.  "sync": the rpc task makes the first
 * retrieval itself, blocking, before it forks the prefetch process,
 * which then starts from the response file.
 */
#ifndef _BPA_SRV_SERVER_PREFETCH_H_
#define _BPA_SRV_SERVER_PREFETCH_H_

#include <stdbool.h>
#include <talloc.h>

struct bpa_srv_state;

/**
 * "bitspeerauth:ocsp prefetch": with the administrator's CA-issued
 * certificate (s->cert loaded) and its issuer (the certificate file's
 * chain, else "ca file"), start the prefetch process and its watcher
 * (s->prefetch_pid).
 * Anything that prevents it is logged; the endpoint serves regardless.
 */
void bpa_srv_prefetch_start(struct bpa_srv_state *s);

/** Would "ocsp prefetch" run for @s's configuration at all? (not for
 * "no", nor for "auto" with the self-managed, self-signed pair) */
bool bpa_srv_prefetch_wanted(const struct bpa_srv_state *s);

#endif /* _BPA_SRV_SERVER_PREFETCH_H_ */
