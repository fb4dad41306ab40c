/*
 * PostgreSQL row-level security, the second wall between tenants
 * (doc/backends.md, "Row-level security"; doc/testing.md lists what this
 * suite shows).  PostgreSQL only: on SQLite, or without a separate runtime role (RLS would be
 * bypassed), the program exits 77 (skip).
 *
 * The library's statements and raw SQL run as the runtime role (the
 * harness's app role); DDL as the schema's owner.  Raw statements carry
 * no tenant predicate, so only the policies stand between the tenants.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/postgres/pg_internal.h"
#include "fixture.h"

static char uri[T_URI_MAX];
static oyl_db *db;
static oyl_backend *b;
static PGconn *app;   /* a raw session of the runtime role */
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
	app = connect_to(uri);
	owner = connect_to(t_owner_uri(uri));
}

static void teardown(void)
{
	PQfinish(app);
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
 * Begins a transaction of the raw session c with the tenant settings, in
 * the order the library sends them (pg_txn.c):
 *   BEGIN
 *   SET LOCAL citus.propagate_set_commands = 'local'
 *   SET LOCAL oyl.tenant_id = '<tenant>'   (tenant non-NULL)
 *   SET LOCAL oyl.platform = '<platform>'  (platform non-NULL: "on" or "off")
 * each a statement of its own: Citus replays a SET LOCAL's whole query text
 * on its workers, so nothing else may share it.  The library sends the
 * Citus setting only to a Citus server; here it goes to any server: without
 * Citus loaded it only sets a placeholder, local to the transaction.
 * SET takes no parameters: the tenant goes in as a literal (the fixture's
 * ids are library-made UUIDs, checked here).  The caller ends with COMMIT.
 */
static void set_tenant(PGconn *c, const char *tenant, const char *platform)
{
	char sql[160];
	ok_stmt(c, "BEGIN");
	ok_stmt(c, "SET LOCAL citus.propagate_set_commands = 'local'");
	if (tenant) {
		ck_assert(oyl__pg_is_uuid(tenant));
		snprintf(sql, sizeof sql, "SET LOCAL oyl.tenant_id = '%s'", tenant);
		ok_stmt(c, sql);
	}
	if (platform) {
		ck_assert(strcmp(platform, "on") == 0 || strcmp(platform, "off") == 0);
		snprintf(sql, sizeof sql, "SET LOCAL oyl.platform = '%s'", platform);
		ok_stmt(c, sql);
	}
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

START_TEST(catalog_every_tenant_table_is_policed)
{
	char flagged[512];
	int owned = 0;
	for (size_t i = 0; i < ntables; i++) {
		const char *name = tables[i]->name;
		if (tables[i]->tenant_col < 0)
			continue;
		owned++;
		/* RLS, FORCE, and one policy for every command and role, with both clauses */
		ck_assert_msg(int_of(app,
				     "SELECT (c.relrowsecurity AND c.relforcerowsecurity)::int"
				     " FROM pg_class c WHERE c.oid = $1::regclass",
				     name, NULL) == 1,
			      "%s: row-level security not enabled and forced", name);
		ck_assert_msg(int_of(app,
				     "SELECT count(*) FROM pg_policy WHERE polrelid = $1::regclass"
				     " AND polcmd = '*' AND polpermissive AND polroles = '{0}'"
				     " AND polqual IS NOT NULL AND polwithcheck IS NOT NULL",
				     name, NULL) == 1,
			      "%s: no FOR ALL policy with USING and WITH CHECK", name);
	}
	ck_assert_int_eq(owned, 15);
	unpoliced(app, flagged, sizeof flagged);
	ck_assert_msg(flagged[0] == '\0', "tables without a policy: %s", flagged);

	/* The check can fail: a new tenant table is flagged until it has all three. */
	ok(owner, "CREATE TABLE scratch_tenant (tenant_id uuid NOT NULL, id uuid NOT NULL,"
		  " PRIMARY KEY (tenant_id, id))", NULL);
	static const char *const steps[] = {
		"ALTER TABLE scratch_tenant ENABLE ROW LEVEL SECURITY",
		"ALTER TABLE scratch_tenant FORCE ROW LEVEL SECURITY",
		"CREATE POLICY p ON scratch_tenant USING (tenant_id ="
		" NULLIF(current_setting('oyl.tenant_id', true), '')::uuid)",
	};
	for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
		unpoliced(app, flagged, sizeof flagged);
		ck_assert_str_eq(flagged, "scratch_tenant");
		ok(owner, steps[s], NULL);
	}
	unpoliced(app, flagged, sizeof flagged);
	ck_assert_str_eq(flagged, "");

	/* The runtime role: not superuser, not BYPASSRLS, owns (and may become
	 * the owner of) no table of the schema, yet may do its work. */
	ck_assert_int_eq(int_of(app,
				"SELECT (rolsuper OR rolbypassrls)::int FROM pg_roles"
				" WHERE rolname = current_user",
				NULL, NULL),
			 0);
	ck_assert_int_ge(int_of(app,
				"SELECT count(*) FROM pg_class WHERE relkind = 'r'"
				" AND relnamespace = current_schema()::regnamespace",
				NULL, NULL),
			 (long long)ntables + 1);
	ck_assert_int_eq(int_of(app,
				"SELECT count(*) FROM pg_class WHERE relkind IN ('r', 'p')"
				" AND relnamespace = current_schema()::regnamespace"
				" AND pg_has_role(current_user, relowner, 'MEMBER')",
				NULL, NULL),
			 0);
	for (size_t i = 0; i <= ntables; i++) {
		const char *name = i < ntables ? tables[i]->name : "schema_migrations";
		const char *rw = i < ntables ? "1" : "0";
		ck_assert_msg(int_of(app,
				     "SELECT (has_table_privilege($1, 'SELECT')"
				     " AND (has_table_privilege($1, 'INSERT')"
				     "  AND has_table_privilege($1, 'UPDATE')"
				     "  AND has_table_privilege($1, 'DELETE')) = $2::bool"
				     /* TRUNCATE and REFERENCES ignore row-level security */
				     " AND NOT has_table_privilege($1, 'TRUNCATE')"
				     " AND NOT has_table_privilege($1, 'REFERENCES')"
				     " AND NOT has_table_privilege($1, 'TRIGGER'))::int",
				     name, rw) == 1,
			      "%s: the runtime role's privileges are not what it needs", name);
	}
}
END_TEST

/* ---- b. a tenant's setting, no predicate ------------------------------- */

START_TEST(tenant_setting_confines_unfiltered_statements)
{
	char sql[256];
	fx_build(b, &fa, 1);
	fx_build(b, &fb, 2);
	int64_t rows_b = 0, rows_a = -1;
	uint64_t before = tenant_rows(fb.tenant_id, &rows_b);
	ck_assert_int_eq(rows_b, 15);

	set_tenant(app, fa.tenant_id, NULL);
	each_tenant_table_counts(app, 1, NULL);
	for (size_t i = 0; i < ntables; i++) {
		const char *name = tables[i]->name;
		if (tables[i]->tenant_col < 0)
			continue;
		ck_assert_int_eq(int_of(app, with_table(sql, sizeof sql,
							"SELECT count(*) FROM %s WHERE tenant_id = $1",
							name),
					fb.tenant_id, NULL),
				 0);
		/* B's row by its id, then every row: only A's changes */
		ck_assert_int_eq(changed_by(app, with_table(sql, sizeof sql,
							    "UPDATE %s SET created_at = 'epoch'"
							    " WHERE id = $1",
							    name),
					    fb.ids[i]),
				 0);
		ck_assert_int_eq(changed_by(app, with_table(sql, sizeof sql,
							    "UPDATE %s SET created_at = 'epoch'", name),
					    NULL),
				 1);
	}
	/* children first; a cascade may have taken A's row already */
	for (size_t i = ntables; i-- > 0;) {
		if (tables[i]->tenant_col < 0)
			continue;
		long long n = changed_by(app, with_table(sql, sizeof sql, "DELETE FROM %s",
							 tables[i]->name),
					 NULL);
		ck_assert_msg(n <= 1, "DELETE FROM %s took %lld rows", tables[i]->name, n);
	}
	ok_stmt(app, "COMMIT");

	ck_assert(tenant_rows(fb.tenant_id, &rows_b) == before);
	ck_assert_int_eq(rows_b, 15);
	tenant_rows(fa.tenant_id, &rows_a);
	ck_assert_int_eq(rows_a, 0);
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

	/* A fresh session: the settings do not exist (NULL). */
	ck_assert_int_eq(int_of(app,
				"SELECT (current_setting('oyl.tenant_id', true) IS NULL"
				" AND current_setting('oyl.platform', true) IS NULL)::int",
				NULL, NULL),
			 1);
	sees_nothing_writes_nothing(app);

	/* After committed SET LOCALs the settings exist but are empty (''). */
	set_tenant(app, fa.tenant_id, "on");
	each_tenant_table_counts(app, 2, NULL);
	ok_stmt(app, "COMMIT");
	ck_assert_int_eq(int_of(app,
				"SELECT (current_setting('oyl.tenant_id', true) = ''"
				" AND current_setting('oyl.platform', true) = '')::int",
				NULL, NULL),
			 1);
	sees_nothing_writes_nothing(app);

	/* ... and the same inside a transaction that sets nothing. */
	ok_stmt(app, "BEGIN");
	each_tenant_table_counts(app, 0, NULL);
	ok_stmt(app, "COMMIT");

	/* The library's rows are all still there. */
	int64_t n = 0;
	tenant_rows(fa.tenant_id, &n);
	ck_assert_int_eq(n, 15);
}
END_TEST

/* ---- d. one connection: A, then B, then nobody ------------------------- */

/* Through the backend with `scope`: only `tenant`'s row of every tenant table. */
static void backend_sees_only(const oyl_scope *scope, const char *tenant)
{
	for (size_t i = 0; i < ntables; i++) {
		if (tables[i]->tenant_col < 0)
			continue;
		seen s = list_as(scope, tables[i], tenant);
		ck_assert_msg(s.mine == 1 && s.others == 0, "%s: %d rows of the tenant, %d of others",
			      tables[i]->name, s.mine, s.others);
	}
}

START_TEST(one_connection_a_then_b_then_nobody)
{
	fx_build(b, &fa, 1);
	fx_build(b, &fb, 2);
	PGconn *conn = pg_of(b)->conn; /* the backend's own session */
	oyl_scope sa = {fa.tenant_id}, sb = {fb.tenant_id}, platform = {NULL};
	char where_a[80];
	snprintf(where_a, sizeof where_a, " WHERE tenant_id = '%s'", fa.tenant_id);

	/* A, in a write transaction: between the backend's batches the
	 * session's settings are A's. */
	ck_assert_int_eq(b->begin(b, &sa, OYL_TXN_WRITE), OYL_OK);
	backend_sees_only(&sa, fa.tenant_id);
	each_tenant_table_counts(conn, 1, where_a);
	each_tenant_table_counts(conn, 1, NULL);
	ck_assert_int_eq(b->commit(b), OYL_OK);

	/* A read transaction's batches each end with COMMIT: nothing of A's
	 * settings outlives one, even before commit(). */
	ck_assert_int_eq(b->begin(b, &sa, OYL_TXN_READ), OYL_OK);
	backend_sees_only(&sa, fa.tenant_id);
	ck_assert_int_eq(PQtransactionStatus(conn), PQTRANS_IDLE);
	each_tenant_table_counts(conn, 0, NULL);
	ck_assert_int_eq(b->commit(b), OYL_OK);

	/* B, next, on the same connection: nothing of A. */
	ck_assert_int_eq(b->begin(b, &sb, OYL_TXN_WRITE), OYL_OK);
	backend_sees_only(&sb, fb.tenant_id);
	each_tenant_table_counts(conn, 0, where_a);
	ck_assert_int_eq(b->commit(b), OYL_OK);

	/* Nobody: nothing is left of B's (or A's) settings. */
	each_tenant_table_counts(conn, 0, NULL);

	/* One transaction, begun as the platform, then acting as A, B, the platform. */
	ck_assert_int_eq(b->begin(b, &platform, OYL_TXN_WRITE), OYL_OK);
	backend_sees_only(&sa, fa.tenant_id);
	each_tenant_table_counts(conn, 1, NULL);
	backend_sees_only(&sb, fb.tenant_id);
	each_tenant_table_counts(conn, 0, where_a);
	for (size_t i = 0; i < ntables; i++) {
		if (tables[i]->tenant_col < 0)
			continue;
		seen s = list_as(&platform, tables[i], fa.tenant_id);
		ck_assert_int_eq(s.mine + s.others, 2);
	}
	each_tenant_table_counts(conn, 2, NULL);
	ck_assert_int_eq(b->rollback(b), OYL_OK);
	each_tenant_table_counts(conn, 0, NULL);

	/* Calls outside any transaction get one of their own, scope and all. */
	backend_sees_only(&sa, fa.tenant_id);
	ck_assert_int_eq(PQtransactionStatus(conn), PQTRANS_IDLE);
	each_tenant_table_counts(conn, 0, NULL);
	backend_sees_only(&sb, fb.tenant_id);
	each_tenant_table_counts(conn, 0, NULL);
	for (size_t i = 0; i < ntables; i++) {
		if (tables[i]->tenant_col < 0)
			continue;
		int64_t n = -1;
		ck_assert_int_eq(b->count(b, &sb, tables[i], NULL, 0, &n), OYL_OK);
		ck_assert_int_eq(n, 1);
		ck_assert_int_eq(b->get(b, &sb, tables[i], fa.ids[i], seen_cb,
					&(seen){fb.tenant_id, tables[i]->tenant_col, 0, 0}),
				 OYL_ENOTFOUND);
		/* A's row under B's scope: refused (the backend's check, or RLS alone) */
		oyl_value row[32];
		memcpy(row, fx_row(&fa, tables[i]), tables[i]->ncols * sizeof row[0]);
		char id[37];
		oyl__uuid_new(id);
		row[0] = (oyl_value){OYL_TYPE_UUID, 0, 0, id, 36};
		ck_assert_int_eq(b->insert(b, &sb, tables[i], row), OYL_EINVAL);
		ck_assert_int_eq(PQtransactionStatus(conn), PQTRANS_IDLE);
	}
	int64_t n = 0;
	tenant_rows(fa.tenant_id, &n);
	ck_assert_int_eq(n, 15);
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
	if (!t_has_runtime_role()) {
		fprintf(stderr, "no runtime role (OYL_TEST_PG_OWNER, OYL_TEST_PG_APP): "
				"row-level security cannot be tested\n");
		return 77;
	}
	Suite *s = suite_create(t_backend());
	TCase *tc = tcase_create("rls");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, catalog_every_tenant_table_is_policed);
	tcase_add_test(tc, tenant_setting_confines_unfiltered_statements);
	tcase_add_test(tc, unset_context_fails_closed);
	tcase_add_test(tc, one_connection_a_then_b_then_nobody);
	tcase_add_test(tc, scope_changes_cost_one_round_trip);
	suite_add_tcase(s, tc);
	int rc = t_run(s);
	t_cleanup();
	return rc;
}
