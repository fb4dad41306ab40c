/*
 * Passwords and login sessions.  A session token is "oyl_s_" and 43
 * random base62 characters (256 bits); only its SHA-256 is stored, in
 * auth_sessions (tenant users) or superadmin_sessions (superadmin
 * accounts).  Every failure to authenticate is OYL_EAUTH with one message
 * per kind of credential, whatever the reason.
 */
#include <ctype.h>
#include <string.h>

#include "identity/password.h"
#include "identity/secret.h"
#include "model/user_internal.h"
#include "core/validate.h"

#define TOKEN_PREFIX "oyl_s_"
#define TOKEN_RANDOM 43
#define TOKEN_LEN (sizeof TOKEN_PREFIX - 1 + TOKEN_RANDOM)
#define BAD_LOGIN "invalid e-mail or password"
#define BAD_TOKEN "invalid or expired session token"

static const oyl__kind kind_session = {&oyl__t_auth_sessions, "session", "session", NULL,
				       AUTH_SESSIONS_tenant_id, AUTH_SESSIONS_created_at, -1,
				       OYL__USER_MANAGE, OYL__USER_MANAGE, NULL};
static const oyl__kind kind_account_session = {&oyl__t_superadmin_sessions, "session", "session",
					       NULL, -1, SUPERADMIN_SESSIONS_created_at, -1,
					       OYL__PLATFORM, OYL__PLATFORM, NULL};

_Static_assert((int)AUTH_SESSIONS_user_id == 2 && (int)SUPERADMIN_SESSIONS_user_id == 1,
	       "session column positions used below");

static int check_password(oyl_db *db, const char *pw)
{
	if (!pw)
		return oyl__fail(db, OYL_EINVAL, "password: required");
	size_t n = strnlen(pw, OYL_PASSWORD_MAX + 1);
	if (n > OYL_PASSWORD_MAX)
		return oyl__fail(db, OYL_EINVAL, "password: longer than %d bytes", OYL_PASSWORD_MAX);
	if (n < OYL_PASSWORD_MIN)
		return oyl__fail(db, OYL_EINVAL, "password: shorter than %d bytes", OYL_PASSWORD_MIN);
	if (!oyl__utf8_valid(pw, n))
		return oyl__fail(db, OYL_EINVAL, "password: not valid UTF-8");
	return OYL_OK;
}

/* The session table and columns of a user (tenant user or account). */
static const oyl__kind *session_kind(int is_account)
{
	return is_account ? &kind_account_session : &kind_session;
}

/* Revokes the user's live sessions but `keep` (may be NULL). */
static int revoke_sessions(oyl_db *db, const oyl__record *user, int is_account, const char *keep)
{
	const oyl__kind *k = session_kind(is_account);
	int user_col = is_account ? SUPERADMIN_SESSIONS_user_id : AUTH_SESSIONS_user_id;
	int revoked_col = is_account ? SUPERADMIN_SESSIONS_revoked_at : AUTH_SESSIONS_revoked_at;
	oyl_filter f[3] = {oyl__eq(user_col, OYL_TYPE_UUID, oyl__record_text(user, 0)),
			   {revoked_col, OYL_OP_IS_NULL, oyl__val_null()},
			   {0, OYL_OP_NE, oyl__val_text(OYL_TYPE_UUID, keep)}};
	oyl_assign set = {revoked_col, oyl__val_int(OYL_TYPE_TIME, oyl__now())};
	oyl_scope s = {is_account ? NULL : oyl__record_text(user, USERS_tenant_id)};
	int rc = db->backend->update(db->backend, &s, k->t, f, keep && *keep ? 3 : 2, &set, 1, NULL);
	return rc == OYL_OK ? OYL_OK : oyl__fail_backend(db, rc, "revoking sessions");
}

