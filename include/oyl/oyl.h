/*
 * liboyl — the data and logic layer of a multi-tenant "chat with your
 * documents" assistant, as an embeddable C library.
 *
 * This header is the whole application API.  Read doc/conventions.md for
 * the rules every function follows; in short:
 *
 *  - Every function that can fail returns an oyl_status: OYL_OK (0) or a
 *    negative code.  oyl_strerror() gives static text for a code; the
 *    message of the last failure on a database handle is oyl_db_errmsg().
 *  - Handles are opaque.  A NULL handle or out-pointer gives OYL_EMISUSE,
 *    never a crash.  Every *_free() and oyl_db_close() accepts NULL.
 *  - Strings are UTF-8 and NUL-terminated.  Getters return memory owned by
 *    the record or handle they were called on, valid until it is freed.
 *    Functions that return new memory say so; free it with oyl_free().
 *  - Options structs start with their size; initialise them with their
 *    *_INIT macro so that a newer library can tell what an older host set.
 *  - Times are int64 microseconds since 1970-01-01T00:00:00Z.
 *  - One thread uses an oyl_db (and the actors and records made through
 *    it) at a time: open one handle per thread.
 *  - Every public mutation happens whole or not at all: its writes and its
 *    audit event go in one transaction.  Calls with slow work (password
 *    hashing) read first, work with no transaction open, then write in a
 *    transaction that checks again what they read (doc/conventions.md).
 *  - Every call reads its actor's user again (role, tenant, existence) in
 *    its own transaction: a demoted user's actor loses its rights at once,
 *    a deleted user's actor gets OYL_EAUTH.
 */
#ifndef OYL_H
#define OYL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(OYL_BUILDING) && defined(__GNUC__)
#define OYL_API __attribute__((visibility("default")))
#else
#define OYL_API
#endif

/* ---- version -------------------------------------------------------- */

#define OYL_VERSION_MAJOR 0
#define OYL_VERSION_MINOR 1
#define OYL_VERSION_PATCH 0
#define OYL_VERSION_STRING "0.1.0"
/** MAJOR*10000 + MINOR*100 + PATCH, for compile-time comparisons. */
#define OYL_VERSION_NUMBER (OYL_VERSION_MAJOR * 10000 + OYL_VERSION_MINOR * 100 + OYL_VERSION_PATCH)

/** The version of the library actually linked, "MAJOR.MINOR.PATCH" (static). */
OYL_API const char *oyl_version(void);
/** The linked library's OYL_VERSION_NUMBER. */
OYL_API int oyl_version_number(void);

/* ---- status codes --------------------------------------------------- */

/*
 * X(NAME, value, text): the one table of status codes.  Values are part
 * of the ABI and are never renumbered; new codes are appended.
 */
#define OYL_STATUS_TABLE(X)                                                                          \
	X(OK, 0, "success")                                                                          \
	X(ERROR, -1, "unspecified error")                                                            \
	X(EINVAL, -2, "invalid argument")                                                            \
	X(ENOMEM, -3, "out of memory")                                                               \
	X(ENOTFOUND, -4, "not found")                                                                \
	X(EPERM, -5, "permission denied")                                                            \
	X(ECONFLICT, -6, "conflicts with an existing record")                                        \
	X(EREFERENCE, -7, "refers to a missing record, or is still referred to")                     \
	X(EMISUSE, -8, "library misuse (NULL or closed handle, NULL out-pointer)")                   \
	X(ESTORAGE, -9, "storage backend error")                                                     \
	X(ECONNECT, -10, "cannot connect to or open the database")                                   \
	X(ESCHEMA, -11, "database schema is missing or newer than this library")                     \
	X(EBUSY, -12, "database is busy")                                                            \
	X(ETIMEOUT, -13, "operation timed out")                                                      \
	X(EQUOTA, -14, "tenant quota exceeded")                                                      \
	X(ENOTSUP, -15, "not supported")                                                             \
	X(EDISCONNECTED, -16, "connection to the database was lost")                                \
	X(EAUTH, -17, "authentication failed")                                                       \
	X(ECANCELED, -18, "cancelled by the caller")                                                 \
	X(EREMOTE, -19, "a remote service (embedder or model server) failed")                        \
	X(EXISTS, 1, "already there: the existing record is returned")

typedef enum oyl_status {
#define OYL__STATUS_ENUM(name, value, text) OYL_##name = value,
	OYL_STATUS_TABLE(OYL__STATUS_ENUM)
#undef OYL__STATUS_ENUM
} oyl_status;

/** Static English text for a status code ("unknown status" for others). */
OYL_API const char *oyl_strerror(int status);
/** The code's name without prefix, e.g. "ENOTFOUND" (static; "UNKNOWN" for others). */
OYL_API const char *oyl_status_name(int status);

/* ---- memory --------------------------------------------------------- */

#define OYL_ALLOCATOR_VERSION 1

/**
 * The allocator every allocation of the library goes through.  The
 * functions follow malloc/realloc/free semantics (realloc(NULL, n) must
 * allocate; free(NULL) must do nothing); `ctx` is passed back unchanged.
 */
typedef struct oyl_allocator {
	uint32_t version; /**< OYL_ALLOCATOR_VERSION */
	void *(*malloc_fn)(size_t size, void *ctx);
	void *(*realloc_fn)(void *ptr, size_t size, void *ctx);
	void (*free_fn)(void *ptr, void *ctx);
	void *ctx;
} oyl_allocator;

/**
 * Replaces the allocator (NULL restores malloc/realloc/free).  Process
 * wide and not thread-safe: call it before any other oyl_ function, while
 * nothing the library allocated is alive.  The libraries liboyl links
 * keep their own allocators (SQLite, libpq, cJSON, libxml2, libzip,
 * poppler, Tesseract, and libstemmer for the search tokenizer's
 * stemmers); the library never calls cJSON_InitHooks().  Returns OYL_EINVAL for an unknown version or a
 * missing function.
 */
OYL_API int oyl_set_allocator(const oyl_allocator *allocator);

/** Frees memory the library returned as new (JSON text, ...).  NULL is fine. */
OYL_API void oyl_free(void *ptr);

/* ---- database handle ------------------------------------------------ */

typedef struct oyl_db oyl_db;

/** oyl_db_options.flags */
#define OYL_DB_MIGRATE 0x1u /**< run oyl_db_migrate() as part of opening */
/**
 * PostgreSQL: run every statement unnamed instead of preparing each once
 * per connection.  For poolers that cannot carry prepared statements
 * (PgBouncer before 1.21 in transaction mode); costs the server a parse
 * and a plan per statement.
 */
#define OYL_DB_NO_PREPARE 0x2u

typedef struct oyl_db_options {
	uint32_t size;              /**< sizeof(oyl_db_options) */
	uint32_t flags;             /**< OYL_DB_* */
	int32_t busy_timeout_ms;    /**< SQLite: wait this long for a lock (default 5000) */
	int32_t connect_timeout_s;  /**< PostgreSQL: connect timeout (default 10) */
	/**
	 * Where documents' original bytes are kept.  NULL: in the database
	 * itself (table document_blobs, in pieces of 1 MiB), so any host or
	 * worker that reaches the database reads them.  A directory: files
	 * named by their SHA-256 under <dir>/<tenant id>/, shared by every
	 * host and worker of the deployment (doc/ingestion.md).
	 */
	const char *blob_dir;
} oyl_db_options;

#define OYL_DB_OPTIONS_INIT {sizeof(oyl_db_options), 0, 5000, 10, NULL}

/**
 * Opens a database.  The backend comes from the URI:
 *  - "postgresql://…", "postgres://…" or a libpq "key=value …" string:
 *    PostgreSQL;
 *  - "sqlite:PATH" (file, created if missing; its directory must exist)
 *    or "sqlite::memory:": the embedded SQLite database.
 * `opts` may be NULL for defaults.  On success `*out` is a new handle to
 * close with oyl_db_close().  On failure `*out` is NULL, the status says
 * why (EINVAL unparseable URI, ECONNECT unreachable server, refused
 * login or unopenable file, ESCHEMA database newer than the library) and
 * oyl_last_open_error() gives the message.
 */
OYL_API int oyl_db_open(oyl_db **out, const char *uri, const oyl_db_options *opts);

/** The message of the calling thread's last failed open (static, thread-local). */
OYL_API const char *oyl_last_open_error(void);

/** Closes the handle and frees it.  NULL is fine. */
OYL_API void oyl_db_close(oyl_db *db);

/**
 * Creates or upgrades the schema to the library's version, in one
 * transaction under a lock, so that concurrent callers apply it once.
 * ESCHEMA when the database is newer than the library.
 */
