/*
 * SQLite: the library's ingestion into a fresh file, and the bound: the
 * rows it wrote, inserted into another fresh file of the same schema (the
 * library's migration: same indexes, same full-text triggers) with the
 * same settings (foreign keys on, WAL, synchronous NORMAL), by one
 * prepared INSERT per table and one transaction per document, with the
 * plain sqlite3 API.  Only the inserts and commits are timed: each
 * document's rows are read from the library's file first.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest.h"

static const char *const written[] = {"documents", "document_blobs", "document_chunks",
				      "search_postings"};
#define NWRITTEN 4
/* how each table's rows of one document are found (by their unique keys,
 * which lead with the tenant) */
static const char *const of_document[] = {"tenant_id = ?1 AND id = ?2",
					  "tenant_id = ?1 AND document_id = ?2 ORDER BY seq",
					  "tenant_id = ?1 AND document_id = ?2 ORDER BY ordinal",
					  "tenant_id = ?1 AND document_id = ?2"};
static const char *const parents[] = {"tenants", "workspaces", "teammates", "assistants",
				      "knowledge_bases"};
#define NPARENTS 5

/* Rows of one table, values copied out of the reading statement. */
typedef struct rows {
	sqlite3_value **v;
	size_t n, cap;
	int ncols;
} rows;

static bool sq_ok(sqlite3 *db, int rc, const char *what)
{
	if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW)
		return true;
	fprintf(stderr, "oyl-ingest-bench: sqlite %s: %s\n", what, sqlite3_errmsg(db));
	return false;
}

static void remove_db(const char *path)
{
	char p[4400];
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

/* A fresh file with the library's schema; the library's handle on it. */
static oyl_db *fresh(const char *path)
{
	char uri[4400];
	remove_db(path);
	snprintf(uri, sizeof uri, "sqlite:%s", path);
	oyl_db_options o = OYL_DB_OPTIONS_INIT;
	o.flags = OYL_DB_MIGRATE;
	oyl_db *db = NULL;
	if (oyl_db_open(&db, uri, &o) != OYL_OK)
		fprintf(stderr, "oyl-ingest-bench: %s: %s\n", path, oyl_last_open_error());
	return db;
}

/* "a, b, c" and "?1, ?2, ?3" for a table's columns. */
static bool column_lists(sqlite3 *db, const char *table, char *cols, char *params, size_t size,
			 int *ncols)
{
	sqlite3_stmt *st = NULL;
	*ncols = 0;
	cols[0] = params[0] = '\0';
	if (!sq_ok(db, sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?1)", -1, &st,
					  NULL),
		   "table_info"))
		return false;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		size_t c = strlen(cols), p = strlen(params);
		snprintf(cols + c, size - c, "%s%s", *ncols ? ", " : "",
			 sqlite3_column_text(st, 0));
		snprintf(params + p, size - p, "%s?%d", *ncols ? ", " : "", *ncols + 1);
		(*ncols)++;
	}
	sqlite3_finalize(st);
	return *ncols > 0;
}

/* The reading and the inserting statement of each written table. */
static bool prepare(sqlite3 *src, sqlite3 *dst, sqlite3_stmt **sel, sqlite3_stmt **ins,
		    int *ncols)
{
	for (int i = 0; i < NWRITTEN; i++) {
		char cols[2048], params[1024], sql[4096];
		if (!column_lists(dst, written[i], cols, params, sizeof params, &ncols[i]))
			return false;
		/* the postings by their document's index: without statistics SQLite
		 * would read them off the key's tenant prefix instead */
		snprintf(sql, sizeof sql, "SELECT %s FROM %s%s WHERE %s", cols, written[i],
			 strcmp(written[i], "search_postings") == 0
				 ? " INDEXED BY search_postings_document_idx"
				 : "",
			 of_document[i]);
		if (!sq_ok(src, sqlite3_prepare_v2(src, sql, -1, &sel[i], NULL), sql))
			return false;
		snprintf(sql, sizeof sql, "INSERT INTO %s (%s) VALUES (%s)", written[i], cols,
			 params);
		if (!sq_ok(dst, sqlite3_prepare_v2(dst, sql, -1, &ins[i], NULL), sql))
			return false;
	}
	return true;
}

static bool fetch(sqlite3_stmt *sel, const char *tenant, const char *doc, int ncols, rows *r)
{
	r->n = 0;
	r->ncols = ncols;
	sqlite3_bind_text(sel, 1, tenant, -1, SQLITE_STATIC);
	sqlite3_bind_text(sel, 2, doc, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		if (r->n == r->cap) {
			size_t cap = r->cap ? r->cap * 2 : 64;
			sqlite3_value **v = realloc(r->v, cap * (size_t)ncols * sizeof *v);
			if (!v)
				return false;
			r->v = v;
			r->cap = cap;
		}
		for (int k = 0; k < ncols; k++)
			r->v[r->n * (size_t)ncols + (size_t)k] =
				sqlite3_value_dup(sqlite3_column_value(sel, k));
		r->n++;
	}
	sqlite3_reset(sel);
	return rc == SQLITE_DONE;
}

