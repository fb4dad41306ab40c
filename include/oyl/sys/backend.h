/*
 * liboyl — storage-backend interface (the extender API).
 *
 * UNSTABLE until liboyl 1.0: the headers under oyl/sys/ may change
 * between minor versions.  Hosts never need them, and oyl/oyl.h never
 * includes one.
 *
 * This header is for people who write a storage backend, and for tests
 * that wrap one.  A backend stores and fetches records, runs transactions,
 * claims queued rows and reads the search index's postings.  It never decides
 * who may do what: the core has already checked permissions when a call
 * reaches the backend.  It must, however, apply the tenant scope it is
 * given on every call (see oyl_scope): the conformance suite checks it.
 *
 * Records are described by table descriptors (oyl_table) owned by the
 * core.  Table and column names in them are fixed identifiers compiled
 * into the library, never user data, so a backend may put them in SQL
 * text; every value must travel as a bound parameter.
 *
 * Growth rule: struct oyl_backend only grows at its end, gated by its
 * `version` field; the core never reads a field or calls a method that
 * the backend's version lacks.  Codes, types and operators are never
 * renumbered.  doc/backends.md says which methods are required and what
 * the core does when an optional one is missing.
 */
#ifndef OYL_SYS_BACKEND_H
#define OYL_SYS_BACKEND_H

#include "../oyl.h"
#include "alloc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- values --------------------------------------------------------- */

/** Column and value types.  Numbers are part of the ABI. */
typedef enum oyl_type {
	OYL_TYPE_NULL = 0, /**< SQL NULL (a value only, never a column type) */
	OYL_TYPE_TEXT = 1, /**< UTF-8 text, no NUL byte; s + n */
	OYL_TYPE_INT = 2,  /**< signed 64-bit integer; i */
	OYL_TYPE_UUID = 3, /**< UUID as 36-char lowercase text; s */
	OYL_TYPE_TIME = 4, /**< instant, microseconds since 1970-01-01 UTC; i */
	OYL_TYPE_JSON = 5, /**< JSON text, stored verbatim (PostgreSQL: json); s + n */
	OYL_TYPE_REAL = 6, /**< double; r */
	OYL_TYPE_BLOB = 7, /**< bytes; s + n (not NUL-terminated) */
	OYL_TYPE_BOOL = 8  /**< 0 or 1; i */
} oyl_type;

/**
 * One value.  Borrowed: whoever passes a value keeps ownership of `s`,
 * which stays valid for the duration of the call (or of the row callback
 * that received it).  Text is NUL-terminated as well as counted.
 */
typedef struct oyl_value {
	int32_t type; /**< an oyl_type */
	int64_t i;
	double r;
	const char *s;
	size_t n;
} oyl_value;

/* ---- table descriptors ---------------------------------------------- */

/** Column flags. */
#define OYL_COL_NOT_NULL 0x1u  /**< NULL is refused by the schema */
#define OYL_COL_IMMUTABLE 0x2u /**< never changed by update (ids, tenant_id) */
#define OYL_COL_SECRET 0x4u    /**< a credential hash: never exported to JSON */

typedef struct oyl_column {
	const char *name;
	int32_t type; /**< an oyl_type */
	uint32_t flags;
} oyl_column;

/**
 * A table as the core sees it.  Column 0 is always the record's `id`
 * (UUID).  `tenant_col` is the index of the `tenant_id` column of a
 * tenant-owned table, or -1 for a global table (tenants, user_emails,
 * superadmins, platform_audit_events, superadmin_sessions).  `search_col`
 * is -1 on every table since version 6 (the engines' own full-text search
 * is gone; the library indexes text itself, doc/retrieval.md).
 */
typedef struct oyl_table {
	const char *name;
	const oyl_column *cols;
	size_t ncols;
	int32_t tenant_col;
	int32_t search_col;
} oyl_table;

/* ---- scope, filters, queries ---------------------------------------- */

/**
 * The tenant scope of a call.  `tenant_id` non-NULL: the call must act on
 * rows of that tenant only — every statement on a tenant-owned table
 * carries `tenant_id = <that id>`, and (PostgreSQL) the transaction's
 * tenant setting is that id.  `tenant_id` NULL: the caller is the
 * platform (superadmin); no tenant predicate is added.  Global tables are
 * never filtered by scope.
 */