OYL_API int oyl_user_set_password(oyl_actor *actor, const char *user_id, const char *password)
{
	int rc;
	oyl_db *db = oyl__enter(actor, NULL, &rc);
	if (!db)
		return rc;
	char key[OYL_UUID_LEN + 1], *hash = NULL;
	if ((rc = oyl__check_id(db, "user_id", user_id, key)) || (rc = check_password(db, password)))
		return rc;
	/* Find and authorize first: refused calls cost no Argon2 time. */
	oyl__record *user = NULL;
	int is_account = 0;
	if ((rc = oyl__txn_begin(db, oyl__actor_scope(actor), OYL_TXN_READ)))
		return rc;
	rc = oyl__find_user(db, actor, key, &user, &is_account);
	if (rc == OYL_OK)
		rc = oyl__may_manage_user(db, actor, user, is_account, 1);
	rc = oyl__txn_end(db, rc);
	if (rc == OYL_OK && (rc = oyl__password_hash(password, &hash)))
		rc = oyl__fail(db, rc, "password: could not hash it");
	if (rc == OYL_OK)
		rc = oyl__txn_begin(db, oyl__actor_scope(actor), OYL_TXN_WRITE);
	if (rc == OYL_OK) {
		const oyl__kind *uk = is_account ? &oyl__kind_superadmin_account : &oyl__kind_user;
		int hash_col = is_account ? SUPERADMINS_password_hash : USERS_password_hash;
		int upd_col = is_account ? SUPERADMINS_updated_at : USERS_updated_at;
		oyl_scope s = {is_account ? NULL : oyl__record_text(user, USERS_tenant_id)};
		oyl_filter f = oyl__eq(0, OYL_TYPE_UUID, key);
		oyl_assign set[2] = {{hash_col, oyl__val_text(OYL_TYPE_TEXT, hash)},
				     {upd_col, oyl__val_int(OYL_TYPE_TIME, oyl__now())}};
		int64_t changed = 0;
		rc = db->backend->update(db->backend, &s, uk->t, &f, 1, set, 2, &changed);
		if (rc != OYL_OK)
			rc = oyl__fail_backend(db, rc, "storing the password");
		else if (changed != 1)
			rc = oyl__fail(db, OYL_ENOTFOUND, "user %s not found", key);
		/* Everyone else holding a session of this user is logged out. */
		if (rc == OYL_OK)
			rc = revoke_sessions(db, user, is_account,
					     oyl__is_self(actor, key) ? actor->session_id : NULL);
		if (rc == OYL_OK)
			rc = oyl__audit(db, actor, s.tenant_id, "set_password", uk, key, NULL);
		rc = oyl__txn_end(db, rc);
	}
	if (hash) {
		oyl__wipe(hash, strlen(hash));
		oyl__free(hash);
	}
	oyl__record_free(user);
	return rc == OYL_OK ? oyl__ok(db) : rc;
}

/* The user with that e-mail and its password hash, read as the platform. */
static int find_by_email(oyl_db *db, const char *email, oyl__record **user, int *is_account)
{
	char key[OYL_EMAIL_MAX + 1];
	size_t i = 0;
	for (; email[i] && i + 1 < sizeof key; i++)
		key[i] = (char)tolower((unsigned char)email[i]);
	key[i] = '\0';
	oyl_filter f = oyl__eq(USER_EMAILS_email_key, OYL_TYPE_TEXT, key);
	oyl_query q = {&f, 1, 0, 0, NULL, NULL, 1, 0};
	oyl_scope platform = {NULL};
	oyl__record_sink reg = {&oyl__t_user_emails, NULL};
	*user = NULL;
	int rc = db->backend->list(db->backend, &platform, &oyl__t_user_emails, &q, oyl__record_cb, &reg);
	if (rc == OYL_OK && reg.rec) {
		oyl_actor as_platform = {OYL_ACTOR_MAGIC, db, OYL_ROLE_SUPERADMIN, "", "", ""};
		rc = oyl__find_user(db, &as_platform, oyl__record_text(reg.rec, 0), user, is_account);
		if (rc == OYL_ENOTFOUND)
			rc = oyl__ok(db);
	} else if (rc != OYL_OK) {
		rc = oyl__fail_backend(db, rc, "looking up the e-mail");
	}
	oyl__record_free(reg.rec);
	return rc;
}

/* Stores a new session for the user; *token gets the secret. */
static int open_session(oyl_db *db, const oyl__record *user, int is_account, int64_t ttl,
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
	const oyl__kind *k = session_kind(is_account);
	const char *tenant = is_account ? NULL : oyl__record_text(user, USERS_tenant_id);
	int rc = oyl__insert(db, tenant, k, v);
	if (rc == OYL_OK && !(*token = oyl__strdup(secret)))
		rc = oyl__fail(db, OYL_ENOMEM, "out of memory making a session token");
	oyl__wipe(secret, sizeof secret);
	return rc;
}

