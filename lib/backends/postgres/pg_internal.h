/*
 * The PostgreSQL backend's private declarations, shared by its files.
 * Nothing here leaves the library: the oyl__pg_* functions are hidden by
 * the build like every other oyl__ symbol.
 */
#ifndef OYL_PG_INTERNAL_H
#define OYL_PG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "oyl/sys/backend.h"
#include "oyl/oyl.h"

#define PG_ERRMSG_SIZE 512
#define PG_UUID_LEN 36

/* The scope the open transaction's settings hold (pg_scope.c). */
typedef enum pg_scope_kind {
	PG_SCOPE_NONE = 0, /* no transaction, or its settings are unknown */
	PG_SCOPE_PLATFORM,
	PG_SCOPE_TENANT
} pg_scope_kind;

typedef struct pg_backend {
	oyl_backend base; /* first, so that an oyl_backend * casts back */
	PGconn *conn;
	bool in_txn;      /* between a successful begin() and commit()/rollback() */
	bool call_txn;    /* a transaction the backend opened for one call (or migrate) */
	pg_scope_kind scope_kind;
	char scope_tenant[PG_UUID_LEN + 1]; /* when PG_SCOPE_TENANT */
	const char *op;   /* what the current call does, for messages ("insert into") */
	const char *obj;  /* and on what ("users"), or "" */
	char errmsg[PG_ERRMSG_SIZE];
} pg_backend;

static inline pg_backend *pg_of(oyl_backend *b)
{
	return (pg_backend *)b;
}

/* ---- messages and status mapping (pg_error.c) ---------------------- */