typedef struct oyl_scope {
	const char *tenant_id;
} oyl_scope;

/** Filter operators.  A filter compares one column with one value. */
typedef enum oyl_op {
	OYL_OP_EQ = 0,
	OYL_OP_NE = 1,
	OYL_OP_LT = 2,
	OYL_OP_LE = 3,
	OYL_OP_GT = 4,
	OYL_OP_GE = 5,
	OYL_OP_IS_NULL = 6,     /**< value ignored */
	OYL_OP_IS_NOT_NULL = 7, /**< value ignored */
	OYL_OP_EQ_NOCASE = 8    /**< ASCII case-insensitive text equality */
} oyl_op;

typedef struct oyl_filter {
	int32_t col; /**< column index in the table */
	int32_t op;  /**< an oyl_op */
	oyl_value value;
} oyl_filter;

/** One column assignment of an update. */
typedef struct oyl_assign {
	int32_t col;
	oyl_value value;
} oyl_assign;

/**
 * A list query.  Filters are ANDed.  Rows come ordered by
 * (order_col, id), ascending unless `descending`; ties never reorder
 * because id breaks them.  Keyset pagination: when `after_id` is
 * non-NULL, only rows strictly after (after_value, after_id) in that order
 * are returned.  `offset` skips rows after the keyset condition.
 * `limit` <= 0 means no limit.
 */
typedef struct oyl_query {
	const oyl_filter *filters;
	size_t nfilters;
	int32_t order_col;
	int32_t descending;
	const oyl_value *after_value;
	const char *after_id;
	int64_t limit;
	int64_t offset;
} oyl_query;

/**
 * Receives one row: `vals` has one value per column of the table (or per
 * result column for search), borrowed for the duration of the callback.
 * Return 0 to go on; any other value stops the call, which then returns
 * that value.
 */
typedef int (*oyl_row_cb)(const oyl_value *vals, size_t nvals, void *payload);

/** Transaction flags. */
#define OYL_TXN_READ 0u
#define OYL_TXN_WRITE 1u /**< SQLite: BEGIN IMMEDIATE */

/** Retired with the search() method (version 6); kept for the ABI. */
typedef struct oyl_search_hit {
	const char *id;
	double score;
} oyl_search_hit;

typedef int (*oyl_search_cb)(const oyl_search_hit *hit, void *payload);

/**
 * One block of the search index (version 6): the chunks of one document
 * that hold one term, as the core packed them (search_postings.block;
 * doc/retrieval.md).  `term` is the index of the term in the list asked
 * for.  Borrowed for the duration of the callback.
 */
typedef struct oyl_postings_block {
	int32_t term;
	const char *document_id;
	const unsigned char *data;
	size_t size;
} oyl_postings_block;

/** Receives one block: 0 to go on, any other value stops the read. */
typedef int (*oyl_postings_cb)(const oyl_postings_block *block, void *payload);

/* ---- batched reads and row locks (version 3) ------------------------ */

/** Row locks a read may take, held until the transaction ends. */
#define OYL_LOCK_NONE 0
/**
 * No other transaction may change, delete or lock the rows read until
 * this one ends; one that waits for them reads them as the holder left
 * them.  Only in an OYL_TXN_WRITE transaction, and only with a tenant
 * scope on a tenant-owned table (a distributed PostgreSQL can lock a row
 * only by its tenant): otherwise OYL_EINVAL.  (PostgreSQL: FOR NO KEY
 * UPDATE.  SQLite: nothing to do, its write transaction already excludes
 * every other writer.)
 */
#define OYL_LOCK_UPDATE 1

/** What one oyl_read asks for. */
typedef enum oyl_read_kind {
	OYL_READ_GET = 0,     /**< the row with `id`; status OYL_ENOTFOUND when none */
	OYL_READ_LIST = 1,    /**< the rows of `query` */
	OYL_READ_COUNT = 2,   /**< `count` = rows matching query->filters */
	/**
	 * Rows matching query->filters, counted per value of `group_col`, for
	 * the values that are the ids of the rows the LIST read at index
	 * `parent` of the same batch returns (same scope).  The callback gets
	 * one row per group with at least one row: {group value, count (INT)}.
	 */
	OYL_READ_COUNT_BY = 3,
	/**
	 * (Version 9.)  The rows matching any of several alternatives, in
	 * the order, page and limit of `query` as a LIST read's:
	 * query->filters holds `group_col` filters per alternative
	 * (query->nfilters a multiple of it), the filters of an alternative
	 * ANDed, the alternatives ORed; no alternative matches no row.  At
	 * most OYL_READ_ANY_MAX alternatives; no row lock.  A row matching
	 * several alternatives comes once.  (The passages of a search: the
	 * chunks by document and ordinal, in one statement.)
	 */
	OYL_READ_LIST_ANY = 4
} oyl_read_kind;

