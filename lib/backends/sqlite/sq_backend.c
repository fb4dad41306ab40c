/*
 * The SQLite backend: opening and configuring the connection, the vtable,
 * errmsg() and free().
 *
 * Every connection gets: extended result codes (to tell constraint kinds
 * apart), foreign keys on (off by default in SQLite, and the cascades
 * depend on them; checked, not assumed), WAL with synchronous=NORMAL for
 * files, the busy timeout, and defensive mode (no writable_schema and
 * friends).
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "backends/backends.h"
#include "sq_internal.h"

#define DEFAULT_BUSY_TIMEOUT_MS 5000

static const char *sq_errmsg(oyl_backend *base)
{
	return sq_of(base)->errmsg;
}

static void sq_free(oyl_backend *base)
{
	sq_backend *b = sq_of(base);

	if (!b)
		return;
	oyl__sq_cache_clear(b);
	/* an open transaction is rolled back by the close */
	if (b->db)
		sqlite3_close_v2(b->db);
	oyl_free(b);
}

/* Reads only the fields that the caller's (maybe older, smaller) struct has. */
static int busy_timeout_of(const oyl_db_options *opts)
{
	size_t need = offsetof(oyl_db_options, busy_timeout_ms) + sizeof opts->busy_timeout_ms;

	if (opts && opts->size >= need && opts->busy_timeout_ms > 0)
		return opts->busy_timeout_ms;
	return DEFAULT_BUSY_TIMEOUT_MS;
}

/* Whether the directory that would hold `path` exists. */
static bool directory_exists(const char *path)
{
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (!slash)
		return true; /* the current directory */
	if (slash == path)
		return true; /* the root */
	size_t n = (size_t)(slash - path);
	char *dir = oyl_malloc(n + 1);
	if (!dir)
		return true; /* no memory to tell: let the general message speak */
	memcpy(dir, path, n);
	dir[n] = '\0';
	bool ok = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
	oyl_free(dir);
	return ok;
}

static int fail_open(sq_backend *b, int rc, const char *path)
{
	int err = b->db ? sqlite3_system_errno(b->db) : 0;
	int status = oyl__sq_status_of(rc);

	b->op = NULL;
	if ((rc & 0xff) == SQLITE_CANTOPEN && !directory_exists(path))
		return oyl__sq_fail(b, OYL_ECONNECT, "cannot open database file %s: no such directory",
				    path);
	if ((rc & 0xff) == SQLITE_CANTOPEN && err)
		return oyl__sq_fail(b, OYL_ECONNECT, "cannot open database file %s: %s", path,
				    strerror(err));
	if (status == OYL_ESTORAGE || status == OYL_ECONNECT)
		status = OYL_ECONNECT; /* anything wrong with the file itself */
	return oyl__sq_fail(b, status, "cannot open database file %s: %s", path,
			    b->db ? sqlite3_errmsg(b->db) : sqlite3_errstr(rc));
}

/* A pragma that returns one integer. */
static int pragma_int(sq_backend *b, const char *sql, int64_t *out)
{
	oyl__sql q;
	sq_stmt st;

	*out = -1;
	oyl__sq_sql_init(&q);
	oyl__sql_add(&q, sql);
	int rc = oyl__sq_prepare(b, &q, &st);
	if (rc == OYL_OK) {
		rc = oyl__sq_step(b, &st);
		if (rc == 1) {
			*out = sqlite3_column_int64(st.stmt, 0);
			rc = OYL_OK;
		}
		oyl__sq_release(b, &st);
	}
	oyl__sql_free(&q);
	return rc;
}

static bool is_memory(sq_backend *b, const char *path)
{
	const char *file = sqlite3_db_filename(b->db, "main");

	return strcmp(path, ":memory:") == 0 || !file || !file[0];
}

/*
 * Runs a configuration pragma, retrying while the file is busy: two
 * processes opening a new database at once race to switch it to WAL, and
 * that switch can answer SQLITE_BUSY without waiting on the busy handler.
 */
static int exec_when_free(sq_backend *b, const char *sql, int timeout_ms)
{
	int rc, waited = 0;
	while ((rc = oyl__sq_exec(b, sql)) == OYL_EBUSY && waited < timeout_ms) {
		sqlite3_sleep(20);
		waited += 20;
	}
	return rc;
}

