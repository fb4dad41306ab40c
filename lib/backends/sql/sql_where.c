/*
 * Conditions: the tenant predicate of a scope and the filters, ANDed;
 * the select list.
 */
#include <string.h>

#include "sql.h"

/*
 * Whether a statement on t carries the backend's own `tenant_id = ?`
 * (and inserted rows are checked against the scope).  On SQLite this is
 * the only wall between tenants; on PostgreSQL row-level security is a
 * second one, and the test-only build (meson option
 * test_drop_tenant_predicates) leaves the predicate out to show that the
 * second wall alone holds.
 */
bool oyl__sql_scoped(const oyl__sql *q, const oyl_scope *scope, const oyl_table *t)
{
	if (q->d->drop_tenant_predicates)
		return false;
	return scope && scope->tenant_id && t->tenant_col >= 0;
}

void oyl__sql_columns(oyl__sql *q, const char *qual, const oyl_table *t)
{
	for (size_t i = 0; i < t->ncols; i++) {
		if (i)
			oyl__sql_add(q, ", ");
		oyl__sql_ident(q, qual, t->cols[i].name);
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

static int add_filter(oyl__sql *q, const char *qual, const oyl_table *t, const oyl_filter *f)
{
	if (f->col < 0 || (size_t)f->col >= t->ncols)
		return oyl__sql_fail(q, OYL_EINVAL, "filter on column %d: no such column", (int)f->col);
	const oyl_column *c = &t->cols[f->col];
	const char *cmp = comparison(f->op);
	/* JSON compares as its text: it has no ordering of its own */
	int32_t bind_type = c->type == OYL_TYPE_JSON ? OYL_TYPE_TEXT : c->type;
	int rc;

	if (cmp && (f->op == OYL_OP_EQ || f->op == OYL_OP_NE)) {
		/* Equality is bytewise under every deterministic collation, so
		 * it needs no COLLATE of its own, and without one PostgreSQL
		 * can use the column's index (built in the database's
		 * collation). */
		oyl__sql_ident(q, qual, c->name);
		if (c->type == OYL_TYPE_JSON)
			oyl__sql_add(q, "::text");
		oyl__sql_add(q, cmp);
		return oyl__sql_bind(q, bind_type, c->name, &f->value);
	}
	if (cmp) {
		q->d->sort_key(q, qual, c);
		oyl__sql_add(q, cmp);
		return oyl__sql_bind(q, bind_type, c->name, &f->value);
	}
	switch (f->op) {
	case OYL_OP_IS_NULL:
	case OYL_OP_IS_NOT_NULL:
		oyl__sql_ident(q, qual, c->name);
		oyl__sql_add(q, f->op == OYL_OP_IS_NULL ? " IS NULL" : " IS NOT NULL");
		return OYL_OK;
	case OYL_OP_EQ_NOCASE:
		if (c->type != OYL_TYPE_TEXT)
			return oyl__sql_fail(q, OYL_EINVAL, "column %s: case-insensitive match needs text",
					     c->name);
		q->d->fold_open(q);
		oyl__sql_ident(q, qual, c->name);
		q->d->fold_close(q);
		oyl__sql_add(q, " = ");
		q->d->fold_open(q);
		rc = oyl__sql_bind(q, OYL_TYPE_TEXT, c->name, &f->value);
		q->d->fold_close(q);
		return rc;
	default:
		return oyl__sql_fail(q, OYL_EINVAL, "filter on column %s: unknown operator %d", c->name,
				     (int)f->op);
	}
}

/* A filter that repeats the scope's own tenant predicate: sending both
 * makes the planner multiply their selectivities, underestimate the
 * tenant's rows and pick a sort over the list's index. */
static bool repeats_scope(const oyl_scope *scope, const oyl_table *t, const oyl_filter *f)
{
	const char *tenant = scope->tenant_id;
	return f->col == t->tenant_col && f->op == OYL_OP_EQ && f->value.s &&
	       (f->value.type == OYL_TYPE_UUID || f->value.type == OYL_TYPE_TEXT) &&
	       f->value.n == strlen(tenant) && memcmp(f->value.s, tenant, f->value.n) == 0;
}

/* A platform scope, or a tenant's by a canonical id: OYL_OK, else the
 * failure. */
static int check_scope(oyl__sql *q, const oyl_scope *scope)
{
	if (!scope || !scope->tenant_id ||
	    oyl__sql_is_uuid(scope->tenant_id, strnlen(scope->tenant_id, 40)))
		return OYL_OK;
	return oyl__sql_fail(q, OYL_EINVAL,
			     "the scope's tenant id is not a canonical lowercase UUID");
}

static int add_conditions(oyl__sql *q, const char *qual, const oyl_scope *scope,
			  const oyl_table *t, const oyl_filter *filters, size_t nfilters, bool first)
{
	if (nfilters && !filters)
		return oyl__sql_fail(q, OYL_EINVAL, "filters missing");
	int rc = check_scope(q, scope);
	if (rc)
		return rc;
	bool scoped = oyl__sql_scoped(q, scope, t);
	if (scoped) {
		oyl__sql_add(q, first ? " WHERE " : " AND ");
		first = false;
		oyl__sql_ident(q, qual, t->cols[t->tenant_col].name);
		oyl__sql_add(q, " = ");
		rc = oyl__sql_bind_uuid(q, "tenant_id (scope)", scope->tenant_id);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < nfilters; i++) {
		if (scoped && repeats_scope(scope, t, &filters[i]))
			continue;
		oyl__sql_add(q, first ? " WHERE " : " AND ");
		first = false;
		rc = add_filter(q, qual, t, &filters[i]);
		if (rc)
			return rc;
	}
	return OYL_OK;
}

int oyl__sql_where(oyl__sql *q, const char *qual, const oyl_scope *scope, const oyl_table *t,
		   const oyl_filter *filters, size_t nfilters)
{
	return add_conditions(q, qual, scope, t, filters, nfilters, true);
}

int oyl__sql_and(oyl__sql *q, const char *qual, const oyl_scope *scope, const oyl_table *t,
		 const oyl_filter *filters, size_t nfilters)
{
	return add_conditions(q, qual, scope, t, filters, nfilters, false);
}

int oyl__sql_where_any(oyl__sql *q, const char *qual, const oyl_scope *scope, const oyl_table *t,
		       const oyl_filter *filters, size_t nalts, size_t per)
{
	int rc = check_scope(q, scope);
	if (rc)
		return rc;
	/* The tenant predicate inside every alternative, one parameter for
	 * all: SQLite serves an OR from an index only when each of its terms
	 * can use one alone, and every key of a tenant's table starts with
	 * tenant_id (outside the OR, it read all the tenant's rows). */
	bool scoped = oyl__sql_scoped(q, scope, t);
	size_t tenant_param = 0;
	oyl__sql_add(q, " WHERE (");
	if (nalts == 0)
		oyl__sql_add(q, "1 = 0");
	/* Up to 16 alternatives written as they are (a search's usual 10
	 * passages cost no probe more); past that, n rounded up to a multiple
	 * of 16, the last one repeated (which changes no row): 31 texts for
	 * every n up to 256, so a backend that prepares each text prepares
	 * few. */
	size_t written = nalts <= 16 ? nalts : (nalts + 15) / 16 * 16;
	for (size_t a = 0; nalts && a < written && rc == OYL_OK; a++) {
		const oyl_filter *alt = filters + (a < nalts ? a : nalts - 1) * per;
		oyl__sql_add(q, a ? " OR (" : "(");
		if (scoped) {
			oyl__sql_ident(q, qual, t->cols[t->tenant_col].name);
			oyl__sql_add(q, " = ");
			if (tenant_param) {
				q->d->placeholder(q, tenant_param, OYL_TYPE_UUID);
			} else {
				rc = oyl__sql_bind_uuid(q, "tenant_id (scope)", scope->tenant_id);
				tenant_param = q->nparams;
			}
		}
		for (size_t i = 0; i < per && rc == OYL_OK; i++) {
			if (i || scoped)
				oyl__sql_add(q, " AND ");
			rc = add_filter(q, qual, t, &alt[i]);
		}
		oyl__sql_add(q, ")");
	}
	oyl__sql_add(q, ")");
	return rc;
}
