/*
 * Schema lint from the catalogs: on every tenant-owned table, every
 * foreign key and every unique constraint or index must include
 * tenant_id (doc/schema.md: a row can never point into another tenant, and a
 * constraint error can never reveal another tenant's data).  The lint is
 * also run on a deliberately bad table, to show that it can fail.
 */
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Returns the number of violations found in `table`, printing each. */
static int lint_sqlite(sqlite3 *s, const char *table)
{
	int bad = 0;
	sqlite3_stmt *st;
	/* foreign keys: one id per constraint, one row per column */
	ck_assert_int_eq(sqlite3_prepare_v2(s,
					    "SELECT id, sum(\"from\" = 'tenant_id') FROM "
					    "pragma_foreign_key_list(?1) GROUP BY id",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		if (sqlite3_column_int(st, 1) == 0) {
			printf("%s: foreign key #%d lacks tenant_id\n", table, sqlite3_column_int(st, 0));
			bad++;
		}
	sqlite3_finalize(st);
	ck_assert_int_eq(sqlite3_prepare_v2(s,
					    "SELECT il.name, (SELECT count(*) FROM pragma_index_info(il.name) "
					    "WHERE name = 'tenant_id') FROM pragma_index_list(?1) il "
					    "WHERE il.\"unique\"",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		if (sqlite3_column_int(st, 1) == 0) {
			printf("%s: unique index %s lacks tenant_id\n", table, sqlite3_column_text(st, 0));
			bad++;
		}
	sqlite3_finalize(st);
	return bad;
}

static const char *pg_lint_sql =
	"SELECT c.conname, c.contype FROM pg_constraint c "
	"JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace "
	"WHERE n.nspname = current_schema() AND r.relname = $1 AND c.contype IN ('f','u','p') "
	"AND NOT EXISTS (SELECT 1 FROM unnest(c.conkey) k JOIN pg_attribute a "
	"  ON a.attrelid = c.conrelid AND a.attnum = k WHERE a.attname = 'tenant_id') "
	"UNION ALL "
	"SELECT ic.relname, 'i' FROM pg_index i JOIN pg_class r ON r.oid = i.indrelid "
	"JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = r.relnamespace "
	"WHERE n.nspname = current_schema() AND r.relname = $1 AND i.indisunique "
	"AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
	"AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indrelid "
	"  AND a.attnum = ANY(i.indkey) AND a.attname = 'tenant_id')";

static int lint_pg(PGconn *c, const char *table)
{
	const char *params[1] = {table};
	PGresult *r = PQexecParams(c, pg_lint_sql, 1, NULL, params, NULL, NULL, 0);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
	int bad = PQntuples(r);
	for (int i = 0; i < bad; i++)
		printf("%s: %s (%s) lacks tenant_id\n", table, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
	PQclear(r);
	return bad;
}

/* A table with a foreign key and a unique constraint that lack tenant_id. */
static const char *bad_table_sql(void)
{
	return t_is_postgres()
		       ? "CREATE TABLE bad_child (tenant_id uuid NOT NULL, id uuid NOT NULL, owner uuid, "
			 "name text, PRIMARY KEY (tenant_id, id), UNIQUE (name), "
			 "FOREIGN KEY (owner) REFERENCES tenants (id))"
		       : "CREATE TABLE bad_child (tenant_id TEXT NOT NULL, id TEXT NOT NULL, owner TEXT, "
			 "name TEXT, PRIMARY KEY (tenant_id, id), UNIQUE (name), "
			 "FOREIGN KEY (owner) REFERENCES tenants (id))";
}

START_TEST(tenant_owned_constraints_include_tenant_id)
{
	char uri[T_URI_MAX];
	t_fresh_uri(uri);
	oyl_db_close(t_open_uri(uri));
	ck_assert_int_eq(t_exec_sql(t_owner_uri(uri), bad_table_sql()), 0);

	size_t n;
	const oyl_table *const *tables = oyl_schema_tables(&n);
	int bad = 0, owned = 0;
	sqlite3 *s = NULL;
	PGconn *pg = NULL;
	if (t_is_postgres()) {
		pg = PQconnectdb(uri);
		ck_assert_int_eq(PQstatus(pg), CONNECTION_OK);
	} else {
		ck_assert_int_eq(sqlite3_open(uri + 7, &s), SQLITE_OK);
	}
	for (size_t i = 0; i < n; i++) {
		if (tables[i]->tenant_col < 0)
			continue;
		owned++;
		bad += pg ? lint_pg(pg, tables[i]->name) : lint_sqlite(s, tables[i]->name);
	}
	/* the bad table: a foreign key and a unique constraint without tenant_id */
	int caught = pg ? lint_pg(pg, "bad_child") : lint_sqlite(s, "bad_child");
	PQfinish(pg);
	sqlite3_close(s);
	ck_assert_int_eq(owned, 18);
	ck_assert_msg(bad == 0, "%d constraints lack tenant_id", bad);
	ck_assert_int_eq(caught, 2);
}
END_TEST

int main(int argc, char **argv)
{
	t_init(argc, argv);
	Suite *s = suite_create(t_backend());
	TCase *tc = tcase_create("schema-lint");
	tcase_add_test(tc, tenant_owned_constraints_include_tenant_id);
	suite_add_tcase(s, tc);
	int rc = t_run(s);
	t_cleanup();
	return rc;
}
