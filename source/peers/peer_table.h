/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The table of peer certificates, MS-BPAU 3.1.1.2 (server) and 3.2.1.2
 * (client): which X.509 certificate belongs to which Kerberos principal
 * (a SID).  It lives in one tdb file shared by every process of the
 * server, so that a certificate added by the RPC worker that served
 * ExchangePublicKeys is known to whatever process later asks
 * "is this a known peer?" (MS-BPAU 3.1.6.1, 3.2.6.1).
 *
 * The certificate is stored as opaque DER bytes: this layer neither
 * parses nor validates it (source/validate does that before adding).
 *
 * On disk (peer_table_private.h): one "sid/<SID>" row per peer and a
 * "cert/<sha256>" index entry naming its SID, changed together inside one
 * tdb transaction; a lookup by certificate is two hash lookups (O(1)).
 *
 * Server start-up and worker processes (MS-BPAU 3.1.3, "initialize an
 * empty table"): unless params.persistent is set, the file is opened
 * with TDB_CLEAR_IF_FIRST, which wipes it when no other process has it
 * open.  The server must therefore:
 *   1. open the table ONCE in the long-lived parent process at server
 *      initialization (this is the open that empties it), and keep that
 *      handle open for the whole life of the server;
 *   2. in every forked worker, call bpa_peer_table_reopen() on the
 *      inherited handle before using it (fcntl locks are not inherited
 *      across fork(); tdb_reopen() re-takes them and gives the child its
 *      own file descriptor).  A worker must not bpa_peer_table_open()
 *      the same file while it still holds the inherited handle (tdb
 *      refuses a second open of a file in one process).
 * If no process keeps the table open, the next opener empties it again.
 * Administrative access (the bitspeerauth tool) uses params.attach,
 * which never creates or clears the file.
 *
 * A file that is not a peer table of this version is never modified:
 * opening it fails with BPA_E_PEERS_FOREIGN (not a tdb, or a tdb with
 * other records) or BPA_E_PEERS_VERSION, logged with the path; the
 * caller gets no handle (the server then answers E_FAIL, see
 * source/rpc_server/server_state.h).  A persistent (or attached) table
 * whose tdb header is damaged, and a persistent table failing
 * bpa_peer_table_check(), give BPA_E_PEERS_CORRUPT and are left for the
 * administrator ("bitspeerauth peers verify").  A non-persistent start
 * empties a table of ours with damaged rows (its content is meant to be
 * thrown away at start-up anyway), but refuses a file whose tdb header
 * is too damaged to recognise as ours (BPA_E_PEERS_FOREIGN).  A row
 * found damaged later answers "not known" (3.1.6.1) and
 * BPA_E_PEERS_CORRUPT elsewhere; nothing crashes.
 *
 * Cost: a lookup is two hash lookups plus a SHA-256 of the certificate;
 * bench/bench_peers_lookup measures it from 1k to 1M peers.  An add is
 * one tdb transaction; when the table is full it scans the rows for the
 * oldest (O(max_peers), 100 by default).
 *
 * Time: every function that needs "now" takes it from the caller.
 * Thread safety: a table handle is for one thread at a time.
 */
#ifndef _BPA_PEER_TABLE_H_
#define _BPA_PEER_TABLE_H_

#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include <talloc.h>
#include <util/data_blob.h>
#include <gen_ndr/security.h>
#include "util/bpa_hresult.h"

/* MS-BPAU 3.1.4.1 <3>: Windows' limit and minimum age before eviction */
#define BPA_PEER_TABLE_DEFAULT_MAX_PEERS 100
#define BPA_PEER_TABLE_DEFAULT_EVICT_MIN_AGE 60

/* Largest certificate and property blob the table stores (bytes) */
#define BPA_PEER_TABLE_MAX_BLOB (1024 * 1024)

/* Its HRESULTs (BPA_E_PEERS_*, BPA_E_PEER_*) are in util/bpa_hresult.h */

struct bpa_peer_table;
struct bpa_cert_blob;

struct bpa_peer_table_params {
	const char *path;	/* the tdb file */
	uint32_t max_peers;	/* limit, >= 1; 0 means the default (100).
				 * A new file gets 2 * max_peers + 1 tdb
				 * hash buckets, at most 2000001 (lookups
				 * stay O(1) up to 1M peers); each write
				 * transaction copies them (4 bytes each),
				 * so huge limits make adds slower */
	uint32_t evict_min_age;	/* seconds; the oldest peer is evicted only
				 * if strictly older than this (60) */
	bool persistent;	/* keep the table across server restarts
				 * (default false: empty at start-up) */
	bool attach;		/* open an existing table as it is: never
				 * create, never clear (admin tools) */
	bool read_only;		/* with attach: open O_RDONLY */
	bool skip_check;	/* persistent: no consistency check at open,
				 * for an open that is not the host's start
				 * (that one checked the file, and other
				 * processes are using it) */
};

/* One row of the table.  In results every pointer is a talloc child of
 * the struct (or of the mem_ctx given). */
struct bpa_peer {
	struct dom_sid sid;		/* the Kerberos principal */
	DATA_BLOB cert_der;		/* the X.509 certificate, DER */
	DATA_BLOB properties;		/* the blob's property elements
					 * before the certificate, no
					 * KEY_PROV_INFO, may be empty
					 * (peer_record.h; made by
					 * bpa_peer_properties_from_blob) */
	uint8_t cert_hash[32];		/* SHA-256 of cert_der (set by the
					 * table; ignored by add) */
	time_t inserted;		/* when the row was (re)inserted */
	time_t last_exchange;		/* last ExchangePublicKeys */
	const char *address;		/* peer address or NULL */
};

/**
 * The properties of a row (struct bpa_peer.properties) for a decoded
 * CERTIFICATE_BLOB, the same in the server's and the client's table:
 * @blob's property elements in wire encoding, without KEY_PROV_INFO
 * (MS-BPAU 3.1.4.1 <5>) and without the certificate element.
 * @props is allocated on @mem_ctx (data_blob_null when there are none).
 * @return S_OK, HRES_E_INVALIDARG, HRES_E_OUTOFMEMORY or the encoder's
 *         error (bpa_blob_err_hresult())
 */
HRESULT bpa_peer_properties_from_blob(TALLOC_CTX *mem_ctx,
				      const struct bpa_cert_blob *blob,
				      DATA_BLOB *props);

/**
 * Fill @p with the defaults: max_peers 100, evict_min_age 60, not
 * persistent, not attach, not read_only, path NULL.
 */
void bpa_peer_table_params_init(struct bpa_peer_table_params *p);

/**
 * Open (or create) the peer table described by @p.
 *
 * Unless @p->persistent or @p->attach, the table is emptied when this is
 * the first process to open it (MS-BPAU 3.1.3; see the file comment for
 * what that means for a forking server).  A persistent table is checked
 * for consistency (bpa_peer_table_check()) on open, unless
 * @p->skip_check.
 *
 * @param mem_ctx owner of the handle; freeing the handle closes the tdb
 * @param p       parameters (copied)
 * @param pt      the handle on success
 * @return S_OK; BPA_E_PEERS_FOREIGN (not a tdb, or a tdb holding other
 *         data), BPA_E_PEERS_VERSION (another record version),
 *         BPA_E_PEERS_CORRUPT (persistent table failing its check),
 *         BPA_E_PEERS_NO_TABLE (attach and no such file), HRES_E_INVALIDARG
 *         (bad parameters), HRES_E_FAIL (I/O), HRES_E_OUTOFMEMORY.
 *         On error the file is left as it was and *pt is NULL.
 */
HRESULT bpa_peer_table_open(TALLOC_CTX *mem_ctx,
			    const struct bpa_peer_table_params *p,
			    struct bpa_peer_table **pt);

/**
 * Re-establish @t in a child process after fork() (tdb_reopen()).  Call
 * it once in each child before any other use of an inherited handle.
 * @return S_OK, or HRES_E_FAIL (the handle is then unusable: every later
 *         call fails with HRES_E_FAIL; free it).
 */
HRESULT bpa_peer_table_reopen(struct bpa_peer_table *t);

/**
 * Add @peer (MS-BPAU 3.1.4.1 with <3> and <4>; 3.2.4.1 with <6>, <7>).
 *
 * - If the SID is already in the table its row is deleted and the new
 *   one inserted: the certificate is replaced and the row gets the
 *   insertion time @now (as Windows does).
 * - Else, if the table holds max_peers rows, the row with the oldest
 *   insertion time is evicted if @now - inserted > evict_min_age;
 *   otherwise nothing changes and HRES_OLE_E_NOCACHE (0x80040006) is
 *   returned.
 * The row's inserted and last_exchange are set to @now; cert_hash is
 * computed (SHA-256); peer->cert_hash/inserted/last_exchange are
 * ignored.  The whole add is one tdb transaction: atomic across
 * processes, the limit is never exceeded.
 *
 * @return S_OK; HRES_OLE_E_NOCACHE; HRES_E_INVALIDARG (invalid SID, empty
 *         or oversized certificate/properties); BPA_E_PEER_CERT_IN_USE
 *         (this certificate belongs to another SID); BPA_E_PEERS_READ_ONLY;
 *         BPA_E_PEERS_CORRUPT; HRES_E_FAIL (tdb error).  On any error the
 *         table is unchanged.
 */
HRESULT bpa_peer_table_add(struct bpa_peer_table *t,
			   const struct bpa_peer *peer,
			   time_t now);

/**
 * Add @n peers in ONE transaction, each by the rules of
 * bpa_peer_table_add() in order, all with the time @now: all of them or
 * none (the first error cancels the batch).  For bulk loads (restoring
 * an export, benchmarks); the protocol path uses bpa_peer_table_add().
 * @param failed if not NULL: @n on success, else the index of the peer
 *        that failed (or 0 if the transaction itself failed)
 * @return as bpa_peer_table_add()
 */
HRESULT bpa_peer_table_add_batch(struct bpa_peer_table *t,
				 const struct bpa_peer *peers,
				 size_t n,
				 time_t now,
				 size_t *failed);

/**
 * Are the bytes @cert_der (DER) in the table?  The table's own lookup:
 * it does not look at the certificate's validity.  MS-BPAU 3.1.6.1
 * users (the TLS hook, "peers check") ask bpa_peer_table_known_cert_at().
 * @param psid if not NULL and the answer is true, the principal
 * @return true iff the table maps exactly this certificate to a
 *         principal (and the revocation stack, when set, does not refuse
 *         it).  Errors (including a corrupt row) are logged and answer
 *         false.
 */
bool bpa_peer_table_known_cert(struct bpa_peer_table *t,
			       const DATA_BLOB *cert_der,
			       struct dom_sid *psid);

/**
 * MS-BPAU 3.1.6.1 / 3.2.6.1 at the time @now: bpa_peer_table_known_cert()
 * and the certificate is within its validity, notBefore - skew <= @now
 * <= notAfter + skew (the table's clock skew, 300 s unless
 * bpa_peer_table_set_cert_policy() says otherwise).  A certificate that
 * expired after it was stored is not a known peer (issue 9).
 */
bool bpa_peer_table_known_cert_at(struct bpa_peer_table *t,
				  const DATA_BLOB *cert_der,
				  time_t now,
				  struct dom_sid *psid);

/* The defaults of the table's certificate policy (as phase one's) */
#define BPA_PEER_TABLE_DEFAULT_CLOCK_SKEW 300
#define BPA_PEER_TABLE_DEFAULT_MIN_RSA_BITS 2048
#define BPA_PEER_TABLE_DEFAULT_MAX_RSA_BITS 16384

/**
 * The certificate policy of bpa_peer_table_known_cert_at() and the TLS
 * hook: the clock skew (seconds) and the RSA modulus bounds that the
 * hook applies, with phase one's exponent rule (odd, 3..2^32-1), before
 * GnuTLS uses a peer's key (bitspeerauth:clock skew, min rsa bits, max
 * rsa bits).
 */
void bpa_peer_table_set_cert_policy(struct bpa_peer_table *t,
				    uint32_t clock_skew,
				    uint32_t min_rsa_bits,
				    uint32_t max_rsa_bits);

/**
 * The RSA bounds of bpa_peer_table_set_cert_policy() on @cert_der (a
 * DER walk, no public-key operation; validate/cert_validate.h
 * bpa_cert_check_rsa_key()).  Logs and answers false if they refuse it;
 * a key that is not RSA passes (it has no exponent to bound; phase one
 * stores only RSA certificates).
 */
bool bpa_peer_table_key_ok(struct bpa_peer_table *t,
			   const DATA_BLOB *cert_der);

/**
 * Make bpa_peer_table_known_cert() (and so the TLS hook) also run the
 * revocation stack @s (source/revocation/revocation.h) on a certificate
 * it found, under @mode (enum bpa_rev_mode): a certificate the policy
 * refuses (revoked; in hard mode also not checkable) is not a known
 * peer.  @s must outlive @t's use; NULL (or mode "no") turns it off.
 */
struct bpa_rev_stack;
void bpa_peer_table_set_revocation(struct bpa_peer_table *t,
				   struct bpa_rev_stack *s,
				   int mode);

/**
 * Fetch the row of @sid into a new struct on @mem_ctx.
 * @return S_OK; BPA_E_PEER_NOT_FOUND; HRES_E_INVALIDARG; BPA_E_PEERS_CORRUPT
 *         (the row does not decode); HRES_E_OUTOFMEMORY; HRES_E_FAIL.
 */
HRESULT bpa_peer_table_get(TALLOC_CTX *mem_ctx,
			   struct bpa_peer_table *t,
			   const struct dom_sid *sid,
			   struct bpa_peer **ppeer);

/**
 * Remove the row of @sid (and its certificate index), in a transaction.
 * @return S_OK; BPA_E_PEER_NOT_FOUND; HRES_E_INVALIDARG;
 *         BPA_E_PEERS_READ_ONLY; BPA_E_PEERS_CORRUPT; HRES_E_FAIL.
 */
HRESULT bpa_peer_table_remove(struct bpa_peer_table *t,
			      const struct dom_sid *sid);

/**
 * Number of rows.
 * @return S_OK and *count; BPA_E_PEERS_CORRUPT; HRES_E_FAIL.
 */
HRESULT bpa_peer_table_count(struct bpa_peer_table *t, uint32_t *count);

/**
 * Called by bpa_peer_table_traverse() for each row.  @peer and
 * everything it points to is freed when the callback returns.
 * Return 0 to continue, nonzero to stop.
 */
typedef int (*bpa_peer_table_traverse_fn)(const struct bpa_peer *peer,
					  void *private_data);

/**
 * Call @fn for each row, in no particular order, under a read lock of
 * the whole table (a consistent snapshot; writers wait).  Do not modify
 * the table from @fn.
 * @param count if not NULL, the number of rows visited
 * @return S_OK (also when @fn stopped early); BPA_E_PEERS_CORRUPT (a row
 *         does not decode; the traverse stops); HRES_E_FAIL.
 */
HRESULT bpa_peer_table_traverse(struct bpa_peer_table *t,
				bpa_peer_table_traverse_fn fn,
				void *private_data,
				uint32_t *count);

/**
 * Full consistency check: tdb_check() of the file, then our invariants:
 * every key is ours, every row decodes and its SHA-256 matches its
 * certificate, the "sid/" rows and "cert/" index entries are a
 * bijection, and the stored count equals the number of rows.
 * Findings are logged at DBG_ERR.
 * @return S_OK; BPA_E_PEERS_CORRUPT; HRES_E_FAIL.
 */
HRESULT bpa_peer_table_check(struct bpa_peer_table *t);

/**
 * The limits in force (from the params, defaults applied).
 */
uint32_t bpa_peer_table_max_peers(const struct bpa_peer_table *t);

/* The GnuTLS verify hook (3.1.6.1 for a TLS endpoint): peers/peer_tls.h */

#endif /* _BPA_PEER_TABLE_H_ */
