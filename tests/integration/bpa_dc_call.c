/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bpa_dc_call: one ExchangePublicKeys call (MS-BPAU 3.1.4.1) against a
 * live DC, with Samba's own client library and the pidl-generated stub
 * (dcerpc_bitspeerauth_ExchangePublicKeys_r), for the 'dc' tests and
 * `make run`.
 *
 *   bpa_dc_call --binding B [identity] [request] [--out FILE]
 *
 * identity: --ccache FILE (Kerberos ticket cache), --user U --password P,
 *           or --anonymous.  The binding chooses the auth type and level
 *           ("[krb5,sign]", "[ntlm,sign]", "[spnego,seal]", "[krb5,connect]",
 *           "[]" for none).
 * request:  --empty (ClientKeyLength 0, the default), --blob FILE (send
 *           its bytes as ClientKey), or --raw-hex HEX [--opnum N] (send
 *           these NDR stub bytes as they are: dcerpc_binding_handle_raw_call).
 *           --raw FILE [--opnum N] does the same with the bytes of FILE.
 *           --repeat N makes N calls on the one connection.
 *
 * bpa_dc_call --table PATH prints the peer table at PATH instead (read
 * only): "check=0x..." if bpa_peer_table_check() finds the file
 * inconsistent, "count=N", then one line per row, sorted by SID:
 * "<SID> <sha256 of the certificate> inserted=<t> last=<t>".
 *
 * bpa_dc_call --make-blob SUBJECT --out FILE writes a fresh
 * self-signed certificate with CN=SUBJECT as a CERTIFICATE_BLOB, and
 * bpa_dc_call --blob-subject FILE prints the subject CN of one: both
 * with torture/torture_cert.c, an encoder independent of source/blob,
 * so the server is not checked against itself.
 *
 * Prints one line: "status=<NTSTATUS name> hresult=0x........
 * server_key_length=N" (hresult and length only when the call
 * returned), and writes the server key to --out FILE.  Exit status: 0
 * when the call returned (whatever its HRESULT), 1 on a connection
 * error, 2 on an RPC fault or transport error during the call, 3 on
 * usage errors.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <inttypes.h>
#include <talloc.h>
/* tevent_loop_allow_nesting(): what Samba's own tools do, see main() */
#define TEVENT_DEPRECATED 1
#include <tevent.h>
#include <util/data_blob.h>
#include <core/ntstatus.h>
#include <param.h>
#include <credentials.h>
#include <dcerpc.h>
#include <rpc_common.h>
#include "librpc/gen_ndr/ndr_bitspeerauth.h"
#include "librpc/gen_ndr/ndr_bitspeerauth_c.h"
#include "util/sid_string.h"
#include "peers/peer_table.h"
#include "torture/torture_cert.h"
#include "common/test_hex.h"

struct call_opts {
	const char *binding;
	const char *smbconf;
	const char *ccache;
	const char *user;
	const char *password;
	bool anonymous;
	const char *blob_file;
	const char *raw_hex;
	const char *raw_file;
	uint32_t opnum;
	const char *out_file;
	const char *table;
	const char *make_blob;
	const char *blob_of_cert;
	unsigned rsa_bits;
	const char *blob_subject;
	unsigned repeat;
};

static int usage(void)
{
	fprintf(stderr, "usage: bpa_dc_call --table PATH\n"
		"       bpa_dc_call --make-blob SUBJECT [--rsa-bits N]"
		" --out FILE\n"
		"       bpa_dc_call --blob-of-cert DER-FILE --out FILE\n"
		"       bpa_dc_call --blob-subject FILE\n"
		"       bpa_dc_call --binding B [-s SMBCONF] "
		"[--ccache F | --user U --password P | --anonymous]\n"
		"       [--empty | --blob FILE | --raw-hex HEX | --raw FILE]"
		" [--opnum N]"
		" [--repeat N] [--out FILE]\n");
	return 3;
}

static bool read_file(TALLOC_CTX *mem_ctx, const char *path, DATA_BLOB *b)
{
	FILE *f = fopen(path, "rb");
	uint8_t buf[4096];
	size_t n;

	*b = data_blob_null;
	if (f == NULL) {
		perror(path);
		return false;
	}
	b->data = talloc_size(mem_ctx, 0);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		b->data = talloc_realloc_size(mem_ctx, b->data, b->length + n);
		if (b->data == NULL) {
			fclose(f);
			return false;
		}
		memcpy(b->data + b->length, buf, n);
		b->length += n;
	}
	fclose(f);
	return true;
}

