/*
 * Preparing, caching, binding and stepping statements, and decoding rows.
 *
 * The statement cache is keyed by SQL text: the text already says which
 * table, operation and shape (filters, columns) a statement has, and the
 * values are all parameters.  A statement handed out is marked busy, so a
 * row callback that calls back into the backend with the same text gets a
 * fresh, uncached statement instead of resetting the one being read.
 * Every statement is reset as soon as its call ends, so no read lock
 * outlives a call.
 */
#include <string.h>

#include "sq_internal.h"

static int find_cached(sq_backend *b, const char *sql)
{
	for (int i = 0; i < SQ_CACHE_SIZE; i++) {
		const sq_cached *c = &b->cache[i];
		if (c->sql && !c->busy && strcmp(c->sql, sql) == 0)
			return i;
	}
	return -1;
}

/* A free slot, or the least recently used idle one; -1 when all are busy. */
static int pick_slot(sq_backend *b)
{
	int best = -1;

	for (int i = 0; i < SQ_CACHE_SIZE; i++) {
		const sq_cached *c = &b->cache[i];
		if (!c->sql)
			return i;
		if (!c->busy && (best < 0 || c->last_used < b->cache[best].last_used))
			best = i;
	}
	return best;
}

static void drop_slot(sq_cached *c)
{
	sqlite3_finalize(c->stmt);
	oyl_free(c->sql);
	memset(c, 0, sizeof *c);
}

void oyl__sq_cache_clear(sq_backend *b)
{
	for (int i = 0; i < SQ_CACHE_SIZE; i++)
		if (b->cache[i].sql)
			drop_slot(&b->cache[i]);
}

/* Keeps a freshly prepared statement in `slot` if its text can be copied. */
static int keep(sq_backend *b, int slot, const oyl__sql *q, sqlite3_stmt *stmt)
{
	char *copy = oyl_malloc(q->len + 1);

	if (!copy)
		return -1; /* it simply stays uncached */
	memcpy(copy, q->text, q->len + 1);
	if (b->cache[slot].sql)
		drop_slot(&b->cache[slot]);
	b->cache[slot].sql = copy;
	b->cache[slot].stmt = stmt;
	return slot;
}

static int bind_params(sqlite3_stmt *stmt, const oyl__sql *q)
{
	int rc = SQLITE_OK;

	for (size_t i = 0; i < q->nparams && rc == SQLITE_OK; i++) {
		const oyl__sql_param *p = &q->params[i];
		int at = (int)i + 1;

		/* SQLITE_STATIC: values outlive the statement's run (released before return) */
		switch (p->kind) {
		case OYL__SQL_INT:
			rc = sqlite3_bind_int64(stmt, at, p->i);
			break;
		case OYL__SQL_REAL:
			rc = sqlite3_bind_double(stmt, at, p->r);
			break;
		case OYL__SQL_TEXT:
			rc = sqlite3_bind_text(stmt, at, p->s, (int)p->n, SQLITE_STATIC);
			break;
		case OYL__SQL_BLOB:
			rc = sqlite3_bind_blob(stmt, at, p->s, (int)p->n, SQLITE_STATIC);
			break;
		default:
			rc = sqlite3_bind_null(stmt, at);
			break;
		}
	}
	return rc;
}

int oyl__sq_prepare(sq_backend *b, const oyl__sql *q, sq_stmt *st)
{
	st->stmt = NULL;
	st->slot = -1;
	if (q->oom || !q->text)
		return oyl__sq_fail(b, OYL_ENOMEM, "out of memory");
	if (oyl__sql_hook)
		oyl__sql_hook(q);
	if (q->nparams > (size_t)sqlite3_limit(b->db, SQLITE_LIMIT_VARIABLE_NUMBER, -1))
		return oyl__sq_fail(b, OYL_EINVAL, "too many values in one statement");

	int slot = find_cached(b, q->text);
	if (slot >= 0) {
		st->stmt = b->cache[slot].stmt;
	} else {
		slot = pick_slot(b);
		unsigned flags = slot >= 0 ? SQLITE_PREPARE_PERSISTENT : 0;
		int rc = sqlite3_prepare_v3(b->db, q->text, (int)q->len + 1, flags, &st->stmt, NULL);
		if (rc != SQLITE_OK) {
			sqlite3_finalize(st->stmt);
			st->stmt = NULL;
			return oyl__sq_fail_sqlite(b, rc);
		}
		if (slot >= 0)
			slot = keep(b, slot, q, st->stmt);
	}
	st->slot = slot;
	if (slot >= 0) {
		b->cache[slot].busy = true;
		b->cache[slot].last_used = ++b->clock;
	}

	int rc = bind_params(st->stmt, q);
	if (rc != SQLITE_OK) {
		int status = oyl__sq_fail_sqlite(b, rc);
		oyl__sq_release(b, st);
		return status;
	}
	return OYL_OK;
}

