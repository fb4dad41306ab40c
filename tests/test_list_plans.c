/*
 * Lists that stay fast as a tenant grows: every public list, first page
 * and a cursor's next page, runs on an index in its order, on every
 * backend.  The statements are the ones the library sends (caught as it
 * sends them); their plans come from the database itself: EXPLAIN as the
 * runtime role with the transaction's settings on PostgreSQL, for the
 * custom and the generic plan of a prepared statement, with sequential
 * scans, bitmap scans and sorts off so that a small table cannot hide a
 * missing index (a plan that still sorts has no index in its order);
 * EXPLAIN QUERY PLAN on SQLite.  The benchmark (bench/oyl-bench) shows
 * the same plans chosen freely at 100,000 rows.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "backends/sql/sql.h"
#include "harness.h"

/* ---- the statements as sent ------------------------------------------ */

typedef struct caught {
	char *text;
	int nparams;
	int32_t coltype[48];
	int kind[48];
	int64_t i[48];
	char *s[48];
} caught;

static caught stmts[64];
static int nstmts;

static void keep(const oyl__sql *q);

static void catch_statement(const oyl__sql *q)
{
	/* a page of records: the select list starts with the id */
	if (nstmts == 64 || strncmp(q->text, "SELECT \"id\", ", 13) != 0 || !strstr(q->text, "ORDER BY"))
		return;
	keep(q);
}

/* A search's read of its passages' chunks, as alternatives. */
static void catch_passages(const oyl__sql *q)
{
	if (nstmts < 64 && strstr(q->text, "FROM \"document_chunks\"") && strstr(q->text, " OR "))
		keep(q);
}

/* A search's read of the index's postings. */
static void catch_postings(const oyl__sql *q)
{
	if (nstmts < 64 && strncmp(q->text, "SELECT term, document_id, block FROM", 36) == 0)
		keep(q);
}

static void keep(const oyl__sql *q)
{
	caught *c = &stmts[nstmts++];
	c->text = strdup(q->text);
	c->nparams = (int)q->nparams;
	ck_assert_int_le(c->nparams, 48);
	for (int k = 0; k < c->nparams; k++) {
		const oyl__sql_param *p = &q->params[k];
		c->coltype[k] = p->coltype;
		c->kind[k] = p->kind;
		c->i[k] = p->i;
		c->s[k] = p->kind == OYL__SQL_TEXT ? strndup(p->s, p->n) : NULL;
	}
}

static void forget(void)
{
	for (int k = 0; k < nstmts; k++) {
		free(stmts[k].text);
		for (int j = 0; j < stmts[k].nparams; j++)
			free(stmts[k].s[j]);
	}
	nstmts = 0;
}

/* The text form of parameter k, for EXECUTE (NULL for SQL NULL). */
static char *param_text(const caught *c, int k)
{
	char buf[64];
	if (c->kind[k] == OYL__SQL_NULL)
		return NULL;
	if (c->kind[k] == OYL__SQL_TEXT)
		return strdup(c->s[k]);
	if (c->coltype[k] == OYL_TYPE_TIME) {
		time_t secs = (time_t)(c->i[k] / 1000000);
		struct tm tm;
		gmtime_r(&secs, &tm);
		char date[32];
		strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
		snprintf(buf, sizeof buf, "%s.%06lld+00", date, (long long)(c->i[k] % 1000000));
		return strdup(buf);
	}
	snprintf(buf, sizeof buf, "%lld", (long long)c->i[k]);
	return strdup(buf);
}

/* ---- plans ------------------------------------------------------------ */

static char uri[T_URI_MAX];
static oyl_db *db;
static oyl_actor *root, *admin;
static char tenant[37];

static void exec_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK,
		      "%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
}

/* The plan of c, as the runtime role in scope (NULL: the platform). */
/* Set for a read of alternatives, which PostgreSQL serves by ORing
 * bitmaps of one index. */
static int allow_bitmap;

