/*
 * Login sessions (session.h): opening one, finding the live one of a
 * token, logging out and revoking.  Every failure to authenticate is
 * OYL_EAUTH with one message, whatever the reason.
 */
#include <ctype.h>
#include <string.h>

#include "core/validate.h"
#include "identity/secret.h"
#include "identity/session.h"

#define TOKEN_PREFIX "oyl_s_"
#define TOKEN_RANDOM 43
#define TOKEN_LEN (sizeof TOKEN_PREFIX - 1 + TOKEN_RANDOM)
#define BAD_TOKEN "invalid or expired session token"

static const oyl__kind kind_session = {&oyl__t_auth_sessions, "session", "session", NULL,
				       AUTH_SESSIONS_tenant_id, AUTH_SESSIONS_created_at, -1,
				       OYL__USER_MANAGE, OYL__USER_MANAGE, NULL, 0};
static const oyl__kind kind_account_session = {&oyl__t_superadmin_sessions, "session", "session",
					       NULL, -1, SUPERADMIN_SESSIONS_created_at, -1,
					       OYL__PLATFORM, OYL__PLATFORM, NULL, 0};

_Static_assert((int)AUTH_SESSIONS_user_id == 2 && (int)SUPERADMIN_SESSIONS_user_id == 1,
	       "session column positions used below");

static const oyl__kind *session_kind(int is_account)
{
	return is_account ? &kind_account_session : &kind_session;
}

int oyl__sessions_revoke(oyl_db *db, const oyl__record *user, int is_account, const char *keep)
{
	const oyl__kind *k = session_kind(is_account);
	int user_col = is_account ? SUPERADMIN_SESSIONS_user_id : AUTH_SESSIONS_user_id;
	int revoked_col = is_account ? SUPERADMIN_SESSIONS_revoked_at : AUTH_SESSIONS_revoked_at;
	oyl_filter f[3] = {oyl__eq(user_col, OYL_TYPE_UUID, oyl__record_text(user, 0)),
			   {revoked_col, OYL_OP_IS_NULL, oyl__val_null()},
			   {0, OYL_OP_NE, oyl__val_text(OYL_TYPE_UUID, keep)}};
	oyl_assign set = {revoked_col, oyl__val_int(OYL_TYPE_TIME, oyl__now())};
	oyl__note note = {"revoking sessions", NULL, NULL};
	return oyl__write_update(db, is_account ? NULL : oyl__record_text(user, USERS_tenant_id),
				 k->t, f, keep && *keep ? 3 : 2, &set, 1, NULL, &note);
}

int oyl__session_open(oyl_db *db, const oyl__record *user, int is_account, int64_t ttl,
		      char **token, char session_id[OYL_UUID_LEN + 1])
{
	char secret[TOKEN_LEN + 1] = TOKEN_PREFIX, hash[OYL_SHA256_HEX + 1];
	if (oyl__random_base62(secret + sizeof TOKEN_PREFIX - 1, TOKEN_RANDOM) ||
	    oyl__sha256_hex(secret, TOKEN_LEN, hash))
		return oyl__fail(db, OYL_ERROR, "could not make a session token");
	int64_t now = oyl__now();
	oyl__uuid_new(session_id);
	oyl_value v[AUTH_SESSIONS__N];
	size_t n = 0;
	v[n++] = oyl__val_text(OYL_TYPE_UUID, session_id);
	if (!is_account)
		v[n++] = oyl__val_text(OYL_TYPE_UUID, oyl__record_text(user, USERS_tenant_id));
	v[n++] = oyl__val_text(OYL_TYPE_UUID, oyl__record_text(user, 0));
	v[n++] = oyl__val_text(OYL_TYPE_TEXT, hash);
	v[n++] = oyl__val_int(OYL_TYPE_TIME, now + ttl * 1000000);
	v[n++] = oyl__val_null();
	v[n++] = oyl__val_null();
	v[n++] = oyl__val_int(OYL_TYPE_TIME, now);
	const char *tenant = is_account ? NULL : oyl__record_text(user, USERS_tenant_id);
	int rc = oyl__insert(db, tenant, session_kind(is_account), v);
	if (rc == OYL_OK && !(*token = oyl__strdup(secret)))
		rc = oyl__fail(db, OYL_ENOMEM, "out of memory making a session token");
	oyl__wipe(secret, sizeof secret);
	return rc;
}

