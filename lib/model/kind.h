/*
 * The operations every kind of record shares: fetch by id within the
 * actor's view, insert, update, delete with its cascade, list with
 * pagination, and the public wrappers.  The typed files (tenant.c,
 * user.c, hierarchy.c, social_link.c, audit.c) are thin over these.
 */
#ifndef OYL_CORE_OBJECT_H
#define OYL_CORE_OBJECT_H

#include "access/permissions.h"
#include "records/record.h"
#include "records/schema.h"

typedef struct oyl__kind oyl__kind;

struct oyl__kind {
	const oyl_table *t;
	const char *noun;      /* in messages: "knowledge base" */
	const char *type;      /* in audit actions: "knowledge_base" */
	const oyl__kind *parent; /* NULL: a tenant's direct child (or a tenant) */
	int parent_col;        /* column holding the parent's id */
	int created_col;       /* lists are ordered by (created_at, id) */
	int updated_col;       /* -1: none */
	oyl__action read, write;
	/* Runs inside the delete's transaction before the row goes: clears
	 * "set null" references the schema cannot clear (no SET NULL). */
	int (*before_delete)(oyl_db *db, const oyl__record *row);
};

extern const oyl__kind oyl__kind_tenant, oyl__kind_user, oyl__kind_workspace,
	oyl__kind_teammate, oyl__kind_assistant, oyl__kind_instruction, oyl__kind_knowledge_base,
	oyl__kind_social_link, oyl__kind_audit_event, oyl__kind_platform_event;

/* The tenant an actor is confined to, or NULL for the platform. */
const char *oyl__actor_scope(const oyl_actor *actor);

/* Checks the actor and the out-pointer (clearing *out); the db or NULL. */
oyl_db *oyl__enter(const oyl_actor *actor, void *out_ptr, int *rc);

/*
 * The common start of a call on one record: checks the actor (and, when
 * `call` is non-NULL, the out-pointer, naming the call in the message),
 * validates `id` into key, and opens a transaction in the actor's scope.
 * Returns the db, or NULL with *rc set (the transaction is not open).
 */
oyl_db *oyl__begin_on_id(oyl_actor *actor, void *out, const char *call, const char *field,
			 const char *id, char key[OYL_UUID_LEN + 1], unsigned flags, int *rc);

/* Fetches a record by id in a scope (inside the caller's transaction).
 * ENOTFOUND reads "<noun> <id> not found" whatever the reason. */
int oyl__fetch(oyl_db *db, const char *scope, const oyl__kind *k, const char *id,
	       oyl__record **out);

/* Fetches what the actor can see: a tenant-scoped actor sees only its
 * own tenant and that tenant's rows.  Same ENOTFOUND message otherwise. */
int oyl__fetch_visible(oyl_db *db, const oyl_actor *actor, const oyl__kind *k, const char *id,
		       oyl__record **out);

/* The tenant a fetched row belongs to (a tenant is its own). */
const char *oyl__row_tenant(const oyl__kind *k, const oyl__record *row);

/* Inserts a row; constraint failures get messages naming the noun. */
int oyl__insert(oyl_db *db, const char *scope, const oyl__kind *k, const oyl_value *vals);

/* Writes the audit event of a mutation in the current transaction.
 * tenant NULL (or a platform kind): the platform's log.  detail: JSON
 * object text, or NULL for "{}". */
int oyl__audit(oyl_db *db, const oyl_actor *actor, const char *tenant, const char *verb,
	       const oyl__kind *k, const char *object_id, const char *detail);

/* Public get: validates the id, reads what the actor may read. */
int oyl__get_public(oyl_actor *actor, const oyl__kind *k, const char *id, void *out);

/* Public delete: validates, fetches, authorizes, runs before_delete,
 * deletes, audits, commits. */
int oyl__delete_public(oyl_actor *actor, const oyl__kind *k, const char *id);

/* Public update of some columns (already validated); sets updated_at,
 * audits the changed fields, returns the new record.  `check` (may be
 * NULL) runs on the current row inside the transaction before writing. */
typedef int (*oyl__update_check)(oyl_db *db, const oyl_actor *actor, const oyl__record *row,
				 void *ctx);
int oyl__update_public(oyl_actor *actor, const oyl__kind *k, const char *id, oyl_assign *set,
		       size_t nset, oyl__update_check check, void *ctx, void *out);

/* Public list of a parent's children (parent_id of k->parent, or of the
 * tenant when k->parent is NULL): validates, checks the parent is
 * visible and the action allowed, pages. */
int oyl__list_public(oyl_actor *actor, const oyl__kind *k, const char *parent_id,
		     const oyl_list_options *opts, oyl_page **out);

/* Ends a list's transaction: on failure frees *out and clears it. */
int oyl__finish_list(oyl_db *db, int rc, oyl_page **out);

/* Ends a read's transaction: on success hands rec to *out, else frees it. */
int oyl__finish_read(oyl_db *db, int rc, oyl__record *rec, void *out);

/* Pages rows of k in a scope matching filters (inside a transaction). */
int oyl__list_rows(oyl_db *db, const char *scope, const oyl__kind *k, const oyl_filter *filters,
		   size_t nfilters, const oyl_list_options *opts, oyl_page **out);

/*
 * Creates a row under a parent (k->parent, or the tenant): checks the
 * parent id, finds the parent in the actor's view (ENOTFOUND otherwise),
 * checks the role, fills id (col 0), tenant_id and the parent column,
 * runs `check` (may be NULL) once the tenant is known, inserts in the
 * parent's tenant, audits, commits.  The caller has validated and filled
 * every other column of `v`.
 */
typedef int (*oyl__create_check)(oyl_db *db, const char *tenant, const oyl_value *v);
int oyl__create_child(oyl_db *db, oyl_actor *actor, const oyl__kind *k, const char *parent_field,
		      const char *parent_id, oyl_value *v, oyl__create_check check, void *out);

/* Common tail of a create: copies the inserted row into a record for
 * `out` (before commit, so a late ENOMEM writes nothing), commits. */
int oyl__finish_create(oyl_db *db, int rc, const oyl__kind *k, const oyl_value *vals, void *out);

/* Filter "column = text value". */
oyl_filter oyl__eq(int col, int type, const char *s);

/* Getter, JSON and free bodies for the typed files. */
const oyl__record *oyl__as(const void *x, const oyl__kind *k);
int oyl__to_json_public(const void *x, const oyl__kind *k, char **json);
/* The record of kind k at index i of a page, or NULL. */
const void *oyl__page_item(const oyl_page *page, const oyl__kind *k, size_t i);

#define OYL__TEXT_GETTER(fn, ctype, kind, col)                                                    \
	OYL_API const char *fn(const ctype *x)                                                    \
	{                                                                                         \
		return oyl__record_text(oyl__as(x, &kind), col);                                  \
	}
#define OYL__INT_GETTER(fn, ctype, kind, col)                                                     \
	OYL_API int64_t fn(const ctype *x)                                                        \
	{                                                                                         \
		return oyl__record_int(oyl__as(x, &kind), col);                                   \
	}
#define OYL__RECORD_JSON(prefix, ctype, kind)                                                     \
	OYL_API int prefix##_to_json(const ctype *x, char **json)                                 \
	{                                                                                         \
		return oyl__to_json_public(x, &kind, json);                                       \
	}
#define OYL__RECORD_BASICS(prefix, ctype, kind)                                                   \
	OYL__RECORD_JSON(prefix, ctype, kind)                                                     \
	OYL_API void prefix##_free(ctype *x)                                                      \
	{                                                                                         \
		oyl__record_free((oyl__record *)x);                                               \
	}

#endif
