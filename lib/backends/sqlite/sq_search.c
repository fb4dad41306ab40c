/*
 * Full-text search through the FTS5 table "<table>_fts" that the
 * migrations keep in sync with the searchable column (external content,
 * keyed by the table's rowid, updated by triggers).  The FTS table knows
 * nothing of tenants: the hits are joined back to the table, where the
 * tenant predicate and the filters apply.
 *
 * Score = -bm25(), so higher is better.  Known limit: bm25's statistics
 * (document frequencies, average length) are those of the whole FTS table,
 * so one tenant's scores move when another tenant's chunks change; the
 * matching rows and the scope are never affected.
 */
#include <stdio.h>
#include <string.h>

#include "sq_internal.h"

#define FTS_SUFFIX "_fts"
#define ROW_ALIAS "r"

static void add_fts_name(oyl__sql *q, const oyl_table *t)
{
	char name[128];

	snprintf(name, sizeof name, "%s" FTS_SUFFIX, t->name);
	oyl__sql_ident(q, NULL, name);
}

/* SELECT r."id", -bm25(fts) FROM fts JOIN t AS r ON r.rowid = fts.rowid WHERE fts MATCH ?... */
static int build(oyl__sql *q, const oyl_scope *scope, const oyl_table *t,
		 const oyl_filter *filters, size_t nfilters, const char *match, int64_t limit)
{
	oyl__sql_add(q, "SELECT ");
	oyl__sql_ident(q, ROW_ALIAS, t->cols[0].name);
	oyl__sql_add(q, ", -bm25(");
	add_fts_name(q, t);
	oyl__sql_add(q, ") FROM ");
	add_fts_name(q, t);
	oyl__sql_add(q, " JOIN ");
	oyl__sql_ident(q, NULL, t->name);
	oyl__sql_add(q, " AS " ROW_ALIAS " ON " ROW_ALIAS ".rowid = ");
	add_fts_name(q, t);
	oyl__sql_add(q, ".rowid WHERE ");
	add_fts_name(q, t);
	oyl__sql_add(q, " MATCH ");
	oyl_value words = {OYL_TYPE_TEXT, 0, 0, match, strlen(match)};
	int rc = oyl__sql_bind(q, OYL_TYPE_TEXT, "query", &words);
	if (rc == OYL_OK)
		rc = oyl__sql_and(q, ROW_ALIAS, scope, t, filters, nfilters);
	/* best first (bm25 is lower for better); ties by id, so the order is stable */
	oyl__sql_add(q, " ORDER BY bm25(");
	add_fts_name(q, t);
	oyl__sql_add(q, "), ");
	oyl__sql_ident(q, ROW_ALIAS, t->cols[0].name);
	oyl__sql_add(q, " LIMIT ");
	oyl__sql_bind_int(q, limit > 0 ? limit : -1);
	return rc;
}

static int emit_hits(sq_backend *b, const oyl__sql *q, oyl_search_cb cb, void *payload)
{
	sq_stmt st;
	int rc = oyl__sq_prepare(b, q, &st);

	if (rc != OYL_OK)
		return rc;
	while ((rc = oyl__sq_step(b, &st)) == 1) {
		oyl_search_hit hit;
		hit.id = (const char *)sqlite3_column_text(st.stmt, 0);
		hit.score = sqlite3_column_double(st.stmt, 1);
		if (!hit.id) {
			rc = oyl__sq_fail(b, OYL_ENOMEM, "out of memory reading a hit");
			break;
		}
		rc = cb(&hit, payload);
		if (rc != OYL_OK)
			break;
	}
	oyl__sq_release(b, &st);
	return rc;
}

int oyl__sq_search(oyl_backend *base, const oyl_scope *scope, const oyl_table *t,
		   const oyl_filter *filters, size_t nfilters, const char *query, int64_t limit,
		   oyl_search_cb cb, void *payload)
{
	sq_backend *b = sq_of(base);
	char *match = NULL;
	oyl__sql q;

	oyl__sq_context(b, "search", t->name);
	if (t->search_col < 0)
		return oyl__sq_fail(b, OYL_ENOTSUP, "table has no full-text index");
	if (!query || !cb)
		return oyl__sq_fail(b, OYL_EINVAL, "no query or hit callback");
	if (oyl__sq_fts_query(query, &match) != OYL_OK)
		return oyl__sq_fail(b, OYL_ENOMEM, "out of memory");
	if (!match)
		return OYL_OK; /* no words: no hits */

	oyl__sq_sql_init(&q);
	int rc = build(&q, scope, t, filters, nfilters, match, limit);
	rc = rc ? oyl__sq_fail_sql(b, rc, &q) : emit_hits(b, &q, cb, payload);
	oyl__sql_free(&q);
	oyl_free(match);
	return rc;
}