/* A token's shape: prefix and 43 base62 characters. */
static int token_shape_ok(const char *token)
{
	if (!token || strnlen(token, TOKEN_LEN + 1) != TOKEN_LEN ||
	    strncmp(token, TOKEN_PREFIX, sizeof TOKEN_PREFIX - 1) != 0)
		return 0;
	for (size_t i = sizeof TOKEN_PREFIX - 1; i < TOKEN_LEN; i++)
		if (!isalnum((unsigned char)token[i]))
			return 0;
	return 1;
}

/* A token's live session, and whether it is a superadmin account's. */
typedef struct found_session {
	oyl__record *row;
	int is_account;
} found_session;

static int take_first(const oyl_value *vals, size_t n, void *payload)
{
	oyl__record_sink *sink = payload;
	return sink->rec ? OYL_OK : oyl__record_copy(sink->t, vals, n, &sink->rec);
}

/* The session of that hash in one table, read in `tenant`'s scope. */
static int read_session(oyl_db *db, const char *tenant, int account, const char *hash,
			oyl__record **row)
{
	const oyl__kind *k = session_kind(account);
	int hash_col = account ? SUPERADMIN_SESSIONS_token_hash : AUTH_SESSIONS_token_hash;
	oyl_filter by_hash = oyl__eq(hash_col, OYL_TYPE_TEXT, hash);
	oyl_query q = {&by_hash, 1, k->created_col, 0, NULL, NULL, 1, 0};
	oyl__record_sink sink = {k->t, NULL};
	oyl__batch bt;
	oyl__batch_init(&bt, db);
	oyl__batch_list(&bt, tenant, k->t, &q, take_first, &sink);
	int rc = oyl__batch_execute(&bt);
	oyl__batch_free(&bt);
	*row = sink.rec;
	return rc;
}

static int live(const oyl__record *r, int account)
{
	int exp_col = account ? SUPERADMIN_SESSIONS_expires_at : AUTH_SESSIONS_expires_at;
	int rev_col = account ? SUPERADMIN_SESSIONS_revoked_at : AUTH_SESSIONS_revoked_at;
	return r->vals[rev_col].type == OYL_TYPE_NULL && oyl__record_int(r, exp_col) > oyl__now();
}

/*
 * Opens a write transaction on a token's live session, left open on
 * success (EAUTH, with the transaction ended, otherwise).  A tenant's
 * session is found by its hash's tenant (locate(), which opens nobody's
 * rows) and read in that tenant's scope; a hash no tenant knows may be a
 * superadmin account's, read as the platform when the connection may act
 * as the platform (doc/security.md).
 */
static int open_session(oyl_db *db, const char *token, found_session *s)
{
	char hash[OYL_SHA256_HEX + 1], tenant[OYL_UUID_LEN + 1], id[OYL_UUID_LEN + 1];
	memset(s, 0, sizeof *s);
	if (!token_shape_ok(token) || oyl__sha256_hex(token, TOKEN_LEN, hash))
		return oyl__fail(db, OYL_EAUTH, BAD_TOKEN);
	int rc = oyl__locate(db, &oyl__t_auth_sessions, AUTH_SESSIONS_token_hash, hash, tenant, id);
	if (rc != OYL_OK && rc != OYL_ENOTFOUND)
		return rc;
	s->is_account = rc == OYL_ENOTFOUND || !tenant[0];
	rc = oyl__txn_begin(db, NULL, s->is_account ? NULL : tenant, OYL_TXN_WRITE);
	if (rc == OYL_EPERM && s->is_account)
		return oyl__fail(db, OYL_EAUTH, BAD_TOKEN);
	if (rc != OYL_OK)
		return rc;
	rc = read_session(db, s->is_account ? NULL : tenant, s->is_account, hash, &s->row);
	if (rc == OYL_OK && (!s->row || !live(s->row, s->is_account)))
		rc = oyl__fail(db, OYL_EAUTH, BAD_TOKEN);
	if (rc != OYL_OK) {
		oyl__record_free(s->row);
		s->row = NULL;
		return oyl__txn_end(db, rc);
	}
	return OYL_OK;
}

static void free_session(found_session *s)
{
	oyl__record_free(s->row);
}

