/* Tenant quotas, decided inside the creating transaction. */
#ifndef OYL_CORE_QUOTA_H
#define OYL_CORE_QUOTA_H

#include "model/kind.h"

/* OYL_OK when the tenant may have one more user, else EQUOTA.  Locks the
 * tenant's row first, so concurrent creates in other transactions wait
 * and then count this one's user. */
int oyl__quota_check_users(oyl_db *db, const char *tenant_id);

#endif