static char *pg_plan(const caught *c, const char *scope, const char *mode)
{
	PGconn *conn = PQconnectdb(uri); /* the runtime role's */
	ck_assert_int_eq(PQstatus(conn), CONNECTION_OK);
	char sql[8192];
	exec_ok(conn, "BEGIN");
	/* as the library runs it: the tenant's role, or the platform's */
	exec_ok(conn, scope ? "SET LOCAL ROLE oyl_runtime" : "SET LOCAL ROLE oyl_platform");
	snprintf(sql, sizeof sql, "SET LOCAL oyl.tenant_id = '%s'", scope ? scope : "");
	exec_ok(conn, sql);
	/* a small table must not hide a missing index: with these off, a plan
	 * still sorts only when no index gives the list's order */
	exec_ok(conn, "SET LOCAL enable_seqscan = off");
	if (!allow_bitmap)
		exec_ok(conn, "SET LOCAL enable_bitmapscan = off");
	exec_ok(conn, "SET LOCAL enable_sort = off");
	snprintf(sql, sizeof sql, "SET LOCAL plan_cache_mode = %s", mode);
	exec_ok(conn, sql);
	snprintf(sql, sizeof sql, "PREPARE plan_check AS %s", c->text);
	exec_ok(conn, sql);
	size_t used = (size_t)snprintf(sql, sizeof sql, "EXPLAIN EXECUTE plan_check(");
	for (int k = 0; k < c->nparams; k++) {
		char *v = param_text(c, k);
		char *lit = v ? PQescapeLiteral(conn, v, strlen(v)) : NULL;
		used += (size_t)snprintf(sql + used, sizeof sql - used, "%s%s", k ? ", " : "",
					 lit ? lit : "NULL");
		PQfreemem(lit);
		free(v);
	}
	snprintf(sql + used, sizeof sql - used, ")");
	PGresult *r = PQexec(conn, sql);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(conn));
	size_t cap = 4096, len = 0;
	char *plan = calloc(1, cap);
	for (int row = 0; row < PQntuples(r); row++) {
		const char *line = PQgetvalue(r, row, 0);
		while (len + strlen(line) + 2 > cap)
			plan = realloc(plan, cap *= 2);
		len += (size_t)sprintf(plan + len, "%s\n", line);
	}
	PQclear(r);
	exec_ok(conn, "ROLLBACK");
	PQfinish(conn);
	return plan;
}

static char *sqlite_plan(const caught *c)
{
	sqlite3 *s = NULL;
	sqlite3_stmt *st = NULL;
	char sql[8192];
	ck_assert_int_eq(sqlite3_open(uri + 7, &s), SQLITE_OK);
	snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", c->text);
	ck_assert_msg(sqlite3_prepare_v2(s, sql, -1, &st, NULL) == SQLITE_OK, "%s", sqlite3_errmsg(s));
	for (int k = 0; k < c->nparams; k++) {
		if (c->kind[k] == OYL__SQL_TEXT)
			sqlite3_bind_text(st, k + 1, c->s[k], -1, SQLITE_TRANSIENT);
		else if (c->kind[k] == OYL__SQL_INT)
			sqlite3_bind_int64(st, k + 1, c->i[k]);
	}
	size_t cap = 4096, len = 0;
	char *plan = calloc(1, cap);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *line = (const char *)sqlite3_column_text(st, 3);
		while (len + strlen(line) + 2 > cap)
			plan = realloc(plan, cap *= 2);
		len += (size_t)sprintf(plan + len, "%s\n", line);
	}
	sqlite3_finalize(st);
	sqlite3_close(s);
	return plan;
}

/* Every page statement caught since the last forget(): on `index`, no sort. */
static void assert_plans(const char *what, const char *scope, const char *index, int pages)
{
	ck_assert_msg(nstmts == pages, "%s: %d page statements caught, want %d", what, nstmts, pages);
	for (int k = 0; k < nstmts; k++) {
		const char *modes[2] = {"force_custom_plan", "force_generic_plan"};
		for (int m = 0; m < (t_is_postgres() ? 2 : 1); m++) {
			char *plan = t_is_postgres() ? pg_plan(&stmts[k], scope, modes[m])
						     : sqlite_plan(&stmts[k]);
			int sorted = t_is_postgres() ? strstr(plan, "Sort") != NULL
						     : strstr(plan, "TEMP B-TREE") != NULL;
			ck_assert_msg(!sorted && strstr(plan, index),
				      "%s (page %d%s%s): not read in order off %s:\n%s\n%s", what, k + 1,
				      t_is_postgres() ? ", " : "", t_is_postgres() ? modes[m] : "",
				      index, stmts[k].text, plan);
			if (k == nstmts - 1 && m == 0)
				printf("%s, a cursor's page:\n%s", what, plan);
			free(plan);
		}
	}
	forget();
}