/* Sets one time column of a session (last_used_at or revoked_at). */
static int touch_session(oyl_db *db, const found_session *s, int col)
{
	const oyl__kind *k = session_kind(s->is_account);
	oyl_filter f = oyl__eq(0, OYL_TYPE_UUID, oyl__record_text(s->row, 0));
	oyl_assign set = {col, oyl__val_int(OYL_TYPE_TIME, oyl__now())};
	oyl__note note = {"updating the session", NULL, NULL};
	return oyl__write_update(db, oyl__row_scope(k, s->row), k->t, &f, 1, &set, 1, NULL, &note);
}

OYL_API int oyl_actor_from_token(oyl_db *db, const char *token, oyl_actor **out)
{
	if (!oyl__db_check(db))
		return OYL_EMISUSE;
	if (!out)
		return oyl__fail(db, OYL_EMISUSE, "oyl_actor_from_token: NULL out-pointer");
	*out = NULL;
	oyl__ok(db);
	found_session s;
	int rc = open_session(db, token, &s);
	if (rc)
		return rc;
	/* the user now, in its own tenant's scope: role and tenant as they are */
	oyl__batch bt;
	oyl__batch_init(&bt, db);
	int user = -1;
	if (rc == OYL_OK) {
		int user_col = s.is_account ? SUPERADMIN_SESSIONS_user_id : AUTH_SESSIONS_user_id;
		user = oyl__batch_get(&bt, s.is_account ? NULL : oyl__record_text(s.row, AUTH_SESSIONS_tenant_id),
				      s.is_account ? &oyl__t_superadmins : &oyl__t_users,
				      oyl__record_text(s.row, user_col), OYL__LOCK_NONE);
		rc = oyl__batch_execute(&bt);
	}
	if (rc == OYL_OK && !oyl__batch_row(&bt, user))
		rc = oyl__fail(db, OYL_EAUTH, BAD_TOKEN);
	if (rc == OYL_OK)
		rc = touch_session(db, &s, s.is_account ? SUPERADMIN_SESSIONS_last_used_at
							: AUTH_SESSIONS_last_used_at);
	if (rc == OYL_OK)
		rc = oyl__actor_from_row(db, oyl__batch_row(&bt, user), s.is_account,
					 oyl__record_text(s.row, 0), out);
	oyl__batch_free(&bt);
	free_session(&s);
	rc = oyl__txn_end(db, rc);
	if (rc != OYL_OK) {
		oyl_actor_free(*out);
		*out = NULL;
		return rc;
	}
	return oyl__ok(db);
}

OYL_API int oyl_auth_logout(oyl_db *db, const char *token)
{
	if (!oyl__db_check(db))
		return OYL_EMISUSE;
	oyl__ok(db);
	found_session s;
	int rc = open_session(db, token, &s);
	if (rc)
		return rc;
	rc = touch_session(db, &s, s.is_account ? SUPERADMIN_SESSIONS_revoked_at
						: AUTH_SESSIONS_revoked_at);
	free_session(&s);
	rc = oyl__txn_end(db, rc);
	return rc == OYL_OK ? oyl__ok(db) : rc;
}

OYL_API int oyl_auth_revoke_sessions(oyl_actor *actor, const char *user_id)
{
	int rc;
	char key[OYL_UUID_LEN + 1];
	oyl_db *db = oyl__enter(actor, NULL, &rc);
	if (!db || (rc = oyl__check_id(db, "user_id", user_id, key)))
		return rc;
	if ((rc = oyl__actor_begin(db, actor, OYL_TXN_WRITE)))
		return rc;
	oyl__batch bt;
	oyl__user_reads reads;
	const oyl__record *user = NULL;
	int is_account = 0;
	rc = oyl__user_lookup(db, actor, key, OYL__LOCK_NONE, &bt, &reads, &user, &is_account);
	if (rc == OYL_OK)
		rc = oyl__may_manage_user(db, actor, user, is_account, 1);
	if (rc == OYL_OK)
		rc = oyl__sessions_revoke(db, user, is_account, NULL);
	if (rc == OYL_OK)
		rc = oyl__audit(db, actor, is_account ? NULL : oyl__record_text(user, USERS_tenant_id),
				"revoke_sessions",
				is_account ? &oyl__kind_superadmin_account : &oyl__kind_user, key, NULL);
	rc = oyl__txn_end(db, rc);
	oyl__batch_free(&bt);
	return rc == OYL_OK ? oyl__ok(db) : rc;
}
