/*
 * Writes.  Inside a write transaction, a write whose caller needs no row
 * count is deferred: queued on the pipeline and sent with the
 * transaction's next batch, most often its COMMIT, so that a call's
 * writes, its audit row and COMMIT make one round trip.  Each write gets
 * its number in the transaction; a deferred write that fails makes the
 * batch fail with its own message, and failed_write() tells which it was.
 *
 * A write outside begin() is a transaction of its own (BEGIN and the
 * settings, the statement, COMMIT: one round trip); a write in a read
 * transaction is a misuse.
 */
#include <stdint.h>
#include <string.h>

#include "pg_internal.h"

/* One INSERT of arrays (pg_arrays.c) takes up to this many rows and, past
 * its first row, up to this many bytes of values: the arrays and libpq's
 * copy of the message are each about that size (a 64 MiB document's
 * postings, some of a hundred kilobytes, would otherwise travel whole). */
#define ROWS_PER_INSERT_MAX 2000
#define BYTES_PER_INSERT_MAX (4u << 20)

#define CONTROL(op_) ((pg_entry){PG_ENTRY_CONTROL, -1, -1, (op_), "", NULL, NULL, false})

static int write_allowed(pg_backend *b)
{
	if (b->txn == PG_TXN_READ)
		return oyl__pg_fail(b, OYL_EMISUSE, "a write in a read transaction");
	return OYL_OK;
}

/* The next write's number (-1 outside a transaction). */
static int next_write(pg_backend *b)
{
	return b->txn == PG_TXN_WRITE ? b->writes++ : -1;
}

/* Queues q as write number `no`; runs it now unless it may wait. */
static int run_write(pg_backend *b, oyl__sql *q, const oyl_scope *scope, const oyl_table *t,
		     int no, int64_t *affected)
{
	bool own = false;
	int rc = oyl__pg_txn_enter(b, scope, t, &own);
	if (rc == OYL_OK) {
		pg_entry e = {PG_ENTRY_WRITE, no, -1, b->op, b->obj, affected, NULL, false};
		rc = oyl__pg_queue(b, q, NULL, true, e);
	}
	if (rc == OYL_OK)
		rc = oyl__pg_txn_own_end(b, own);
	if (rc == OYL_OK && (b->txn != PG_TXN_WRITE || affected)) {
		rc = oyl__pg_txn_sync(b);
		oyl__pg_queue_clear(b);
	}
	return rc;
}

int oyl__pg_insert(oyl_backend *base, const oyl_scope *scope, const oyl_table *t,
		   const oyl_value *vals)
{
	pg_backend *b = pg_of(base);
	int no = next_write(b);
	oyl__sql q;

	oyl__pg_context(b, "insert into", t->name);
	int rc = write_allowed(b);
	if (rc)
		return rc;
	oyl__pg_sql_init(&q);
	rc = oyl__sql_insert(&q, scope, t, vals, 1);
	rc = rc ? oyl__pg_fail_sql(b, rc, &q) : run_write(b, &q, scope, t, no, NULL);
	oyl__sql_free(&q);
	return rc;
}

int oyl__pg_update(oyl_backend *base, const oyl_scope *scope, const oyl_table *t,
		   const oyl_filter *filters, size_t nfilters, const oyl_assign *set, size_t nset,
		   int64_t *changed)
{
	pg_backend *b = pg_of(base);
	int no = next_write(b);
	oyl__sql q;

	oyl__pg_context(b, "update", t->name);
	if (changed)
		*changed = 0;
	int rc = write_allowed(b);
	if (rc)
		return rc;
	oyl__pg_sql_init(&q);
	/* behind the wall, a tenant renames its tenant through a function */
	if (oyl__pg_is_tenants(t) && oyl__pg_runs_as_runtime(b)) {
		rc = oyl__pg_sql_rename_own_tenant(b, &q, t, filters, nfilters, set, nset);
		rc = rc ? rc : run_write(b, &q, scope, t, no, changed);
		oyl__sql_free(&q);
		return rc;
	}
	rc = oyl__sql_update(&q, scope, t, filters, nfilters, set, nset);
	rc = rc ? oyl__pg_fail_sql(b, rc, &q) : run_write(b, &q, scope, t, no, changed);
	oyl__sql_free(&q);
	return rc;
}

