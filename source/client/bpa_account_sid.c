/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * MS-BPAU 3.2.4.1: "the subject of the received certificate MUST be a
 * SID that represents the Kerberos identity of the server".  The
 * server's Kerberos identity is its machine account (3.2.3); its SID
 * is asked of a DC with SAMR (MS-SAMR 3.1.5.1.2 Connect2, 3.1.5.2.1
 * EnumerateDomainsInSamServer, 3.1.5.11.1 LookupDomainInSamServer,
 * 3.1.5.1.5 OpenDomain, 3.1.5.11.2 LookupNamesInDomain), called
 * through the public dcerpc_binding_handle_call() and Samba's
 * ndr_table_samr.
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include "util/bpa_debug.h"
#include <talloc.h>
#include <tevent.h>
#include <core/ntstatus.h>
#include <dcerpc.h>
#include <rpc_common.h>
#include <gen_ndr/security.h>
#include <gen_ndr/samr.h>
#include <gen_ndr/ndr_samr.h>
#include "util/sid_string.h"
#include "client/bpa_client.h"
#include "client/bpa_client_private.h"

struct samr_lookup {
	struct dcerpc_binding_handle *h;
	struct policy_handle connect_handle;
	struct policy_handle domain_handle;
	bool have_connect;
	bool have_domain;
	char domain[257];		/* the account domain's name */
	struct dom_sid domain_sid;	/* and its SID, once open */
};

/*
 * A SAMR connection kept for several lookups (bpa_client.h): the pipe,
 * and the account domain opened by the first lookup, so that a later
 * one is a single LookupNames.  The handles go with the connection.
 */
struct bpa_samr_conn {
	struct dcerpc_pipe *pipe;
	struct samr_lookup s;
};

static NTSTATUS samr_call(struct samr_lookup *s,
			  TALLOC_CTX *mem_ctx,
			  uint32_t opnum,
			  void *r)
{
	return dcerpc_binding_handle_call(s->h, NULL, &ndr_table_samr, opnum,
					  mem_ctx, r);
}

static void samr_close(struct samr_lookup *s,
		       TALLOC_CTX *mem_ctx,
		       struct policy_handle *ph)
{
	struct samr_Close c = { .in = { .handle = ph } };
	NTSTATUS status;

	c.out.handle = ph;
	status = samr_call(s, mem_ctx, NDR_SAMR_CLOSE, &c);
	if (!NT_STATUS_IS_OK(status)) {
		DBG_DEBUG("samr_Close: %s\n", nt_errstr(status));
	}
}

/* the account domain's name: the one that is not "Builtin" */
static NTSTATUS samr_account_domain(struct samr_lookup *s,
				    TALLOC_CTX *mem_ctx,
				    const char **name)
{
	struct samr_EnumDomains e = { .in = { 0 } };
	struct samr_SamArray *sam = NULL;
	uint32_t resume = 0;
	uint32_t num = 0;
	uint32_t i;
	NTSTATUS status;

	e.in.connect_handle = &s->connect_handle;
	e.in.buf_size = (uint32_t)-1;
	e.in.resume_handle = &resume;
	e.out.resume_handle = &resume;
	e.out.sam = &sam;
	e.out.num_entries = &num;
	status = samr_call(s, mem_ctx, NDR_SAMR_ENUMDOMAINS, &e);
	if (NT_STATUS_IS_OK(status)) {
		status = e.out.result;
	}
	if (!NT_STATUS_IS_OK(status)) {
		DBG_NOTICE("samr_EnumDomains: %s\n", nt_errstr(status));
		return status;
	}
	for (i = 0; sam != NULL && i < sam->count; i++) {
		const char *n = sam->entries[i].name.string;

		if (n != NULL && strcasecmp(n, "Builtin") != 0) {
			*name = n;
			return NT_STATUS_OK;
		}
	}
	return NT_STATUS_NO_SUCH_DOMAIN;
}

