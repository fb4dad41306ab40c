/*
 * Whole statements, one builder per backend method.  The same descriptor,
 * scope, filters and query make the same statement on every SQL backend
 * but for the dialect's placeholders, sort keys and lock clauses.
 *
 * Lists order by (order column, id) and page with a row comparison,
 * `(order, id) > (after, after_id)`, which an index on (<equality
 * columns>, order, id) serves in order: no sort, no scan of the rows
 * before the page.
 */
#include <string.h>

#include "sql.h"

int oyl__sql_check_lock_scope(oyl__sql *q, const oyl_scope *scope, const oyl_table *t)
{
	/* A distributed PostgreSQL can lock a tenant's row only through its
	 * tenant (the distribution column): the platform scope has none. */
	if (t->tenant_col >= 0 && !(scope && scope->tenant_id))
		return oyl__sql_fail(q, OYL_EINVAL,
				     "a row of the tenant-owned table %s can be locked only in its "
				     "tenant's scope, not in the platform's",
				     t->name);
	return OYL_OK;
}

int oyl__sql_check_row_tenant(oyl__sql *q, const oyl_scope *scope, const oyl_table *t,
			      const oyl_value *row)
{
	if (!oyl__sql_scoped(q, scope, t))
		return OYL_OK;
	const oyl_value *v = &row[t->tenant_col];
	size_t n = strlen(scope->tenant_id);
	if (v->type == OYL_TYPE_NULL || !v->s || v->n != n || memcmp(v->s, scope->tenant_id, n))
		return oyl__sql_fail(q, OYL_EINVAL, "the row's tenant_id is not the scope's tenant");
	return OYL_OK;
}

static void add_lock(oyl__sql *q, int lock)
{
	if (lock == OYL_LOCK_UPDATE)
		oyl__sql_add(q, q->d->lock_rows);
}

static int check_lock(oyl__sql *q, const oyl_scope *scope, const oyl_table *t, int lock)
{
	if (lock == OYL_LOCK_NONE)
		return OYL_OK;
	if (lock != OYL_LOCK_UPDATE)
		return oyl__sql_fail(q, OYL_EINVAL, "unknown lock mode %d", lock);
	return oyl__sql_check_lock_scope(q, scope, t);
}

int oyl__sql_get(oyl__sql *q, const oyl_scope *scope, const oyl_table *t, const char *id,
		 int lock)
{
	int rc = check_lock(q, scope, t, lock);
	if (rc)
		return rc;
	oyl__sql_add(q, "SELECT ");
	oyl__sql_columns(q, NULL, t);
	oyl__sql_add(q, " FROM ");
	oyl__sql_ident(q, NULL, t->name);
	oyl_filter by_id = {0, OYL_OP_EQ, {OYL_TYPE_UUID, 0, 0, id, id ? strlen(id) : 0}};
	if (!id)
		return oyl__sql_fail(q, OYL_EINVAL, "no id given");
	rc = oyl__sql_where(q, NULL, scope, t, &by_id, 1);
	oyl__sql_add(q, " LIMIT 1");
	add_lock(q, lock);
	return rc ? rc : oyl__sql_status(q);
}

/*
 * Rows strictly after (after_value, after_id) in the list's order.  A NOT
 * NULL order column gets the plain row comparison (index friendly); a
 * nullable one needs its NULLs placed by hand (NULL is the smallest value).
 */
static int add_keyset(oyl__sql *q, const char *qual, const oyl_table *t, const oyl_query *lq,
		      bool first)
{
	const oyl_column *order = &t->cols[lq->order_col], *id = &t->cols[0];
	const char *after = lq->descending ? " < " : " > ";
	bool nullable = !(order->flags & OYL_COL_NOT_NULL);
	bool null_after = !lq->after_value || lq->after_value->type == OYL_TYPE_NULL;
	int32_t bind_type = order->type == OYL_TYPE_JSON ? OYL_TYPE_TEXT : order->type;
	int rc;

	if (null_after && !nullable)
		return oyl__sql_fail(q, OYL_EINVAL, "keyset: no value of %s after the id", order->name);
	oyl__sql_add(q, first ? " WHERE (" : " AND (");
	if (nullable && null_after) {
		/* among the NULLs, by id; ascending, every non-NULL row comes after */
		oyl__sql_add(q, "(");
		oyl__sql_ident(q, qual, order->name);
		oyl__sql_add(q, " IS NULL AND ");
		oyl__sql_ident(q, qual, id->name);
		oyl__sql_add(q, after);
		rc = oyl__sql_bind_uuid(q, "after_id", lq->after_id);
		oyl__sql_add(q, ")");
		if (!lq->descending) {
			oyl__sql_add(q, " OR ");
			oyl__sql_ident(q, qual, order->name);
			oyl__sql_add(q, " IS NOT NULL");
		}
	} else {
		oyl__sql_add(q, "(");
		q->d->sort_key(q, qual, order);
		oyl__sql_add(q, ", ");
		oyl__sql_ident(q, qual, id->name);
		oyl__sql_add(q, ")");
		oyl__sql_add(q, after);
		oyl__sql_add(q, "(");
		rc = oyl__sql_bind(q, bind_type, order->name, lq->after_value);
		oyl__sql_add(q, ", ");
		if (rc == OYL_OK)
			rc = oyl__sql_bind_uuid(q, "after_id", lq->after_id);
		oyl__sql_add(q, ")");
		if (nullable && lq->descending) {
			/* descending, the NULLs come last: after every value */
			oyl__sql_add(q, " OR ");
			oyl__sql_ident(q, qual, order->name);
			oyl__sql_add(q, " IS NULL");
		}
	}
	oyl__sql_add(q, ")");
	return rc;
}