OYL_API int oyl_db_migrate(oyl_db *db);

/**
 * Removes stored originals no document references: what a crash between
 * writing a file and committing its document left in the blob directory
 * (oyl_db_options.blob_dir), and temporary files.  `*removed` (may be
 * NULL) gets the number of files removed.  Nothing to do for originals
 * kept in the database.  Safe while hosts and workers run: a file being
 * added is never taken (doc/ingestion.md).
 */
OYL_API int oyl_gc(oyl_db *db, int64_t *removed);

/** The database's schema version (0 before the first migration). */
OYL_API int oyl_db_schema_version(oyl_db *db, int *version);

/** The backend's name, "sqlite" or "postgres" (static); NULL for a NULL handle. */
OYL_API const char *oyl_db_backend_name(const oyl_db *db);

/** The status of the last failed call on the handle (OYL_OK after a success). */
OYL_API int oyl_db_errcode(const oyl_db *db);

/**
 * The message of the last failed call on the handle: what went wrong and
 * on which field or record.  Owned by the handle, valid until the next
 * call on it.  Never NULL.
 */
OYL_API const char *oyl_db_errmsg(const oyl_db *db);

/* ---- actors --------------------------------------------------------- */

/** Roles.  Values are part of the ABI. */
typedef enum oyl_role {
	OYL_ROLE_SUPERADMIN = 1,   /**< the platform: every tenant */
	OYL_ROLE_TENANT_ADMIN = 2, /**< manages one tenant */
	OYL_ROLE_USER = 3          /**< chats; reads what chatting needs */
} oyl_role;

/** Who is acting.  Every operation takes an actor first. */
typedef struct oyl_actor oyl_actor;

/**
 * The bootstrap superadmin of this handle: the platform itself, with no
 * user record behind it.  Only the host can make one, so only give it to
 * code you trust.  On PostgreSQL its calls need a connection whose login
 * is a member of the role oyl_platform; on any other each of them fails
 * with OYL_EPERM and changes nothing (doc/security.md).  New actor; free
 * with oyl_actor_free().
 */
OYL_API int oyl_actor_superadmin(oyl_db *db, oyl_actor **out);

/**
 * The actor of a stored user: a tenant's user or admin, or a superadmin
 * account.  Reads nothing and costs no round trip: role and tenant are
 * read from storage, never taken from the caller, by every call the actor
 * makes, inside that call's own transaction.  So a role change shows at
 * the actor's next call, and once the user is deleted every call of its
 * actor is OYL_EAUTH ("actor: user <id> no longer exists"), changing
 * nothing.  An id that names no user makes an actor all the same; its
 * first call is OYL_EAUTH.  EINVAL when user_id is not a UUID.  New actor.
 */
OYL_API int oyl_actor_for_user(oyl_db *db, const char *user_id, oyl_actor **out);

/** The user id behind the actor, or NULL for the bootstrap superadmin. */
OYL_API const char *oyl_actor_user_id(const oyl_actor *actor);

/**
 * An actor's role (OYL_ROLE_*) as its latest call read it, or 0 for NULL.
 * An actor of oyl_actor_for_user has role 0 until its first call, unless
 * this handle has read that user before.
 */
OYL_API int oyl_actor_role(const oyl_actor *actor);

/**
 * The actor's tenant id, or NULL for a superadmin.  Like the role, known
 * after the actor's first call (or when the handle has met the user).
 * Owned by the actor.
 */
OYL_API const char *oyl_actor_tenant_id(const oyl_actor *actor);

/** The database handle the actor works on. */
OYL_API oyl_db *oyl_actor_db(const oyl_actor *actor);

/** Frees the actor.  NULL is fine. */
OYL_API void oyl_actor_free(oyl_actor *actor);



/* ---- lists ---------------------------------------------------------- */

/** oyl_list_options.flags */
#define OYL_LIST_TOTAL 0x1u /**< also count every matching record (oyl_page_total) */

#define OYL_LIST_DEFAULT_LIMIT 20
#define OYL_LIST_MAX_LIMIT 100

/**
 * How much of a list to fetch.  Records come oldest first (creation time,
 * then id).  `limit`: 1..100, 0 for the default 20; more than 100 is
 * EINVAL.  Either `offset` (records to skip) or `cursor` (the
 * oyl_page_next_cursor() of the previous page: stable while records are
 * added) — not both.
 */
typedef struct oyl_list_options {
	uint32_t size;      /**< sizeof(oyl_list_options) */
	int32_t limit;
	int64_t offset;
	const char *cursor;
	uint32_t flags;     /**< OYL_LIST_* */
} oyl_list_options;

#define OYL_LIST_OPTIONS_INIT {sizeof(oyl_list_options), 0, 0, NULL, 0}

/** A page of records of one kind.  Free with oyl_page_free(). */
typedef struct oyl_page oyl_page;

/** Records on the page. */
OYL_API size_t oyl_page_count(const oyl_page *page);
/** All matching records (with OYL_LIST_TOTAL), else -1. */
OYL_API int64_t oyl_page_total(const oyl_page *page);
/** The cursor of the next page, or NULL when this page is the last.  Owned by the page. */
OYL_API const char *oyl_page_next_cursor(const oyl_page *page);
/** {"items":[...],"total":N|null,"next_cursor":"..."|null}; new string: oyl_free(). */
OYL_API int oyl_page_to_json(const oyl_page *page, char **json);
OYL_API void oyl_page_free(oyl_page *page);

/* ---- records -------------------------------------------------------- */

/*
 * Each record comes back as an opaque handle: getters for its columns
 * (strings owned by the record), oyl_<thing>_to_json() for a JSON object
 * of all of them (new string: oyl_free()), and oyl_<thing>_free().
 * Ids are lowercase 36-character UUIDs.  A getter on NULL gives NULL or 0.
 */
typedef struct oyl_tenant oyl_tenant;
typedef struct oyl_user oyl_user;
typedef struct oyl_workspace oyl_workspace;
typedef struct oyl_teammate oyl_teammate;
typedef struct oyl_assistant oyl_assistant;
typedef struct oyl_instruction oyl_instruction;
typedef struct oyl_knowledge_base oyl_knowledge_base;
typedef struct oyl_social_link oyl_social_link;
typedef struct oyl_audit_event oyl_audit_event;
typedef struct oyl_document oyl_document;
typedef struct oyl_chunk oyl_chunk;

/*
 * Page items: the record at index i of a page of that kind (owned by the
 * page), or NULL when i is out of range or the page holds another kind.
 */
OYL_API const oyl_tenant *oyl_page_tenant(const oyl_page *page, size_t i);
OYL_API const oyl_user *oyl_page_user(const oyl_page *page, size_t i);
OYL_API const oyl_workspace *oyl_page_workspace(const oyl_page *page, size_t i);
OYL_API const oyl_teammate *oyl_page_teammate(const oyl_page *page, size_t i);
OYL_API const oyl_assistant *oyl_page_assistant(const oyl_page *page, size_t i);
OYL_API const oyl_knowledge_base *oyl_page_kb(const oyl_page *page, size_t i);
OYL_API const oyl_social_link *oyl_page_social_link(const oyl_page *page, size_t i);
OYL_API const oyl_audit_event *oyl_page_audit_event(const oyl_page *page, size_t i);
OYL_API const oyl_document *oyl_page_document(const oyl_page *page, size_t i);
OYL_API const oyl_chunk *oyl_page_chunk(const oyl_page *page, size_t i);

/* tenants */

typedef struct oyl_tenant_options {
	uint32_t size;             /**< sizeof(oyl_tenant_options) */
	const char *admin_email;   /**< non-NULL: also create the first tenant_admin */
	const char *admin_name;    /**< that admin's name (required with admin_email) */
} oyl_tenant_options;

#define OYL_TENANT_OPTIONS_INIT {sizeof(oyl_tenant_options), NULL, NULL}

/**
 * Creates a tenant (and, with opts->admin_email, its first tenant_admin,
 * in the same transaction).  `slug`: 1-63 of [a-z0-9-], unique (ECONFLICT).
 * `opts` may be NULL.  `out` may be NULL; else a new record.
 */
OYL_API int oyl_tenant_create(oyl_actor *actor, const char *name, const char *slug,
			      const oyl_tenant_options *opts, oyl_tenant **out);
/** Fetches a tenant; ENOTFOUND when it does not exist for the actor. */
OYL_API int oyl_tenant_get(oyl_actor *actor, const char *id, oyl_tenant **out);
/**
 * Lists tenants: every tenant for a superadmin, the actor's own for
 * everyone else.  Each carries its user and document counts.
 */