/** The most alternatives of one OYL_READ_LIST_ANY read. */
#define OYL_READ_ANY_MAX 256

/**
 * One read of a batch (read_many).  The core fills the inputs; the
 * backend fills `count` and `status`.
 */
typedef struct oyl_read {
	int32_t kind;             /**< an oyl_read_kind */
	int32_t lock;             /**< GET, LIST: OYL_LOCK_* */
	const oyl_scope *scope;
	const oyl_table *table;
	const char *id;           /**< GET */
	const oyl_query *query;   /**< LIST, LIST_ANY; COUNT, COUNT_BY: its filters only */
	int32_t group_col;        /**< COUNT_BY; LIST_ANY: filters per alternative */
	int32_t parent;           /**< COUNT_BY */
	oyl_row_cb cb;            /**< GET, LIST, COUNT_BY: receives the rows */
	void *payload;
	int64_t count;            /**< COUNT: out */
	int32_t status;           /**< out: OYL_OK, or OYL_ENOTFOUND (GET) */
} oyl_read;

/* ---- capabilities --------------------------------------------------- */

/*
 * What a backend can do beyond the required methods, derived from its
 * version and the optional methods it sets (oyl_backend_caps()).  A public
 * call that needs a capability the backend lacks fails with OYL_ENOTSUP
 * and a message naming the method; it never quietly does less.
 */
#define OYL_BACKEND_CAP_SEARCH 0x01u      /**< retired in version 6: never set */
#define OYL_BACKEND_CAP_LOCK 0x02u        /**< row locks: lock() (v2) or read_many() (v3) */
#define OYL_BACKEND_CAP_READ_MANY 0x04u   /**< read_many() */
#define OYL_BACKEND_CAP_GET_MANY 0x08u    /**< get_many() */
#define OYL_BACKEND_CAP_INSERT_MANY 0x10u /**< insert_many() */
#define OYL_BACKEND_CAP_CLAIM 0x20u       /**< claim() */
#define OYL_BACKEND_CAP_DEFER 0x40u       /**< deferred writes: failed_write() */
#define OYL_BACKEND_CAP_LOCATE 0x80u      /**< locate() */
#define OYL_BACKEND_CAP_WAIT 0x100u       /**< wait() */
#define OYL_BACKEND_CAP_POSTINGS 0x200u   /**< postings() (version 6) */
#define OYL_BACKEND_CAP_READ_COMMIT 0x400u /**< read_many_commit() (version 7) */
#define OYL_BACKEND_CAP_COMMIT_START 0x800u /**< commit_start(), commit_finish() (version 8) */
#define OYL_BACKEND_CAP_LIST_ANY 0x1000u  /**< read_many() answers OYL_READ_LIST_ANY (version 9) */

/* ---- the vtable ----------------------------------------------------- */

#define OYL_BACKEND_VERSION 9

typedef struct oyl_backend oyl_backend;

