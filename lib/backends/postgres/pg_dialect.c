/*
 * PostgreSQL's dialect of the shared statement builder
 * (backends/sql/sql.h): "$n::type" placeholders, so that the server never
 * guesses a parameter's type; text compared and sorted bytewise (COLLATE
 * "C", as SQLite's BINARY) whatever the database's collation; lowercase
 * folding of ASCII only (lower() under the "C" collation); id lists as
 * one uuid[] parameter; FOR NO KEY UPDATE row locks and SKIP LOCKED
 * claims.
 */
#include <string.h>

#include "pg_internal.h"

const char *oyl__pg_type_name(int32_t coltype)
{
	switch (coltype) {
	case OYL_TYPE_UUID:
		return "uuid";
	case OYL_TYPE_INT:
		return "int8";
	case OYL_TYPE_TIME:
		return "timestamptz";
	case OYL_TYPE_JSON:
		return "json";
	case OYL_TYPE_REAL:
		return "float8";
	case OYL_TYPE_BLOB:
		return "bytea";
	case OYL_TYPE_BOOL:
		return "bool";
	default:
		return "text";
	}
}

static void placeholder(oyl__sql *q, size_t n, int32_t coltype)
{
	oyl__sql_add(q, "$");
	oyl__sql_num(q, (long long)n);
	oyl__sql_add(q, "::");
	oyl__sql_add(q, oyl__pg_type_name(coltype));
}

static void sort_key(oyl__sql *q, const char *qual, const oyl_column *c)
{
	oyl__sql_ident(q, qual, c->name);
	if (c->type == OYL_TYPE_JSON)
		oyl__sql_add(q, "::text");
	if (c->type == OYL_TYPE_TEXT || c->type == OYL_TYPE_JSON)
		oyl__sql_add(q, " COLLATE \"C\"");
}

/* lower() folds only ASCII letters under the "C" collation. */
static void fold_open(oyl__sql *q)
{
	oyl__sql_add(q, "lower((");
}

static void fold_close(oyl__sql *q)
{
	oyl__sql_add(q, ") COLLATE \"C\")");
}

static void in_ids(oyl__sql *q, const char *col, size_t n)
{
	oyl__sql_ident(q, NULL, col);
	oyl__sql_add(q, " = ANY($");
	oyl__sql_num(q, (long long)n);
	oyl__sql_add(q, "::uuid[])");
}

static const oyl__sql_dialect dialect = {
	.placeholder = placeholder,
	.sort_key = sort_key,
	.fold_open = fold_open,
	.fold_close = fold_close,
	.in_ids = in_ids,
	.ids_open = '{',
	.ids_quote = 0,
	.ids_close = '}',
	.lock_rows = " FOR NO KEY UPDATE",
	.skip_locked = " FOR UPDATE SKIP LOCKED",
	.no_limit = "ALL",
	.nulls_first_explicit = true,
#ifdef OYL_TEST_DROP_TENANT_PREDICATES
	.drop_tenant_predicates = true,
#else
	.drop_tenant_predicates = false,
#endif
};

void oyl__pg_sql_init(oyl__sql *q)
{
	oyl__sql_init(q, &dialect);
}

bool oyl__pg_is_uuid(const char *s)
{
	return s && oyl__sql_is_uuid(s, strnlen(s, PG_UUID_LEN + 1));
}