OYL_API int oyl_tenant_list(oyl_actor *actor, const oyl_list_options *opts, oyl_page **out);
/**
 * Renames a tenant.  `name` or `slug` NULL: unchanged.  A tenant_admin may
 * change the name of their own tenant; only a superadmin the slug.
 */
OYL_API int oyl_tenant_update(oyl_actor *actor, const char *id, const char *name, const char *slug,
			      oyl_tenant **out);
/** Deletes a tenant and everything of it. */
OYL_API int oyl_tenant_delete(oyl_actor *actor, const char *id);
OYL_API const char *oyl_tenant_id(const oyl_tenant *t);
OYL_API const char *oyl_tenant_name(const oyl_tenant *t);
OYL_API const char *oyl_tenant_slug(const oyl_tenant *t);
OYL_API int64_t oyl_tenant_created_at(const oyl_tenant *t);
OYL_API int64_t oyl_tenant_updated_at(const oyl_tenant *t);
/**
 * Sets a tenant's quotas (superadmins only): at most `users` users,
 * `documents` documents and `bytes` stored bytes; -1 for no limit.  A
 * create that would pass a limit fails with OYL_EQUOTA, decided inside
 * its own transaction, so concurrent creates cannot pass it together.
 */
OYL_API int oyl_tenant_set_quotas(oyl_actor *actor, const char *tenant_id, int64_t users,
				  int64_t documents, int64_t bytes);
/** The tenant's limits, -1 for none. */
OYL_API int64_t oyl_tenant_quota_users(const oyl_tenant *t);
OYL_API int64_t oyl_tenant_quota_documents(const oyl_tenant *t);
OYL_API int64_t oyl_tenant_quota_bytes(const oyl_tenant *t);
/** Users of the tenant when the record was read. */
OYL_API int64_t oyl_tenant_user_count(const oyl_tenant *t);
/** Documents of the tenant when the record was read. */
OYL_API int64_t oyl_tenant_document_count(const oyl_tenant *t);
OYL_API int oyl_tenant_to_json(const oyl_tenant *t, char **json);
OYL_API void oyl_tenant_free(oyl_tenant *t);

/* users */

/**
 * Creates a user.  `email` is unique across the platform, compared
 * case-insensitively (ECONFLICT).  `role` OYL_ROLE_TENANT_ADMIN or
 * OYL_ROLE_USER makes a user of `tenant_id`; OYL_ROLE_SUPERADMIN (with
 * `tenant_id` NULL, superadmins only) a superadmin account.
 */
OYL_API int oyl_user_create(oyl_actor *actor, const char *tenant_id, const char *email,
			    const char *name, int role, oyl_user **out);
OYL_API int oyl_user_get(oyl_actor *actor, const char *id, oyl_user **out);
/**
 * Lists the users of a tenant (`tenant_id` NULL: a superadmin's view of
 * the superadmin accounts).  A user sees only themselves.
 */
OYL_API int oyl_user_list(oyl_actor *actor, const char *tenant_id, const oyl_list_options *opts,
			  oyl_page **out);
/**
 * Changes a user's name and/or role (`name` NULL, `role` 0: unchanged).
 * Everyone may rename themselves; roles are changed by admins (see
 * doc/permissions.md), never one's own, and a tenant user never becomes a
 * superadmin.
 */
OYL_API int oyl_user_update(oyl_actor *actor, const char *id, const char *name, int role,
			    oyl_user **out);
/** Deletes a user: their sessions, messages, API keys and login tokens go too;
 * documents they uploaded stay with the tenant, uploader cleared. */
OYL_API int oyl_user_delete(oyl_actor *actor, const char *id);
OYL_API const char *oyl_user_id(const oyl_user *u);
/** The user's tenant, or NULL for a superadmin account. */
OYL_API const char *oyl_user_tenant_id(const oyl_user *u);
OYL_API const char *oyl_user_email(const oyl_user *u);
OYL_API const char *oyl_user_name(const oyl_user *u);
OYL_API int oyl_user_role(const oyl_user *u);
/** Time of the last login, or 0 for never. */
OYL_API int64_t oyl_user_last_login(const oyl_user *u);
OYL_API int64_t oyl_user_created_at(const oyl_user *u);
OYL_API int64_t oyl_user_updated_at(const oyl_user *u);
OYL_API int oyl_user_to_json(const oyl_user *u, char **json);
OYL_API void oyl_user_free(oyl_user *u);

/* workspaces */

OYL_API int oyl_workspace_create(oyl_actor *actor, const char *tenant_id, const char *name,
				 oyl_workspace **out);
OYL_API int oyl_workspace_get(oyl_actor *actor, const char *id, oyl_workspace **out);
OYL_API int oyl_workspace_list(oyl_actor *actor, const char *tenant_id, const oyl_list_options *opts,
			       oyl_page **out);
OYL_API int oyl_workspace_update(oyl_actor *actor, const char *id, const char *name,
				 oyl_workspace **out);
/** Deletes a workspace with its teammates, assistants, instructions,
 * knowledge bases and documents. */
OYL_API int oyl_workspace_delete(oyl_actor *actor, const char *id);
OYL_API const char *oyl_workspace_id(const oyl_workspace *w);
OYL_API const char *oyl_workspace_tenant_id(const oyl_workspace *w);
OYL_API const char *oyl_workspace_name(const oyl_workspace *w);
OYL_API int64_t oyl_workspace_created_at(const oyl_workspace *w);
OYL_API int64_t oyl_workspace_updated_at(const oyl_workspace *w);
OYL_API int oyl_workspace_to_json(const oyl_workspace *w, char **json);
OYL_API void oyl_workspace_free(oyl_workspace *w);

/* teammates */

/**
 * Creates a teammate in a workspace.  `orchestration_config` is JSON text
 * of an object, or NULL for "{}".  A non-empty config names a "strategy"
 * ("round_robin", "first" or "fallback"), may list "assistants" (ids of
 * assistants of this teammate — so a new teammate's list is empty), and
 * "fallback_assistant" (one of those; required by "fallback").
 */
OYL_API int oyl_teammate_create(oyl_actor *actor, const char *workspace_id, const char *name,
				const char *orchestration_config, oyl_teammate **out);
OYL_API int oyl_teammate_get(oyl_actor *actor, const char *id, oyl_teammate **out);
OYL_API int oyl_teammate_list(oyl_actor *actor, const char *workspace_id,
			      const oyl_list_options *opts, oyl_page **out);
/** Changes name and/or orchestration config (NULL: unchanged). */
OYL_API int oyl_teammate_update(oyl_actor *actor, const char *id, const char *name,
				const char *orchestration_config, oyl_teammate **out);
OYL_API int oyl_teammate_delete(oyl_actor *actor, const char *id);
OYL_API const char *oyl_teammate_id(const oyl_teammate *t);
OYL_API const char *oyl_teammate_tenant_id(const oyl_teammate *t);
OYL_API const char *oyl_teammate_workspace_id(const oyl_teammate *t);
OYL_API const char *oyl_teammate_name(const oyl_teammate *t);
/** The orchestration config as JSON text. */
OYL_API const char *oyl_teammate_orchestration_config(const oyl_teammate *t);
OYL_API int64_t oyl_teammate_created_at(const oyl_teammate *t);
OYL_API int64_t oyl_teammate_updated_at(const oyl_teammate *t);
/** Where round-robin routing stands (kept in storage). */
OYL_API int64_t oyl_teammate_rr_position(const oyl_teammate *t);
OYL_API int oyl_teammate_to_json(const oyl_teammate *t, char **json);
OYL_API void oyl_teammate_free(oyl_teammate *t);

/* assistants */

OYL_API int oyl_assistant_create(oyl_actor *actor, const char *teammate_id, const char *name,
				 oyl_assistant **out);
OYL_API int oyl_assistant_get(oyl_actor *actor, const char *id, oyl_assistant **out);
OYL_API int oyl_assistant_list(oyl_actor *actor, const char *teammate_id,
			       const oyl_list_options *opts, oyl_page **out);
OYL_API int oyl_assistant_update(oyl_actor *actor, const char *id, const char *name,
				 oyl_assistant **out);
