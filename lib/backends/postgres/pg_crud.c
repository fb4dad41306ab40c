/* insert, get, update, remove and count: one parameterised statement each. */
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"

/* The number of rows an INSERT/UPDATE/DELETE reports. */
static int64_t rows_affected(const PGresult *res)
{
	int64_t n = 0;

	return oyl__pg_parse_int64(PQcmdTuples((PGresult *)res), &n) ? n : 0;
}

/* Runs a statement that returns no rows; *affected (may be NULL) gets its row count. */
static int run_command(pg_backend *b, const oyl_scope *scope, const oyl_table *t, pg_sql *q,
		       int64_t *affected)
{
	PGresult *res;
	int rc = oyl__pg_run_scoped(b, scope, t, q, PGRES_COMMAND_OK, &res);

	if (rc == OYL_OK) {
		if (affected)
			*affected = rows_affected(res);
		PQclear(res);
	}
	return rc;
}

/* A row inserted with a tenant scope must belong to that tenant. */
static bool row_in_scope(const oyl_scope *scope, const oyl_table *t, const oyl_value *vals)
{
	const oyl_value *v = &vals[t->tenant_col];
	size_t n = strlen(scope->tenant_id);

	return v->type != OYL_TYPE_NULL && v->s && v->n == n &&
	       memcmp(v->s, scope->tenant_id, n) == 0;
}

int oyl__pg_insert(oyl_backend *base, const oyl_scope *scope, const oyl_table *t,
		   const oyl_value *vals)
{
	pg_backend *b = pg_of(base);
	pg_sql q;
	int rc = OYL_OK;

	oyl__pg_context(b, "insert into", t->name);
	if (!vals)
		return oyl__pg_fail(b, OYL_EINVAL, "no values");
	if (oyl__pg_scoped(scope, t) && !row_in_scope(scope, t, vals))
		return oyl__pg_fail(b, OYL_EINVAL, "the row's tenant_id is not the scope's tenant");

	oyl__pg_sql_init(&q);
	oyl__pg_sql_add(&q, "INSERT INTO ");
	oyl__pg_sql_ident(&q, t->name);
	oyl__pg_sql_add(&q, " (");
	for (size_t i = 0; i < t->ncols; i++) {
		if (i)
			oyl__pg_sql_add(&q, ", ");
		oyl__pg_sql_ident(&q, t->cols[i].name);
	}
	oyl__pg_sql_add(&q, ") VALUES (");
	for (size_t i = 0; i < t->ncols && rc == OYL_OK; i++) {
		if (i)
			oyl__pg_sql_add(&q, ", ");
		rc = oyl__pg_bind(b, &q, t->cols[i].type, t->cols[i].name, &vals[i]);
	}
	oyl__pg_sql_add(&q, ")");
	if (rc == OYL_OK)
		rc = run_command(b, scope, t, &q, NULL);
	oyl__pg_sql_free(&q);
	return rc;
}

int oyl__pg_get(oyl_backend *base, const oyl_scope *scope, const oyl_table *t, const char *id,
		oyl_row_cb cb, void *payload)
{
	pg_backend *b = pg_of(base);
	PGresult *res = NULL;
	pg_sql q;

	oyl__pg_context(b, "get from", t->name);
	if (!cb)
		return oyl__pg_fail(b, OYL_EINVAL, "no row callback");

	oyl__pg_sql_init(&q);
	oyl__pg_sql_add(&q, "SELECT ");
	oyl__pg_sql_columns(&q, t);
	oyl__pg_sql_add(&q, " FROM ");
	oyl__pg_sql_ident(&q, t->name);
	oyl__pg_sql_add(&q, " WHERE ");
	oyl__pg_sql_ident(&q, t->cols[0].name);
	oyl__pg_sql_add(&q, " = ");
	int rc = oyl__pg_bind_uuid(b, &q, t->cols[0].name, id);
	if (rc == OYL_OK)
		rc = oyl__pg_sql_and(b, &q, scope, t, NULL, 0);
	oyl__pg_sql_add(&q, " LIMIT 1");
	if (rc == OYL_OK)
		rc = oyl__pg_run_scoped(b, scope, t, &q, PGRES_TUPLES_OK, &res);
	oyl__pg_sql_free(&q);
	if (rc != OYL_OK)
		return rc;

	if (PQntuples(res) == 0)
		rc = oyl__pg_fail(b, OYL_ENOTFOUND, "no record with that id");
	else
		rc = oyl__pg_emit_rows(b, res, t, cb, payload);
	PQclear(res);
	return rc;
}

