/*
 * Passwords and logins, the library's long calls: each reads in one
 * transaction, does its slow work (Argon2, tens of milliseconds) with no
 * transaction open, then writes in a second transaction that reads again
 * what it decided on and checks it still holds (doc/conventions.md, "Long
 * calls").  A wrong password, an unknown e-mail and a user without a
 * password are all OYL_EAUTH with one message, after the same work.
 */
#include <ctype.h>
#include <string.h>

#include "core/validate.h"
#include "identity/password.h"
#include "identity/secret.h"
#include "identity/session.h"

#define BAD_LOGIN "invalid e-mail or password"

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

/*
 * One transaction's look at the user whose password is set: found, seen
 * and managed by the actor (self, or an admin of the user).  The first
 * decides whether the slow hashing is worth doing; the second, after it,
 * decides again before writing.
 */
static int look_at_user(oyl_db *db, oyl_actor *actor, const char *key, unsigned flags,
			oyl__batch *bt, const oyl__record **user, int *is_account, int *locked)
{
	oyl__user_reads reads;
	*locked = 0;
	int rc = oyl__user_lookup(db, actor, key,
				  flags == OYL_TXN_WRITE ? OYL__LOCK_ROW : OYL__LOCK_NONE, bt, &reads,
				  user, is_account);
	if (rc == OYL_OK)
		rc = oyl__may_manage_user(db, actor, *user, *is_account, 1);
	if (rc == OYL_OK)
		*locked = oyl__user_locked(bt, &reads, *is_account);
	return rc;
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
	oyl__batch bt;
	const oyl__record *user = NULL;
	int is_account = 0, locked = 0;
	/* Find and authorize first: refused calls cost no Argon2 time. */
	if ((rc = oyl__actor_begin(db, actor, OYL_TXN_READ)))
		return rc;
	rc = look_at_user(db, actor, key, OYL_TXN_READ, &bt, &user, &is_account, &locked);
	oyl__batch_free(&bt);
	rc = oyl__txn_end(db, rc);
	if (rc == OYL_OK && (rc = oyl__password_hash(password, &hash)))
		rc = oyl__fail(db, rc, "password: could not hash it");
	/* Then again, in the transaction that writes: the user may be gone,
	 * or the actor's role may have changed, while the hash was made. */
	if (rc == OYL_OK)
		rc = oyl__actor_begin(db, actor, OYL_TXN_WRITE);
	if (rc == OYL_OK) {
		rc = look_at_user(db, actor, key, OYL_TXN_WRITE, &bt, &user, &is_account, &locked);
		const oyl__kind *uk = is_account ? &oyl__kind_superadmin_account : &oyl__kind_user;
		int hash_col = is_account ? SUPERADMINS_password_hash : USERS_password_hash;
		int upd_col = is_account ? SUPERADMINS_updated_at : USERS_updated_at;
		const char *tenant = is_account ? NULL : oyl__record_text(user, USERS_tenant_id);
		oyl_filter f = oyl__eq(0, OYL_TYPE_UUID, key);
		oyl_assign set[2] = {{hash_col, oyl__val_text(OYL_TYPE_TEXT, hash)},
				     {upd_col, oyl__val_int(OYL_TYPE_TIME, oyl__now())}};
		oyl__note note = {"storing the password", NULL, NULL};
		int64_t changed = 0;
		if (rc == OYL_OK)
			rc = oyl__write_update(db, tenant, uk->t, &f, 1, set, 2,
					       locked ? NULL : &changed, &note);
		if (rc == OYL_OK && !locked && changed != 1)
			rc = oyl__fail(db, OYL_ENOTFOUND, "user %s not found", key);
		/* Everyone else holding a session of this user is logged out. */
		if (rc == OYL_OK)
			rc = oyl__sessions_revoke(db, user, is_account,
						  oyl__is_self(actor, key) ? actor->session_id : NULL);
		if (rc == OYL_OK)
			rc = oyl__audit(db, actor, tenant, "set_password", uk, key, NULL);
		rc = oyl__txn_end(db, rc);
		oyl__batch_free(&bt);
	}
	if (hash) {
		oyl__wipe(hash, strlen(hash));
		oyl__free(hash);
	}
	return rc == OYL_OK ? oyl__ok(db) : rc;
}

/* The registry key of an address: ASCII letters folded to lowercase. */
static void email_key(const char *email, char key[OYL_EMAIL_MAX + 1])
{
	size_t i = 0;
	for (; email[i] && i < OYL_EMAIL_MAX; i++)
		key[i] = (char)tolower((unsigned char)email[i]);
	key[i] = '\0';
}

/*
 * The user with that e-mail and its password hash: the registry names its
 * tenant (locate(), which opens nobody's rows), then the user is read in
 * that tenant's scope, or as the platform for a superadmin account.
 * *user NULL when there is none, and for an account on a connection that
 * may not act as the platform (doc/security.md): its login fails like a
 * wrong password, after the same work.
 */
