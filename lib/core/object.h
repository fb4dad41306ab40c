/*
 * The operations every kind of record shares: fetch by id within a scope,
 * insert, delete with its cascade, and the public get/delete wrappers.
 * The typed files (tenant.c, user.c, hierarchy.c) are thin over these.
 */
#ifndef OYL_CORE_OBJECT_H
#define OYL_CORE_OBJECT_H

#include "record.h"
#include "schema.h"

/* What a kind of record is called in messages, and its table. */
typedef struct oyl__kind {
	const oyl_table *t;
	const char *noun; /* "workspace" */
	/* Runs inside the delete's transaction before the row goes: clears
	 * "set null" references the schema cannot clear (no SET NULL). */
	int (*before_delete)(oyl_db *db, const oyl__record *row);
} oyl__kind;

extern const oyl__kind oyl__kind_tenant, oyl__kind_user, oyl__kind_workspace,
	oyl__kind_teammate, oyl__kind_assistant, oyl__kind_instruction, oyl__kind_knowledge_base;

/* The tenant an actor is confined to, or NULL for the platform. */
const char *oyl__actor_scope(const oyl_actor *actor);

/* Checks the actor and the out-pointer (clearing *out); the db or NULL. */
oyl_db *oyl__enter(const oyl_actor *actor, void *out_ptr, int *rc);

/* Fetches a record by id in a scope (inside the caller's transaction).
 * ENOTFOUND reads "<noun> <id> not found" whatever the reason. */
int oyl__fetch(oyl_db *db, const char *scope, const oyl__kind *k, const char *id,
	       oyl__record **out);

/* Inserts a row; constraint failures get messages naming the noun. */
int oyl__insert(oyl_db *db, const char *scope, const oyl__kind *k, const oyl_value *vals);

/* Public get: validates the id, reads in the actor's scope. */
int oyl__get_public(oyl_actor *actor, const oyl__kind *k, const char *id, void *out);

/* Public delete: validates, fetches, runs before_delete, deletes, commits. */
int oyl__delete_public(oyl_actor *actor, const oyl__kind *k, const char *id);

/* Common tail of a create: copies the inserted row into a record for
 * `out` (before commit, so a late ENOMEM writes nothing), commits. */
int oyl__finish_create(oyl_db *db, int rc, const oyl__kind *k, const oyl_value *vals, void *out);

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
#define OYL__RECORD_BASICS(prefix, ctype, kind)                                                   \
	OYL_API int prefix##_to_json(const ctype *x, char **json)                                 \
	{                                                                                         \
		return oyl__to_json_public(x, &kind, json);                                       \
	}                                                                                         \
	OYL_API void prefix##_free(ctype *x)                                                      \
	{                                                                                         \
		oyl__record_free((oyl__record *)x);                                               \
	}

#endif
