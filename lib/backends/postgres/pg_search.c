/*
 * Full-text search over the generated `search_vector` column that the
 * migrations add to every searchable table (GIN indexed).
 *
 * The query is plain words, never tsquery syntax: plainto_tsquery() parses
 * any text without error and ANDs its words; we turn the ANDs into ORs
 * (its output is valid tsquery text, and " & " never occurs inside a
 * lexeme, which has no spaces), so a passage matching some of the words is
 * found and ts_rank() puts those matching more of them first.  A query
 * with no words gives an empty tsquery, which matches nothing.  ts_rank
 * reads only the row itself, so a tenant's scores never depend on other
 * tenants' data.
 */
#include <string.h>

#include "pg_internal.h"

#define SEARCH_VECTOR_COLUMN "search_vector"

typedef struct hit_sink {
	oyl_search_cb cb;
	void *payload;
} hit_sink;

static int hit_row(const oyl_value *vals, size_t n, void *payload)
{
	hit_sink *sink = payload;
	oyl_search_hit hit = {vals[0].s, vals[1].r};
	(void)n;
	return sink->cb(&hit, sink->payload);
}

static int build(oyl__sql *q, const oyl_scope *scope, const oyl_table *t,
		 const oyl_filter *filters, size_t nfilters, const char *query, int64_t limit)
{
	oyl_value words = {OYL_TYPE_TEXT, 0, 0, query, strlen(query)};

	oyl__sql_add(q, "SELECT ");
	oyl__sql_ident(q, NULL, t->cols[0].name);
	oyl__sql_add(q, ", ts_rank(" SEARCH_VECTOR_COLUMN ", words.q)::float8 AS score FROM ");
	oyl__sql_ident(q, NULL, t->name);
	oyl__sql_add(q, ", (SELECT replace(plainto_tsquery('simple', ");
	int rc = oyl__sql_bind(q, OYL_TYPE_TEXT, "query", &words);
	oyl__sql_add(q, ")::text, ' & ', ' | ')::tsquery AS q) AS words");
	oyl__sql_add(q, " WHERE " SEARCH_VECTOR_COLUMN " @@ words.q");
	if (rc == OYL_OK)
		rc = oyl__sql_and(q, NULL, scope, t, filters, nfilters);
	oyl__sql_add(q, " ORDER BY score DESC, ");
	oyl__sql_ident(q, NULL, t->cols[0].name);
	if (limit > 0) {
		oyl__sql_add(q, " LIMIT ");
		oyl__sql_bind_int(q, limit);
	}
	return rc ? rc : oyl__sql_status(q);
}

int oyl__pg_search(oyl_backend *base, const oyl_scope *scope, const oyl_table *t,
		   const oyl_filter *filters, size_t nfilters, const char *query, int64_t limit,
		   oyl_search_cb cb, void *payload)
{
	static const oyl_column hit_cols[2] = {{"id", OYL_TYPE_UUID, OYL_COL_NOT_NULL},
					       {"score", OYL_TYPE_REAL, OYL_COL_NOT_NULL}};
	static const oyl_table hits = {"hits", hit_cols, 2, -1, -1};
	pg_backend *b = pg_of(base);
	hit_sink sink = {cb, payload};
	oyl__sql q;

	oyl__pg_context(b, "search", t->name);
	if (t->search_col < 0)
		return oyl__pg_fail(b, OYL_ENOTSUP, "table has no full-text index");
	if (!query || !cb)
		return oyl__pg_fail(b, OYL_EINVAL, "no query or hit callback");
	oyl__pg_sql_init(&q);
	int rc = build(&q, scope, t, filters, nfilters, query, limit);
	rc = rc ? oyl__pg_fail_sql(b, rc, &q) : oyl__pg_run_rows(b, &q, scope, t, &hits, hit_row, &sink);
	oyl__sql_free(&q);
	return rc;
}
