/*
 * Login sessions: a token "oyl_s_" and 43 random base62 characters (256
 * bits), stored only as its SHA-256, in auth_sessions (tenant users) or
 * superadmin_sessions (superadmin accounts).
 */
#ifndef OYL_IDENTITY_SESSION_H
#define OYL_IDENTITY_SESSION_H

#include "model/user_internal.h"

/* Stores a new session for the user (a write of the caller's
 * transaction); *token gets the secret (new), session_id its id. */
int oyl__session_open(oyl_db *db, const oyl__record *user, int is_account, int64_t ttl,
		      char **token, char session_id[OYL_UUID_LEN + 1]);

/* Revokes the user's live sessions but `keep` (may be NULL or ""). */
int oyl__sessions_revoke(oyl_db *db, const oyl__record *user, int is_account, const char *keep);

#endif
