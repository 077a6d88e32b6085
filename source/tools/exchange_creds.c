/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * "bitspeerauth exchange": the client's Kerberos credentials, MS-BPAU
 * 3.2.3 (cmd_exchange_private.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <errno.h>
#include <unistd.h>
#include <spawn.h>
#include <sys/wait.h>
#include <talloc.h>
#include <param.h>
#include <credentials.h>
#include <util/discard.h>
#include "tools/cmd_exchange_private.h"

const char *exchange_pick_realm(const struct exchange_opts *o,
				struct cli_credentials *creds,
				struct loadparm_context *lp_ctx)
{
	const char *r = o->realm;

	if (r == NULL || r[0] == '\0') {
		r = cli_credentials_get_realm(creds);
	}
	if (r == NULL || r[0] == '\0') {
		r = lpcfg_realm(lp_ctx);
	}
	if (r == NULL || r[0] == '\0') {
		return NULL;
	}
	return r;
}

/* A private credential cache file, removed when its owner is freed */
struct tmp_ccache {
	char *path;
};

static int tmp_ccache_destructor(struct tmp_ccache *c)
{
	if (c->path != NULL) {
		unlink(c->path);
	}
	return 0;
}

/*
 * Samba's cli_credentials does not kinit from a keytab (it wants a
 * password), so a keytab is turned into a private ccache with the
 * system's kinit (krb5-user), as a domain-joined host would, and that
 * ccache is used.  The file goes when @mem_ctx is freed.
 */
static char *kinit_from_keytab(TALLOC_CTX *mem_ctx,
			       const char *keytab,
			       const char *principal)
{
	extern char **environ;
	struct tmp_ccache *c = NULL;
	const char *tmpdir = getenv("TMPDIR");
	char *cc_name = NULL;
	pid_t pid;
	int status = 0;
	int fd;
	int rc;
	char *argv[8];

	c = talloc_zero(mem_ctx, struct tmp_ccache);
	if (c == NULL) {
		return NULL;
	}
	c->path = talloc_asprintf(c, "%s/bpa-ccache-XXXXXX",
				  tmpdir != NULL ? tmpdir : "/tmp");
	if (c->path == NULL) {
		goto fail;
	}
	fd = mkstemp(c->path);
	if (fd == -1) {
		fprintf(stderr, "cannot create %s\n", c->path);
		TALLOC_FREE(c->path);
		goto fail;
	}
	close(fd);
	talloc_set_destructor(c, tmp_ccache_destructor);

	cc_name = talloc_asprintf(c, "FILE:%s", c->path);
	if (cc_name == NULL) {
		goto fail;
	}
	argv[0] = discard_const_p(char, "kinit");
	argv[1] = discard_const_p(char, "-k");
	argv[2] = discard_const_p(char, "-t");
	argv[3] = discard_const_p(char, keytab);
	argv[4] = discard_const_p(char, "-c");
	argv[5] = cc_name;
	argv[6] = discard_const_p(char, principal);
	argv[7] = NULL;
	rc = posix_spawnp(&pid, "kinit", NULL, NULL, argv, environ);
	if (rc != 0) {
		fprintf(stderr, "cannot run kinit: %s\n", strerror(rc));
		goto fail;
	}
	rc = waitpid(pid, &status, 0);
	if (rc != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "kinit -k -t %s %s failed\n", keytab,
			principal);
		goto fail;
	}
	return cc_name;
fail:
	TALLOC_FREE(c);
	return NULL;
}

bool exchange_make_creds(TALLOC_CTX *mem_ctx,
			 const struct exchange_opts *o,
			 struct loadparm_context *lp_ctx,
			 struct cli_credentials **pcreds)
{
	struct cli_credentials *creds = cli_credentials_init(mem_ctx);
	const char *err = NULL;
	int ret;

	if (creds == NULL) {
		return false;
	}
	cli_credentials_set_conf(creds, lp_ctx);
	/* before the ccache: a realm set later would invalidate it */
	if (o->realm != NULL) {
		cli_credentials_set_realm(creds, o->realm, CRED_SPECIFIED);
	}
	if (o->user != NULL) {
		cli_credentials_parse_string(creds, o->user, CRED_SPECIFIED);
	} else if (o->ccache != NULL) {
		/* a file cache must be there (Kerberos reads it lazily) */
		const char *file = o->ccache;

		if (strncmp(file, "FILE:", 5) == 0) {
			file += 5;
		}
		if (file[0] == '/') {
			ret = access(file, R_OK);
			if (ret != 0) {
				fprintf(stderr, "ccache %s: %s\n", o->ccache,
					strerror(errno));
				return false;
			}
		}
		ret = cli_credentials_set_ccache(creds, lp_ctx, o->ccache,
						 CRED_SPECIFIED, &err);
		if (ret != 0) {
			fprintf(stderr, "ccache %s: %s\n", o->ccache,
				err != NULL ? err : "unusable");
			return false;
		}
	} else if (o->keytab == NULL) {
		/*
		 * No identity given: this host's machine account, with the
		 * password the join stored (secrets.tdb on a member,
		 * secrets.ldb on a DC), as Samba's own tools do with -P
		 */
		NTSTATUS status;

		status = cli_credentials_set_machine_account(creds, lp_ctx);
		if (!NT_STATUS_IS_OK(status)) {
			fprintf(stderr, "no machine account in %s's secrets "
				"(%s): give -k, --ccache or -U\n",
				lpcfg_netbios_name(lp_ctx), nt_errstr(status));
			return false;
		}
	} else {
		const char *keytab = o->keytab;
		char *principal = NULL;
		char *ccache = NULL;

		principal = talloc_strdup(mem_ctx, o->principal);
		if (principal == NULL) {
			principal = talloc_asprintf(mem_ctx, "%s$@%s",
				lpcfg_netbios_name(lp_ctx),
				lpcfg_realm(lp_ctx));
		}
		if (keytab == NULL || principal == NULL) {
			return false;
		}
		ccache = kinit_from_keytab(mem_ctx, keytab, principal);
		if (ccache == NULL) {
			return false;
		}
		ret = cli_credentials_set_ccache(creds, lp_ctx, ccache,
						 CRED_SPECIFIED, &err);
		if (ret != 0) {
			fprintf(stderr, "ccache from %s: %s\n", keytab,
				err != NULL ? err : "unusable");
			return false;
		}
	}
	cli_credentials_set_kerberos_state(creds, CRED_USE_KERBEROS_REQUIRED,
					   CRED_SPECIFIED);
	*pcreds = creds;
	return true;
}

char *exchange_own_account(TALLOC_CTX *mem_ctx,
			   struct cli_credentials *creds,
			   struct loadparm_context *lp_ctx)
{
	const char *user = cli_credentials_get_username(creds);

	if (user != NULL && user[0] != '\0' && user[0] != '@') {
		return talloc_strndup(mem_ctx, user, strcspn(user, "@"));
	}
	return talloc_asprintf(mem_ctx, "%s$", lpcfg_netbios_name(lp_ctx));
}
