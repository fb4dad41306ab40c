/* Test harness (see harness.h). */
#include "harness.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *backend_name = "sqlite";
static char tmpdir[256];
static int counter;

static const char *sqlite_dir(void)
{
	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof tmpdir, "/tmp/oyl-test-XXXXXX");
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			exit(2);
		}
	}
	return tmpdir;
}

static int env_set(const char *name)
{
	const char *v = getenv(name);
	return v && v[0];
}

int t_has_runtime_role(void)
{
	return t_is_postgres() && env_set("OYL_TEST_PG_OWNER") && env_set("OYL_TEST_PG_APP");
}

/* The conninfo of each PostgreSQL role (all the superuser's without roles). */
static const char *pg_admin(void)
{
	return getenv("OYL_TEST_PG");
}

static const char *pg_owner(void)
{
	return t_has_runtime_role() ? getenv("OYL_TEST_PG_OWNER") : pg_admin();
}

static const char *pg_app(void)
{
	return t_has_runtime_role() ? getenv("OYL_TEST_PG_APP") : pg_admin();
}

/* The user name of OYL_TEST_PG_OWNER, checked to be a plain identifier. */
static const char *owner_role(void)
{
	static char name[64];
	if (name[0])
		return name;
	char *why = NULL;
	PQconninfoOption *opts = PQconninfoParse(pg_owner(), &why);
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, "user") == 0 && o->val)
			snprintf(name, sizeof name, "%s", o->val);
	PQconninfoFree(opts);
	PQfreemem(why);
	if (!name[0] || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(name)) {
		fprintf(stderr, "OYL_TEST_PG_OWNER: no plain user name in it\n");
		exit(2);
	}
	return name;
}

void t_init(int argc, char **argv)
{
	if (argc > 1)
		backend_name = argv[1];
	if (t_is_postgres() && !getenv("OYL_TEST_PG")) {
		fprintf(stderr, "OYL_TEST_PG is not set: skipping the postgres backend\n");
		exit(77);
	}
	if (t_is_postgres() && !t_has_runtime_role())
		fprintf(stderr, "note: OYL_TEST_PG_OWNER or OYL_TEST_PG_APP is not set: every "
				"PostgreSQL test runs as OYL_TEST_PG, and row-level security is "
				"bypassed if it is a superuser (scripts/pg-cluster.sh sets them)\n");
	if (strcmp(backend_name, "sqlite") != 0 && !t_is_postgres() && !t_cut_version()) {
		fprintf(stderr, "unknown backend %s\n", backend_name);
		exit(2);
	}
	/* Made here, in the parent: Check runs each test in a forked child. */
	if (!t_is_postgres())
		sqlite_dir();
}

const char *t_backend(void)
{
	return backend_name;
}

int t_is_postgres(void)
{
	return strcmp(backend_name, "postgres") == 0;
}

unsigned t_cut_version(void)
{
	if (strcmp(backend_name, "sqlite-v1") == 0)
		return 1;
	if (strcmp(backend_name, "sqlite-v2") == 0)
		return 2;
	return 0;
}

void t_cut_backend(oyl_backend *be, unsigned version)
{
	/* what an older backend would have: its version, and nothing past it */
	be->version = version;
	be->name = version == 1 ? "sqlite-v1" : "sqlite-v2";
	if (version < 2)
		be->lock = NULL;
	if (version < 3) {
		be->read_many = NULL;
		be->get_many = NULL;
		be->insert_many = NULL;
		be->claim = NULL;
		be->failed_write = NULL;
	}
	be->locate = NULL;
	be->postings = NULL;
	be->read_many_commit = NULL;
}

/* A new schema owned by the owner role; uri gets `conninfo` with it as search_path. */
static void fresh_pg(char uri[T_URI_MAX], const char *conninfo)
{
	/* pid + counter: Check forks a child per test, and the names must differ. */
	int n = ++counter;
	char schema[64], sql[256];
	snprintf(schema, sizeof schema, "t_%d_%d", (int)getpid(), n);
	/* a schema left by an earlier run whose process had the same pid */
	snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", schema);
	ck_assert_int_eq(t_exec_sql(pg_admin(), sql), 0);
	if (t_has_runtime_role())
		snprintf(sql, sizeof sql, "CREATE SCHEMA %s AUTHORIZATION %s", schema, owner_role());
	else
		snprintf(sql, sizeof sql, "CREATE SCHEMA %s", schema);
	ck_assert_int_eq(t_exec_sql(pg_admin(), sql), 0);
	snprintf(uri, T_URI_MAX, "%s options='-csearch_path=%s'", conninfo, schema);
}

static void fresh_sqlite(char uri[T_URI_MAX])
{
	int n = ++counter;
	snprintf(uri, T_URI_MAX, "sqlite:%s/db-%d-%d.sqlite", sqlite_dir(), (int)getpid(), n);
}

