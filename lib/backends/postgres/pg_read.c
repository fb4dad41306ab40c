/*
 * Reads: read_many sends a whole batch (BEGIN and the settings first when
 * it opens the transaction, COMMIT last in a read transaction) in one
 * round trip, then hands each read its rows.  get, list, count and lock
 * are batches of one; get_many is one statement with a uuid[] parameter.
 *
 * A batch that opened the transaction and holds no write may be sent
 * again once, after a reconnection, if the connection turns out lost:
 * nothing of it can have been applied.
 */
#include <string.h>

#include "pg_internal.h"

static int check_lock(pg_backend *b, const oyl_read *r)
{
	if (r->lock != OYL_LOCK_NONE && b->txn != PG_TXN_WRITE)
		return oyl__pg_fail(b, OYL_EMISUSE, "a row lock needs a write transaction");
	return OYL_OK;
}

/* Builds one read's statement into q. */
static int build(pg_backend *b, const oyl_read *reads, size_t i, oyl__sql *q)
{
	const oyl_read *r = &reads[i];
	const oyl_filter *f = r->query ? r->query->filters : NULL;
	size_t nf = r->query ? r->query->nfilters : 0;
	int rc;

	switch (r->kind) {
	case OYL_READ_GET:
		oyl__pg_context(b, "get from", r->table->name);
		if ((rc = check_lock(b, r)))
			return rc;
		if (r->lock != OYL_LOCK_NONE && oyl__pg_is_tenants(r->table) &&
		    oyl__pg_runs_as_runtime(b))
			rc = oyl__pg_sql_lock_own_tenant(q, r->table, r->id);
		else
			rc = oyl__sql_get(q, r->scope, r->table, r->id, r->lock);
		break;
	case OYL_READ_LIST:
		oyl__pg_context(b, "list", r->table->name);
		if ((rc = check_lock(b, r)))
			return rc;
		rc = oyl__sql_list(q, r->scope, r->table, r->query, r->lock);
		break;
	case OYL_READ_LIST_ANY:
		oyl__pg_context(b, "list", r->table->name);
		rc = oyl__sql_list_any(q, r->scope, r->table, r->query, r->group_col, r->lock);
		break;
	case OYL_READ_COUNT:
		oyl__pg_context(b, "count", r->table->name);
		rc = oyl__sql_count(q, r->scope, r->table, f, nf);
		break;
	case OYL_READ_COUNT_BY: {
		oyl__pg_context(b, "count", r->table->name);
		const oyl_read *p = (r->parent >= 0 && (size_t)r->parent < i) ? &reads[r->parent] : NULL;
		if (!p || p->kind != OYL_READ_LIST)
			return oyl__pg_fail(b, OYL_EINVAL, "read %zu: no list read to group by", i);
		rc = oyl__sql_count_by(q, r->scope, r->table, f, nf, r->group_col, p->scope, p->table,
				       p->query);
		break;
	}
	default:
		return oyl__pg_fail(b, OYL_EINVAL, "read %zu: unknown kind %d", i, (int)r->kind);
	}
	return rc ? oyl__pg_fail_sql(b, rc, q) : OYL_OK;
}

/* Queues the batch; at[i] gets the queue index of read i's answer. */
static int queue_batch(pg_backend *b, oyl_read *reads, size_t n, size_t *at)
{
	oyl__sql q;
	bool own = false;
	int rc = OYL_OK;

	oyl__pg_sql_init(&q);
	for (size_t i = 0; i < n && rc == OYL_OK; i++) {
		bool opened = false;
		if (!reads[i].table || (reads[i].kind != OYL_READ_COUNT && !reads[i].cb)) {
			rc = oyl__pg_fail(b, OYL_EINVAL, "read %zu: no table or row callback", i);
			break;
		}
		oyl__sql_reset(&q);
		rc = build(b, reads, i, &q);
		if (rc == OYL_OK)
			rc = oyl__pg_txn_enter(b, reads[i].scope, reads[i].table, &opened);
		own = own || opened;
		if (rc == OYL_OK) {
			pg_entry e = {PG_ENTRY_READ, -1, -1, b->op, b->obj, NULL, NULL, false};
			rc = oyl__pg_queue(b, &q, NULL, true, e);
			at[i] = b->nqueue - 1; /* after a Parse, if one went first */
		}
	}
	oyl__sql_free(&q);
	if (rc == OYL_OK)
		rc = oyl__pg_txn_close_read(b);
	if (rc == OYL_OK)
		rc = oyl__pg_txn_own_end(b, own);
	return rc;
}

static int deliver_count(pg_backend *b, PGresult *res, oyl_read *r)
{
	return oyl__pg_result_int(b, res, &r->count);
}

