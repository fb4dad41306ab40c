/*
 * The permission matrix (doc/permissions.md has it per function).
 * Visibility comes first: an object of another tenant does not exist for
 * a tenant-scoped actor (ENOTFOUND, decided by scoping and checked on every
 * row read); inside its own tenant, an action the role may not take is
 * EPERM.  Some actions also have an owner: a chat session is its owner's
 * alone, whatever anyone's role.
 */
#ifndef OYL_ACCESS_PERMISSIONS_H
#define OYL_ACCESS_PERMISSIONS_H

#include "core/internal.h"

typedef enum oyl__action {
	OYL__TENANT_CREATE,   /* also delete, list all: superadmin */
	OYL__TENANT_READ,     /* own tenant: everyone */
	OYL__TENANT_RENAME,   /* own tenant's name: tenant_admin */
	OYL__TENANT_RESLUG,   /* a tenant's slug: superadmin */
	OYL__USER_MANAGE,     /* create, change role, delete others: admins */
	OYL__USER_READ_OTHERS,/* get/list other users: admins */
	OYL__CONTENT_WRITE,   /* workspaces ... knowledge bases, instructions, social links */
	OYL__CONTENT_READ,    /* everyone in the tenant */
	OYL__AUDIT_READ,      /* admins */
	OYL__PLATFORM,        /* superadmin accounts, platform audit: superadmin */
	OYL__DOCUMENT_WRITE,  /* ingest, upload, reprocess, delete documents: admins */
	OYL__DOCUMENT_READ,   /* document metadata, text, chunks: everyone in the tenant */
	OYL__SEARCH,          /* search a tenant's knowledge bases: everyone in the tenant */
	OYL__CHAT_OWN,        /* a chat session and its messages: its owner only */
	OYL__FEEDBACK_READ,   /* ratings of answers counted per assistant: admins */
	OYL__ACTION_COUNT
} oyl__action;

/* 1 when the actor's role may take the action (inside its own tenant). */
int oyl__role_may(const oyl_actor *actor, oyl__action action);

/*
 * OYL_OK, or EPERM with a message naming the action.  Only after the
 * actor's user was read in this transaction (access/actor.h): a role read
 * by an earlier call may be stale.
 */
int oyl__authorize(oyl_db *db, const oyl_actor *actor, oyl__action action);

/*
 * The same for an object that has an owner (`owner_id`, a user id): for
 * an action with an owner dimension only the owner may, whatever the
 * role.  Another person's object reads as missing (ENOTFOUND, with the
 * message for `noun` and `id`), as another tenant's does: it is nobody
 * else's business that it exists.
 */
int oyl__authorize_owned(oyl_db *db, const oyl_actor *actor, oyl__action action,
			 const char *owner_id, const char *noun, const char *id);

/* 1 when the tenant exists for the actor's scope (its own, or any for the platform). */
int oyl__tenant_visible(const oyl_actor *actor, const char *tenant_id);

#endif