void t_fresh_uri(char uri[T_URI_MAX])
{
	if (t_is_postgres())
		fresh_pg(uri, pg_app());
	else
		fresh_sqlite(uri);
}

void t_fresh_owner_uri(char uri[T_URI_MAX])
{
	if (t_is_postgres())
		fresh_pg(uri, pg_owner());
	else
		fresh_sqlite(uri);
}

/* The same database as another login: an app URI is the app conninfo, a
 * space, then the schema's options.  A few static buffers in turn. */
static const char *as_login(const char *uri, const char *login)
{
	static char bufs[4][T_URI_MAX];
	static int next;
	if (!t_is_postgres())
		return uri;
	size_t n = strlen(pg_app());
	if (strncmp(uri, pg_app(), n) != 0 || uri[n] != ' ')
		return uri;
	char *out = bufs[next];
	next = (next + 1) % 4;
	snprintf(out, T_URI_MAX, "%s%s", login, uri + n);
	return out;
}

const char *t_owner_uri(const char *uri)
{
	return as_login(uri, pg_owner());
}

const char *t_admin_uri(const char *uri)
{
	return as_login(uri, pg_admin());
}

const char *t_web_uri(const char *uri)
{
	static char buf[T_URI_MAX];
	const char *web = getenv("OYL_TEST_PG_WEB");
	if (!t_is_postgres() || !t_has_runtime_role() || !web || !*web)
		return NULL;
	size_t n = strlen(pg_app());
	if (strncmp(uri, pg_app(), n) != 0 || uri[n] != ' ')
		return NULL;
	snprintf(buf, T_URI_MAX, "%s%s", web, uri + n);
	return buf;
}

void t_migrate(const char *uri)
{
	oyl_db *db = NULL;
	oyl_db_options o = OYL_DB_OPTIONS_INIT;
	o.flags = OYL_DB_MIGRATE;
	const char *owner = t_owner_uri(uri);
	int rc = oyl_db_open(&db, owner, &o);
	ck_assert_msg(rc == OYL_OK, "migrate %s: %s (%s)", owner, oyl_status_name(rc),
		      oyl_last_open_error());
	oyl_db_close(db);
}

oyl_db *t_open_uri(const char *uri)
{
	oyl_db *db = NULL;
	oyl_db_options o = OYL_DB_OPTIONS_INIT;
	o.flags = OYL_DB_MIGRATE;
	if (t_is_postgres())
		t_migrate(uri); /* DDL needs the owner; the open's migrate is then a read */
	if (t_cut_version()) {
		oyl_backend *be = NULL;
		char err[512];
		ck_assert_msg(oyl_backend_open(&be, uri, &o, err, sizeof err) == OYL_OK, "%s", err);
		t_cut_backend(be, t_cut_version());
		int rc = oyl_db_open_backend(&db, be, &o);
		ck_assert_msg(rc == OYL_OK, "open %s: %s (%s)", uri, oyl_status_name(rc),
			      oyl_last_open_error());
		return db;
	}
	int rc = oyl_db_open(&db, uri, &o);
	ck_assert_msg(rc == OYL_OK, "open %s: %s (%s)", uri, oyl_status_name(rc), oyl_last_open_error());
	return db;
}

oyl_db *t_open(void)
{
	char uri[T_URI_MAX];
	t_fresh_uri(uri);
	return t_open_uri(uri);
}

oyl_backend *t_backend_of(oyl_db *db)
{
	return db->backend;
}

static int count_cb(const oyl_value *v, size_t n, void *payload)
{
	(void)v;
	(void)n;
	(*(int64_t *)payload)++;
	return 0;
}

void t_counts(oyl_backend *b, int64_t *counts)
{
	size_t n;
	const oyl_table *const *tables = oyl_schema_tables(&n);
	oyl_scope platform = {NULL};
	oyl_query q = {NULL, 0, 0, 0, NULL, NULL, 0, 0};
	for (size_t i = 0; i < n; i++) {
		counts[i] = 0;
		int rc = b->list(b, &platform, tables[i], &q, count_cb, &counts[i]);
		ck_assert_msg(rc == OYL_OK, "list %s: %s", tables[i]->name, b->errmsg(b));
	}
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
		if (v[i].type == OYL_TYPE_INT || v[i].type == OYL_TYPE_TIME || v[i].type == OYL_TYPE_BOOL)
			*h = fnv(*h, &v[i].i, sizeof v[i].i);
		else if (v[i].type == OYL_TYPE_REAL)
			*h = fnv(*h, &v[i].r, sizeof v[i].r);
		else if (v[i].type != OYL_TYPE_NULL)
			*h = fnv(*h, v[i].s, v[i].n);
	}
	return 0;
}

uint64_t t_fingerprint(oyl_backend *b)
{
	size_t n;
	const oyl_table *const *tables = oyl_schema_tables(&n);
	oyl_scope platform = {NULL};
	oyl_query q = {NULL, 0, 0, 0, NULL, NULL, 0, 0};
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) {
		h = fnv(h, tables[i]->name, strlen(tables[i]->name));
		int rc = b->list(b, &platform, tables[i], &q, hash_cb, &h);
		ck_assert_msg(rc == OYL_OK, "list %s: %s", tables[i]->name, b->errmsg(b));
	}
	return h;
}

