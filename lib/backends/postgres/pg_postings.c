/* The search index's postings of a question's terms (oyl_backend.postings):
 * one statement, served by search_postings' key. */
#include "pg_internal.h"

int oyl__pg_postings(oyl_backend *base, const oyl_scope *scope, const char *kb,
		     const char *const *terms, size_t nterms, oyl_postings_cb cb, void *payload)
{
	pg_backend *b = pg_of(base);
	const oyl_table *t = oyl_schema_table("search_postings");
	oyl__pg_context(b, "postings", "search_postings");
	if (!cb || !terms)
		return oyl__pg_fail(b, OYL_EINVAL, "no terms or block callback");
	oyl__sql q;
	oyl__pg_sql_init(&q);
	int rc = oyl__sql_postings(&q, scope, t, kb, terms, nterms);
	oyl__sql_postings_sink sink = {terms, nterms, cb, payload, 0};
	rc = rc ? oyl__pg_fail_sql(b, rc, &q)
		: oyl__pg_run_rows(b, &q, scope, t, &oyl__sql_postings_shape, oyl__sql_postings_row,
				   &sink);
	oyl__sql_free(&q);
	return rc;
}
