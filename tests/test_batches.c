/*
 * Backend conformance, version 3 methods and their sequels: read_many
 * (with its reads of alternatives, version 9), get_many, insert_many and
 * claim, the same cases against every backend through the vtable of
 * include/oyl/sys/backend.h (suite "conformance").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"

static oyl_db *db;
static oyl_backend *b;
static char uri[T_URI_MAX];

static void setup(void)
{
	t_fresh_uri(uri);
	db = t_open_uri(uri);
	b = t_backend_of(db);
	ck_assert_uint_ge(b->version, 3);
	uint32_t want = OYL_BACKEND_CAP_READ_MANY | OYL_BACKEND_CAP_GET_MANY |
			OYL_BACKEND_CAP_INSERT_MANY | OYL_BACKEND_CAP_CLAIM | OYL_BACKEND_CAP_LOCK;
	ck_assert_uint_eq(oyl_backend_caps(b) & want, want);
}

static void teardown(void)
{
	oyl_db_close(db);
}

static oyl_value uuid(const char *s)
{
	return (oyl_value){OYL_TYPE_UUID, 0, 0, s, strlen(s)};
}

static int64_t count_of(const char *table, const char *tenant)
{
	oyl_scope s = {tenant};
	int64_t n = -1;
	ck_assert_int_eq(b->count(b, &s, oyl_schema_table(table), NULL, 0, &n), OYL_OK);
	return n;
}

/* nrows copies of the fixture's workspace row, each with a new id and
 * created_at; ids[] (may be NULL) gets the ids. */
static oyl_value *workspace_rows(const fx_tenant *fx, size_t nrows, char (*ids)[37])
{
	const oyl_table *ws = oyl_schema_table("workspaces");
	oyl_value *rows = calloc(nrows * ws->ncols, sizeof *rows);
	static char store[3000][37];
	ck_assert_uint_le(nrows, 3000);
	for (size_t r = 0; r < nrows; r++) {
		oyl_value *row = rows + r * ws->ncols;
		memcpy(row, fx_row(fx, ws), ws->ncols * sizeof *row);
		oyl__uuid_new(store[r]);
		if (ids)
			memcpy(ids[r], store[r], 37);
		row[0] = uuid(store[r]);
		row[fx_col(ws, "created_at")] = (oyl_value){OYL_TYPE_TIME, 1000 + (int64_t)r, 0, NULL, 0};
	}
	return rows;
}

/* The row read back by get(), compared with what was written. */
typedef struct expect_row {
	const oyl_table *t;
	const oyl_value *want;
	int seen;
} expect_row;

static int same_values(const oyl_value *v, size_t n, void *payload)
{
	expect_row *e = payload;
	ck_assert_uint_eq(n, e->t->ncols);
	for (size_t i = 0; i < n; i++) {
		const oyl_value *w = &e->want[i];
		const char *col = e->t->cols[i].name;
		if (w->type == OYL_TYPE_NULL) {
			ck_assert_msg(v[i].type == OYL_TYPE_NULL, "%s: NULL expected", col);
		} else if (w->type == OYL_TYPE_REAL) {
			ck_assert_msg(v[i].r == w->r, "%s: %.17g read as %.17g", col, w->r, v[i].r);
		} else if (w->type == OYL_TYPE_INT || w->type == OYL_TYPE_TIME ||
			   w->type == OYL_TYPE_BOOL) {
			ck_assert_msg(v[i].i == w->i, "%s: %lld read as %lld", col, (long long)w->i,
				      (long long)v[i].i);
		} else {
			ck_assert_msg(v[i].n == w->n && memcmp(v[i].s, w->s, w->n) == 0,
				      "%s: %.*s read as %.*s", col, (int)w->n, w->s, (int)v[i].n,
				      v[i].s);
		}
	}
	e->seen++;
	return 0;
}

/*
 * Every type a column has, NULLs among them, goes through insert_many
 * and reads back as written (PostgreSQL sends the rows as one array per
 * column, its own encoding of each type, or a column of one value as a
 * plain parameter): knowledge bases (real numbers, text, NULL) and chunks
 * (JSON, bytes, integers), with values that differ by row and then alike.
 */
