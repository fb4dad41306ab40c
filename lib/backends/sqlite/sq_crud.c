/*
 * insert(), get(), update(), remove() and count(): one statement each,
 * every one carrying the tenant predicate when the scope is a tenant's.
 */
#include <string.h>

#include "sq_internal.h"

/* An inserted row of a tenant-owned table must belong to the scope's tenant. */
static int check_insert_tenant(sq_backend *b, const oyl_scope *scope, const oyl_table *t,
			       const oyl_value *vals)
{
	if (!oyl__sq_scoped(scope, t))
		return OYL_OK;
	const oyl_value *v = &vals[t->tenant_col];
	size_t n = strlen(scope->tenant_id);

	if (v->type == OYL_TYPE_NULL || !v->s || v->n != n || memcmp(v->s, scope->tenant_id, n))
		return oyl__sq_fail(b, OYL_EINVAL, "the row's tenant_id is not the scope's tenant");
	return OYL_OK;
}

int oyl__sq_insert(oyl_backend *base, const oyl_scope *scope, const oyl_table *t,
		   const oyl_value *vals)
{
	sq_backend *b = sq_of(base);
	sq_sql q;

	oyl__sq_context(b, "insert into", t->name);
	if (!vals)
		return oyl__sq_fail(b, OYL_EINVAL, "no values");
	int rc = check_insert_tenant(b, scope, t, vals);
	if (rc != OYL_OK)
		return rc;

	oyl__sq_sql_init(&q);
	oyl__sq_sql_add(&q, "INSERT INTO ");
	oyl__sq_sql_ident(&q, NULL, t->name);
	oyl__sq_sql_add(&q, " (");
	oyl__sq_sql_columns(&q, NULL, t);
	oyl__sq_sql_add(&q, ") VALUES (");
	for (size_t i = 0; i < t->ncols && rc == OYL_OK; i++) {
		if (i)
			oyl__sq_sql_add(&q, ", ");
		rc = oyl__sq_bind(b, &q, t->cols[i].type, t->cols[i].name, &vals[i]);
	}
	oyl__sq_sql_add(&q, ")");
	if (rc == OYL_OK)
		rc = oyl__sq_run(b, &q);
	oyl__sq_sql_free(&q);
	return rc;
}

int oyl__sq_get(oyl_backend *base, const oyl_scope *scope, const oyl_table *t, const char *id,
		oyl_row_cb cb, void *payload)
{
	sq_backend *b = sq_of(base);
	sq_sql q;
	sq_stmt st = {NULL, -1};

	oyl__sq_context(b, "get from", t->name);
	if (!cb)
		return oyl__sq_fail(b, OYL_EINVAL, "no row callback");

	oyl__sq_sql_init(&q);
	oyl__sq_sql_add(&q, "SELECT ");
	oyl__sq_sql_columns(&q, NULL, t);
	oyl__sq_sql_add(&q, " FROM ");
	oyl__sq_sql_ident(&q, NULL, t->name);
	oyl__sq_sql_add(&q, " WHERE ");
	oyl__sq_sql_ident(&q, NULL, t->cols[0].name);
	oyl__sq_sql_add(&q, " = ");
	int rc = oyl__sq_bind_uuid(b, &q, t->cols[0].name, id);
	if (rc == OYL_OK)
		rc = oyl__sq_sql_and(b, &q, NULL, scope, t, NULL, 0);
	oyl__sq_sql_add(&q, " LIMIT 1");
	if (rc == OYL_OK)
		rc = oyl__sq_prepare(b, &q, &st);
	if (rc == OYL_OK)
		rc = oyl__sq_step(b, &st);
	if (rc == 0) {
		rc = oyl__sq_fail(b, OYL_ENOTFOUND, "no such row");
	} else if (rc == 1) {
		oyl_value *vals = oyl_malloc(t->ncols * sizeof *vals);
		rc = vals ? oyl__sq_emit_row(b, st.stmt, t, vals, cb, payload)
			  : oyl__sq_fail(b, OYL_ENOMEM, "out of memory");
		oyl_free(vals);
	}
	oyl__sq_release(b, &st);
	oyl__sq_sql_free(&q);
	return rc;
}

