/* The database handle: opening by URI, closing, errors, migrations. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "backends/backends.h"
#include "core/internal.h"
#include "blobs/blob.h"
#include "embed/registry.h"
#include "chat/provider.h"
#include "search/rank.h"

static _Thread_local char open_error[OYL_ERRMSG_MAX];

OYL_API const char *oyl_last_open_error(void)
{
	return open_error;
}

oyl_db *oyl__db_check(const oyl_db *db)
{
	return (db && db->magic == OYL_DB_MAGIC && db->backend) ? (oyl_db *)db : NULL;
}

void oyl__error_keep(const oyl_db *db, oyl__kept_error *e)
{
	e->code = db->errcode;
	memcpy(e->msg, db->errmsg, sizeof e->msg);
}

void oyl__error_restore(oyl_db *db, const oyl__kept_error *e)
{
	db->errcode = e->code;
	memcpy(db->errmsg, e->msg, sizeof db->errmsg);
}

int oyl__ok(oyl_db *db)
{
	db->errcode = OYL_OK;
	db->errmsg[0] = '\0';
	return OYL_OK;
}

int oyl__fail(oyl_db *db, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(db->errmsg, sizeof db->errmsg, fmt, ap);
	va_end(ap);
	db->errcode = code;
	return code;
}

/* A libpq key=value string: it starts with a keyword and "=" (spaces
 * allowed around it), as "host=/tmp dbname=x" does; a URI with a scheme
 * ("mysql://h/db?x=y") does not, whatever '=' it holds later. */
static int is_conninfo(const char *uri)
{
	const char *p = uri;
	while (*p == ' ' || *p == '\t')
		p++;
	const char *key = p;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
	       *p == '_')
		p++;
	if (p == key)
		return 0;
	while (*p == ' ' || *p == '\t')
		p++;
	return *p == '=';
}

/* "sqlite:PATH" / "sqlite::memory:" → sqlite; URIs and key=value → postgres. */
static int open_backend_by_uri(oyl_backend **out, const char *uri, const oyl_db_options *opts,
			       char *err, size_t errlen)
{
	static const char sqlite_prefix[] = "sqlite:";
	if (strncmp(uri, sqlite_prefix, sizeof sqlite_prefix - 1) == 0) {
		const char *path = uri + sizeof sqlite_prefix - 1;
		if (!*path) {
			snprintf(err, errlen, "sqlite URI has no path (use sqlite:PATH or sqlite::memory:)");
			return OYL_EINVAL;
		}
		return oyl__sqlite_backend_new(out, path, opts, err, errlen);
	}
	if (strncmp(uri, "postgresql://", 13) == 0 || strncmp(uri, "postgres://", 11) == 0 ||
	    is_conninfo(uri))
		return oyl__postgres_backend_new(out, uri, opts, err, errlen);
	const char *colon = strstr(uri, "://");
	if (colon && colon - uri < 32)
		snprintf(err, errlen,
			 "unknown scheme \"%.*s\": expected postgresql://..., postgres://..., "
			 "a libpq key=value string, sqlite:PATH or sqlite::memory:",
			 (int)(colon - uri), uri);
	else
		snprintf(err, errlen,
			 "unrecognised database URI: expected postgresql://..., postgres://..., "
			 "a libpq key=value string, sqlite:PATH or sqlite::memory:");
	return OYL_EINVAL;
}

OYL_API int oyl_backend_open(oyl_backend **out, const char *uri, const oyl_db_options *opts,
			     char *errbuf, size_t errbuf_size)
{
	char scratch[OYL_ERRMSG_MAX];
	if (!errbuf || !errbuf_size) {
		errbuf = scratch;
		errbuf_size = sizeof scratch;
	}
	errbuf[0] = '\0';
	if (!out) {
		snprintf(errbuf, errbuf_size, "oyl_backend_open: NULL out-pointer");
		return OYL_EMISUSE;
	}
	*out = NULL;
	if (!uri) {
		snprintf(errbuf, errbuf_size, "oyl_backend_open: NULL URI");
		return OYL_EINVAL;
	}
	if (opts && opts->size < sizeof(uint32_t)) {
		snprintf(errbuf, errbuf_size, "oyl_db_options.size is not set (use OYL_DB_OPTIONS_INIT)");
		return OYL_EINVAL;
	}
	return open_backend_by_uri(out, uri, opts, errbuf, errbuf_size);
}