START_TEST(insert_many_keeps_every_type)
{
	static fx_tenant fa;
	fx_build(b, &fa, 1);
	oyl_scope sa = {fa.tenant_id};
	const char *names[2] = {"knowledge_bases", "document_chunks"};
	for (int variant = 0; variant < 4; variant++) {
		int k = variant % 2, alike = variant / 2;
		const oyl_table *t = oyl_schema_table(names[k]);
		enum { N = 3 };
		oyl_value rows[N][32];
		char ids[N][37];
		static const double reals[N] = {0.1, 2.5e-3, 1.0 / 3.0};
		static const char bytes[4] = {0, 1, '\\', (char)0xff};
		for (int r = 0; r < N; r++) {
			memcpy(rows[r], fx_row(&fa, t), t->ncols * sizeof rows[r][0]);
			oyl__uuid_new(ids[r]);
			rows[r][0] = uuid(ids[r]);
			/* alike: each column but the keys has one value in every
			 * row (PostgreSQL sends it once, as a plain parameter) */
			int v = alike ? 0 : r;
			for (size_t c = 0; c < t->ncols; c++) {
				const char *name = t->cols[c].name;
				if (t->cols[c].type == OYL_TYPE_REAL)
					rows[r][c] = (oyl_value){OYL_TYPE_REAL, 0, reals[v] / 2, NULL, 0};
				else if (strcmp(name, "ordinal") == 0)
					rows[r][c] = (oyl_value){OYL_TYPE_INT, 100 + 10 * variant + r, 0, NULL, 0};
				else if (strcmp(name, "embedding") == 0)
					rows[r][c] = v == 1 ? (oyl_value){OYL_TYPE_NULL, 0, 0, NULL, 0}
							    : (oyl_value){OYL_TYPE_BLOB, 0, 0, bytes, 4};
				else if (strcmp(name, "section") == 0)
					rows[r][c] = v == 2 ? (oyl_value){OYL_TYPE_NULL, 0, 0, NULL, 0}
							    : (oyl_value){OYL_TYPE_JSON, 0, 0,
									  "[\"Ünïcode\", 1]", 16};
				else if (strcmp(name, "embedder") == 0 && v != 1)
					rows[r][c] = (oyl_value){OYL_TYPE_TEXT, 0, 0, "it's", 4};
			}
		}
		oyl_value *flat = calloc(N * t->ncols, sizeof *flat);
		for (int r = 0; r < N; r++)
			memcpy(flat + r * t->ncols, rows[r], t->ncols * sizeof *flat);
		size_t bad = 0;
		ck_assert_msg(b->insert_many(b, &sa, t, flat, N, &bad) == OYL_OK, "%s: %s", names[k],
			      b->errmsg(b));
		for (int r = 0; r < N; r++) {
			expect_row e = {t, flat + r * t->ncols, 0};
			ck_assert_int_eq(b->get(b, &sa, t, ids[r], same_values, &e), OYL_OK);
			ck_assert_int_eq(e.seen, 1);
		}
		free(flat);
	}
}
END_TEST

START_TEST(insert_many_is_all_or_nothing)
{
	static fx_tenant fa, fb;
	fx_build(b, &fa, 1);
	fx_build(b, &fb, 2);
	const oyl_table *ws = oyl_schema_table("workspaces");
	oyl_scope sa = {fa.tenant_id};
	size_t bad = 0;

	/* more rows than one statement takes (PostgreSQL: 1,000 a statement) */
	oyl_value *rows = workspace_rows(&fa, 2500, NULL);
	ck_assert_int_eq(b->insert_many(b, &sa, ws, rows, 2500, &bad), OYL_OK);
	ck_assert_uint_eq(bad, SIZE_MAX);
	ck_assert_int_eq(count_of("workspaces", fa.tenant_id), 2501);
	free(rows);

	/* a duplicate key deep in the second statement: nothing of the call stays */
	uint64_t before = t_fingerprint(b);
	rows = workspace_rows(&fa, 2000, NULL);
	rows[1700 * ws->ncols] = rows[10 * ws->ncols];
	ck_assert_int_eq(b->insert_many(b, &sa, ws, rows, 2000, &bad), OYL_ECONFLICT);
	ck_assert_uint_eq(bad, 1700);
	ck_assert_msg(strstr(b->errmsg(b), "insert into workspaces"), "%s", b->errmsg(b));
	ck_assert(t_fingerprint(b) == before);

	/* a value that does not fit, and a row of another tenant: refused before
	 * anything is sent, with the row to blame */
	rows[1700 * ws->ncols] = uuid("not-a-uuid");
	ck_assert_int_eq(b->insert_many(b, &sa, ws, rows, 2000, &bad), OYL_EINVAL);
	ck_assert_uint_eq(bad, 1700);
	char other[37];
	oyl__uuid_new(other);
	rows[1700 * ws->ncols] = uuid(other);
	rows[33 * ws->ncols + ws->tenant_col] = uuid(fb.tenant_id);
	ck_assert_int_eq(b->insert_many(b, &sa, ws, rows, 2000, &bad), OYL_EINVAL);
	ck_assert_uint_eq(bad, 33);
	ck_assert(t_fingerprint(b) == before);
	free(rows);

	/* inside a transaction: the failed call takes only its own rows with it */
	rows = workspace_rows(&fa, 4, NULL);
	rows[2 * ws->ncols] = rows[0];
	ck_assert_int_eq(b->begin(b, &sa, OYL_TXN_WRITE), OYL_OK);
	ck_assert_int_eq(b->insert_many(b, &sa, ws, rows + 3 * ws->ncols, 1, NULL), OYL_OK);
	ck_assert_int_eq(b->insert_many(b, &sa, ws, rows, 3, &bad), OYL_ECONFLICT);
	ck_assert_uint_eq(bad, 2);
	ck_assert_int_eq(b->commit(b), OYL_OK);
	ck_assert_int_eq(count_of("workspaces", fa.tenant_id), 2502);

	/* deferred (no failed_row), rolled back: nothing */
	ck_assert_int_eq(b->begin(b, &sa, OYL_TXN_WRITE), OYL_OK);
	oyl_value *more = workspace_rows(&fa, 10, NULL);
	ck_assert_int_eq(b->insert_many(b, &sa, ws, more, 10, NULL), OYL_OK);
	ck_assert_int_eq(b->rollback(b), OYL_OK);
	ck_assert_int_eq(count_of("workspaces", fa.tenant_id), 2502);
	/* ... and committed: all of them */
	ck_assert_int_eq(b->begin(b, &sa, OYL_TXN_WRITE), OYL_OK);
	ck_assert_int_eq(b->insert_many(b, &sa, ws, more, 10, NULL), OYL_OK);
	ck_assert_int_eq(b->commit(b), OYL_OK);
	ck_assert_int_eq(count_of("workspaces", fa.tenant_id), 2512);
	ck_assert_int_eq(count_of("workspaces", fb.tenant_id), 1);
	free(more);
	free(rows);
}
END_TEST

