/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The client role of MS-BPAU 3.2: the ExchangePublicKeys call and the
 * helpers around it.  See bpa_client.h.
 */
/* tevent_loop_allow_nesting() is only declared with this (see below) */
#define TEVENT_DEPRECATED 1
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include "util/bpa_debug.h"
#include <talloc.h>
#include <tevent.h>
#include <core/ntstatus.h>
#include <core/hresult.h>
#include <credentials.h>
#include <dcerpc.h>
#include <rpc_common.h>
#include <gen_ndr/dcerpc.h>
#include "librpc/gen_ndr/ndr_bitspeerauth.h"
#include "librpc/gen_ndr/ndr_bitspeerauth_c.h"
#include "client/bpa_client.h"
#include "client/bpa_client_private.h"

/* MS-ERREF 2.1: HRESULT_FROM_NT(x) sets the N (customer) bit */
HRESULT bpa_client_hresult_from_nt(NTSTATUS status)
{
	return HRES_ERROR(NT_STATUS_V(status) | 0x10000000);
}

_PUBLIC_ bool bpa_client_hresult_is_transient(HRESULT hr)
{
	/* a network (or a KDC) that may work later */
	const NTSTATUS transient[] = {
		NT_STATUS_CONNECTION_REFUSED,
		NT_STATUS_IO_TIMEOUT,
		NT_STATUS_HOST_UNREACHABLE,
		NT_STATUS_NETWORK_UNREACHABLE,
		NT_STATUS_PORT_UNREACHABLE,
		NT_STATUS_CONNECTION_RESET,
		NT_STATUS_CONNECTION_DISCONNECTED,
		NT_STATUS_CONNECTION_ABORTED,
		NT_STATUS_PIPE_DISCONNECTED,
		NT_STATUS_PIPE_BROKEN,
		NT_STATUS_END_OF_FILE,
		NT_STATUS_NO_LOGON_SERVERS,
		NT_STATUS_RPC_SERVER_UNAVAILABLE,
		NT_STATUS_EPT_NOT_REGISTERED,
		NT_STATUS_USER_SESSION_DELETED,
	};
	size_t i;

	/* seed bits-validate-server-certificate: set it again, resume */
	if (HRES_IS_EQUAL(hr, BPA_E_VALIDATOR_UNAVAILABLE)) {
		return true;
	}
	for (i = 0; i < sizeof(transient) / sizeof(transient[0]); i++) {
		if (HRES_IS_EQUAL(hr,
				  bpa_client_hresult_from_nt(transient[i]))) {
			return true;
		}
	}
	return false;
}

static bool binding_value_ok(const char *s)
{
	return s != NULL && s[0] != '\0' && strpbrk(s, ",[]= ") == NULL;
}

_PUBLIC_ char *bpa_client_machine_account(TALLOC_CTX *mem_ctx,
					  const char *fqdn)
{
	size_t len, i;
	char *name = NULL;

	if (fqdn == NULL) {
		return NULL;
	}
	len = strcspn(fqdn, ".");
	if (len == 0) {
		return NULL;
	}
	/* the NetBIOS name: the host label's first 15 characters */
	if (len > 15) {
		len = 15;
	}
	name = talloc_array(mem_ctx, char, len + 2);
	if (name == NULL) {
		return NULL;
	}
	for (i = 0; i < len; i++) {
		name[i] = toupper((unsigned char)fqdn[i]);
	}
	name[len] = '$';
	name[len + 1] = '\0';
	return name;
}

_PUBLIC_ char *bpa_client_binding_string_for(TALLOC_CTX *mem_ctx,
					     const char *host,
					     const char *target_hostname,
					     const char *account,
					     const char *realm,
					     bool seal)
{
	const char *level = seal ? "seal" : "sign";
	bool ok;

	ok = binding_value_ok(host) && binding_value_ok(target_hostname);
	if (!ok) {
		return NULL;
	}
	if (realm == NULL) {
		return talloc_asprintf(mem_ctx,
			"ncacn_ip_tcp:%s[krb5,%s,target_hostname=%s]",
			host, level, target_hostname);
	}
	ok = binding_value_ok(realm) && binding_value_ok(account) &&
	     strchr(account, '@') == NULL;
	if (!ok) {
		return NULL;
	}
	/* MS-BPAU 3.2.3: the server's machine account is the principal */
	return talloc_asprintf(mem_ctx,
		"ncacn_ip_tcp:%s[krb5,%s,target_hostname=%s,"
		"target_principal=%s@%s]",
		host, level, target_hostname, account, realm);
}

