/*
 * The pieces every method's statement is made of: the tenant predicate,
 * the select list, WHERE clauses from filters, running a statement and
 * decoding its rows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"

/*
 * Whether this backend adds its own `tenant_id = $n` to a statement on t
 * (and checks the tenant of inserted rows).  A test-only build (meson
 * option test_drop_tenant_predicates) leaves them all out, to show that
 * PostgreSQL's row-level security alone keeps tenants apart; the scope's
 * SET LOCALs (pg_scope.c) stay in every build.
 */
bool oyl__pg_scoped(const oyl_scope *scope, const oyl_table *t)
{
#ifdef OYL_TEST_DROP_TENANT_PREDICATES
	(void)scope;
	(void)t;
	return false;
#else
	return scope && scope->tenant_id && t->tenant_col >= 0;
#endif
}

/*
 * Each column in a form emit_rows() decodes exactly, whatever the session
 * settings: times as int8 microseconds (extract() is numeric since
 * PostgreSQL 14, so exact), bytes and doubles as hex of their binary form.
 */
void oyl__pg_sql_columns(pg_sql *q, const oyl_table *t)
{
	for (size_t i = 0; i < t->ncols; i++) {
		const oyl_column *c = &t->cols[i];

		if (i)
			oyl__pg_sql_add(q, ", ");
		switch (c->type) {
		case OYL_TYPE_TIME:
			oyl__pg_sql_add(q, "(extract(epoch from ");
			oyl__pg_sql_ident(q, c->name);
			oyl__pg_sql_add(q, ") * 1000000)::int8");
			break;
		case OYL_TYPE_BLOB:
			oyl__pg_sql_add(q, "encode(");
			oyl__pg_sql_ident(q, c->name);
			oyl__pg_sql_add(q, ", 'hex')");
			break;
		case OYL_TYPE_REAL:
			oyl__pg_sql_add(q, "encode(float8send(");
			oyl__pg_sql_ident(q, c->name);
			oyl__pg_sql_add(q, "), 'hex')");
			break;
		default:
			oyl__pg_sql_ident(q, c->name);
			break;
		}
	}
}

/*
 * Text sorts and compares bytewise (COLLATE "C"), as in SQLite, whatever
 * the database's collation; json has no ordering, so it compares as text.
 */
void oyl__pg_sql_sort_key(pg_sql *q, const oyl_column *c)
{
	oyl__pg_sql_ident(q, c->name);
	if (c->type == OYL_TYPE_JSON)
		oyl__pg_sql_add(q, "::text");
	if (c->type == OYL_TYPE_TEXT || c->type == OYL_TYPE_JSON)
		oyl__pg_sql_add(q, " COLLATE \"C\"");
}

static const char *comparison(int32_t op)
{
	switch (op) {
	case OYL_OP_EQ:
		return " = ";
	case OYL_OP_NE:
		return " <> ";
	case OYL_OP_LT:
		return " < ";
	case OYL_OP_LE:
		return " <= ";
	case OYL_OP_GT:
		return " > ";
	case OYL_OP_GE:
		return " >= ";
	default:
		return NULL;
	}
}

static int add_filter(pg_backend *b, pg_sql *q, const oyl_table *t, const oyl_filter *f)
{
	if (f->col < 0 || (size_t)f->col >= t->ncols)
		return oyl__pg_fail(b, OYL_EINVAL, "filter on column %d: no such column",
				    (int)f->col);
	const oyl_column *c = &t->cols[f->col];
	/* json has no = operator: compare its text */
	int32_t bind_type = c->type == OYL_TYPE_JSON ? OYL_TYPE_TEXT : c->type;
	const char *cmp = comparison(f->op);

	if (cmp) {
		oyl__pg_sql_sort_key(q, c);
		oyl__pg_sql_add(q, cmp);
		return oyl__pg_bind(b, q, bind_type, c->name, &f->value);
	}
	switch (f->op) {
	case OYL_OP_IS_NULL:
	case OYL_OP_IS_NOT_NULL:
		oyl__pg_sql_ident(q, c->name);
		oyl__pg_sql_add(q, f->op == OYL_OP_IS_NULL ? " IS NULL" : " IS NOT NULL");
		return OYL_OK;
	case OYL_OP_EQ_NOCASE:
		if (c->type != OYL_TYPE_TEXT)
			return oyl__pg_fail(b, OYL_EINVAL,
					    "column %s: case-insensitive match needs text",
					    c->name);
		oyl__pg_sql_add(q, "lower(");
		oyl__pg_sql_ident(q, c->name);
		oyl__pg_sql_add(q, ") = lower(");
		int rc = oyl__pg_bind(b, q, OYL_TYPE_TEXT, c->name, &f->value);
		oyl__pg_sql_add(q, ")");
		return rc;
	default:
		return oyl__pg_fail(b, OYL_EINVAL, "filter on column %s: unknown operator %d",
				    c->name, (int)f->op);
	}
}