static bool write_file(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	bool ok;

	if (f == NULL) {
		perror(path);
		return false;
	}
	ok = (n == 0 || fwrite(p, 1, n, f) == n);
	ok = (fclose(f) == 0) && ok;
	return ok;
}

static struct cli_credentials *make_creds(TALLOC_CTX *mem_ctx,
					  struct loadparm_context *lp_ctx,
					  const struct call_opts *o)
{
	struct cli_credentials *c = cli_credentials_init(mem_ctx);
	const char *err = NULL;
	int ret;

	if (c == NULL) {
		return NULL;
	}
	cli_credentials_set_conf(c, lp_ctx);
	if (o->anonymous) {
		cli_credentials_set_anonymous(c);
		return c;
	}
	if (o->ccache != NULL) {
		ret = cli_credentials_set_ccache(c, lp_ctx, o->ccache,
						 CRED_SPECIFIED, &err);
		if (ret != 0) {
			fprintf(stderr, "ccache %s: %s\n", o->ccache,
				err ? err : "error");
			return NULL;
		}
		return c;
	}
	if (o->user != NULL) {
		cli_credentials_parse_string(c, o->user, CRED_SPECIFIED);
		cli_credentials_set_password(c, o->password ? o->password : "",
					     CRED_SPECIFIED);
		return c;
	}
	cli_credentials_set_anonymous(c);
	return c;
}