/**
 * A storage backend.  Fill it with OYL_BACKEND_INIT and set the methods.
 *
 * Required (every version): begin, commit, rollback, insert, get, update,
 * remove, list, count, migrate, schema_version, errmsg, free.  A backend
 * that lacks one is refused when it is opened, with a message naming it.
 * Every other method is optional: NULL, or absent in an older version.
 *
 * Every method returns an oyl_status: OYL_OK, or OYL_ECONFLICT for a
 * unique violation, OYL_EREFERENCE for a foreign-key violation,
 * OYL_EINVAL for a CHECK/NOT NULL violation or a value that does not fit
 * its column, OYL_ENOTFOUND where stated, OYL_EBUSY, OYL_ENOMEM,
 * OYL_EDISCONNECTED, OYL_ETIMEOUT, or OYL_ESTORAGE for anything else.
 * After a failure, errmsg() describes it, naming the statement ("insert
 * into users: ...") and never quoting a bound value.  Methods that take a
 * scope apply it as described at oyl_scope.
 *
 * Transactions: the core brackets every public call in begin() ...
 * commit() or rollback().  A backend may start the transaction on the
 * server lazily, with its first statement.  A failed statement inside a
 * transaction leaves it for rollback(); the backend must make rollback()
 * succeed in that state and leave the connection ready for the next
 * begin().  A method called outside begin() runs as a transaction of its
 * own.  In a transaction begun with OYL_TXN_READ every read sees what was
 * committed before it started; a backend may end and restart such a
 * transaction between reads (PostgreSQL's READ COMMITTED gives nothing
 * more), never between the statements of one read_many().
 *
 * Deferred writes (version 3, optional; see failed_write): inside an
 * OYL_TXN_WRITE transaction a backend may defer insert(), update() with
 * `changed` NULL, remove() with `deleted` NULL and insert_many() with
 * `failed_row` NULL: queue them and run them, in order, before the
 * transaction's next read or with commit().  Such a call returns OYL_OK;
 * if the write then fails, the call that ran it returns the write's
 * status and message, and failed_write() tells which write it was.  A
 * caller that needs a count passes its pointer, and the write runs at
 * once.
 */
struct oyl_backend {
	unsigned int version; /**< OYL_BACKEND_VERSION the backend was built against */
	const char *name;     /**< "sqlite", "postgres", ... (static) */

	/** Starts a transaction for `scope` (flags: OYL_TXN_*). */
	int (*begin)(oyl_backend *b, const oyl_scope *scope, unsigned flags);
	int (*commit)(oyl_backend *b);
	int (*rollback)(oyl_backend *b);

	/** Inserts one row; `vals` has t->ncols values. */
	int (*insert)(oyl_backend *b, const oyl_scope *scope, const oyl_table *t,
		      const oyl_value *vals);

	/** Fetches the row with that id; OYL_ENOTFOUND when none in scope. */
	int (*get)(oyl_backend *b, const oyl_scope *scope, const oyl_table *t, const char *id,
		   oyl_row_cb cb, void *payload);

	/**
	 * Sets the columns of every row in scope matching the filters;
	 * `*changed` (may be NULL) receives the number of rows changed.
	 */
	int (*update)(oyl_backend *b, const oyl_scope *scope, const oyl_table *t,
		      const oyl_filter *filters, size_t nfilters, const oyl_assign *set, size_t nset,
		      int64_t *changed);

	/** Deletes every row in scope matching the filters (cascades follow the schema). */
	int (*remove)(oyl_backend *b, const oyl_scope *scope, const oyl_table *t,
		      const oyl_filter *filters, size_t nfilters, int64_t *deleted);

	/** Lists rows in scope: see oyl_query. */
	int (*list)(oyl_backend *b, const oyl_scope *scope, const oyl_table *t, const oyl_query *q,
		    oyl_row_cb cb, void *payload);

	/** Counts rows in scope matching the filters. */
	int (*count)(oyl_backend *b, const oyl_scope *scope, const oyl_table *t,
		     const oyl_filter *filters, size_t nfilters, int64_t *count);

	/**
	 * Retired in version 6: the core never calls it, whatever the
	 * backend's version.  Leave it NULL.
	 */
	int (*search)(oyl_backend *b, const oyl_scope *scope, const oyl_table *t,
		      const oyl_filter *filters, size_t nfilters, const char *query, int64_t limit,
		      oyl_search_cb cb, void *payload);

	/**
	 * Brings the schema to `target` (a version of the backend's own embedded
	 * migrations) in one transaction under a lock that serialises
	 * concurrent migrators.  `*from` gets the version found.  A database
	 * whose version is above `target` gives OYL_ESCHEMA and is not touched.
	 */
	int (*migrate)(oyl_backend *b, int target, int *from);

	/** Reads the schema version (0 for an empty database). */
	int (*schema_version)(oyl_backend *b, int *version);

	/** The message of the last failure (static or owned by the backend). */
	const char *(*errmsg)(oyl_backend *b);

	/** Closes and frees the backend.  Called exactly once by the core. */
	void (*free)(oyl_backend *b);

	/* ---- version 2 ---- */

	/**
	 * Optional.  Locks the row with that id (in scope) until the write
	 * transaction ends, as OYL_LOCK_UPDATE does, so that concurrent
	 * transactions deciding on it (a tenant's quota) run one after the
	 * other; OYL_ENOTFOUND when there is none; OYL_EMISUSE outside a write
	 * transaction.
	 */
	int (*lock)(oyl_backend *b, const oyl_scope *scope, const oyl_table *t, const char *id);

