/*
 * Core internals shared by the whole library: the database and actor
 * handles, error reporting, transactions and their writes, ids and the
 * clock.  Read batches are in core/batch.h.
 */
#ifndef OYL_CORE_INTERNAL_H
#define OYL_CORE_INTERNAL_H

#include <stdarg.h>
#include <stdint.h>

#include "core/alloc.h"
#include "oyl/oyl.h"
#include "oyl/sys/backend.h"

#define OYL_ERRMSG_MAX 512
#define OYL_UUID_LEN 36
/* Users this handle has met as actors (id → tenant), for oyl_actor_for_user. */
#define OYL_KNOWN_USERS 64

/* A live handle's magic; a closed one's is cleared, so use-after-close is
 * caught as MISUSE while the memory has not been reused. */
#define OYL_DB_MAGIC 0x6f796c64u    /* "oyld" */
#define OYL_ACTOR_MAGIC 0x6f796c61u /* "oyla" */

/*
 * What to say if a write fails: "<doing>: <backend message>", or for a
 * unique violation the `conflict` text (printf format, one %s: `arg`).
 * The strings must live until the transaction ends.
 */
typedef struct oyl__note {
	const char *doing;
	const char *conflict; /* NULL: "a <...> like this one already exists" is in doing */
	const char *arg;
} oyl__note;

/* Embedders a handle may use, by the name knowledge bases give
 * (oyl_db_add_embedder; lib/embed/registry.c). */
#define OYL__EMBEDDERS_MAX 16
#define OYL__EMBEDDER_NAME_MAX 64
struct oyl_embedder;
typedef struct oyl__embedder_slot {
	char name[OYL__EMBEDDER_NAME_MAX + 1];
	struct oyl_embedder *e; /* owned */
} oyl__embedder_slot;

/* LLM providers registered on a handle by name (oyl_db_add_provider;
 * lib/chat/provider.c); the built-in "extractive" one is made on first use. */
#define OYL__PROVIDERS_MAX 16
struct oyl_provider;
typedef struct oyl__provider_slot {
	char name[OYL__EMBEDDER_NAME_MAX + 1];
	struct oyl_provider *p; /* owned */
} oyl__provider_slot;

typedef struct oyl__known_user {
	char id[OYL_UUID_LEN + 1];
	char tenant_id[OYL_UUID_LEN + 1]; /* "" for a superadmin account */
	int role;
} oyl__known_user;

struct oyl_db {
	uint32_t magic;
	oyl_backend *backend;
	uint32_t caps; /* oyl_backend_caps() of the backend */

	/* the transaction of the current call */
	int in_txn;
	unsigned txn_flags;
	struct oyl_actor *txn_actor; /* whose user the first read batch checks, or NULL */
	int actor_checked;           /* ... and it was checked */
	oyl__note *notes;            /* one per write call since begin, in order */
	size_t nnotes, cap_notes;
	int end_pending;             /* oyl__txn_end_start sent the commit */

	/* where documents' originals are kept (blobs/blob.h) */
	struct oyl__blob_store *blobs;
	/* run once when the current transaction ends (committed: 1), then
	 * cleared: the blob store's releases of files after a commit */
	void (*on_end)(oyl_db *db, int committed);
	void *end_ctx;

	oyl__known_user known[OYL_KNOWN_USERS];
	size_t next_known;

	oyl__embedder_slot embedders[OYL__EMBEDDERS_MAX];
	size_t nembedders;
	oyl__provider_slot providers[OYL__PROVIDERS_MAX];
	size_t nproviders;

	/* the lexical scorer's arrays, kept for the next search (search/rank.c) */
	struct oyl__rank_scratch *rank_scratch;

	int errcode;
	char errmsg[OYL_ERRMSG_MAX];
};

struct oyl_actor {
	uint32_t magic;
	oyl_db *db;
	int role;                          /* as read by the latest call; 0 before any */
	int is_account;                    /* a superadmin account (table superadmins) */
	int tenant_known;                  /* tenant_id and is_account are known */
	char id[OYL_UUID_LEN + 1];         /* empty for the bootstrap superadmin */
	char tenant_id[OYL_UUID_LEN + 1];  /* empty for superadmins */
	char session_id[OYL_UUID_LEN + 1]; /* the login session it came from, or empty */
};

/* Valid live handles, or NULL. */
oyl_db *oyl__db_check(const oyl_db *db);
oyl_db *oyl__actor_db(const oyl_actor *actor);