static void add_order(oyl__sql *q, const char *qual, const oyl_table *t, const oyl_query *lq)
{
	const oyl_column *order = &t->cols[lq->order_col];
	bool nullable = !(order->flags & OYL_COL_NOT_NULL);

	oyl__sql_add(q, " ORDER BY ");
	q->d->sort_key(q, qual, order);
	oyl__sql_add(q, lq->descending ? " DESC" : " ASC");
	/* NULL sorts as the smallest value on every backend */
	if (nullable && q->d->nulls_first_explicit)
		oyl__sql_add(q, lq->descending ? " NULLS LAST" : " NULLS FIRST");
	oyl__sql_add(q, ", ");
	oyl__sql_ident(q, qual, t->cols[0].name);
	oyl__sql_add(q, lq->descending ? " DESC" : " ASC");
}

/* FROM ... WHERE ... ORDER BY ... LIMIT ... OFFSET ... of a list query;
 * per > 0: its filters are alternatives of per filters each. */
static int add_list_body(oyl__sql *q, const char *qual, const oyl_scope *scope, const oyl_table *t,
			 const oyl_query *lq, size_t per)
{
	if (!lq)
		return oyl__sql_fail(q, OYL_EINVAL, "no query");
	if (lq->order_col < 0 || (size_t)lq->order_col >= t->ncols)
		return oyl__sql_fail(q, OYL_EINVAL, "order by column %d: no such column",
				     (int)lq->order_col);
	oyl__sql_add(q, " FROM ");
	oyl__sql_ident(q, NULL, t->name);
	if (qual) {
		oyl__sql_add(q, " AS ");
		oyl__sql_ident(q, NULL, qual);
	}
	size_t before = q->len;
	int rc = per ? oyl__sql_where_any(q, qual, scope, t, lq->filters, lq->nfilters / per, per)
		     : oyl__sql_where(q, qual, scope, t, lq->filters, lq->nfilters);
	if (rc == OYL_OK && lq->after_id)
		rc = add_keyset(q, qual, t, lq, q->len == before);
	add_order(q, qual, t, lq);
	if (lq->limit > 0 || lq->offset > 0) {
		oyl__sql_add(q, " LIMIT ");
		if (lq->limit > 0)
			oyl__sql_bind_int(q, lq->limit);
		else
			oyl__sql_add(q, q->d->no_limit);
	}
	if (lq->offset > 0) {
		oyl__sql_add(q, " OFFSET ");
		oyl__sql_bind_int(q, lq->offset);
	}
	return rc;
}

int oyl__sql_list(oyl__sql *q, const oyl_scope *scope, const oyl_table *t, const oyl_query *lq,
		  int lock)
{
	int rc = check_lock(q, scope, t, lock);
	if (rc)
		return rc;
	oyl__sql_add(q, "SELECT ");
	oyl__sql_columns(q, NULL, t);
	rc = add_list_body(q, NULL, scope, t, lq, 0);
	add_lock(q, lock);
	return rc ? rc : oyl__sql_status(q);
}

