/*
 * PostgreSQL: the library's ingestion as the app role, under row-level
 * security, and the bound: the rows it wrote, written again by COPY as
 * the tables' owner, with the same DDL (the library's migration) and so
 * the same indexes and constraints.  Row-level
 * security is off for the bound: the owner's schemas get NO FORCE ROW
 * LEVEL SECURITY (else the owner, which no policy names, would see and
 * write nothing) and row_security = off (so that a policy left in force
 * fails the COPY instead of costing it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/internal.h"
#include "ingest.h"

#define PIECE (1 << 20) /* bytes per PQputCopyData */

PGconn *oyl__pg_conn(oyl_backend *b);

/* What the bound writes, in an order its foreign keys allow. */
static const char *const written[] = {"documents", "document_blobs", "document_chunks",
				      "search_postings"};
#define NWRITTEN 4
/* What those rows hang from, copied (untimed) into the bound's schema. */
static const char *const parents[] = {"tenants", "workspaces", "teammates", "assistants",
				      "knowledge_bases"};
#define NPARENTS 5

typedef struct buf {
	char *s;
	size_t n, cap;
} buf;

static bool buf_put(buf *b, const char *s, size_t n)
{
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1 << 20;
		while (cap < b->n + n)
			cap *= 2;
		char *p = realloc(b->s, cap);
		if (!p)
			return false;
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	return true;
}

/* A table's rows as COPY gives them, in both formats, and its columns
 * (the generated search vector left out: the server computes it). */
typedef struct dump {
	char *cols;
	buf text, binary;
	int64_t rows;
} dump;

static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static PGconn *connect_to(const char *conninfo)
{
	PGconn *c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "oyl-ingest-bench: connect: %s", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	PQsetNoticeProcessor(c, ignore_notice, NULL);
	return c;
}

static bool exec_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	bool good = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!good)
		fprintf(stderr, "oyl-ingest-bench: %.120s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	return good;
}

static bool execf(PGconn *c, const char *fmt, const char *a, const char *b)
{
	char sql[512];
	snprintf(sql, sizeof sql, fmt, a, b);
	return exec_ok(c, sql);
}

/* The conninfo with the schema as search_path (a URI or key=value). */
static char *with_schema(const char *conninfo, const char *schema)
{
	size_t n = strlen(conninfo) + strlen(schema) + 64;
	char *out = malloc(n);
	if (out && strstr(conninfo, "://"))
		snprintf(out, n, "%s%soptions=-csearch_path%%3D%s", conninfo,
			 strchr(conninfo, '?') ? "&" : "?", schema);
	else if (out)
		snprintf(out, n, "%s options='-csearch_path=%s'", conninfo, schema);
	return out;
}

