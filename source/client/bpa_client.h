/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The client role of MS-BPAU (section 3.2), for domain-joined peers.
 *
 * One exchange is two steps, so that each can be tested on its own:
 *
 *   1. bpa_client_exchange(): the RPC call.  Connects with Kerberos
 *      (mutual authentication, MS-BPAU 3.2.3), sends the local
 *      CERTIFICATE_BLOB, applies the first rules of 3.2.4.1 (an error
 *      discards the out parameters; a zero pServerKeyLength is an
 *      error) and hands back the server's blob, undecoded.
 *
 *   2. bpa_client_accept_server_blob(): the rest of 3.2.4.1.  Decodes
 *      the blob, validates the certificate for the server role, checks
 *      that its subject is the SID of the server's machine account, and
 *      adds it to the client's own peer table (limits per <6>).
 *
 * The server's account SID (needed by step 2) comes from an authority,
 * never from the server under test (bpa_client_authority_sid()): this
 * host's winbindd, or a DC asked with SAMR over a sealed binding whose
 * mutual authentication names the DC's own account; or from the caller.
 *
 * Everything is synchronous and allocates under the mem_ctx given.  The
 * tevent context is marked tevent_loop_allow_nesting(): Samba's Kerberos
 * code runs nested loops on it during the bind, as in Samba's s4 tools.
 */
#ifndef _BPA_CLIENT_H_
#define _BPA_CLIENT_H_

#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include <talloc.h>
#include <tevent.h>
#include <util/data_blob.h>
#include <gen_ndr/security.h>
#include "util/bpa_hresult.h"

struct loadparm_context;
struct cli_credentials;
struct bpa_peer_table;
struct bpa_validate_policy;
struct bpa_rev_stack;
struct bpa_cert_verdict;
struct bpa_validation_ctx;
struct bpa_validation_result;
struct dcerpc_binding_handle;
struct dcerpc_pipe;

/**
 * Apply smb.conf "socket options" of @lp_ctx (Samba's default,
 * TCP_NODELAY, when unset or @lp_ctx is NULL) to the TCP connection of
 * @p, which Samba's RPC client leaves with Nagle on (see
 * bpa_client_socket.c).  bpa_client_exchange() does it for its own
 * pipes; for a pipe from dcerpc_pipe_connect().  Returns the number of
 * sockets changed (0: none found; nothing else happens).
 */
int bpa_client_socket_options(struct dcerpc_pipe *p,
			      struct loadparm_context *lp_ctx);

/* MS-BPAU 3.2.2: the call timeout, seconds */
#define BPA_CLIENT_CALL_TIMEOUT 15

/* Its HRESULTs (BPA_E_CLIENT_*) are in util/bpa_hresult.h */

/* What one ExchangePublicKeys call returned (MS-BPAU 3.2.4.1) */
struct bpa_client_result {
	DATA_BLOB server_blob;	/* *pServerKey: the server's
				 * CERTIFICATE_BLOB, never empty */
	uint32_t auth_type;	/* enum dcerpc_AuthType in use (16) */
	uint32_t auth_level;	/* enum dcerpc_AuthLevel (sign, seal) */
	uint16_t port;		/* the TCP port connected to (the endpoint
				 * mapper's answer), 0 if unknown */
};

/**
 * Whether a failed exchange is worth retrying later as it is (seed
 * bits-validate-server-certificate: a transient error): a validator
 * that is unavailable (BPA_E_VALIDATOR_UNAVAILABLE, here or at the
 * server) or the network (HRESULT_FROM_NT of a connection refused,
 * reset, timed out or unreachable, no endpoint registered, no logon
 * server).  Everything else (the server's or a validator's refusal,
 * Kerberos, a certificate that fails) is permanent.
 */
bool bpa_client_hresult_is_transient(HRESULT hr);

/**
 * The binding string for a Kerberos-authenticated call (MS-BPAU 3.2.3):
 * "ncacn_ip_tcp:<host>[krb5,sign|seal,target_hostname=<fqdn>
 *  [,target_principal=<HOST>$@<REALM>]]".
 *
 * @param host            address or name to connect to
 * @param target_hostname the server's FQDN (names the Kerberos service)
 * @param realm           if not NULL, the server principal is set to the
 *                        machine account "<first label of fqdn>$@<realm>"
 *                        (bpa_client_machine_account()) as 3.2.3 says;
 *                        NULL leaves Samba's default (host/<fqdn>), the
 *                        same account's SPN
 * @param seal            privacy (seal) instead of integrity (sign)
 * @return the string on @mem_ctx; NULL if an argument is empty or holds
 *         a character that would change the binding (",[]= "), or ENOMEM
 */
char *bpa_client_binding_string(TALLOC_CTX *mem_ctx,
				const char *host,
				const char *target_hostname,
				const char *realm,
				bool seal);