typedef struct ids_seen {
	char ids[600][37];
	int n;
	const char *tenant;
	int tenant_col;
	int others;
} ids_seen;

static int seen_cb(const oyl_value *v, size_t n, void *payload)
{
	ids_seen *s = payload;
	(void)n;
	ck_assert_int_lt(s->n, 600);
	memcpy(s->ids[s->n++], v[0].s, 37);
	if (s->tenant && memcmp(v[s->tenant_col].s, s->tenant, 36) != 0)
		s->others++;
	return 0;
}

START_TEST(get_many_returns_the_rows_in_scope)
{
	static fx_tenant fa, fb;
	fx_build(b, &fa, 1);
	fx_build(b, &fb, 2);
	const oyl_table *ws = oyl_schema_table("workspaces");
	oyl_scope sa = {fa.tenant_id}, platform = {NULL};
	static char ids[500][37];
	oyl_value *rows = workspace_rows(&fa, 500, ids);
	ck_assert_int_eq(b->insert_many(b, &sa, ws, rows, 500, NULL), OYL_OK);
	free(rows);

	static ids_seen s;
	const char *some[4];
	char nowhere[37];
	oyl__uuid_new(nowhere);
	some[0] = ids[7];
	some[1] = fb.ids[fx_table_index("workspaces")];
	some[2] = nowhere;
	some[3] = ids[400];
	s = (ids_seen){.tenant = fa.tenant_id, .tenant_col = ws->tenant_col};
	ck_assert_int_eq(b->get_many(b, &sa, ws, some, 4, seen_cb, &s), OYL_OK);
	ck_assert_int_eq(s.n, 2); /* B's row is not in A's scope; the missing id is skipped */
	ck_assert_int_eq(s.others, 0);
	s = (ids_seen){0};
	ck_assert_int_eq(b->get_many(b, &platform, ws, some, 4, seen_cb, &s), OYL_OK);
	ck_assert_int_eq(s.n, 3);
	s = (ids_seen){0};
	ck_assert_int_eq(b->get_many(b, &sa, ws, NULL, 0, seen_cb, &s), OYL_OK);
	ck_assert_int_eq(s.n, 0);
	const char *all[500];
	for (int i = 0; i < 500; i++)
		all[i] = ids[i];
	ck_assert_int_eq(b->get_many(b, &sa, ws, all, 500, seen_cb, &s), OYL_OK);
	ck_assert_int_eq(s.n, 500);
	const char *bad[2] = {ids[0], "6F9619FF-8B86-D011-B42D-00C04FC964FF"};
	ck_assert_int_eq(b->get_many(b, &sa, ws, bad, 2, seen_cb, &s), OYL_EINVAL);
	ck_assert_msg(strstr(b->errmsg(b), "ids[1]"), "%s", b->errmsg(b));
}
END_TEST

static int copy_first(const oyl_value *v, size_t n, void *payload)
{
	(void)n;
	snprintf(payload, 37, "%.*s", (int)v[0].n, v[0].s);
	return 0;
}

typedef struct groups {
	char ids[8][37];
	int64_t counts[8];
	int n;
} groups;

static int group_cb(const oyl_value *v, size_t n, void *payload)
{
	groups *g = payload;
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(v[1].type, OYL_TYPE_INT);
	ck_assert_int_lt(g->n, 8);
	snprintf(g->ids[g->n], 37, "%.*s", (int)v[0].n, v[0].s);
	g->counts[g->n++] = v[1].i;
	return 0;
}

