/*
 * PostgreSQL's wall between tenants: row-level security, the two roles
 * and the lookup functions of schema version 5 (doc/security.md;
 * doc/testing.md lists what this suite shows).  PostgreSQL only: on
 * SQLite, or without separate roles, the program exits 77 (skip).
 *
 * Raw SQL, with libpq and no library in between, runs as each kind of
 * login: `web` (a member of oyl_runtime only, what a tenant-facing server
 * gets), `app` (of both, an admin console; the library's own handle runs
 * as it) and the schema's owner for DDL.  Raw statements carry no tenant
 * predicate, so only the database stands between the tenants.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/postgres/pg_internal.h"
#include "fixture.h"

static char uri[T_URI_MAX], web_uri[T_URI_MAX];
static oyl_db *db;
static oyl_backend *b;
static PGconn *app;   /* a raw session of the admin console's login (both roles) */
static PGconn *web;   /* a raw session of a runtime-only login */
static PGconn *owner; /* a raw session of the schema's owner */
static size_t ntables;
static const oyl_table *const *tables;
static fx_tenant fa, fb;

static PGconn *connect_to(const char *conninfo)
{
	PGconn *c = PQconnectdb(conninfo);
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "connect: %s", PQerrorMessage(c));
	return c;
}

static void setup(void)
{
	t_fresh_uri(uri);
	db = t_open_uri(uri);
	b = t_backend_of(db);
	tables = oyl_schema_tables(&ntables);
	snprintf(web_uri, sizeof web_uri, "%s", t_web_uri(uri));
	app = connect_to(uri);
	web = connect_to(web_uri);
	owner = connect_to(t_owner_uri(uri));
}

static void teardown(void)
{
	PQfinish(app);
	PQfinish(web);
	PQfinish(owner);
	oyl_db_close(db);
}

/* ---- raw SQL ----------------------------------------------------------- */

/* Runs sql with up to two text parameters; returns the result (to PQclear). */
static PGresult *run(PGconn *c, const char *sql, const char *p1, const char *p2)
{
	const char *params[2] = {p1, p2};
	int n = p2 ? 2 : p1 ? 1 : 0;
	return PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
}

static void ok(PGconn *c, const char *sql, const char *p1)
{
	PGresult *r = run(c, sql, p1, NULL);
	ExecStatusType st = PQresultStatus(r);
	ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s: %s", sql,
		      PQerrorMessage(c));
	PQclear(r);
}

/* Fixed SQL, one statement: sent as PQexecParams with no parameters, whose
 * extended protocol refuses several statements in one string. */
static void ok_stmt(PGconn *c, const char *sql)
{
	PGresult *r = run(c, sql, NULL, NULL);
	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
}

static long long int_of(PGconn *c, const char *sql, const char *p1, const char *p2)
{
	PGresult *r = run(c, sql, p1, p2);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1, "%s: %s", sql,
		      PQerrorMessage(c));
	long long v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