OYL_API int oyl_assistant_delete(oyl_actor *actor, const char *id);
OYL_API const char *oyl_assistant_id(const oyl_assistant *a);
OYL_API const char *oyl_assistant_tenant_id(const oyl_assistant *a);
OYL_API const char *oyl_assistant_teammate_id(const oyl_assistant *a);
OYL_API const char *oyl_assistant_name(const oyl_assistant *a);
OYL_API int64_t oyl_assistant_created_at(const oyl_assistant *a);
OYL_API int64_t oyl_assistant_updated_at(const oyl_assistant *a);
/**
 * Chooses the LLM provider the assistant answers with (doc/prompting.md):
 * `provider` is a name registered on the handle with oyl_db_add_provider()
 * or the built-in "extractive"; NULL clears the choice (and the model and
 * options): the assistant then uses "extractive".  `model` (may be NULL:
 * the provider's default) is up to 200 bytes.  `options` is NULL or a
 * JSON object with any of "temperature" (a number from 0 to 2) and
 * "max_tokens" (an integer from 1 to 1000000); another key is EINVAL.
 * Never an API key: the host gives the provider its key when it makes it.
 * Tenant admins and superadmins, like every change to an assistant.
 */
OYL_API int oyl_assistant_set_provider(oyl_actor *actor, const char *id, const char *provider,
				       const char *model, const char *options,
				       oyl_assistant **out);
/** The provider's name, model and options (JSON object text); NULL when unset. */
OYL_API const char *oyl_assistant_provider(const oyl_assistant *a);
OYL_API const char *oyl_assistant_provider_model(const oyl_assistant *a);
OYL_API const char *oyl_assistant_provider_options(const oyl_assistant *a);
OYL_API int oyl_assistant_to_json(const oyl_assistant *a, char **json);
OYL_API void oyl_assistant_free(oyl_assistant *a);

/* instructions: one per assistant */

/** Sets (creates or replaces) the assistant's instruction. */
OYL_API int oyl_instruction_set(oyl_actor *actor, const char *assistant_id, const char *system_prompt,
				oyl_instruction **out);
/** The assistant's instruction; ENOTFOUND when it has none. */
OYL_API int oyl_instruction_get(oyl_actor *actor, const char *assistant_id, oyl_instruction **out);
/** Removes the assistant's instruction; ENOTFOUND when it has none. */
OYL_API int oyl_instruction_clear(oyl_actor *actor, const char *assistant_id);
OYL_API const char *oyl_instruction_id(const oyl_instruction *i);
OYL_API const char *oyl_instruction_tenant_id(const oyl_instruction *i);
OYL_API const char *oyl_instruction_assistant_id(const oyl_instruction *i);
OYL_API const char *oyl_instruction_system_prompt(const oyl_instruction *i);
OYL_API int64_t oyl_instruction_created_at(const oyl_instruction *i);
OYL_API int64_t oyl_instruction_updated_at(const oyl_instruction *i);
OYL_API int oyl_instruction_to_json(const oyl_instruction *i, char **json);
OYL_API void oyl_instruction_free(oyl_instruction *i);

/* knowledge bases */

/** Creates a knowledge base of an assistant; `vector_db_id` may be NULL. */
OYL_API int oyl_kb_create(oyl_actor *actor, const char *assistant_id, const char *name,
			  const char *vector_db_id, oyl_knowledge_base **out);
OYL_API int oyl_kb_get(oyl_actor *actor, const char *id, oyl_knowledge_base **out);
OYL_API int oyl_kb_list(oyl_actor *actor, const char *assistant_id, const oyl_list_options *opts,
			oyl_page **out);
/** Changes name and/or vector_db_id (NULL: unchanged; "" clears vector_db_id). */
OYL_API int oyl_kb_update(oyl_actor *actor, const char *id, const char *name,
			  const char *vector_db_id, oyl_knowledge_base **out);
/** Deletes a knowledge base with its documents and their chunks. */
OYL_API int oyl_kb_delete(oyl_actor *actor, const char *id);

/**
 * A knowledge base's search settings (doc/retrieval.md).  A new knowledge
 * base has "english", k1 1.2, b 0.75.
 *
 * `language`: the language its text is tokenized in: a Snowball stemmer's
 * name ("english", "french", "german", ...) or "none" (no stemming, no
 * stop words); NULL leaves it.  It changes only while the knowledge base
 * has no document (OYL_ECONFLICT otherwise: its index is in the old one).
 * `bm25_k1` (0 to 3) and `bm25_b` (0 to 1): BM25's term-frequency
 * saturation and length normalisation, which change the ranking at once;
 * a negative value leaves it.  Anything else is OYL_EINVAL.
 */
typedef struct oyl_kb_search_settings {
	uint32_t size; /**< sizeof(oyl_kb_search_settings) */
	const char *language;
	double bm25_k1;
	double bm25_b;
} oyl_kb_search_settings;

#define OYL_KB_SEARCH_SETTINGS_INIT {sizeof(oyl_kb_search_settings), NULL, -1.0, -1.0}

/** Changes a knowledge base's search settings (tenant admins, superadmins). */
OYL_API int oyl_kb_set_search(oyl_actor *actor, const char *id,
			      const oyl_kb_search_settings *settings, oyl_knowledge_base **out);
OYL_API const char *oyl_kb_id(const oyl_knowledge_base *k);
OYL_API const char *oyl_kb_tenant_id(const oyl_knowledge_base *k);
OYL_API const char *oyl_kb_assistant_id(const oyl_knowledge_base *k);
OYL_API const char *oyl_kb_name(const oyl_knowledge_base *k);
/** The external vector store id, or NULL. */
OYL_API const char *oyl_kb_vector_db_id(const oyl_knowledge_base *k);
OYL_API int64_t oyl_kb_created_at(const oyl_knowledge_base *k);
OYL_API int64_t oyl_kb_updated_at(const oyl_knowledge_base *k);
/** The search language ("english", "none", ...). */
OYL_API const char *oyl_kb_search_language(const oyl_knowledge_base *k);
OYL_API double oyl_kb_bm25_k1(const oyl_knowledge_base *k);
OYL_API double oyl_kb_bm25_b(const oyl_knowledge_base *k);

/**
 * Names the embedder whose vectors the knowledge base's chunks get
 * (doc/retrieval.md, vectors), or with NULL, none.  The name is one
 * registered on this handle with oyl_db_add_embedder() (oyl/sys/embedder.h);
 * every handle that processes or searches the knowledge base registers an
 * embedder under the same name.  Documents processed from then on are
 * embedded; those processed before have no vectors until they are
 * reprocessed.  Tenant admins and superadmins.  OYL_EINVAL for a name this
 * handle has not registered.
 */
OYL_API int oyl_kb_set_embedder(oyl_actor *actor, const char *id, const char *embedder,
				oyl_knowledge_base **out);
/** The embedder's name, or NULL. */
OYL_API const char *oyl_kb_embedder(const oyl_knowledge_base *k);
/**
 * The model and dimension of its current vectors, or NULL and 0 before any.
 * A document whose vectors are of another model or dimension is stale:
 * vector search leaves it out until it is reprocessed.
 */
OYL_API const char *oyl_kb_embedding_model(const oyl_knowledge_base *k);
OYL_API int64_t oyl_kb_embedding_dimension(const oyl_knowledge_base *k);
OYL_API int oyl_kb_to_json(const oyl_knowledge_base *k, char **json);
OYL_API void oyl_kb_free(oyl_knowledge_base *k);

/* documents of a knowledge base (doc/ingestion.md) */

/** A document's status.  Values are part of the ABI. */
typedef enum oyl_doc_status {
	OYL_DOC_ANY = 0,        /**< oyl_doc_list: every status */
	OYL_DOC_UPLOADED = 1,   /**< stored, waiting for a worker */
	OYL_DOC_PROCESSING = 2, /**< being extracted and chunked */
	OYL_DOC_PROCESSED = 3,  /**< its chunks are searchable */
	OYL_DOC_ERROR = 4       /**< failed: oyl_document_error() says why */
} oyl_doc_status;

#define OYL_DOC_MAX_BYTES_DEFAULT (64 * 1024 * 1024)

/**
 * Where a document comes from: a file (`path`), or bytes in memory
 * (`data`, `length`) with their original name (`name`, required then).
 * With a path, `name` defaults to the file's base name.  `mime_type`
 * NULL: told from the bytes' magic, then the name's extension.
 */
typedef struct oyl_doc_source {
	uint32_t size;         /**< sizeof(oyl_doc_source) */
	const char *path;
	const void *data;
	size_t length;
	const char *name;
	const char *mime_type;
} oyl_doc_source;

#define OYL_DOC_SOURCE_INIT {sizeof(oyl_doc_source), NULL, NULL, 0, NULL, NULL}

/**
 * Progress of a long call: bytes of the original read and extracted, and
 * chunks written, each of its total (a total not yet known is -1).
 * Returning non-zero cancels the call: it returns OYL_ECANCELED, and the
 * document is left in error "cancelled" with no chunk of that attempt.
 */
