/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Seed bits-validate-server-certificate, phase two as a shared object
 * ("bitspeerauth:validator module"): dlopen() and the versioned entry
 * point of bpa_validator_module.h, in the way Samba loads its modules
 * (one init function that registers what the module provides).
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <dlfcn.h>
#include "util/bpa_debug.h"
#include "validator/validator_private.h"

struct bpa_vmodule {
	void *handle;
	char *path;
	struct bpa_validator_ops ops;
};

static int vmodule_destructor(struct bpa_vmodule *m)
{
	if (m->ops.unload != NULL) {
		m->ops.unload(m->ops.private_data);
		m->ops.unload = NULL;
	}
	if (m->handle != NULL) {
		dlclose(m->handle);
		m->handle = NULL;
	}
	return 0;
}

HRESULT bpa_vmodule_load(TALLOC_CTX *mem_ctx,
			 const char *path,
			 struct bpa_vmodule **pm,
			 char **why)
{
	struct bpa_vmodule *m = NULL;
	bpa_validator_init_fn init = NULL;
	const char *err = NULL;
	void *sym = NULL;
	int rc;

	*pm = NULL;
	*why = NULL;
	m = talloc_zero(mem_ctx, struct bpa_vmodule);
	if (m == NULL) {
		*why = talloc_strdup(mem_ctx, "no memory");
		return BPA_E_VALIDATOR_UNAVAILABLE;
	}
	m->path = talloc_strdup(m, path);
	talloc_set_destructor(m, vmodule_destructor);
	/* RTLD_LOCAL: its symbols stay its own; RTLD_NOW: an unresolved
	 * symbol fails here, not in the middle of a call */
	m->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (m->handle == NULL) {
		err = dlerror();
		*why = talloc_asprintf(mem_ctx, "cannot be loaded: %s",
				       err != NULL ? err : "?");
		goto fail;
	}
	dlerror();
	sym = dlsym(m->handle, BPA_VALIDATOR_INIT_SYMBOL);
	if (sym == NULL) {
		*why = talloc_asprintf(mem_ctx, "has no %s()",
				       BPA_VALIDATOR_INIT_SYMBOL);
		goto fail;
	}
	/* POSIX: a function's address from dlsym() (XSH dlsym) */
	memcpy(&init, &sym, sizeof(init));
	m->ops.size = sizeof(m->ops);
	rc = init(&m->ops, BPA_VALIDATOR_INTERFACE_VERSION);
	if (rc != 0 || m->ops.validate == NULL) {
		*why = talloc_asprintf(mem_ctx, "%s() refused interface "
				       "version %d (returned %d%s)",
				       BPA_VALIDATOR_INIT_SYMBOL,
				       BPA_VALIDATOR_INTERFACE_VERSION, rc,
				       m->ops.validate == NULL ?
				       ", no validate()" : "");
		/* a module that failed its init is not unloaded by it */
		m->ops.unload = NULL;
		goto fail;
	}
	DBG_NOTICE("validator module %s (%s) loaded\n", path,
		   m->ops.name != NULL ? m->ops.name : "unnamed");
	*pm = m;
	return BPA_S_OK;
fail:
	TALLOC_FREE(m);
	return BPA_E_VALIDATOR_UNAVAILABLE;
}

HRESULT bpa_vmodule_call(struct bpa_vmodule *m,
			 const struct bpa_validator_request *req)
{
	uint32_t v = m->ops.validate(m->ops.private_data, req);

	return v == 0 ? BPA_S_OK : bpa_validator_refusal(v);
}
