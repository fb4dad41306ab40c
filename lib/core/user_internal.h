/* User rows shared by tenant creation (first admin) and user creation. */
#ifndef OYL_CORE_USER_INTERNAL_H
#define OYL_CORE_USER_INTERNAL_H

#include "object.h"

/* Inserts the e-mail registry row, the user row and its audit event
 * (inside the caller's transaction); *out (if out) gets the record. */
int oyl__user_insert(oyl_db *db, const oyl_actor *actor, const char *tenant_id, const char *email,
		     const char *name, int role, int64_t now, oyl__record **out);

#endif