START_TEST(read_many_runs_a_batch)
{
	static fx_tenant fa, fb;
	fx_build(b, &fa, 1);
	fx_build(b, &fb, 2);
	const oyl_table *ws = oyl_schema_table("workspaces"), *tenants = oyl_schema_table("tenants");
	const oyl_table *users = oyl_schema_table("users");
	oyl_scope sa = {fa.tenant_id}, platform = {NULL};
	char nowhere[37], got[37] = "", missing[37] = "";
	oyl__uuid_new(nowhere);
	static ids_seen listed, tenants_seen;
	listed = (ids_seen){.tenant = fa.tenant_id, .tenant_col = ws->tenant_col};
	tenants_seen = (ids_seen){.n = 0};
	groups g = {0};
	oyl_query all = {NULL, 0, fx_col(ws, "created_at"), 0, NULL, NULL, 0, 0};
	oyl_query tq = {NULL, 0, fx_col(tenants, "created_at"), 0, NULL, NULL, 10, 0};
	oyl_read r[5] = {
		{OYL_READ_GET, OYL_LOCK_NONE, &sa, ws, fa.ids[fx_table_index("workspaces")], NULL, 0, 0,
		 copy_first, got, 0, 0},
		{OYL_READ_GET, OYL_LOCK_NONE, &sa, ws, nowhere, NULL, 0, 0, copy_first, missing, 0, 0},
		{OYL_READ_LIST, OYL_LOCK_NONE, &sa, ws, NULL, &all, 0, 0, seen_cb, &listed, 0, 0},
		{OYL_READ_LIST, OYL_LOCK_NONE, &platform, tenants, NULL, &tq, 0, 0, seen_cb,
		 &tenants_seen, 0, 0},
		{OYL_READ_COUNT_BY, OYL_LOCK_NONE, &platform, users, NULL, &all, fx_col(users, "tenant_id"),
		 3, group_cb, &g, 0, 0},
	};
	all.nfilters = 0;
	ck_assert_int_eq(b->read_many(b, r, 5), OYL_OK);
	ck_assert_int_eq(r[0].status, OYL_OK);
	ck_assert_str_eq(got, fa.ids[fx_table_index("workspaces")]);
	ck_assert_int_eq(r[1].status, OYL_ENOTFOUND);
	ck_assert_str_eq(missing, "");
	ck_assert_int_eq(listed.n, 1);
	ck_assert_int_eq(listed.others, 0);
	ck_assert_int_eq(g.n, 2); /* one user in each tenant */
	ck_assert_int_eq(g.counts[0] + g.counts[1], 2);

	/* COUNT in scope */
	oyl_read c = {OYL_READ_COUNT, OYL_LOCK_NONE, &sa, ws, NULL, &all, 0, 0, NULL, NULL, -1, 0};
	ck_assert_int_eq(b->read_many(b, &c, 1), OYL_OK);
	ck_assert_int_eq(c.count, 1);

	/* Row locks: only in a write transaction, and a tenant's row only in
	 * its tenant's scope (a distributed PostgreSQL locks rows by tenant). */
	oyl_read lk = {OYL_READ_GET, OYL_LOCK_UPDATE, &sa, ws, fa.ids[fx_table_index("workspaces")],
		       NULL, 0, 0, copy_first, got, 0, 0};
	ck_assert_int_eq(b->read_many(b, &lk, 1), OYL_EMISUSE);
	ck_assert_int_eq(b->begin(b, &sa, OYL_TXN_READ), OYL_OK);
	ck_assert_int_eq(b->read_many(b, &lk, 1), OYL_EMISUSE);
	ck_assert_int_eq(b->rollback(b), OYL_OK);
	ck_assert_int_eq(b->begin(b, &sa, OYL_TXN_WRITE), OYL_OK);
	ck_assert_int_eq(b->read_many(b, &lk, 1), OYL_OK);
	ck_assert_int_eq(lk.status, OYL_OK);
	ck_assert_int_eq(b->rollback(b), OYL_OK);
	ck_assert_int_eq(b->begin(b, &platform, OYL_TXN_WRITE), OYL_OK);
	lk.scope = &platform;
	ck_assert_int_eq(b->read_many(b, &lk, 1), OYL_EINVAL);
	ck_assert_msg(strstr(b->errmsg(b), "tenant's scope"), "%s", b->errmsg(b));
	ck_assert_int_eq(b->rollback(b), OYL_OK);
	ck_assert_int_eq(b->begin(b, &platform, OYL_TXN_WRITE), OYL_OK);
	ck_assert_int_eq(b->lock(b, &platform, ws, fa.ids[fx_table_index("workspaces")]), OYL_EINVAL);
	ck_assert_int_eq(b->lock(b, &platform, tenants, fa.tenant_id), OYL_OK); /* a global row */
	ck_assert_int_eq(b->rollback(b), OYL_OK);
}
END_TEST