static int row_print(const struct bpa_peer *peer, void *private_data)
{
	char ***lines = private_data;
	char sid[BPA_SID_STRING_MAX];
	char hash[65];
	char *line = NULL;
	size_t i;

	for (i = 0; i < sizeof(peer->cert_hash); i++) {
		snprintf(hash + 2 * i, 3, "%02x", peer->cert_hash[i]);
	}
	line = talloc_asprintf(*lines, "%s %s inserted=%lld last=%lld",
			       bpa_sid_format(&peer->sid, sid) ? sid : "?",
			       hash, (long long)peer->inserted,
			       (long long)peer->last_exchange);
	if (line == NULL) {
		return 1;
	}
	*lines = talloc_realloc(NULL, *lines, char *,
				talloc_array_length(*lines) + 1);
	if (*lines == NULL) {
		return 1;
	}
	(*lines)[talloc_array_length(*lines) - 1] =
		talloc_steal(*lines, line);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

/* --table PATH: the rows of a peer table, read only */
static int dump_table(TALLOC_CTX *mem_ctx, const char *path)
{
	struct bpa_peer_table_params p;
	struct bpa_peer_table *t = NULL;
	char **lines = talloc_array(mem_ctx, char *, 0);
	uint32_t count = 0;
	size_t i;
	HRESULT hr;

	bpa_peer_table_params_init(&p);
	p.path = path;
	p.attach = true;
	p.read_only = true;
	hr = bpa_peer_table_open(mem_ctx, &p, &t);
	if (HRES_ERROR_V(hr) == HRES_ERROR_V(BPA_E_PEERS_NO_TABLE)) {
		printf("count=none\n");
		return 0;
	}
	if (!HRES_IS_OK(hr) || lines == NULL) {
		printf("table=0x%08x\n", HRES_ERROR_V(hr));
		return 1;
	}
	hr = bpa_peer_table_traverse(t, row_print, &lines, &count);
	if (!HRES_IS_OK(hr) || lines == NULL) {
		printf("traverse=0x%08x\n", HRES_ERROR_V(hr));
		return 1;
	}
	qsort(lines, talloc_array_length(lines), sizeof(char *), cmp_str);
	hr = bpa_peer_table_check(t);
	if (!HRES_IS_OK(hr)) {
		/* tdb_check and the table's own invariants */
		printf("check=0x%08x\n", HRES_ERROR_V(hr));
	}
	printf("count=%" PRIu32 "\n", count);
	for (i = 0; i < talloc_array_length(lines); i++) {
		printf("%s\n", lines[i]);
	}
	TALLOC_FREE(t);
	return 0;
}

static int call_stub(TALLOC_CTX *mem_ctx,
		     struct dcerpc_pipe *p,
		     const DATA_BLOB *key,
		     const struct call_opts *o)
{
	struct bitspeerauth_ExchangePublicKeys r = { .in = { 0 } };
	uint32_t out_len = 0;
	uint8_t *out_key = NULL;
	NTSTATUS status;

	r.in.ClientKeyLength = key->length;
	r.in.ClientKey = (key->length > 0) ? key->data : NULL;
	r.out.pServerKeyLength = &out_len;
	r.out.pServerKey = &out_key;
	status = dcerpc_bitspeerauth_ExchangePublicKeys_r(p->binding_handle,
							  mem_ctx,
							  &r);
	if (!NT_STATUS_IS_OK(status)) {
		printf("status=%s\n", nt_errstr(status));
		return 2;
	}
	printf("status=%s hresult=0x%08" PRIx32
	       " server_key_length=%" PRIu32 "\n", nt_errstr(status),
	       HRES_ERROR_V(r.out.result), out_len);
	if (o->out_file != NULL &&
	    !write_file(o->out_file, out_key, out_key ? out_len : 0)) {
		return 2;
	}
	return 0;
}

static int call_raw(TALLOC_CTX *mem_ctx,
		    struct dcerpc_pipe *p,
		    const DATA_BLOB *in,
		    const struct call_opts *o)
{
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint32_t out_flags = 0;
	uint32_t hr;
	NTSTATUS status;

	status = dcerpc_binding_handle_raw_call(p->binding_handle, NULL,
						o->opnum, 0, in->data,
						in->length, mem_ctx, &out,
						&out_len, &out_flags);
	if (!NT_STATUS_IS_OK(status)) {
		printf("status=%s\n", nt_errstr(status));
		return 2;
	}
	if (out_len < 8) {
		printf("status=%s reply_length=%zu\n", nt_errstr(status),
		       out_len);
		return 2;
	}
	/* NDR32 reply: pServerKeyLength, pointer, [array], HRESULT */
	hr = (uint32_t)out[out_len - 4] | ((uint32_t)out[out_len - 3] << 8) |
		((uint32_t)out[out_len - 2] << 16) |
		((uint32_t)out[out_len - 1] << 24);
	printf("status=%s hresult=0x%08" PRIx32 " server_key_length=%" PRIu32
	       "\n", nt_errstr(status), hr,
	       (uint32_t)out[0] | ((uint32_t)out[1] << 8) |
	       ((uint32_t)out[2] << 16) | ((uint32_t)out[3] << 24));
	if (o->out_file != NULL && !write_file(o->out_file, out, out_len)) {
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "binding", required_argument, NULL, 'b' },
		{ "smbconf", required_argument, NULL, 's' },
		{ "ccache", required_argument, NULL, 'c' },
		{ "user", required_argument, NULL, 'U' },
		{ "password", required_argument, NULL, 'P' },
		{ "anonymous", no_argument, NULL, 'A' },
		{ "empty", no_argument, NULL, 'e' },
		{ "blob", required_argument, NULL, 'f' },
		{ "raw-hex", required_argument, NULL, 'x' },
		{ "raw", required_argument, NULL, 'R' },
		{ "opnum", required_argument, NULL, 'o' },
		{ "out", required_argument, NULL, 'O' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "table", required_argument, NULL, 'T' },
		{ "make-blob", required_argument, NULL, 'M' },
		{ "rsa-bits", required_argument, NULL, 'K' },
		{ "blob-subject", required_argument, NULL, 'S' },
		{ "blob-of-cert", required_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};
	struct call_opts o = { .repeat = 1 };
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct tevent_context *ev = NULL;
	struct loadparm_context *lp_ctx = NULL;
	struct cli_credentials *creds = NULL;
	struct dcerpc_pipe *p = NULL;
	DATA_BLOB in = data_blob_null;
	NTSTATUS status;
	unsigned i;
	int ret = 3;
	int c;

	while ((c = getopt_long(argc, argv, "b:s:", longopts, NULL)) != -1) {
		switch (c) {
		case 'b': o.binding = optarg; break;
		case 's': o.smbconf = optarg; break;
		case 'c': o.ccache = optarg; break;
		case 'U': o.user = optarg; break;
		case 'P': o.password = optarg; break;
		case 'A': o.anonymous = true; break;
		case 'e': break;
		case 'f': o.blob_file = optarg; break;
		case 'x': o.raw_hex = optarg; break;
		case 'R': o.raw_file = optarg; break;
		case 'o': o.opnum = strtoul(optarg, NULL, 0); break;
		case 'O': o.out_file = optarg; break;
		case 'r': o.repeat = strtoul(optarg, NULL, 0); break;
		case 'T': o.table = optarg; break;
		case 'M': o.make_blob = optarg; break;
		case 'K': o.rsa_bits = strtoul(optarg, NULL, 0); break;
		case 'S': o.blob_subject = optarg; break;
		case 'C': o.blob_of_cert = optarg; break;
		default: goto done;
		}
	}
	if (o.blob_of_cert != NULL && o.out_file != NULL && optind == argc) {
		const char *err = "cannot read the certificate";
		DATA_BLOB der;

		ret = 1;
		if (read_file(mem_ctx, o.blob_of_cert, &der) &&
		    bpa_torture_blob_of_der(mem_ctx, &der, &in, &err) &&
		    write_file(o.out_file, in.data, in.length)) {
			ret = 0;
		} else {
			fprintf(stderr, "blob-of-cert: %s\n", err);
		}
		goto done;
	}
	if (o.make_blob != NULL && o.out_file != NULL && optind == argc) {
		struct bpa_torture_cert_opts copts = {
			.rsa_bits = o.rsa_bits,
		};
		const char *err = NULL;

		ret = 1;
		if (bpa_torture_make_blob_opts(mem_ctx, o.make_blob, &copts,
					       &in, &err) &&
		    write_file(o.out_file, in.data, in.length)) {
			ret = 0;
		} else if (err != NULL) {
			fprintf(stderr, "make-blob: %s\n", err);
		}
		goto done;
	}
	if (o.blob_subject != NULL && optind == argc) {
		const char *err = NULL;
		char *subject = NULL;

		ret = 1;
		if (read_file(mem_ctx, o.blob_subject, &in)) {
			subject = bpa_torture_blob_subject(mem_ctx, &in, &err);
		}
		if (subject != NULL) {
			printf("%s\n", subject);
			ret = 0;
		} else {
			fprintf(stderr, "blob-subject: %s\n",
				err ? err : "error");
		}
		goto done;
	}
	if (o.table != NULL && optind == argc) {
		ret = dump_table(mem_ctx, o.table);
		goto done;
	}
	if (o.binding == NULL || optind != argc) {
		ret = usage();
		goto done;
	}
	if (o.smbconf == NULL) {
		o.smbconf = getenv("BPA_SMBCONF");
	}
	status = dcerpc_init();	/* registers the gensec mechanisms */
	if (!NT_STATUS_IS_OK(status)) {
		goto done;
	}
	ev = tevent_context_init(mem_ctx);
	lp_ctx = loadparm_init_global(false);
	if (ev == NULL || lp_ctx == NULL) {
		goto done;
	}
	/* a password kinit runs a nested loop inside the bind */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	tevent_loop_allow_nesting(ev);
#pragma GCC diagnostic pop
	if (o.smbconf != NULL && !lpcfg_load(lp_ctx, o.smbconf)) {
		fprintf(stderr, "cannot load %s\n", o.smbconf);
		goto done;
	}
	if (o.blob_file != NULL && !read_file(mem_ctx, o.blob_file, &in)) {
		goto done;
	}
	if (o.raw_file != NULL && !read_file(mem_ctx, o.raw_file, &in)) {
		goto done;
	}
	if (o.raw_hex != NULL &&
	    !bpa_test_hex_decode(mem_ctx, o.raw_hex, &in)) {
		fprintf(stderr, "bad --raw-hex\n");
		goto done;
	}
	creds = make_creds(mem_ctx, lp_ctx, &o);
	if (creds == NULL) {
		ret = 1;
		goto done;
	}
	status = dcerpc_pipe_connect(mem_ctx, &p, o.binding,
				     &ndr_table_bitspeerauth, creds, ev,
				     lp_ctx);
	if (!NT_STATUS_IS_OK(status)) {
		printf("connect=%s\n", nt_errstr(status));
		ret = 1;
		goto done;
	}
	for (i = 0; i < o.repeat; i++) {
		if (o.raw_hex != NULL || o.raw_file != NULL) {
			ret = call_raw(mem_ctx, p, &in, &o);
		} else {
			ret = call_stub(mem_ctx, p, &in, &o);
		}
		if (ret != 0) {
			break;
		}
	}
done:
	TALLOC_FREE(mem_ctx);
	return ret;
}