/* Records an error on the handle and returns `code`. */
int oyl__fail(oyl_db *db, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/*
 * Records a storage failure: when it comes from a deferred write (the
 * backend's failed_write()), with that write's note; else "<doing>:
 * <backend message>".
 */
int oyl__fail_backend(oyl_db *db, int code, const char *doing);

/*
 * Where the row of t whose column `col` equals `key` is, before its
 * tenant is known (core/locate.c): its tenant ("" for none) and id.
 * OYL_ENOTFOUND (no message set) when there is none; any other failure
 * with its message.
 */
int oyl__locate(oyl_db *db, const oyl_table *t, int32_t col, const char *key,
		char tenant[OYL_UUID_LEN + 1], char id[OYL_UUID_LEN + 1]);
/* The handle's error, kept across work whose own failures must not
 * replace it (recording a failure, cleaning up after a commit). */
typedef struct oyl__kept_error {
	int code;
	char msg[OYL_ERRMSG_MAX];
} oyl__kept_error;
void oyl__error_keep(const oyl_db *db, oyl__kept_error *e);
void oyl__error_restore(oyl_db *db, const oyl__kept_error *e);

/* Clears the handle's error state; returns OYL_OK. */
int oyl__ok(oyl_db *db);

/* ---- transactions (core/txn.c) ---------------------------------------- */

/*
 * Opens the transaction of a public call: in the actor's tenant scope (or
 * the platform's), and with the actor's user to be checked by the call's
 * first read batch.  `actor` may be NULL (calls whose credential is the
 * authority: logins, tokens), then the scope is `tenant`.
 */
int oyl__txn_begin(oyl_db *db, struct oyl_actor *actor, const char *tenant, unsigned flags);
/* Commits on OYL_OK, else rolls back; returns the final status (a
 * failed commit turns OK into its error, with its write's message). */
int oyl__txn_end(oyl_db *db, int status);
/*
 * oyl__txn_end in two halves, for a caller with work to do while the
 * server commits (oyl_doc_ingest_many): with the backend's commit_start,
 * the commit is sent and not waited for, and the transaction stays open
 * until oyl__txn_end_finish(), which must come next for this handle (the
 * caller's own work between touches no storage).  Otherwise, or for a
 * failed status, the start ends it whole.  The start returns a failure
 * it already knows; after a start that returned OYL_OK, the finish
 * returns what oyl__txn_end would have.
 */
int oyl__txn_end_start(oyl_db *db, int status);
int oyl__txn_end_finish(oyl_db *db);
/* The open transaction's last reads and its commit, in one exchange: the
 * backend's read_many_commit (the caller checked that it has one).  The
 * rows reach their callbacks once committed; a callback's failure is
 * returned with the transaction committed all the same. */
int oyl__txn_end_reading(oyl_db *db, oyl_read *reads, size_t n);

/* Writes of the open transaction, with the message for their failure. */
int oyl__write_insert(oyl_db *db, const char *tenant, const oyl_table *t, const oyl_value *vals,
		      const oyl__note *note);
int oyl__write_update(oyl_db *db, const char *tenant, const oyl_table *t,
		      const oyl_filter *filters, size_t nfilters, const oyl_assign *set,
		      size_t nset, int64_t *changed, const oyl__note *note);
/* Many rows of t in one call: the backend's insert_many when it has one
 * (deferred like an insert), else one insert per row. */
int oyl__write_insert_many(oyl_db *db, const char *tenant, const oyl_table *t,
			   const oyl_value *rows, size_t nrows, const oyl__note *note);
int oyl__write_remove(oyl_db *db, const char *tenant, const oyl_table *t,
		      const oyl_filter *filters, size_t nfilters, int64_t *deleted,
		      const oyl__note *note);

/* OYL_ENOTSUP naming the missing method, for a call that needs it. */
int oyl__unsupported(oyl_db *db, const char *method, const char *why);

/* ---- ids, time -------------------------------------------------------- */

/* A new random (v4) UUID, lowercase, NUL-terminated. */
void oyl__uuid_new(char out[OYL_UUID_LEN + 1]);
/* n of them into out[0..n). */
void oyl__uuid_new_many(char (*out)[OYL_UUID_LEN + 1], size_t n);
/* 1 when s is a UUID in the 8-4-4-4-12 hex form (any case); then out
 * (if not NULL) gets it in lowercase, the form ids are stored in. */
int oyl__uuid_norm(const char *s, char out[OYL_UUID_LEN + 1]);

/* The current time in microseconds since the epoch (overridable in tests). */
int64_t oyl__now(void);
typedef int64_t (*oyl__clock_fn)(void);
void oyl__set_clock(oyl__clock_fn fn);

#endif