/* Rows a statement changed (UPDATE/DELETE). */
static long long changed_by(PGconn *c, const char *sql, const char *p1)
{
	PGresult *r = run(c, sql, p1, NULL);
	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s: %s", sql, PQerrorMessage(c));
	long long v = strtoll(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return v;
}

/* The SQLSTATE of a statement expected to fail. */
static void fails_with(PGconn *c, const char *sql, const char *p1, const char *state)
{
	PGresult *r = run(c, sql, p1, NULL);
	const char *got = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	ck_assert_msg(got && strcmp(got, state) == 0, "%s: SQLSTATE %s, want %s (%s)", sql,
		      got ? got : "none", state, PQerrorMessage(c));
	PQclear(r);
}

static const char *with_table(char *buf, size_t size, const char *fmt, const char *table)
{
	snprintf(buf, size, fmt, table);
	return buf;
}

/* Rows of every tenant-owned table the session sees (no tenant predicate). */
static void each_tenant_table_counts(PGconn *c, long long want, const char *where)
{
	char sql[256];
	for (size_t i = 0; i < ntables; i++) {
		if (tables[i]->tenant_col < 0)
			continue;
		snprintf(sql, sizeof sql, "SELECT count(*) FROM %s%s", tables[i]->name,
			 where ? where : "");
		long long n = int_of(c, sql, NULL, NULL);
		ck_assert_msg(n == want, "%s: %lld rows, want %lld", sql, n, want);
	}
}

/*
 * Begins a transaction of the raw session c as the library does
 * (pg_txn.c), each a statement of its own (Citus replays a SET LOCAL's
 * whole query text on its workers, so nothing else may share it):
 *   BEGIN
 *   SET LOCAL citus.propagate_set_commands = 'local'
 *   SET LOCAL ROLE <role>                   (role non-NULL)
 *   SET LOCAL oyl.tenant_id = '<tenant>'    (tenant non-NULL)
 * The library sends the Citus setting only to a Citus server; here it goes
 * to any server: without Citus loaded it only sets a placeholder, local to
 * the transaction.  SET takes no parameters: the tenant goes in as a
 * literal (the fixture's ids are library-made UUIDs, checked here).  The
 * caller ends with COMMIT or ROLLBACK.
 */
static void set_tenant(PGconn *c, const char *tenant, const char *role)
{
	char sql[160];
	ok_stmt(c, "BEGIN");
	ok_stmt(c, "SET LOCAL citus.propagate_set_commands = 'local'");
	if (role) {
		ck_assert(strcmp(role, "oyl_runtime") == 0 || strcmp(role, "oyl_platform") == 0);
		snprintf(sql, sizeof sql, "SET LOCAL ROLE %s", role);
		ok_stmt(c, sql);
	}
	if (tenant) {
		ck_assert(oyl__pg_is_uuid(tenant));
		snprintf(sql, sizeof sql, "SET LOCAL oyl.tenant_id = '%s'", tenant);
		ok_stmt(c, sql);
	}
}

/* A statement expected to fail with `state`, alone in a transaction of
 * its own (a failure aborts the transaction it is in). */
static void refused_in_txn(PGconn *c, const char *tenant, const char *sql, const char *p1,
			   const char *state)
{
	set_tenant(c, tenant, NULL);
	fails_with(c, sql, p1, state);
	ok_stmt(c, "ROLLBACK");
}

/* ---- through the backend ---------------------------------------------- */

typedef struct seen {
	const char *tenant; /* rows of this tenant... */
	int col;
	int mine, others;   /* ...and of any other */
} seen;

static int seen_cb(const oyl_value *v, size_t n, void *payload)
{
	seen *s = payload;
	(void)n;
	if (v[s->col].n == 36 && memcmp(v[s->col].s, s->tenant, 36) == 0)
		s->mine++;
	else
		s->others++;
	return 0;
}

/* Lists t with `scope` through the backend; counts rows of `tenant` and of others. */
static seen list_as(const oyl_scope *scope, const oyl_table *t, const char *tenant)
{
	seen s = {tenant, t->tenant_col, 0, 0};
	oyl_query q = {NULL, 0, 0, 0, NULL, NULL, 0, 0};
	int rc = b->list(b, scope, t, &q, seen_cb, &s);
	ck_assert_msg(rc == OYL_OK, "list %s: %s", t->name, b->errmsg(b));
	return s;
}

static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static int hash_cb(const oyl_value *v, size_t n, void *payload)
{
	uint64_t *h = payload;
	for (size_t i = 0; i < n; i++) {
		*h = fnv(*h, &v[i].type, sizeof v[i].type);
		if (v[i].type == OYL_TYPE_REAL)
			*h = fnv(*h, &v[i].r, sizeof v[i].r);
		else if (v[i].s)
			*h = fnv(*h, v[i].s, v[i].n);
		else
			*h = fnv(*h, &v[i].i, sizeof v[i].i);
	}
	return 0;
}

/*
 * Every row of one tenant, read in platform scope with an explicit
 * filter (filters are never dropped): a hash, and the number of rows.
 */
static uint64_t tenant_rows(const char *tenant, int64_t *nrows)
{
	oyl_scope platform = {NULL};
	uint64_t h = 0xcbf29ce484222325ull;
	*nrows = 0;
	for (size_t i = 0; i < ntables; i++) {
		const oyl_table *t = tables[i];
		if (t->tenant_col < 0)
			continue;
		oyl_filter f = {t->tenant_col, OYL_OP_EQ, {OYL_TYPE_UUID, 0, 0, tenant, 36}};
		oyl_query q = {&f, 1, 0, 0, NULL, NULL, 0, 0};
		int64_t n = 0;
		ck_assert_int_eq(b->count(b, &platform, t, &f, 1, &n), OYL_OK);
		*nrows += n;
		ck_assert_int_eq(b->list(b, &platform, t, &q, hash_cb, &h), OYL_OK);
	}
	return h;
}

/* ---- a. the catalog ---------------------------------------------------- */

/* Tables of the schema with a tenant_id column, except the library's global
 * ones, that lack RLS, FORCE or a policy. */
static const char *unpoliced_sql =
	"SELECT c.relname FROM pg_class c"
	" JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'"
	"  AND NOT a.attisdropped"
	" WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')"
	" AND c.relname <> ALL ($1::text[])"
	" AND NOT (c.relrowsecurity AND c.relforcerowsecurity"
	"  AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid))"
	" ORDER BY 1";

/* The global tables' names as a text[] literal (bound as a parameter). */
static void global_tables(char *buf, size_t size)
{
	size_t used = (size_t)snprintf(buf, size, "{");
	for (size_t i = 0; i < ntables; i++)
		if (tables[i]->tenant_col < 0)
			used += (size_t)snprintf(buf + used, size - used, "%s%s",
						 used > 1 ? "," : "", tables[i]->name);
	snprintf(buf + used, size - used, "}");
}

/* The tables unpoliced_sql flags, comma-separated ("" when none). */
static void unpoliced(PGconn *c, char *out, size_t size)
{
	char globals[512];
	global_tables(globals, sizeof globals);
	PGresult *r = run(c, unpoliced_sql, globals, NULL);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
	out[0] = '\0';
	for (int i = 0; i < PQntuples(r); i++) {
		size_t used = strlen(out);
		snprintf(out + used, size - used, "%s%s", i ? "," : "", PQgetvalue(r, i, 0));
	}
	PQclear(r);
}

/* The privileges each role must hold, table by table (doc/security.md):
 * S select, I insert, U update, D delete; "-" none.  Nothing else:
 * TRUNCATE, REFERENCES and TRIGGER ignore row-level security. */
static const struct {
	const char *table, *runtime, *platform;
} grants[] = {
	{"tenants", "S", "SIUD"},
	{"superadmins", "-", "SIUD"},
	{"user_emails", "SIUD", "SIUD"},
	{"platform_audit_events", "I", "SI"},
	{"superadmin_sessions", "-", "SIUD"},
	{"users", "SIUD", "SIUD"},
	{"auth_sessions", "SIUD", "SIUD"},
	{"api_keys", "SIUD", "SIUD"},
	{"workspaces", "SIUD", "SIUD"},
	{"teammates", "SIUD", "SIUD"},
	{"assistants", "SIUD", "SIUD"},
	{"instructions", "SIUD", "SIUD"},
	{"knowledge_bases", "SIUD", "SIUD"},
	{"documents", "SIUD", "SIUD"},
	{"document_chunks", "SIUD", "SIUD"},
	{"document_blobs", "SIUD", "SIUD"},
	{"search_postings", "SIUD", "SIUD"},
	{"ingest_jobs", "SIUD", "SIUD"},
	{"social_links", "SIUD", "SIUD"},
	{"chat_sessions", "SIUD", "SIUD"},
	{"messages", "SIUD", "SIUD"},
	{"message_citations", "SIUD", "SIUD"},
	{"message_feedback", "SIUD", "SIUD"},
	{"audit_events", "SI", "SI"},
	{"schema_migrations", "S", "S"},
};

/* A role's table privileges as the catalog says, in the letters above. */
static const char *privileges_sql =
	"SELECT CASE WHEN p = '' THEN '-' ELSE p END FROM (SELECT"
	" CASE WHEN has_table_privilege($1, c.oid, 'SELECT') THEN 'S' ELSE '' END ||"
	" CASE WHEN has_table_privilege($1, c.oid, 'INSERT') THEN 'I' ELSE '' END ||"
	" CASE WHEN has_table_privilege($1, c.oid, 'UPDATE') THEN 'U' ELSE '' END ||"
	" CASE WHEN has_table_privilege($1, c.oid, 'DELETE') THEN 'D' ELSE '' END ||"
	" CASE WHEN has_table_privilege($1, c.oid, 'TRUNCATE') THEN 'T' ELSE '' END ||"
	" CASE WHEN has_table_privilege($1, c.oid, 'REFERENCES') THEN 'R' ELSE '' END ||"
	" CASE WHEN has_table_privilege($1, c.oid, 'TRIGGER') THEN 'G' ELSE '' END AS p"
	" FROM pg_class c WHERE c.oid = $2::regclass) AS x";

/*
 * Every table of the schema against the grants table: the mismatches,
 * "table role: have, want" joined by "; " ("" when none).  A table the
 * grants table does not know is a mismatch too: a new table must come
 * with its grants (and a line above).
 */
static void grant_mismatches(PGconn *c, char *out, size_t size)
{
	PGresult *r = run(c, "SELECT relname FROM pg_class WHERE relkind IN ('r', 'p')"
			     " AND relnamespace = current_schema()::regnamespace ORDER BY 1",
			  NULL, NULL);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
	out[0] = '\0';
	for (int i = 0; i < PQntuples(r); i++) {
		const char *table = PQgetvalue(r, i, 0);
		size_t k = 0;
		while (k < sizeof grants / sizeof grants[0] && strcmp(grants[k].table, table))
			k++;
		size_t used = strlen(out);
		if (k == sizeof grants / sizeof grants[0]) {
			snprintf(out + used, size - used, "%s%s: not in the grants table",
				 used ? "; " : "", table);
			continue;
		}
		const char *roles[2] = {"oyl_runtime", "oyl_platform"};
		const char *want[2] = {grants[k].runtime, grants[k].platform};
		for (int role = 0; role < 2; role++) {
			PGresult *p = run(c, privileges_sql, roles[role], table);
			ck_assert_msg(PQresultStatus(p) == PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
			const char *have = PQgetvalue(p, 0, 0);
			used = strlen(out);
			if (strcmp(have, want[role]) != 0)
				snprintf(out + used, size - used, "%s%s %s: %s, want %s",
					 used ? "; " : "", table, roles[role], have, want[role]);
			PQclear(p);
		}
	}
	PQclear(r);
}

/* 1 when the table has the policy `name` FOR ALL with both clauses, to its
 * one role: tenant_rows to oyl_runtime, platform_rows to oyl_platform. */
static int has_policy(const char *table, const char *name)
{
	return int_of(app,
		      "SELECT count(*) FROM pg_policy p WHERE p.polrelid = $1::regclass"
		      " AND p.polname = $2 AND p.polcmd = '*' AND p.polpermissive"
		      " AND p.polqual IS NOT NULL AND p.polwithcheck IS NOT NULL"
		      " AND p.polroles = ARRAY[(SELECT oid FROM pg_roles WHERE rolname ="
		      "  CASE WHEN $2 = 'tenant_rows' THEN 'oyl_runtime' ELSE 'oyl_platform' END)]",
		      table, name) == 1;
}

START_TEST(catalog_every_table_is_policed_and_granted)
{
	char flagged[2048];
	int owned = 0;
	for (size_t i = 0; i < ntables; i++) {
		const char *name = tables[i]->name;
		/* every table of the library: RLS enabled and forced */
		ck_assert_msg(int_of(app,
				     "SELECT (c.relrowsecurity AND c.relforcerowsecurity)::int"
				     " FROM pg_class c WHERE c.oid = $1::regclass",
				     name, NULL) == 1,
			      "%s: row-level security not enabled and forced", name);
		if (tables[i]->tenant_col < 0)
			continue;
		owned++;
		/* a tenant's rows for the runtime, all for the platform: roles, not settings */
		ck_assert_msg(has_policy(name, "tenant_rows"),
			      "%s: no FOR ALL policy tenant_rows TO oyl_runtime", name);
		ck_assert_msg(has_policy(name, "platform_rows"),
			      "%s: no FOR ALL policy platform_rows TO oyl_platform", name);
		ck_assert_msg(int_of(app,
				     "SELECT count(*) FROM pg_policy WHERE polrelid = $1::regclass"
				     " AND pg_get_expr(polqual, polrelid) LIKE '%oyl.platform%'",
				     name, NULL) == 0,
			      "%s: a policy still trusts the oyl.platform setting", name);
	}
	ck_assert_int_eq(owned, 18);
	unpoliced(app, flagged, sizeof flagged);
	ck_assert_msg(flagged[0] == '\0', "tables without a policy: %s", flagged);

	/* every table's grants, per role, exactly */
	grant_mismatches(app, flagged, sizeof flagged);
	ck_assert_msg(flagged[0] == '\0', "grants: %s", flagged);
	/* tenants: no column of it either (its own row is locked and renamed
	 * through two functions) */
	ck_assert_int_eq(int_of(app,
				"SELECT count(*) FROM pg_attribute WHERE attrelid = 'tenants'::regclass"
				" AND attnum > 0 AND NOT attisdropped"
				" AND has_column_privilege('oyl_runtime', 'tenants', attname, 'UPDATE')",
				NULL, NULL),
			 0);

	/* The checks can fail: a new tenant table is flagged until it has RLS,
	 * FORCE and a policy; any new table until the grants table knows it. */
	ok(owner, "CREATE TABLE scratch_tenant (tenant_id uuid NOT NULL, id uuid NOT NULL,"
		  " PRIMARY KEY (tenant_id, id))", NULL);
	grant_mismatches(app, flagged, sizeof flagged);
	ck_assert_str_eq(flagged, "scratch_tenant: not in the grants table");
	static const char *const steps[] = {
		"ALTER TABLE scratch_tenant ENABLE ROW LEVEL SECURITY",
		"ALTER TABLE scratch_tenant FORCE ROW LEVEL SECURITY",
		"CREATE POLICY p ON scratch_tenant USING (tenant_id = oyl_scope_tenant())",
	};
	for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
		unpoliced(app, flagged, sizeof flagged);
		ck_assert_str_eq(flagged, "scratch_tenant");
		ok(owner, steps[s], NULL);
	}
	unpoliced(app, flagged, sizeof flagged);
	ck_assert_str_eq(flagged, "");

	/* The roles: neither passes row-level security; the runtime-only login
	 * owns (and may become the owner of) no table, and may not become the
	 * platform. */
	ck_assert_int_eq(int_of(app,
				"SELECT count(*) FROM pg_roles WHERE rolname IN ('oyl_runtime',"
				" 'oyl_platform') AND NOT rolsuper AND NOT rolbypassrls AND NOT rolcanlogin",
				NULL, NULL),
			 2);
	ck_assert_int_eq(int_of(web,
				"SELECT (NOT rolsuper AND NOT rolbypassrls"
				" AND pg_has_role(current_user, 'oyl_runtime', 'MEMBER')"
				" AND NOT pg_has_role(current_user, 'oyl_platform', 'MEMBER'))::int"
				" FROM pg_roles WHERE rolname = current_user",
				NULL, NULL),
			 1);
	ck_assert_int_eq(int_of(web,
				"SELECT count(*) FROM pg_class WHERE relkind IN ('r', 'p')"
				" AND relnamespace = current_schema()::regnamespace"
				" AND pg_has_role(current_user, relowner, 'MEMBER')",
				NULL, NULL),
			 0);

	/* The lookups: SECURITY DEFINER with a search_path of their own,
	 * executable by the two roles and nobody else. */
	ck_assert_int_eq(int_of(app,
				"SELECT count(*) FROM pg_proc WHERE pronamespace ="
				" current_schema()::regnamespace AND proname LIKE 'oyl_locate_%'"
				" AND prosecdef AND proconfig::text LIKE '%search_path%'"
				" AND has_function_privilege('oyl_runtime', oid, 'EXECUTE')"
				" AND has_function_privilege('oyl_platform', oid, 'EXECUTE')"
				" AND proacl IS NOT NULL AND NOT EXISTS (SELECT 1 FROM"
				"  aclexplode(proacl) a WHERE a.grantee = 0)", /* PUBLIC */
				NULL, NULL),
			 4);
	/* ... and the own tenant's two, the runtime's only */
	ck_assert_int_eq(int_of(app,
				"SELECT count(*) FROM pg_proc WHERE pronamespace ="
				" current_schema()::regnamespace AND proname LIKE 'oyl_%_own_tenant'"
				" AND prosecdef AND proconfig::text LIKE '%search_path%'"
				" AND has_function_privilege('oyl_runtime', oid, 'EXECUTE')"
				" AND NOT has_function_privilege('oyl_platform', oid, 'EXECUTE')"
				" AND proacl IS NOT NULL AND NOT EXISTS (SELECT 1 FROM"
				"  aclexplode(proacl) a WHERE a.grantee = 0)",
				NULL, NULL),
			 2);
}
END_TEST

/* ---- b. a tenant's setting, no predicate ------------------------------- */

/* The audit tables: append-only for every role. */
static int append_only(const oyl_table *t)
{
	return !strcmp(t->name, "audit_events") || !strcmp(t->name, "platform_audit_events");
}

START_TEST(tenant_setting_confines_unfiltered_statements)
{
	char sql[256];
	fx_build(b, &fa, 1);
	fx_build(b, &fb, 2);
	int64_t rows_b = 0, rows_a = -1;
	uint64_t before = tenant_rows(fb.tenant_id, &rows_b);
	ck_assert_int_eq(rows_b, 18);

	set_tenant(web, fa.tenant_id, NULL);
	each_tenant_table_counts(web, 1, NULL);
	for (size_t i = 0; i < ntables; i++) {
		const char *name = tables[i]->name;
		if (tables[i]->tenant_col < 0 || append_only(tables[i]))
			continue;
		ck_assert_int_eq(int_of(web, with_table(sql, sizeof sql,
							"SELECT count(*) FROM %s WHERE tenant_id = $1",
							name),
					fb.tenant_id, NULL),
				 0);
		/* B's row by its id, then every row: only A's changes */
		ck_assert_int_eq(changed_by(web, with_table(sql, sizeof sql,
							    "UPDATE %s SET id = id WHERE id = $1",
							    name),
					    fb.ids[i]),
				 0);
		ck_assert_int_eq(changed_by(web, with_table(sql, sizeof sql,
							    "UPDATE %s SET id = id", name),
					    NULL),
				 1);
	}
	/* children first; a cascade may have taken A's row already */
	for (size_t i = ntables; i-- > 0;) {
		if (tables[i]->tenant_col < 0 || append_only(tables[i]))
			continue;
		long long n = changed_by(web, with_table(sql, sizeof sql, "DELETE FROM %s",
							 tables[i]->name),
					 NULL);
		ck_assert_msg(n <= 1, "DELETE FROM %s took %lld rows", tables[i]->name, n);
	}
	ok_stmt(web, "COMMIT");

	ck_assert(tenant_rows(fb.tenant_id, &rows_b) == before);
	ck_assert_int_eq(rows_b, 18);
	tenant_rows(fa.tenant_id, &rows_a);
	ck_assert_int_eq(rows_a, 1); /* A's audit event: append-only */
}
END_TEST

/* ---- c. no setting, or an emptied one ---------------------------------- */

/* Every SELECT sees nothing (and no ::uuid cast fails); every INSERT is refused. */
static void sees_nothing_writes_nothing(PGconn *c)
{
	char sql[256];
	each_tenant_table_counts(c, 0, NULL);
	for (size_t i = 0; i < ntables; i++) {
		if (tables[i]->tenant_col < 0)
			continue;
		/* WITH CHECK runs before the NOT NULL constraints of the other columns */
		fails_with(c, with_table(sql, sizeof sql,
					 "INSERT INTO %s (tenant_id, id)"
					 " VALUES ($1, gen_random_uuid())",
					 tables[i]->name),
			   fa.tenant_id, "42501");
	}
}

START_TEST(unset_context_fails_closed)
{
	fx_build(b, &fa, 1);
	fx_build(b, &fb, 2);

	/* A fresh session: the setting does not exist (NULL). */
	ck_assert_int_eq(int_of(web, "SELECT (current_setting('oyl.tenant_id', true) IS NULL)::int",
				NULL, NULL),
			 1);
	sees_nothing_writes_nothing(web);

	/* The old platform switch is an ordinary setting now: it widens nothing. */
	set_tenant(web, fa.tenant_id, NULL);
	ok_stmt(web, "SET LOCAL oyl.platform = 'on'");
	each_tenant_table_counts(web, 1, NULL);
	ok_stmt(web, "COMMIT");
	/* After committed SET LOCALs the setting exists but is empty (''). */
	ck_assert_int_eq(int_of(web, "SELECT (current_setting('oyl.tenant_id', true) = '')::int",
				NULL, NULL),
			 1);
	sees_nothing_writes_nothing(web);

	/* ... and the same inside a transaction that sets nothing. */
	ok_stmt(web, "BEGIN");
	each_tenant_table_counts(web, 0, NULL);
	ok_stmt(web, "COMMIT");

	/* A setting that is not a canonical UUID sees nothing, with no cast error. */
	static const char *const bad[] = {"not-a-uuid", "'; DROP TABLE users; --", " ",
					  "6F9619FF-8B86-D011-B42D-00C04FC964FF"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		PGresult *r = run(web, "SELECT set_config('oyl.tenant_id', $1, false)", bad[i], NULL);
		ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
		PQclear(r);
		sees_nothing_writes_nothing(web);
	}
	ok_stmt(web, "RESET oyl.tenant_id");

	/* The library's rows are all still there. */
	int64_t n = 0;
	tenant_rows(fa.tenant_id, &n);
	ck_assert_int_eq(n, 18);
}
END_TEST

/* ---- d. one connection: A, then B, then nobody ------------------------- */

/* Through backend `be` with `scope`: only `tenant`'s row of every tenant table. */
static void backend_sees_only(oyl_backend *be, const oyl_scope *scope, const char *tenant)
{
	for (size_t i = 0; i < ntables; i++) {
		if (tables[i]->tenant_col < 0)
			continue;
		seen s = {tenant, tables[i]->tenant_col, 0, 0};
		oyl_query q = {NULL, 0, 0, 0, NULL, NULL, 0, 0};
		int rc = be->list(be, scope, tables[i], &q, seen_cb, &s);
		ck_assert_msg(rc == OYL_OK, "list %s: %s", tables[i]->name, be->errmsg(be));
		ck_assert_msg(s.mine == 1 && s.others == 0, "%s: %d rows of the tenant, %d of others",
			      tables[i]->name, s.mine, s.others);
	}
}

static void current_user_is(PGconn *c, const char *want)
{
	PGresult *r = run(c, "SELECT current_user::text", NULL, NULL);
	ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
	ck_assert_str_eq(PQgetvalue(r, 0, 0), want);
	PQclear(r);
}

/*
 * A tenant-facing server's connection (runtime only), serving A, then B,
 * then nobody: inside the library's transactions the session is
 * oyl_runtime with that tenant's setting, and between them nothing is left.
 */
START_TEST(one_connection_a_then_b_then_nobody)
{
	fx_build(b, &fa, 1);
	fx_build(b, &fb, 2);
	oyl_backend *wb = NULL;
	char err[512];
	ck_assert_msg(oyl_backend_open(&wb, web_uri, NULL, err, sizeof err) == OYL_OK, "%s", err);
	PGconn *conn = pg_of(wb)->conn; /* the backend's own session */
	oyl_scope sa = {fa.tenant_id}, sb = {fb.tenant_id}, platform = {NULL};
	char where_a[80];
	snprintf(where_a, sizeof where_a, " WHERE tenant_id = '%s'", fa.tenant_id);

	/* A, in a write transaction: between the backend's batches the
	 * session is the runtime role with A's setting. */
	ck_assert_int_eq(wb->begin(wb, &sa, OYL_TXN_WRITE), OYL_OK);
	backend_sees_only(wb, &sa, fa.tenant_id);
	current_user_is(conn, "oyl_runtime");
	each_tenant_table_counts(conn, 1, where_a);
	each_tenant_table_counts(conn, 1, NULL);
	ck_assert_int_eq(wb->commit(wb), OYL_OK);
	current_user_is(conn, "oyl_web");

	/* A read transaction's batches each end with COMMIT: nothing of A's
	 * settings outlives one, even before commit(). */
	ck_assert_int_eq(wb->begin(wb, &sa, OYL_TXN_READ), OYL_OK);
	backend_sees_only(wb, &sa, fa.tenant_id);
	ck_assert_int_eq(PQtransactionStatus(conn), PQTRANS_IDLE);
	each_tenant_table_counts(conn, 0, NULL);
	ck_assert_int_eq(wb->commit(wb), OYL_OK);

	/* B, next, on the same connection: nothing of A. */
	ck_assert_int_eq(wb->begin(wb, &sb, OYL_TXN_WRITE), OYL_OK);
	backend_sees_only(wb, &sb, fb.tenant_id);
	each_tenant_table_counts(conn, 0, where_a);
	ck_assert_int_eq(wb->commit(wb), OYL_OK);

	/* Nobody: nothing is left of B's (or A's) settings. */
	each_tenant_table_counts(conn, 0, NULL);

	/* The platform is out of this connection's reach: refused at begin(),
	 * with nothing sent, and for a call alone too. */
	ck_assert_int_eq(wb->begin(wb, &platform, OYL_TXN_READ), OYL_EPERM);
	ck_assert_ptr_nonnull(strstr(wb->errmsg(wb), "not a member of oyl_platform"));
	int64_t n = -1;
	ck_assert_int_eq(wb->count(wb, &platform, tables[fx_table_index("users")], NULL, 0, &n),
			 OYL_EPERM);
	ck_assert_int_eq(PQtransactionStatus(conn), PQTRANS_IDLE);

	/* Calls outside any transaction get one of their own, scope and all. */
	backend_sees_only(wb, &sa, fa.tenant_id);
	ck_assert_int_eq(PQtransactionStatus(conn), PQTRANS_IDLE);
	each_tenant_table_counts(conn, 0, NULL);
	backend_sees_only(wb, &sb, fb.tenant_id);
	each_tenant_table_counts(conn, 0, NULL);
	for (size_t i = 0; i < ntables; i++) {
		if (tables[i]->tenant_col < 0)
			continue;
		n = -1;
		ck_assert_int_eq(wb->count(wb, &sb, tables[i], NULL, 0, &n), OYL_OK);
		ck_assert_int_eq(n, 1);
		ck_assert_int_eq(wb->get(wb, &sb, tables[i], fa.ids[i], seen_cb,
					 &(seen){fb.tenant_id, tables[i]->tenant_col, 0, 0}),
				 OYL_ENOTFOUND);
		/* A's row under B's scope: refused (the backend's check, or RLS alone) */
		oyl_value row[32];
		memcpy(row, fx_row(&fa, tables[i]), tables[i]->ncols * sizeof row[0]);
		char id[37];
		oyl__uuid_new(id);
		row[0] = (oyl_value){OYL_TYPE_UUID, 0, 0, id, 36};
		ck_assert_int_eq(wb->insert(wb, &sb, tables[i], row), OYL_EINVAL);
		ck_assert_int_eq(PQtransactionStatus(conn), PQTRANS_IDLE);
	}
	wb->free(wb);
	int64_t rows = 0;
	tenant_rows(fa.tenant_id, &rows);
	ck_assert_int_eq(rows, 18);
}
END_TEST

/*
 * An admin console's connection (both roles): a transaction begun as the
 * platform runs as oyl_platform and sees every tenant, or the one it acts
 * in once it set it; one begun in a tenant runs as oyl_runtime, whatever
 * the login may do.
 */
START_TEST(platform_transactions_run_as_the_platform)
{
	fx_build(b, &fa, 1);
	fx_build(b, &fb, 2);
	PGconn *conn = pg_of(b)->conn;
	oyl_scope sa = {fa.tenant_id}, sb = {fb.tenant_id}, platform = {NULL};

	ck_assert_int_eq(b->begin(b, &platform, OYL_TXN_WRITE), OYL_OK);
	for (size_t i = 0; i < ntables; i++) {
		if (tables[i]->tenant_col < 0)
			continue;
		seen s = list_as(&platform, tables[i], fa.tenant_id);
		ck_assert_int_eq(s.mine + s.others, 2);
	}
	current_user_is(conn, "oyl_platform");
	each_tenant_table_counts(conn, 2, NULL);
	/* acting inside A, the platform is held to A by the database too */
	backend_sees_only(b, &sa, fa.tenant_id);
	each_tenant_table_counts(conn, 1, NULL);
	backend_sees_only(b, &sb, fb.tenant_id);
	ck_assert_int_eq(b->rollback(b), OYL_OK);

	ck_assert_int_eq(b->begin(b, &sa, OYL_TXN_WRITE), OYL_OK);
	backend_sees_only(b, &sa, fa.tenant_id);
	current_user_is(conn, "oyl_runtime");
	each_tenant_table_counts(conn, 1, NULL);
	ck_assert_int_eq(b->commit(b), OYL_OK);
}
END_TEST

/* ---- e. attacks of a session that sends its own SQL -------------------- */

/* The text fixture value of a column of fx's row of `table`. */
static const char *fx_text(const fx_tenant *fx, const char *table, const char *column)
{
	const oyl_table *t = oyl_schema_table(table);
	return fx_row(fx, t)[fx_col(t, column)].s;
}

/*
 * What a runtime-only session can no longer do (each refused with 42501,
 * insufficient privilege, or seeing nothing), and the platform's own
 * limits on the audit trail.
 */
START_TEST(attacks_of_a_runtime_session_fail)
{
	fx_build(b, &fa, 1);
	fx_build(b, &fb, 2);
	int64_t rows_b = 0;
	uint64_t before = tenant_rows(fb.tenant_id, &rows_b);
	const char *superadmin = fa.ids[fx_table_index("superadmins")];

	/* 1. a session row of its choosing for a superadmin: refused */
	fails_with(web, "INSERT INTO superadmin_sessions (id, user_id, token_hash, expires_at,"
			" created_at) VALUES (gen_random_uuid(), $1, 'chosen', now() + interval '1 day',"
			" now())",
		   superadmin, "42501");
	/* 2. superadmins' hashes, e-mails and sessions: out of reach */
	fails_with(web, "UPDATE superadmins SET password_hash = 'chosen' WHERE id = $1", superadmin,
		   "42501");
	fails_with(web, "SELECT password_hash FROM superadmins", NULL, "42501");
	fails_with(web, "SELECT token_hash FROM superadmin_sessions", NULL, "42501");
	/* ... and other tenants' addresses */
	ck_assert_int_eq(int_of(web, "SELECT count(*) FROM user_emails", NULL, NULL), 0);
	set_tenant(web, fa.tenant_id, NULL);
	ck_assert_int_eq(int_of(web, "SELECT count(*) FROM user_emails", NULL, NULL), 1);
	ck_assert_int_eq(int_of(web, "SELECT count(*) FROM user_emails WHERE tenant_id = $1",
				fb.tenant_id, NULL),
			 0);
	/* nor B's password, token or API-key hashes */
	static const char *const secrets[] = {"users", "auth_sessions", "api_keys"};
	for (size_t i = 0; i < 3; i++) {
		char sql[128];
		ck_assert_int_eq(int_of(web, with_table(sql, sizeof sql,
							"SELECT count(*) FROM %s WHERE tenant_id = $1",
							secrets[i]),
					fb.tenant_id, NULL),
				 0);
	}
	/* its own tenant's row: renamed (a tenant_admin may) and locked (a
	 * quota's decision), through the functions; another's: neither */
	ck_assert_int_eq(int_of(web, "SELECT count(*) FROM oyl_rename_own_tenant($1, 'renamed',"
				     " now())",
				fa.tenant_id, NULL),
			 1);
	ck_assert_int_eq(int_of(web, "SELECT count(*) FROM oyl_rename_own_tenant($1, 'renamed',"
				     " now())",
				fb.tenant_id, NULL),
			 0);
	ck_assert_int_eq(int_of(web, "SELECT count(*) FROM oyl_lock_own_tenant($1)", fa.tenant_id,
				NULL),
			 1);
	ck_assert_int_eq(int_of(web, "SELECT count(*) FROM oyl_lock_own_tenant($1)", fb.tenant_id,
				NULL),
			 0);
	ok_stmt(web, "COMMIT");
	refused_in_txn(web, fa.tenant_id, "UPDATE tenants SET name = 'renamed' WHERE id = $1",
		       fa.tenant_id, "42501");
	refused_in_txn(web, fa.tenant_id, "SELECT id FROM tenants WHERE id = $1 FOR NO KEY UPDATE",
		       fa.tenant_id, "42501");
	/* 3. scoped to A, B's tenant deleted (its rows would cascade as the owner) */
	refused_in_txn(web, fa.tenant_id, "DELETE FROM tenants WHERE id = $1", fb.tenant_id, "42501");
	refused_in_txn(web, fa.tenant_id, "DELETE FROM tenants WHERE id = $1", fa.tenant_id, "42501");
	refused_in_txn(web, fa.tenant_id, "UPDATE tenants SET slug = 'chosen' WHERE id = $1",
		       fa.tenant_id, "42501");
	refused_in_txn(web, fa.tenant_id, "UPDATE tenants SET quota_users = 1000000 WHERE id = $1",
		       fa.tenant_id, "42501");
	refused_in_txn(web, fa.tenant_id,
		       "INSERT INTO tenants (id, name, slug, created_at, updated_at) VALUES"
		       " (gen_random_uuid(), 'x', 'x', now(), now())",
		       NULL, "42501");
	/* 4. the platform is a role it cannot take, whatever it sets */
	fails_with(web, "SET ROLE oyl_platform", NULL, "42501");
	refused_in_txn(web, fa.tenant_id, "SET LOCAL ROLE oyl_platform", NULL, "42501");
	/* 5. the audit trail is append-only, for the runtime ... */
	static const char *const rewrite[] = {
		"UPDATE audit_events SET action = 'erased'", "DELETE FROM audit_events",
		"UPDATE platform_audit_events SET action = 'erased'",
		"DELETE FROM platform_audit_events", "SELECT count(*) FROM platform_audit_events"};
	for (size_t i = 0; i < sizeof rewrite / sizeof rewrite[0]; i++)
		refused_in_txn(web, fa.tenant_id, rewrite[i], NULL, "42501");
	/* ... and for the platform, which reads it */
	for (size_t i = 0; i < 4; i++) {
		set_tenant(app, NULL, "oyl_platform");
		fails_with(app, rewrite[i], NULL, "42501");
		ok_stmt(app, "ROLLBACK");
	}
	set_tenant(app, NULL, "oyl_platform");
	ck_assert_int_ge(int_of(app, "SELECT count(*) FROM platform_audit_events", NULL, NULL), 2);
	ok_stmt(app, "COMMIT");

	/* B is untouched; A's rename is the one change */
	ck_assert(tenant_rows(fb.tenant_id, &rows_b) == before);
	ck_assert_int_eq(rows_b, 18);
}
END_TEST

/* ---- f. the lookups ------------------------------------------------------ */

/* Runs a lookup as the runtime-only session: its rows, and checks its shape. */
static int lookup(const char *sql, const char *key, char tenant[37], char id[37])
{
	PGresult *r = run(web, sql, key, NULL);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(web));
	/* two columns, the tenant and the id: never a hash, never a list */
	ck_assert_int_eq(PQnfields(r), 2);
	ck_assert_str_eq(PQfname(r, 0), "tenant_id");
	ck_assert_str_eq(PQfname(r, 1), "id");
	int n = PQntuples(r);
	ck_assert_int_le(n, 1);
	if (n) {
		snprintf(tenant, 37, "%s", PQgetvalue(r, 0, 0));
		snprintf(id, 37, "%s", PQgetvalue(r, 0, 1));
	}
	PQclear(r);
	return n;
}

