/*
 * Tenant quotas.  The limits are columns of the tenant (NULL: none); the
 * usage is counted, not stored, inside the transaction that would add to
 * it, after locking the tenant's row: two processes creating users at
 * once are serialised on that lock, and the second counts the first's.
 */
#include "model/quota.h"

#include <stdint.h>

#include "core/validate.h"

/* Locks the tenant (backends of version 2 on) and reads it. */
static int lock_tenant(oyl_db *db, const char *tenant_id, oyl__record **tenant)
{
	oyl_backend *b = db->backend;
	oyl_scope platform = {NULL};
	if (b->version >= 2 && b->lock) {
		int rc = b->lock(b, &platform, &oyl__t_tenants, tenant_id);
		if (rc == OYL_ENOTFOUND)
			return oyl__fail(db, rc, "tenant %s not found", tenant_id);
		if (rc != OYL_OK)
			return oyl__fail_backend(db, rc, "locking the tenant");
	}
	return oyl__fetch(db, NULL, &oyl__kind_tenant, tenant_id, tenant);
}

int oyl__quota_check_users(oyl_db *db, const char *tenant_id)
{
	oyl__record *tenant = NULL;
	int rc = lock_tenant(db, tenant_id, &tenant);
	if (rc)
		return rc;
	int limited = tenant->vals[TENANTS_quota_users].type != OYL_TYPE_NULL;
	int64_t limit = oyl__record_int(tenant, TENANTS_quota_users);
	oyl__record_free(tenant);
	if (!limited)
		return OYL_OK;
	oyl_scope s = {tenant_id};
	int64_t users = 0;
	rc = db->backend->count(db->backend, &s, &oyl__t_users, NULL, 0, &users);
	if (rc != OYL_OK)
		return oyl__fail_backend(db, rc, "counting the tenant's users");
	if (users >= limit)
		return oyl__fail(db, OYL_EQUOTA, "quota: the tenant may have at most %lld users",
				 (long long)limit);
	return OYL_OK;
}

/* The value to store for a limit: NULL for -1. */
static oyl_value limit_value(int64_t v)
{
	return v < 0 ? oyl__val_null() : oyl__val_int(OYL_TYPE_INT, v);
}

static int check_limit(oyl_db *db, const char *field, int64_t v)
{
	if (v < -1)
		return oyl__fail(db, OYL_EINVAL, "%s: must be -1 (no limit) or a count", field);
	return OYL_OK;
}

OYL_API int oyl_tenant_set_quotas(oyl_actor *actor, const char *tenant_id, int64_t users,
				  int64_t documents, int64_t bytes)
{
	int rc;
	oyl_db *db = oyl__enter(actor, NULL, &rc);
	if (!db)
		return rc;
	if ((rc = check_limit(db, "users", users)) || (rc = check_limit(db, "documents", documents)) ||
	    (rc = check_limit(db, "bytes", bytes)))
		return rc;
	oyl_assign set[4] = {{TENANTS_quota_users, limit_value(users)},
			     {TENANTS_quota_documents, limit_value(documents)},
			     {TENANTS_quota_bytes, limit_value(bytes)}};
	/* With no check, the tenant kind's write permission applies: superadmins. */
	return oyl__update_public(actor, &oyl__kind_tenant, tenant_id, set, 3, NULL, NULL, NULL);
}

static int64_t limit_of(const oyl_tenant *t, int col)
{
	const oyl__record *r = oyl__as(t, &oyl__kind_tenant);
	if (!r || r->vals[col].type == OYL_TYPE_NULL)
		return -1;
	return r->vals[col].i;
}

OYL_API int64_t oyl_tenant_quota_users(const oyl_tenant *t)
{
	return limit_of(t, TENANTS_quota_users);
}

OYL_API int64_t oyl_tenant_quota_documents(const oyl_tenant *t)
{
	return limit_of(t, TENANTS_quota_documents);
}

OYL_API int64_t oyl_tenant_quota_bytes(const oyl_tenant *t)
{
	return limit_of(t, TENANTS_quota_bytes);
}