/* A LIST_ANY read of `per` filters per alternative; the status. */
static int read_any(const oyl_scope *scope, const oyl_table *t, const oyl_filter *f, size_t nf,
		    int32_t per, int descending, int64_t limit, ids_seen *s)
{
	oyl_query q = {f, nf, fx_col(t, "created_at"), descending, NULL, NULL, limit, 0};
	oyl_read r = {OYL_READ_LIST_ANY, OYL_LOCK_NONE, scope, t, NULL, &q, per, 0, seen_cb, s,
		      0, 0};
	*s = (ids_seen){.tenant = scope->tenant_id, .tenant_col = t->tenant_col};
	return b->read_many(b, &r, 1);
}

/*
 * OYL_READ_LIST_ANY (version 9): rows matching any of the alternatives,
 * each once, in the query's order and limit, in scope; no alternative
 * matches none; the alternatives' shape, count and a lock are checked;
 * values are bound (an SQL metacharacter matches only itself).
 */
START_TEST(read_many_lists_alternatives)
{
	ck_assert_uint_ne(oyl_backend_caps(b) & OYL_BACKEND_CAP_LIST_ANY, 0);
	static fx_tenant fa, fb;
	fx_build(b, &fa, 1);
	fx_build(b, &fb, 2);
	const oyl_table *ws = oyl_schema_table("workspaces");
	oyl_scope sa = {fa.tenant_id}, platform = {NULL};
	static char ids[300][37];
	oyl_value *rows = workspace_rows(&fa, 300, ids);
	const char *odd = "x' OR '1'='1";
	rows[2 * ws->ncols + fx_col(ws, "name")] = (oyl_value){OYL_TYPE_TEXT, 0, 0, odd, strlen(odd)};
	ck_assert_int_eq(b->insert_many(b, &sa, ws, rows, 300, NULL), OYL_OK);
	free(rows);
	const char *theirs = fb.ids[fx_table_index("workspaces")];
	int id = 0, created = fx_col(ws, "created_at"), name = fx_col(ws, "name");
	oyl_filter f[8] = {
		/* row 40 (created 1040), row 7, another tenant's row, row 9 at a
		 * wrong time, row 7 again: rows 7 and 40 */
		{id, OYL_OP_EQ, uuid(ids[40])}, {created, OYL_OP_EQ, {OYL_TYPE_TIME, 1040, 0, NULL, 0}},
		{id, OYL_OP_EQ, uuid(ids[7])}, {created, OYL_OP_GE, {OYL_TYPE_TIME, 0, 0, NULL, 0}},
		{id, OYL_OP_EQ, uuid(theirs)}, {created, OYL_OP_GE, {OYL_TYPE_TIME, 0, 0, NULL, 0}},
		{id, OYL_OP_EQ, uuid(ids[7])}, {created, OYL_OP_GE, {OYL_TYPE_TIME, 0, 0, NULL, 0}},
	};
	static ids_seen s;
	ck_assert_int_eq(read_any(&sa, ws, f, 8, 2, 0, 0, &s), OYL_OK);
	ck_assert_int_eq(s.n, 2);
	ck_assert_int_eq(s.others, 0);
	ck_assert_str_eq(s.ids[0], ids[7]);
	ck_assert_str_eq(s.ids[1], ids[40]);
	ck_assert_int_eq(read_any(&sa, ws, f, 8, 2, 1, 1, &s), OYL_OK); /* descending, limit 1 */
	ck_assert_int_eq(s.n, 1);
	ck_assert_str_eq(s.ids[0], ids[40]);
	ck_assert_int_eq(read_any(&platform, ws, f, 6, 2, 0, 0, &s), OYL_OK); /* the platform's */
	ck_assert_int_eq(s.n, 3);
	ck_assert_int_eq(read_any(&sa, ws, f, 0, 2, 0, 0, &s), OYL_OK); /* no alternative */
	ck_assert_int_eq(s.n, 0);
	/* one filter each: the odd name is a value, matching its row alone */
	oyl_filter by_name[2] = {{name, OYL_OP_EQ, {OYL_TYPE_TEXT, 0, 0, odd, strlen(odd)}},
				 {name, OYL_OP_EQ, {OYL_TYPE_TEXT, 0, 0, "none", 4}}};
	ck_assert_int_eq(read_any(&sa, ws, by_name, 2, 1, 0, 0, &s), OYL_OK);
	ck_assert_int_eq(s.n, 1);
	ck_assert_str_eq(s.ids[0], ids[2]);
	/* every count of alternatives up to the most finds its rows */
	static oyl_filter many[OYL_READ_ANY_MAX + 1];
	for (size_t i = 0; i <= OYL_READ_ANY_MAX; i++)
		many[i] = (oyl_filter){id, OYL_OP_EQ, uuid(ids[i % 300])};
	for (size_t n = 1; n <= OYL_READ_ANY_MAX; n += n < 20 ? 1 : 37) {
		ck_assert_int_eq(read_any(&sa, ws, many, n, 1, 0, 0, &s), OYL_OK);
		ck_assert_int_eq(s.n, (int)n);
	}
	ck_assert_int_eq(read_any(&sa, ws, many, OYL_READ_ANY_MAX, 1, 0, 0, &s), OYL_OK);
	ck_assert_int_eq(s.n, OYL_READ_ANY_MAX);
	ck_assert_int_eq(read_any(&sa, ws, many, OYL_READ_ANY_MAX + 1, 1, 0, 0, &s), OYL_EINVAL);
	ck_assert_msg(strstr(b->errmsg(b), "at most 256"), "%s", b->errmsg(b));
	ck_assert_int_eq(read_any(&sa, ws, f, 7, 2, 0, 0, &s), OYL_EINVAL);
	ck_assert_msg(strstr(b->errmsg(b), "alternatives of 2"), "%s", b->errmsg(b));
	ck_assert_int_eq(read_any(&sa, ws, f, 8, 0, 0, 0, &s), OYL_EINVAL);
	oyl_filter bad = {99, OYL_OP_EQ, uuid(ids[0])};
	ck_assert_int_eq(read_any(&sa, ws, &bad, 1, 1, 0, 0, &s), OYL_EINVAL);
	oyl_query q = {f, 2, created, 0, NULL, NULL, 0, 0};
	oyl_read lk = {OYL_READ_LIST_ANY, OYL_LOCK_UPDATE, &sa, ws, NULL, &q, 2, 0, seen_cb, &s, 0, 0};
	ck_assert_int_eq(b->begin(b, &sa, OYL_TXN_WRITE), OYL_OK);
	ck_assert_int_eq(b->read_many(b, &lk, 1), OYL_EINVAL);
	ck_assert_int_eq(b->rollback(b), OYL_OK);
	ck_assert_int_eq(count_of("workspaces", fa.tenant_id), 301);
}
END_TEST

