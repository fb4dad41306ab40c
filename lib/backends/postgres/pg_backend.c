/*
 * The PostgreSQL backend: connecting, the vtable, closing.
 *
 * One PGconn per backend.  Outside a transaction the library keeps no
 * session state but its prepared statements (pg_prepared.c), which the
 * host can turn off (OYL_DB_NO_PREPARE) for a pooler in transaction mode
 * that cannot carry them.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "backends/backends.h"
#include "pg_internal.h"

#define DEFAULT_CONNECT_TIMEOUT_S 10
/* extract(epoch ...) returns exact numeric from 14 on (TIME columns rely on it) */
#define MIN_SERVER_VERSION 140000

static const char *pg_errmsg(oyl_backend *base)
{
	return pg_of(base)->errmsg;
}

/* Also frees a half-made backend (no connection yet). */
static void pg_free(oyl_backend *base)
{
	if (!base)
		return;
	pg_backend *b = pg_of(base);
	if (b->conn)
		PQfinish(b->conn);
	for (size_t i = 0; i < b->nqueue; i++)
		PQclear(b->queue[i].res);
	oyl_free(b->queue);
	oyl_free(b->scratch);
	oyl__pg_prepared_free(b);
	oyl_free(b);
}

/* Server notices (e.g. "text-search query doesn't contain lexemes: ...")
 * would go to stderr and may quote user input: drop them. */
static void drop_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Named prepared statements unless the host said no. */
static bool prepare_of(const oyl_db_options *opts)
{
	size_t end = offsetof(oyl_db_options, flags) + sizeof opts->flags;

	return !(opts && opts->size >= end && (opts->flags & OYL_DB_NO_PREPARE));
}

/* Only fields inside opts->size were set by the host. */
static int connect_timeout_of(const oyl_db_options *opts)
{
	size_t end = offsetof(oyl_db_options, connect_timeout_s) + sizeof opts->connect_timeout_s;

	if (opts && opts->size >= end && opts->connect_timeout_s > 0)
		return opts->connect_timeout_s;
	return DEFAULT_CONNECT_TIMEOUT_S;
}

/* "<what>: <libpq's message>", trailing newlines trimmed.  Never the conninfo. */
static int open_error(char *errbuf, size_t size, int status, const char *what, const char *why)
{
	if (errbuf && size) {
		snprintf(errbuf, size, "%s: %s", what, why ? why : "out of memory");
		size_t n = strlen(errbuf);
		while (n && (errbuf[n - 1] == '\n' || errbuf[n - 1] == ' '))
			errbuf[--n] = '\0';
	}
	return status;
}

/* Checks the conninfo's syntax; says whether it sets connect_timeout. */
static int parse_conninfo(const char *conninfo, bool *has_timeout, char *errbuf, size_t size)
{
	char *why = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &why);

	if (!opts) {
		int rc = open_error(errbuf, size, why ? OYL_EINVAL : OYL_ENOMEM,
				    "invalid PostgreSQL connection string", why);
		PQfreemem(why);
		return rc;
	}
	*has_timeout = false;
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (strcmp(o->keyword, "connect_timeout") == 0 && o->val && o->val[0])
			*has_timeout = true;
	PQconninfoFree(opts);
	return OYL_OK;
}

/*
 * Connects with the conninfo as given; our defaults come before it in the
 * keyword list, so that a value the conninfo sets wins (libpq: later
 * keywords override earlier ones, and "dbname" expands to the conninfo).
 */
static PGconn *connect_with_defaults(const char *conninfo, bool has_timeout, int timeout_s)
{
	char timeout[16];
	const char *keys[5], *vals[5];
	int n = 0;

	snprintf(timeout, sizeof timeout, "%d", timeout_s);
	keys[n] = "fallback_application_name"; /* application_name=liboyl unless set */
	vals[n++] = "liboyl";
	keys[n] = "client_encoding"; /* the library speaks UTF-8 */
	vals[n++] = "UTF8";
	if (!has_timeout) {
		keys[n] = "connect_timeout";
		vals[n++] = timeout;
	}
	keys[n] = "dbname";
	vals[n++] = conninfo;
	keys[n] = NULL;
	vals[n] = NULL;
	return PQconnectdbParams(keys, vals, 1);
}

/*
 * Whether the server runs Citus (its settings exist once it is loaded;
 * loading it takes a restart, hence a new connection), whether the schema
 * on the search_path has the wall (schema version 5), and which of its
 * roles the login is a member of.  pg_has_role() of a role that does not
 * exist is an error, hence the CASEs.
 */
