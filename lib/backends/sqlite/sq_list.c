/*
 * list(): scope and filters, then the keyset condition, ordered by
 * (order_col, id), then OFFSET and LIMIT.
 *
 * NULLs sort first ascending and last descending (SQLite's own order; the
 * PostgreSQL backend asks for the same), so both backends page alike.
 */
#include "sq_internal.h"

/*
 * Rows strictly after (after_value, after_id) in the list's order.  A
 * NOT NULL order column gets the plain row-value comparison (index
 * friendly); a nullable one needs the NULL rows placed by hand.
 */
static int add_keyset(sq_backend *b, sq_sql *q, const oyl_table *t, const oyl_query *lq)
{
	const oyl_column *order = &t->cols[lq->order_col], *id = &t->cols[0];
	const char *after = lq->descending ? " < " : " > ";
	bool nullable = !(order->flags & OYL_COL_NOT_NULL);
	bool null_after = !lq->after_value || lq->after_value->type == OYL_TYPE_NULL;
	int rc;

	oyl__sq_sql_add(q, " AND (");
	if (nullable && null_after) {
		/* among the NULLs, by id; ascending, every non-NULL row comes after */
		oyl__sq_sql_add(q, "(");
		oyl__sq_sql_ident(q, NULL, order->name);
		oyl__sq_sql_add(q, " IS NULL AND ");
		oyl__sq_sql_ident(q, NULL, id->name);
		oyl__sq_sql_add(q, after);
		rc = oyl__sq_bind_uuid(b, q, "after_id", lq->after_id);
		oyl__sq_sql_add(q, ")");
		if (!lq->descending) {
			oyl__sq_sql_add(q, " OR ");
			oyl__sq_sql_ident(q, NULL, order->name);
			oyl__sq_sql_add(q, " IS NOT NULL");
		}
	} else {
		oyl__sq_sql_add(q, "(");
		oyl__sq_sql_ident(q, NULL, order->name);
		oyl__sq_sql_add(q, ", ");
		oyl__sq_sql_ident(q, NULL, id->name);
		oyl__sq_sql_add(q, ")");
		oyl__sq_sql_add(q, after);
		oyl__sq_sql_add(q, "(");
		rc = oyl__sq_bind(b, q, order->type, order->name, lq->after_value);
		oyl__sq_sql_add(q, ", ");
		if (rc == OYL_OK)
			rc = oyl__sq_bind_uuid(b, q, "after_id", lq->after_id);
		oyl__sq_sql_add(q, ")");
		if (nullable && lq->descending) {
			/* descending, the NULLs come last: after every value */
			oyl__sq_sql_add(q, " OR ");
			oyl__sq_sql_ident(q, NULL, order->name);
			oyl__sq_sql_add(q, " IS NULL");
		}
	}
	oyl__sq_sql_add(q, ")");
	return rc;
}

static int emit_all(sq_backend *b, const sq_sql *q, const oyl_table *t, oyl_row_cb cb,
		    void *payload)
{
	sq_stmt st;
	oyl_value *vals = oyl_malloc(t->ncols * sizeof *vals);

	if (!vals)
		return oyl__sq_fail(b, OYL_ENOMEM, "out of memory");
	int rc = oyl__sq_prepare(b, q, &st);
	if (rc == OYL_OK) {
		while ((rc = oyl__sq_step(b, &st)) == 1) {
			rc = oyl__sq_emit_row(b, st.stmt, t, vals, cb, payload);
			if (rc != OYL_OK)
				break;
		}
		oyl__sq_release(b, &st);
	}
	oyl_free(vals);
	return rc;
}

int oyl__sq_list(oyl_backend *base, const oyl_scope *scope, const oyl_table *t, const oyl_query *lq,
		 oyl_row_cb cb, void *payload)
{
	sq_backend *b = sq_of(base);
	sq_sql q;

	oyl__sq_context(b, "list", t->name);
	if (!lq || !cb)
		return oyl__sq_fail(b, OYL_EINVAL, "no query or row callback");
	if (lq->order_col < 0 || (size_t)lq->order_col >= t->ncols)
		return oyl__sq_fail(b, OYL_EINVAL, "order by column %d: no such column",
				    (int)lq->order_col);
	const char *dir = lq->descending ? " DESC" : " ASC";

	oyl__sq_sql_init(&q);
	oyl__sq_sql_add(&q, "SELECT ");
	oyl__sq_sql_columns(&q, NULL, t);
	oyl__sq_sql_add(&q, " FROM ");
	oyl__sq_sql_ident(&q, NULL, t->name);
	/* "WHERE 1" lets scope, filters and keyset always start with AND */
	oyl__sq_sql_add(&q, " WHERE 1");
	int rc = oyl__sq_sql_and(b, &q, NULL, scope, t, lq->filters, lq->nfilters);
	if (rc == OYL_OK && lq->after_id)
		rc = add_keyset(b, &q, t, lq);

	oyl__sq_sql_add(&q, " ORDER BY ");
	oyl__sq_sql_ident(&q, NULL, t->cols[lq->order_col].name);
	oyl__sq_sql_add(&q, dir);
	oyl__sq_sql_add(&q, ", ");
	oyl__sq_sql_ident(&q, NULL, t->cols[0].name);
	oyl__sq_sql_add(&q, dir);
	/* SQLite needs a LIMIT before an OFFSET; -1 means none */
	oyl__sq_sql_add(&q, " LIMIT ");
	oyl__sq_bind_int64(&q, lq->limit > 0 ? lq->limit : -1);
	oyl__sq_sql_add(&q, " OFFSET ");
	oyl__sq_bind_int64(&q, lq->offset > 0 ? lq->offset : 0);
	if (rc == OYL_OK)
		rc = emit_all(b, &q, t, cb, payload);
	oyl__sq_sql_free(&q);
	return rc;
}