/**
 * As bpa_client_binding_string() with the server's account name given:
 * the principal is "<account>@<realm>" (@account e.g. "FILESRV01$"; no
 * '@').  @account is ignored when @realm is NULL.
 */
char *bpa_client_binding_string_for(TALLOC_CTX *mem_ctx,
				    const char *host,
				    const char *target_hostname,
				    const char *account,
				    const char *realm,
				    bool seal);

/*
 * Where the wall time of one exchange goes (issue 15): each phase's
 * total, in nanoseconds of CLOCK_MONOTONIC.  The library fills the
 * phases it runs (bpa_client_kerberos(), bpa_client_exchange_timed());
 * a caller adds its own with bpa_client_timing_add().
 */
enum bpa_client_phase {
	BPA_CLIENT_PHASE_KERBEROS,	/* credentials: a keytab's kinit,
					 * the TGT of a password, a ccache */
	BPA_CLIENT_PHASE_LOOKUP,	/* account SIDs from the authority */
	BPA_CLIENT_PHASE_LOCAL_CERT,	/* the local certificate, 3.2.1.1 */
	BPA_CLIENT_PHASE_BIND,		/* epmapper, TCP, the Kerberos
					 * AP-REQ (and TGS-REQ unless the
					 * ticket is cached), bind, auth3 */
	BPA_CLIENT_PHASE_CALL,		/* ExchangePublicKeys, 3.2.4.1 */
	BPA_CLIENT_PHASE_STORE,		/* validate and add to the table */
	BPA_CLIENT_PHASE_COUNT
};

struct bpa_client_timing {
	uint64_t ns[BPA_CLIENT_PHASE_COUNT];
};

/** CLOCK_MONOTONIC now, in nanoseconds */
uint64_t bpa_client_clock_ns(void);

/**
 * Add the time since @since_ns (bpa_client_clock_ns()) to @phase of @t
 * and return now, the start of the next phase.  @t may be NULL.
 */
uint64_t bpa_client_timing_add(struct bpa_client_timing *t,
			       enum bpa_client_phase phase,
			       uint64_t since_ns);

/** "kerberos", "lookup", ...; NULL for no phase */
const char *bpa_client_phase_name(enum bpa_client_phase phase);

/**
 * Make the Kerberos credentials of @creds ready now rather than during
 * the first bind (cli_credentials_get_ccache(): the AS exchange of a
 * password, or the credential cache opened), adding the time to the
 * kerberos phase of @t (may be NULL).  Nothing else changes: a failure
 * is only logged, and the bind that needs the credentials reports it
 * as it would have.
 *
 * @return true if the credentials are ready
 */
bool bpa_client_kerberos(struct tevent_context *ev,
			 struct loadparm_context *lp_ctx,
			 struct cli_credentials *creds,
			 struct bpa_client_timing *t);

/**
 * Call ExchangePublicKeys (MS-BPAU 3.2.4.1) over @binding.
 *
 * @param binding    a binding string (bpa_client_binding_string()); it
 *                   must be ncacn_ip_tcp and ask for krb5 and sign or
 *                   seal, else HRES_E_INVALIDARG before any connection
 * @param creds      the client's Kerberos identity (keytab, ccache or
 *                   password; see cli_credentials)
 * @param local_blob the client's local certificate as a CERTIFICATE_BLOB
 *                   (1..65536 bytes; MS-BPAU 3.2.4.1: the client MUST
 *                   send it)
 * @param presult    on S_OK, the result on @mem_ctx
 * @return S_OK; the server's HRESULT if it returned an error (its out
 *         parameters are ignored); BPA_E_CLIENT_NO_SERVER_KEY;
 *         HRES_E_INVALIDARG (bad arguments); HRESULT_FROM_NT(status) for
 *         connection, Kerberos, fault and timeout errors (e.g.
 *         0xD0000022 access denied; 0xD0020053
 *         RPC_NT_UNSUPPORTED_AUTHN_LEVEL when the connection is not
 *         Kerberos with sign or seal);
 *         HRES_E_OUTOFMEMORY.  *presult is NULL on error.
 */
HRESULT bpa_client_exchange(TALLOC_CTX *mem_ctx,
			    struct tevent_context *ev,
			    struct loadparm_context *lp_ctx,
			    struct cli_credentials *creds,
			    const char *binding,
			    const DATA_BLOB *local_blob,
			    struct bpa_client_result **presult);

/**
 * bpa_client_exchange(), adding the time of the bind and of the call to
 * the phases of @t (may be NULL).
 */
HRESULT bpa_client_exchange_timed(TALLOC_CTX *mem_ctx,
				  struct tevent_context *ev,
				  struct loadparm_context *lp_ctx,
				  struct cli_credentials *creds,
				  const char *binding,
				  const DATA_BLOB *local_blob,
				  struct bpa_client_result **presult,
				  struct bpa_client_timing *t);

