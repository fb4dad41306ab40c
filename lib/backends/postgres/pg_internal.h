/*
 * The PostgreSQL backend's private declarations, shared by its files.
 * Nothing here leaves the library: the oyl__pg_* functions are hidden by
 * the build like every other oyl__ symbol.
 *
 * How a call reaches the server (doc/backends.md has the whole story):
 * statements are queued on libpq's pipeline (pg_pipeline.c) and sent with
 * one Sync per round trip.  A transaction opens on the server lazily, with
 * its first batch (pg_txn.c); its reads go in one batch with BEGIN and the
 * scope's settings; its writes wait in the pipeline and go with COMMIT.
 * Statements are prepared once per connection (pg_prepared.c) unless the
 * host turned that off for a pooler that cannot carry them.
 *
 * The files call each other in one direction only: reads and writes
 * (pg_read.c, pg_write.c, pg_postings.c) → transactions (pg_txn.c) →
 * pipeline (pg_pipeline.c) → prepared statements, parameters and errors.
 */
#ifndef OYL_PG_INTERNAL_H
#define OYL_PG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "backends/sql/sql.h"
#include "oyl/sys/backend.h"

#define PG_ERRMSG_SIZE 512
#define PG_UUID_LEN 36
/* Named statements per connection; texts beyond run unnamed. */
#define PG_PREPARED_MAX 512

/* ---- the queue of statements sent and not yet answered ----------------- */

typedef enum pg_entry_kind {
	PG_ENTRY_CONTROL, /* BEGIN, SET, COMMIT, ROLLBACK, SAVEPOINT ... */
	PG_ENTRY_PREPARE, /* the Parse of a named statement */
	PG_ENTRY_READ,    /* rows the caller takes after the sync */
	PG_ENTRY_WRITE    /* an INSERT, UPDATE or DELETE (a deferred one, perhaps) */
} pg_entry_kind;

typedef struct pg_entry {
	int kind;          /* a pg_entry_kind */
	int write_no;      /* WRITE: its number in the transaction (failed_write) */
	int slot;          /* PREPARE: the statement's slot */
	const char *op;    /* what it does, for messages: "insert into" */
	const char *obj;   /* on what: "users" */
	int64_t *affected; /* WRITE: where the row count goes, or NULL */
	PGresult *res;     /* READ: the result, the caller's after the sync */
	bool commit;       /* the COMMIT: lost with it, the outcome is unknown */
} pg_entry;

/* A named statement of this connection. */
typedef struct pg_prepared {
	char *text;   /* owned; NULL for a free slot */
	uint64_t hash;
	size_t len;   /* of text */
	int nparams;
	int state;    /* PG_PREP_* */
} pg_prepared;

enum { PG_PREP_NONE = 0, PG_PREP_SENT, PG_PREP_READY };

/* Where a transaction stands (between begin() and commit()/rollback()). */
enum { PG_TXN_NONE = 0, PG_TXN_READ, PG_TXN_WRITE };

typedef struct pg_backend {
	oyl_backend base; /* first, so that an oyl_backend * casts back */
	PGconn *conn;
	bool prepare;     /* name and prepare statements (the default) */
	bool citus;       /* the server has Citus: its setting goes first */

	/* the wall (schema version 5, doc/security.md), found at connect and
	 * after a migration: what the login may act as */
	bool wall;        /* the schema has oyl_scope_tenant() and its roles */
	bool as_runtime;  /* the login may SET ROLE oyl_runtime */
	bool as_platform; /* ... oyl_platform */
	bool lookup;      /* the statement being sent is a locate() */
	bool own_platform;/* a batch alone that reads as the platform too */

	/* the transaction */
	int txn;          /* PG_TXN_*: what begin() opened */
	bool txn_platform;/* begin()'s scope was the platform's */
	bool server_txn;  /* BEGIN is queued or ran: the server is in a transaction */
	bool scope_set;   /* the settings of `scope_tenant` are in force */
	char scope_tenant[PG_UUID_LEN + 1]; /* "" for the platform */
	int writes;       /* write calls since begin() */
	int failed_write; /* the write a failure came from, or -1 */

	/* the pipeline */
	pg_entry *queue;
	size_t nqueue, cap_queue;
	bool batch_opened; /* the queued batch starts a server transaction */
	bool batch_writes; /* the queued batch holds a write or a COMMIT of writes */

	pg_prepared prepared[PG_PREPARED_MAX];
	size_t nprepared;

	/* scratch for binary parameters and uuid text of decoded rows */
	char *scratch;
	size_t scratch_cap;

	/* LISTEN (pg_listen.c): a worker waiting for queued jobs */
	bool committing;  /* commit_start() sent COMMIT; commit_finish() reads it */
	bool listening;   /* LISTEN ran on this connection */
	bool notified;    /* a notification came while the connection was busy */

	const char *op;   /* the current call, for messages ("insert into") */
	const char *obj;  /* and its table ("users"), or "" */
	char errmsg[PG_ERRMSG_SIZE];
} pg_backend;