/* The index of a list on each backend. */
static const char *idx(const char *pg, const char *sqlite)
{
	return t_is_postgres() ? pg : sqlite;
}

/* The one statement caught since the last forget() reads off `index`, in
 * the custom and the generic plan, whatever else it does. */
static void assert_lookup(const char *what, const char *scope, const char *index)
{
	ck_assert_msg(nstmts == 1, "%s: %d statements caught, want 1", what, nstmts);
	const char *modes[2] = {"force_custom_plan", "force_generic_plan"};
	for (int m = 0; m < (t_is_postgres() ? 2 : 1); m++) {
		char *plan = t_is_postgres() ? pg_plan(&stmts[0], scope, modes[m])
					     : sqlite_plan(&stmts[0]);
		ck_assert_msg(strstr(plan, index) != NULL, "%s%s%s: not read off %s:\n%s\n%s", what,
			      t_is_postgres() ? ", " : "", t_is_postgres() ? modes[m] : "", index,
			      stmts[0].text, plan);
		free(plan);
	}
	forget();
}

/*
 * The same-content lookup of an ingest, on tables PostgreSQL has never
 * analysed (a new deployment's first minutes): with no statistics the
 * knowledge base's list index looks as good as the unique key, and a
 * plan on it reads every document of the knowledge base per ingest.
 */
static void same_content_lookup_uses_its_key(const char *kb)
{
	static const char text[] = "the same bytes, twice\n";
	oyl_doc_source src = OYL_DOC_SOURCE_INIT;
	src.data = text;
	src.length = sizeof text - 1;
	src.name = "same.txt";
	for (int i = 0; i < 3; i++) {
		char other[32];
		snprintf(other, sizeof other, "document %d\n", i);
		oyl_doc_source o = OYL_DOC_SOURCE_INIT;
		o.data = other;
		o.length = strlen(other);
		o.name = "other.txt";
		ck_assert_int_eq(oyl_doc_ingest(admin, kb, &o, NULL, NULL), OYL_OK);
	}
	ck_assert_int_eq(oyl_doc_ingest(admin, kb, &src, NULL, NULL), OYL_OK);
	const char *key = idx("documents_same_content_key", "sha256=?");
	oyl__sql_hook = catch_statement;
	ck_assert_int_eq(oyl_doc_ingest(admin, kb, &src, NULL, NULL), OYL_EXISTS);
	assert_lookup("same content, a tenant admin", tenant, key);
	ck_assert_int_eq(oyl_doc_ingest(root, kb, &src, NULL, NULL), OYL_EXISTS);
	assert_lookup("same content, the platform (in the tenant once known)", tenant, key);
	oyl__sql_hook = NULL;
}

/* n one-line documents, line i being fmt with i and i + 1. */
static void ingest_lines(const char *kb, int n, const char *fmt, const char *name)
{
	for (int i = 0; i < n; i++) {
		char text[96];
		snprintf(text, sizeof text, fmt, i, i + 1);
		oyl_doc_source o = OYL_DOC_SOURCE_INIT;
		o.data = text;
		o.length = strlen(text);
		o.name = name;
		ck_assert_int_eq(oyl_doc_ingest(admin, kb, &o, NULL, NULL), OYL_OK);
	}
}

/*
 * A search reads its postings off search_postings' key, as the runtime
 * role under row-level security, for a tenant's user and for the
 * platform: the plan printed here is the one doc/retrieval.md shows.
 */
static void search_reads_the_index_keys(const char *kb)
{
	ingest_lines(kb, 4, "lighthouse keeper %d keeps the lamp of lighthouse %d\n", "light.txt");
	const char *key = idx("search_postings_pkey", "USING PRIMARY KEY");
	oyl__sql_hook = catch_postings;
	oyl_search_results *r = NULL;
	ck_assert_int_eq(oyl_kb_search(admin, kb, "lighthouse lamp", NULL, &r), OYL_OK);
	ck_assert_uint_eq(oyl_search_count(r), 4);
	oyl_search_free(r);
	ck_assert_int_eq(nstmts, 1);
	char *plan = t_is_postgres() ? pg_plan(&stmts[0], tenant, "force_generic_plan")
				     : sqlite_plan(&stmts[0]);
	printf("a search's postings, as the runtime role:\n%s\n%s", stmts[0].text, plan);
	free(plan);
	assert_lookup("a search's postings, a tenant admin", tenant, key);
	oyl__sql_hook = catch_postings;
	ck_assert_int_eq(oyl_kb_search(root, kb, "lighthouse lamp", NULL, &r), OYL_OK);
	oyl_search_free(r);
	assert_lookup("a search's postings, the platform", tenant, key);
	oyl__sql_hook = NULL;
}