	/* ---- version 3 ---- */

	/**
	 * Optional.  Runs the reads in order, as one batch (PostgreSQL: one
	 * round trip), calling each read's callback with its rows.  Returns
	 * OYL_OK when every read ran (a GET without a row sets its status to
	 * OYL_ENOTFOUND and still ran); else the first failure's status (the
	 * reads after it did not run), or the non-zero value a callback
	 * returned.  Without it, the core runs the reads one by one with get,
	 * list, count and lock: the same results in more round trips.  From
	 * version 9 it answers OYL_READ_LIST_ANY reads too; the core sends
	 * them to no backend of an earlier version, nor to one without
	 * read_many (it asks a LIST read per alternative instead).
	 */
	int (*read_many)(oyl_backend *b, oyl_read *reads, size_t n);

	/**
	 * Optional.  The rows of t in scope whose id is one of ids[0..n), in
	 * no particular order; ids without a row are skipped.
	 */
	int (*get_many)(oyl_backend *b, const oyl_scope *scope, const oyl_table *t,
			const char *const *ids, size_t n, oyl_row_cb cb, void *payload);

	/**
	 * Optional.  Inserts nrows rows (`rows`: nrows * t->ncols values, row
	 * after row) as fast as the storage allows (PostgreSQL: multi-row
	 * INSERTs within its 65,535-parameter limit, pipelined; SQLite: one
	 * prepared statement reused).  All or nothing: on failure no row of
	 * the call stays, the status says why and `*failed_row` (may be NULL)
	 * is the index of the row to blame, or SIZE_MAX when no single row is.
	 */
	int (*insert_many)(oyl_backend *b, const oyl_scope *scope, const oyl_table *t,
			   const oyl_value *rows, size_t nrows, size_t *failed_row);

	/**
	 * Optional.  Takes up to `limit` (>= 1) rows of t in scope matching
	 * the filters, in (order_col, id) ascending order, that no other
	 * transaction holds (rows it holds are skipped, never waited for),
	 * applies the assignments and delivers the rows as they now are.  The
	 * rows stay locked until the transaction ends; outside begin() the
	 * call is a transaction of its own.  Two transactions never take the
	 * same row.  Platform scope on a tenant-owned table: OYL_EINVAL (as
	 * for OYL_LOCK_UPDATE).  (PostgreSQL: UPDATE ... WHERE (tenant_id, id)
	 * IN (SELECT ... FOR UPDATE SKIP LOCKED LIMIT n) RETURNING ...;
	 * SQLite: inside BEGIN IMMEDIATE.)
	 */
	int (*claim)(oyl_backend *b, const oyl_scope *scope, const oyl_table *t,
		     const oyl_filter *filters, size_t nfilters, int32_t order_col, int64_t limit,
		     const oyl_assign *set, size_t nset, oyl_row_cb cb, void *payload);

	/**
	 * Optional; set it if and only if the backend defers writes (see
	 * above).  After a call failed because a deferred write failed: that
	 * write's number in the transaction (0 for the first call of insert,
	 * insert_many, update or remove after begin()); otherwise -1.
	 */
	int (*failed_write)(oyl_backend *b);

	/* ---- version 4 ---- */

	/**
	 * Optional.  Where one row is before its tenant is known: the tenant
	 * (`tenant`, "" for a row of no tenant, such as a superadmin's e-mail)
	 * and the id of the row of t whose column `col` equals `key`; or
	 * OYL_ENOTFOUND.  The core asks it only to open a call whose tenant it
	 * cannot know yet: user_emails by email_key (a login) or by id (an
	 * actor met for the first time), auth_sessions by token_hash, api_keys
	 * by prefix.  A backend may refuse any other with OYL_EINVAL.  It runs
	 * as a transaction of its own, and it is where a backend that keeps
	 * tenants apart below the core answers without opening any tenant's
	 * rows to the caller (PostgreSQL: narrow SECURITY DEFINER functions,
	 * doc/security.md).  Without it the core reads the row in platform
	 * scope.
	 */
	int (*locate)(oyl_backend *b, const oyl_table *t, int32_t col, const char *key,
		      char tenant[37], char id[37]);

