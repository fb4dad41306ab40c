/*
 * Statement text for SQL-speaking backends: the one place where a table
 * descriptor, a scope, filters and a query become SQL.  The built-in
 * backends (PostgreSQL, SQLite) share it and keep only their dialect:
 * how a placeholder looks, how text sorts, how a row is locked.
 *
 * It uses nothing but oyl/sys/backend.h, as a third-party backend would.
 *
 * Text is built only from fixed strings and descriptor identifiers; every
 * value becomes a parameter (oyl__sql_param), which the backend binds in
 * its own way.  Values are checked here, the same way for every backend:
 * a UUID column takes only a canonical lowercase UUID, text is UTF-8
 * without NUL bytes, numbers fit their column.  A failure leaves a message
 * in q->err and returns an oyl_status.
 */
#ifndef OYL_BACKENDS_SQL_H
#define OYL_BACKENDS_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oyl/sys/backend.h"

#define OYL__SQL_ERR_SIZE 200
#define OYL__SQL_UUID_LEN 36

/* The coltype of a parameter written in the text form of the type its
 * placeholder names (an id list): a backend sends it as text. */
#define OYL__SQL_LITERAL (-1)

/* How a parameter is carried (the backend converts it for its driver). */
enum oyl__sql_kind { OYL__SQL_NULL, OYL__SQL_INT, OYL__SQL_REAL, OYL__SQL_TEXT, OYL__SQL_BLOB };

typedef struct oyl__sql_param {
	int32_t coltype; /* the oyl_type of the column (or expression) it is compared with */
	int kind;        /* an oyl__sql_kind */
	int64_t i;
	double r;
	const char *s;   /* borrowed until the statement has been sent, or owned by q */
	size_t n;
} oyl__sql_param;

typedef struct oyl__sql oyl__sql;

/* What differs between SQL dialects. */
typedef struct oyl__sql_dialect {
	/* Appends the placeholder of parameter number `n` (1-based) of `coltype`. */
	void (*placeholder)(oyl__sql *q, size_t n, int32_t coltype);
	/* Appends a column as a sort and comparison key (text compares bytewise). */
	void (*sort_key)(oyl__sql *q, const char *qual, const oyl_column *c);
	/* Appends `x` folded to lowercase, ASCII letters only. */
	void (*fold_open)(oyl__sql *q);
	void (*fold_close)(oyl__sql *q);
	/* Appends "<col> is one of the ids of parameter n" (see oyl__sql_bind_ids). */
	void (*in_ids)(oyl__sql *q, const char *col, size_t n);
	/* How that parameter writes its list: open, separator, quote, close
	 * (PostgreSQL's array {a,b}, SQLite's JSON array ["a","b"]). */
	char ids_open, ids_quote, ids_close;
	const char *lock_rows;     /* appended to a SELECT that locks its rows, or "" */
	const char *skip_locked;   /* appended to claim's inner SELECT, or "" */
	const char *no_limit;      /* LIMIT value meaning none, before an OFFSET */
	bool nulls_first_explicit; /* ASC puts NULLs last unless told (PostgreSQL) */
	bool drop_tenant_predicates; /* test-only build: row-level security alone */
} oyl__sql_dialect;

struct oyl__sql {
	const oyl__sql_dialect *d;
	char *text;
	size_t len, cap;
	oyl__sql_param *params;
	size_t nparams, cap_params;
	char **owned;          /* memory freed with q (ids lists, arrays) */
	size_t nowned;
	bool oom;
	size_t bad_row; /* oyl__sql_insert: the row whose value failed, or SIZE_MAX */
	char err[OYL__SQL_ERR_SIZE];
};

/* ---- text and parameters (sql_text.c) -------------------------------- */

/* Test-only: sees every statement a backend is about to run (NULL: none). */
extern void (*oyl__sql_hook)(const oyl__sql *q);

