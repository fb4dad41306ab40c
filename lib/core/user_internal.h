/* User rows shared by tenant creation (first admin) and user creation. */
#ifndef OYL_CORE_USER_INTERNAL_H
#define OYL_CORE_USER_INTERNAL_H

#include "object.h"

/* Inserts the e-mail registry row and the user row (inside the caller's
 * transaction); vals (may be NULL) receives the user's column values,
 * borrowing `id_buf`-style storage owned by the caller. */
int oyl__user_insert(oyl_db *db, const char *tenant_id, const char *email, const char *name,
		     int role, int64_t now, oyl__record **out);

#endif