START_TEST(lookups_return_one_tenant_and_id)
{
	fx_build(b, &fa, 1);
	fx_build(b, &fb, 2);
	char tenant[37], id[37];
	static const struct {
		const char *sql, *table, *column;
	} lookups[] = {
		{"SELECT * FROM oyl_locate_email($1)", "user_emails", "email_key"},
		{"SELECT * FROM oyl_locate_session($1)", "auth_sessions", "token_hash"},
		{"SELECT * FROM oyl_locate_api_key($1)", "api_keys", "prefix"},
	};
	for (size_t i = 0; i < sizeof lookups / sizeof lookups[0]; i++) {
		/* B's row, from a session with no tenant at all */
		const char *key = fx_text(&fb, lookups[i].table, lookups[i].column);
		ck_assert_int_eq(lookup(lookups[i].sql, key, tenant, id), 1);
		ck_assert_str_eq(tenant, fb.tenant_id);
		ck_assert_str_eq(id, fb.ids[fx_table_index(lookups[i].table)]);
		/* the key is compared whole: no pattern, no prefix of it */
		ck_assert_int_eq(lookup(lookups[i].sql, "%", tenant, id), 0);
		char part[128];
		snprintf(part, sizeof part, "%s", key);
		part[strlen(part) - 1] = '\0';
		ck_assert_int_eq(lookup(lookups[i].sql, part, tenant, id), 0);
	}
	ck_assert_int_eq(lookup("SELECT * FROM oyl_locate_user($1)",
				fb.ids[fx_table_index("user_emails")], tenant, id),
			 1);
	ck_assert_str_eq(tenant, fb.tenant_id);
	/* who may call them: the catalog test checks their grants */
}
END_TEST

