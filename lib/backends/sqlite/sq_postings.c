/* The search index's postings of a question's terms (oyl_backend.postings):
 * one statement, served by search_postings' key. */
#include "sq_internal.h"

int oyl__sq_postings(oyl_backend *base, const oyl_scope *scope, const char *kb,
		     const char *const *terms, size_t nterms, oyl_postings_cb cb, void *payload)
{
	sq_backend *b = sq_of(base);
	const oyl_table *t = oyl_schema_table("search_postings");
	oyl__sq_context(b, "postings", "search_postings");
	if (!cb || !terms)
		return oyl__sq_fail(b, OYL_EINVAL, "no terms or block callback");
	oyl__sql q;
	oyl__sq_sql_init(&q);
	int rc = oyl__sql_postings(&q, scope, t, kb, terms, nterms);
	oyl__sql_postings_sink sink = {terms, nterms, cb, payload, 0};
	rc = rc ? oyl__sq_fail_sql(b, rc, &q)
		: oyl__sq_run_rows(b, &q, &oyl__sql_postings_shape, oyl__sql_postings_row, &sink);
	oyl__sql_free(&q);
	return rc;
}