int oyl__pg_remove(oyl_backend *base, const oyl_scope *scope, const oyl_table *t,
		   const oyl_filter *filters, size_t nfilters, int64_t *deleted)
{
	pg_backend *b = pg_of(base);
	int no = next_write(b);
	oyl__sql q;

	oyl__pg_context(b, "delete from", t->name);
	if (deleted)
		*deleted = 0;
	int rc = write_allowed(b);
	if (rc)
		return rc;
	oyl__pg_sql_init(&q);
	rc = oyl__sql_delete(&q, scope, t, filters, nfilters);
	rc = rc ? oyl__pg_fail_sql(b, rc, &q) : run_write(b, &q, scope, t, no, deleted);
	oyl__sql_free(&q);
	return rc;
}

/* How many of rows[0..nrows), at least one, make one statement of up to
 * `per` rows and BYTES_PER_INSERT_MAX bytes. */
static size_t rows_that_fit(const oyl_table *t, const oyl_value *rows, size_t nrows, size_t per)
{
	size_t bytes = 0, k = 0;
	while (k < nrows && k < per) {
		size_t row = 0;
		for (size_t i = 0; i < t->ncols; i++)
			row += 8 + rows[k * t->ncols + i].n; /* a length and fixed size, or the bytes */
		if (k > 0 && bytes + row > BYTES_PER_INSERT_MAX)
			break;
		bytes += row;
		k++;
	}
	return k;
}

/* Queues the INSERTs of rows[0..nrows), in statements of arrays of up to
 * `per` rows (rows_that_fit), each numbered as write `no` (or, with
 * no < 0, by its first row). */
static int queue_inserts(pg_backend *b, const oyl_scope *scope, const oyl_table *t,
			 const oyl_value *rows, size_t nrows, size_t per, int no, size_t *bad)
{
	oyl__sql values, q;
	int rc = OYL_OK;

	oyl__pg_sql_init(&values);
	oyl__pg_sql_init(&q);
	for (size_t r = 0, k = 0; r < nrows && rc == OYL_OK; r += k) {
		k = rows_that_fit(t, rows + r * t->ncols, nrows - r, per);
		oyl__sql_reset(&values);
		oyl__sql_reset(&q);
		rc = oyl__sql_insert_values(&values, scope, t, rows + r * t->ncols, k);
		if (rc != OYL_OK) {
			if (bad && values.bad_row != SIZE_MAX)
				*bad = r + values.bad_row;
			rc = oyl__pg_fail_sql(b, rc, &values);
			break;
		}
		rc = oyl__pg_sql_insert_arrays(&q, t, &values, k);
		if (rc != OYL_OK) {
			rc = oyl__pg_fail_sql(b, rc, &q);
			break;
		}
		/* a row's index rides in write_no for the search of the bad row */
		pg_entry e = {PG_ENTRY_WRITE, no < 0 ? (int)r : no, -1, b->op, b->obj, NULL, NULL,
			      false};
		rc = oyl__pg_queue(b, &q, NULL, true, e);
	}
	oyl__sql_free(&values);
	oyl__sql_free(&q);
	return rc;
}

/*
 * After a failed insert_many (the savepoint's work undone): the rows one
 * by one in one batch, so that the first to fail is the one to blame.
 * Undoes them again and releases the savepoint.
 */