/* ---- g. the library on a tenant-facing server's connection --------------- */

START_TEST(the_library_on_a_runtime_only_connection)
{
	oyl_actor *root = NULL, *as_web = NULL, *admin = NULL, *by_token = NULL, *by_key = NULL,
		  *account = NULL;
	oyl_tenant *t = NULL;
	oyl_user *sa = NULL;
	oyl_tenant_options to = OYL_TENANT_OPTIONS_INIT;
	to.admin_email = "admin@web.example";
	to.admin_name = "Admin";
	ck_assert_int_eq(oyl_actor_superadmin(db, &root), OYL_OK);
	ck_assert_int_eq(oyl_tenant_create(root, "Web", "web", &to, &t), OYL_OK);
	ck_assert_int_eq(oyl_user_create(root, NULL, "sa@web.example", "SA", OYL_ROLE_SUPERADMIN,
					 &sa),
			 OYL_OK);
	ck_assert_int_eq(oyl_user_set_password(root, oyl_user_id(sa), "a long password"), OYL_OK);
	oyl_page *p = NULL;
	ck_assert_int_eq(oyl_user_list(root, oyl_tenant_id(t), NULL, &p), OYL_OK);
	char admin_id[37];
	snprintf(admin_id, sizeof admin_id, "%s", oyl_user_id(oyl_page_user(p, 0)));
	oyl_page_free(p);
	ck_assert_int_eq(oyl_user_set_password(root, admin_id, "a long password"), OYL_OK);

	oyl_db *w = NULL;
	ck_assert_int_eq(oyl_db_open(&w, web_uri, NULL), OYL_OK);
	/* the platform's calls: refused, with the reason, nothing written */
	uint64_t before = t_fingerprint(b);
	ck_assert_int_eq(oyl_actor_superadmin(w, &as_web), OYL_OK);
	ck_assert_int_eq(oyl_tenant_create(as_web, "No", "no", NULL, NULL), OYL_EPERM);
	ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(w), "not a member of oyl_platform"));
	ck_assert_int_eq(oyl_workspace_create(as_web, oyl_tenant_id(t), "No", NULL), OYL_EPERM);
	ck_assert(t_fingerprint(b) == before);

	/* a tenant's: as usual, from a user id, a login, a token, an API key */
	ck_assert_int_eq(oyl_actor_for_user(w, admin_id, &admin), OYL_OK);
	ck_assert_int_eq(oyl_workspace_create(admin, oyl_tenant_id(t), "Yes", NULL), OYL_OK);
	ck_assert_int_eq(oyl_workspace_list(admin, oyl_tenant_id(t), NULL, &p), OYL_OK);
	ck_assert_uint_eq(oyl_page_count(p), 1);
	oyl_page_free(p);
	ck_assert_int_eq(oyl_tenant_update(admin, oyl_tenant_id(t), "Web 2", NULL, NULL), OYL_OK);
	/* a user quota is decided under the tenant's row lock, which a runtime
	 * transaction takes through its function */
	ck_assert_int_eq(oyl_tenant_set_quotas(root, oyl_tenant_id(t), 2, -1, -1), OYL_OK);
	ck_assert_int_eq(oyl_user_create(admin, oyl_tenant_id(t), "u@web.example", "U",
					 OYL_ROLE_USER, NULL),
			 OYL_OK);
	ck_assert_int_eq(oyl_user_create(admin, oyl_tenant_id(t), "v@web.example", "V",
					 OYL_ROLE_USER, NULL),
			 OYL_EQUOTA);
	char *token = NULL, *secret = NULL;
	ck_assert_int_eq(oyl_auth_login(w, "admin@web.example", "a long password", NULL, &token,
					NULL),
			 OYL_OK);
	ck_assert_int_eq(oyl_actor_from_token(w, token, &by_token), OYL_OK);
	ck_assert_int_eq(oyl_actor_role(by_token), OYL_ROLE_TENANT_ADMIN);
	ck_assert_int_eq(oyl_api_key_create(admin, admin_id, "k", NULL, &secret), OYL_OK);
	ck_assert_int_eq(oyl_actor_from_api_key(w, secret, &by_key), OYL_OK);
	ck_assert_str_eq(oyl_actor_tenant_id(by_key), oyl_tenant_id(t));
	/* the platform's lists: refused for a tenant's actor, before any read */
	ck_assert_int_eq(oyl_user_list(admin, NULL, NULL, &p), OYL_EPERM);
	ck_assert_int_eq(oyl_audit_list(admin, NULL, NULL, &p), OYL_EPERM);

	/* a superadmin account cannot log in here: like a wrong password */
	char *none = NULL;
	ck_assert_int_eq(oyl_auth_login(w, "sa@web.example", "a long password", NULL, &none, NULL),
			 OYL_EAUTH);
	ck_assert_str_eq(oyl_db_errmsg(w), "invalid e-mail or password");
	ck_assert_ptr_null(none);
	ck_assert_int_eq(oyl_actor_for_user(w, oyl_user_id(sa), &account), OYL_OK);
	ck_assert_int_eq(oyl_tenant_list(account, NULL, &p), OYL_EPERM);

	oyl_free(token);
	oyl_free(secret);
	oyl_actor_free(account);
	oyl_actor_free(by_key);
	oyl_actor_free(by_token);
	oyl_actor_free(admin);
	oyl_actor_free(as_web);
	oyl_actor_free(root);
	oyl_user_free(sa);
	oyl_tenant_free(t);
	oyl_db_close(w);
}
END_TEST

