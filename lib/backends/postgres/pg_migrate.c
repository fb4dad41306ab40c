/*
 * Schema migrations: the embedded list of pg_migrations.c, applied in one
 * transaction under a transaction-scoped advisory lock, so that two
 * processes migrating an empty database at once apply it once (the second
 * waits, then finds the work done).  The lock is released by COMMIT or
 * ROLLBACK and works through a transaction-mode pooler.
 *
 * When the schema is already current — the usual case, and the only one
 * a runtime role without DDL rights may meet — migrate() only reads
 * schema_migrations: no lock, no DDL.  The transaction runs in platform
 * scope, so a data migration would see every tenant's rows.
 *
 * Table names are never schema-qualified: everything lives in the
 * connection's search_path.
 */
#include <stdio.h>
#include <string.h>

#include "pg_internal.h"

#define MIGRATION_LOCK_NAME "liboyl.migrate"
#define SELECT_VERSION "SELECT coalesce(max(version), 0) FROM schema_migrations"
#define SELECT_PRESENT "SELECT (to_regclass('schema_migrations') IS NOT NULL)::int"

/* The advisory lock key: FNV-1a (64 bits) of a name, not a magic number. */
static int64_t migration_lock_key(void)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (const char *p = MIGRATION_LOCK_NAME; *p; p++) {
		h ^= (unsigned char)*p;
		h *= UINT64_C(1099511628211);
	}
	int64_t key;
	memcpy(&key, &h, sizeof key); /* the same 64 bits, as PostgreSQL's bigint */
	return key;
}

static int newest_known(void)
{
	int newest = 0;

	for (size_t i = 0; i < oyl__pg_nmigrations; i++)
		if (oyl__pg_migrations[i].version > newest)
			newest = oyl__pg_migrations[i].version;
	return newest;
}

/* Runs fixed SQL (no parameters; may hold several statements). */
static int exec(pg_backend *b, const char *sql)
{
	PGresult *res = PQexec(b->conn, sql);
	int rc = OYL_OK;

	if (!res || (PQresultStatus(res) != PGRES_COMMAND_OK &&
		     PQresultStatus(res) != PGRES_TUPLES_OK))
		rc = oyl__pg_fail_result(b, res);
	PQclear(res);
	return rc;
}

/* Runs a statement that returns one integer (text result). */
static int query_int(pg_backend *b, const char *sql, const char *param, int64_t *out)
{
	PGresult *res = PQexecParams(b->conn, sql, param ? 1 : 0, NULL, &param, NULL, NULL, 0);
	int rc = OYL_OK;

	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = oyl__pg_fail_result(b, res);
	else if (PQntuples(res) != 1 || !oyl__pg_parse_int64(PQgetvalue(res, 0, 0), out))
		rc = oyl__pg_fail(b, OYL_ESTORAGE, "unexpected result of %s", sql);
	PQclear(res);
	return rc;
}

static int take_lock(pg_backend *b)
{
	char key[24];
	int64_t ignored;

	snprintf(key, sizeof key, "%lld", (long long)migration_lock_key());
	return query_int(b, "SELECT 1 FROM pg_advisory_xact_lock($1::int8)", key, &ignored);
}

static int record_version(pg_backend *b, int version)
{
	char sql[128];

	snprintf(sql, sizeof sql,
		 "INSERT INTO schema_migrations (version, applied_at) VALUES (%d, now())", version);
	return exec(b, sql);
}

static int apply(pg_backend *b, const pg_migration *m)
{
	char what[48];

	snprintf(what, sizeof what, "version %d", m->version);
	oyl__pg_context(b, "migrate to", what);
	int rc = exec(b, m->sql);
	if (rc == OYL_OK)
		rc = record_version(b, m->version);
	oyl__pg_context(b, "migrate", NULL); /* `what` is about to go */
	return rc;
}

/* Whether the versions found and asked for allow migrating (or nothing to do). */
static int judge(pg_backend *b, int64_t found, int target)
{
	int newest = newest_known();

	if (found > newest)
		return oyl__pg_fail(b, OYL_ESCHEMA,
				    "database schema version %lld is newer than this library (%d)",
				    (long long)found, newest);
	if (target > newest)
		return oyl__pg_fail(b, OYL_ESCHEMA,
				    "schema version %d is unknown to this library (newest %d)",
				    target, newest);
	if (found > target)
		return oyl__pg_fail(b, OYL_ESCHEMA,
				    "database schema version %lld is newer than the requested %d",
				    (long long)found, target);
	return OYL_OK;
}