_PUBLIC_ char *bpa_client_binding_string(TALLOC_CTX *mem_ctx,
					 const char *host,
					 const char *target_hostname,
					 const char *realm,
					 bool seal)
{
	char *account = NULL;
	char *s = NULL;

	if (realm != NULL) {
		account = bpa_client_machine_account(mem_ctx,
						     target_hostname);
		if (account == NULL) {
			return NULL;
		}
	}
	s = bpa_client_binding_string_for(mem_ctx, host, target_hostname,
					  account, realm, seal);
	TALLOC_FREE(account);
	return s;
}

bool bpa_client_binding_ok(const char *binding)
{
	struct dcerpc_binding *b = NULL;
	uint32_t flags;
	bool ok;
	NTSTATUS status;

	if (binding == NULL) {
		return false;
	}
	status = dcerpc_parse_binding(NULL, binding, &b);
	if (!NT_STATUS_IS_OK(status)) {
		DBG_WARNING("%s: not a binding: %s\n", binding,
			    nt_errstr(status));
		return false;
	}
	flags = dcerpc_binding_get_flags(b);
	/* MS-BPAU 2.1: TCP; 3.2.3: Kerberos; and sign or seal */
	ok = dcerpc_binding_get_transport(b) == NCACN_IP_TCP &&
	     (flags & DCERPC_AUTH_KRB5) != 0 &&
	     (flags & (DCERPC_SIGN | DCERPC_SEAL)) != 0;
	if (!ok) {
		DBG_WARNING("%s: MS-BPAU needs ncacn_ip_tcp with krb5 and "
			    "sign or seal\n", binding);
	}
	TALLOC_FREE(b);
	return ok;
}

HRESULT bpa_client_connect(TALLOC_CTX *mem_ctx,
			   struct tevent_context *ev,
			   struct loadparm_context *lp_ctx,
			   struct cli_credentials *creds,
			   const char *binding,
			   const struct ndr_interface_table *table,
			   struct dcerpc_pipe **pp)
{
	struct dcerpc_pipe *p = NULL;
	enum dcerpc_AuthType type = DCERPC_AUTH_TYPE_NONE;
	enum dcerpc_AuthLevel level = DCERPC_AUTH_LEVEL_NONE;
	NTSTATUS status;
	bool ok;

	ok = bpa_client_binding_ok(binding);
	if (!ok) {
		return HRES_E_INVALIDARG;
	}
	status = dcerpc_init();
	if (!NT_STATUS_IS_OK(status)) {
		goto done;
	}
	/*
	 * Samba's Kerberos code (the KDC exchange during the bind) runs a
	 * nested loop on @ev, as s4 clients allow (tevent aborts otherwise)
	 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	tevent_loop_allow_nesting(ev);
#pragma GCC diagnostic pop
	status = dcerpc_pipe_connect(mem_ctx, &p, binding, table, creds, ev,
				     lp_ctx);
	if (!NT_STATUS_IS_OK(status)) {
		DBG_NOTICE("connect to %s (%s) failed: %s\n", binding,
			   table->name, nt_errstr(status));
		goto done;
	}
	/* MS-BPAU 3.2.3: Kerberos, and (our rule) at least integrity */
	dcerpc_binding_handle_auth_info(p->binding_handle, &type, &level);
	if (type != DCERPC_AUTH_TYPE_KRB5 ||
	    level < DCERPC_AUTH_LEVEL_INTEGRITY) {
		DBG_WARNING("%s: not Kerberos with sign or seal "
			    "(auth type %d, level %d): refused\n",
			    binding, (int)type, (int)level);
		TALLOC_FREE(p);
		status = NT_STATUS_RPC_UNSUPPORTED_AUTHN_LEVEL;
		goto done;
	}
	/* MS-BPAU 3.2.2: 15 s call timeout */
	dcerpc_binding_handle_set_timeout(p->binding_handle,
					  BPA_CLIENT_CALL_TIMEOUT);
	/* no call waits on Nagle: smb.conf "socket options" */
	bpa_client_socket_options(p, lp_ctx);
	*pp = p;
done:
	if (!NT_STATUS_IS_OK(status)) {
		return bpa_client_hresult_from_nt(status);
	}
	return BPA_S_OK;
}

/* The port the endpoint mapper gave and the pipe connected to */
static uint16_t connected_port(const struct dcerpc_pipe *p)
{
	const char *ep = dcerpc_binding_get_string_option(p->binding,
							  "endpoint");
	char *end = NULL;
	unsigned long v;

	if (ep == NULL || ep[0] < '0' || ep[0] > '9') {
		return 0;
	}
	v = strtoul(ep, &end, 10);
	if (*end != '\0' || v == 0 || v > 65535) {
		return 0;
	}
	return (uint16_t)v;
}