/* Occurrences of `needle` in a file. */
static int occurrences(FILE *f, const char *needle)
{
	char line[4096];
	int n = 0;
	rewind(f);
	while (fgets(line, sizeof line, f))
		for (const char *p = line; (p = strstr(p, needle)); p++)
			n++;
	return n;
}

/* The settings are sent only when the scope changes; only UUIDs become literals. */
START_TEST(scope_changes_cost_one_round_trip)
{
	fx_build(b, &fa, 1);
	fx_build(b, &fb, 2);
	oyl_scope sa = {fa.tenant_id}, sb = {fb.tenant_id};
	const oyl_table *ws = oyl_schema_table("workspaces");
	FILE *trace = tmpfile();
	ck_assert_ptr_nonnull(trace);
	PQtrace(pg_of(b)->conn, trace);

	/* one write transaction: the settings go with its first batch, and
	 * again only when a statement's scope differs */
	ck_assert_int_eq(b->begin(b, &sa, OYL_TXN_WRITE), OYL_OK);
	for (int k = 0; k < 3; k++)
		list_as(&sa, ws, fa.tenant_id);
	fflush(trace);
	ck_assert_int_eq(occurrences(trace, "SET LOCAL oyl.tenant_id"), 1); /* the first batch's */
	list_as(&sb, ws, fb.tenant_id);
	list_as(&sb, ws, fb.tenant_id);
	fflush(trace);
	ck_assert_int_eq(occurrences(trace, "SET LOCAL oyl.tenant_id"), 2);
	ck_assert_int_eq(b->commit(b), OYL_OK);
	PQuntrace(pg_of(b)->conn);
	fclose(trace);

	/* Anything but a canonical lowercase UUID is refused before any SQL. */
	static const char *const bad[] = {"'; RESET ALL; --", "", "not-a-uuid",
					  "6F9619FF-8B86-D011-B42D-00C04FC964FF"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		oyl_scope s = {bad[i]};
		ck_assert_int_eq(b->begin(b, &s, OYL_TXN_READ), OYL_EINVAL);
		int64_t n = 0;
		ck_assert_int_eq(b->count(b, &s, ws, NULL, 0, &n), OYL_EINVAL);
		ck_assert_int_eq(PQtransactionStatus(pg_of(b)->conn), PQTRANS_IDLE);
	}
	ck_assert_int_eq(list_as(&sa, ws, fa.tenant_id).mine, 1);
}
END_TEST