/*
 * A search reads its ten passages' chunks in one statement of
 * alternatives, each a probe of the unique key (tenant, document,
 * ordinal).  The tenant is written inside every alternative: outside the
 * OR, SQLite read every chunk of the tenant through the key's first
 * column (86 ms a search at 200,000 chunks instead of 3).  (SQLite; the
 * plan is printed on both.)
 */
static void search_reads_its_passages_by_key(const char *kb)
{
	ingest_lines(kb, 12, "the harbour master %d rows to harbour %d\n", "harbour.txt");
	oyl__sql_hook = catch_passages;
	oyl_search_results *r = NULL;
	ck_assert_int_eq(oyl_kb_search(admin, kb, "harbour master", NULL, &r), OYL_OK);
	oyl__sql_hook = NULL;
	ck_assert_uint_eq(oyl_search_count(r), 10);
	oyl_search_free(r);
	allow_bitmap = 1;
	char *plan = t_is_postgres() ? pg_plan(&stmts[0], tenant, "force_generic_plan")
				     : sqlite_plan(&stmts[0]);
	printf("a search's passages, as the runtime role:\n%s", plan);
	free(plan);
	allow_bitmap = 0;
	/* PostgreSQL takes the tenant out of the OR itself and, on a table
	 * this small, rightly reads the tenant's few rows; at 200,000 chunks
	 * it ORs a bitmap of the key per alternative (oyl-search-bench prints
	 * that plan, doc/performance.md) */
	if (t_is_postgres())
		forget();
	else
		assert_lookup("a search's passages, a tenant admin", tenant,
			      "(tenant_id=? AND document_id=? AND ordinal=?)");
}

/*
 * A tenant newer than the statistics: the tables were analysed before it
 * existed, so the planner counts one row of it at most, and every index
 * led by tenant_id looks as cheap as the postings' key.  Its searches must
 * still read the key (tenant, knowledge base, term), not the tenant's
 * postings of every term through another index.  (PostgreSQL.)
 */
static void search_of_a_tenant_newer_than_the_statistics(void)
{
	PGconn *owner = PQconnectdb(t_owner_uri(uri));
	ck_assert_int_eq(PQstatus(owner), CONNECTION_OK);
	exec_ok(owner, "ANALYZE search_postings");
	PQfinish(owner);
	oyl_tenant *t = NULL;
	ck_assert_int_eq(oyl_tenant_create(root, "N", "newer-than-stats", NULL, &t), OYL_OK);
	char newer[37], kb[37];
	memcpy(newer, oyl_tenant_id(t), 37);
	oyl_tenant_free(t);
	t_make_kb(root, newer, kb);
	for (int i = 0; i < 4; i++) {
		char text[96];
		snprintf(text, sizeof text, "beacon %d guides the ships past beacon %d\n", i, i + 1);
		oyl_doc_source o = OYL_DOC_SOURCE_INIT;
		o.data = text;
		o.length = strlen(text);
		o.name = "beacon.txt";
		ck_assert_int_eq(oyl_doc_ingest(root, kb, &o, NULL, NULL), OYL_OK);
	}
	oyl__sql_hook = catch_postings;
	oyl_search_results *r = NULL;
	ck_assert_int_eq(oyl_kb_search(root, kb, "beacon ships", NULL, &r), OYL_OK);
	ck_assert_uint_eq(oyl_search_count(r), 4);
	oyl_search_free(r);
	assert_lookup("a search of a tenant newer than the statistics", newer,
		      "search_postings_pkey");
	oyl__sql_hook = NULL;
}

/* ---- lookups by key (PostgreSQL) ------------------------------------- */

/* The first row of the first column of sql, or NULL (freed by the caller). */
static char *pg_value(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(c));
	char *v = PQntuples(r) > 0 && !PQgetisnull(r, 0, 0) ? strdup(PQgetvalue(r, 0, 0)) : NULL;
	PQclear(r);
	return v;
}