/*
 * read_many_commit (version 7, optional): the writes of the transaction,
 * its last reads and its commit at once; rows reach their callbacks after
 * the commit; a failing write rolls everything back; no transaction is
 * open after the call either way.  A backend without it is run by the
 * core with read_many and commit (the chat tests cover that path).
 */
START_TEST(read_many_commit_ends_the_transaction)
{
	if (!(oyl_backend_caps(b) & OYL_BACKEND_CAP_READ_COMMIT)) {
		ck_assert_ptr_null(b->version >= 7 ? (void *)b->read_many_commit : NULL);
		return;
	}
	static fx_tenant fa;
	fx_build(b, &fa, 1);
	const oyl_table *ws = oyl_schema_table("workspaces");
	oyl_scope sa = {fa.tenant_id};
	char ids[2][37], got[37] = "";
	oyl_value *rows = workspace_rows(&fa, 2, ids);
	int committed = -1;
	oyl_read r = {OYL_READ_GET, OYL_LOCK_NONE, &sa, ws, ids[0], NULL, 0, 0, copy_first, got,
		      0, 0};
	/* outside a transaction: refused */
	ck_assert_int_eq(b->read_many_commit(b, &r, 1, &committed), OYL_EMISUSE);
	ck_assert_int_eq(committed, 0);
	/* a write, then the read of it with the commit */
	ck_assert_int_eq(b->begin(b, &sa, OYL_TXN_WRITE), OYL_OK);
	ck_assert_int_eq(b->insert(b, &sa, ws, rows), OYL_OK);
	ck_assert_int_eq(b->read_many_commit(b, &r, 1, &committed), OYL_OK);
	ck_assert_int_eq(committed, 1);
	ck_assert_int_eq(r.status, OYL_OK);
	ck_assert_str_eq(got, ids[0]);
	ck_assert_int_eq(count_of("workspaces", fa.tenant_id), 2); /* the fixture's and this one */
	/* a write that fails with the commit: nothing of the transaction stays */
	ck_assert_int_eq(b->begin(b, &sa, OYL_TXN_WRITE), OYL_OK);
	ck_assert_int_eq(b->insert(b, &sa, ws, rows + ws->ncols), OYL_OK);
	oyl_value again[64];
	memcpy(again, rows, ws->ncols * sizeof *again); /* ids[0] once more */
	int rc = b->insert(b, &sa, ws, again);
	if (rc == OYL_OK) /* deferred: it fails with the reads */
		rc = b->read_many_commit(b, &r, 1, &committed);
	else
		ck_assert_int_eq(b->rollback(b), OYL_OK);
	ck_assert_int_eq(rc, OYL_ECONFLICT);
	ck_assert_int_eq(committed, 0);
	ck_assert_int_eq(count_of("workspaces", fa.tenant_id), 2);
	/* and the next transaction begins as usual */
	ck_assert_int_eq(b->begin(b, &sa, OYL_TXN_READ), OYL_OK);
	ck_assert_int_eq(b->read_many_commit(b, &r, 1, &committed), OYL_OK);
	ck_assert_int_eq(committed, 1);
	free(rows);
}
END_TEST