static void rows_clear(rows *r)
{
	for (size_t i = 0; i < r->n * (size_t)r->ncols; i++)
		sqlite3_value_free(r->v[i]);
	r->n = 0;
}

static bool insert(sqlite3 *dst, sqlite3_stmt *ins, const rows *r)
{
	for (size_t i = 0; i < r->n; i++) {
		for (int k = 0; k < r->ncols; k++)
			sqlite3_bind_value(ins, k + 1, r->v[i * (size_t)r->ncols + (size_t)k]);
		int rc = sqlite3_step(ins);
		sqlite3_reset(ins);
		if (!sq_ok(dst, rc, "insert"))
			return false;
	}
	return true;
}

/* The parents' rows (untimed), through the library's file attached. */
static bool copy_parents(sqlite3 *dst, const char *src_path)
{
	char sql[4400];
	char *quoted = sqlite3_mprintf("%Q", src_path);
	snprintf(sql, sizeof sql, "ATTACH %s AS src", quoted);
	sqlite3_free(quoted);
	bool ok = sq_ok(dst, sqlite3_exec(dst, sql, NULL, NULL, NULL), "attach");
	for (int i = 0; ok && i < NPARENTS; i++) {
		snprintf(sql, sizeof sql, "INSERT INTO main.%s SELECT * FROM src.%s", parents[i],
			 parents[i]);
		ok = sq_ok(dst, sqlite3_exec(dst, sql, NULL, NULL, NULL), sql);
	}
	return sq_ok(dst, sqlite3_exec(dst, "DETACH src", NULL, NULL, NULL), "detach") && ok;
}

/* Each document's rows read, then inserted in a timed transaction. */
static bool insert_all(sqlite3 *src, sqlite3 *dst, sqlite3_stmt **sel, sqlite3_stmt **ins,
		       const int *ncols, sq_run *out)
{
	sqlite3_stmt *ids = NULL;
	rows r[NWRITTEN];
	memset(r, 0, sizeof r);
	const char *sql = "SELECT tenant_id, id FROM documents ORDER BY rowid";
	bool ok = sq_ok(src, sqlite3_prepare_v2(src, sql, -1, &ids, NULL), "ids");
	while (ok && sqlite3_step(ids) == SQLITE_ROW) {
		const char *tenant = (const char *)sqlite3_column_text(ids, 0);
		const char *doc = (const char *)sqlite3_column_text(ids, 1);
		for (int i = 0; ok && i < NWRITTEN; i++)
			ok = fetch(sel[i], tenant, doc, ncols[i], &r[i]);
		clock_mark m;
		clock_start(&m, 0);
		ok = ok && sq_ok(dst, sqlite3_exec(dst, "BEGIN", NULL, NULL, NULL), "begin");
		for (int i = 0; ok && i < NWRITTEN; i++)
			ok = insert(dst, ins[i], &r[i]);
		ok = ok && sq_ok(dst, sqlite3_exec(dst, "COMMIT", NULL, NULL, NULL), "commit");
		timing t = clock_stop(&m);
		out->bound.wall_s += t.wall_s;
		out->bound.client_cpu_s += t.client_cpu_s;
		for (int i = 0; i < NWRITTEN; i++) {
			out->rows[i] += (int64_t)r[i].n;
			rows_clear(&r[i]);
		}
	}
	sqlite3_finalize(ids);
	for (int i = 0; i < NWRITTEN; i++)
		free(r[i].v);
	return ok;
}

/* The bound into `path`.bound, from the library's file at `path`. */
static bool bound(const char *path, sq_run *out)
{
	char bpath[4200];
	snprintf(bpath, sizeof bpath, "%s.bound", path);
	oyl_db *schema = fresh(bpath);
	if (!schema)
		return false;
	oyl_db_close(schema);
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_stmt *sel[NWRITTEN] = {NULL}, *ins[NWRITTEN] = {NULL};
	int ncols[NWRITTEN];
	bool ok = sq_ok(src, sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY, NULL), "open") &&
		  sq_ok(dst, sqlite3_open(bpath, &dst), "open") &&
		  sq_ok(dst, sqlite3_exec(dst,
					  "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; "
					  "PRAGMA synchronous = NORMAL",
					  NULL, NULL, NULL),
			"pragmas") &&
		  copy_parents(dst, path) && prepare(src, dst, sel, ins, ncols) &&
		  insert_all(src, dst, sel, ins, ncols, out);
	for (int i = 0; i < NWRITTEN; i++) {
		sqlite3_finalize(sel[i]);
		sqlite3_finalize(ins[i]);
	}
	sqlite3_close(src);
	sqlite3_close(dst);
	remove_db(bpath);
	return ok;
}

bool sq_run_once(const char *path, const corpus *c, sq_run *out)
{
	memset(out, 0, sizeof *out);
	out->bound.server_cpu_s = -1;
	oyl_db *db = fresh(path);
	if (!db)
		return false;
	bool ok = ingest_corpus(db, c, 0, ingest_one_by_one, &out->lib);
	oyl_db_close(db);
	ok = ok && bound(path, out);
	remove_db(path);
	return ok;
}