/**
 * The SID of @account (e.g. "VM$", the server's machine account), asked
 * of the domain controller at @binding with SAMR: Connect2,
 * EnumDomains (the one domain that is not "Builtin"), LookupDomain,
 * OpenDomain, LookupNames.  The binding should be the same Kerberos
 * identity with seal ("ncacn_ip_tcp:<dc>[krb5,seal,...]"): the answer
 * then comes authenticated from a DC, whose SAM is the authority for
 * account SIDs, provided the binding's mutual authentication names the
 * DC's own account (bpa_client_authority_binding()): a server that
 * only proved to hold its own key is no authority for SIDs.
 *
 * @return S_OK and @sid; BPA_E_CLIENT_NO_SUCH_ACCOUNT (no such name, or
 *         not a user/computer account); HRES_E_INVALIDARG;
 *         HRESULT_FROM_NT(status) for RPC errors; HRES_E_OUTOFMEMORY.
 */
HRESULT bpa_client_lookup_account_sid(TALLOC_CTX *mem_ctx,
				      struct tevent_context *ev,
				      struct loadparm_context *lp_ctx,
				      struct cli_credentials *creds,
				      const char *binding,
				      const char *account,
				      struct dom_sid *sid);

/* Who answers for account SIDs (MS-BPAU 3.2.4.1, issue 9) */
enum bpa_sid_authority_kind {
	BPA_SID_AUTHORITY_NONE = 0,
	BPA_SID_AUTHORITY_WINBIND,	/* this host's winbindd */
	BPA_SID_AUTHORITY_DC,		/* a DC, over SAMR */
};

struct bpa_sid_authority {
	enum bpa_sid_authority_kind kind;
	const char *domain;	 /* WINBIND: the domain's NetBIOS name */
	const char *dc_host;	 /* DC: address or name to connect to */
	const char *dc_hostname; /* DC: its FQDN */
	const char *dc_account;	 /* DC: its sAMAccountName ("DC1$"); NULL:
				  * bpa_client_machine_account(dc_hostname) */
	const char *realm;	 /* DC: the realm of its principal */
};

/**
 * The binding to a DC authority: "ncacn_ip_tcp:<dc_host>[krb5,seal,
 * target_hostname=<dc_hostname>,target_principal=<DC>$@<REALM>]", so
 * that only the holder of the DC account's key completes the bind.
 * NULL unless @a is a complete BPA_SID_AUTHORITY_DC (or ENOMEM).
 */
char *bpa_client_authority_binding(TALLOC_CTX *mem_ctx,
				   const struct bpa_sid_authority *a);

/**
 * The SID of @account ("VM$"), asked of the authority @a: winbindd
 * (bpa_winbind_account_sid()) or the DC (bpa_client_lookup_account_sid()
 * over bpa_client_authority_binding()).
 *
 * @return S_OK and @sid; BPA_E_CLIENT_NO_SUCH_ACCOUNT;
 *         HRES_E_INVALIDARG (no or an incomplete authority);
 *         HRES_E_FAIL (winbindd not reachable); HRESULT_FROM_NT() for
 *         RPC and Kerberos errors (a DC that is not who @a names fails
 *         the bind); HRES_E_OUTOFMEMORY.
 */
HRESULT bpa_client_authority_sid(TALLOC_CTX *mem_ctx,
				 struct tevent_context *ev,
				 struct loadparm_context *lp_ctx,
				 struct cli_credentials *creds,
				 const struct bpa_sid_authority *a,
				 const char *account,
				 struct dom_sid *sid);

/**
 * bpa_client_authority_sid() for several accounts over one connection
 * (issue 15: the CLI asks for the server's SID and its own): a DC
 * authority is connected by the first call, as
 * bpa_client_lookup_account_sid() connects, into *@samr (NULL before),
 * allocated on @conn_ctx; it keeps the account domain that the first
 * lookup opened, so a later call is one LookupNames over it.  winbindd
 * needs none (*@samr stays NULL).  @samr NULL: a connection for this
 * call only.  Same return values; a failed connection leaves *@samr
 * NULL.  Free *@samr (or @conn_ctx) to close it.
 */
struct bpa_samr_conn;

HRESULT bpa_client_authority_sid_on(TALLOC_CTX *mem_ctx,
				    struct tevent_context *ev,
				    struct loadparm_context *lp_ctx,
				    struct cli_credentials *creds,
				    const struct bpa_sid_authority *a,
				    TALLOC_CTX *conn_ctx,
				    struct bpa_samr_conn **samr,
				    const char *account,
				    struct dom_sid *sid);