/*
 * commit_start and commit_finish (version 8, optional, both or neither):
 * the commit sent, any other method refused until it is read, then what
 * commit() would have returned: the writes kept, or a deferred write's
 * failure with nothing of the transaction kept.  Without them the core
 * calls commit() (the SQLite runs of every suite).
 */
START_TEST(commit_start_then_finish_is_a_commit)
{
	if (!(oyl_backend_caps(b) & OYL_BACKEND_CAP_COMMIT_START)) {
		ck_assert_ptr_null(b->version >= 8 ? (void *)b->commit_start : NULL);
		return;
	}
	static fx_tenant fa;
	fx_build(b, &fa, 1);
	const oyl_table *ws = oyl_schema_table("workspaces");
	oyl_scope sa = {fa.tenant_id};
	char ids[2][37], got[37] = "";
	oyl_value *rows = workspace_rows(&fa, 2, ids);
	ck_assert_int_eq(b->commit_finish(b), OYL_EMISUSE); /* nothing started */
	ck_assert_int_eq(b->begin(b, &sa, OYL_TXN_WRITE), OYL_OK);
	ck_assert_int_eq(b->insert(b, &sa, ws, rows), OYL_OK);
	ck_assert_int_eq(b->commit_start(b), OYL_OK);
	/* under way: nothing else runs on the connection */
	ck_assert_int_eq(b->get(b, &sa, ws, ids[0], copy_first, got), OYL_EMISUSE);
	ck_assert_int_eq(b->begin(b, &sa, OYL_TXN_READ), OYL_EMISUSE);
	ck_assert_int_eq(b->commit_finish(b), OYL_OK);
	ck_assert_int_eq(count_of("workspaces", fa.tenant_id), 2);
	ck_assert_int_eq(b->get(b, &sa, ws, ids[0], copy_first, got), OYL_OK);
	ck_assert_str_eq(got, ids[0]);
	/* a deferred write that fails: told by the finish, all rolled back */
	ck_assert_int_eq(b->begin(b, &sa, OYL_TXN_WRITE), OYL_OK);
	ck_assert_int_eq(b->insert(b, &sa, ws, rows + ws->ncols), OYL_OK);
	int rc = b->insert(b, &sa, ws, rows); /* ids[0] once more */
	if (rc == OYL_OK) {
		ck_assert_int_eq(b->commit_start(b), OYL_OK);
		rc = b->commit_finish(b);
	} else {
		ck_assert_int_eq(b->rollback(b), OYL_OK);
	}
	ck_assert_int_eq(rc, OYL_ECONFLICT);
	ck_assert_int_eq(count_of("workspaces", fa.tenant_id), 2);
	/* and the next transaction begins as usual */
	ck_assert_int_eq(b->begin(b, &sa, OYL_TXN_READ), OYL_OK);
	ck_assert_int_eq(b->get(b, &sa, ws, ids[1], copy_first, got), OYL_ENOTFOUND);
	ck_assert_int_eq(b->commit(b), OYL_OK);
	free(rows);
}
END_TEST

/* A claimer in a child process: takes rows `limit` at a time, one
 * transaction each, until none is left; writes the ids to fd. */
static int claimer(const char *u, const char *tenant, int fd, int limit)
{
	oyl_db *mine = NULL;
	if (oyl_db_open(&mine, u, NULL) != OYL_OK)
		return 2;
	oyl_backend *be = t_backend_of(mine);
	const oyl_table *docs = oyl_schema_table("documents");
	oyl_scope s = {tenant};
	oyl_filter waiting = {fx_col(docs, "status"), OYL_OP_EQ,
			      {OYL_TYPE_TEXT, 0, 0, "uploaded", 8}};
	oyl_assign take = {fx_col(docs, "status"), {OYL_TYPE_TEXT, 0, 0, "processing", 10}};
	int rc = OYL_OK;
	for (int rounds = 0; rounds < 10000; rounds++) {
		static ids_seen got;
		got.n = 0;
		rc = be->begin(be, &s, OYL_TXN_WRITE);
		if (rc == OYL_OK)
			rc = be->claim(be, &s, docs, &waiting, 1, fx_col(docs, "created_at"), limit,
				       &take, 1, seen_cb, &got);
		if (rc == OYL_OK)
			rc = be->commit(be);
		else
			be->rollback(be);
		if (rc == OYL_EBUSY)
			continue; /* SQLite: another writer held the database past the timeout */
		if (rc != OYL_OK) {
			fprintf(stderr, "claimer: %s: %s\n", oyl_status_name(rc), be->errmsg(be));
			break;
		}
		for (int i = 0; i < got.n; i++)
			if (write(fd, got.ids[i], 36) != 36)
				rc = OYL_ERROR;
		if (got.n == 0)
			break;
	}
	oyl_db_close(mine);
	return rc == OYL_OK ? 0 : 1;
}