typedef int (*oyl_progress_fn)(int64_t bytes_done, int64_t bytes_total, int64_t chunks_done,
			       int64_t chunks_total, void *ctx);

typedef struct oyl_doc_options {
	uint32_t size;            /**< sizeof(oyl_doc_options) */
	int64_t max_bytes;        /**< refuse larger originals; 0: OYL_DOC_MAX_BYTES_DEFAULT */
	int32_t chunk_tokens;     /**< words per chunk, 1..4000; 0: 200 */
	int32_t chunk_overlap;    /**< words repeated from the chunk before; 0: 40; -1: none */
	oyl_progress_fn progress; /**< may be NULL */
	void *progress_ctx;
} oyl_doc_options;

#define OYL_DOC_OPTIONS_INIT {sizeof(oyl_doc_options), 0, 0, 0, NULL, NULL}

/**
 * Adds a document to a knowledge base and processes it now: the original
 * is stored, its text extracted, normalised and chunked, and the chunks
 * written, all before the call returns (`opts` may be NULL).  Admins
 * only.  The same bytes (SHA-256) already in the knowledge base are not
 * stored again: the call returns OYL_EXISTS, a success, with the
 * existing document in `*out`.  Refusals (each with nothing stored):
 * EINVAL for an empty, oversized or unreadable source, a type that is
 * not supported or bytes that are not what their type says; ENOTSUP for
 * a format this build lacks the library for; EQUOTA over the tenant's
 * document or byte quota.  A failure after the original was stored leaves
 * the document in error with the message, and no chunk.
 */
OYL_API int oyl_doc_ingest(oyl_actor *actor, const char *knowledge_base_id,
			   const oyl_doc_source *source, const oyl_doc_options *opts,
			   oyl_document **out);
/**
 * Tells the host of one source of oyl_doc_ingest_many, once it is done:
 * its index in `sources`, the status oyl_doc_ingest would have returned
 * for it (OYL_OK, OYL_EXISTS, or a failure, whose text is `message`;
 * NULL on success), and the document (NULL unless OYL_OK or OYL_EXISTS;
 * valid during the call only).  Returning non-zero stops the ingest:
 * later sources are not tried, and the call returns OYL_ECANCELED.  The
 * callback must not use the database handle.
 */
typedef int (*oyl_doc_done_fn)(size_t index, int status, const char *message,
			       const oyl_document *doc, void *ctx);

/**
 * Ingests many sources into one knowledge base: each as oyl_doc_ingest
 * would (its own transactions, checks, outcome), in order, while the
 * next source's text is extracted and chunked as the database commits
 * the one before (on PostgreSQL: 0.83 of the COPY bound of
 * doc/performance.md, against 0.55-0.60 for one call per file).  Each
 * source's outcome
 * goes to `done` (may be NULL), in order.  A source's own failure
 * (EINVAL, ENOTSUP, EQUOTA, ECONFLICT) does not stop the others; any
 * other (the knowledge base missing or not the actor's to write, the
 * storage failing) ends the call with that status after `done` heard of
 * it.  `opts` apply to every source; its `progress` must be NULL (EINVAL).
 * Returns OYL_OK when every source was tried.
 */
OYL_API int oyl_doc_ingest_many(oyl_actor *actor, const char *knowledge_base_id,
				const oyl_doc_source *const *sources, size_t n,
				const oyl_doc_options *opts, oyl_doc_done_fn done, void *ctx);
/**
 * Stores the original and leaves the document OYL_DOC_UPLOADED for a
 * worker (oyl_worker_run); the same checks as oyl_doc_ingest, and the
 * same OYL_EXISTS.  `out` may be NULL.
 */
OYL_API int oyl_doc_upload(oyl_actor *actor, const char *knowledge_base_id,
			   const oyl_doc_source *source, const oyl_doc_options *opts,
			   oyl_document **out);
/** Processes a document again from its stored original (admins); searches
 * see the old chunks until the new ones are written. */
OYL_API int oyl_doc_reprocess(oyl_actor *actor, const char *id, const oyl_doc_options *opts,
			      oyl_document **out);
OYL_API int oyl_doc_get(oyl_actor *actor, const char *id, oyl_document **out);
/** A knowledge base's documents, oldest first; `status` OYL_DOC_ANY or one status. */
OYL_API int oyl_doc_list(oyl_actor *actor, const char *knowledge_base_id, int status,
			 const oyl_list_options *opts, oyl_page **out);
/** Deletes a document with its chunks and original (admins). */
OYL_API int oyl_doc_delete(oyl_actor *actor, const char *id);
/** The extracted text (new string: oyl_free(); `*length` may be NULL).
 * ENOTFOUND while the document has none (not processed). */
OYL_API int oyl_doc_text(oyl_actor *actor, const char *id, char **text, size_t *length);
/** A document's chunks in order (by ordinal), paged like every list. */
OYL_API int oyl_doc_chunks(oyl_actor *actor, const char *id, const oyl_list_options *opts,
			   oyl_page **out);
/** Receives the original's bytes, piece by piece; non-zero stops (and is returned). */
typedef int (*oyl_write_fn)(const void *data, size_t length, void *ctx);
/** Streams the stored original to `write` (pieces of at most 1 MiB). */
OYL_API int oyl_doc_read_original(oyl_actor *actor, const char *id, oyl_write_fn write,
				  void *ctx);

OYL_API const char *oyl_document_id(const oyl_document *d);
OYL_API const char *oyl_document_tenant_id(const oyl_document *d);
OYL_API const char *oyl_document_knowledge_base_id(const oyl_document *d);
/** The user who added it, or NULL once that user is deleted. */
OYL_API const char *oyl_document_uploader_id(const oyl_document *d);
/** The stored file name: the original's base name, made safe (no path, no control). */
OYL_API const char *oyl_document_filename(const oyl_document *d);
/** The name as the source gave it. */
OYL_API const char *oyl_document_original_name(const oyl_document *d);
OYL_API int64_t oyl_document_size(const oyl_document *d);
OYL_API const char *oyl_document_mime_type(const oyl_document *d);
/** The original's SHA-256, 64 lowercase hex digits. */
OYL_API const char *oyl_document_sha256(const oyl_document *d);
/** OYL_DOC_UPLOADED ... OYL_DOC_ERROR. */
OYL_API int oyl_document_status(const oyl_document *d);
/** Why it is in error, or NULL. */
OYL_API const char *oyl_document_error(const oyl_document *d);
/** Percent done, 0..100. */
OYL_API int64_t oyl_document_progress(const oyl_document *d);
/** When it was processed, or 0. */
OYL_API int64_t oyl_document_processed_at(const oyl_document *d);
OYL_API int64_t oyl_document_chunk_count(const oyl_document *d);
/**
 * The model and dimension its chunks' vectors were made by, or NULL and 0
 * (no embedder).  Stale when they differ from its knowledge base's
 * oyl_kb_embedding_model() and oyl_kb_embedding_dimension().
 */
OYL_API const char *oyl_document_embedding_model(const oyl_document *d);
OYL_API int64_t oyl_document_embedding_dimension(const oyl_document *d);
/** Invalid UTF-8 sequences of its text replaced by U+FFFD. */
OYL_API int64_t oyl_document_invalid_utf8(const oyl_document *d);
/** Processing attempts so far. */
OYL_API int64_t oyl_document_attempt(const oyl_document *d);
OYL_API int64_t oyl_document_created_at(const oyl_document *d);
OYL_API int64_t oyl_document_updated_at(const oyl_document *d);
OYL_API int oyl_document_to_json(const oyl_document *d, char **json);
OYL_API void oyl_document_free(oyl_document *d);

OYL_API const char *oyl_chunk_id(const oyl_chunk *c);
OYL_API const char *oyl_chunk_document_id(const oyl_chunk *c);
OYL_API int64_t oyl_chunk_ordinal(const oyl_chunk *c);
OYL_API const char *oyl_chunk_content(const oyl_chunk *c);
/** Words in it (the chunker's count). */
OYL_API int64_t oyl_chunk_token_count(const oyl_chunk *c);
/** Where it is in the extracted text, in characters (code points): [start, end). */
OYL_API int64_t oyl_chunk_start(const oyl_chunk *c);
OYL_API int64_t oyl_chunk_end(const oyl_chunk *c);
/** The page it starts on (PDF, multi-page images), or 0. */
OYL_API int64_t oyl_chunk_page(const oyl_chunk *c);
/** The titles of the sections it starts under, as a JSON array, or NULL. */
OYL_API const char *oyl_chunk_section(const oyl_chunk *c);
OYL_API int oyl_chunk_to_json(const oyl_chunk *c, char **json);

/* search: the passages of a knowledge base that answer a question
 * (doc/retrieval.md) */