/* Under the lock: creates the bookkeeping table and applies what is missing. */
static int migrate_locked(pg_backend *b, int target, int *from, bool *changed)
{
	int64_t found;

	int rc = take_lock(b);
	if (rc == OYL_OK)
		rc = exec(b, "CREATE TABLE IF NOT EXISTS schema_migrations ("
			     "version integer PRIMARY KEY, applied_at timestamptz NOT NULL)");
	if (rc == OYL_OK)
		rc = query_int(b, SELECT_VERSION, NULL, &found);
	if (rc != OYL_OK)
		return rc;
	if (from)
		*from = (int)found;
	rc = judge(b, found, target);

	for (size_t i = 0; i < oyl__pg_nmigrations && rc == OYL_OK; i++) {
		const pg_migration *m = &oyl__pg_migrations[i];

		if (m->version > found && m->version <= target) {
			rc = apply(b, m);
			*changed = true;
		}
	}
	return rc;
}

/* Everything migrate() does between BEGIN and COMMIT; *changed when it applied something. */
static int migrate_in_txn(pg_backend *b, int target, int *from, bool *changed)
{
	int64_t present = 0, found = 0;

	int rc = query_int(b, SELECT_PRESENT, NULL, &present);
	if (rc == OYL_OK && present)
		rc = query_int(b, SELECT_VERSION, NULL, &found);
	if (rc != OYL_OK)
		return rc;
	if (present && found >= target) {
		/* Current (or newer: refused).  A migrator that holds the lock
		 * only adds versions, so this answer cannot go stale. */
		if (from)
			*from = (int)found;
		return judge(b, found, target);
	}
	return migrate_locked(b, target, from, changed);
}

/* A transaction of the migration's own, in platform scope (a data
 * migration sees every tenant's rows); each setting a statement of its own. */
static int open_migration(pg_backend *b)
{
	int rc = exec(b, "BEGIN");
	if (rc == OYL_OK)
		rc = exec(b, "SET LOCAL citus.propagate_set_commands = 'local'");
	if (rc == OYL_OK)
		rc = exec(b, "SET LOCAL oyl.tenant_id = ''");
	if (rc == OYL_OK)
		rc = exec(b, "SET LOCAL oyl.platform = 'on'");
	return rc;
}

/* No transaction, no queued statement: the connection is free for PQexec. */
static int idle_for_exec(pg_backend *b)
{
	if (b->txn != PG_TXN_NONE || b->nqueue ||
	    PQpipelineStatus(b->conn) != PQ_PIPELINE_OFF ||
	    (!oyl__pg_lost(b) && PQtransactionStatus(b->conn) != PQTRANS_IDLE))
		return oyl__pg_fail(b, OYL_EMISUSE, "cannot migrate inside a transaction");
	return oyl__pg_check_idle(b);
}

int oyl__pg_migrate(oyl_backend *base, int target, int *from)
{
	pg_backend *b = pg_of(base);
	bool changed = false;

	oyl__pg_context(b, "migrate", NULL);
	if (target < 0)
		return oyl__pg_fail(b, OYL_EINVAL, "negative target version %d", target);
	int rc = idle_for_exec(b);
	if (rc == OYL_OK)
		rc = open_migration(b);
	if (rc == OYL_OK)
		rc = migrate_in_txn(b, target, from, &changed);
	/* Nothing applied, or a failure: leave the database as it was. */
	if (!oyl__pg_lost(b) && PQtransactionStatus(b->conn) != PQTRANS_IDLE) {
		if (rc == OYL_OK && changed) {
			rc = exec(b, "COMMIT");
			oyl__pg_detect(b); /* the wall and its roles may be new */
			return rc;
		}
		PQclear(PQexec(b->conn, "ROLLBACK"));
	}
	return rc;
}

int oyl__pg_schema_version(oyl_backend *base, int *version)
{
	pg_backend *b = pg_of(base);
	int64_t present = 0, found = 0;

	oyl__pg_context(b, "schema version", NULL);
	if (!version)
		return oyl__pg_fail(b, OYL_EINVAL, "no version out-pointer");
	*version = 0;
	int rc = idle_for_exec(b);
	if (rc == OYL_OK)
		rc = query_int(b, SELECT_PRESENT, NULL, &present);
	if (rc == OYL_OK && present)
		rc = query_int(b, SELECT_VERSION, NULL, &found);
	if (rc == OYL_OK)
		*version = (int)found;
	return rc;
}