/* A new schema of the owner's, migrated by the library. */
static bool make_schema(PGconn *owner, const char *owner_conninfo, const char *schema)
{
	if (!execf(owner, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", schema, schema))
		return false;
	char *uri = with_schema(owner_conninfo, schema);
	oyl_db_options o = OYL_DB_OPTIONS_INIT;
	o.flags = OYL_DB_MIGRATE;
	oyl_db *db = NULL;
	int rc = uri ? oyl_db_open(&db, uri, &o) : OYL_ENOMEM;
	free(uri);
	if (rc != OYL_OK)
		fprintf(stderr, "oyl-ingest-bench: migrate %s: %s\n", schema,
			oyl_last_open_error());
	oyl_db_close(db);
	return rc == OYL_OK;
}

/* Row-level security off for the owner on the tables the bound reads and writes. */
static bool no_force(PGconn *owner, const char *schema)
{
	for (int i = 0; i < NWRITTEN + NPARENTS; i++) {
		const char *t = i < NWRITTEN ? written[i] : parents[i - NWRITTEN];
		if (!execf(owner, "ALTER TABLE %s.%s NO FORCE ROW LEVEL SECURITY", schema, t))
			return false;
	}
	return true;
}

/* The table's columns but generated ones, as a COPY column list. */
static char *columns(PGconn *c, const char *schema, const char *table)
{
	const char *params[2] = {schema, table};
	PGresult *r = PQexecParams(c,
				   "SELECT string_agg(quote_ident(column_name), ', ' ORDER BY "
				   "ordinal_position) FROM information_schema.columns WHERE "
				   "table_schema = $1 AND table_name = $2 "
				   "AND is_generated = 'NEVER'",
				   2, NULL, params, NULL, NULL, 0);
	char *cols = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
			     !PQgetisnull(r, 0, 0)
			     ? strdup(PQgetvalue(r, 0, 0))
			     : NULL;
	if (!cols)
		fprintf(stderr, "oyl-ingest-bench: columns of %s.%s: %s", schema, table,
			PQerrorMessage(c));
	PQclear(r);
	return cols;
}

static bool copy_out(PGconn *c, const char *schema, const char *table, const char *cols,
		     bool binary, buf *out)
{
	char sql[1024];
	snprintf(sql, sizeof sql, "COPY %s.%s (%s) TO STDOUT (FORMAT %s)", schema, table, cols,
		 binary ? "binary" : "text");
	PGresult *r = PQexec(c, sql);
	bool ok = PQresultStatus(r) == PGRES_COPY_OUT;
	PQclear(r);
	char *data;
	int n;
	while (ok && (n = PQgetCopyData(c, &data, 0)) > 0) {
		ok = buf_put(out, data, (size_t)n);
		PQfreemem(data);
	}
	while ((r = PQgetResult(c))) {
		ok = ok && PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
	}
	if (!ok)
		fprintf(stderr, "oyl-ingest-bench: %s: %s", sql, PQerrorMessage(c));
	return ok;
}

static bool copy_in(PGconn *c, const char *schema, const char *table, const char *cols,
		    bool binary, const buf *in)
{
	char sql[1024];
	snprintf(sql, sizeof sql, "COPY %s.%s (%s) FROM STDIN (FORMAT %s)", schema, table, cols,
		 binary ? "binary" : "text");
	PGresult *r = PQexec(c, sql);
	bool ok = PQresultStatus(r) == PGRES_COPY_IN;
	PQclear(r);
	for (size_t at = 0; ok && at < in->n; at += PIECE) {
		size_t n = in->n - at < PIECE ? in->n - at : PIECE;
		ok = PQputCopyData(c, in->s + at, (int)n) == 1;
	}
	if (PQputCopyEnd(c, ok ? NULL : "bench failed") != 1)
		ok = false;
	while ((r = PQgetResult(c))) {
		ok = ok && PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
	}
	if (!ok)
		fprintf(stderr, "oyl-ingest-bench: %s: %s", sql, PQerrorMessage(c));
	return ok;
}

static int64_t count_rows(PGconn *c, const char *schema, const char *table)
{
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s.%s", schema, table);
	PGresult *r = PQexec(c, sql);
	int64_t n = PQresultStatus(r) == PGRES_TUPLES_OK ? atoll(PQgetvalue(r, 0, 0)) : -1;
	PQclear(r);
	return n;
}

/* The library's rows of the written tables, in both formats. */
static bool dump_written(PGconn *owner, const char *schema, dump *d)
{
	for (int i = 0; i < NWRITTEN; i++) {
		if (!(d[i].cols = columns(owner, schema, written[i])) ||
		    !copy_out(owner, schema, written[i], d[i].cols, false, &d[i].text) ||
		    !copy_out(owner, schema, written[i], d[i].cols, true, &d[i].binary) ||
		    (d[i].rows = count_rows(owner, schema, written[i])) < 0)
			return false;
	}
	return true;
}

/* The parents' rows, from the library's schema into the bound's (untimed). */
static bool copy_parents(PGconn *owner, const char *from, const char *to)
{
	bool ok = exec_ok(owner, "BEGIN");
	for (int i = 0; ok && i < NPARENTS; i++) {
		buf b = {NULL, 0, 0};
		char *cols = columns(owner, from, parents[i]);
		ok = cols && copy_out(owner, from, parents[i], cols, true, &b) &&
		     copy_in(owner, to, parents[i], cols, true, &b);
		free(cols);
		free(b.s);
	}
	return exec_ok(owner, ok ? "COMMIT" : "ROLLBACK") && ok;
}

/* The timed part: the three tables in one transaction, then emptied. */
static bool load(PGconn *owner, const char *schema, const dump *d, bool binary, timing *t,
		 int64_t *sent)
{
	clock_mark m;
	*sent = 0;
	clock_start(&m, PQbackendPID(owner));
	fprintf(stderr, "COPY %s: backend pid %d\n", binary ? "binary" : "text",
		PQbackendPID(owner));
	bool ok = exec_ok(owner, "BEGIN");
	for (int i = 0; ok && i < NWRITTEN; i++) {
		const buf *b = binary ? &d[i].binary : &d[i].text;
		ok = copy_in(owner, schema, written[i], d[i].cols, binary, b);
		*sent += (int64_t)b->n;
	}
	ok = exec_ok(owner, ok ? "COMMIT" : "ROLLBACK") && ok;
	*t = clock_stop(&m);
	char qualified[NWRITTEN][128];
	for (int i = 0; i < NWRITTEN; i++)
		snprintf(qualified[i], sizeof qualified[i], "%s.%s", schema, written[i]);
	char sql[1024];
	snprintf(sql, sizeof sql, "TRUNCATE %s, %s, %s, %s CASCADE", qualified[0], qualified[1],
		 qualified[2], qualified[3]);
	return ok && exec_ok(owner, sql);
}

static void dumps_free(dump *d)
{
	for (int i = 0; i < NWRITTEN; i++) {
		free(d[i].cols);
		free(d[i].text.s);
		free(d[i].binary.s);
	}
}

/* The library's handle on the schema as the app role, and its connection. */
static oyl_db *open_app(const char *app, const char *schema, PGconn **conn)
{
	char *uri = with_schema(app, schema);
	oyl_db *db = NULL;
	int rc = uri ? oyl_db_open(&db, uri, NULL) : OYL_ENOMEM;
	free(uri);
	if (rc != OYL_OK) {
		fprintf(stderr, "oyl-ingest-bench: open as app: %s\n", oyl_last_open_error());
		return NULL;
	}
	*conn = oyl__pg_conn(db->backend);
	return db;
}

/* The library's part: the corpus ingested as the app role. */
static bool library_part(const char *app, const char *schema, const corpus *c, pg_run *out)
{
	PGconn *conn = NULL;
	oyl_db *db = open_app(app, schema, &conn);
	if (db) /* to profile the server's side: perf record -p <pid> */
		fprintf(stderr, "liboyl's backend: pid %d\n", PQbackendPID(conn));
	bool ok = db && ingest_corpus(db, c, PQbackendPID(conn), ingest_one_by_one, &out->lib);
	oyl_db_close(db);
	return ok;
}

/* Round trips, counted after the bound took the rows (a tenant of their own). */
static bool round_trips_part(const char *app, const char *schema, const corpus *c, pg_run *out)
{
	PGconn *conn = NULL;
	oyl_db *db = open_app(app, schema, &conn);
	bool ok = db && pg_round_trips(db, conn, c, &out->rt_small, &out->rt_large);
	oyl_db_close(db);
	return ok;
}

/* The bound's part: the library's rows out, into a fresh schema by COPY. */
static bool bound_part(PGconn *owner, const char *owner_conninfo, const char *from,
		       const char *to, bool binary_first, pg_bound *out)
{
	dump d[NWRITTEN];
	memset(d, 0, sizeof d);
	bool ok = no_force(owner, from) && dump_written(owner, from, d) &&
		  make_schema(owner, owner_conninfo, to) && no_force(owner, to) &&
		  copy_parents(owner, from, to);
	for (int k = 0; ok && k < 2; k++) {
		bool binary = (k == 0) == binary_first;
		ok = load(owner, to, d, binary, binary ? &out->binary : &out->text,
			  binary ? &out->bytes_binary : &out->bytes_text);
	}
	for (int i = 0; i < NWRITTEN; i++)
		out->rows[i] = d[i].rows;
	dumps_free(d);
	return ok;
}

bool pg_run_once(const char *app, const char *owner_conninfo, const corpus *c, int run,
		 bool binary_first, pg_run *out)
{
	char from[64], to[64];
	snprintf(from, sizeof from, "ingest_bench_%ld_%d", (long)getpid(), run);
	snprintf(to, sizeof to, "ingest_bound_%ld_%d", (long)getpid(), run);
	memset(out, 0, sizeof *out);
	PGconn *owner = connect_to(owner_conninfo);
	if (!owner)
		return false;
	bool ok = exec_ok(owner, "SET row_security = off") &&
		  make_schema(owner, owner_conninfo, from) && library_part(app, from, c, out) &&
		  bound_part(owner, owner_conninfo, from, to, binary_first, &out->bound) &&
		  round_trips_part(app, from, c, out);
	execf(owner, "DROP SCHEMA IF EXISTS %s CASCADE; DROP SCHEMA IF EXISTS %s CASCADE", from,
	      to);
	PQfinish(owner);
	return ok;
}