void oyl__sq_release(sq_backend *b, sq_stmt *st)
{
	if (!st->stmt)
		return;
	if (st->slot >= 0) {
		sqlite3_reset(st->stmt);
		sqlite3_clear_bindings(st->stmt);
		b->cache[st->slot].busy = false;
	} else {
		sqlite3_finalize(st->stmt);
	}
	st->stmt = NULL;
	st->slot = -1;
}

int oyl__sq_step(sq_backend *b, sq_stmt *st)
{
	int rc = sqlite3_step(st->stmt);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return oyl__sq_fail_sqlite(b, rc);
}

int oyl__sq_run(sq_backend *b, const oyl__sql *q)
{
	sq_stmt st;
	int rc = oyl__sq_prepare(b, q, &st);

	if (rc != OYL_OK)
		return rc;
	do
		rc = oyl__sq_step(b, &st);
	while (rc == 1);
	oyl__sq_release(b, &st);
	return rc;
}

int oyl__sq_exec(sq_backend *b, const char *sql)
{
	int rc = sqlite3_exec(b->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? OYL_OK : oyl__sq_fail_sqlite(b, rc);
}

/* One result column into v, as the descriptor's type says. */
static void decode(sqlite3_stmt *stmt, int col, int32_t type, oyl_value *v)
{
	memset(v, 0, sizeof *v);
	if (sqlite3_column_type(stmt, col) == SQLITE_NULL) {
		v->type = OYL_TYPE_NULL;
		return;
	}
	v->type = type;
	switch (type) {
	case OYL_TYPE_INT:
	case OYL_TYPE_TIME:
		v->i = sqlite3_column_int64(stmt, col);
		break;
	case OYL_TYPE_BOOL:
		v->i = sqlite3_column_int64(stmt, col) != 0;
		break;
	case OYL_TYPE_REAL:
		v->r = sqlite3_column_double(stmt, col);
		break;
	case OYL_TYPE_BLOB:
		v->s = sqlite3_column_blob(stmt, col);
		v->n = (size_t)sqlite3_column_bytes(stmt, col);
		if (!v->s)
			v->s = ""; /* a zero-length blob: never hand out NULL bytes */
		break;
	default:
		v->s = (const char *)sqlite3_column_text(stmt, col);
		v->n = (size_t)sqlite3_column_bytes(stmt, col);
		break;
	}
}

int oyl__sq_emit_row(sq_backend *b, sqlite3_stmt *stmt, const oyl_table *t, oyl_value *vals,
		     oyl_row_cb cb, void *payload)
{
	for (size_t c = 0; c < t->ncols; c++) {
		decode(stmt, (int)c, t->cols[c].type, &vals[c]);
		/* no text pointer for a non-NULL text value: SQLite ran out of memory */
		bool texty = vals[c].type == OYL_TYPE_TEXT || vals[c].type == OYL_TYPE_UUID ||
			     vals[c].type == OYL_TYPE_JSON;
		if (texty && !vals[c].s)
			return oyl__sq_fail(b, OYL_ENOMEM, "out of memory reading column %s",
					    t->cols[c].name);
	}
	return cb(vals, t->ncols, payload);
}

int64_t oyl__sq_changes(sq_backend *b)
{
#if SQLITE_VERSION_NUMBER >= 3037000
	return sqlite3_changes64(b->db);
#else
	return sqlite3_changes(b->db);
#endif
}
