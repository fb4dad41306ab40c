/*
 * Tenant quotas.  The limits are columns of the tenant (NULL: none); the
 * usage is counted, not stored, inside the transaction that would add to
 * it, in the same batch as the tenant's row read with its lock: two
 * processes creating users at once are serialised on that lock, and the
 * second's count, a statement that starts once it holds the lock, sees
 * the first's user.
 */
#include "model/quota.h"

#include <stdint.h>

int oyl__quota_check_users(oyl_db *db, const oyl__record *tenant, int locked, int64_t users)
{
	if (tenant->vals[TENANTS_quota_users].type == OYL_TYPE_NULL)
		return OYL_OK;
	/* A limit is only decided under the tenant's lock: without one, two
	 * creates could both see room for one more. */
	if (!locked)
		return oyl__unsupported(db, "lock", "a tenant's user quota needs to decide");
	int64_t limit = oyl__record_int(tenant, TENANTS_quota_users);
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
	return oyl__update_public(actor, &oyl__kind_tenant, tenant_id, set, 3, NULL, NULL);
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
