/* Users, for the files that work on them beside user.c (tenants' first
 * admins, passwords and sessions, API keys). */
#ifndef OYL_MODEL_USER_INTERNAL_H
#define OYL_MODEL_USER_INTERNAL_H

#include "model/kind.h"

extern const oyl__kind oyl__kind_superadmin_account;

/* Inserts the e-mail registry row, the user row and its audit event
 * (writes of the caller's transaction); *out (if out) gets the record. */
int oyl__user_insert(oyl_db *db, const oyl_actor *actor, const char *tenant_id, const char *email,
		     const char *name, int role, int64_t now, oyl__record **out);

/* Where a batch reads a user: as a tenant's user, and as a superadmin
 * account when the actor may see those. */
typedef struct oyl__user_reads {
	int user, account;
} oyl__user_reads;

void oyl__user_read(oyl__batch *bt, const oyl_actor *actor, const char *id, oyl__lock lock,
		    oyl__user_reads *r);
/* After the run: the user the actor can see (*is_account for a superadmin
 * account), or ENOTFOUND. */
int oyl__user_found(oyl_db *db, const oyl_actor *actor, const oyl__batch *bt,
		    const oyl__user_reads *r, const char *id, const oyl__record **row,
		    int *is_account);
/* The whole lookup of one user, as most calls on a user start: a batch
 * (begun here; the caller frees it) reading the user, run, and the user
 * the actor can see, or ENOTFOUND. */
int oyl__user_lookup(oyl_db *db, const oyl_actor *actor, const char *id, oyl__lock lock,
		     oyl__batch *bt, oyl__user_reads *r, const oyl__record **row,
		     int *is_account);
/* 1 when the read of the user found took its lock. */
int oyl__user_locked(const oyl__batch *bt, const oyl__user_reads *r, int is_account);

/* 1 when the actor is the user with that id. */
int oyl__is_self(const oyl_actor *actor, const char *id);

/* Checks the actor may manage the user `row` (self allowed when
 * `self_ok`): OYL_OK or EPERM. */
int oyl__may_manage_user(oyl_db *db, const oyl_actor *actor, const oyl__record *row,
			 int is_account, int self_ok);

#endif