int oyl__sql_list_any(oyl__sql *q, const oyl_scope *scope, const oyl_table *t, const oyl_query *lq,
		      int32_t per, int lock)
{
	if (lock != OYL_LOCK_NONE)
		return oyl__sql_fail(q, OYL_EINVAL, "a read of alternatives takes no row lock");
	if (!lq)
		return oyl__sql_fail(q, OYL_EINVAL, "no query");
	if (lq->nfilters && !lq->filters)
		return oyl__sql_fail(q, OYL_EINVAL, "filters missing");
	if (per < 1 || lq->nfilters % (size_t)per)
		return oyl__sql_fail(q, OYL_EINVAL,
				     "%zu filters are not alternatives of %d filters each",
				     lq->nfilters, (int)per);
	if (lq->nfilters / (size_t)per > OYL_READ_ANY_MAX)
		return oyl__sql_fail(q, OYL_EINVAL, "%zu alternatives: at most %d",
				     lq->nfilters / (size_t)per, OYL_READ_ANY_MAX);
	oyl__sql_add(q, "SELECT ");
	oyl__sql_columns(q, NULL, t);
	int rc = add_list_body(q, NULL, scope, t, lq, (size_t)per);
	return rc ? rc : oyl__sql_status(q);
}

int oyl__sql_count(oyl__sql *q, const oyl_scope *scope, const oyl_table *t,
		   const oyl_filter *filters, size_t nfilters)
{
	oyl__sql_add(q, "SELECT count(*) FROM ");
	oyl__sql_ident(q, NULL, t->name);
	int rc = oyl__sql_where(q, NULL, scope, t, filters, nfilters);
	return rc ? rc : oyl__sql_status(q);
}

int oyl__sql_count_by(oyl__sql *q, const oyl_scope *scope, const oyl_table *t,
		      const oyl_filter *filters, size_t nfilters, int32_t group_col,
		      const oyl_scope *parent_scope, const oyl_table *parent, const oyl_query *pq)
{
	if (group_col < 0 || (size_t)group_col >= t->ncols)
		return oyl__sql_fail(q, OYL_EINVAL, "group by column %d: no such column",
				     (int)group_col);
	const char *g = t->cols[group_col].name;
	oyl__sql_add(q, "SELECT ");
	oyl__sql_ident(q, NULL, g);
	oyl__sql_add(q, ", count(*) FROM ");
	oyl__sql_ident(q, NULL, t->name);
	size_t before = q->len;
	int rc = oyl__sql_where(q, NULL, scope, t, filters, nfilters);
	/* only the groups of the parent list's rows: one grouped query */
	oyl__sql_add(q, q->len == before ? " WHERE " : " AND ");
	oyl__sql_ident(q, NULL, g);
	oyl__sql_add(q, " IN (SELECT ");
	oyl__sql_ident(q, "p", parent->cols[0].name);
	if (rc == OYL_OK)
		rc = add_list_body(q, "p", parent_scope, parent, pq, 0);
	oyl__sql_add(q, ") GROUP BY ");
	oyl__sql_ident(q, NULL, g);
	return rc ? rc : oyl__sql_status(q);
}

int oyl__sql_get_many(oyl__sql *q, const oyl_scope *scope, const oyl_table *t,
		      const char *const *ids, size_t n)
{
	oyl__sql_add(q, "SELECT ");
	oyl__sql_columns(q, NULL, t);
	oyl__sql_add(q, " FROM ");
	oyl__sql_ident(q, NULL, t->name);
	size_t before = q->len;
	int rc = oyl__sql_where(q, NULL, scope, t, NULL, 0);
	oyl__sql_add(q, q->len == before ? " WHERE " : " AND ");
	if (rc == OYL_OK)
		rc = oyl__sql_bind_ids(q, t->cols[0].name, ids, n);
	return rc ? rc : oyl__sql_status(q);
}

/* The rows' own checks: some to insert, each of the scope's tenant. */
static int check_rows(oyl__sql *q, const oyl_scope *scope, const oyl_table *t,
		      const oyl_value *rows, size_t nrows)
{
	int rc = OYL_OK;

	q->bad_row = SIZE_MAX;
	if (!rows || nrows == 0)
		return oyl__sql_fail(q, OYL_EINVAL, "no values");
	for (size_t r = 0; r < nrows && rc == OYL_OK; r++)
		if ((rc = oyl__sql_check_row_tenant(q, scope, t, rows + r * t->ncols)))
			q->bad_row = r;
	return rc;
}

int oyl__sql_insert_values(oyl__sql *q, const oyl_scope *scope, const oyl_table *t,
			   const oyl_value *rows, size_t nrows)
{
	int rc = check_rows(q, scope, t, rows, nrows);

	for (size_t r = 0; r < nrows && rc == OYL_OK; r++) {
		const oyl_value *row = rows + r * t->ncols;
		for (size_t i = 0; i < t->ncols && rc == OYL_OK; i++)
			rc = oyl__sql_bind_param(q, t->cols[i].type, t->cols[i].name, &row[i]);
		if (rc != OYL_OK)
			q->bad_row = r;
	}
	return rc ? rc : oyl__sql_status(q);
}

