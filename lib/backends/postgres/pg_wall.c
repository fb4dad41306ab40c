/*
 * The two statements of a tenant's transaction that the wall routes
 * through functions (schema version 5, doc/security.md): the runtime role
 * has no UPDATE on tenants at all, so the tenants row that a tenant's
 * user quota is decided under is locked by oyl_lock_own_tenant(), and a
 * tenant_admin's rename of its tenant is made by oyl_rename_own_tenant().
 * Both act only on the tenant the transaction names, and nothing else.
 */
#include <string.h>

#include "pg_internal.h"

bool oyl__pg_runs_as_runtime(const pg_backend *b)
{
	return b->wall && b->txn != PG_TXN_NONE && !b->txn_platform && b->as_runtime;
}

bool oyl__pg_is_tenants(const oyl_table *t)
{
	return strcmp(t->name, "tenants") == 0;
}

int oyl__pg_sql_lock_own_tenant(oyl__sql *q, const oyl_table *t, const char *id)
{
	oyl__sql_add(q, "SELECT ");
	oyl__sql_columns(q, NULL, t);
	oyl__sql_add(q, " FROM oyl_lock_own_tenant(");
	int rc = oyl__sql_bind_uuid(q, "id", id);
	oyl__sql_add(q, ")");
	return rc ? rc : oyl__sql_status(q);
}

/* The assignment of column `name` among set[0..nset), or NULL. */
static const oyl_assign *assigned(const oyl_table *t, const oyl_assign *set, size_t nset,
				  const char *name)
{
	for (size_t i = 0; i < nset; i++)
		if (set[i].col >= 0 && (size_t)set[i].col < t->ncols &&
		    strcmp(t->cols[set[i].col].name, name) == 0)
			return &set[i];
	return NULL;
}

int oyl__pg_sql_rename_own_tenant(pg_backend *b, oyl__sql *q, const oyl_table *t,
				  const oyl_filter *filters, size_t nfilters, const oyl_assign *set,
				  size_t nset)
{
	const oyl_assign *name = assigned(t, set, nset, "name");
	const oyl_assign *at = assigned(t, set, nset, "updated_at");
	bool by_id = nfilters == 1 && filters[0].col == 0 && filters[0].op == OYL_OP_EQ &&
		     filters[0].value.s;
	if (!name || !at || nset != 2 || !by_id)
		return oyl__pg_fail(b, OYL_EPERM,
				    "a tenant's transaction may only rename its own tenant, by id "
				    "(doc/security.md)");
	oyl__sql_add(q, "SELECT * FROM oyl_rename_own_tenant(");
	int rc = oyl__sql_bind_uuid(q, "id", filters[0].value.s);
	oyl__sql_add(q, ", ");
	if (rc == OYL_OK)
		rc = oyl__sql_bind(q, OYL_TYPE_TEXT, "name", &name->value);
	oyl__sql_add(q, ", ");
	if (rc == OYL_OK)
		rc = oyl__sql_bind(q, OYL_TYPE_TIME, "updated_at", &at->value);
	oyl__sql_add(q, ")");
	rc = rc ? rc : oyl__sql_status(q);
	return rc ? oyl__pg_fail_sql(b, rc, q) : OYL_OK;
}