_PUBLIC_ HRESULT bpa_client_exchange(TALLOC_CTX *mem_ctx,
				     struct tevent_context *ev,
				     struct loadparm_context *lp_ctx,
				     struct cli_credentials *creds,
				     const char *binding,
				     const DATA_BLOB *local_blob,
				     struct bpa_client_result **presult)
{
	return bpa_client_exchange_timed(mem_ctx, ev, lp_ctx, creds, binding,
					 local_blob, presult, NULL);
}

_PUBLIC_ HRESULT bpa_client_exchange_timed(TALLOC_CTX *mem_ctx,
					   struct tevent_context *ev,
					   struct loadparm_context *lp_ctx,
					   struct cli_credentials *creds,
					   const char *binding,
					   const DATA_BLOB *local_blob,
					   struct bpa_client_result **presult,
					   struct bpa_client_timing *t)
{
	uint64_t t0 = bpa_client_clock_ns();
	TALLOC_CTX *frame = NULL;
	struct dcerpc_pipe *p = NULL;
	struct bitspeerauth_ExchangePublicKeys r = { .in = { 0 } };
	struct bpa_client_result *res = NULL;
	enum dcerpc_AuthType type = DCERPC_AUTH_TYPE_NONE;
	enum dcerpc_AuthLevel level = DCERPC_AUTH_LEVEL_NONE;
	uint32_t server_len = 0;
	uint8_t *server_key = NULL;
	NTSTATUS status;
	HRESULT hr;

	*presult = NULL;
	if (ev == NULL || lp_ctx == NULL || creds == NULL ||
	    local_blob == NULL || local_blob->length == 0 ||
	    local_blob->length > BITSPEERAUTH_MAX_KEY_LENGTH) {
		DBG_ERR("invalid arguments\n");
		return HRES_E_INVALIDARG;
	}
	frame = talloc_new(mem_ctx);
	if (frame == NULL) {
		return HRES_E_OUTOFMEMORY;
	}

	hr = bpa_client_connect(frame, ev, lp_ctx, creds, binding,
				&ndr_table_bitspeerauth, &p);
	t0 = bpa_client_timing_add(t, BPA_CLIENT_PHASE_BIND, t0);
	if (!HRES_IS_OK(hr)) {
		goto done;
	}
	dcerpc_binding_handle_auth_info(p->binding_handle, &type, &level);

	/* MS-BPAU 3.2.4.1: the client MUST send its local certificate */
	r.in.ClientKeyLength = local_blob->length;
	r.in.ClientKey = local_blob->data;
	r.out.pServerKeyLength = &server_len;
	r.out.pServerKey = &server_key;
	status = dcerpc_bitspeerauth_ExchangePublicKeys_r(p->binding_handle,
							  frame,
							  &r);
	bpa_client_timing_add(t, BPA_CLIENT_PHASE_CALL, t0);
	if (!NT_STATUS_IS_OK(status)) {
		DBG_WARNING("ExchangePublicKeys via %s: %s\n", binding,
			    nt_errstr(status));
		hr = bpa_client_hresult_from_nt(status);
		goto done;
	}
	/* 3.2.4.1: an error: ignore pServerKey and pServerKeyLength */
	if (!HRES_IS_OK(r.out.result)) {
		DBG_NOTICE("ExchangePublicKeys via %s: server returned "
			   "0x%08" PRIx32 "\n", binding,
			   HRES_ERROR_V(r.out.result));
		hr = r.out.result;
		goto done;
	}
	/* 3.2.4.1: a zero length is an error, whatever pServerKey is */
	if (server_len == 0 || server_key == NULL) {
		DBG_WARNING("ExchangePublicKeys via %s: no server key\n",
			    binding);
		hr = BPA_E_CLIENT_NO_SERVER_KEY;
		goto done;
	}

	res = talloc_zero(mem_ctx, struct bpa_client_result);
	if (res == NULL) {
		hr = HRES_E_OUTOFMEMORY;
		goto done;
	}
	res->server_blob = data_blob_talloc(res, server_key, server_len);
	if (res->server_blob.data == NULL) {
		TALLOC_FREE(res);
		hr = HRES_E_OUTOFMEMORY;
		goto done;
	}
	res->auth_type = type;
	res->auth_level = level;
	res->port = connected_port(p);
	DBG_INFO("ExchangePublicKeys via %s: %" PRIu32 " byte server "
		 "blob\n", binding, server_len);
	*presult = res;
	hr = BPA_S_OK;
done:
	TALLOC_FREE(frame);
	return hr;
}
