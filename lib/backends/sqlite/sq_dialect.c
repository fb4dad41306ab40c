/*
 * SQLite's dialect of the shared statement builder (backends/sql/sql.h):
 * "?n" placeholders (the storage class comes from the bound value), text
 * compared bytewise (BINARY collation), lower() that folds ASCII only (no
 * ICU), id lists as a JSON array read by json_each(), and no row locks:
 * a write transaction (BEGIN IMMEDIATE) already excludes every other
 * writer.
 */
#include <stdio.h>

#include "sq_internal.h"

static void placeholder(oyl__sql *q, size_t n, int32_t coltype)
{
	(void)coltype;
	oyl__sql_add(q, "?");
	oyl__sql_num(q, (long long)n);
}

static void sort_key(oyl__sql *q, const char *qual, const oyl_column *c)
{
	oyl__sql_ident(q, qual, c->name);
}

static void fold_open(oyl__sql *q)
{
	oyl__sql_add(q, "lower(");
}

static void fold_close(oyl__sql *q)
{
	oyl__sql_add(q, ")");
}

static void in_ids(oyl__sql *q, const char *col, size_t n)
{
	oyl__sql_ident(q, NULL, col);
	oyl__sql_add(q, " IN (SELECT value FROM json_each(?");
	oyl__sql_num(q, (long long)n);
	oyl__sql_add(q, "))");
}

static const oyl__sql_dialect dialect = {
	.placeholder = placeholder,
	.sort_key = sort_key,
	.fold_open = fold_open,
	.fold_close = fold_close,
	.in_ids = in_ids,
	.ids_open = '[',
	.ids_quote = '"',
	.ids_close = ']',
	.lock_rows = "",
	.skip_locked = "",
	.no_limit = "-1",
	.nulls_first_explicit = false,
#ifdef OYL_TEST_DROP_TENANT_PREDICATES
	.drop_tenant_predicates = true,
#else
	.drop_tenant_predicates = false,
#endif
};

void oyl__sq_sql_init(oyl__sql *q)
{
	oyl__sql_init(q, &dialect);
}

int oyl__sq_fail_sql(sq_backend *b, int status, const oyl__sql *q)
{
	return oyl__sq_fail(b, status, "%s", q->err[0] ? q->err : "invalid statement");
}