/* Connect2, the account domain, OpenDomain: s->domain_handle */
static NTSTATUS samr_open_domain(struct samr_lookup *s,
				 TALLOC_CTX *mem_ctx)
{
	struct samr_Connect2 c2 = { .in = { 0 } };
	struct samr_LookupDomain ld = { .in = { 0 } };
	struct samr_OpenDomain od = { .in = { 0 } };
	struct lsa_String domain_name = { 0 };
	struct dom_sid2 *domain_sid = NULL;
	const char *domain = NULL;
	NTSTATUS status;

	/* a kept connection retrying after a failure is connected already */
	if (!s->have_connect) {
		c2.in.system_name = NULL;
		c2.in.access_mask = SAMR_ACCESS_CONNECT_TO_SERVER |
			SAMR_ACCESS_ENUM_DOMAINS | SAMR_ACCESS_LOOKUP_DOMAIN;
		c2.out.connect_handle = &s->connect_handle;
		status = samr_call(s, mem_ctx, NDR_SAMR_CONNECT2, &c2);
		if (NT_STATUS_IS_OK(status)) {
			status = c2.out.result;
		}
		if (!NT_STATUS_IS_OK(status)) {
			DBG_NOTICE("samr_Connect2: %s\n", nt_errstr(status));
			return status;
		}
		s->have_connect = true;
	}

	status = samr_account_domain(s, mem_ctx, &domain);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}

	domain_name.string = domain;
	ld.in.connect_handle = &s->connect_handle;
	ld.in.domain_name = &domain_name;
	ld.out.sid = &domain_sid;
	status = samr_call(s, mem_ctx, NDR_SAMR_LOOKUPDOMAIN, &ld);
	if (NT_STATUS_IS_OK(status)) {
		status = ld.out.result;
	}
	if (!NT_STATUS_IS_OK(status)) {
		DBG_NOTICE("samr_LookupDomain(%s): %s\n", domain,
			   nt_errstr(status));
		return status;
	}
	if (domain_sid == NULL ||
	    domain_sid->num_auths < 0 ||
	    (size_t)domain_sid->num_auths >= (sizeof(domain_sid->sub_auths) /
				     sizeof(domain_sid->sub_auths[0]))) {
		return NT_STATUS_INVALID_SID;
	}

	od.in.connect_handle = &s->connect_handle;
	od.in.access_mask = SAMR_DOMAIN_ACCESS_LOOKUP_INFO_1 |
		SAMR_DOMAIN_ACCESS_OPEN_ACCOUNT;
	od.in.sid = domain_sid;
	od.out.domain_handle = &s->domain_handle;
	status = samr_call(s, mem_ctx, NDR_SAMR_OPENDOMAIN, &od);
	if (NT_STATUS_IS_OK(status)) {
		status = od.out.result;
	}
	if (!NT_STATUS_IS_OK(status)) {
		DBG_NOTICE("samr_OpenDomain(%s): %s\n", domain,
			   nt_errstr(status));
		return status;
	}
	s->have_domain = true;
	snprintf(s->domain, sizeof(s->domain), "%s", domain);
	s->domain_sid = *domain_sid;
	return NT_STATUS_OK;
}

/* LookupNames of @account in the open domain: a user object's SID */
static NTSTATUS samr_lookup_name(struct samr_lookup *s,
				 TALLOC_CTX *mem_ctx,
				 const char *account,
				 struct dom_sid *sid)
{
	struct samr_LookupNames ln = { .in = { 0 } };
	struct lsa_String name = { 0 };
	struct samr_Ids rids = { 0 };
	struct samr_Ids types = { 0 };
	const char *domain = s->domain;
	NTSTATUS status;

	name.string = account;
	ln.in.domain_handle = &s->domain_handle;
	ln.in.num_names = 1;
	ln.in.names = &name;
	ln.out.rids = &rids;
	ln.out.types = &types;
	status = samr_call(s, mem_ctx, NDR_SAMR_LOOKUPNAMES, &ln);
	if (NT_STATUS_IS_OK(status)) {
		status = ln.out.result;
	}
	if (!NT_STATUS_IS_OK(status)) {
		DBG_NOTICE("samr_LookupNames(%s\\%s): %s\n", domain, account,
			   nt_errstr(status));
		return status;
	}
	/* a machine account is a user object (SID_NAME_USER) */
	if (rids.count != 1 || types.count != 1 || rids.ids == NULL ||
	    types.ids == NULL || types.ids[0] != SID_NAME_USER) {
		DBG_NOTICE("%s\\%s is not a user account\n", domain,
			   account);
		return NT_STATUS_NONE_MAPPED;
	}

	*sid = s->domain_sid;
	sid->sub_auths[sid->num_auths++] = rids.ids[0];
	return NT_STATUS_OK;
}

static NTSTATUS samr_lookup_run(struct samr_lookup *s,
				TALLOC_CTX *mem_ctx,
				const char *account,
				struct dom_sid *sid)
{
	NTSTATUS status = NT_STATUS_OK;

	if (!s->have_domain) {
		status = samr_open_domain(s, mem_ctx);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = samr_lookup_name(s, mem_ctx, account, sid);
	}
	return status;
}