int oyl__sql_insert(oyl__sql *q, const oyl_scope *scope, const oyl_table *t,
		    const oyl_value *rows, size_t nrows)
{
	int rc = check_rows(q, scope, t, rows, nrows);

	oyl__sql_add(q, "INSERT INTO ");
	oyl__sql_ident(q, NULL, t->name);
	oyl__sql_add(q, " (");
	oyl__sql_columns(q, NULL, t);
	oyl__sql_add(q, ") VALUES ");
	for (size_t r = 0; r < nrows && rc == OYL_OK; r++) {
		const oyl_value *row = rows + r * t->ncols;
		oyl__sql_add(q, r ? ", (" : "(");
		for (size_t i = 0; i < t->ncols && rc == OYL_OK; i++) {
			if (i)
				oyl__sql_add(q, ", ");
			rc = oyl__sql_bind(q, t->cols[i].type, t->cols[i].name, &row[i]);
		}
		if (rc != OYL_OK)
			q->bad_row = r;
		oyl__sql_add(q, ")");
	}
	return rc ? rc : oyl__sql_status(q);
}

static int add_assignments(oyl__sql *q, const oyl_table *t, const oyl_assign *set, size_t nset)
{
	int rc = OYL_OK;

	if (!set || nset == 0)
		return oyl__sql_fail(q, OYL_EINVAL, "nothing to set");
	oyl__sql_add(q, " SET ");
	for (size_t i = 0; i < nset && rc == OYL_OK; i++) {
		int32_t col = set[i].col;
		if (col < 0 || (size_t)col >= t->ncols)
			return oyl__sql_fail(q, OYL_EINVAL, "set column %d: no such column", (int)col);
		/* ids and tenant_id never change: a distributed table could not move the row */
		if (t->cols[col].flags & OYL_COL_IMMUTABLE)
			return oyl__sql_fail(q, OYL_EINVAL, "column %s cannot be changed",
					     t->cols[col].name);
		if (i)
			oyl__sql_add(q, ", ");
		oyl__sql_ident(q, NULL, t->cols[col].name);
		oyl__sql_add(q, " = ");
		rc = oyl__sql_bind(q, t->cols[col].type, t->cols[col].name, &set[i].value);
	}
	return rc;
}

int oyl__sql_update(oyl__sql *q, const oyl_scope *scope, const oyl_table *t,
		    const oyl_filter *filters, size_t nfilters, const oyl_assign *set, size_t nset)
{
	oyl__sql_add(q, "UPDATE ");
	oyl__sql_ident(q, NULL, t->name);
	int rc = add_assignments(q, t, set, nset);
	if (rc == OYL_OK)
		rc = oyl__sql_where(q, NULL, scope, t, filters, nfilters);
	return rc ? rc : oyl__sql_status(q);
}

int oyl__sql_delete(oyl__sql *q, const oyl_scope *scope, const oyl_table *t,
		    const oyl_filter *filters, size_t nfilters)
{
	oyl__sql_add(q, "DELETE FROM ");
	oyl__sql_ident(q, NULL, t->name);
	int rc = oyl__sql_where(q, NULL, scope, t, filters, nfilters);
	return rc ? rc : oyl__sql_status(q);
}

/* The row's key: (tenant_id, id) for a tenant-owned table, else id; as a
 * row value to compare, or as a select list. */
static void add_key(oyl__sql *q, const char *qual, const oyl_table *t, bool row_value)
{
	if (t->tenant_col < 0) {
		oyl__sql_ident(q, qual, t->cols[0].name);
		return;
	}
	oyl__sql_add(q, row_value ? "(" : "");
	oyl__sql_ident(q, qual, t->cols[t->tenant_col].name);
	oyl__sql_add(q, ", ");
	oyl__sql_ident(q, qual, t->cols[0].name);
	oyl__sql_add(q, row_value ? ")" : "");
}