/*
 * `where` (equality on the columns in `cols`, a SQL array of names) on
 * `table` reads an index whose columns are all among `cols`: the rows
 * the lookup asks for, found by the index alone, never a range of the
 * tenant's rows.
 */
static void assert_read_by_its_columns(PGconn *c, const char *table, const char *where,
			       const char *cols, const char *mode)
{
	char sql[2048];
	snprintf(sql, sizeof sql, "SET LOCAL plan_cache_mode = %s", mode);
	exec_ok(c, sql);
	snprintf(sql, sizeof sql, "PREPARE key_check AS SELECT 1 FROM ONLY %s x WHERE %s", table,
		 where);
	exec_ok(c, sql);
	int n = 0;
	for (const char *p = where; (p = strchr(p, '$')) != NULL; p++)
		n++;
	size_t used = (size_t)snprintf(sql, sizeof sql, "EXPLAIN EXECUTE key_check(");
	for (int k = 0; k < n; k++)
		used += (size_t)snprintf(sql + used, sizeof sql - used,
					 "%s'6b1f7c5e-4a3d-4c1e-9f0a-1b2c3d4e5f6%d'", k ? ", " : "", k);
	snprintf(sql + used, sizeof sql - used, ")");
	PGresult *r = PQexec(c, sql);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(c));
	char index[128] = "";
	for (int row = 0; row < PQntuples(r) && !index[0]; row++) {
		const char *at = strstr(PQgetvalue(r, row, 0), "Scan using ");
		if (at)
			sscanf(at + 11, "%127s", index);
	}
	PQclear(r);
	exec_ok(c, "DEALLOCATE key_check");
	ck_assert_msg(index[0], "%s where %s (%s): no index read", table, where, mode);
	snprintf(sql, sizeof sql,
		 "SELECT (SELECT bool_and(a.attname = ANY (%s::name[]))"
		 " FROM pg_attribute a WHERE a.attrelid = i.indexrelid)"
		 " FROM pg_index i WHERE i.indexrelid = '%s'::regclass",
		 cols, index);
	char *ok = pg_value(c, sql);
	ck_assert_msg(ok && strcmp(ok, "t") == 0,
		      "%s where %s (%s): read off %s, an index of other columns too", table,
		      where, mode, index);
	free(ok);
}

/*
 * On tables PostgreSQL has never analysed, every index whose first column
 * is tenant_id looks as good as the primary key for "tenant_id = $1 AND
 * id = $2", and the planner keeps the one it met first.  A foreign key's
 * check, planned once per session, then read every document of the
 * tenant for each chunk or posting an ingest wrote.  This checks every
 * foreign key's check and every lookup of a row keyed by (tenant_id, id),
 * in custom and generic plans, on this fresh schema.
 */
static void key_lookups_read_their_columns_index(void)
{
	PGconn *c = PQconnectdb(t_owner_uri(uri));
	ck_assert_int_eq(PQstatus(c), CONNECTION_OK);
	exec_ok(c, "BEGIN");
	/* the check of a foreign key runs as the owner, past row-level
	 * security: the same here, until the ROLLBACK */
	exec_ok(c, "DO $$ DECLARE t regclass; BEGIN"
		   " FOR t IN SELECT oid FROM pg_class WHERE relkind = 'r'"
		   "   AND relnamespace = current_schema()::regnamespace LOOP"
		   "   EXECUTE format('ALTER TABLE %s NO FORCE ROW LEVEL SECURITY', t);"
		   " END LOOP; END $$");
	exec_ok(c, "SET LOCAL enable_seqscan = off");
	exec_ok(c, "SET LOCAL enable_bitmapscan = off");
	PGresult *r = PQexec(c,
		"SELECT f.confrelid::regclass::text,"
		" string_agg(format('%I = $%s', a.attname, k.i), ' AND ' ORDER BY k.i),"
		" 'ARRAY[' || string_agg(quote_literal(a.attname), ',') || ']'"
		" FROM pg_constraint f, unnest(f.confkey) WITH ORDINALITY k(att, i), pg_attribute a"
		" WHERE f.contype = 'f' AND f.connamespace = current_schema()::regnamespace"
		"   AND a.attrelid = f.confrelid AND a.attnum = k.att"
		" GROUP BY f.oid, f.confrelid"
		" UNION"
		/* the tables keyed by (tenant_id, id), as the library reads a row */
		" SELECT p.conrelid::regclass::text, 'tenant_id = $1 AND id = $2',"
		"  'ARRAY[''tenant_id'',''id'']'"
		" FROM pg_constraint p WHERE p.contype = 'p'"
		"   AND p.connamespace = current_schema()::regnamespace"
		"   AND (SELECT array_agg(a.attname ORDER BY a.attname) FROM pg_attribute a"
		"        WHERE a.attrelid = p.conrelid AND a.attnum = ANY (p.conkey))"
		"       = ARRAY['id', 'tenant_id']::name[]"
		" ORDER BY 1, 2");
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
	ck_assert_int_gt(PQntuples(r), 20);
	for (int row = 0; row < PQntuples(r); row++)
		for (int m = 0; m < 2; m++)
			assert_read_by_its_columns(c, PQgetvalue(r, row, 0), PQgetvalue(r, row, 1),
					   PQgetvalue(r, row, 2),
					   m ? "force_generic_plan" : "force_custom_plan");
	printf("lookups by key: %d shapes, each on an index of its columns\n", PQntuples(r));
	PQclear(r);
	exec_ok(c, "ROLLBACK");
	PQfinish(c);
}