void oyl__pg_detect(pg_backend *b)
{
	PGresult *r = PQexec(
	    b->conn,
	    "SELECT current_setting('citus.version', true) IS NOT NULL,"
	    " to_regprocedure('oyl_scope_tenant()') IS NOT NULL,"
	    " CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'oyl_runtime')"
	    " THEN pg_has_role('oyl_runtime', 'MEMBER') ELSE false END,"
	    " CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'oyl_platform')"
	    " THEN pg_has_role('oyl_platform', 'MEMBER') ELSE false END");
	bool ok = r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
	b->citus = ok && PQgetvalue(r, 0, 0)[0] == 't';
	b->wall = ok && PQgetvalue(r, 0, 1)[0] == 't';
	b->as_runtime = ok && PQgetvalue(r, 0, 2)[0] == 't';
	b->as_platform = ok && PQgetvalue(r, 0, 3)[0] == 't';
	PQclear(r);
}

static void fill_vtable(oyl_backend *base)
{
	oyl_backend init = OYL_BACKEND_INIT;

	*base = init;
	base->name = "postgres";
	base->begin = oyl__pg_begin;
	base->commit = oyl__pg_commit;
	base->rollback = oyl__pg_rollback;
	base->insert = oyl__pg_insert;
	base->get = oyl__pg_get;
	base->update = oyl__pg_update;
	base->remove = oyl__pg_remove;
	base->list = oyl__pg_list;
	base->count = oyl__pg_count;
	base->postings = oyl__pg_postings;
	base->migrate = oyl__pg_migrate;
	base->schema_version = oyl__pg_schema_version;
	base->errmsg = pg_errmsg;
	base->free = pg_free;
	base->lock = oyl__pg_lock; /* version 2 */
	base->read_many = oyl__pg_read_many; /* version 3 */
	base->read_many_commit = oyl__pg_read_many_commit; /* version 7 */
	base->commit_start = oyl__pg_commit_start;          /* version 8 */
	base->commit_finish = oyl__pg_commit_finish;
	base->get_many = oyl__pg_get_many;
	base->insert_many = oyl__pg_insert_many;
	base->claim = oyl__pg_claim;
	base->failed_write = oyl__pg_failed_write;
	base->locate = oyl__pg_locate; /* version 4 */
	base->wait = oyl__pg_wait; /* version 5 */
}

int oyl__postgres_backend_new(oyl_backend **out, const char *conninfo, const oyl_db_options *opts,
			      char *errbuf, size_t errbuf_size)
{
	bool has_timeout = false;

	if (errbuf && errbuf_size)
		errbuf[0] = '\0';
	if (!out)
		return open_error(errbuf, errbuf_size, OYL_EMISUSE, "postgres", "no out-pointer");
	*out = NULL;
	if (!conninfo)
		return open_error(errbuf, errbuf_size, OYL_EINVAL, "postgres",
				  "no connection string");
	int rc = parse_conninfo(conninfo, &has_timeout, errbuf, errbuf_size);
	if (rc != OYL_OK)
		return rc;

	pg_backend *b = oyl_malloc(sizeof *b);
	if (!b)
		return open_error(errbuf, errbuf_size, OYL_ENOMEM, "postgres", "out of memory");
	memset(b, 0, sizeof *b);
	fill_vtable(&b->base);

	b->conn = connect_with_defaults(conninfo, has_timeout, connect_timeout_of(opts));
	if (!b->conn) {
		rc = open_error(errbuf, errbuf_size, OYL_ENOMEM, "cannot connect to PostgreSQL",
				"out of memory");
	} else if (PQstatus(b->conn) != CONNECTION_OK) {
		rc = open_error(errbuf, errbuf_size, OYL_ECONNECT, "cannot connect to PostgreSQL",
				PQerrorMessage(b->conn));
	} else if (PQserverVersion(b->conn) < MIN_SERVER_VERSION) {
		char why[96];
		const char *version = PQparameterStatus(b->conn, "server_version");
		snprintf(why, sizeof why, "server version %s is too old (14 or later needed)",
			 version ? version : "?");
		rc = open_error(errbuf, errbuf_size, OYL_ECONNECT, "cannot use PostgreSQL", why);
	}
	if (rc != OYL_OK) {
		pg_free(&b->base); /* PQfinish even for a failed connection */
		return rc;
	}
	PQsetNoticeProcessor(b->conn, drop_notice, NULL);
	oyl__pg_detect(b);
	/* pipelines are flushed without blocking (pg_pipeline.c) */
	PQsetnonblocking(b->conn, 1);
	b->prepare = prepare_of(opts);
	b->failed_write = -1;
	*out = &b->base;
	return OYL_OK;
}

PGconn *oyl__pg_conn(oyl_backend *b)
{
	return pg_of(b)->conn;
}
