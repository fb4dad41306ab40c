/*
 * Reads: get, list, count, the batch of read_many (run one after the
 * other: SQLite has no round trips to save), get_many and lock.
 *
 * Row locks: a write transaction (BEGIN IMMEDIATE) holds the database's
 * only write lock, so a row read in one is already safe from every other
 * writer.  What is left of OYL_LOCK_UPDATE is its contract: refused
 * outside a write transaction, and in the platform scope on a
 * tenant-owned table (as on every backend).
 */
#include "sq_internal.h"

/* Runs q and calls cb for each row (decoded along t); *rows counts them. */
static int emit_rows(sq_backend *b, const oyl__sql *q, const oyl_table *t, oyl_row_cb cb,
		     void *payload, int64_t *rows)
{
	sq_stmt st;
	oyl_value *vals = oyl_malloc(t->ncols * sizeof *vals);

	*rows = 0;
	if (!vals)
		return oyl__sq_fail(b, OYL_ENOMEM, "out of memory");
	int rc = oyl__sq_prepare(b, q, &st);
	if (rc == OYL_OK) {
		while ((rc = oyl__sq_step(b, &st)) == 1) {
			++*rows;
			rc = oyl__sq_emit_row(b, st.stmt, t, vals, cb, payload);
			if (rc != OYL_OK)
				break;
		}
		oyl__sq_release(b, &st);
	}
	oyl_free(vals);
	return rc;
}

int oyl__sq_run_rows(sq_backend *b, const oyl__sql *q, const oyl_table *shape, oyl_row_cb cb,
		     void *payload)
{
	int64_t rows;
	return emit_rows(b, q, shape, cb, payload, &rows);
}

/* Runs a query of one integer row (count). */
static int query_count(sq_backend *b, const oyl__sql *q, int64_t *count)
{
	sq_stmt st;
	int rc = oyl__sq_prepare(b, q, &st);

	if (rc != OYL_OK)
		return rc;
	rc = oyl__sq_step(b, &st);
	if (rc == 1) {
		*count = sqlite3_column_int64(st.stmt, 0);
		rc = OYL_OK;
	} else if (rc == 0) {
		rc = oyl__sq_fail(b, OYL_ESTORAGE, "count returned no row");
	}
	oyl__sq_release(b, &st);
	return rc;
}

/* The groups of a COUNT_BY: {group value, count}, delivered as two values. */
static int emit_groups(sq_backend *b, const oyl__sql *q, const oyl_table *t, int32_t group_col,
		       oyl_row_cb cb, void *payload)
{
	static const oyl_column count_col = {"count", OYL_TYPE_INT, OYL_COL_NOT_NULL};
	oyl_column cols[2] = {t->cols[group_col], count_col};
	const oyl_table shape = {"groups", cols, 2, -1, -1};
	int64_t rows;

	return emit_rows(b, q, &shape, cb, payload, &rows);
}

bool oyl__sq_in_write_txn(sq_backend *b)
{
	return sqlite3_txn_state(b->db, "main") == SQLITE_TXN_WRITE;
}

static int check_lock(sq_backend *b, int lock)
{
	if (lock != OYL_LOCK_NONE && !oyl__sq_in_write_txn(b))
		return oyl__sq_fail(b, OYL_EMISUSE, "a row lock needs a write transaction");
	return OYL_OK;
}

/* One read of a batch; `reads` is the whole batch (COUNT_BY names its parent). */
static int run_read(sq_backend *b, oyl_read *reads, size_t i)
{
	oyl_read *r = &reads[i];
	const oyl_table *t = r->table;
	oyl__sql q;
	int64_t rows = 0;
	int rc;

	if (!t)
		return oyl__sq_fail(b, OYL_EINVAL, "read %zu: no table", i);
	oyl__sq_sql_init(&q);
	switch (r->kind) {
	case OYL_READ_GET:
		oyl__sq_context(b, "get from", t->name);
		rc = check_lock(b, r->lock);
		if (rc == OYL_OK && !r->cb)
			rc = oyl__sq_fail(b, OYL_EINVAL, "no row callback");
		if (rc == OYL_OK && (rc = oyl__sql_get(&q, r->scope, t, r->id, r->lock)))
			rc = oyl__sq_fail_sql(b, rc, &q);
		if (rc == OYL_OK)
			rc = emit_rows(b, &q, t, r->cb, r->payload, &rows);
		if (rc == OYL_OK)
			r->status = rows ? OYL_OK : OYL_ENOTFOUND;
		break;
	case OYL_READ_LIST:
		oyl__sq_context(b, "list", t->name);
		rc = check_lock(b, r->lock);
		if (rc == OYL_OK && !r->cb)
			rc = oyl__sq_fail(b, OYL_EINVAL, "no row callback");
		if (rc == OYL_OK && (rc = oyl__sql_list(&q, r->scope, t, r->query, r->lock)))
			rc = oyl__sq_fail_sql(b, rc, &q);
		if (rc == OYL_OK)
			rc = emit_rows(b, &q, t, r->cb, r->payload, &rows);
		break;
	case OYL_READ_LIST_ANY:
		oyl__sq_context(b, "list", t->name);
		rc = r->cb ? OYL_OK : oyl__sq_fail(b, OYL_EINVAL, "no row callback");
		if (rc == OYL_OK &&
		    (rc = oyl__sql_list_any(&q, r->scope, t, r->query, r->group_col, r->lock)))
			rc = oyl__sq_fail_sql(b, rc, &q);
		if (rc == OYL_OK)
			rc = emit_rows(b, &q, t, r->cb, r->payload, &rows);
		break;
	case OYL_READ_COUNT:
		oyl__sq_context(b, "count", t->name);
		rc = oyl__sql_count(&q, r->scope, t, r->query ? r->query->filters : NULL,
				    r->query ? r->query->nfilters : 0);
		rc = rc ? oyl__sq_fail_sql(b, rc, &q) : query_count(b, &q, &r->count);
		break;
	case OYL_READ_COUNT_BY: {
		oyl__sq_context(b, "count", t->name);
		const oyl_read *p = (r->parent >= 0 && (size_t)r->parent < i) ? &reads[r->parent] : NULL;
		if (!p || p->kind != OYL_READ_LIST || !r->cb) {
			rc = oyl__sq_fail(b, OYL_EINVAL, "read %zu: no list read to group by", i);
			break;
		}
		rc = oyl__sql_count_by(&q, r->scope, t, r->query ? r->query->filters : NULL,
				       r->query ? r->query->nfilters : 0, r->group_col, p->scope,
				       p->table, p->query);
		rc = rc ? oyl__sq_fail_sql(b, rc, &q)
			: emit_groups(b, &q, t, r->group_col, r->cb, r->payload);
		break;
	}
	default:
		rc = oyl__sq_fail(b, OYL_EINVAL, "read %zu: unknown kind %d", i, (int)r->kind);
		break;
	}
	oyl__sql_free(&q);
	return rc;
}

