/*
 * migrate() and schema_version().
 *
 * BEGIN EXCLUSIVE takes the database's write lock before the version is
 * read (waiting up to the busy timeout), so concurrent migrators, in this
 * process or others, run one after the other: the second one finds the
 * version the first one committed and has nothing left to do.
 */
#include <time.h>

#include "sq_internal.h"

static int latest_known(void)
{
	int latest = 0;

	for (size_t i = 0; i < oyl__sq_nmigrations; i++)
		if (oyl__sq_migrations[i].version > latest)
			latest = oyl__sq_migrations[i].version;
	return latest;
}

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Runs a one-row, one-integer query; *out = 0 when it has no row. */
static int query_int(sq_backend *b, const oyl__sql *q, int64_t *out)
{
	sq_stmt st;
	int rc = oyl__sq_prepare(b, q, &st);

	*out = 0;
	if (rc != OYL_OK)
		return rc;
	rc = oyl__sq_step(b, &st);
	if (rc == 1) {
		*out = sqlite3_column_int64(st.stmt, 0);
		rc = OYL_OK;
	}
	oyl__sq_release(b, &st);
	return rc;
}

/* The highest version in schema_migrations; 0 when the table does not exist. */
static int read_version(sq_backend *b, int *version)
{
	static const char table[] = "schema_migrations";
	int64_t n = 0;
	oyl__sql q;

	*version = 0;
	oyl__sq_sql_init(&q);
	oyl__sql_add(&q, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ");
	oyl_value name = {OYL_TYPE_TEXT, 0, 0, table, sizeof table - 1};
	oyl__sql_bind(&q, OYL_TYPE_TEXT, "name", &name);
	int rc = query_int(b, &q, &n);
	oyl__sql_free(&q);
	if (rc != OYL_OK || n == 0)
		return rc;

	oyl__sq_sql_init(&q);
	oyl__sql_add(&q, "SELECT coalesce(max(version), 0) FROM \"schema_migrations\"");
	rc = query_int(b, &q, &n);
	oyl__sql_free(&q);
	if (rc == OYL_OK && (n < 0 || n > INT32_MAX))
		return oyl__sq_fail(b, OYL_ESCHEMA, "schema_migrations holds version %lld",
				    (long long)n);
	*version = (int)n;
	return rc;
}

static int apply(sq_backend *b, const sq_migration *m)
{
	oyl__sql q;
	int rc = OYL_OK;

	for (const char *const *step = m->sql; *step && rc == OYL_OK; step++)
		rc = oyl__sq_exec(b, *step);
	if (rc != OYL_OK)
		return rc;
	oyl__sq_sql_init(&q);
	oyl__sql_add(&q, "INSERT INTO \"schema_migrations\" (\"version\", \"applied_at\") VALUES (");
	oyl__sql_bind_int(&q, m->version);
	oyl__sql_add(&q, ", ");
	oyl__sql_bind_int(&q, now_us());
	oyl__sql_add(&q, ")");
	rc = oyl__sq_run(b, &q);
	oyl__sql_free(&q);
	return rc;
}

/* Inside the exclusive transaction: check the found version, apply what is missing. */
static int upgrade(sq_backend *b, int found, int target, int latest)
{
	if (found > latest)
		return oyl__sq_fail(b, OYL_ESCHEMA,
				    "database schema version %d is newer than this library (%d)",
				    found, latest);
	if (found > target)
		return oyl__sq_fail(b, OYL_ESCHEMA,
				    "database schema version %d is newer than the requested version %d",
				    found, target);
	/* the array is in version order */
	for (size_t i = 0; i < oyl__sq_nmigrations; i++) {
		const sq_migration *m = &oyl__sq_migrations[i];
		if (m->version <= found || m->version > target)
			continue;
		oyl__sq_context(b, "applying schema migration", NULL);
		int rc = apply(b, m);
		if (rc != OYL_OK)
			return rc;
	}
	return OYL_OK;
}

int oyl__sq_migrate(oyl_backend *base, int target, int *from)
{
	sq_backend *b = sq_of(base);
	int latest = latest_known(), found = 0;

	/* the core says "migrating the schema: " before our messages */
	oyl__sq_context(b, NULL, NULL);
	if (from)
		*from = 0;
	if (target < 0)
		return oyl__sq_fail(b, OYL_EINVAL, "schema version %d is not a version", target);
	if (target > latest)
		return oyl__sq_fail(b, OYL_ESCHEMA,
				    "requested schema version %d is newer than this library (%d)",
				    target, latest);
	if (!sqlite3_get_autocommit(b->db))
		return oyl__sq_fail(b, OYL_EMISUSE, "a transaction is open on this connection");

	int rc = oyl__sq_exec(b, "BEGIN EXCLUSIVE");
	if (rc != OYL_OK)
		return rc;
	rc = read_version(b, &found);
	if (rc == OYL_OK) {
		if (from)
			*from = found;
		rc = upgrade(b, found, target, latest);
	}
	if (rc == OYL_OK)
		rc = oyl__sq_exec(b, "COMMIT");
	if (rc != OYL_OK && !sqlite3_get_autocommit(b->db))
		sqlite3_exec(b->db, "ROLLBACK", NULL, NULL, NULL); /* keep the first message */
	return rc;
}

int oyl__sq_schema_version(oyl_backend *base, int *version)
{
	sq_backend *b = sq_of(base);

	oyl__sq_context(b, NULL, NULL);
	if (!version)
		return oyl__sq_fail(b, OYL_EINVAL, "no version out-pointer");
	return read_version(b, version);
}