/** How oyl_kb_search ranks.  Values are part of the ABI. */
typedef enum oyl_search_mode {
	OYL_SEARCH_LEXICAL = 0, /**< BM25 over the library's own index */
	OYL_SEARCH_VECTOR = 1,  /**< cosine over the chunks' embeddings */
	OYL_SEARCH_HYBRID = 2   /**< reciprocal rank fusion of both */
} oyl_search_mode;

#define OYL_SEARCH_LIMIT_MAX 100

/**
 * Options of oyl_kb_search.  `limit`: 1 to OYL_SEARCH_LIMIT_MAX results
 * (0: 10).  `document_ids`: only chunks of these documents (NULL: all);
 * the scores stay those of the whole knowledge base.  `min_score`: only
 * results scoring at least this much.
 */
typedef struct oyl_search_options {
	uint32_t size; /**< sizeof(oyl_search_options) */
	int32_t limit;
	int32_t mode; /**< an oyl_search_mode */
	const char *const *document_ids;
	size_t document_count;
	double min_score;
} oyl_search_options;

#define OYL_SEARCH_OPTIONS_INIT {sizeof(oyl_search_options), 0, OYL_SEARCH_LEXICAL, NULL, 0, 0.0}

typedef struct oyl_search_results oyl_search_results;

/**
 * Searches a knowledge base, or every knowledge base of an assistant
 * (`target_id` names either), for the chunks that best answer `query`,
 * best first (ties by document id, then by place in the document).  Every
 * role of the tenant may search; another tenant's target is
 * OYL_ENOTFOUND.  Any text is a question: quotes, operators and
 * punctuation are separators, and a question with no searchable word
 * finds nothing (OYL_OK, no results).  Invalid UTF-8 or more than 64 KiB
 * is OYL_EINVAL.  Only processed documents answer; a document being
 * reprocessed answers with its old chunks until the new ones are stored.
 *
 * Vector and hybrid modes (doc/retrieval.md) need knowledge bases that
 * name an embedder (oyl_kb_set_embedder) registered on this handle; the
 * question is embedded with no transaction open.  OYL_ENOTSUP when no
 * knowledge base of the target has one, or this handle has not
 * registered it; OYL_ECONFLICT when the embedder now makes another model
 * than the knowledge base's vectors (reprocess its documents); the
 * embedder's own failure (OYL_EREMOTE, OYL_ETIMEOUT) otherwise.  Scores:
 * BM25 (lexical), cosine (vector), 1/(60 + rank) summed over both
 * rankings (hybrid).
 */
OYL_API int oyl_kb_search(oyl_actor *actor, const char *target_id, const char *query,
			  const oyl_search_options *opts, oyl_search_results **out);
/** How many results. */
OYL_API size_t oyl_search_count(const oyl_search_results *r);
/* Result i (0 <= i < count); NULL, 0 or -1 for an i out of range. */
OYL_API const char *oyl_search_chunk_id(const oyl_search_results *r, size_t i);
OYL_API const char *oyl_search_document_id(const oyl_search_results *r, size_t i);
/** The document's original name. */
OYL_API const char *oyl_search_document_name(const oyl_search_results *r, size_t i);
OYL_API const char *oyl_search_knowledge_base_id(const oyl_search_results *r, size_t i);
/** The chunk's place in its document, from 0. */
OYL_API int64_t oyl_search_ordinal(const oyl_search_results *r, size_t i);
/** The chunk's text (NUL-terminated; *length its bytes when not NULL). */
OYL_API const char *oyl_search_text(const oyl_search_results *r, size_t i, size_t *length);
/** Character offsets of the chunk in the document's extracted text. */
OYL_API int64_t oyl_search_start_offset(const oyl_search_results *r, size_t i);
OYL_API int64_t oyl_search_end_offset(const oyl_search_results *r, size_t i);
/** The PDF page the chunk starts on (from 1), or 0. */
OYL_API int64_t oyl_search_page(const oyl_search_results *r, size_t i);
/** The section titles above the chunk, as a JSON array of strings, or NULL. */
OYL_API const char *oyl_search_section(const oyl_search_results *r, size_t i);
OYL_API double oyl_search_score(const oyl_search_results *r, size_t i);
/**
 * How many spans of matched terms the text has, for highlighting.  They are
 * found when first asked for (a host that shows none does not pay for
 * them), which changes the results object: read one from one thread at a
 * time.
 */
OYL_API size_t oyl_search_span_count(const oyl_search_results *r, size_t i);
/** Span j of result i: bytes [*start, *end) of its text.  OYL_EINVAL out of range. */
OYL_API int oyl_search_span(const oyl_search_results *r, size_t i, size_t j, size_t *start,
			    size_t *end);
OYL_API void oyl_search_free(oyl_search_results *r);

/* ---- chat ------------------------------------------------------------ */

/*
 * Chat sessions are private to the user who made them: nobody else reads
 * or writes them, superadmins and tenant admins included; another
 * person's session is OYL_ENOTFOUND, as a missing one is.  A session talks
 * to one assistant, or to a teammate that routes each question to one of
 * its assistants (doc/prompting.md).  Chat history outlives the
 * assistant, the teammate and the cited documents (doc/schema.md).
 */
typedef struct oyl_chat_session oyl_chat_session;
typedef struct oyl_message oyl_message;
typedef struct oyl_citation oyl_citation;

#define OYL_CHAT_TITLE_AUTO_CHARS 60 /**< a default title's length, at most */

/**
 * Starts a session with `target_id`, an assistant or a teammate of the
 * actor's tenant.  `title` NULL: the session is titled from the start of
 * its first question (up to OYL_CHAT_TITLE_AUTO_CHARS characters, cut at a
 * word); until then its title is "".  A superadmin, who has no tenant, has
 * no sessions (EINVAL).
 */
OYL_API int oyl_chat_session_create(oyl_actor *actor, const char *target_id, const char *title,
				    oyl_chat_session **out);
OYL_API int oyl_chat_session_get(oyl_actor *actor, const char *id, oyl_chat_session **out);
/** The actor's own sessions, newest first (by creation). */
OYL_API int oyl_chat_session_list(oyl_actor *actor, const oyl_list_options *opts,
				  oyl_page **out);
OYL_API int oyl_chat_session_rename(oyl_actor *actor, const char *id, const char *title,
				    oyl_chat_session **out);
/** Deletes the session with its messages, citations and feedback. */
OYL_API int oyl_chat_session_delete(oyl_actor *actor, const char *id);
OYL_API const char *oyl_chat_session_id(const oyl_chat_session *s);
OYL_API const char *oyl_chat_session_tenant_id(const oyl_chat_session *s);
OYL_API const char *oyl_chat_session_user_id(const oyl_chat_session *s);
/** The assistant, or the teammate, it talks to (the other is NULL). */
OYL_API const char *oyl_chat_session_assistant_id(const oyl_chat_session *s);
OYL_API const char *oyl_chat_session_teammate_id(const oyl_chat_session *s);
OYL_API const char *oyl_chat_session_title(const oyl_chat_session *s);
OYL_API int64_t oyl_chat_session_created_at(const oyl_chat_session *s);
/** The time of its last message (its creation until then). */
OYL_API int64_t oyl_chat_session_updated_at(const oyl_chat_session *s);
OYL_API int oyl_chat_session_to_json(const oyl_chat_session *s, char **json);
OYL_API void oyl_chat_session_free(oyl_chat_session *s);
OYL_API const oyl_chat_session *oyl_page_chat_session(const oyl_page *page, size_t i);

/** A session's messages, oldest first. */
OYL_API int oyl_chat_messages(oyl_actor *actor, const char *session_id,
			      const oyl_list_options *opts, oyl_page **out);
OYL_API const oyl_message *oyl_page_message(const oyl_page *page, size_t i);
OYL_API const char *oyl_message_id(const oyl_message *m);
OYL_API const char *oyl_message_session_id(const oyl_message *m);
/** "user" or "assistant". */
OYL_API const char *oyl_message_role(const oyl_message *m);
OYL_API const char *oyl_message_content(const oyl_message *m);
/** The assistant that answered (NULL for a user's message). */
OYL_API const char *oyl_message_assistant_id(const oyl_message *m);
/**
 * An answer's usage, a JSON object: prompt_tokens, completion_tokens,
 * estimated (true when liboyl estimated the counts), provider, model,
 * unknown_markers ([n] markers that named no passage, removed); NULL for a
 * user's message.
 */
OYL_API const char *oyl_message_usage(const oyl_message *m);
OYL_API int64_t oyl_message_created_at(const oyl_message *m);
OYL_API int oyl_message_to_json(const oyl_message *m, char **json);