int oyl__pg_update(oyl_backend *base, const oyl_scope *scope, const oyl_table *t,
		   const oyl_filter *filters, size_t nfilters, const oyl_assign *set, size_t nset,
		   int64_t *changed)
{
	pg_backend *b = pg_of(base);
	pg_sql q;
	int rc = OYL_OK;

	if (changed)
		*changed = 0;
	oyl__pg_context(b, "update", t->name);
	if (!set || nset == 0)
		return oyl__pg_fail(b, OYL_EINVAL, "nothing to set");

	oyl__pg_sql_init(&q);
	oyl__pg_sql_add(&q, "UPDATE ");
	oyl__pg_sql_ident(&q, t->name);
	oyl__pg_sql_add(&q, " SET ");
	for (size_t i = 0; i < nset && rc == OYL_OK; i++) {
		int32_t col = set[i].col;

		if (col < 0 || (size_t)col >= t->ncols) {
			rc = oyl__pg_fail(b, OYL_EINVAL, "set column %d: no such column", (int)col);
			break;
		}
		/* ids and tenant_id never change (a distributed table could not move the row) */
		if (t->cols[col].flags & OYL_COL_IMMUTABLE) {
			rc = oyl__pg_fail(b, OYL_EINVAL, "column %s cannot be changed",
					  t->cols[col].name);
			break;
		}
		if (i)
			oyl__pg_sql_add(&q, ", ");
		oyl__pg_sql_ident(&q, t->cols[col].name);
		oyl__pg_sql_add(&q, " = ");
		rc = oyl__pg_bind(b, &q, t->cols[col].type, t->cols[col].name, &set[i].value);
	}
	if (rc == OYL_OK)
		rc = oyl__pg_sql_where(b, &q, scope, t, filters, nfilters);
	if (rc == OYL_OK)
		rc = run_command(b, scope, t, &q, changed);
	oyl__pg_sql_free(&q);
	return rc;
}

int oyl__pg_remove(oyl_backend *base, const oyl_scope *scope, const oyl_table *t,
		   const oyl_filter *filters, size_t nfilters, int64_t *deleted)
{
	pg_backend *b = pg_of(base);
	pg_sql q;

	if (deleted)
		*deleted = 0;
	oyl__pg_context(b, "delete from", t->name);
	oyl__pg_sql_init(&q);
	oyl__pg_sql_add(&q, "DELETE FROM ");
	oyl__pg_sql_ident(&q, t->name);
	int rc = oyl__pg_sql_where(b, &q, scope, t, filters, nfilters);
	if (rc == OYL_OK)
		rc = run_command(b, scope, t, &q, deleted);
	oyl__pg_sql_free(&q);
	return rc;
}

int oyl__pg_count(oyl_backend *base, const oyl_scope *scope, const oyl_table *t,
		  const oyl_filter *filters, size_t nfilters, int64_t *count)
{
	pg_backend *b = pg_of(base);
	PGresult *res = NULL;
	pg_sql q;

	oyl__pg_context(b, "count", t->name);
	if (!count)
		return oyl__pg_fail(b, OYL_EINVAL, "no count out-pointer");
	*count = 0;
	oyl__pg_sql_init(&q);
	oyl__pg_sql_add(&q, "SELECT count(*) FROM ");
	oyl__pg_sql_ident(&q, t->name);
	int rc = oyl__pg_sql_where(b, &q, scope, t, filters, nfilters);
	if (rc == OYL_OK)
		rc = oyl__pg_run_scoped(b, scope, t, &q, PGRES_TUPLES_OK, &res);
	oyl__pg_sql_free(&q);
	if (rc != OYL_OK)
		return rc;
	if (PQntuples(res) != 1 || !oyl__pg_parse_int64(PQgetvalue(res, 0, 0), count))
		rc = oyl__pg_fail(b, OYL_ESTORAGE, "unexpected count result");
	PQclear(res);
	return rc;
}
