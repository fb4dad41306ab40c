/*
 * Page times of lists that grow: a tenant with 1,000, 10,000 and 100,000
 * workspaces (inserted with the backend's insert_many), listed through
 * oyl_workspace_list as its tenant_admin, 100 a page: the first page, and
 * every page of a walk by cursor to the end.  Served by an index in the
 * list's order, a page costs the same at any size and any depth.  The
 * table is analyzed after each fill, as after any bulk load: until then
 * the planner believes the new tenant holds a handful of rows and sorts
 * them all for every page (doc/performance.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "bench.h"
#include "core/internal.h"
#include "records/schema.h"

#define PAGE 100

/* n workspaces of a new tenant of env's database; its admin's actor. */
static bool grow_tenant(const bench_env *env, int n, oyl_actor **admin, char tenant[37])
{
	oyl_actor *root = NULL;
	oyl_tenant *t = NULL;
	oyl_user *u = NULL;
	char slug[32], email[64];
	snprintf(slug, sizeof slug, "lists-%d", n);
	snprintf(email, sizeof email, "admin-%d@lists.example", n);
	if (oyl_actor_superadmin(env->db, &root) ||
	    oyl_tenant_create(root, "Lists", slug, NULL, &t) ||
	    oyl_user_create(root, oyl_tenant_id(t), email, "A", OYL_ROLE_TENANT_ADMIN, &u) ||
	    oyl_actor_for_user(env->db, oyl_user_id(u), admin)) {
		fprintf(stderr, "oyl-bench: lists: %s\n", oyl_db_errmsg(env->db));
		return false;
	}
	snprintf(tenant, 37, "%s", oyl_tenant_id(t));
	oyl_actor_free(root);
	oyl_tenant_free(t);
	oyl_user_free(u);

	const oyl_table *ws = &oyl__t_workspaces;
	oyl_value *rows = calloc((size_t)n * ws->ncols, sizeof *rows);
	char (*ids)[37] = calloc((size_t)n, 37);
	int64_t t0 = 1700000000000000;
	for (int r = 0; r < n; r++) {
		uuid_t uu;
		uuid_generate_random(uu);
		uuid_unparse_lower(uu, ids[r]);
		oyl_value *row = rows + (size_t)r * ws->ncols;
		row[WORKSPACES_id] = (oyl_value){OYL_TYPE_UUID, 0, 0, ids[r], 36};
		row[WORKSPACES_tenant_id] = (oyl_value){OYL_TYPE_UUID, 0, 0, tenant, 36};
		row[WORKSPACES_name] = (oyl_value){OYL_TYPE_TEXT, 0, 0, "W", 1};
		row[WORKSPACES_created_at] = (oyl_value){OYL_TYPE_TIME, t0 + r, 0, NULL, 0};
		row[WORKSPACES_updated_at] = row[WORKSPACES_created_at];
	}
	oyl_backend *b = env->db->backend;
	oyl_scope s = {tenant};
	size_t bad = 0;
	int rc = b->insert_many(b, &s, ws, rows, (size_t)n, &bad);
	if (rc != OYL_OK)
		fprintf(stderr, "oyl-bench: lists: insert_many: %s\n", b->errmsg(b));
	free(rows);
	free(ids);
	return rc == OYL_OK;
}

/* Prints the rows of an EXPLAIN, indented. */
static void print_plan(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		printf("    (%s)\n", PQerrorMessage(c));
	for (int i = 0; PQresultStatus(r) == PGRES_TUPLES_OK && i < PQntuples(r); i++)
		printf("    %s\n", PQgetvalue(r, i, 0));
	PQclear(r);
}

/*
 * The plan of the page after row 50,000, as the runtime role gets it: the
 * cursor's row is read first, then the statement liboyl sends for a
 * cursor's page is prepared and explained with that row's values, as a
 * custom plan and as the generic plan a prepared statement settles on.
 */
