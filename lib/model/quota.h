/* Tenant quotas, decided inside the creating transaction. */
#ifndef OYL_MODEL_QUOTA_H
#define OYL_MODEL_QUOTA_H

#include "model/kind.h"

/*
 * OYL_OK when the tenant (its row read in this transaction, `locked` when
 * with its lock) may have one more user than `users`, else EQUOTA; a
 * limit that cannot be decided under a lock is ENOTSUP.
 */
int oyl__quota_check_users(oyl_db *db, const oyl__record *tenant, int locked, int64_t users);

#endif