static int add_conditions(pg_backend *b, pg_sql *q, const oyl_scope *scope, const oyl_table *t,
			  const oyl_filter *filters, size_t nfilters, bool first)
{
	if (oyl__pg_scoped(scope, t)) {
		oyl__pg_sql_add(q, first ? " WHERE " : " AND ");
		first = false;
		oyl__pg_sql_ident(q, t->cols[t->tenant_col].name);
		oyl__pg_sql_add(q, " = ");
		int rc = oyl__pg_bind_uuid(b, q, "tenant_id (scope)", scope->tenant_id);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < nfilters; i++) {
		oyl__pg_sql_add(q, first ? " WHERE " : " AND ");
		first = false;
		int rc = add_filter(b, q, t, &filters[i]);
		if (rc)
			return rc;
	}
	return OYL_OK;
}

int oyl__pg_sql_where(pg_backend *b, pg_sql *q, const oyl_scope *scope, const oyl_table *t,
		      const oyl_filter *filters, size_t nfilters)
{
	if (nfilters && !filters)
		return oyl__pg_fail(b, OYL_EINVAL, "filters missing");
	return add_conditions(b, q, scope, t, filters, nfilters, true);
}

int oyl__pg_sql_and(pg_backend *b, pg_sql *q, const oyl_scope *scope, const oyl_table *t,
		    const oyl_filter *filters, size_t nfilters)
{
	if (nfilters && !filters)
		return oyl__pg_fail(b, OYL_EINVAL, "filters missing");
	return add_conditions(b, q, scope, t, filters, nfilters, false);
}

void oyl__pg_heal_idle(pg_backend *b)
{
	if (!b->in_txn && !b->call_txn && PQstatus(b->conn) == CONNECTION_BAD)
		PQreset(b->conn);
}

