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

void t_init(int argc, char **argv)
{
	if (argc > 1)
		backend_name = argv[1];
	if (t_is_postgres() && !getenv("OYL_TEST_PG")) {
		fprintf(stderr, "OYL_TEST_PG is not set: skipping the postgres backend\n");
		exit(77);
	}
	if (strcmp(backend_name, "sqlite") != 0 && !t_is_postgres()) {
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

void t_fresh_uri(char uri[T_URI_MAX])
{
	/* pid + counter: Check forks a child per test, and the names must differ. */
	int n = ++counter;
	if (!t_is_postgres()) {
		snprintf(uri, T_URI_MAX, "sqlite:%s/db-%d-%d.sqlite", sqlite_dir(), (int)getpid(), n);
		return;
	}
	char schema[64], sql[256];
	snprintf(schema, sizeof schema, "t_%d_%d", (int)getpid(), n);
	snprintf(sql, sizeof sql, "CREATE SCHEMA %s", schema);
	ck_assert_int_eq(t_exec_sql(getenv("OYL_TEST_PG"), sql), 0);
	snprintf(uri, T_URI_MAX, "%s options='-csearch_path=%s'", getenv("OYL_TEST_PG"), schema);
}

oyl_db *t_open_uri(const char *uri)
{
	oyl_db *db = NULL;
	oyl_db_options o = OYL_DB_OPTIONS_INIT;
	o.flags = OYL_DB_MIGRATE;
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