static HRESULT lookup_hresult(NTSTATUS status)
{
	if (NT_STATUS_EQUAL(status, NT_STATUS_NONE_MAPPED) ||
	    NT_STATUS_EQUAL(status, NT_STATUS_SOME_NOT_MAPPED)) {
		return BPA_E_CLIENT_NO_SUCH_ACCOUNT;
	}
	if (NT_STATUS_EQUAL(status, NT_STATUS_NO_MEMORY)) {
		return HRES_E_OUTOFMEMORY;
	}
	return bpa_client_hresult_from_nt(status);
}

static HRESULT lookup_result(NTSTATUS status,
			     const char *account,
			     const struct dom_sid *found,
			     struct dom_sid *sid)
{
	char buf[BPA_SID_STRING_MAX];

	if (!NT_STATUS_IS_OK(status)) {
		return lookup_hresult(status);
	}
	*sid = *found;
	DBG_INFO("%s is %s\n", account, bpa_sid_format(found, buf));
	return BPA_S_OK;
}

_PUBLIC_ HRESULT bpa_client_samr_lookup(TALLOC_CTX *mem_ctx,
					struct dcerpc_binding_handle *samr,
					const char *account,
					struct dom_sid *sid)
{
	TALLOC_CTX *frame = NULL;
	struct samr_lookup s = { .h = samr };
	struct dom_sid found = { 0 };
	NTSTATUS status;

	if (samr == NULL || account == NULL || account[0] == '\0' ||
	    sid == NULL) {
		return HRES_E_INVALIDARG;
	}
	frame = talloc_new(mem_ctx);
	if (frame == NULL) {
		return HRES_E_OUTOFMEMORY;
	}
	status = samr_lookup_run(&s, frame, account, &found);
	if (s.have_domain) {
		samr_close(&s, frame, &s.domain_handle);
	}
	if (s.have_connect) {
		samr_close(&s, frame, &s.connect_handle);
	}
	TALLOC_FREE(frame);
	return lookup_result(status, account, &found, sid);
}

_PUBLIC_ HRESULT bpa_client_lookup_account_sid(TALLOC_CTX *mem_ctx,
					       struct tevent_context *ev,
					       struct loadparm_context *lp_ctx,
					       struct cli_credentials *creds,
					       const char *binding,
					       const char *account,
					       struct dom_sid *sid)
{
	TALLOC_CTX *frame = talloc_new(mem_ctx);
	struct bpa_samr_conn *c = NULL;
	HRESULT hr;

	if (frame == NULL) {
		return HRES_E_OUTOFMEMORY;
	}
	/* one lookup on a connection of its own, closed with @frame */
	hr = bpa_client_lookup_account_sid_on(frame, ev, lp_ctx, creds,
					      binding, frame, &c, account,
					      sid);
	TALLOC_FREE(frame);
	return hr;
}

_PUBLIC_ HRESULT
bpa_client_lookup_account_sid_on(TALLOC_CTX *mem_ctx,
				 struct tevent_context *ev,
				 struct loadparm_context *lp_ctx,
				 struct cli_credentials *creds,
				 const char *binding,
				 TALLOC_CTX *conn_ctx,
				 struct bpa_samr_conn **samr,
				 const char *account,
				 struct dom_sid *sid)
{
	struct bpa_samr_conn *c = NULL;
	struct dom_sid found = { 0 };
	TALLOC_CTX *frame = NULL;
	NTSTATUS status;
	HRESULT hr;

	if (ev == NULL || lp_ctx == NULL || creds == NULL ||
	    conn_ctx == NULL || samr == NULL || account == NULL ||
	    account[0] == '\0' || sid == NULL) {
		return HRES_E_INVALIDARG;
	}
	if (*samr == NULL) {
		c = talloc_zero(conn_ctx, struct bpa_samr_conn);
		if (c == NULL) {
			return HRES_E_OUTOFMEMORY;
		}
		hr = bpa_client_connect(c, ev, lp_ctx, creds, binding,
					&ndr_table_samr, &c->pipe);
		if (!HRES_IS_OK(hr)) {
			TALLOC_FREE(c);
			return hr;
		}
		c->s.h = c->pipe->binding_handle;
		*samr = c;
	}
	c = *samr;
	frame = talloc_new(mem_ctx);
	if (frame == NULL) {
		return HRES_E_OUTOFMEMORY;
	}
	/* the domain stays open for the next lookup on @c */
	status = samr_lookup_run(&c->s, frame, account, &found);
	TALLOC_FREE(frame);
	return lookup_result(status, account, &found, sid);
}