/** An answer's citations, by rank (the passage's number in the prompt). */
OYL_API int oyl_chat_citations(oyl_actor *actor, const char *message_id, oyl_page **out);
OYL_API const oyl_citation *oyl_page_citation(const oyl_page *page, size_t i);
/** The passage's number in the prompt: the n of the answer's [n]. */
OYL_API int64_t oyl_citation_rank(const oyl_citation *c);
/** The chunk and document cited, as they were: they may since have been deleted. */
OYL_API const char *oyl_citation_chunk_id(const oyl_citation *c);
OYL_API const char *oyl_citation_document_id(const oyl_citation *c);
/** The snapshot taken when the answer was stored: it outlives the document. */
OYL_API const char *oyl_citation_document_name(const oyl_citation *c);
OYL_API const char *oyl_citation_passage(const oyl_citation *c);
OYL_API int64_t oyl_citation_page(const oyl_citation *c); /**< 0: none */
OYL_API double oyl_citation_score(const oyl_citation *c);
OYL_API int oyl_citation_to_json(const oyl_citation *c, char **json);

/** What an oyl_chat_event tells. */
typedef enum oyl_chat_event_type {
	OYL_CHAT_START = 1, /**< the answer begins: message_id, assistant_id */
	OYL_CHAT_TOKEN = 2, /**< a piece of the answer: text, length */
	OYL_CHAT_END = 3,   /**< the answer is stored: message_id */
	OYL_CHAT_ERROR = 4  /**< the answer failed: status, text (the message) */
} oyl_chat_event_type;

typedef struct oyl_chat_event {
	uint32_t size;            /**< sizeof(oyl_chat_event) */
	int32_t type;             /**< an oyl_chat_event_type */
	const char *message_id;   /**< the answer's id (START, END) */
	const char *assistant_id; /**< the assistant answering (START, END) */
	const char *text;         /**< TOKEN: the piece (not NUL-terminated); ERROR: the message */
	size_t length;            /**< bytes of text */
	int32_t status;           /**< ERROR: the oyl_status oyl_chat_send returns */
} oyl_chat_event;

/**
 * Receives the events of one answer, in order: START, TOKEN..., then END
 * or ERROR (a fallback assistant's answer, after a failure before any
 * token, starts again with START).  Called with no transaction open.
 * Return 0 to go on; anything else cancels the answer (oyl_chat_send
 * returns OYL_ECANCELED; nothing of the answer is stored).
 */
typedef int (*oyl_chat_fn)(const oyl_chat_event *event, void *ctx);

#define OYL_CHAT_PASSAGES_DEFAULT 5
#define OYL_CHAT_PASSAGES_MAX 20
#define OYL_CHAT_HISTORY_TOKENS_DEFAULT 2000
#define OYL_CHAT_TEXT_MAX (32 * 1024) /**< bytes of a question */

typedef struct oyl_chat_options {
	uint32_t size;          /**< sizeof(oyl_chat_options) */
	oyl_chat_fn on_event;   /**< NULL: no events */
	void *ctx;
	int32_t passages;       /**< passages retrieved: 1..20; 0: 5 */
	int32_t history_tokens; /**< budget of earlier turns in the prompt; 0: 2000; -1: none */
	int32_t mode;           /**< an oyl_search_mode; 0: lexical */
} oyl_chat_options;

#define OYL_CHAT_OPTIONS_INIT {sizeof(oyl_chat_options), NULL, NULL, 0, 0, 0}

typedef struct oyl_chat_reply oyl_chat_reply;

/**
 * Asks `text` in the session and answers it (doc/prompting.md): stores the
 * question (one transaction), picks the assistant, retrieves passages from
 * its knowledge bases, builds the prompt, calls the assistant's provider
 * with no transaction open while streaming to opts->on_event, then stores
 * the answer with its citations and usage (one transaction).  When the
 * provider fails or the host cancels, the question stays stored, no
 * answer is, and the status says why (EREMOTE, ETIMEOUT, ECANCELED, ...):
 * the session goes on with the next question.  ENOTFOUND for a session
 * that is not the actor's, or whose assistant was deleted; EINVAL for a
 * teammate whose config names no existing assistant.  `*out` (may be
 * NULL) gets the reply on success.
 */
OYL_API int oyl_chat_send(oyl_actor *actor, const char *session_id, const char *text,
			  const oyl_chat_options *opts, oyl_chat_reply **out);
OYL_API const char *oyl_chat_reply_message_id(const oyl_chat_reply *r);
OYL_API const char *oyl_chat_reply_question_id(const oyl_chat_reply *r);
OYL_API const char *oyl_chat_reply_assistant_id(const oyl_chat_reply *r);
/** The stored answer: markers naming no passage removed. */
OYL_API const char *oyl_chat_reply_content(const oyl_chat_reply *r);
OYL_API int64_t oyl_chat_reply_prompt_tokens(const oyl_chat_reply *r);
OYL_API int64_t oyl_chat_reply_completion_tokens(const oyl_chat_reply *r);
/** 1 when the token counts are liboyl's estimate (doc/prompting.md). */
OYL_API int oyl_chat_reply_tokens_estimated(const oyl_chat_reply *r);
/** [n] markers of the answer that named no passage, removed from it. */
OYL_API int64_t oyl_chat_reply_unknown_markers(const oyl_chat_reply *r);
OYL_API size_t oyl_chat_reply_citation_count(const oyl_chat_reply *r);
OYL_API const oyl_citation *oyl_chat_reply_citation(const oyl_chat_reply *r, size_t i);
OYL_API void oyl_chat_reply_free(oyl_chat_reply *r);

/**
 * Rates an answer of one of the actor's own sessions: `rating` +1 (up) or
 * -1 (down), `comment` NULL or up to 2000 bytes.  Rating it again replaces
 * the rating.  EINVAL for a question (a user's message).
 */
OYL_API int oyl_chat_feedback(oyl_actor *actor, const char *message_id, int rating,
			      const char *comment);
/**
 * The tenant's ratings counted per assistant, for tenant admins and
 * superadmins, without any conversation's text: a JSON array (new, free
 * with oyl_free) of {"assistant_id", "up", "down"}, by assistant id.
 */
OYL_API int oyl_chat_feedback_counts(oyl_actor *actor, const char *tenant_id, char **json);

/* workers: processing uploaded documents of every tenant */

typedef struct oyl_worker_options {
	uint32_t size;            /**< sizeof(oyl_worker_options) */
	/** Names the worker in the leases it takes; NULL: "<host name>:<pid>". */
	const char *worker_id;
	/** How long a document is the worker's before another may take it
	 * over (a worker that died); 0: 300 s.  Longer than any document
	 * takes to process, or it is processed twice (harmlessly: the later
	 * attempt's chunks are the ones kept). */
	int64_t lease_seconds;
	int32_t max_attempts;     /**< then the document ends in error; 0: 3 */
	/** Longest sleep between looks for work; 0: 1000.  PostgreSQL wakes
	 * the worker at once when a document is uploaded (LISTEN/NOTIFY). */
	int32_t poll_ms;
	/** The host sets *stop non-zero (from a signal handler too): the
	 * worker finishes the document in hand and returns.  May be NULL. */
	const volatile int *stop;
	/** Return once no document is waiting (instead of waiting for more). */
	int32_t until_idle;
	/** Return after this many documents; 0: no limit. */
	int64_t max_documents;
} oyl_worker_options;

#define OYL_WORKER_OPTIONS_INIT {sizeof(oyl_worker_options), NULL, 0, 0, 0, NULL, 0, 0}

/**
 * Processes uploaded documents of every tenant until stopped (see the
 * options), each in its tenant's scope: claims a job from the queue
 * (never one another worker holds), takes a lease, processes the document
 * as oyl_doc_reprocess would, and ends the job.  A job whose lease ran
 * out is taken again with its attempt counted up; the attempt fences the
 * document's final write, so a worker that lost its lease changes
 * nothing.  A document that fails is tried again after a pause, unless
 * its failure is its content's (EINVAL, ENOTSUP), up to max_attempts.
 * `*processed` (may be NULL) counts the documents it ended.  On
 * PostgreSQL the connection's login must be a member of oyl_platform
 * (the queue spans tenants; doc/security.md), else OYL_EPERM.
 */
OYL_API int oyl_worker_run(oyl_db *db, const oyl_worker_options *opts, int64_t *processed);

/* social links of a tenant */