int oyl__sql_claim(oyl__sql *q, const oyl_scope *scope, const oyl_table *t,
		   const oyl_filter *filters, size_t nfilters, int32_t order_col, int64_t limit,
		   const oyl_assign *set, size_t nset)
{
	int rc = oyl__sql_check_lock_scope(q, scope, t);
	if (rc)
		return rc;
	if (limit < 1)
		return oyl__sql_fail(q, OYL_EINVAL, "claim: limit must be at least 1");
	oyl__sql_add(q, "UPDATE ");
	oyl__sql_ident(q, NULL, t->name);
	rc = add_assignments(q, t, set, nset);
	size_t before = q->len;
	if (rc == OYL_OK)
		rc = oyl__sql_where(q, NULL, scope, t, NULL, 0);
	oyl__sql_add(q, q->len == before ? " WHERE " : " AND ");
	add_key(q, NULL, t, true);
	oyl__sql_add(q, " IN (SELECT ");
	add_key(q, "c", t, false);
	oyl_query cq = {filters, nfilters, order_col, 0, NULL, NULL, limit, 0};
	if (rc == OYL_OK)
		rc = add_list_body(q, "c", scope, t, &cq, 0);
	oyl__sql_add(q, q->d->skip_locked);
	oyl__sql_add(q, ") RETURNING ");
	oyl__sql_columns(q, NULL, t);
	return rc ? rc : oyl__sql_status(q);
}

int oyl__sql_postings(oyl__sql *q, const oyl_scope *scope, const oyl_table *t, const char *kb,
		      const char *const *terms, size_t nterms)
{
	if (!scope || !scope->tenant_id)
		return oyl__sql_fail(q, OYL_EINVAL, "postings are read in a tenant's scope");
	if (nterms < 1 || nterms > OYL__SQL_POSTINGS_TERMS_MAX)
		return oyl__sql_fail(q, OYL_EINVAL, "postings: 1 to %d terms, not %zu",
				     OYL__SQL_POSTINGS_TERMS_MAX, nterms);
	int32_t kb_col = -1;
	for (size_t i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, "knowledge_base_id") == 0)
			kb_col = (int32_t)i;
	if (kb_col < 0)
		return oyl__sql_fail(q, OYL_EINVAL, "%s has no knowledge_base_id", t->name);
	oyl_filter of_kb = {kb_col, OYL_OP_EQ, {OYL_TYPE_UUID, 0, 0, kb, kb ? strlen(kb) : 0}};
	/*
	 * One lookup of the whole key prefix (tenant, knowledge base, term) per
	 * term, joined by UNION ALL: at most 32 statement shapes.  Not "term IN
	 * (...)": for a tenant the statistics do not know yet, PostgreSQL counts
	 * one row of it, finds a descent per term dearer than filtering, and
	 * reads every posting of the knowledge base (pg_schema_v13.c).
	 */
	int rc = OYL_OK;
	for (size_t i = 0; rc == OYL_OK && i < nterms; i++) {
		oyl_value v = {OYL_TYPE_TEXT, 0, 0, terms[i], terms[i] ? strlen(terms[i]) : 0};
		oyl__sql_add(q, i ? " UNION ALL SELECT term, document_id, block FROM "
				  : "SELECT term, document_id, block FROM ");
		oyl__sql_ident(q, NULL, t->name);
		rc = oyl__sql_where(q, NULL, scope, t, &of_kb, 1);
		oyl__sql_add(q, " AND term = ");
		if (rc == OYL_OK)
			rc = oyl__sql_bind(q, OYL_TYPE_TEXT, "term", &v);
	}
	return rc ? rc : oyl__sql_status(q);
}

static const oyl_column postings_cols[3] = {{"term", OYL_TYPE_TEXT, OYL_COL_NOT_NULL},
					    {"document_id", OYL_TYPE_UUID, OYL_COL_NOT_NULL},
					    {"block", OYL_TYPE_BLOB, OYL_COL_NOT_NULL}};
const oyl_table oyl__sql_postings_shape = {"search_postings", postings_cols, 3, -1, -1};

/* Whether `term` (NUL-terminated) is the n bytes at s. */
static bool is_term(const char *term, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && term[i] && term[i] == s[i])
		i++;
	return i == n && term[n] == '\0';
}

int oyl__sql_postings_row(const oyl_value *vals, size_t n, void *payload)
{
	oyl__sql_postings_sink *sink = payload;
	(void)n;
	/* a term's rows come together: the last one's term is tried first */
	for (size_t k = 0, i = sink->last; k < sink->nterms; k++, i = i + 1 < sink->nterms ? i + 1 : 0) {
		if (is_term(sink->terms[i], vals[0].s, vals[0].n)) {
			oyl_postings_block block = {(int32_t)i, vals[1].s,
						    (const unsigned char *)vals[2].s, vals[2].n};
			sink->last = i;
			return sink->cb(&block, sink->payload);
		}
	}
	return 0; /* not asked for: cannot happen with the statement above */
}
