/* User rows shared by tenant creation (first admin) and user creation. */
#ifndef OYL_CORE_USER_INTERNAL_H
#define OYL_CORE_USER_INTERNAL_H

#include "model/kind.h"

/* Inserts the e-mail registry row, the user row and its audit event
 * (inside the caller's transaction); *out (if out) gets the record. */
int oyl__user_insert(oyl_db *db, const oyl_actor *actor, const char *tenant_id, const char *email,
		     const char *name, int role, int64_t now, oyl__record **out);

/* Finds a user the actor can see: a tenant's user in the actor's scope,
 * or, for a superadmin, also a superadmin account (*is_account = 1). */
int oyl__find_user(oyl_db *db, const oyl_actor *actor, const char *id, oyl__record **out,
		   int *is_account);

/* An actor for a stored user row (users or superadmins). */
int oyl__actor_from_row(oyl_db *db, const oyl__record *row, int is_account,
			const char *session_id, oyl_actor **out);

/* 1 when the actor is the user with that id. */
int oyl__is_self(const oyl_actor *actor, const char *id);

/* Checks the actor may manage the user `row` (self allowed when
 * `self_ok`): OYL_OK or EPERM. */
int oyl__may_manage_user(oyl_db *db, const oyl_actor *actor, const oyl__record *row,
			 int is_account, int self_ok);

extern const oyl__kind oyl__kind_superadmin_account;

#endif
