/*
 * The SQLite backend's private declarations, shared by its files.
 * Nothing here leaves the library: the oyl__sq_* functions are hidden by
 * the build like every other oyl__ symbol.
 */
#ifndef OYL_SQ_INTERNAL_H
#define OYL_SQ_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "backends/sql/sql.h"
#include "oyl/sys/backend.h"

#define SQ_ERRMSG_SIZE 512
#define SQ_UUID_LEN 36
#define SQ_CACHE_SIZE 48

/* A prepared statement kept for reuse, keyed by its SQL text. */
typedef struct sq_cached {
	char *sql;           /* owned; NULL for a free slot */
	sqlite3_stmt *stmt;
	uint64_t last_used;  /* for least-recently-used eviction */
	bool busy;           /* handed out and not yet released */
} sq_cached;

typedef struct sq_backend {
	oyl_backend base; /* first, so that an oyl_backend * casts back */
	sqlite3 *db;
	const char *op;   /* what the current call does, for messages ("insert into") */
	const char *obj;  /* and on what ("users"), or "" */
	sq_cached cache[SQ_CACHE_SIZE];
	uint64_t clock;   /* ticks once per cache use */
	char errmsg[SQ_ERRMSG_SIZE];
} sq_backend;

static inline sq_backend *sq_of(oyl_backend *b)
{
	return (sq_backend *)b;
}

/* ---- messages and status mapping (sq_error.c) ---------------------- */

/* Names the current call for later messages: "insert into" + "users". */
void oyl__sq_context(sq_backend *b, const char *op, const char *obj);
/* Sets errmsg to "<op> <obj>: <printf text>" and returns status. */
int oyl__sq_fail(sq_backend *b, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Maps an SQLite result code to a status and sets errmsg from the connection. */
int oyl__sq_fail_sqlite(sq_backend *b, int sqlite_rc);
/* The oyl_status of an (extended) SQLite result code. */
int oyl__sq_status_of(int sqlite_rc);

/* ---- the dialect (sq_dialect.c) ------------------------------------- */

/* A new statement in SQLite's dialect (see backends/sql/sql.h). */
void oyl__sq_sql_init(oyl__sql *q);

/* ---- running statements (sq_stmt.c) --------------------------------- */

/* A statement handed out by oyl__sq_prepare(), with its cache slot or -1. */
typedef struct sq_stmt {
	sqlite3_stmt *stmt;
	int slot;
} sq_stmt;

/* Prepares (or takes from the cache) q's text and binds its parameters. */
int oyl__sq_prepare(sq_backend *b, const oyl__sql *q, sq_stmt *st);
/* Resets the statement and gives it back to the cache (or finalizes it). */
void oyl__sq_release(sq_backend *b, sq_stmt *st);
/* One step: SQLITE_ROW → 1, SQLITE_DONE → 0, failure → a status < 0 (message set). */
int oyl__sq_step(sq_backend *b, sq_stmt *st);
/* Prepares, steps to the end (no rows expected) and releases. */
int oyl__sq_run(sq_backend *b, const oyl__sql *q);
/* Runs fixed SQL without parameters (may hold several statements). */
int oyl__sq_exec(sq_backend *b, const char *sql);
/* Decodes the current row along t's columns (starting at result column 0) and calls cb. */
int oyl__sq_emit_row(sq_backend *b, sqlite3_stmt *stmt, const oyl_table *t, oyl_value *vals,
		     oyl_row_cb cb, void *payload);
/* Finalizes every cached statement (before closing the connection). */
void oyl__sq_cache_clear(sq_backend *b);
/* Rows changed by the last INSERT/UPDATE/DELETE. */
int64_t oyl__sq_changes(sq_backend *b);

/* Fails with the builder's message (q->err) under the call's context. */
int oyl__sq_fail_sql(sq_backend *b, int status, const oyl__sql *q);
/* Whether a write transaction is open (BEGIN IMMEDIATE, or a deferred
 * one that has written). */
bool oyl__sq_in_write_txn(sq_backend *b);

/* ---- methods --------------------------------------------------------- */

int oyl__sq_begin(oyl_backend *b, const oyl_scope *scope, unsigned flags);
int oyl__sq_commit(oyl_backend *b);
int oyl__sq_rollback(oyl_backend *b);

/* sq_read.c */
int oyl__sq_get(oyl_backend *b, const oyl_scope *scope, const oyl_table *t, const char *id,
		oyl_row_cb cb, void *payload);
int oyl__sq_list(oyl_backend *b, const oyl_scope *scope, const oyl_table *t, const oyl_query *q,
		 oyl_row_cb cb, void *payload);
int oyl__sq_count(oyl_backend *b, const oyl_scope *scope, const oyl_table *t,
		  const oyl_filter *filters, size_t nfilters, int64_t *count);
int oyl__sq_read_many(oyl_backend *b, oyl_read *reads, size_t n);
int oyl__sq_get_many(oyl_backend *b, const oyl_scope *scope, const oyl_table *t,
		     const char *const *ids, size_t n, oyl_row_cb cb, void *payload);
int oyl__sq_lock(oyl_backend *b, const oyl_scope *scope, const oyl_table *t, const char *id);

/* sq_write.c */
int oyl__sq_insert(oyl_backend *b, const oyl_scope *scope, const oyl_table *t,
		   const oyl_value *vals);
int oyl__sq_insert_many(oyl_backend *b, const oyl_scope *scope, const oyl_table *t,
			const oyl_value *rows, size_t nrows, size_t *failed_row);
int oyl__sq_update(oyl_backend *b, const oyl_scope *scope, const oyl_table *t,
		   const oyl_filter *filters, size_t nfilters, const oyl_assign *set, size_t nset,
		   int64_t *changed);
int oyl__sq_remove(oyl_backend *b, const oyl_scope *scope, const oyl_table *t,
		   const oyl_filter *filters, size_t nfilters, int64_t *deleted);
int oyl__sq_claim(oyl_backend *b, const oyl_scope *scope, const oyl_table *t,
		  const oyl_filter *filters, size_t nfilters, int32_t order_col, int64_t limit,
		  const oyl_assign *set, size_t nset, oyl_row_cb cb, void *payload);

/* Runs q, calling cb with each row decoded along `shape`. */
int oyl__sq_run_rows(sq_backend *b, const oyl__sql *q, const oyl_table *shape, oyl_row_cb cb,
		     void *payload);

/* sq_postings.c */
int oyl__sq_postings(oyl_backend *b, const oyl_scope *scope, const char *kb,
		     const char *const *terms, size_t nterms, oyl_postings_cb cb, void *payload);
int oyl__sq_migrate(oyl_backend *b, int target, int *from);
int oyl__sq_schema_version(oyl_backend *b, int *version);



/* ---- migrations (sq_migrations.c) ----------------------------------- */

typedef struct sq_migration {
	int version;
	/* DDL, NULL-terminated; each entry may hold several statements.  Run
	 * inside migrate()'s transaction. */
	const char *const *sql;
} sq_migration;

extern const sq_migration oyl__sq_migrations[];
extern const size_t oyl__sq_nmigrations;

#endif
