/*
 * insert_many's rows as one statement of arrays:
 *
 *   INSERT INTO "t" ("c1", ...) SELECT unnest($1::uuid[]), unnest($2::text[]), ...
 *
 * where each parameter holds one column's values as an array in
 * PostgreSQL's binary format.  The arrays are unnested in the select
 * list, in step (they have the same length), row by row: in FROM, as
 * unnest(a, b, ...), the server would first copy every row into a
 * tuple store (4% of its time inserting postings).  The text is the same for any number of
 * rows, so the server parses and plans it once per connection, and it
 * reads one array per column where multi-row VALUES gave it a parameter
 * per value.  A column with one value in every row (the tenant's, the
 * document's id) is sent once, as a plain parameter ($3::uuid): the
 * server then reads 16 bytes where it unnested an array of as many ids as
 * rows, and the text differs by which columns those are (a few shapes per
 * table, each prepared once).  Row-level security does not allow COPY FROM; this is the
 * nearest to it (doc/performance.md has the measurement).  The values
 * were checked by the shared builder (oyl__sql_insert_values) as for any
 * other statement.
 */
#include <arpa/inet.h>
#include <string.h>

#include "pg_internal.h"

#define ARRAY_HEADER 20 /* dimensions, flags, element type, length, lower bound */
#define INSERT_COLS_MAX 64 /* more than any table of the schema has */

/* The element type's OID (pg_type.dat). */
static uint32_t element_oid(int32_t coltype)
{
	switch (coltype) {
	case OYL_TYPE_UUID:
		return 2950;
	case OYL_TYPE_INT:
		return 20; /* int8 */
	case OYL_TYPE_TIME:
		return 1184; /* timestamptz */
	case OYL_TYPE_JSON:
		return 114;
	case OYL_TYPE_REAL:
		return 701; /* float8 */
	case OYL_TYPE_BLOB:
		return 17; /* bytea */
	case OYL_TYPE_BOOL:
		return 16;
	default:
		return 25; /* text */
	}
}

/* A value's bytes as it travels: as given (text, bytes) or encoded. */
static bool raw(const oyl__sql_param *p)
{
	return p->kind == OYL__SQL_BLOB || (p->kind == OYL__SQL_TEXT && p->coltype != OYL_TYPE_UUID);
}

static size_t value_size(const oyl__sql_param *p)
{
	if (p->kind == OYL__SQL_NULL)
		return 0;
	return raw(p) ? p->n : (size_t)oyl__pg_encoded_size(p->coltype);
}

static char *put32(char *at, uint32_t v)
{
	v = htonl(v);
	memcpy(at, &v, 4);
	return at + 4;
}

/* Column c's values, rows [0, nrows) of `values`, as a binary array at `at`. */
static char *put_array(char *at, const oyl_table *t, size_t c, const oyl__sql *values,
		       size_t nrows)
{
	bool nulls = false;
	for (size_t r = 0; r < nrows; r++)
		nulls = nulls || values->params[r * t->ncols + c].kind == OYL__SQL_NULL;
	at = put32(at, 1);
	at = put32(at, nulls ? 1 : 0);
	at = put32(at, element_oid(t->cols[c].type));
	at = put32(at, (uint32_t)nrows);
	at = put32(at, 1);
	for (size_t r = 0; r < nrows; r++) {
		const oyl__sql_param *p = &values->params[r * t->ncols + c];
		if (p->kind == OYL__SQL_NULL) {
			at = put32(at, UINT32_MAX); /* -1: NULL */
			continue;
		}
		size_t n = value_size(p);
		at = put32(at, (uint32_t)n);
		if (raw(p))
			memcpy(at, p->s, n);
		else
			oyl__pg_encode(p, at);
		at += n;
	}
	return at;
}

static bool same_param(const oyl__sql_param *a, const oyl__sql_param *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case OYL__SQL_NULL:
		return true;
	case OYL__SQL_INT:
		return a->i == b->i;
	case OYL__SQL_REAL:
		return memcmp(&a->r, &b->r, sizeof a->r) == 0;
	default:
		return a->n == b->n && (a->s == b->s || memcmp(a->s, b->s, a->n) == 0);
	}
}

/* Column c has row 0's value in every row. */
static bool one_value(const oyl_table *t, size_t c, const oyl__sql *values, size_t nrows)
{
	const oyl__sql_param *first = &values->params[c];
	for (size_t r = 1; r < nrows; r++)
		if (!same_param(first, &values->params[r * t->ncols + c]))
			return false;
	return true;
}

int oyl__pg_sql_insert_arrays(oyl__sql *q, const oyl_table *t, const oyl__sql *values,
			      size_t nrows)
{
	if (values->nparams != nrows * t->ncols)
		return oyl__sql_fail(q, OYL_EINVAL, "%zu values for %zu rows of %zu columns",
				     values->nparams, nrows, t->ncols);
	/* each column's array, one after the other, in one block q owns; a
	 * column of one value has none */
	bool single[INSERT_COLS_MAX];
	if (t->ncols > INSERT_COLS_MAX)
		return oyl__sql_fail(q, OYL_EINVAL, "table %s: more than %d columns", t->name,
				     INSERT_COLS_MAX);
	size_t total = 0, arrays = 0;
	for (size_t c = 0; c < t->ncols; c++) {
		/* one array at least makes the rows: rows all alike are still
		 * nrows rows */
		single[c] = nrows > 0 && one_value(t, c, values, nrows) &&
			    (nrows == 1 || arrays > 0 || c + 1 < t->ncols);
		arrays += !single[c];
		if (single[c])
			continue;
		total += ARRAY_HEADER;
		for (size_t r = 0; r < nrows; r++)
			total += 4 + value_size(&values->params[r * t->ncols + c]);
	}
	if (total > (size_t)INT32_MAX)
		return oyl__sql_fail(q, OYL_EINVAL, "rows too large for one statement");
	char *mem = oyl_malloc(total ? total : 1);
	int rc = oyl__sql_own(q, mem);
	if (rc != OYL_OK)
		return rc;

	oyl__sql_add(q, "INSERT INTO ");
	oyl__sql_ident(q, NULL, t->name);
	oyl__sql_add(q, " (");
	oyl__sql_columns(q, NULL, t);
	oyl__sql_add(q, ") SELECT ");
	char *at = mem;
	for (size_t c = 0; c < t->ncols && rc == OYL_OK; c++) {
		oyl__sql_add(q, c ? ", " : "");
		oyl__sql_add(q, single[c] ? "$" : "unnest($");
		oyl__sql_num(q, (long long)c + 1);
		oyl__sql_add(q, "::");
		oyl__sql_add(q, oyl__pg_type_name(t->cols[c].type));
		if (single[c]) {
			rc = oyl__sql_bind_checked(q, &values->params[c]);
			continue;
		}
		oyl__sql_add(q, "[])");
		char *end = put_array(at, t, c, values, nrows);
		oyl_value array = {OYL_TYPE_BLOB, 0, 0, at, (size_t)(end - at)};
		rc = oyl__sql_bind_param(q, OYL_TYPE_BLOB, t->cols[c].name, &array);
		at = end;
	}
	return rc ? rc : oyl__sql_status(q);
}
