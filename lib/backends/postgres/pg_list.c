/*
 * list(): filters, then the keyset condition, ordered by (order_col, id),
 * then OFFSET and LIMIT.
 *
 * NULLs sort first ascending and last descending (NULL is the smallest
 * value), as in SQLite, so that both backends page the same way.
 */
#include <string.h>

#include "pg_internal.h"

static void add_row_pair(pg_sql *q, const oyl_column *order, const oyl_column *id)
{
	oyl__pg_sql_add(q, "(");
	oyl__pg_sql_sort_key(q, order);
	oyl__pg_sql_add(q, ", ");
	oyl__pg_sql_ident(q, id->name);
	oyl__pg_sql_add(q, ")");
}

/*
 * Rows strictly after (after_value, after_id) in the list's order.  A
 * NOT NULL order column gets the plain row comparison (index friendly);
 * a nullable one needs the NULL rows placed by hand.
 */
static int add_keyset(pg_backend *b, pg_sql *q, const oyl_table *t, const oyl_query *lq)
{
	const oyl_column *order = &t->cols[lq->order_col], *id = &t->cols[0];
	const char *after = lq->descending ? " < " : " > ";
	bool nullable = !(order->flags & OYL_COL_NOT_NULL);
	bool null_after = !lq->after_value || lq->after_value->type == OYL_TYPE_NULL;
	int32_t bind_type = order->type == OYL_TYPE_JSON ? OYL_TYPE_TEXT : order->type;
	int rc;

	if (null_after && !nullable)
		return oyl__pg_fail(b, OYL_EINVAL, "keyset: no value of %s after the id",
				    order->name);

	oyl__pg_sql_add(q, " AND (");
	if (nullable && null_after) {
		/* among the NULLs, by id; ascending, every non-NULL row comes after */
		oyl__pg_sql_add(q, "(");
		oyl__pg_sql_ident(q, order->name);
		oyl__pg_sql_add(q, " IS NULL AND ");
		oyl__pg_sql_ident(q, id->name);
		oyl__pg_sql_add(q, after);
		rc = oyl__pg_bind_uuid(b, q, "after_id", lq->after_id);
		oyl__pg_sql_add(q, ")");
		if (!lq->descending) {
			oyl__pg_sql_add(q, " OR ");
			oyl__pg_sql_ident(q, order->name);
			oyl__pg_sql_add(q, " IS NOT NULL");
		}
	} else {
		add_row_pair(q, order, id);
		oyl__pg_sql_add(q, after);
		oyl__pg_sql_add(q, "(");
		rc = oyl__pg_bind(b, q, bind_type, order->name, lq->after_value);
		oyl__pg_sql_add(q, ", ");
		if (rc == OYL_OK)
			rc = oyl__pg_bind_uuid(b, q, "after_id", lq->after_id);
		oyl__pg_sql_add(q, ")");
		if (nullable && lq->descending) {
			/* descending, the NULLs come last: after every value */
			oyl__pg_sql_add(q, " OR ");
			oyl__pg_sql_ident(q, order->name);
			oyl__pg_sql_add(q, " IS NULL");
		}
	}
	oyl__pg_sql_add(q, ")");
	return rc;
}

int oyl__pg_list(oyl_backend *base, const oyl_scope *scope, const oyl_table *t, const oyl_query *lq,
		 oyl_row_cb cb, void *payload)
{
	pg_backend *b = pg_of(base);
	PGresult *res = NULL;
	pg_sql q;

	oyl__pg_context(b, "list", t->name);
	if (!lq || !cb)
		return oyl__pg_fail(b, OYL_EINVAL, "no query or row callback");
	if (lq->order_col < 0 || (size_t)lq->order_col >= t->ncols)
		return oyl__pg_fail(b, OYL_EINVAL, "order by column %d: no such column",
				    (int)lq->order_col);
	const oyl_column *order = &t->cols[lq->order_col];
	const char *dir = lq->descending ? " DESC NULLS LAST" : " ASC NULLS FIRST";

	oyl__pg_sql_init(&q);
	oyl__pg_sql_add(&q, "SELECT ");
	oyl__pg_sql_columns(&q, t);
	oyl__pg_sql_add(&q, " FROM ");
	oyl__pg_sql_ident(&q, t->name);
	/* "WHERE true" lets the keyset condition always start with AND */
	oyl__pg_sql_add(&q, " WHERE true");
	int rc = oyl__pg_sql_and(b, &q, scope, t, lq->filters, lq->nfilters);
	if (rc == OYL_OK && lq->after_id)
		rc = add_keyset(b, &q, t, lq);

	oyl__pg_sql_add(&q, " ORDER BY ");
	oyl__pg_sql_sort_key(&q, order);
	oyl__pg_sql_add(&q, dir);
	oyl__pg_sql_add(&q, ", ");
	oyl__pg_sql_ident(&q, t->cols[0].name);
	oyl__pg_sql_add(&q, lq->descending ? " DESC" : " ASC");
	if (lq->limit > 0) {
		oyl__pg_sql_add(&q, " LIMIT ");
		oyl__pg_bind_int8(&q, lq->limit);
	}
	if (lq->offset > 0) {
		oyl__pg_sql_add(&q, " OFFSET ");
		oyl__pg_bind_int8(&q, lq->offset);
	}
	if (rc == OYL_OK)
		rc = oyl__pg_run_scoped(b, scope, t, &q, PGRES_TUPLES_OK, &res);
	oyl__pg_sql_free(&q);
	if (rc != OYL_OK)
		return rc;
	rc = oyl__pg_emit_rows(b, res, t, cb, payload);
	PQclear(res);
	return rc;
}