static void explain_deep_page(const bench_env *env, const char *tenant)
{
	PGconn *c = PQconnectdb(env->uri);
	char sql[1024], at[64] = "", id[37] = "";
	PQclear(PQexec(c, "BEGIN"));
	PQclear(PQexec(c, "SET LOCAL ROLE oyl_runtime"));
	snprintf(sql, sizeof sql, "SET LOCAL oyl.tenant_id = '%s'", tenant);
	PQclear(PQexec(c, sql));
	snprintf(sql, sizeof sql,
		 "SELECT created_at, id FROM workspaces WHERE tenant_id = '%s' "
		 "ORDER BY created_at, id OFFSET 49999 LIMIT 1",
		 tenant);
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
		snprintf(at, sizeof at, "%s", PQgetvalue(r, 0, 0));
		snprintf(id, sizeof id, "%s", PQgetvalue(r, 0, 1));
	}
	PQclear(r);
	PQclear(PQexec(c, "PREPARE cursor_page(uuid, timestamptz, uuid, int8) AS "
			  "SELECT \"id\", \"tenant_id\", \"name\", \"created_at\", \"updated_at\" "
			  "FROM \"workspaces\" WHERE \"tenant_id\" = $1::uuid AND ((\"created_at\", "
			  "\"id\") > ($2::timestamptz, $3::uuid)) ORDER BY \"created_at\" ASC, \"id\" "
			  "ASC LIMIT $4::int8"));
	static const char *const modes[] = {"force_custom_plan", "force_generic_plan"};
	for (int m = 0; m < 2; m++) {
		snprintf(sql, sizeof sql, "SET LOCAL plan_cache_mode = %s", modes[m]);
		PQclear(PQexec(c, sql));
		printf("  plan of the page after row 50,000 of 100,000 (runtime role, %s):\n",
		       modes[m]);
		snprintf(sql, sizeof sql,
			 "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE cursor_page('%s', '%s', '%s', "
			 "101)",
			 tenant, at, id);
		print_plan(c, sql);
	}
	PQclear(PQexec(c, "ROLLBACK"));
	PQfinish(c);
}

/* What an operator does after a bulk load, and autovacuum within a
 * minute anyway: fresh statistics for the planner. */
static bool analyze(const bench_env *env)
{
	char sql[96];
	snprintf(sql, sizeof sql, "ANALYZE %s.workspaces", env->schema);
	PGresult *r = PQexec(env->owner, sql);
	bool good = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!good)
		fprintf(stderr, "oyl-bench: lists: ANALYZE: %s", PQerrorMessage(env->owner));
	PQclear(r);
	return good;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

bool list_pages(const bench_env *env)
{
	static const int sizes[] = {1000, 10000, 100000};
	double first[3] = {0}, walk_median[3] = {0};
	printf("\nlists: oyl_workspace_list, %d a page, as the tenant_admin (ms a page)\n", PAGE);
	for (int k = 0; k < 3; k++) {
		oyl_actor *admin = NULL;
		char tenant[37];
		int64_t t0 = now_ns();
		if (!grow_tenant(env, sizes[k], &admin, tenant))
			return false;
		double fill_s = (now_ns() - t0) / 1e9;
		if (!analyze(env))
			return false;
		oyl_list_options o = OYL_LIST_OPTIONS_INIT;
		o.limit = PAGE;
		int64_t firsts[21];
		for (int i = 0; i < 21; i++) {
			oyl_page *p = NULL;
			int64_t t = now_ns();
			if (oyl_workspace_list(admin, tenant, &o, &p) != OYL_OK)
				return false;
			firsts[i] = now_ns() - t;
			oyl_page_free(p);
		}
		qsort(firsts, 21, sizeof firsts[0], cmp_i64);
		int npages = sizes[k] / PAGE + 1, got = 0;
		int64_t *pages = calloc((size_t)npages, sizeof *pages);
		oyl_page *prev = NULL;
		for (;;) {
			oyl_page *p = NULL;
			o.cursor = prev ? oyl_page_next_cursor(prev) : NULL;
			int64_t t = now_ns();
			if (oyl_workspace_list(admin, tenant, &o, &p) != OYL_OK)
				return false;
			if (got < npages)
				pages[got++] = now_ns() - t;
			oyl_page_free(prev);
			prev = p;
			if (!oyl_page_next_cursor(p))
				break;
		}
		oyl_page_free(prev);
		qsort(pages, (size_t)got, sizeof pages[0], cmp_i64);
		first[k] = firsts[10] / 1e6;
		walk_median[k] = pages[got / 2] / 1e6;
		printf("  %6d rows (inserted in %.1f s): first page %.3f; walk of %d pages: median "
		       "%.3f, p95 %.3f, max %.3f\n",
		       sizes[k], fill_s, first[k], got, walk_median[k], pages[got * 95 / 100] / 1e6,
		       pages[got - 1] / 1e6);
		free(pages);
		if (k == 2)
			explain_deep_page(env, tenant);
		oyl_actor_free(admin);
	}
	printf("  ratio 100,000 / 1,000 rows: first page %.2f, median page %.2f (must be <= 2)\n",
	       first[2] / first[0], walk_median[2] / walk_median[0]);
	return true;
}
