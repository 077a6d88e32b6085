/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bitspeerauth server: the state one server process keeps (MS-BPAU
 * 3.1.1): its configuration, the host's identity, its local certificate
 * (3.1.1.1) and its handle on the table of peer certificates (3.1.1.2).
 *
 * One server, two shells (README.md, "Layout", is the map): the
 * dcerpc_server module samba loads on an AD DC (bitspeerauth_module.c)
 * and the rpcd_bitspeerauth helper samba-dcerpcd runs on a member
 * (rpcd_bitspeerauth.c).  What differs between those hosts is a struct
 * bpa_srv_host each shell fills: how to find the machine account, and
 * whether the endpoint server's initialisation is the server's start.
 *
 * The peer table is opened once, when samba initialises the endpoint
 * server (bpa_srv_state_init(), from the interface's init_server hook)
 * in the process that then forks the workers (or serves itself, with
 * "-M single").  That first open empties it (MS-BPAU 3.1.3) unless
 * "bitspeerauth:persistent peers = yes", and that process keeps it
 * open for the server's life, so the one tdb file is shared by all
 * workers.  A worker that inherited the handle re-establishes it
 * (bpa_peer_table_reopen(), see source/peers/peer_table.h) before its
 * first use: the interface's bind hook (bpa_srv_state_bind()) does that
 * when it runs in a new pid.  Nothing creates state later: if
 * init_server failed, every call answers E_FAIL.
 *
 * On a member, samba-dcerpcd starts each worker as a process of its own
 * (no fork from a parent holding the table), and idle workers exit: the
 * server's start is samba-dcerpcd's discovery run of the helper
 * ("--list-interfaces"), which calls bpa_srv_table_start(), and workers
 * open the table without emptying it (host->init_starts_table false).
 *
 * The host's identity and the local certificate are looked up when the
 * endpoint server is initialised (bpa_srv_state_start(): a self-managed
 * pair is created then), or by the first call if that failed, and kept
 * for the life of the process.  A forked worker keeps the identity and
 * reads the certificate's files again at its first call.
 */
#ifndef _BPA_SRV_SERVER_STATE_H_
#define _BPA_SRV_SERVER_STATE_H_

#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>
#include <talloc.h>
#include <dcesrv_core.h>
#include "util/sid_string.h"
#include "util/bpa_config.h"

struct bpa_peer_table;
struct bpa_local_cert;
struct tevent_context;
struct loadparm_context;

/* Who the server is: its machine account (the local certificate's
 * subject, MS-BPAU 3.1.1.1) */
struct bpa_srv_identity {
	struct dom_sid sid;		/* the machine account's SID */
	char *fqdn;			/* "vm.bpa.test": the certificate SAN */
	char *account;			/* "VM$" */
};

/* What differs between the hosts the endpoint runs on */
struct bpa_srv_host {
	const char *role;		/* for logs: "AD DC", "member" */
	/*
	 * This host's machine account, allocated on @mem_ctx; false
	 * (logged) if it cannot be found now (the call answers E_FAIL and
	 * the next call tries again).
	 */
	bool (*find_identity)(TALLOC_CTX *mem_ctx,
			      struct tevent_context *ev,
			      struct loadparm_context *lp_ctx,
			      struct bpa_srv_identity *id);
	/*
	 * MS-BPAU 3.1.3: true if the endpoint server's initialisation is
	 * the server's start (its table open empties the table unless
	 * persistent); false if the host started the table before
	 * (bpa_srv_table_start()) and initialisation only opens it.
	 */
	bool init_starts_table;
	/*
	 * Does the process that initialises the endpoint server live for
	 * the server's life (the DC's rpc task), so that it runs the OCSP
	 * prefetch (server_prefetch.h)?  Not the member's short-lived rpcd
	 * workers.
	 */
	bool runs_prefetch;
};
struct bpa_rev_stack;
struct bpa_validation_ctx;

struct bpa_srv_state {
	pid_t pid;			/* the process using it now */
	const struct bpa_srv_host *host;
	struct bpa_config *cfg;		/* bitspeerauth:* options */
	struct bpa_peer_table *table;	/* MS-BPAU 3.1.1.2 */
	struct bpa_rev_stack *rev;	/* revocation stack (seed 004) */
	/* phase two, the validator and its success cache (seed
	 * bits-validate-server-certificate); emptied with the table */
	struct bpa_validation_ctx *validator;
	bool have_identity;		/* self and self_sid_str are set */
	struct bpa_srv_identity self;	/* this host's machine account */
	char self_sid_str[BPA_SID_STRING_MAX];
	struct bpa_local_cert *cert;	/* MS-BPAU 3.1.1.1 */
	bool cert_due;			/* within "certificate renew days" */
	pid_t prefetch_pid;		/* the OCSP prefetch process's
					 * watcher (server_prefetch.h),
					 * 0: none */
};

/**
 * The host this process serves as; called by the shell before the
 * endpoint server is initialised.  @host must outlive the process.
 */
void bpa_srv_set_host(const struct bpa_srv_host *host);

/**
 * Endpoint server initialisation (MS-BPAU 3.1.3): read the
 * configuration and open the peer table (empty, unless persistent, when
 * the host says initialisation is the server's start).  A failure is
 * logged and leaves no state: calls then answer E_FAIL rather than
 * taking every other RPC service of the host down.
 */
void bpa_srv_state_init(struct dcesrv_context *dce_ctx);

/**
 * MS-BPAU 3.1.1.1, from the endpoint server's initialisation only,
 * after bpa_srv_state_init(): look up the identity and load the local
 * certificate now (creating a self-managed pair), so that the first
 * call does not pay for it; on a host that runs_prefetch, then start
 * the OCSP prefetch process (seed cert-open-server-ocsp-response,
 * server_prefetch.h).  What fails is logged and tried again by the
 * first call.
 */
void bpa_srv_state_start(struct dcesrv_context *dce_ctx);

/**
 * MS-BPAU 3.1.3 for hosts whose start is not an endpoint server
 * initialisation (init_starts_table false): empty the peer table now,
 * unless "persistent peers", and close it again.  Workers that opened
 * the table without emptying it keep valid handles on the emptied file.
 * @return S_OK or the peer table's error (logged)
 */
HRESULT bpa_srv_table_start(struct loadparm_context *lp_ctx);

/**
 * From the interface's bind hook, in the process that serves the
 * connection: if that process was forked after init_server (prefork
 * workers, the standard model's per-connection children), re-establish
 * the peer table and drop the inherited local certificate.  Samba offers
 * endpoint servers no fork hook (server_state.c says where it looked).
 */
void bpa_srv_state_bind(void);

/**
 * The configuration, for the checks made before any work (auth_check.h).
 * @return the options read at initialisation, or NULL (logged) if
 *         there is no state; callers then apply the defaults.
 */
const struct bpa_config *bpa_srv_config(struct dcesrv_call_state *dce_call);

/**
 * The state of the process serving @dce_call, ready for a call (table
 * re-established after a fork by bpa_srv_state_bind()), with the
 * host's identity and local certificate loaded (the certificate is
 * created on first use).
 *
 * @return the state (owned by the dcesrv context, lives as long as the
 *         process), or NULL if it is not usable (logged); the caller
 *         then answers HRES_E_FAIL.
 */
struct bpa_srv_state *bpa_srv_state_get(struct dcesrv_call_state *dce_call);

#endif /* _BPA_SRV_SERVER_STATE_H_ */
