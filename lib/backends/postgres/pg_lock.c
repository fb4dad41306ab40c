/*
 * lock() (backend version 2): SELECT ... FOR NO KEY UPDATE on the row,
 * held until the transaction ends, so that transactions deciding on it
 * (a tenant's quota: lock, count, insert) run one after the other; the
 * second one's count, a new statement under READ COMMITTED, then sees
 * what the first committed.
 *
 * NO KEY UPDATE rather than UPDATE: it conflicts with itself, with
 * UPDATE and DELETE of the row, but not with the KEY SHARE locks that
 * foreign-key checks take, so ordinary inserts into the tenant's tables
 * do not queue behind a decider.
 *
 * The statement goes through the same scoped path as get(): the tenant
 * predicate and the row-level security settings are both in force, so a
 * row of another tenant is as missing as one that never was.
 */
#include "pg_internal.h"

int oyl__pg_lock(oyl_backend *base, const oyl_scope *scope, const oyl_table *t, const char *id)
{
	pg_backend *b = pg_of(base);
	PGresult *res = NULL;
	pg_sql q;

	oyl__pg_context(b, "lock", t->name);
	/* outside begin(), the call's own transaction would release it at once */
	if (!b->in_txn)
		return oyl__pg_fail(b, OYL_EMISUSE, "no transaction is open");

	oyl__pg_sql_init(&q);
	oyl__pg_sql_add(&q, "SELECT 1 FROM ");
	oyl__pg_sql_ident(&q, t->name);
	oyl__pg_sql_add(&q, " WHERE ");
	oyl__pg_sql_ident(&q, t->cols[0].name);
	oyl__pg_sql_add(&q, " = ");
	int rc = oyl__pg_bind_uuid(b, &q, t->cols[0].name, id);
	if (rc == OYL_OK)
		rc = oyl__pg_sql_and(b, &q, scope, t, NULL, 0);
	oyl__pg_sql_add(&q, " FOR NO KEY UPDATE");
	if (rc == OYL_OK)
		rc = oyl__pg_run_scoped(b, scope, t, &q, PGRES_TUPLES_OK, &res);
	oyl__pg_sql_free(&q);
	if (rc != OYL_OK)
		return rc;
	if (PQntuples(res) == 0)
		rc = oyl__pg_fail(b, OYL_ENOTFOUND, "no record with that id");
	PQclear(res);
	return rc;
}