static size_t find_bad_row(pg_backend *b, const oyl_scope *scope, const oyl_table *t,
			   const oyl_value *rows, size_t nrows)
{
	char saved[PG_ERRMSG_SIZE];
	size_t bad = SIZE_MAX;

	memcpy(saved, b->errmsg, sizeof saved);
	int rc = oyl__pg_queue(b, NULL, "ROLLBACK TO SAVEPOINT oyl_insert_many", true,
			       CONTROL("insert into"));
	if (rc == OYL_OK)
		rc = queue_inserts(b, scope, t, rows, nrows, 1, -1, NULL);
	if (rc == OYL_OK && oyl__pg_sync(b) != OYL_OK && b->failed_write >= 0) {
		bad = (size_t)b->failed_write;
		memcpy(saved, b->errmsg, sizeof saved); /* the row's own message */
	}
	oyl__pg_queue_clear(b);
	if (PQpipelineStatus(b->conn) == PQ_PIPELINE_OFF && !oyl__pg_lost(b)) {
		oyl__pg_queue(b, NULL, "ROLLBACK TO SAVEPOINT oyl_insert_many", true,
			      CONTROL("insert into"));
		oyl__pg_queue(b, NULL, "RELEASE SAVEPOINT oyl_insert_many", true,
			      CONTROL("insert into"));
		oyl__pg_sync(b);
		oyl__pg_queue_clear(b);
	}
	memcpy(b->errmsg, saved, sizeof saved);
	return bad;
}

int oyl__pg_insert_many(oyl_backend *base, const oyl_scope *scope, const oyl_table *t,
			const oyl_value *rows, size_t nrows, size_t *failed_row)
{
	pg_backend *b = pg_of(base);
	int no = next_write(b);
	bool own = false;

	oyl__pg_context(b, "insert into", t->name);
	if (failed_row)
		*failed_row = SIZE_MAX;
	int rc = write_allowed(b);
	if (rc != OYL_OK || nrows == 0)
		return rc;
	if (!rows)
		return oyl__pg_fail(b, OYL_EINVAL, "no rows");
	size_t per = ROWS_PER_INSERT_MAX;

	/* Deferred, in a write transaction: its failure fails the transaction. */
	bool defer = b->txn == PG_TXN_WRITE && !failed_row;
	rc = oyl__pg_txn_enter(b, scope, t, &own);
	if (rc == OYL_OK && !defer)
		rc = oyl__pg_queue(b, NULL, "SAVEPOINT oyl_insert_many", true, CONTROL("insert into"));
	if (rc == OYL_OK)
		rc = queue_inserts(b, scope, t, rows, nrows, per, no, failed_row);
	if (rc == OYL_OK && !defer)
		rc = oyl__pg_queue(b, NULL, "RELEASE SAVEPOINT oyl_insert_many", true,
				   CONTROL("insert into"));
	if (rc != OYL_OK)
		oyl__pg_txn_abort(b);
	if (defer || rc != OYL_OK)
		return rc;
	if (rc == OYL_OK)
		rc = oyl__pg_txn_own_end(b, own); /* COMMIT in the same round trip */
	if (rc == OYL_OK)
		rc = oyl__pg_sync(b);
	oyl__pg_queue_clear(b);
	if (rc != OYL_OK && !oyl__pg_lost(b) && PQtransactionStatus(b->conn) == PQTRANS_INERROR) {
		int saved_no = b->failed_write;
		size_t bad = find_bad_row(b, scope, t, rows, nrows);
		b->failed_write = saved_no;
		if (failed_row)
			*failed_row = bad;
	}
	if (rc != OYL_OK && (own || b->txn == PG_TXN_NONE))
		oyl__pg_txn_abort(b);
	return rc;
}

int oyl__pg_claim(oyl_backend *base, const oyl_scope *scope, const oyl_table *t,
		  const oyl_filter *filters, size_t nfilters, int32_t order_col, int64_t limit,
		  const oyl_assign *set, size_t nset, oyl_row_cb cb, void *payload)
{
	pg_backend *b = pg_of(base);
	oyl__sql q;

	oyl__pg_context(b, "claim from", t->name);
	if (!cb)
		return oyl__pg_fail(b, OYL_EINVAL, "no row callback");
	int rc = write_allowed(b);
	if (rc)
		return rc;
	oyl__pg_sql_init(&q);
	rc = oyl__sql_claim(&q, scope, t, filters, nfilters, order_col, limit, set, nset);
	/* outside begin(), the claim commits with its own transaction */
	rc = rc ? oyl__pg_fail_sql(b, rc, &q) : oyl__pg_run_rows(b, &q, scope, t, t, cb, payload);
	oyl__sql_free(&q);
	return rc;
}

int oyl__pg_failed_write(oyl_backend *base)
{
	return pg_of(base)->failed_write;
}