/** Platforms.  Values are part of the ABI. */
typedef enum oyl_platform {
	OYL_PLATFORM_AUTO = 0, /**< infer from the URL's host (create/update only) */
	OYL_PLATFORM_TWITTER = 1, /**< twitter.com, x.com */
	OYL_PLATFORM_FACEBOOK = 2,
	OYL_PLATFORM_LINKEDIN = 3,
	OYL_PLATFORM_INSTAGRAM = 4,
	OYL_PLATFORM_YOUTUBE = 5, /**< youtube.com, youtu.be */
	OYL_PLATFORM_OTHER = 6    /**< any other host */
} oyl_platform;

/**
 * Adds a social link.  `url`: http or https with a host.  `platform`
 * OYL_PLATFORM_AUTO infers it from the host; a platform that contradicts
 * the host is EINVAL (a host outside the five platforms is "other").
 */
OYL_API int oyl_social_link_create(oyl_actor *actor, const char *tenant_id, const char *url,
				   int platform, oyl_social_link **out);
OYL_API int oyl_social_link_get(oyl_actor *actor, const char *id, oyl_social_link **out);
OYL_API int oyl_social_link_list(oyl_actor *actor, const char *tenant_id,
				 const oyl_list_options *opts, oyl_page **out);
/** Changes the URL (NULL: unchanged) and/or platform (checked against the URL as at create). */
OYL_API int oyl_social_link_update(oyl_actor *actor, const char *id, const char *url, int platform,
				   oyl_social_link **out);
OYL_API int oyl_social_link_delete(oyl_actor *actor, const char *id);
OYL_API const char *oyl_social_link_id(const oyl_social_link *l);
OYL_API const char *oyl_social_link_tenant_id(const oyl_social_link *l);
OYL_API const char *oyl_social_link_url(const oyl_social_link *l);
/** OYL_PLATFORM_* (never AUTO). */
OYL_API int oyl_social_link_platform(const oyl_social_link *l);
OYL_API int64_t oyl_social_link_created_at(const oyl_social_link *l);
OYL_API int64_t oyl_social_link_updated_at(const oyl_social_link *l);
OYL_API int oyl_social_link_to_json(const oyl_social_link *l, char **json);
OYL_API void oyl_social_link_free(oyl_social_link *l);

/* audit trail: every mutation writes one event in its own transaction */

/**
 * Lists audit events, newest last: a tenant's (`tenant_id`), or with
 * `tenant_id` NULL the platform's own (tenants created and deleted,
 * superadmin accounts; superadmins only).  Superadmins read every
 * tenant's, tenant_admins their own, users none.
 */
OYL_API int oyl_audit_list(oyl_actor *actor, const char *tenant_id, const oyl_list_options *opts,
			   oyl_page **out);
OYL_API const char *oyl_audit_event_id(const oyl_audit_event *e);
/** The tenant the event belongs to (for platform events: the tenant it names, or NULL). */
OYL_API const char *oyl_audit_event_tenant_id(const oyl_audit_event *e);
/** The acting user's id, or NULL for the bootstrap superadmin. */
OYL_API const char *oyl_audit_event_actor_id(const oyl_audit_event *e);
/** The actor's role then (OYL_ROLE_*). */
OYL_API int oyl_audit_event_actor_role(const oyl_audit_event *e);
/** "<object type>.<verb>", e.g. "workspace.create". */
OYL_API const char *oyl_audit_event_action(const oyl_audit_event *e);
OYL_API const char *oyl_audit_event_object_type(const oyl_audit_event *e);
OYL_API const char *oyl_audit_event_object_id(const oyl_audit_event *e);
/** Details as JSON text (never secrets). */
OYL_API const char *oyl_audit_event_detail(const oyl_audit_event *e);
OYL_API int64_t oyl_audit_event_created_at(const oyl_audit_event *e);
OYL_API int oyl_audit_event_to_json(const oyl_audit_event *e, char **json);

/* ---- identity: passwords, login sessions, API keys ------------------- */

#define OYL_PASSWORD_MIN_LENGTH 8     /**< bytes */
#define OYL_PASSWORD_MAX_LENGTH 1024  /**< bytes */

/**
 * Sets a user's password (self, or an admin allowed by doc/permissions.md
 * to manage that user).  Hashed with Argon2id (19 MiB, 2 passes, 1 lane,
 * random salt); the password itself is never stored, logged or put in a
 * message.  8..1024 bytes of UTF-8, else EINVAL.  Revokes the user's other
 * login sessions (all of them when an admin sets it; all but the actor's
 * own when a user changes their own from a session).
 */
OYL_API int oyl_user_set_password(oyl_actor *actor, const char *user_id, const char *password);

/** Default lifetime of a login session: 24 hours. */
#define OYL_SESSION_DEFAULT_TTL_S (24 * 3600)

typedef struct oyl_login_options {
	uint32_t size;          /**< sizeof(oyl_login_options) */
	int64_t ttl_seconds;    /**< session lifetime; 0: OYL_SESSION_DEFAULT_TTL_S */
} oyl_login_options;

#define OYL_LOGIN_OPTIONS_INIT {sizeof(oyl_login_options), 0}

/**
 * Logs in with e-mail and password.  On success `*token` is a new opaque
 * session token (free with oyl_free(); shown this once, stored only as a
 * SHA-256 hash) and `*actor` (may be NULL) the user's actor; last_login
 * is set.  A wrong password, an unknown e-mail and a user without a
 * password all give OYL_EAUTH with the same message, after the same work
 * (one Argon2 verification), so the answer does not tell which.  A hash
 * made with weaker parameters than the current ones is replaced.
 */
OYL_API int oyl_auth_login(oyl_db *db, const char *email, const char *password,
			   const oyl_login_options *opts, char **token, oyl_actor **actor);

/**
 * The actor of a session token.  An unknown, expired or revoked token, or
 * one whose user is gone, gives OYL_EAUTH ("invalid or expired session
 * token"), never which.  Role and tenant are read now, so a role change
 * shows at once.  Updates the session's last_used_at.
 */
OYL_API int oyl_actor_from_token(oyl_db *db, const char *token, oyl_actor **out);

/** Revokes a session token (logout).  OYL_EAUTH for a token that is not live. */
OYL_API int oyl_auth_logout(oyl_db *db, const char *token);

/** Revokes every login session of a user (self, or an admin of that user). */
OYL_API int oyl_auth_revoke_sessions(oyl_actor *actor, const char *user_id);

typedef struct oyl_api_key oyl_api_key;

/**
 * Creates an API key for a tenant user (self; a tenant_admin for users of
 * their tenant; a superadmin for anyone's).  `*secret` (new string,
 * oyl_free) is the whole key, shown this once: "oyl_<12-char prefix>_<43
 * chars>"; only the prefix and a SHA-256 of the rest are stored.  `out`
 * may be NULL.  API keys do not expire; they are revoked.
 */
OYL_API int oyl_api_key_create(oyl_actor *actor, const char *user_id, const char *name,
			       oyl_api_key **out, char **secret);
OYL_API int oyl_api_key_get(oyl_actor *actor, const char *id, oyl_api_key **out);
/** A user's keys, without secrets. */
OYL_API int oyl_api_key_list(oyl_actor *actor, const char *user_id, const oyl_list_options *opts,
			     oyl_page **out);
/** Revokes a key: it stops working at once; the record stays, with revoked_at. */
OYL_API int oyl_api_key_revoke(oyl_actor *actor, const char *id);
/**
 * The actor of an API key's user.  A malformed, unknown or revoked key
 * gives OYL_EAUTH ("invalid API key"), never which; the secret part is
 * compared in constant time.  Updates last_used_at.
 */
OYL_API int oyl_actor_from_api_key(oyl_db *db, const char *key, oyl_actor **out);
OYL_API const char *oyl_api_key_id(const oyl_api_key *k);
OYL_API const char *oyl_api_key_tenant_id(const oyl_api_key *k);
OYL_API const char *oyl_api_key_user_id(const oyl_api_key *k);
OYL_API const char *oyl_api_key_name(const oyl_api_key *k);
/** The lookup prefix, safe to show: the 12 characters after "oyl_" in the key. */
OYL_API const char *oyl_api_key_prefix(const oyl_api_key *k);
OYL_API int64_t oyl_api_key_last_used_at(const oyl_api_key *k);
OYL_API int64_t oyl_api_key_revoked_at(const oyl_api_key *k);
OYL_API int64_t oyl_api_key_created_at(const oyl_api_key *k);
OYL_API int oyl_api_key_to_json(const oyl_api_key *k, char **json);
OYL_API void oyl_api_key_free(oyl_api_key *k);
OYL_API const oyl_api_key *oyl_page_api_key(const oyl_page *page, size_t i);

#ifdef __cplusplus
}
#endif
#endif /* OYL_H */
