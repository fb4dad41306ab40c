/*
 * The pieces every method's statement is made of: the tenant predicate,
 * the select list and the conditions made from filters.
 */
#include "sq_internal.h"

/*
 * Whether this backend adds its own `tenant_id = ?` to a statement on t
 * (and checks the tenant of inserted rows).  SQLite has no row-level
 * security: this predicate is the only wall between tenants.  Only the
 * test-only build (meson option test_drop_tenant_predicates), which exists
 * to show that PostgreSQL's RLS alone isolates tenants, leaves it out.
 */
bool oyl__sq_scoped(const oyl_scope *scope, const oyl_table *t)
{
#ifdef OYL_TEST_DROP_TENANT_PREDICATES
	(void)scope;
	(void)t;
	return false;
#else
	return scope && scope->tenant_id && t->tenant_col >= 0;
#endif
}

void oyl__sq_sql_columns(sq_sql *q, const char *qual, const oyl_table *t)
{
	for (size_t i = 0; i < t->ncols; i++) {
		if (i)
			oyl__sq_sql_add(q, ", ");
		oyl__sq_sql_ident(q, qual, t->cols[i].name);
	}
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

static int add_filter(sq_backend *b, sq_sql *q, const char *qual, const oyl_table *t,
		      const oyl_filter *f)
{
	if (f->col < 0 || (size_t)f->col >= t->ncols)
		return oyl__sq_fail(b, OYL_EINVAL, "filter on column %d: no such column",
				    (int)f->col);
	const oyl_column *c = &t->cols[f->col];
	const char *cmp = comparison(f->op);
	int rc;

	if (cmp) {
		/* text (and JSON text) compares bytewise: BINARY collation */
		oyl__sq_sql_ident(q, qual, c->name);
		oyl__sq_sql_add(q, cmp);
		return oyl__sq_bind(b, q, c->type, c->name, &f->value);
	}
	switch (f->op) {
	case OYL_OP_IS_NULL:
	case OYL_OP_IS_NOT_NULL:
		oyl__sq_sql_ident(q, qual, c->name);
		oyl__sq_sql_add(q, f->op == OYL_OP_IS_NULL ? " IS NULL" : " IS NOT NULL");
		return OYL_OK;
	case OYL_OP_EQ_NOCASE:
		if (c->type != OYL_TYPE_TEXT)
			return oyl__sq_fail(b, OYL_EINVAL,
					    "column %s: case-insensitive match needs text", c->name);
		/* SQLite's lower() folds ASCII only, which is what the core asks for. */
		oyl__sq_sql_add(q, "lower(");
		oyl__sq_sql_ident(q, qual, c->name);
		oyl__sq_sql_add(q, ") = lower(");
		rc = oyl__sq_bind(b, q, OYL_TYPE_TEXT, c->name, &f->value);
		oyl__sq_sql_add(q, ")");
		return rc;
	default:
		return oyl__sq_fail(b, OYL_EINVAL, "filter on column %s: unknown operator %d",
				    c->name, (int)f->op);
	}
}

int oyl__sq_sql_and(sq_backend *b, sq_sql *q, const char *qual, const oyl_scope *scope,
		    const oyl_table *t, const oyl_filter *filters, size_t nfilters)
{
	if (nfilters && !filters)
		return oyl__sq_fail(b, OYL_EINVAL, "filters missing");
	if (oyl__sq_scoped(scope, t)) {
		oyl__sq_sql_add(q, " AND ");
		oyl__sq_sql_ident(q, qual, t->cols[t->tenant_col].name);
		oyl__sq_sql_add(q, " = ");
		int rc = oyl__sq_bind_uuid(b, q, "tenant_id (scope)", scope->tenant_id);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < nfilters; i++) {
		oyl__sq_sql_add(q, " AND ");
		int rc = add_filter(b, q, qual, t, &filters[i]);
		if (rc)
			return rc;
	}
	return OYL_OK;
}