void oyl__sql_init(oyl__sql *q, const oyl__sql_dialect *d);
void oyl__sql_free(oyl__sql *q);
/* Empties q for another statement (keeps its memory). */
void oyl__sql_reset(oyl__sql *q);
/* Appends fixed SQL text (never data). */
void oyl__sql_add(oyl__sql *q, const char *s);
/* Appends a quoted identifier, optionally "qual"."name". */
void oyl__sql_ident(oyl__sql *q, const char *qual, const char *name);
/* Appends a decimal number chosen by the library (never data). */
void oyl__sql_num(oyl__sql *q, long long n);
/* Records a failure in q->err; returns status. */
int oyl__sql_fail(oyl__sql *q, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* OYL_ENOMEM (with its message) when an append failed, else OYL_OK. */
int oyl__sql_status(oyl__sql *q);

/* ---- values (sql_bind.c) ---------------------------------------------- */

/* Binds v as a value of a column of type coltype named col (for messages). */
int oyl__sql_bind(oyl__sql *q, int32_t coltype, const char *col, const oyl_value *v);
/* The same checks, the parameter without a placeholder in the text (for a
 * backend that writes its own placeholders: oyl__sql_insert_values). */
int oyl__sql_bind_param(oyl__sql *q, int32_t coltype, const char *col, const oyl_value *v);
/* A parameter checked already (another statement's), without a
 * placeholder in the text: its value is borrowed as that one's. */
int oyl__sql_bind_checked(oyl__sql *q, const oyl__sql_param *checked);
/* q frees mem (from oyl_malloc) with itself; on OYL_ENOMEM, mem is freed now. */
int oyl__sql_own(oyl__sql *q, char *mem);
int oyl__sql_bind_uuid(oyl__sql *q, const char *col, const char *uuid);
void oyl__sql_bind_int(oyl__sql *q, int64_t n);
/* Binds a list of ids as one parameter; appends `col` IN that list. */
int oyl__sql_bind_ids(oyl__sql *q, const char *col, const char *const *ids, size_t n);
/* 1 when s[0..n) is a canonical lowercase UUID. */
bool oyl__sql_is_uuid(const char *s, size_t n);

/* ---- conditions (sql_where.c) ----------------------------------------- */

/* Whether statements on t carry the backend's own tenant predicate. */
bool oyl__sql_scoped(const oyl__sql *q, const oyl_scope *scope, const oyl_table *t);
/* Appends " WHERE ..." with the scope and the filters, or nothing. */
int oyl__sql_where(oyl__sql *q, const char *qual, const oyl_scope *scope, const oyl_table *t,
		   const oyl_filter *filters, size_t nfilters);
/* The same after a WHERE that is already there: " AND ...". */
int oyl__sql_and(oyl__sql *q, const char *qual, const oyl_scope *scope, const oyl_table *t,
		 const oyl_filter *filters, size_t nfilters);
/* Appends " WHERE ..." with the scope and nalts alternatives of `per`
 * filters each (filters[a * per .. (a + 1) * per), ANDed), ORed; no
 * alternative matches nothing. */
int oyl__sql_where_any(oyl__sql *q, const char *qual, const oyl_scope *scope, const oyl_table *t,
		       const oyl_filter *filters, size_t nalts, size_t per);
/* Appends the select list of every column of t. */
void oyl__sql_columns(oyl__sql *q, const char *qual, const oyl_table *t);

/* ---- whole statements (sql_statements.c) ------------------------------ */

/* Checks that a row lock (or a claim) is allowed in this scope: a
 * tenant-owned table's rows are locked only by their tenant. */
int oyl__sql_check_lock_scope(oyl__sql *q, const oyl_scope *scope, const oyl_table *t);
/* Checks that an inserted row belongs to the scope's tenant. */
int oyl__sql_check_row_tenant(oyl__sql *q, const oyl_scope *scope, const oyl_table *t,
			      const oyl_value *row);

int oyl__sql_get(oyl__sql *q, const oyl_scope *scope, const oyl_table *t, const char *id,
		 int lock);
int oyl__sql_list(oyl__sql *q, const oyl_scope *scope, const oyl_table *t, const oyl_query *lq,
		  int lock);
/* OYL_READ_LIST_ANY: lq's filters are alternatives of `per` filters each. */
int oyl__sql_list_any(oyl__sql *q, const oyl_scope *scope, const oyl_table *t, const oyl_query *lq,
		      int32_t per, int lock);
int oyl__sql_count(oyl__sql *q, const oyl_scope *scope, const oyl_table *t,
		   const oyl_filter *filters, size_t nfilters);
/* SELECT group_col, count(*) ... for the ids the parent list returns. */
/* The search index's rows of knowledge base kb for 1 to
 * OYL__SQL_POSTINGS_TERMS_MAX terms (oyl_backend.postings): columns term,
 * document_id, block; only in a tenant's scope. */
#define OYL__SQL_POSTINGS_TERMS_MAX 32
int oyl__sql_postings(oyl__sql *q, const oyl_scope *scope, const oyl_table *t, const char *kb,
		      const char *const *terms, size_t nterms);
/* The rows of oyl__sql_postings as oyl_postings_block callbacks: run the
 * statement with oyl__sql_postings_shape and oyl__sql_postings_row. */
typedef struct oyl__sql_postings_sink {
	const char *const *terms;
	size_t nterms;
	oyl_postings_cb cb;
	void *payload;
	size_t last; /* the term of the last row, 0 to begin */
} oyl__sql_postings_sink;
extern const oyl_table oyl__sql_postings_shape;
int oyl__sql_postings_row(const oyl_value *vals, size_t n, void *payload);
int oyl__sql_count_by(oyl__sql *q, const oyl_scope *scope, const oyl_table *t,
		      const oyl_filter *filters, size_t nfilters, int32_t group_col,
		      const oyl_scope *parent_scope, const oyl_table *parent, const oyl_query *pq);
int oyl__sql_get_many(oyl__sql *q, const oyl_scope *scope, const oyl_table *t,
		      const char *const *ids, size_t n);
/* INSERT of rows[0..nrows) (nrows * t->ncols values); a value that does
 * not fit its column fails with q->bad_row naming its row. */
int oyl__sql_insert(oyl__sql *q, const oyl_scope *scope, const oyl_table *t,
		    const oyl_value *rows, size_t nrows);
/* The checks and parameters of oyl__sql_insert without its text: the
 * values as nrows * t->ncols parameters in row order, for a backend that
 * sends rows in a form of its own (PostgreSQL: one array per column). */
int oyl__sql_insert_values(oyl__sql *q, const oyl_scope *scope, const oyl_table *t,
			   const oyl_value *rows, size_t nrows);
int oyl__sql_update(oyl__sql *q, const oyl_scope *scope, const oyl_table *t,
		    const oyl_filter *filters, size_t nfilters, const oyl_assign *set, size_t nset);
int oyl__sql_delete(oyl__sql *q, const oyl_scope *scope, const oyl_table *t,
		    const oyl_filter *filters, size_t nfilters);
/* UPDATE ... WHERE key IN (SELECT key ... LIMIT n <skip locked>) RETURNING columns */
int oyl__sql_claim(oyl__sql *q, const oyl_scope *scope, const oyl_table *t,
		   const oyl_filter *filters, size_t nfilters, int32_t order_col, int64_t limit,
		   const oyl_assign *set, size_t nset);

#endif