OYL_API int oyl_auth_login(oyl_db *db, const char *email, const char *password,
			   const oyl_login_options *opts, char **token, oyl_actor **actor)
{
	if (!oyl__db_check(db))
		return OYL_EMISUSE;
	if (!token)
		return oyl__fail(db, OYL_EMISUSE, "oyl_auth_login: NULL token out-pointer");
	*token = NULL;
	if (actor)
		*actor = NULL;
	oyl__ok(db);
	int64_t ttl = OYL_SESSION_DEFAULT_TTL_S;
	if (opts) {
		if (opts->size < sizeof(uint32_t))
			return oyl__fail(db, OYL_EINVAL, "opts: size not set (use OYL_LOGIN_OPTIONS_INIT)");
		if (opts->size >= offsetof(oyl_login_options, ttl_seconds) + sizeof opts->ttl_seconds &&
		    opts->ttl_seconds) {
			if (opts->ttl_seconds < 0 || opts->ttl_seconds > 366LL * 24 * 3600)
				return oyl__fail(db, OYL_EINVAL, "ttl_seconds: must be 1 s to a year");
			ttl = opts->ttl_seconds;
		}
	}
	int rc;
	if ((rc = oyl__check_text(db, "email", email, 1, OYL_EMAIL_MAX, 0)))
		return rc;
	if (!password || strnlen(password, OYL_PASSWORD_MAX + 1) > OYL_PASSWORD_MAX)
		return oyl__fail(db, OYL_EINVAL, "password: missing or longer than %d bytes",
				 OYL_PASSWORD_MAX);

	oyl__record *user = NULL;
	int is_account = 0;
	if ((rc = oyl__txn_begin(db, NULL, OYL_TXN_READ)))
		return rc;
	if ((rc = oyl__txn_end(db, find_by_email(db, email, &user, &is_account)))) {
		oyl__record_free(user);
		return rc;
	}
	/* One Argon2 verification whatever happened: unknown e-mails and
	 * users without a password verify against a dummy hash. */
	int hash_col = is_account ? SUPERADMINS_password_hash : USERS_password_hash;
	const char *stored = user ? oyl__record_text(user, hash_col) : NULL;
	int ok = 0, stale = 0;
	rc = oyl__password_verify(stored ? stored : oyl__password_dummy(), password, &ok, &stale);
	if (rc != OYL_OK) {
		oyl__record_free(user);
		return oyl__fail(db, rc, "out of memory verifying the password");
	}
	if (!ok || !stored) {
		oyl__record_free(user);
		return oyl__fail(db, OYL_EAUTH, BAD_LOGIN);
	}
	char *rehash = NULL, session_id[OYL_UUID_LEN + 1];
	if (stale && oyl__password_hash(password, &rehash) != OYL_OK)
		rehash = NULL; /* keep the old hash; the next login tries again */
	const char *tenant = is_account ? NULL : oyl__record_text(user, USERS_tenant_id);
	rc = oyl__txn_begin(db, tenant, OYL_TXN_WRITE);
	if (rc == OYL_OK) {
		const oyl__kind *uk = is_account ? &oyl__kind_superadmin_account : &oyl__kind_user;
		oyl_scope s = {tenant};
		oyl_filter f = oyl__eq(0, OYL_TYPE_UUID, oyl__record_text(user, 0));
		oyl_assign set[2] = {{is_account ? SUPERADMINS_last_login : USERS_last_login,
				      oyl__val_int(OYL_TYPE_TIME, oyl__now())},
				     {hash_col, oyl__val_text(OYL_TYPE_TEXT, rehash)}};
		rc = db->backend->update(db->backend, &s, uk->t, &f, 1, set, rehash ? 2 : 1, NULL);
		if (rc != OYL_OK)
			rc = oyl__fail_backend(db, rc, "recording the login");
		if (rc == OYL_OK)
			rc = open_session(db, user, is_account, ttl, token, session_id);
		if (rc == OYL_OK && actor)
			rc = oyl__actor_from_row(db, user, is_account, session_id, actor);
		rc = oyl__txn_end(db, rc);
	}
	if (rehash) {
		oyl__wipe(rehash, strlen(rehash));
		oyl__free(rehash);
	}
	oyl__record_free(user);
	if (rc != OYL_OK) {
		if (*token) {
			oyl__wipe(*token, strlen(*token));
			oyl__free(*token);
			*token = NULL;
		}
		if (actor) {
			oyl_actor_free(*actor);
			*actor = NULL;
		}
		return rc;
	}
	return oyl__ok(db);
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

/* Finds the live session of a token (inside a transaction). */
static int find_session(oyl_db *db, const char *token, oyl__record **session, int *is_account)
{
	char hash[OYL_SHA256_HEX + 1];
	*session = NULL;
	if (!token_shape_ok(token) || oyl__sha256_hex(token, TOKEN_LEN, hash))
		return oyl__fail(db, OYL_EAUTH, BAD_TOKEN);
	oyl_scope platform = {NULL};
	for (int account = 0; account <= 1; account++) {
		const oyl__kind *k = session_kind(account);
		int hash_col = account ? SUPERADMIN_SESSIONS_token_hash : AUTH_SESSIONS_token_hash;
		oyl_filter f = oyl__eq(hash_col, OYL_TYPE_TEXT, hash);
		oyl_query q = {&f, 1, 0, 0, NULL, NULL, 1, 0};
		oyl__record_sink sink = {k->t, NULL};
		int rc = db->backend->list(db->backend, &platform, k->t, &q, oyl__record_cb, &sink);
		if (rc != OYL_OK) {
			oyl__record_free(sink.rec);
			return oyl__fail_backend(db, rc, "looking up the session");
		}
		if (sink.rec) {
			int exp_col = account ? SUPERADMIN_SESSIONS_expires_at : AUTH_SESSIONS_expires_at;
			int rev_col = account ? SUPERADMIN_SESSIONS_revoked_at : AUTH_SESSIONS_revoked_at;
			if (sink.rec->vals[rev_col].type != OYL_TYPE_NULL ||
			    oyl__record_int(sink.rec, exp_col) <= oyl__now()) {
				oyl__record_free(sink.rec);
				break;
			}
			*session = sink.rec;
			*is_account = account;
			return OYL_OK;
		}
	}
	return oyl__fail(db, OYL_EAUTH, BAD_TOKEN);
}

/* Sets one time column of a session (last_used_at or revoked_at). */
static int touch_session(oyl_db *db, const oyl__record *session, int is_account, int col)
{
	const oyl__kind *k = session_kind(is_account);
	oyl_scope s = {is_account ? NULL : oyl__record_text(session, AUTH_SESSIONS_tenant_id)};
	oyl_filter f = oyl__eq(0, OYL_TYPE_UUID, oyl__record_text(session, 0));
	oyl_assign set = {col, oyl__val_int(OYL_TYPE_TIME, oyl__now())};
	int rc = db->backend->update(db->backend, &s, k->t, &f, 1, &set, 1, NULL);
	return rc == OYL_OK ? OYL_OK : oyl__fail_backend(db, rc, "updating the session");
}

OYL_API int oyl_actor_from_token(oyl_db *db, const char *token, oyl_actor **out)
{
	if (!oyl__db_check(db))
		return OYL_EMISUSE;
	if (!out)
		return oyl__fail(db, OYL_EMISUSE, "oyl_actor_from_token: NULL out-pointer");
	*out = NULL;
	oyl__ok(db);
	int rc = oyl__txn_begin(db, NULL, OYL_TXN_WRITE);
	if (rc)
		return rc;
	oyl__record *session = NULL, *user = NULL;
	int is_account = 0, user_is_account = 0;
	rc = find_session(db, token, &session, &is_account);
	if (rc == OYL_OK) {
		oyl_actor as_platform = {OYL_ACTOR_MAGIC, db, OYL_ROLE_SUPERADMIN, "", "", ""};
		int user_col = is_account ? SUPERADMIN_SESSIONS_user_id : AUTH_SESSIONS_user_id;
		rc = oyl__find_user(db, &as_platform, oyl__record_text(session, user_col), &user,
				    &user_is_account);
		if (rc == OYL_ENOTFOUND)
			rc = oyl__fail(db, OYL_EAUTH, BAD_TOKEN);
	}
	if (rc == OYL_OK)
		rc = touch_session(db, session, is_account,
				   is_account ? SUPERADMIN_SESSIONS_last_used_at : AUTH_SESSIONS_last_used_at);
	if (rc == OYL_OK)
		rc = oyl__actor_from_row(db, user, user_is_account, oyl__record_text(session, 0), out);
	oyl__record_free(session);
	oyl__record_free(user);
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
	int rc = oyl__txn_begin(db, NULL, OYL_TXN_WRITE);
	if (rc)
		return rc;
	oyl__record *session = NULL;
	int is_account = 0;
	rc = find_session(db, token, &session, &is_account);
	if (rc == OYL_OK)
		rc = touch_session(db, session, is_account,
				   is_account ? SUPERADMIN_SESSIONS_revoked_at : AUTH_SESSIONS_revoked_at);
	oyl__record_free(session);
	rc = oyl__txn_end(db, rc);
	return rc == OYL_OK ? oyl__ok(db) : rc;
}

OYL_API int oyl_auth_revoke_sessions(oyl_actor *actor, const char *user_id)
{
	int rc;
	char key[OYL_UUID_LEN + 1];
	oyl_db *db = oyl__begin_on_id(actor, NULL, NULL, "user_id", user_id, key, OYL_TXN_WRITE, &rc);
	if (!db)
		return rc;
	oyl__record *user = NULL;
	int is_account = 0;
	rc = oyl__find_user(db, actor, key, &user, &is_account);
	if (rc == OYL_OK)
		rc = oyl__may_manage_user(db, actor, user, is_account, 1);
	if (rc == OYL_OK)
		rc = revoke_sessions(db, user, is_account, NULL);
	if (rc == OYL_OK)
		rc = oyl__audit(db, actor, is_account ? NULL : oyl__record_text(user, USERS_tenant_id),
				"revoke_sessions",
				is_account ? &oyl__kind_superadmin_account : &oyl__kind_user, key, NULL);
	oyl__record_free(user);
	rc = oyl__txn_end(db, rc);
	return rc == OYL_OK ? oyl__ok(db) : rc;
}