/* Names the current call for later messages: "insert into" + "users". */
void oyl__pg_context(pg_backend *b, const char *op, const char *obj);
/* Sets errmsg to "<op> <obj>: <printf text>" and returns status. */
int oyl__pg_fail(pg_backend *b, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Maps a failed result (or NULL) to a status and sets errmsg from it. */
int oyl__pg_fail_result(pg_backend *b, const PGresult *res);

/* ---- SQL text and parameters (pg_sql.c) ----------------------------- */

typedef struct pg_param {
	const char *ext; /* borrowed bytes, or NULL to use `small` */
	int len;
	int format;      /* 0 text, 1 binary */
	bool is_null;
	char small[64];  /* formatted numbers and times */
} pg_param;

typedef struct pg_sql {
	char *text;
	size_t len, cap;
	pg_param *params;
	size_t nparams, cap_params;
	bool oom;
} pg_sql;

void oyl__pg_sql_init(pg_sql *q);
void oyl__pg_sql_free(pg_sql *q);
/* Appends fixed SQL text (never data). */
void oyl__pg_sql_add(pg_sql *q, const char *s);
/* Appends a quoted identifier from a table descriptor. */
void oyl__pg_sql_ident(pg_sql *q, const char *name);
/* Appends a decimal number (an index or count the library chose). */
void oyl__pg_sql_num(pg_sql *q, long long n);
/*
 * Binds `v` as a value of a column of type `coltype` and appends its
 * placeholder with the matching cast ("$3::uuid").  `col` names the
 * column in messages.  OYL_EINVAL (message set) when the value does not
 * fit the column.
 */
int oyl__pg_bind(pg_backend *b, pg_sql *q, int32_t coltype, const char *col, const oyl_value *v);
/* Binds plain values of the library's own. */
int oyl__pg_bind_uuid(pg_backend *b, pg_sql *q, const char *col, const char *uuid);
void oyl__pg_bind_int8(pg_sql *q, int64_t n);
void oyl__pg_bind_text(pg_sql *q, const char *s);

/* The PostgreSQL type of a column type ("uuid", "timestamptz", ...). */
const char *oyl__pg_type_name(int32_t coltype);
/* true when s is a canonical lowercase UUID (8-4-4-4-12 hex). */
bool oyl__pg_is_uuid(const char *s);

/* ---- statements shared by the methods (pg_query.c) ------------------ */

/* true when the backend adds its own tenant predicate to statements on t. */
bool oyl__pg_scoped(const oyl_scope *scope, const oyl_table *t);
/* Appends the select list of every descriptor column, decodable by emit_rows. */
void oyl__pg_sql_columns(pg_sql *q, const oyl_table *t);
/* Appends " WHERE ..." (or nothing) for the scope and the filters, ANDed. */
int oyl__pg_sql_where(pg_backend *b, pg_sql *q, const oyl_scope *scope, const oyl_table *t,
		      const oyl_filter *filters, size_t nfilters);
/* Appends " AND ..." for the scope and the filters (after a WHERE). */
int oyl__pg_sql_and(pg_backend *b, pg_sql *q, const oyl_scope *scope, const oyl_table *t,
		    const oyl_filter *filters, size_t nfilters);
/* Appends `col` as a comparable expression (text compares bytewise). */
void oyl__pg_sql_sort_key(pg_sql *q, const oyl_column *c);

/*
 * Runs q and checks the result status (PGRES_TUPLES_OK or
 * PGRES_COMMAND_OK).  On success *res is the result, to PQclear.
 */
int oyl__pg_run(pg_backend *b, pg_sql *q, ExecStatusType expect, PGresult **res);
/* Runs fixed SQL (no parameters; may hold several statements). */
int oyl__pg_exec(pg_backend *b, const char *sql, ExecStatusType expect);
/* Calls cb for every row of res, decoded along t's columns. */
int oyl__pg_emit_rows(pg_backend *b, const PGresult *res, const oyl_table *t, oyl_row_cb cb,
		      void *payload);
/* Parses a decimal int8 field. */
bool oyl__pg_parse_int64(const char *s, int64_t *out);
/* Parses the hex of a float8's binary form (encode(float8send(x), 'hex')). */
bool oyl__pg_decode_float8(const char *hex, size_t len, double *out);

/* ---- transactions and their scope (pg_txn.c, pg_scope.c) ------------ */

/*
 * BEGIN and the scope's settings in one round trip (scope NULL or its
 * tenant NULL: the platform).  Reconnects once when the connection turns
 * out lost, since nothing of the transaction has happened yet.
 */
int oyl__pg_txn_open(pg_backend *b, const oyl_scope *scope);
/* COMMIT (when `commit`) or ROLLBACK the open transaction; keeps errmsg's context. */
int oyl__pg_txn_finish(pg_backend *b, bool commit);

/*
 * Writes the SET LOCALs of a scope into out ("BEGIN; " and the Citus
 * setting first when `begin`).  OYL_EINVAL for a tenant id that is not a
 * canonical lowercase UUID: nothing else may become a literal.
 */
int oyl__pg_scope_sql(pg_backend *b, const oyl_scope *scope, bool begin, char *out, size_t size);
/* Records the scope the transaction's settings now hold. */
void oyl__pg_scope_remember(pg_backend *b, const oyl_scope *scope);
/* The transaction ended, or its settings are unknown. */
void oyl__pg_scope_forget(pg_backend *b);
/*
 * Runs q (see oyl__pg_run) with `scope` in force for a statement on t:
 * inside a transaction, switches the settings when the scope differs;
 * outside one, wraps q in a transaction of its own.  Global tables have
 * no policy, so their statements run as they are.
 */
int oyl__pg_run_scoped(pg_backend *b, const oyl_scope *scope, const oyl_table *t, pg_sql *q,
		       ExecStatusType expect, PGresult **res);

/* ---- methods --------------------------------------------------------- */

int oyl__pg_begin(oyl_backend *b, const oyl_scope *scope, unsigned flags);
int oyl__pg_commit(oyl_backend *b);
int oyl__pg_rollback(oyl_backend *b);
/* Reconnects a broken connection when no transaction is open (nothing to lose). */
void oyl__pg_heal_idle(pg_backend *b);

int oyl__pg_insert(oyl_backend *b, const oyl_scope *scope, const oyl_table *t,
		   const oyl_value *vals);
int oyl__pg_get(oyl_backend *b, const oyl_scope *scope, const oyl_table *t, const char *id,
		oyl_row_cb cb, void *payload);
int oyl__pg_update(oyl_backend *b, const oyl_scope *scope, const oyl_table *t,
		   const oyl_filter *filters, size_t nfilters, const oyl_assign *set, size_t nset,
		   int64_t *changed);
int oyl__pg_remove(oyl_backend *b, const oyl_scope *scope, const oyl_table *t,
		   const oyl_filter *filters, size_t nfilters, int64_t *deleted);
int oyl__pg_count(oyl_backend *b, const oyl_scope *scope, const oyl_table *t,
		  const oyl_filter *filters, size_t nfilters, int64_t *count);
int oyl__pg_list(oyl_backend *b, const oyl_scope *scope, const oyl_table *t, const oyl_query *q,
		 oyl_row_cb cb, void *payload);
int oyl__pg_search(oyl_backend *b, const oyl_scope *scope, const oyl_table *t,
		   const oyl_filter *filters, size_t nfilters, const char *query, int64_t limit,
		   oyl_search_cb cb, void *payload);
int oyl__pg_migrate(oyl_backend *b, int target, int *from);
int oyl__pg_schema_version(oyl_backend *b, int *version);
int oyl__pg_lock(oyl_backend *b, const oyl_scope *scope, const oyl_table *t, const char *id);

/* ---- migrations (pg_migrations.c) ----------------------------------- */

typedef struct pg_migration {
	int version;
	const char *sql; /* DDL only, several statements, run inside migrate()'s transaction */
} pg_migration;

extern const pg_migration oyl__pg_migrations[];
extern const size_t oyl__pg_nmigrations;

/* The SQL of each version, one file each (pg_schema_v<N>.c). */
extern const char oyl__pg_schema_v1[];
extern const char oyl__pg_schema_v2[];
extern const char oyl__pg_schema_v3[];

#endif