/* A list call, first page and the next by its cursor (limit 2 of 3+). */
#define LIST_BOTH(call_first, call_next)                                                          \
	do {                                                                                      \
		oyl_page *p_ = NULL;                                                              \
		oyl_list_options o_ = OYL_LIST_OPTIONS_INIT;                                      \
		o_.limit = 2;                                                                     \
		ck_assert_int_eq((call_first), OYL_OK);                                           \
		ck_assert_ptr_nonnull(oyl_page_next_cursor(p_));                                  \
		o_.cursor = oyl_page_next_cursor(p_);                                             \
		oyl_page *q_ = NULL;                                                              \
		ck_assert_int_eq((call_next), OYL_OK);                                            \
		oyl_page_free(q_);                                                                \
		oyl_page_free(p_);                                                                \
	} while (0)

START_TEST(every_list_reads_an_index_in_order)
{
	oyl_tenant *t = NULL;
	oyl_user *u = NULL;
	oyl_workspace *ws = NULL;
	oyl_teammate *tm = NULL;
	oyl_assistant *as = NULL;
	char name[32];
	t_fresh_uri(uri);
	db = t_open_uri(uri);
	ck_assert_int_eq(oyl_actor_superadmin(db, &root), OYL_OK);
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof name, "plans-%d", i);
		ck_assert_int_eq(oyl_tenant_create(root, "P", name, NULL, i ? NULL : &t), OYL_OK);
		snprintf(name, sizeof name, "root%d@plans.example", i);
		ck_assert_int_eq(oyl_user_create(root, NULL, name, "R", OYL_ROLE_SUPERADMIN, NULL), OYL_OK);
	}
	snprintf(tenant, sizeof tenant, "%s", oyl_tenant_id(t));
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof name, "u%d@plans.example", i);
		ck_assert_int_eq(oyl_user_create(root, tenant, name, "U", OYL_ROLE_TENANT_ADMIN,
						 i ? NULL : &u),
				 OYL_OK);
	}
	ck_assert_int_eq(oyl_actor_for_user(db, oyl_user_id(u), &admin), OYL_OK);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(oyl_workspace_create(admin, tenant, "W", i ? NULL : &ws), OYL_OK);
		ck_assert_int_eq(oyl_teammate_create(admin, oyl_workspace_id(ws), "T", NULL,
						     i ? NULL : &tm),
				 OYL_OK);
		ck_assert_int_eq(oyl_assistant_create(admin, oyl_teammate_id(tm), "A", i ? NULL : &as),
				 OYL_OK);
		ck_assert_int_eq(oyl_kb_create(admin, oyl_assistant_id(as), "K", NULL, NULL), OYL_OK);
		ck_assert_int_eq(oyl_social_link_create(admin, tenant, "https://x.com/p", 0, NULL), OYL_OK);
		char *secret = NULL;
		ck_assert_int_eq(oyl_api_key_create(admin, oyl_user_id(u), "K", NULL, &secret), OYL_OK);
		oyl_free(secret);
	}
	oyl__sql_hook = catch_statement;
	const char *ws_id = oyl_workspace_id(ws), *tm_id = oyl_teammate_id(tm);
	const char *as_id = oyl_assistant_id(as), *u_id = oyl_user_id(u);

	LIST_BOTH(oyl_tenant_list(root, &o_, &p_), oyl_tenant_list(root, &o_, &q_));
	assert_plans("tenants", NULL, idx("tenants_created_idx", "tenants_created_at_idx"), 2);
	LIST_BOTH(oyl_user_list(root, NULL, &o_, &p_), oyl_user_list(root, NULL, &o_, &q_));
	assert_plans("superadmin accounts", NULL,
		     idx("superadmins_created_idx", "superadmins_created_at_idx"), 2);
	LIST_BOTH(oyl_user_list(admin, tenant, &o_, &p_), oyl_user_list(admin, tenant, &o_, &q_));
	assert_plans("users", tenant, idx("users_created_idx", "users_tenant_id_created_at_idx"), 2);
	LIST_BOTH(oyl_workspace_list(admin, tenant, &o_, &p_),
		  oyl_workspace_list(admin, tenant, &o_, &q_));
	assert_plans("workspaces", tenant,
		     idx("workspaces_created_idx", "workspaces_tenant_id_created_at_idx"), 2);
	LIST_BOTH(oyl_teammate_list(admin, ws_id, &o_, &p_), oyl_teammate_list(admin, ws_id, &o_, &q_));
	assert_plans("teammates", tenant, "teammates_workspace_idx", 2);
	LIST_BOTH(oyl_assistant_list(admin, tm_id, &o_, &p_),
		  oyl_assistant_list(admin, tm_id, &o_, &q_));
	assert_plans("assistants", tenant, "assistants_teammate_idx", 2);
	LIST_BOTH(oyl_kb_list(admin, as_id, &o_, &p_), oyl_kb_list(admin, as_id, &o_, &q_));
	assert_plans("knowledge bases", tenant, "knowledge_bases_assistant_idx", 2);
	LIST_BOTH(oyl_social_link_list(admin, tenant, &o_, &p_),
		  oyl_social_link_list(admin, tenant, &o_, &q_));
	assert_plans("social links", tenant,
		     idx("social_links_created_idx", "social_links_tenant_id_created_at_idx"), 2);
	LIST_BOTH(oyl_api_key_list(admin, u_id, &o_, &p_), oyl_api_key_list(admin, u_id, &o_, &q_));
	assert_plans("API keys", tenant, "api_keys_user_idx", 2);
	LIST_BOTH(oyl_audit_list(admin, tenant, &o_, &p_), oyl_audit_list(admin, tenant, &o_, &q_));
	assert_plans("audit events", tenant,
		     idx("audit_events_created_idx", "audit_events_tenant_id_created_at_idx"), 2);
	LIST_BOTH(oyl_audit_list(root, NULL, &o_, &p_), oyl_audit_list(root, NULL, &o_, &q_));
	assert_plans("platform audit events", NULL,
		     idx("platform_audit_events_created_idx", "platform_audit_events_created_at_idx"),
		     2);
	oyl__sql_hook = NULL;

	oyl_knowledge_base *kb = NULL;
	ck_assert_int_eq(oyl_kb_create(admin, as_id, "Same", NULL, &kb), OYL_OK);
	same_content_lookup_uses_its_key(oyl_kb_id(kb));
	oyl_kb_free(kb);
	ck_assert_int_eq(oyl_kb_create(admin, as_id, "Search", NULL, &kb), OYL_OK);
	search_reads_the_index_keys(oyl_kb_id(kb));
	search_reads_its_passages_by_key(oyl_kb_id(kb));
	if (t_is_postgres())
		key_lookups_read_their_columns_index();
	if (t_is_postgres())
		search_of_a_tenant_newer_than_the_statistics();
	oyl_kb_free(kb);

	oyl_tenant_free(t);
	oyl_user_free(u);
	oyl_workspace_free(ws);
	oyl_teammate_free(tm);
	oyl_assistant_free(as);
	oyl_actor_free(admin);
	oyl_actor_free(root);
	oyl_db_close(db);
}
END_TEST

int main(int argc, char **argv)
{
	t_init(argc, argv);
	Suite *s = suite_create(t_backend());
	TCase *tc = tcase_create("list_plans");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, every_list_reads_an_index_in_order);
	suite_add_tcase(s, tc);
	int rc = t_run(s);
	t_cleanup();
	return rc;
}