int oyl__sq_read_many(oyl_backend *base, oyl_read *reads, size_t n)
{
	sq_backend *b = sq_of(base);

	oyl__sq_context(b, "read", NULL);
	if (n && !reads)
		return oyl__sq_fail(b, OYL_EINVAL, "no reads");
	for (size_t i = 0; i < n; i++)
		reads[i].status = OYL_ERROR;
	for (size_t i = 0; i < n; i++) {
		int rc = run_read(b, reads, i);
		if (rc != OYL_OK)
			return rc;
		if (reads[i].status == OYL_ERROR)
			reads[i].status = OYL_OK;
	}
	return OYL_OK;
}

int oyl__sq_get(oyl_backend *base, const oyl_scope *scope, const oyl_table *t, const char *id,
		oyl_row_cb cb, void *payload)
{
	oyl_read r = {OYL_READ_GET, OYL_LOCK_NONE, scope, t, id, NULL, 0, 0, cb, payload, 0, 0};
	int rc = run_read(sq_of(base), &r, 0);

	if (rc == OYL_OK && r.status == OYL_ENOTFOUND)
		return oyl__sq_fail(sq_of(base), OYL_ENOTFOUND, "no such row");
	return rc;
}

int oyl__sq_list(oyl_backend *base, const oyl_scope *scope, const oyl_table *t, const oyl_query *lq,
		 oyl_row_cb cb, void *payload)
{
	oyl_read r = {OYL_READ_LIST, OYL_LOCK_NONE, scope, t, NULL, lq, 0, 0, cb, payload, 0, 0};

	if (!lq)
		return oyl__sq_fail(sq_of(base), OYL_EINVAL, "list: no query");
	return run_read(sq_of(base), &r, 0);
}

int oyl__sq_count(oyl_backend *base, const oyl_scope *scope, const oyl_table *t,
		  const oyl_filter *filters, size_t nfilters, int64_t *count)
{
	oyl_query fq = {filters, nfilters, 0, 0, NULL, NULL, 0, 0};
	oyl_read r = {OYL_READ_COUNT, OYL_LOCK_NONE, scope, t, NULL, &fq, 0, 0, NULL, NULL, 0, 0};

	if (!count)
		return oyl__sq_fail(sq_of(base), OYL_EINVAL, "count: no out-pointer");
	*count = 0;
	int rc = run_read(sq_of(base), &r, 0);
	if (rc == OYL_OK)
		*count = r.count;
	return rc;
}

static int ignore_row(const oyl_value *vals, size_t n, void *payload)
{
	(void)vals;
	(void)n;
	(void)payload;
	return OYL_OK;
}

int oyl__sq_lock(oyl_backend *base, const oyl_scope *scope, const oyl_table *t, const char *id)
{
	sq_backend *b = sq_of(base);
	oyl_read r = {OYL_READ_GET, OYL_LOCK_UPDATE, scope, t, id, NULL, 0, 0, ignore_row, NULL, 0, 0};
	int rc = run_read(b, &r, 0);

	if (rc == OYL_OK && r.status == OYL_ENOTFOUND)
		return oyl__sq_fail(b, OYL_ENOTFOUND, "no such row");
	return rc;
}

int oyl__sq_get_many(oyl_backend *base, const oyl_scope *scope, const oyl_table *t,
		     const char *const *ids, size_t n, oyl_row_cb cb, void *payload)
{
	sq_backend *b = sq_of(base);
	oyl__sql q;
	int64_t rows;

	oyl__sq_context(b, "get from", t->name);
	if (!cb || (n && !ids))
		return oyl__sq_fail(b, OYL_EINVAL, "no ids or row callback");
	oyl__sq_sql_init(&q);
	int rc = oyl__sql_get_many(&q, scope, t, ids, n);
	rc = rc ? oyl__sq_fail_sql(b, rc, &q) : emit_rows(b, &q, t, cb, payload, &rows);
	oyl__sql_free(&q);
	return rc;
}