/* The rows of read r from res. */
static int deliver(pg_backend *b, PGresult *res, oyl_read *r)
{
	static const oyl_column count_col = {"count", OYL_TYPE_INT, OYL_COL_NOT_NULL};

	oyl__pg_context(b, "read", r->table->name);
	switch (r->kind) {
	case OYL_READ_GET:
		r->status = PQntuples(res) ? OYL_OK : OYL_ENOTFOUND;
		return oyl__pg_emit_rows(b, res, r->table, r->cb, r->payload);
	case OYL_READ_COUNT:
		return deliver_count(b, res, r);
	case OYL_READ_COUNT_BY: {
		oyl_column cols[2] = {r->table->cols[r->group_col], count_col};
		const oyl_table shape = {"groups", cols, 2, -1, -1};
		return oyl__pg_emit_rows(b, res, &shape, r->cb, r->payload);
	}
	default:
		return oyl__pg_emit_rows(b, res, r->table, r->cb, r->payload);
	}
}

/* Every read's rows, from the answers of the batch just synced. */
static int deliver_all(pg_backend *b, oyl_read *reads, size_t n, const size_t *at)
{
	int rc = OYL_OK;
	for (size_t i = 0; i < n && rc == OYL_OK; i++) {
		PGresult *res = oyl__pg_take(b, at[i]);
		reads[i].status = OYL_OK;
		rc = res ? deliver(b, res, &reads[i])
			 : oyl__pg_fail(b, OYL_ESTORAGE, "read %zu: no answer", i);
		PQclear(res);
	}
	return rc;
}

int oyl__pg_read_many(oyl_backend *base, oyl_read *reads, size_t n)
{
	pg_backend *b = pg_of(base);
	int rc = OYL_OK;

	oyl__pg_context(b, "read", NULL);
	if (n == 0)
		return OYL_OK;
	if (!reads)
		return oyl__pg_fail(b, OYL_EINVAL, "no reads");
	size_t *at = oyl_malloc(n * sizeof *at);
	if (!at)
		return oyl__pg_fail(b, OYL_ENOMEM, "out of memory");
	/* a batch outside begin() is a transaction of its own: the platform's
	 * when any of its reads is (behind the wall, one role runs it all) */
	for (size_t i = 0; i < n && b->txn == PG_TXN_NONE; i++)
		if (!reads[i].scope || !reads[i].scope->tenant_id ||
		    (reads[i].table && reads[i].table->tenant_col < 0 && b->as_platform))
			b->own_platform = true;
	for (int attempt = 0; attempt < 2; attempt++) {
		for (size_t i = 0; i < n; i++)
			reads[i].status = OYL_ERROR;
		bool pending = b->nqueue > 0; /* deferred writes go with this batch */
		rc = queue_batch(b, reads, n, at);
		bool retriable = !pending && b->batch_opened && !b->batch_writes;
		if (rc == OYL_OK)
			rc = oyl__pg_txn_sync(b);
		if (rc == OYL_EDISCONNECTED && attempt == 0 && retriable) {
			oyl__pg_queue_clear(b);
			if (oyl__pg_reconnect(b) == OYL_OK)
				continue;
		}
		break;
	}
	if (rc != OYL_OK)
		oyl__pg_txn_abort(b); /* statements queued and never synced */
	else
		rc = deliver_all(b, reads, n, at);
	oyl__pg_queue_clear(b);
	oyl_free(at);
	b->own_platform = false;
	return rc;
}