/* The methods every backend must have, by name for messages. */
static const struct {
	size_t offset;
	const char *name;
} required[] = {
	{offsetof(oyl_backend, begin), "begin"},
	{offsetof(oyl_backend, commit), "commit"},
	{offsetof(oyl_backend, rollback), "rollback"},
	{offsetof(oyl_backend, insert), "insert"},
	{offsetof(oyl_backend, get), "get"},
	{offsetof(oyl_backend, update), "update"},
	{offsetof(oyl_backend, remove), "remove"},
	{offsetof(oyl_backend, list), "list"},
	{offsetof(oyl_backend, count), "count"},
	{offsetof(oyl_backend, migrate), "migrate"},
	{offsetof(oyl_backend, schema_version), "schema_version"},
	{offsetof(oyl_backend, errmsg), "errmsg"},
	{offsetof(oyl_backend, free), "free"},
};

static int has_method(const oyl_backend *b, size_t offset)
{
	void (*fn)(void);
	memcpy(&fn, (const char *)b + offset, sizeof fn);
	return fn != NULL;
}

OYL_API uint32_t oyl_backend_caps(const oyl_backend *b)
{
	uint32_t caps = 0;
	if (!b || b->version < 1)
		return 0;
	/* a field is read only when the backend's version has it */
	if (b->version >= 2 && b->lock)
		caps |= OYL_BACKEND_CAP_LOCK;
	if (b->version >= 3) {
		if (b->read_many)
			caps |= OYL_BACKEND_CAP_READ_MANY | OYL_BACKEND_CAP_LOCK;
		if (b->get_many)
			caps |= OYL_BACKEND_CAP_GET_MANY;
		if (b->insert_many)
			caps |= OYL_BACKEND_CAP_INSERT_MANY;
		if (b->claim)
			caps |= OYL_BACKEND_CAP_CLAIM;
		if (b->failed_write)
			caps |= OYL_BACKEND_CAP_DEFER;
	}
	if (b->version >= 4 && b->locate)
		caps |= OYL_BACKEND_CAP_LOCATE;
	if (b->version >= 6 && b->postings)
		caps |= OYL_BACKEND_CAP_POSTINGS;
	if (b->version >= 7 && b->read_many_commit)
		caps |= OYL_BACKEND_CAP_READ_COMMIT;
	if (b->version >= 8 && b->commit_start && b->commit_finish)
		caps |= OYL_BACKEND_CAP_COMMIT_START;
	if (b->version >= 9 && b->read_many)
		caps |= OYL_BACKEND_CAP_LIST_ANY;
	if (b->version >= 5 && b->wait)
		caps |= OYL_BACKEND_CAP_WAIT;
	return caps;
}

static int check_backend_version(oyl_backend *b, char *err, size_t errlen)
{
	if (b->version < 1 || b->version > OYL_BACKEND_VERSION) {
		snprintf(err, errlen, "backend version %u is not supported (this library: 1..%d)",
			 b->version, OYL_BACKEND_VERSION);
		return OYL_EINVAL;
	}
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
		if (!has_method(b, required[i].offset)) {
			snprintf(err, errlen, "backend \"%s\" lacks the required method %s",
				 b->name ? b->name : "?", required[i].name);
			return OYL_EINVAL;
		}
	}
	return OYL_OK;
}

/* Where documents' originals go: the database, or the options' directory. */
static int open_blob_store(oyl_db *db, const oyl_db_options *opts)
{
	const char *dir = NULL;
	if (opts && opts->size >= offsetof(oyl_db_options, blob_dir) + sizeof opts->blob_dir)
		dir = opts->blob_dir;
	if (!dir)
		return oyl__blob_store_database(&db->blobs) ? oyl__fail(db, OYL_ENOMEM, "out of memory")
							    : OYL_OK;
	char err[256] = "";
	int rc = oyl__blob_store_directory(dir, &db->blobs, err, sizeof err);
	return rc ? oyl__fail(db, rc, "%s", err) : OYL_OK;
}