	/* ---- version 5 ---- */

	/**
	 * Optional.  Waits, outside any transaction, until something is
	 * announced on `channel` (the core uses "oyl_ingest": a document was
	 * queued for workers) or `timeout_ms` passes: OYL_OK when announced,
	 * OYL_ETIMEOUT when not.  An announcement made since the previous
	 * call, or since the first call began listening, counts.  Without
	 * it, workers poll.  (PostgreSQL: LISTEN, and an insert into
	 * ingest_jobs NOTIFYs at commit.)
	 */
	int (*wait)(oyl_backend *b, const char *channel, int64_t timeout_ms);

	/* ---- version 6 ---- */

	/**
	 * Optional.  The rows of search_postings in scope (a tenant's: a
	 * platform scope is OYL_EINVAL) whose knowledge_base_id is `kb` and
	 * whose term is one of terms[0..nterms) (1 to 32 of them, distinct),
	 * in no particular order, one callback per row.  It is one statement
	 * that the table's key (tenant_id, knowledge_base_id, term,
	 * document_id) serves.  Without it, the core reads the same rows with
	 * one list per term: the same results in more statements.
	 */
	int (*postings)(oyl_backend *b, const oyl_scope *scope, const char *kb,
			const char *const *terms, size_t nterms, oyl_postings_cb cb, void *payload);

	/* ---- version 7 ---- */

	/**
	 * Optional.  The reads, as read_many(), and then the commit of the
	 * open transaction, in one exchange where the backend can
	 * (PostgreSQL: the deferred writes, the reads and COMMIT in one round
	 * trip).  The callbacks get the rows once the transaction committed:
	 * `*committed` is then 1, even when a callback fails afterwards (its
	 * value is returned).  A failure before the commit rolls the
	 * transaction back and leaves `*committed` 0.  No transaction is open
	 * after the call, whatever its status.  Without it, the core calls
	 * read_many() and then commit(): the same outcome in one more round
	 * trip.
	 */
	int (*read_many_commit)(oyl_backend *b, oyl_read *reads, size_t n, int *committed);

	/* ---- version 8 ---- */

	/**
	 * Optional, both or neither: commit() in two halves, so that the
	 * caller can work while the server commits.  commit_start() sends the
	 * transaction's deferred writes and COMMIT and returns without
	 * waiting for the answer; on OYL_OK the next method called must be
	 * commit_finish(), which waits for it and returns what commit()
	 * would have (any other method meanwhile is OYL_EMISUSE).  A failure
	 * of commit_start() ends the transaction as a failed commit() does,
	 * and commit_finish() is not called.  Without them, the core calls
	 * commit() where it would call commit_start().
	 */
	int (*commit_start)(oyl_backend *b);
	int (*commit_finish)(oyl_backend *b);

	/* ---- version 9: no new method; read_many() answers
	 * OYL_READ_LIST_ANY reads ---- */
};

#define OYL_BACKEND_INIT                                                                           \
	{OYL_BACKEND_VERSION, "", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

/**
 * The capabilities (OYL_BACKEND_CAP_*) the core sees in a backend: the
 * optional methods its version has and it sets.  0 for NULL.
 */
OYL_API uint32_t oyl_backend_caps(const oyl_backend *b);

/** The schema version this library's core expects of every backend. */
#define OYL_SCHEMA_VERSION 13

/**
 * Opens one of the built-in backends from a URI (see oyl_db_open).  On
 * failure `*out` is NULL and, when errbuf is not NULL, a message is
 * written there.  The caller owns the backend until it hands it to
 * oyl_db_open_backend().
 */
OYL_API int oyl_backend_open(oyl_backend **out, const char *uri, const oyl_db_options *opts,
			     char *errbuf, size_t errbuf_size);

/**
 * Opens a database handle over a backend.  The handle takes ownership of
 * `backend` whatever the result, and calls its free() exactly once.
 */
OYL_API int oyl_db_open_backend(oyl_db **out, oyl_backend *backend, const oyl_db_options *opts);

/** The table descriptors of the schema, in creation order (parents first). */
OYL_API const oyl_table *const *oyl_schema_tables(size_t *count);

/** The descriptor of one table by name, or NULL. */
OYL_API const oyl_table *oyl_schema_table(const char *name);

#ifdef __cplusplus
}
#endif
#endif /* OYL_SYS_BACKEND_H */
