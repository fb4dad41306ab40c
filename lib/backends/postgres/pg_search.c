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

int oyl__pg_search(oyl_backend *base, const oyl_scope *scope, const oyl_table *t,
		   const oyl_filter *filters, size_t nfilters, const char *query, int64_t limit,
		   oyl_search_cb cb, void *payload)
{
	pg_backend *b = pg_of(base);
	PGresult *res = NULL;
	pg_sql q;

	oyl__pg_context(b, "search", t->name);
	if (t->search_col < 0)
		return oyl__pg_fail(b, OYL_ENOTSUP, "table has no full-text index");
	if (!query || !cb)
		return oyl__pg_fail(b, OYL_EINVAL, "no query or hit callback");

	/* Ranked and limited inside, converted for output outside. */
	oyl__pg_sql_init(&q);
	oyl__pg_sql_add(&q, "SELECT hits.id, encode(float8send(hits.score), 'hex') FROM (SELECT ");
	oyl__pg_sql_ident(&q, t->cols[0].name);
	oyl__pg_sql_add(&q, " AS id, ts_rank(" SEARCH_VECTOR_COLUMN ", words.q)::float8 AS score");
	oyl__pg_sql_add(&q, " FROM ");
	oyl__pg_sql_ident(&q, t->name);
	oyl__pg_sql_add(&q, ", (SELECT replace(plainto_tsquery('simple', ");
	oyl__pg_bind_text(&q, query);
	oyl__pg_sql_add(&q, ")::text, ' & ', ' | ')::tsquery AS q) AS words");
	oyl__pg_sql_add(&q, " WHERE " SEARCH_VECTOR_COLUMN " @@ words.q");
	int rc = oyl__pg_sql_and(b, &q, scope, t, filters, nfilters);
	oyl__pg_sql_add(&q, " ORDER BY score DESC, id");
	if (limit > 0) {
		oyl__pg_sql_add(&q, " LIMIT ");
		oyl__pg_bind_int8(&q, limit);
	}
	oyl__pg_sql_add(&q, ") AS hits ORDER BY hits.score DESC, hits.id");
	if (rc == OYL_OK)
		rc = oyl__pg_run_scoped(b, scope, t, &q, PGRES_TUPLES_OK, &res);
	oyl__pg_sql_free(&q);
	if (rc != OYL_OK)
		return rc;

	int nrows = PQntuples(res);
	for (int row = 0; row < nrows && rc == OYL_OK; row++) {
		oyl_search_hit hit = {PQgetvalue(res, row, 0), 0};
		const char *score = PQgetvalue(res, row, 1);

		if (!oyl__pg_decode_float8(score, (size_t)PQgetlength(res, row, 1), &hit.score))
			rc = oyl__pg_fail(b, OYL_ESTORAGE, "unexpected score");
		else
			rc = cb(&hit, payload);
	}
	PQclear(res);
	return rc;
}