/* Setup and cleanup statements tell of what they skip or cascade to:
 * nothing a test reads. */
static void quiet_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

int t_exec_sql(const char *uri, const char *sql)
{
	if (strncmp(uri, "sqlite:", 7) == 0) {
		sqlite3 *s = NULL;
		int rc = sqlite3_open(uri + 7, &s);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(s, sql, NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			fprintf(stderr, "sqlite: %s\n", sqlite3_errmsg(s));
		sqlite3_close(s);
		return rc;
	}
	PGconn *c = PQconnectdb(uri);
	PQsetNoticeProcessor(c, quiet_notice, NULL);
	PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
	int ok = r && (PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK);
	if (!ok)
		fprintf(stderr, "postgres: %s\n", PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	return ok ? 0 : 1;
}

void t_cleanup(void)
{
	if (tmpdir[0]) {
		char cmd[300];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
		tmpdir[0] = '\0';
	}
}

int t_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}

int64_t t_query_int(const char *uri, const char *sql)
{
	int64_t result = -1;
	if (strncmp(uri, "sqlite:", 7) == 0) {
		sqlite3 *s = NULL;
		sqlite3_stmt *st = NULL;
		if (sqlite3_open(uri + 7, &s) == SQLITE_OK &&
		    sqlite3_prepare_v2(s, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
			result = sqlite3_column_int64(st, 0);
		else
			fprintf(stderr, "sqlite: %s\n", sqlite3_errmsg(s));
		sqlite3_finalize(st);
		sqlite3_close(s);
		return result;
	}
	PGconn *c = PQconnectdb(uri);
	PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
	if (r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
		result = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	else
		fprintf(stderr, "postgres: %s\n", PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	return result;
}

static oyl_actor *make_user(oyl_db *db, oyl_actor *root, const char *tenant, const char *email,
			    int role)
{
	oyl_user *u = NULL;
	oyl_actor *actor = NULL;
	ck_assert_int_eq(oyl_user_create(root, tenant, email, "Person", role, &u), OYL_OK);
	ck_assert_int_eq(oyl_actor_for_user(db, oyl_user_id(u), &actor), OYL_OK);
	oyl_user_free(u);
	return actor;
}

static void make_tenant(oyl_actor *root, const char *name, const char *slug, char out[37])
{
	oyl_tenant *t = NULL;
	ck_assert_int_eq(oyl_tenant_create(root, name, slug, NULL, &t), OYL_OK);
	memcpy(out, oyl_tenant_id(t), 37);
	oyl_tenant_free(t);
}

void t_two_tenants_make(oyl_db *db, t_two_tenants *w)
{
	memset(w, 0, sizeof *w);
	ck_assert_int_eq(oyl_actor_superadmin(db, &w->root), OYL_OK);
	make_tenant(w->root, "A", "a", w->tenant_a);
	make_tenant(w->root, "B", "b", w->tenant_b);
	w->admin_a = make_user(db, w->root, w->tenant_a, "admin@a.example", OYL_ROLE_TENANT_ADMIN);
	w->user_a = make_user(db, w->root, w->tenant_a, "user@a.example", OYL_ROLE_USER);
	w->admin_b = make_user(db, w->root, w->tenant_b, "admin@b.example", OYL_ROLE_TENANT_ADMIN);
	t_make_kb(w->root, w->tenant_a, w->kb_a);
	t_make_kb(w->root, w->tenant_b, w->kb_b);
}

void t_two_tenants_free(t_two_tenants *w)
{
	oyl_actor_free(w->root);
	oyl_actor_free(w->admin_a);
	oyl_actor_free(w->user_a);
	oyl_actor_free(w->admin_b);
	memset(w, 0, sizeof *w);
}

void t_make_kb(oyl_actor *root, const char *tenant, char out[37])
{
	oyl_workspace *w = NULL;
	oyl_teammate *tm = NULL;
	oyl_assistant *a = NULL;
	oyl_knowledge_base *k = NULL;
	ck_assert_int_eq(oyl_workspace_create(root, tenant, "W", &w), OYL_OK);
	ck_assert_int_eq(oyl_teammate_create(root, oyl_workspace_id(w), "T", NULL, &tm), OYL_OK);
	ck_assert_int_eq(oyl_assistant_create(root, oyl_teammate_id(tm), "A", &a), OYL_OK);
	ck_assert_int_eq(oyl_kb_create(root, oyl_assistant_id(a), "K", NULL, &k), OYL_OK);
	memcpy(out, oyl_kb_id(k), 37);
	oyl_workspace_free(w);
	oyl_teammate_free(tm);
	oyl_assistant_free(a);
	oyl_kb_free(k);
}
