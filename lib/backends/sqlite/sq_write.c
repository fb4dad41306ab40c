/*
 * Writes: insert, insert_many, update, remove and claim.  Every write
 * runs at once (SQLite has no round trips to save), so this backend
 * never defers one and has no failed_write().
 */
#include <stdint.h>

#include "sq_internal.h"

/* Builds with `build` (which returns a status) and runs the statement. */
#define BUILD_AND_RUN(b, q, build)                                                                \
	do {                                                                                      \
		int rc_ = (build);                                                                \
		rc_ = rc_ ? oyl__sq_fail_sql((b), rc_, &(q)) : oyl__sq_run((b), &(q));            \
		oyl__sql_free(&(q));                                                              \
		return rc_;                                                                       \
	} while (0)

int oyl__sq_insert(oyl_backend *base, const oyl_scope *scope, const oyl_table *t,
		   const oyl_value *vals)
{
	sq_backend *b = sq_of(base);
	oyl__sql q;

	oyl__sq_context(b, "insert into", t->name);
	oyl__sq_sql_init(&q);
	BUILD_AND_RUN(b, q, oyl__sql_insert(&q, scope, t, vals, 1));
}

int oyl__sq_update(oyl_backend *base, const oyl_scope *scope, const oyl_table *t,
		   const oyl_filter *filters, size_t nfilters, const oyl_assign *set, size_t nset,
		   int64_t *changed)
{
	sq_backend *b = sq_of(base);
	oyl__sql q;

	oyl__sq_context(b, "update", t->name);
	if (changed)
		*changed = 0;
	oyl__sq_sql_init(&q);
	int rc = oyl__sql_update(&q, scope, t, filters, nfilters, set, nset);
	rc = rc ? oyl__sq_fail_sql(b, rc, &q) : oyl__sq_run(b, &q);
	if (rc == OYL_OK && changed)
		*changed = oyl__sq_changes(b);
	oyl__sql_free(&q);
	return rc;
}

int oyl__sq_remove(oyl_backend *base, const oyl_scope *scope, const oyl_table *t,
		   const oyl_filter *filters, size_t nfilters, int64_t *deleted)
{
	sq_backend *b = sq_of(base);
	oyl__sql q;

	oyl__sq_context(b, "delete from", t->name);
	if (deleted)
		*deleted = 0;
	oyl__sq_sql_init(&q);
	int rc = oyl__sql_delete(&q, scope, t, filters, nfilters);
	rc = rc ? oyl__sq_fail_sql(b, rc, &q) : oyl__sq_run(b, &q);
	/* rows of this table only: cascaded deletes are not counted */
	if (rc == OYL_OK && deleted)
		*deleted = oyl__sq_changes(b);
	oyl__sql_free(&q);
	return rc;
}

/*
 * One single-row INSERT, prepared once (the statement cache keeps it by
 * its text, which is the same for every row) and stepped per row, inside
 * a savepoint, so that a failing row takes the rows before it with it.
 */
int oyl__sq_insert_many(oyl_backend *base, const oyl_scope *scope, const oyl_table *t,
			const oyl_value *rows, size_t nrows, size_t *failed_row)
{
	sq_backend *b = sq_of(base);
	oyl__sql q;
	size_t r = 0;

	if (failed_row)
		*failed_row = SIZE_MAX;
	oyl__sq_context(b, "insert into", t->name);
	if (nrows == 0)
		return OYL_OK;
	if (!rows)
		return oyl__sq_fail(b, OYL_EINVAL, "no rows");
	int rc = oyl__sq_exec(b, "SAVEPOINT oyl_insert_many");
	if (rc != OYL_OK)
		return rc;
	oyl__sq_sql_init(&q);
	for (; r < nrows && rc == OYL_OK; r++) {
		oyl__sql_reset(&q);
		rc = oyl__sql_insert(&q, scope, t, rows + r * t->ncols, 1);
		rc = rc ? oyl__sq_fail_sql(b, rc, &q) : oyl__sq_run(b, &q);
	}
	oyl__sql_free(&q);
	if (rc == OYL_OK)
		return oyl__sq_exec(b, "RELEASE oyl_insert_many");
	if (failed_row)
		*failed_row = r - 1;
	/* keep the failing row's message: the cleanup's own status is moot */
	sqlite3_exec(b->db, "ROLLBACK TO oyl_insert_many; RELEASE oyl_insert_many", NULL, NULL, NULL);
	return rc;
}

/*
 * UPDATE ... WHERE key IN (SELECT key ... ORDER BY ... LIMIT n) RETURNING:
 * no row is ever held by another transaction, since a write transaction
 * (BEGIN IMMEDIATE, taken here when none is open) excludes every other.
 */
int oyl__sq_claim(oyl_backend *base, const oyl_scope *scope, const oyl_table *t,
		  const oyl_filter *filters, size_t nfilters, int32_t order_col, int64_t limit,
		  const oyl_assign *set, size_t nset, oyl_row_cb cb, void *payload)
{
	sq_backend *b = sq_of(base);
	bool own_txn = sqlite3_get_autocommit(b->db) != 0;
	oyl__sql q;
	sq_stmt st;

	oyl__sq_context(b, "claim from", t->name);
	if (!cb)
		return oyl__sq_fail(b, OYL_EINVAL, "no row callback");
	if (!own_txn && !oyl__sq_in_write_txn(b))
		return oyl__sq_fail(b, OYL_EMISUSE, "claim needs a write transaction");
	oyl__sq_sql_init(&q);
	int rc = oyl__sql_claim(&q, scope, t, filters, nfilters, order_col, limit, set, nset);
	if (rc != OYL_OK) {
		rc = oyl__sq_fail_sql(b, rc, &q);
		oyl__sql_free(&q);
		return rc;
	}
	oyl_value *vals = oyl_malloc(t->ncols * sizeof *vals);
	rc = vals ? OYL_OK : oyl__sq_fail(b, OYL_ENOMEM, "out of memory");
	if (rc == OYL_OK && own_txn)
		rc = oyl__sq_exec(b, "BEGIN IMMEDIATE");
	if (rc == OYL_OK)
		rc = oyl__sq_prepare(b, &q, &st);
	if (rc == OYL_OK) {
		while ((rc = oyl__sq_step(b, &st)) == 1)
			if ((rc = oyl__sq_emit_row(b, st.stmt, t, vals, cb, payload)) != OYL_OK)
				break;
		oyl__sq_release(b, &st);
	}
	if (own_txn && !sqlite3_get_autocommit(b->db)) {
		if (rc == OYL_OK)
			rc = oyl__sq_exec(b, "COMMIT");
		if (rc != OYL_OK)
			sqlite3_exec(b->db, "ROLLBACK", NULL, NULL, NULL);
	}
	oyl_free(vals);
	oyl__sql_free(&q);
	return rc;
}