OYL_API int oyl_db_open_backend(oyl_db **out, oyl_backend *backend, const oyl_db_options *opts)
{
	open_error[0] = '\0';
	if (!out) {
		if (backend && backend->free)
			backend->free(backend);
		snprintf(open_error, sizeof open_error, "oyl_db_open_backend: NULL out-pointer");
		return OYL_EMISUSE;
	}
	*out = NULL;
	if (!backend) {
		snprintf(open_error, sizeof open_error, "oyl_db_open_backend: NULL backend");
		return OYL_EINVAL;
	}
	int rc = check_backend_version(backend, open_error, sizeof open_error);
	if (rc) {
		if (backend->free)
			backend->free(backend);
		return rc;
	}
	oyl_db *db = oyl__calloc(1, sizeof *db);
	if (!db) {
		backend->free(backend);
		snprintf(open_error, sizeof open_error, "out of memory opening the database");
		return OYL_ENOMEM;
	}
	db->magic = OYL_DB_MAGIC;
	db->backend = backend;
	db->caps = oyl_backend_caps(backend);
	if ((rc = open_blob_store(db, opts))) {
		snprintf(open_error, sizeof open_error, "%s", db->errmsg);
		oyl_db_close(db);
		return rc;
	}

	int version = 0;
	rc = backend->schema_version(backend, &version);
	if (rc == OYL_OK && version > OYL_SCHEMA_VERSION) {
		rc = oyl__fail(db, OYL_ESCHEMA,
			       "database schema version %d is newer than this library supports (%d): "
			       "upgrade liboyl",
			       version, OYL_SCHEMA_VERSION);
	} else if (rc != OYL_OK) {
		oyl__fail_backend(db, rc, "reading the schema version");
	} else if (opts && opts->size >= offsetof(oyl_db_options, flags) + sizeof opts->flags &&
		   (opts->flags & OYL_DB_MIGRATE)) {
		rc = oyl_db_migrate(db);
	}
	if (rc != OYL_OK) {
		snprintf(open_error, sizeof open_error, "%s", db->errmsg);
		oyl_db_close(db);
		return rc;
	}
	*out = db;
	return OYL_OK;
}

OYL_API int oyl_db_open(oyl_db **out, const char *uri, const oyl_db_options *opts)
{
	open_error[0] = '\0';
	if (!out) {
		snprintf(open_error, sizeof open_error, "oyl_db_open: NULL out-pointer");
		return OYL_EMISUSE;
	}
	*out = NULL;
	oyl_backend *backend = NULL;
	int rc = oyl_backend_open(&backend, uri, opts, open_error, sizeof open_error);
	if (rc != OYL_OK)
		return rc;
	return oyl_db_open_backend(out, backend, opts);
}

OYL_API void oyl_db_close(oyl_db *db)
{
	if (!oyl__db_check(db))
		return;
	if (db->in_txn && db->backend->rollback)
		db->backend->rollback(db->backend);
	db->backend->free(db->backend);
	db->backend = NULL;
	db->magic = 0;
	if (db->blobs)
		db->blobs->free(db->blobs);
	oyl__embedders_free(db);
	oyl__providers_free(db);
	oyl__rank_scratch_free(db);
	oyl__free(db->notes);
	oyl__free(db);
}

OYL_API int oyl_db_migrate(oyl_db *db)
{
	if (!oyl__db_check(db))
		return OYL_EMISUSE;
	if (db->in_txn)
		return oyl__fail(db, OYL_EMISUSE, "oyl_db_migrate: a transaction is open on this handle");
	int from = 0;
	int rc = db->backend->migrate(db->backend, OYL_SCHEMA_VERSION, &from);
	if (rc != OYL_OK)
		return oyl__fail_backend(db, rc, "migrating the schema");
	return oyl__ok(db);
}

OYL_API int oyl_db_schema_version(oyl_db *db, int *version)
{
	if (!oyl__db_check(db))
		return OYL_EMISUSE;
	if (!version)
		return oyl__fail(db, OYL_EMISUSE, "oyl_db_schema_version: NULL out-pointer");
	int rc = db->backend->schema_version(db->backend, version);
	if (rc != OYL_OK)
		return oyl__fail_backend(db, rc, "reading the schema version");
	return oyl__ok(db);
}

OYL_API const char *oyl_db_backend_name(const oyl_db *db)
{
	return oyl__db_check(db) ? db->backend->name : NULL;
}

OYL_API int oyl_db_errcode(const oyl_db *db)
{
	return oyl__db_check(db) ? db->errcode : OYL_EMISUSE;
}

OYL_API const char *oyl_db_errmsg(const oyl_db *db)
{
	if (!oyl__db_check(db))
		return "invalid or closed oyl_db handle";
	return db->errmsg[0] ? db->errmsg : oyl_strerror(db->errcode);
}