int main(int argc, char **argv)
{
	t_init(argc, argv);
	if (!t_is_postgres()) {
		fprintf(stderr, "row-level security is PostgreSQL's: nothing to test on %s\n",
			t_backend());
		return 77;
	}
	if (!t_has_runtime_role() || !getenv("OYL_TEST_PG_WEB")) {
		fprintf(stderr, "no separate roles (OYL_TEST_PG_OWNER, OYL_TEST_PG_APP, "
				"OYL_TEST_PG_WEB): the wall cannot be tested\n");
		return 77;
	}
	Suite *s = suite_create(t_backend());
	TCase *tc = tcase_create("rls");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, catalog_every_table_is_policed_and_granted);
	tcase_add_test(tc, tenant_setting_confines_unfiltered_statements);
	tcase_add_test(tc, unset_context_fails_closed);
	tcase_add_test(tc, one_connection_a_then_b_then_nobody);
	tcase_add_test(tc, platform_transactions_run_as_the_platform);
	tcase_add_test(tc, attacks_of_a_runtime_session_fail);
	tcase_add_test(tc, lookups_return_one_tenant_and_id);
	tcase_add_test(tc, the_library_on_a_runtime_only_connection);
	tcase_add_test(tc, scope_changes_cost_one_round_trip);
	suite_add_tcase(s, tc);
	int rc = t_run(s);
	t_cleanup();
	return rc;
}