static int cmp_ids(const void *x, const void *y)
{
	return memcmp(x, y, 36);
}

/* 4 processes claiming from 1,000 rows: no row claimed twice, none left. */
START_TEST(claims_take_each_row_once)
{
	static fx_tenant fa;
	fx_build(b, &fa, 1);
	const oyl_table *docs = oyl_schema_table("documents");
	oyl_scope sa = {fa.tenant_id}, platform = {NULL};
	enum { NDOCS = 1000, NKIDS = 4 };
	oyl_value *rows = calloc(NDOCS * docs->ncols, sizeof *rows);
	static char ids[NDOCS][37], shas[NDOCS][65];
	for (int r = 0; r < NDOCS; r++) {
		oyl_value *row = rows + r * docs->ncols;
		memcpy(row, fx_row(&fa, docs), docs->ncols * sizeof *row);
		oyl__uuid_new(ids[r]);
		snprintf(shas[r], sizeof shas[r], "%064d", 100000 + r);
		row[0] = uuid(ids[r]);
		row[fx_col(docs, "sha256")] = (oyl_value){OYL_TYPE_TEXT, 0, 0, shas[r], 64};
		row[fx_col(docs, "created_at")] = (oyl_value){OYL_TYPE_TIME, 5000 + r, 0, NULL, 0};
	}
	ck_assert_int_eq(b->insert_many(b, &sa, docs, rows, NDOCS, NULL), OYL_OK);
	free(rows);

	/* the contract's refusals first */
	oyl_filter waiting = {fx_col(docs, "status"), OYL_OP_EQ, {OYL_TYPE_TEXT, 0, 0, "uploaded", 8}};
	oyl_assign take = {fx_col(docs, "status"), {OYL_TYPE_TEXT, 0, 0, "processing", 10}};
	static ids_seen got;
	ck_assert_int_eq(b->claim(b, &platform, docs, &waiting, 1, fx_col(docs, "created_at"), 5,
				  &take, 1, seen_cb, &got),
			 OYL_EINVAL);
	ck_assert_int_eq(b->begin(b, &sa, OYL_TXN_READ), OYL_OK);
	ck_assert_int_eq(b->claim(b, &sa, docs, &waiting, 1, fx_col(docs, "created_at"), 5, &take, 1,
				  seen_cb, &got),
			 OYL_EMISUSE);
	ck_assert_int_eq(b->rollback(b), OYL_OK);
	ck_assert_int_eq(got.n, 0);

	int pipes[NKIDS][2];
	pid_t kids[NKIDS];
	for (int k = 0; k < NKIDS; k++) {
		ck_assert_int_eq(pipe(pipes[k]), 0);
		kids[k] = fork();
		ck_assert_int_ge(kids[k], 0);
		if (kids[k] == 0) {
			close(pipes[k][0]);
			_exit(claimer(uri, fa.tenant_id, pipes[k][1], 3 + k));
		}
		close(pipes[k][1]);
	}
	static char claimed[NDOCS * 2][36];
	size_t n = 0;
	for (int k = 0; k < NKIDS; k++) {
		char buf[36];
		while (read(pipes[k][0], buf, 36) == 36) {
			ck_assert_uint_lt(n, NDOCS * 2);
			memcpy(claimed[n++], buf, 36);
		}
		close(pipes[k][0]);
		int st = 0;
		ck_assert_int_eq(waitpid(kids[k], &st, 0), kids[k]);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "claimer %d failed", k);
	}
	ck_assert_uint_eq(n, NDOCS + 1); /* and the fixture's own document */
	qsort(claimed, n, 36, cmp_ids);
	for (size_t i = 1; i < n; i++)
		ck_assert_msg(memcmp(claimed[i - 1], claimed[i], 36) != 0, "a row was claimed twice");
	oyl_filter still = waiting;
	int64_t left = -1;
	ck_assert_int_eq(b->count(b, &sa, docs, &still, 1, &left), OYL_OK);
	ck_assert_int_eq(left, 0);
}
END_TEST

int main(int argc, char **argv)
{
	t_init(argc, argv);
	Suite *s = suite_create(t_backend());
	TCase *tc = tcase_create("batches");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, insert_many_is_all_or_nothing);
	tcase_add_test(tc, insert_many_keeps_every_type);
	tcase_add_test(tc, get_many_returns_the_rows_in_scope);
	tcase_add_test(tc, read_many_runs_a_batch);
	tcase_add_test(tc, read_many_lists_alternatives);
	tcase_add_test(tc, read_many_commit_ends_the_transaction);
	tcase_add_test(tc, commit_start_then_finish_is_a_commit);
	tcase_add_test(tc, claims_take_each_row_once);
	suite_add_tcase(s, tc);
	int rc = t_run(s);
	t_cleanup();
	return rc;
}