static int find_by_email(oyl_db *db, const char *email, oyl__record **user, int *is_account)
{
	char key[OYL_EMAIL_MAX + 1], tenant[OYL_UUID_LEN + 1], id[OYL_UUID_LEN + 1];
	email_key(email, key);
	*user = NULL;
	int rc = oyl__locate(db, &oyl__t_user_emails, USER_EMAILS_email_key, key, tenant, id);
	if (rc == OYL_ENOTFOUND)
		return oyl__ok(db);
	if (rc != OYL_OK)
		return rc;
	*is_account = !tenant[0];
	rc = oyl__txn_begin(db, NULL, *is_account ? NULL : tenant, OYL_TXN_READ);
	if (rc == OYL_EPERM && *is_account)
		return oyl__ok(db);
	if (rc != OYL_OK)
		return rc;
	oyl__batch bt;
	oyl__batch_init(&bt, db);
	int i = oyl__batch_get(&bt, *is_account ? NULL : tenant,
			       *is_account ? &oyl__t_superadmins : &oyl__t_users, id, OYL__LOCK_NONE);
	rc = oyl__batch_execute(&bt);
	*user = rc == OYL_OK ? oyl__batch_take(&bt, i) : NULL;
	oyl__batch_free(&bt);
	return oyl__txn_end(db, rc);
}

/* ttl_seconds of the options, checked; the default without. */
static int login_ttl(oyl_db *db, const oyl_login_options *opts, int64_t *ttl)
{
	*ttl = OYL_SESSION_DEFAULT_TTL_S;
	if (!opts)
		return OYL_OK;
	if (opts->size < sizeof(uint32_t))
		return oyl__fail(db, OYL_EINVAL, "opts: size not set (use OYL_LOGIN_OPTIONS_INIT)");
	if (opts->size >= offsetof(oyl_login_options, ttl_seconds) + sizeof opts->ttl_seconds &&
	    opts->ttl_seconds) {
		if (opts->ttl_seconds < 0 || opts->ttl_seconds > 366LL * 24 * 3600)
			return oyl__fail(db, OYL_EINVAL, "ttl_seconds: must be 1 s to a year");
		*ttl = opts->ttl_seconds;
	}
	return OYL_OK;
}

/*
 * The write half of a login: the user read again, locked, with the hash
 * that was verified (a password changed meanwhile makes the login fail);
 * last_login, the new hash if any, the session.
 */
static int record_login(oyl_db *db, const oyl__record *user, int is_account, const char *verified,
			const char *rehash, int64_t ttl, char **token, oyl_actor **actor)
{
	const char *tenant = is_account ? NULL : oyl__record_text(user, USERS_tenant_id);
	const char *id = oyl__record_text(user, 0);
	const oyl__kind *uk = is_account ? &oyl__kind_superadmin_account : &oyl__kind_user;
	int hash_col = is_account ? SUPERADMINS_password_hash : USERS_password_hash;
	char session_id[OYL_UUID_LEN + 1];
	oyl__batch bt;

	int rc = oyl__txn_begin(db, NULL, tenant, OYL_TXN_WRITE);
	if (rc != OYL_OK)
		return rc;
	oyl__batch_init(&bt, db);
	int again = oyl__batch_get(&bt, tenant, uk->t, id, OYL__LOCK_ROW);
	rc = oyl__batch_execute(&bt);
	const oyl__record *now = oyl__batch_row(&bt, again);
	const char *hash = now ? oyl__record_text(now, hash_col) : NULL;
	if (rc == OYL_OK && (!hash || strcmp(hash, verified) != 0))
		rc = oyl__fail(db, OYL_EAUTH, BAD_LOGIN);
	if (rc == OYL_OK) {
		oyl_filter f = oyl__eq(0, OYL_TYPE_UUID, id);
		oyl_assign set[2] = {{is_account ? SUPERADMINS_last_login : USERS_last_login,
				      oyl__val_int(OYL_TYPE_TIME, oyl__now())},
				     {hash_col, oyl__val_text(OYL_TYPE_TEXT, rehash)}};
		oyl__note note = {"recording the login", NULL, NULL};
		int locked = oyl__batch_locked(&bt, again);
		int64_t changed = 0;
		rc = oyl__write_update(db, tenant, uk->t, &f, 1, set, rehash ? 2 : 1,
				       locked ? NULL : &changed, &note);
		if (rc == OYL_OK && !locked && changed != 1)
			rc = oyl__fail(db, OYL_EAUTH, BAD_LOGIN);
	}
	if (rc == OYL_OK)
		rc = oyl__session_open(db, now, is_account, ttl, token, session_id);
	if (rc == OYL_OK && actor)
		rc = oyl__actor_from_row(db, now, is_account, session_id, actor);
	oyl__batch_free(&bt);
	return oyl__txn_end(db, rc);
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
	int64_t ttl;
	int rc;
	if ((rc = login_ttl(db, opts, &ttl)))
		return rc;
	if ((rc = oyl__check_text(db, "email", email, 1, OYL_EMAIL_MAX, 0)))
		return rc;
	if (!password || strnlen(password, OYL_PASSWORD_MAX + 1) > OYL_PASSWORD_MAX)
		return oyl__fail(db, OYL_EINVAL, "password: missing or longer than %d bytes",
				 OYL_PASSWORD_MAX);

	oyl__record *user = NULL;
	int is_account = 0;
	if ((rc = find_by_email(db, email, &user, &is_account))) {
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
	char *rehash = NULL;
	if (stale && oyl__password_hash(password, &rehash) != OYL_OK)
		rehash = NULL; /* keep the old hash; the next login tries again */
	rc = record_login(db, user, is_account, stored, rehash, ttl, token, actor);
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