static inline pg_backend *pg_of(oyl_backend *b)
{
	return (pg_backend *)b;
}

/* ---- messages and status mapping (pg_error.c) ---------------------- */

void oyl__pg_context(pg_backend *b, const char *op, const char *obj);
int oyl__pg_fail(pg_backend *b, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Maps a failed result (or NULL) to a status and sets errmsg from it. */
int oyl__pg_fail_result(pg_backend *b, const PGresult *res);
/* Fails with the statement builder's message. */
int oyl__pg_fail_sql(pg_backend *b, int status, const oyl__sql *q);

/* ---- the dialect (pg_dialect.c) --------------------------------------- */

void oyl__pg_sql_init(oyl__sql *q);
/* The type a placeholder of coltype is cast to ("uuid", "int8", ...). */
const char *oyl__pg_type_name(int32_t coltype);
/* true when s is a canonical lowercase UUID. */
bool oyl__pg_is_uuid(const char *s);

/* ---- rows as arrays (pg_arrays.c) -------------------------------------- */

/* Writes into q the INSERT of t's nrows rows whose values are `values`'s
 * parameters (oyl__sql_insert_values), as one binary array per column. */
int oyl__pg_sql_insert_arrays(oyl__sql *q, const oyl_table *t, const oyl__sql *values,
			      size_t nrows);

/* ---- parameters and rows (pg_params.c, pg_rows.c) ---------------------- */

typedef struct pg_params {
	const char **values;
	int *lengths;
	int *formats;
	int n;
} pg_params;

/* The longest binary form oyl__pg_encode writes. */
#define PG_BINARY_MAX 16
/* Writes the binary form of p, a UUID, number, time or boolean, into buf
 * (PG_BINARY_MAX bytes); returns its length. */
int oyl__pg_encode(const oyl__sql_param *p, char *buf);
/* The length oyl__pg_encode writes for a value of coltype. */
int oyl__pg_encoded_size(int32_t coltype);
/* The libpq arrays of q's parameters, in binary form, in b's scratch. */
int oyl__pg_params(pg_backend *b, const oyl__sql *q, pg_params *out);
/* Calls cb for every row of res (binary), decoded along t's columns. */
int oyl__pg_emit_rows(pg_backend *b, const PGresult *res, const oyl_table *t, oyl_row_cb cb,
		      void *payload);
/* The int8 of row 0, column 0 of a binary result. */
int oyl__pg_result_int(pg_backend *b, const PGresult *res, int64_t *out);
bool oyl__pg_parse_int64(const char *s, int64_t *out);
/* Grows the scratch buffer to at least n bytes. */
char *oyl__pg_scratch(pg_backend *b, size_t n);

/* ---- prepared statements (pg_prepared.c) ------------------------------ */

/* The slot of text (prepared, being prepared, or to prepare), or -1 to
 * run it unnamed.  *must_parse when the caller has to send its Parse. */
int oyl__pg_prepared_slot(pg_backend *b, const char *text, size_t len, int nparams,
			  bool *must_parse);
/* The statement name of a slot ("oyl_<slot>"). */
void oyl__pg_prepared_name(int slot, char name[16]);
/* Every name is forgotten (the connection was reset). */
void oyl__pg_prepared_forget(pg_backend *b);
void oyl__pg_prepared_free(pg_backend *b);

/* ---- the pipeline (pg_pipeline.c) ------------------------------------- */

/* Queues one statement: q with its parameters, or fixed text (q NULL,
 * `fixed` set, `cacheable` when its text never changes). */
int oyl__pg_queue(pg_backend *b, const oyl__sql *q, const char *fixed, bool cacheable,
		  pg_entry entry);
/* Sends everything queued; reads input whenever output would block. */
int oyl__pg_flush(pg_backend *b);
/* Sends the queued statements with a Sync and reads every answer: one
 * round trip.  The first failure's status, with its message. */
int oyl__pg_sync(pg_backend *b);
/* The two halves of it: the statements and the Sync sent (a failure
 * forgets the transaction: nothing is to be read), then the answers read. */
int oyl__pg_sync_send(pg_backend *b);
int oyl__pg_sync_receive(pg_backend *b);
/* The result of the queued read at index i (taken: the caller PQclears). */
PGresult *oyl__pg_take(pg_backend *b, size_t i);
/* Drops every entry (after a sync: results not taken are cleared). */
void oyl__pg_queue_clear(pg_backend *b);
/* Makes sure an idle connection is alive, reconnecting if it is not. */
int oyl__pg_check_idle(pg_backend *b);
/* Reconnects (the connection was lost): names and settings are gone. */
int oyl__pg_reconnect(pg_backend *b);
/* true when the connection is known to be lost. */
bool oyl__pg_lost(const pg_backend *b);
/* ---- the wall's routed statements (pg_wall.c) ---------------------- */

/* The open transaction runs as oyl_runtime behind the wall. */
bool oyl__pg_runs_as_runtime(const pg_backend *b);
bool oyl__pg_is_tenants(const oyl_table *t);
/* A tenant's own tenants row, locked (a GET with OYL_LOCK_UPDATE). */
int oyl__pg_sql_lock_own_tenant(oyl__sql *q, const oyl_table *t, const char *id);
/* A tenant's rename of its own tenant (an update of tenants); EPERM, with
 * the message set, for any other update. */
int oyl__pg_sql_rename_own_tenant(pg_backend *b, oyl__sql *q, const oyl_table *t,
				  const oyl_filter *filters, size_t nfilters, const oyl_assign *set,
				  size_t nset);

/* What the server and the login can do: Citus, the wall and the roles
 * the login may take (one blocking query). */
void oyl__pg_detect(pg_backend *b);

/* ---- transactions and scope (pg_txn.c) -------------------------------- */

/*
 * Before queueing a statement on t in scope: opens the server transaction
 * (BEGIN and settings) when none is, or switches the settings when the
 * scope differs.  *own is set when the statement runs outside begin() and
 * the transaction was opened for it alone (end it with oyl__pg_txn_own_end).
 */
int oyl__pg_txn_enter(pg_backend *b, const oyl_scope *scope, const oyl_table *t, bool *own);
/* Queues the COMMIT of a transaction opened for one call. */
int oyl__pg_txn_own_end(pg_backend *b, bool own);
/* After a batch of a read transaction: queues COMMIT (the next batch opens anew). */
int oyl__pg_txn_close_read(pg_backend *b);
/* The server's transaction ended (or its settings are unknown). */
void oyl__pg_txn_forget(pg_backend *b);
/* Drops what is queued and ends the server's transaction, keeping the
 * message of the failure that led here; the connection is left ready. */
void oyl__pg_txn_abort(pg_backend *b);
/* Syncs; on failure inside a transaction, leaves it for rollback(). */
int oyl__pg_txn_sync(pg_backend *b);

int oyl__pg_begin(oyl_backend *b, const oyl_scope *scope, unsigned flags);
int oyl__pg_commit(oyl_backend *b);
int oyl__pg_commit_start(oyl_backend *b);
int oyl__pg_commit_finish(oyl_backend *b);
int oyl__pg_rollback(oyl_backend *b);

/* ---- methods ---------------------------------------------------------- */

/* Runs one statement that returns rows (decoded along `shape`) in scope,
 * inside the transaction or as one of its own. */
int oyl__pg_run_rows(pg_backend *b, oyl__sql *q, const oyl_scope *scope, const oyl_table *t,
		     const oyl_table *shape, oyl_row_cb cb, void *payload);
int oyl__pg_read_many(oyl_backend *b, oyl_read *reads, size_t n);
int oyl__pg_read_many_commit(oyl_backend *b, oyl_read *reads, size_t n, int *committed);
int oyl__pg_get(oyl_backend *b, const oyl_scope *scope, const oyl_table *t, const char *id,
		oyl_row_cb cb, void *payload);
int oyl__pg_list(oyl_backend *b, const oyl_scope *scope, const oyl_table *t, const oyl_query *q,
		 oyl_row_cb cb, void *payload);
int oyl__pg_count(oyl_backend *b, const oyl_scope *scope, const oyl_table *t,
		  const oyl_filter *filters, size_t nfilters, int64_t *count);
int oyl__pg_get_many(oyl_backend *b, const oyl_scope *scope, const oyl_table *t,
		     const char *const *ids, size_t n, oyl_row_cb cb, void *payload);
int oyl__pg_lock(oyl_backend *b, const oyl_scope *scope, const oyl_table *t, const char *id);

int oyl__pg_insert(oyl_backend *b, const oyl_scope *scope, const oyl_table *t,
		   const oyl_value *vals);
int oyl__pg_insert_many(oyl_backend *b, const oyl_scope *scope, const oyl_table *t,
			const oyl_value *rows, size_t nrows, size_t *failed_row);
int oyl__pg_update(oyl_backend *b, const oyl_scope *scope, const oyl_table *t,
		   const oyl_filter *filters, size_t nfilters, const oyl_assign *set, size_t nset,
		   int64_t *changed);
int oyl__pg_remove(oyl_backend *b, const oyl_scope *scope, const oyl_table *t,
		   const oyl_filter *filters, size_t nfilters, int64_t *deleted);
int oyl__pg_claim(oyl_backend *b, const oyl_scope *scope, const oyl_table *t,
		  const oyl_filter *filters, size_t nfilters, int32_t order_col, int64_t limit,
		  const oyl_assign *set, size_t nset, oyl_row_cb cb, void *payload);
int oyl__pg_failed_write(oyl_backend *b);
/* version 5 (pg_listen.c) */
int oyl__pg_wait(oyl_backend *b, const char *channel, int64_t timeout_ms);
int oyl__pg_locate(oyl_backend *b, const oyl_table *t, int32_t col, const char *key,
		   char tenant[37], char id[37]);

int oyl__pg_postings(oyl_backend *b, const oyl_scope *scope, const char *kb,
		     const char *const *terms, size_t nterms, oyl_postings_cb cb, void *payload);
int oyl__pg_migrate(oyl_backend *b, int target, int *from);
int oyl__pg_schema_version(oyl_backend *b, int *version);

/* For tests: the connection (libpq tracing, backend pid). */
PGconn *oyl__pg_conn(oyl_backend *b);

/* ---- migrations (pg_migrations.c) ----------------------------------- */

typedef struct pg_migration {
	int version;
	const char *sql; /* DDL only, several statements, run inside migrate()'s transaction */
} pg_migration;

extern const pg_migration oyl__pg_migrations[];
extern const size_t oyl__pg_nmigrations;

extern const char oyl__pg_schema_v1[];
extern const char oyl__pg_schema_v2[];
extern const char oyl__pg_schema_v3[];
extern const char oyl__pg_schema_v4[];
extern const char oyl__pg_schema_v5[];
extern const char oyl__pg_schema_v6[];
extern const char oyl__pg_schema_v7[];
extern const char oyl__pg_schema_v8[];
extern const char oyl__pg_schema_v9[];
extern const char oyl__pg_schema_v10[];
extern const char oyl__pg_schema_v11[];
extern const char oyl__pg_schema_v12[];
extern const char oyl__pg_schema_v13[];

#endif
