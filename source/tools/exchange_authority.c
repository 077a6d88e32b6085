/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * "bitspeerauth exchange": who answers for account SIDs, MS-BPAU
 * 3.2.4.1 (cmd_exchange_private.h): a DC named with --dc, else this
 * host's winbindd, never the server under test.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <talloc.h>
#include <param.h>
#include "util/bpa_winbind.h"
#include "tools/tool_output.h"
#include "tools/cmd_exchange_private.h"

/* libsamba-hostconfig (public), declared in no installed header */
const char *lpcfg_workgroup(struct loadparm_context *lp_ctx);

bool exchange_lookup_sid(TALLOC_CTX *mem_ctx,
			 struct exchange_run *r,
			 const char *account,
			 struct dom_sid *sid)
{
	uint64_t t0 = bpa_client_clock_ns();
	HRESULT hr;

	/* the server's SID and ours over one SAMR connection */
	hr = bpa_client_authority_sid_on(mem_ctx, r->ev, r->lp_ctx, r->creds,
					 &r->authority, mem_ctx, &r->samr,
					 account, sid);
	r->mark = bpa_client_timing_add(r->timing, BPA_CLIENT_PHASE_LOOKUP,
					t0);
	if (!HRES_IS_OK(hr)) {
		fprintf(stderr, "looking up %s: ", account);
		bpa_tool_print_hresult(NULL, r->authority_name, hr);
		r->lookup_hr = hr;
		return false;
	}
	return true;
}

bool exchange_is_address(const char *s)
{
	struct in6_addr a6;
	struct in_addr a4;

	return inet_pton(AF_INET, s, &a4) == 1 ||
	       inet_pton(AF_INET6, s, &a6) == 1;
}

bool exchange_pick_authority(TALLOC_CTX *mem_ctx,
			     const struct exchange_opts *o,
			     struct exchange_run *r,
			     const char *realm)
{
	struct bpa_sid_authority *a = &r->authority;
	char *binding = NULL;

	if (o->dc == NULL) {
		if (!bpa_winbind_available()) {
			a->kind = BPA_SID_AUTHORITY_NONE;
			r->authority_name = "none";
			return true;
		}
		a->kind = BPA_SID_AUTHORITY_WINBIND;
		a->domain = lpcfg_workgroup(r->lp_ctx);
		r->authority_name = "winbind";
		return true;
	}
	a->kind = BPA_SID_AUTHORITY_DC;
	a->dc_host = o->dc;
	a->dc_hostname = o->dc_hostname;
	if (a->dc_hostname == NULL && !exchange_is_address(o->dc)) {
		a->dc_hostname = o->dc;
	}
	a->dc_account = o->dc_account;
	a->realm = realm;
	if (a->dc_hostname == NULL) {
		fprintf(stderr, "--dc %s is an address: give the DC's FQDN "
			"with --dc-hostname\n", o->dc);
		return false;
	}
	binding = bpa_client_authority_binding(mem_ctx, a);
	if (binding == NULL) {
		fprintf(stderr, "bad --dc, --dc-hostname or --dc-account, or "
			"no realm\n");
		return false;
	}
	r->authority_name = talloc_asprintf(mem_ctx, "DC %s",
					    a->dc_hostname);
	return r->authority_name != NULL;
}