/**
 * bpa_client_lookup_account_sid() over *@samr, connected to @binding on
 * @conn_ctx by the first call (*@samr NULL before).
 */
HRESULT bpa_client_lookup_account_sid_on(TALLOC_CTX *mem_ctx,
					 struct tevent_context *ev,
					 struct loadparm_context *lp_ctx,
					 struct cli_credentials *creds,
					 const char *binding,
					 TALLOC_CTX *conn_ctx,
					 struct bpa_samr_conn **samr,
					 const char *account,
					 struct dom_sid *sid);

/**
 * The same lookup over an open SAMR connection @samr (e.g. from
 * dcerpc_pipe_connect() with ndr_table_samr, or smbtorture's
 * torture_rpc_connection()).  Same return values.
 */
HRESULT bpa_client_samr_lookup(TALLOC_CTX *mem_ctx,
			       struct dcerpc_binding_handle *samr,
			       const char *account,
			       struct dom_sid *sid);

/**
 * The machine account name of a server from its FQDN: the first label,
 * upper-cased, cut to 15 characters (the default NetBIOS name), with
 * "$" ("vm.bpa.test" -> "VM$"), MS-BPAU 3.2.3.  NULL if @fqdn is NULL,
 * empty or starts with '.'.  A computer whose sAMAccountName is not
 * that needs its account name given explicitly.
 */
char *bpa_client_machine_account(TALLOC_CTX *mem_ctx, const char *fqdn);

/**
 * MS-BPAU 3.2.4.1, the last step: the server certificate (already
 * decoded and validated for the server role) is accepted only if its
 * subject @subject_sid is the server's account SID @server_sid, and is
 * then added to the client's peer table @table: a certificate already
 * there for this SID is replaced (<7>); a full table evicts its oldest
 * row if older than the table's minimum age, else refuses (<6>).
 *
 * @param cert_der    the X.509 certificate, DER
 * @param properties  the blob's certificate properties to keep (may be
 *                    empty)
 * @param now         the time of the exchange
 * @return S_OK; HRES_SEC_E_WRONG_PRINCIPAL (subject is not the server;
 *         nothing stored); HRES_OLE_E_NOCACHE (0x80040006, <6>); the
 *         peer table's other errors (peers/peer_table.h).  On error the
 *         table is unchanged.
 */
HRESULT bpa_client_store_server_cert(struct bpa_peer_table *table,
				     const struct dom_sid *server_sid,
				     const struct dom_sid *subject_sid,
				     const DATA_BLOB *cert_der,
				     const DATA_BLOB *properties,
				     time_t now);

/* What bpa_client_accept_server_blob() checks against, and where */
struct bpa_client_accept {
	const struct dom_sid *server_sid;	/* the server's account */
	const struct bpa_validate_policy *policy; /* validate/ */
	struct bpa_peer_table *table;		/* NULL: validate only */
	time_t now;
	/* the revocation stack (source/revocation) and its mode (enum
	 * bpa_rev_mode; 0 = no check): the server's certificate is
	 * refused with the provider's HRESULT when the policy says so */
	struct bpa_rev_stack *revocation;
	int revocation_mode;
	/* phase two (source/validator; NULL: phase one only), asked with
	 * @endpoint, "<server host as given>:<port>"; if @pvalidation is
	 * not NULL it receives the validation's result (on mem_ctx) */
	struct bpa_validation_ctx *validator;
	const char *endpoint;
	struct bpa_validation_result **pvalidation;
};

/**
 * MS-BPAU 3.2.4.1 after the call: decode the server's CERTIFICATE_BLOB
 * (source/blob), validate its certificate for the server role
 * (source/validate: serverAuth, RSA, self-signature, validity, hash
 * properties, subject CN a SID), require that SID to be
 * @a->server_sid, and store it (bpa_client_store_server_cert()) unless
 * @a->table is NULL.  The blob's property bytes are kept with the
 * certificate (<5>).
 *
 * @param pverdict  if not NULL, the validator's verdict (on @mem_ctx)
 *                  whenever the certificate was validated
 * @return S_OK; the decoder's HRESULT (E_INVALIDARG,
 *         CRYPT_E_ASN1_ERROR); phase one's; the validator's refusal or
 *         BPA_E_VALIDATOR_UNAVAILABLE; HRES_SEC_E_WRONG_PRINCIPAL;
 *         the revocation provider's (HRES_CRYPT_E_REVOKED, ...);
 *         the peer table's (HRES_OLE_E_NOCACHE, <6>).  Nothing is stored on
 *         error.
 */
HRESULT bpa_client_accept_server_blob(TALLOC_CTX *mem_ctx,
				      const DATA_BLOB *server_blob,
				      const struct bpa_client_accept *a,
				      struct bpa_cert_verdict **pverdict);


#endif /* _BPA_CLIENT_H_ */