int oyl__sq_update(oyl_backend *base, const oyl_scope *scope, const oyl_table *t,
		   const oyl_filter *filters, size_t nfilters, const oyl_assign *set, size_t nset,
		   int64_t *changed)
{
	sq_backend *b = sq_of(base);
	sq_sql q;
	int rc = OYL_OK;

	oyl__sq_context(b, "update", t->name);
	if (changed)
		*changed = 0;
	if (!set || !nset)
		return oyl__sq_fail(b, OYL_EINVAL, "nothing to set");

	oyl__sq_sql_init(&q);
	oyl__sq_sql_add(&q, "UPDATE ");
	oyl__sq_sql_ident(&q, NULL, t->name);
	oyl__sq_sql_add(&q, " SET ");
	for (size_t i = 0; i < nset && rc == OYL_OK; i++) {
		int32_t col = set[i].col;
		if (col < 0 || (size_t)col >= t->ncols) {
			rc = oyl__sq_fail(b, OYL_EINVAL, "set column %d: no such column", (int)col);
			break;
		}
		/* ids and tenant_id never change: they are what keeps tenants apart */
		if (t->cols[col].flags & OYL_COL_IMMUTABLE) {
			rc = oyl__sq_fail(b, OYL_EINVAL, "column %s cannot be changed",
					  t->cols[col].name);
			break;
		}
		if (i)
			oyl__sq_sql_add(&q, ", ");
		oyl__sq_sql_ident(&q, NULL, t->cols[col].name);
		oyl__sq_sql_add(&q, " = ");
		rc = oyl__sq_bind(b, &q, t->cols[col].type, t->cols[col].name, &set[i].value);
	}
	/* "WHERE 1" lets scope and filters always start with AND */
	oyl__sq_sql_add(&q, " WHERE 1");
	if (rc == OYL_OK)
		rc = oyl__sq_sql_and(b, &q, NULL, scope, t, filters, nfilters);
	if (rc == OYL_OK)
		rc = oyl__sq_run(b, &q);
	if (rc == OYL_OK && changed)
		*changed = oyl__sq_changes(b);
	oyl__sq_sql_free(&q);
	return rc;
}

int oyl__sq_remove(oyl_backend *base, const oyl_scope *scope, const oyl_table *t,
		   const oyl_filter *filters, size_t nfilters, int64_t *deleted)
{
	sq_backend *b = sq_of(base);
	sq_sql q;

	oyl__sq_context(b, "delete from", t->name);
	if (deleted)
		*deleted = 0;

	oyl__sq_sql_init(&q);
	oyl__sq_sql_add(&q, "DELETE FROM ");
	oyl__sq_sql_ident(&q, NULL, t->name);
	oyl__sq_sql_add(&q, " WHERE 1");
	int rc = oyl__sq_sql_and(b, &q, NULL, scope, t, filters, nfilters);
	if (rc == OYL_OK)
		rc = oyl__sq_run(b, &q);
	/* rows of this table only: cascaded deletes are not counted */
	if (rc == OYL_OK && deleted)
		*deleted = oyl__sq_changes(b);
	oyl__sq_sql_free(&q);
	return rc;
}

int oyl__sq_count(oyl_backend *base, const oyl_scope *scope, const oyl_table *t,
		  const oyl_filter *filters, size_t nfilters, int64_t *count)
{
	sq_backend *b = sq_of(base);
	sq_sql q;
	sq_stmt st = {NULL, -1};

	oyl__sq_context(b, "count", t->name);
	if (!count)
		return oyl__sq_fail(b, OYL_EINVAL, "no count out-pointer");
	*count = 0;

	oyl__sq_sql_init(&q);
	oyl__sq_sql_add(&q, "SELECT count(*) FROM ");
	oyl__sq_sql_ident(&q, NULL, t->name);
	oyl__sq_sql_add(&q, " WHERE 1");
	int rc = oyl__sq_sql_and(b, &q, NULL, scope, t, filters, nfilters);
	if (rc == OYL_OK)
		rc = oyl__sq_prepare(b, &q, &st);
	if (rc == OYL_OK)
		rc = oyl__sq_step(b, &st);
	if (rc == 1) {
		*count = sqlite3_column_int64(st.stmt, 0);
		rc = OYL_OK;
	} else if (rc == 0) {
		rc = oyl__sq_fail(b, OYL_ESTORAGE, "count returned no row");
	}
	oyl__sq_release(b, &st);
	oyl__sq_sql_free(&q);
	return rc;
}