int oyl__pg_run(pg_backend *b, pg_sql *q, ExecStatusType expect, PGresult **res)
{
	*res = NULL;
	if (q->oom)
		return oyl__pg_fail(b, OYL_ENOMEM, "out of memory");
	if (q->nparams > 65535)
		return oyl__pg_fail(b, OYL_EINVAL, "too many values in one statement");
	oyl__pg_heal_idle(b);
	if (PQstatus(b->conn) == CONNECTION_BAD)
		return oyl__pg_fail_result(b, NULL);

	size_t n = q->nparams;
	const char **values = oyl_malloc(n * sizeof *values);
	int *lengths = oyl_malloc(n * sizeof *lengths);
	int *formats = oyl_malloc(n * sizeof *formats);
	if (!values || !lengths || !formats) {
		oyl_free(values);
		oyl_free(lengths);
		oyl_free(formats);
		return oyl__pg_fail(b, OYL_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		const pg_param *p = &q->params[i];
		values[i] = p->is_null ? NULL : p->ext ? p->ext : p->small;
		lengths[i] = p->len;
		formats[i] = p->format;
	}
	PGresult *r = PQexecParams(b->conn, q->text, (int)n, NULL, values, lengths, formats, 0);
	oyl_free(values);
	oyl_free(lengths);
	oyl_free(formats);

	if (!r || PQresultStatus(r) != expect) {
		int status = oyl__pg_fail_result(b, r);
		PQclear(r);
		return status;
	}
	*res = r;
	return OYL_OK;
}

int oyl__pg_exec(pg_backend *b, const char *sql, ExecStatusType expect)
{
	PGresult *r = PQexec(b->conn, sql);

	if (!r || PQresultStatus(r) != expect) {
		int status = oyl__pg_fail_result(b, r);
		PQclear(r);
		return status;
	}
	PQclear(r);
	return OYL_OK;
}

bool oyl__pg_parse_int64(const char *s, int64_t *out)
{
	char *end;

	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return false;
	*out = v;
	return true;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool unhex(const char *s, size_t len, unsigned char *out)
{
	if (len % 2)
		return false;
	for (size_t i = 0; i < len; i += 2) {
		int hi = hex_digit(s[i]), lo = hex_digit(s[i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		*out++ = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

bool oyl__pg_decode_float8(const char *s, size_t len, double *out)
{
	unsigned char raw[8];
	uint64_t bits = 0;

	if (len != 16 || !unhex(s, len, raw))
		return false;
	for (int i = 0; i < 8; i++)
		bits = bits << 8 | raw[i];
	memcpy(out, &bits, sizeof *out);
	return true;
}

/* One field into v; BLOB bytes go to *blob, which advances. */
static bool decode_field(const PGresult *res, int row, int col, int32_t type, oyl_value *v,
			 unsigned char **blob)
{
	const char *s = PQgetvalue(res, row, col);
	size_t len = (size_t)PQgetlength(res, row, col);

	memset(v, 0, sizeof *v);
	if (PQgetisnull(res, row, col)) {
		v->type = OYL_TYPE_NULL;
		return true;
	}
	v->type = type;
	switch (type) {
	case OYL_TYPE_INT:
	case OYL_TYPE_TIME:
		return oyl__pg_parse_int64(s, &v->i);
	case OYL_TYPE_BOOL:
		v->i = s[0] == 't';
		return s[0] == 't' || s[0] == 'f';
	case OYL_TYPE_REAL:
		return oyl__pg_decode_float8(s, len, &v->r);
	case OYL_TYPE_BLOB:
		if (!unhex(s, len, *blob))
			return false;
		v->s = (const char *)*blob;
		v->n = len / 2;
		*blob += len / 2;
		return true;
	default:
		v->s = s;
		v->n = len;
		return true;
	}
}

int oyl__pg_emit_rows(pg_backend *b, const PGresult *res, const oyl_table *t, oyl_row_cb cb,
		      void *payload)
{
	int nrows = PQntuples(res);
	int rc = OYL_OK;

	if (PQnfields(res) != (int)t->ncols)
		return oyl__pg_fail(b, OYL_ESTORAGE, "result has %d columns, expected %zu",
				    PQnfields(res), t->ncols);
	if (nrows == 0)
		return OYL_OK;

	oyl_value *vals = oyl_malloc(t->ncols * sizeof *vals);
	unsigned char *blobs = NULL;
	size_t blobs_cap = 0;
	if (!vals)
		return oyl__pg_fail(b, OYL_ENOMEM, "out of memory");

	for (int row = 0; row < nrows && rc == OYL_OK; row++) {
		size_t need = 1;
		for (size_t c = 0; c < t->ncols; c++)
			if (t->cols[c].type == OYL_TYPE_BLOB)
				need += (size_t)PQgetlength(res, row, (int)c) / 2;
		if (need > blobs_cap) {
			unsigned char *grown = oyl_realloc(blobs, need);
			if (!grown) {
				rc = oyl__pg_fail(b, OYL_ENOMEM, "out of memory");
				break;
			}
			blobs = grown;
			blobs_cap = need;
		}

		unsigned char *next_blob = blobs;
		for (size_t c = 0; c < t->ncols && rc == OYL_OK; c++)
			if (!decode_field(res, row, (int)c, t->cols[c].type, &vals[c], &next_blob))
				rc = oyl__pg_fail(b, OYL_ESTORAGE, "unexpected value in column %s",
						  t->cols[c].name);
		if (rc == OYL_OK)
			rc = cb(vals, t->ncols, payload);
	}
	oyl_free(blobs);
	oyl_free(vals);
	return rc;
}