int oyl__pg_read_many_commit(oyl_backend *base, oyl_read *reads, size_t n, int *committed)
{
	pg_backend *b = pg_of(base);
	*committed = 0;
	oyl__pg_context(b, "read", NULL);
	if (b->txn == PG_TXN_NONE)
		return oyl__pg_fail(b, OYL_EMISUSE, "no transaction is open");
	size_t *at = n > 0 && !reads ? NULL : oyl_malloc((n ? n : 1) * sizeof *at);
	if (!at) { /* the transaction ends here too */
		oyl__pg_rollback(base);
		return n > 0 && !reads ? oyl__pg_fail(b, OYL_EINVAL, "no reads")
				       : oyl__pg_fail(b, OYL_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		reads[i].status = OYL_ERROR;
	/* the writes deferred so far, the reads and COMMIT: one Sync */
	int rc = queue_batch(b, reads, n, at);
	if (rc == OYL_OK && b->server_txn) {
		pg_entry commit = {PG_ENTRY_CONTROL, -1, -1, "commit", "", NULL, NULL, true};
		rc = oyl__pg_queue(b, NULL, "COMMIT", true, commit);
	}
	if (rc == OYL_OK)
		rc = oyl__pg_sync(b);
	if (rc != OYL_OK) {
		oyl__pg_txn_abort(b);
	} else {
		*committed = 1;
		rc = deliver_all(b, reads, n, at);
	}
	oyl__pg_queue_clear(b);
	oyl__pg_txn_forget(b);
	b->txn = PG_TXN_NONE;
	oyl_free(at);
	return rc;
}

int oyl__pg_get(oyl_backend *base, const oyl_scope *scope, const oyl_table *t, const char *id,
		oyl_row_cb cb, void *payload)
{
	oyl_read r = {OYL_READ_GET, OYL_LOCK_NONE, scope, t, id, NULL, 0, 0, cb, payload, 0, 0};
	int rc = oyl__pg_read_many(base, &r, 1);

	if (rc == OYL_OK && r.status == OYL_ENOTFOUND)
		return oyl__pg_fail(pg_of(base), OYL_ENOTFOUND, "no record with that id");
	return rc;
}

int oyl__pg_list(oyl_backend *base, const oyl_scope *scope, const oyl_table *t, const oyl_query *lq,
		 oyl_row_cb cb, void *payload)
{
	oyl_read r = {OYL_READ_LIST, OYL_LOCK_NONE, scope, t, NULL, lq, 0, 0, cb, payload, 0, 0};

	if (!lq)
		return oyl__pg_fail(pg_of(base), OYL_EINVAL, "list: no query");
	return oyl__pg_read_many(base, &r, 1);
}

int oyl__pg_count(oyl_backend *base, const oyl_scope *scope, const oyl_table *t,
		  const oyl_filter *filters, size_t nfilters, int64_t *count)
{
	oyl_query fq = {filters, nfilters, 0, 0, NULL, NULL, 0, 0};
	oyl_read r = {OYL_READ_COUNT, OYL_LOCK_NONE, scope, t, NULL, &fq, 0, 0, NULL, NULL, 0, 0};

	if (!count)
		return oyl__pg_fail(pg_of(base), OYL_EINVAL, "count: no out-pointer");
	*count = 0;
	int rc = oyl__pg_read_many(base, &r, 1);
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

int oyl__pg_lock(oyl_backend *base, const oyl_scope *scope, const oyl_table *t, const char *id)
{
	oyl_read r = {OYL_READ_GET, OYL_LOCK_UPDATE, scope, t, id, NULL, 0, 0, ignore_row, NULL, 0, 0};
	int rc = oyl__pg_read_many(base, &r, 1);

	if (rc == OYL_OK && r.status == OYL_ENOTFOUND)
		return oyl__pg_fail(pg_of(base), OYL_ENOTFOUND, "no record with that id");
	return rc;
}

int oyl__pg_run_rows(pg_backend *b, oyl__sql *q, const oyl_scope *scope, const oyl_table *t,
		     const oyl_table *shape, oyl_row_cb cb, void *payload)
{
	bool own = false;
	size_t at = 0;

	int rc = oyl__pg_txn_enter(b, scope, t, &own);
	if (rc == OYL_OK) {
		pg_entry e = {PG_ENTRY_READ, -1, -1, b->op, b->obj, NULL, NULL, false};
		rc = oyl__pg_queue(b, q, NULL, true, e);
		at = b->nqueue - 1;
	}
	if (rc == OYL_OK)
		rc = oyl__pg_txn_close_read(b);
	if (rc == OYL_OK)
		rc = oyl__pg_txn_own_end(b, own);
	if (rc == OYL_OK)
		rc = oyl__pg_txn_sync(b);
	if (rc != OYL_OK)
		oyl__pg_txn_abort(b);
	if (rc == OYL_OK) {
		PGresult *res = oyl__pg_take(b, at);
		rc = oyl__pg_emit_rows(b, res, shape, cb, payload);
		PQclear(res);
	}
	oyl__pg_queue_clear(b);
	return rc;
}

int oyl__pg_get_many(oyl_backend *base, const oyl_scope *scope, const oyl_table *t,
		     const char *const *ids, size_t n, oyl_row_cb cb, void *payload)
{
	pg_backend *b = pg_of(base);
	oyl__sql q;

	oyl__pg_context(b, "get from", t->name);
	if (!cb || (n && !ids))
		return oyl__pg_fail(b, OYL_EINVAL, "no ids or row callback");
	oyl__pg_sql_init(&q);
	int rc = oyl__sql_get_many(&q, scope, t, ids, n);
	rc = rc ? oyl__pg_fail_sql(b, rc, &q) : oyl__pg_run_rows(b, &q, scope, t, t, cb, payload);
	oyl__sql_free(&q);
	return rc;
}
