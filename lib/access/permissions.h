/*
 * The permission matrix of DESIGN.md (doc/permissions.md has it per
 * function).  Visibility comes first: an object of another tenant does
 * not exist for a tenant-scoped actor (ENOTFOUND, decided by scoping);
 * inside its own tenant, an action the role may not take is EPERM.
 */
#ifndef OYL_CORE_PERMISSIONS_H
#define OYL_CORE_PERMISSIONS_H

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
	OYL__PLATFORM         /* superadmin accounts, platform audit: superadmin */
} oyl__action;

/* 1 when the actor's role may take the action (inside its own tenant). */
int oyl__role_may(const oyl_actor *actor, oyl__action action);

/* OYL_OK, or EPERM with a message naming the action. */
int oyl__authorize(oyl_db *db, const oyl_actor *actor, oyl__action action);

/* 1 when the tenant exists for the actor's scope (its own, or any for the platform). */
int oyl__tenant_visible(const oyl_actor *actor, const char *tenant_id);

#endif
