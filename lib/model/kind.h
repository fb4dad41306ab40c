/*
 * Kinds of records (tenant, user, workspace, ...) and the public
 * operations every kind shares: get, list, create under a parent, update,
 * delete, each one transaction that reads what it decides on in one batch
 * (with the actor's own user), checks visibility and role, then writes
 * with its audit event.  The typed files (tenant.c, workspace.c, ...) are
 * thin over these; crud.c has them.
 */
#ifndef OYL_MODEL_KIND_H
#define OYL_MODEL_KIND_H

#include "access/actor.h"
#include "access/permissions.h"
#include "records/page.h"
#include "records/schema.h"

typedef struct oyl__kind oyl__kind;

struct oyl__kind {
	const oyl_table *t;
	const char *noun;        /* in messages: "knowledge base" */
	const char *type;        /* in audit actions: "knowledge_base" */
	const oyl__kind *parent; /* NULL: a tenant's direct child (or a tenant) */
	int parent_col;          /* column holding the parent's id */
	int created_col;         /* lists are ordered by (created_at, id) */
	int updated_col;         /* -1: none */
	oyl__action read, write;
	/* Runs inside the delete's transaction before the row goes: clears
	 * "set null" references the schema cannot clear (no SET NULL). */
	int (*before_delete)(oyl_db *db, const oyl__record *row);
	/* 0: the tenant's record.  Else the column of the user who owns it (a
	 * chat session): nobody else sees it, whatever their role, and its
	 * changes leave no audit event (that it exists is nobody's business). */
	int owner_col;
};

extern const oyl__kind oyl__kind_tenant, oyl__kind_user, oyl__kind_workspace,
	oyl__kind_teammate, oyl__kind_assistant, oyl__kind_instruction, oyl__kind_knowledge_base,
	oyl__kind_social_link, oyl__kind_audit_event, oyl__kind_platform_event,
	oyl__kind_document, oyl__kind_chunk, oyl__kind_chat_session, oyl__kind_message,
	oyl__kind_citation;

/* Checks the actor and clears *out (out may be NULL); the db or NULL. */
oyl_db *oyl__enter(const oyl_actor *actor, void *out_ptr, int *rc);
/* The same, and an out-pointer is required (EMISUSE naming `fn`). */
oyl_db *oyl__enter_out(const oyl_actor *actor, void *out_ptr, const char *fn, int *rc);

/* OYL_OK when the actor may see the row; else ENOTFOUND, "<noun> <id>
 * not found", exactly as for a row that does not exist. */
int oyl__visible(oyl_db *db, const oyl_actor *actor, const oyl__kind *k, const oyl__record *row,
		 const char *id);
/* The tenant a row belongs to (a tenant is its own). */
const char *oyl__row_tenant(const oyl__kind *k, const oyl__record *row);
/* The scope of a write to a row: its tenant, or the platform for a global table. */
const char *oyl__row_scope(const oyl__kind *k, const oyl__record *row);

/* Inserts a row; a unique violation says "a <noun> like this one already exists". */
int oyl__insert(oyl_db *db, const char *scope, const oyl__kind *k, const oyl_value *vals);

/*
 * Writes the audit event of a mutation in the current transaction.
 * tenant NULL (or a platform kind): the platform's log.  detail: JSON
 * object text, or NULL for "{}".
 */
int oyl__audit(oyl_db *db, const oyl_actor *actor, const char *tenant, const char *verb,
	       const oyl__kind *k, const char *object_id, const char *detail);

/* What an update or create adds to the generic operation. */
typedef struct oyl__hooks {
	/* Adds reads the check needs to the call's batch (may be NULL). */
	void (*reads)(oyl__batch *bt, const oyl_actor *actor, void *ctx);
	/* Update: decides on the row (permission included; NULL: the kind's
	 * write permission). */
	int (*check)(oyl_db *db, const oyl_actor *actor, const oyl__record *row,
		     const oyl__batch *bt, void *ctx);
	void *ctx;
	/* A unique violation's message (printf, one %s: conflict_arg). */
	const char *conflict;
	const char *conflict_arg;
} oyl__hooks;

/* Public get: validates the id, reads what the actor may read. */
int oyl__get_public(oyl_actor *actor, const oyl__kind *k, const char *id, void *out);

/* Public delete: validates, reads (locked), authorizes, runs before_delete,
 * deletes, audits, commits. */
int oyl__delete_public(oyl_actor *actor, const oyl__kind *k, const char *id);

/*
 * Public update of some columns (already validated; `set` has room for
 * one more, updated_at): reads the row (locked), checks, writes, audits,
 * and hands out the row as it now is, without reading it again.
 */
int oyl__update_public(oyl_actor *actor, const oyl__kind *k, const char *id, oyl_assign *set,
		       size_t nset, const oyl__hooks *hooks, void *out);

/* The writing half of an update or delete, for a row already read and
 * authorized; `locked` when it was read with its lock. */
int oyl__update_row(oyl_db *db, const oyl_actor *actor, const oyl__kind *k,
		    const oyl__record *row, int locked, oyl_assign *set, size_t nset,
		    const oyl__hooks *hooks, oyl__record **fresh);
int oyl__delete_row(oyl_db *db, const oyl_actor *actor, const oyl__kind *k,
		    const oyl__record *row, int locked);

/* Public list of a parent's children (parent_id of k->parent, or of the
 * tenant when k->parent is NULL): one batch of the parent and the page. */
int oyl__list_public(oyl_actor *actor, const oyl__kind *k, const char *parent_id,
		     const oyl_list_options *opts, oyl_page **out);

/* The same, with more filters (at most 3) on the children. */
int oyl__list_children(oyl_actor *actor, const oyl__kind *k, const char *parent_id,
		       const oyl_filter *extra, size_t nextra, const oyl_list_options *opts,
		       oyl_page **out);

/* Ends a list call: on success hands the page out, else frees it. */
int oyl__finish_list(oyl_db *db, int rc, oyl__page_plan *plan, oyl_page **out);
/* Ends a read call: on success hands rec to *out, else frees it. */
int oyl__finish_read(oyl_db *db, int rc, oyl__record *rec, void *out);

/*
 * Creates a row under a parent (k->parent, or the tenant): checks the
 * parent id, reads the parent with the actor's user, checks visibility
 * and role, fills id (col 0), tenant_id and the parent column, runs
 * `check` (may be NULL) once the tenant is known, inserts in the parent's
 * tenant, audits, commits.  The caller has validated and filled every
 * other column of `v`.
 */
typedef int (*oyl__create_check)(oyl_db *db, const char *tenant, const oyl_value *v);
int oyl__create_child(oyl_db *db, oyl_actor *actor, const oyl__kind *k, const char *parent_field,
		      const char *parent_id, oyl_value *v, oyl__create_check check, void *out);

/* Common tail of a create: copies the inserted row into a record for
 * `out` (before commit, so a late ENOMEM writes nothing), commits. */
int oyl__finish_create(oyl_db *db, int rc, const oyl_table *t, const oyl_value *vals, void *out);

/* Filter "column = text value". */
oyl_filter oyl__eq(int col, int type, const char *s);

/* Getter, JSON and free bodies for the typed files. */
const oyl__record *oyl__as(const void *x, const oyl__kind *k);
int oyl__to_json_public(const void *x, const oyl__kind *k, char **json);

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
#define OYL__REAL_GETTER(fn, ctype, kind, col)                                                    \
	OYL_API double fn(const ctype *x)                                                         \
	{                                                                                         \
		return oyl__record_real(oyl__as(x, &kind), col);                                  \
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
