/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Internal to source/peers (and its tests): the peer table's on-disk
 * layout, its handle, and the tdb helpers the open, write, read and
 * check sides share (as tdb's own tdb_private.h does for lib/tdb).
 *
 * On disk, record format version BPA_PEER_TABLE_VERSION, all integers
 * little-endian (encoded by peer_record.c):
 *
 *   "BPA/TABLE" (16 bytes):
 *     "BPAPEERS" | u32 version | u32 peer count
 *   "sid/<SID>" (the row of a peer):
 *     u32 version | u32 flags (0) | i64 inserted | i64 last_exchange |
 *     32 bytes SHA-256 of the certificate | u32 cert_len | cert DER |
 *     u32 props_len | props | u32 addr_len (0xFFFFFFFF: no address) |
 *     addr (no NUL)
 *   "cert/<64 hex>" (the certificate index; lower-case hex of the
 *   SHA-256 of the certificate's DER):
 *     the SID string (no NUL)
 *
 * Every change happens inside one tdb transaction, so the two key
 * spaces and the count always agree, across processes and across a
 * process killed at any point.  Lookups by certificate are one hash
 * lookup each (O(1)).
 */
#ifndef _BPA_PEER_TABLE_PRIVATE_H_
#define _BPA_PEER_TABLE_PRIVATE_H_

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <time.h>
#include <talloc.h>
#include <sys/types.h>
#include <tdb.h>
#include <util/data_blob.h>
#include "util/bpa_hresult.h"
#include "util/sid_string.h"

/*
 * Version of the on-disk record format (all three kinds of record).
 * 2: a row's props are the property prefix (peer_record.h).  Version 1
 * rows and "BPA/TABLE" records are still read: a row's props then meant
 * the whole re-encoded blob (server) or the wire's property prefix
 * (client) and are converted when the row is read; the first write
 * stores the meta record as version 2, every row written is version 2.
 */
#define BPA_PEER_TABLE_VERSION 2
#define BPA_PEER_TABLE_VERSION_1 1

#define BPA_PEER_META_KEY "BPA/TABLE"
#define BPA_PEER_META_MAGIC "BPAPEERS"
#define BPA_PEER_META_MAGIC_LEN 8
#define BPA_PEER_META_LEN 16
#define BPA_PEER_SID_PREFIX "sid/"
#define BPA_PEER_SID_PREFIX_LEN (sizeof(BPA_PEER_SID_PREFIX) - 1)
#define BPA_PEER_CERT_PREFIX "cert/"
#define BPA_PEER_CERT_PREFIX_LEN (sizeof(BPA_PEER_CERT_PREFIX) - 1)
/* SHA-256 of the certificate: the index key and the row's hash */
#define BPA_PEER_HASH_LEN 32
#define BPA_PEER_HASH_HEX_LEN (2 * BPA_PEER_HASH_LEN)
#define BPA_PEER_NO_ADDRESS 0xFFFFFFFFu
#define BPA_PEER_MAX_ADDRESS 1024

/* "sid/" + SID string + NUL */
#define BPA_PEER_SID_KEY_MAX (BPA_PEER_SID_PREFIX_LEN + BPA_SID_STRING_MAX)
/* "cert/" + 64 hex + NUL */
#define BPA_PEER_CERT_KEY_MAX \
	(BPA_PEER_CERT_PREFIX_LEN + BPA_PEER_HASH_HEX_LEN + 1)

/* The handle behind struct bpa_peer_table * */
struct bpa_peer_table {
	struct tdb_context *tdb;
	char *path;
	uint32_t max_peers;
	uint32_t evict_min_age;
	bool persistent;
	bool attach;
	bool read_only;
	void (*hook)(const char *where, void *private_data);
	void *hook_private;
	/* peer_table_revocation.c: the 3.1.6.1 answer honours it */
	struct bpa_rev_stack *rev;
	int rev_mode;			/* enum bpa_rev_mode */
	/* peer_table_validity.c: the 3.1.6.1 answer with the time, the
	 * TLS hook's key bounds (bpa_peer_table_set_cert_policy()) */
	uint32_t clock_skew;
	uint32_t min_rsa_bits;
	uint32_t max_rsa_bits;
};

/* A known certificate the revocation stack refuses (logged) */
bool bpa_peer_rev_refuses(struct bpa_peer_table *t,
			  const DATA_BLOB *cert_der);

/* Keys */
static inline TDB_DATA peer_key(const char *s, size_t len)
{
	return (TDB_DATA) { .dptr = (unsigned char *)s, .dsize = len };
}

static inline TDB_DATA peer_meta_key(void)
{
	return peer_key(BPA_PEER_META_KEY, sizeof(BPA_PEER_META_KEY) - 1);
}

static inline bool peer_is_sid_key(TDB_DATA key)
{
	return key.dsize > BPA_PEER_SID_PREFIX_LEN &&
	       memcmp(key.dptr, BPA_PEER_SID_PREFIX,
		      BPA_PEER_SID_PREFIX_LEN) == 0;
}

static inline bool peer_is_cert_key(TDB_DATA key)
{
	return key.dsize > BPA_PEER_CERT_PREFIX_LEN &&
	       memcmp(key.dptr, BPA_PEER_CERT_PREFIX,
		      BPA_PEER_CERT_PREFIX_LEN) == 0;
}

/* tdb's own messages go to our debug class (log_private: the path) */
void peer_tdb_log(struct tdb_context *tdb,
		  enum tdb_debug_level level,
		  const char *fmt,
		  ...) PRINTF_ATTRIBUTE(3, 4);

/*
 * tdb wrappers with HRESULTs, logged with the table's path.
 * peer_fetch(): a talloc copy of @key's value; S_OK,
 * BPA_E_PEER_NOT_FOUND, HRES_E_OUTOFMEMORY or HRES_E_FAIL.
 */
HRESULT peer_fetch(TALLOC_CTX *mem_ctx,
		   struct bpa_peer_table *t,
		   TDB_DATA key,
		   DATA_BLOB *out);
/*
 * peer_fetch_row(): peer_fetch() of the "sid/" row @key and its view
 * into *@rec (peer_record.h); BPA_E_PEERS_CORRUPT (logged) if it does
 * not decode, else peer_fetch()'s result.
 */
struct bpa_peer_record_view;
HRESULT peer_fetch_row(TALLOC_CTX *mem_ctx,
		       struct bpa_peer_table *t,
		       TDB_DATA key,
		       DATA_BLOB *rec,
		       struct bpa_peer_record_view *v);
HRESULT peer_store(struct bpa_peer_table *t, TDB_DATA key, TDB_DATA data);
HRESULT peer_delete(struct bpa_peer_table *t, TDB_DATA key);

/* A usable handle (and, for @write, not read-only)? */
HRESULT peer_table_usable(struct bpa_peer_table *t, bool write);

/*
 * The start of a call naming a peer by SID: peer_table_usable(), then
 * "sid/<SID>" into @sid_key (*@klen its length); HRES_E_INVALIDARG
 * for a NULL or invalid @sid.
 */
HRESULT peer_sid_entry(struct bpa_peer_table *t,
		       bool write,
		       const struct dom_sid *sid,
		       char sid_key[BPA_PEER_SID_KEY_MAX],
		       size_t *klen);

/*
 * The write transaction.  peer_tx_commit() runs the test hook at each
 * step; on failure tdb has cancelled the transaction.
 */
HRESULT peer_tx_start(struct bpa_peer_table *t);
/* peer_tx_start() and peer_meta_read(); no transaction left on error */
HRESULT peer_tx_start_count(struct bpa_peer_table *t, uint32_t *count);
void peer_tx_cancel(struct bpa_peer_table *t);
HRESULT peer_tx_commit(struct bpa_peer_table *t);

/*
 * The "BPA/TABLE" record.  peer_check_meta(): is it there and ours?
 * *missing is set when the record is not there; with @scan, only if
 * @tdb holds no record at all (a new or just cleared table), else the
 * file is foreign.  The scan reads every hash bucket: 2M of them for a
 * big table, each a pread() on a handle without a mapping, so callers
 * that already know the file is ours pass false.  peer_meta_read():
 * the count, where a missing record is corruption except for a
 * read-only opener.
 */
HRESULT peer_check_meta(struct bpa_peer_table *t,
			struct tdb_context *tdb,
			bool scan,
			bool *missing,
			uint32_t *count);
HRESULT peer_meta_read(struct bpa_peer_table *t, uint32_t *count);
HRESULT peer_meta_store(struct bpa_peer_table *t, uint32_t count);

/*
 * bpa_peer_table_check() through @tdb, which may be another handle on
 * @t's file than t->tdb: the persistent open checks through a mapped
 * one (peer_table_open.c).
 */
HRESULT peer_table_check_tdb(struct bpa_peer_table *t,
			     struct tdb_context *tdb);

/* tdb_parse_record() parser copying a "cert/" value: no allocation */
struct peer_sid_copy {
	char buf[BPA_SID_STRING_MAX];
	size_t len;
	bool bad;
};
int peer_sid_copy_parser(TDB_DATA key, TDB_DATA data, void *private_data);

/* The test hook: runs t->hook, if any, at @where */
void peer_run_hook(struct bpa_peer_table *t, const char *where);

#ifdef BPA_PEER_TABLE_TEST_HOOK
/**
 * For tests only: @hook is called with "in_transaction" (all changes
 * made, before commit), "prepared" (after
 * tdb_transaction_prepare_commit()) and "committed" during every write
 * transaction of @t (add, add_batch, remove), so a test can stop or kill
 * the process there.  NULL removes it.
 */
void bpa_peer_table_set_test_hook(struct bpa_peer_table *t,
				  void (*hook)(const char *where,
					       void *private_data),
				  void *private_data);
#endif

#endif /* _BPA_PEER_TABLE_PRIVATE_H_ */