static int configure(sq_backend *b, const char *path, const oyl_db_options *opts)
{
	int64_t fk = 0;
	int rc;

	sqlite3_extended_result_codes(b->db, 1);
	sqlite3_busy_timeout(b->db, busy_timeout_of(opts));
#ifdef SQLITE_DBCONFIG_DEFENSIVE
	sqlite3_db_config(b->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
#endif
	oyl__sq_context(b, "configuring", path);
	rc = oyl__sq_exec(b, "PRAGMA foreign_keys = ON");
	if (rc == OYL_OK)
		rc = pragma_int(b, "PRAGMA foreign_keys", &fk);
	if (rc == OYL_OK && fk != 1)
		return oyl__sq_fail(b, OYL_ESTORAGE,
				    "foreign keys cannot be enabled (SQLite built without them?)");
	/* WAL: readers and the writer do not block each other; memory databases cannot */
	if (rc == OYL_OK && !is_memory(b, path))
		rc = exec_when_free(b, "PRAGMA journal_mode = WAL", busy_timeout_of(opts));
	if (rc == OYL_OK)
		rc = oyl__sq_exec(b, "PRAGMA synchronous = NORMAL");
	if (rc != OYL_OK) {
		/* the first read of a file that is not a database fails here */
		if (rc == OYL_ECONNECT || rc == OYL_ESTORAGE)
			return fail_open(b, sqlite3_extended_errcode(b->db), path);
	}
	return rc;
}

static void set_methods(oyl_backend *base)
{
	base->name = "sqlite";
	base->begin = oyl__sq_begin;
	base->commit = oyl__sq_commit;
	base->rollback = oyl__sq_rollback;
	base->insert = oyl__sq_insert;
	base->get = oyl__sq_get;
	base->update = oyl__sq_update;
	base->remove = oyl__sq_remove;
	base->list = oyl__sq_list;
	base->count = oyl__sq_count;
	base->postings = oyl__sq_postings;
	base->migrate = oyl__sq_migrate;
	base->schema_version = oyl__sq_schema_version;
	base->lock = oyl__sq_lock; /* version 2 */
	base->read_many = oyl__sq_read_many; /* version 3 */
	base->get_many = oyl__sq_get_many;
	base->insert_many = oyl__sq_insert_many;
	base->claim = oyl__sq_claim;
	/* no failed_write: every write runs at once */
	base->errmsg = sq_errmsg;
	base->free = sq_free;
}

int oyl__sqlite_backend_new(oyl_backend **out, const char *path, const oyl_db_options *opts,
			    char *errbuf, size_t errbuf_size)
{
	char scratch[SQ_ERRMSG_SIZE];
	int rc;

	if (!errbuf || !errbuf_size) {
		errbuf = scratch;
		errbuf_size = sizeof scratch;
	}
	errbuf[0] = '\0';
	if (!out) {
		snprintf(errbuf, errbuf_size, "sqlite: NULL out-pointer");
		return OYL_EMISUSE;
	}
	*out = NULL;
	if (!path || !*path) {
		snprintf(errbuf, errbuf_size, "sqlite: no database path (use a file path or :memory:)");
		return OYL_EINVAL;
	}

	sq_backend *b = oyl_malloc(sizeof *b);
	if (!b) {
		snprintf(errbuf, errbuf_size, "sqlite: out of memory");
		return OYL_ENOMEM;
	}
	memset(b, 0, sizeof *b);
	b->base = (oyl_backend)OYL_BACKEND_INIT;
	set_methods(&b->base);

	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
#ifdef SQLITE_OPEN_EXRESCODE
	flags |= SQLITE_OPEN_EXRESCODE;
#endif
	rc = sqlite3_open_v2(path, &b->db, flags, NULL);
	if (rc != SQLITE_OK)
		rc = b->db ? fail_open(b, sqlite3_extended_errcode(b->db), path)
			   : oyl__sq_fail(b, OYL_ENOMEM, "sqlite: out of memory opening %s", path);
	else
		rc = configure(b, path, opts);
	if (rc != OYL_OK) {
		snprintf(errbuf, errbuf_size, "%s", b->errmsg);
		sq_free(&b->base);
		return rc;
	}
	b->errmsg[0] = '\0';
	b->op = NULL;
	*out = &b->base;
	return OYL_OK;
}
