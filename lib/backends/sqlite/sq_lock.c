/*
 * lock() (backend version 2).  SQLite has no row locks and needs none: a
 * write transaction (BEGIN IMMEDIATE) holds the database's only write
 * lock from its start, so transactions that decide on a row (a tenant's
 * quota) already run one after the other.  What is left is the contract:
 * OYL_ENOTFOUND for a row not in scope, and OYL_EMISUSE outside a write
 * transaction, where nothing would be serialised.
 */
#include "sq_internal.h"

int oyl__sq_lock(oyl_backend *base, const oyl_scope *scope, const oyl_table *t, const char *id)
{
	sq_backend *b = sq_of(base);
	sq_sql q;
	sq_stmt st = {NULL, -1};

	oyl__sq_context(b, "lock", t->name);
	/* a deferred BEGIN that has only read holds no write lock yet */
	if (sqlite3_txn_state(b->db, "main") != SQLITE_TXN_WRITE)
		return oyl__sq_fail(b, OYL_EMISUSE, "no write transaction is open");

	oyl__sq_sql_init(&q);
	oyl__sq_sql_add(&q, "SELECT 1 FROM ");
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
	if (rc == 0)
		rc = oyl__sq_fail(b, OYL_ENOTFOUND, "no such row");
	else if (rc == 1)
		rc = OYL_OK;
	oyl__sq_release(b, &st);
	oyl__sq_sql_free(&q);
	return rc;
}
