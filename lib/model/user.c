/*
 * Users: a tenant's users and admins (table users) and superadmin
 * accounts (table superadmins), with the platform-wide e-mail registry
 * that makes addresses unique across tenants, case-insensitively.
 */
#include <ctype.h>
#include <string.h>

#include "model/quota.h"
#include "model/user_internal.h"
#include "core/validate.h"

static int user_before_delete(oyl_db *db, const oyl__record *row);
static int account_before_delete(oyl_db *db, const oyl__record *row);

const oyl__kind oyl__kind_user = {&oyl__t_users, "user", "user", NULL, USERS_tenant_id,
				  USERS_created_at, USERS_updated_at, OYL__USER_READ_OTHERS,
				  OYL__USER_MANAGE, user_before_delete};
const oyl__kind oyl__kind_superadmin_account = {&oyl__t_superadmins, "user", "superadmin", NULL, -1,
				       SUPERADMINS_created_at, SUPERADMINS_updated_at,
				       OYL__PLATFORM, OYL__PLATFORM, account_before_delete};

static const char *role_text(int role)
{
	switch (role) {
	case OYL_ROLE_TENANT_ADMIN:
		return "tenant_admin";
	case OYL_ROLE_USER:
		return "user";
	default:
		return NULL;
	}
}

static int role_from_text(const char *s)
{
	if (s && strcmp(s, "tenant_admin") == 0)
		return OYL_ROLE_TENANT_ADMIN;
	if (s && strcmp(s, "user") == 0)
		return OYL_ROLE_USER;
	return 0;
}

/* The registry key: the address with ASCII letters folded to lowercase. */
static void email_key(const char *email, char *key, size_t size)
{
	size_t i = 0;
	for (; email[i] && i + 1 < size; i++)
		key[i] = (char)tolower((unsigned char)email[i]);
	key[i] = '\0';
}

static int register_email(oyl_db *db, const char *id, const char *email, const char *tenant_id,
			  int64_t now)
{
	char key[OYL_EMAIL_MAX + 1];
	email_key(email, key, sizeof key);
	oyl_value reg[USER_EMAILS__N];
	reg[USER_EMAILS_id] = oyl__val_text(OYL_TYPE_UUID, id);
	reg[USER_EMAILS_email_key] = oyl__val_text(OYL_TYPE_TEXT, key);
	reg[USER_EMAILS_tenant_id] = oyl__val_text(OYL_TYPE_UUID, tenant_id);
	reg[USER_EMAILS_created_at] = oyl__val_int(OYL_TYPE_TIME, now);
	oyl_scope scope = {tenant_id};
	int rc = db->backend->insert(db->backend, &scope, &oyl__t_user_emails, reg);
	if (rc == OYL_ECONFLICT)
		return oyl__fail(db, rc, "email: \"%s\" is already in use", email);
	if (rc != OYL_OK)
		return oyl__fail_backend(db, rc, "storing the user's e-mail");
	return OYL_OK;
}

int oyl__user_insert(oyl_db *db, const oyl_actor *actor, const char *tenant_id, const char *email,
		     const char *name, int role, int64_t now, oyl__record **out)
{
	char id[OYL_UUID_LEN + 1];
	oyl__uuid_new(id);
	int rc = oyl__quota_check_users(db, tenant_id);
	if (rc == OYL_OK)
		rc = register_email(db, id, email, tenant_id, now);
	if (rc)
		return rc;
	oyl_value v[USERS__N];
	v[USERS_id] = oyl__val_text(OYL_TYPE_UUID, id);
	v[USERS_tenant_id] = oyl__val_text(OYL_TYPE_UUID, tenant_id);
	v[USERS_email] = oyl__val_text(OYL_TYPE_TEXT, email);
	v[USERS_name] = oyl__val_text(OYL_TYPE_TEXT, name);
	v[USERS_role] = oyl__val_text(OYL_TYPE_TEXT, role_text(role));
	v[USERS_password_hash] = oyl__val_null();
	v[USERS_last_login] = oyl__val_null();
	v[USERS_created_at] = oyl__val_int(OYL_TYPE_TIME, now);
	v[USERS_updated_at] = oyl__val_int(OYL_TYPE_TIME, now);
	if ((rc = oyl__insert(db, tenant_id, &oyl__kind_user, v)) ||
	    (rc = oyl__audit(db, actor, tenant_id, "create", &oyl__kind_user, id, NULL)))
		return rc;
	if (out && (rc = oyl__record_copy(&oyl__t_users, v, USERS__N, out)))
		return oyl__fail(db, rc, "out of memory creating a user");
	return OYL_OK;
}

/* A superadmin account: no tenant, in its own global table. */
static int account_insert(oyl_db *db, const oyl_actor *actor, const char *email, const char *name,
			  oyl__record **out)
{
	char id[OYL_UUID_LEN + 1];
	oyl__uuid_new(id);
	int64_t now = oyl__now();
	int rc = register_email(db, id, email, NULL, now);
	if (rc)
		return rc;
	oyl_value v[SUPERADMINS__N];
	v[SUPERADMINS_id] = oyl__val_text(OYL_TYPE_UUID, id);
	v[SUPERADMINS_email] = oyl__val_text(OYL_TYPE_TEXT, email);
	v[SUPERADMINS_name] = oyl__val_text(OYL_TYPE_TEXT, name);
	v[SUPERADMINS_password_hash] = oyl__val_null();
	v[SUPERADMINS_last_login] = oyl__val_null();
	v[SUPERADMINS_created_at] = oyl__val_int(OYL_TYPE_TIME, now);
	v[SUPERADMINS_updated_at] = oyl__val_int(OYL_TYPE_TIME, now);
	if ((rc = oyl__insert(db, NULL, &oyl__kind_superadmin_account, v)) ||
	    (rc = oyl__audit(db, actor, NULL, "create", &oyl__kind_superadmin_account, id, NULL)))
		return rc;
	if (out && (rc = oyl__record_copy(&oyl__t_superadmins, v, SUPERADMINS__N, out)))
		return oyl__fail(db, rc, "out of memory creating a user");
	return OYL_OK;
}

OYL_API int oyl_user_create(oyl_actor *actor, const char *tenant_id, const char *email,
			    const char *name, int role, oyl_user **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db)
		return rc;
	char tid[OYL_UUID_LEN + 1];
	if (role == OYL_ROLE_SUPERADMIN) {
		if ((rc = oyl__authorize(db, actor, OYL__PLATFORM)))
			return rc;
		if (tenant_id)
			return oyl__fail(db, OYL_EINVAL, "tenant_id: a superadmin account has no tenant (pass NULL)");
	} else if (!role_text(role)) {
		return oyl__fail(db, OYL_EINVAL, "role: must be OYL_ROLE_TENANT_ADMIN, OYL_ROLE_USER or "
						 "OYL_ROLE_SUPERADMIN");
	} else if ((rc = oyl__check_id(db, "tenant_id", tenant_id, tid))) {
		return rc;
	}
	if ((rc = oyl__check_email(db, "email", email)) || (rc = oyl__check_name(db, "name", name)))
		return rc;
	if ((rc = oyl__txn_begin(db, oyl__actor_scope(actor), OYL_TXN_WRITE)))
		return rc;
	oyl__record *tenant = NULL, *user = NULL;
	if (role == OYL_ROLE_SUPERADMIN) {
		rc = account_insert(db, actor, email, name, out ? &user : NULL);
	} else {
		rc = oyl__fetch_visible(db, actor, &oyl__kind_tenant, tid, &tenant);
		if (rc == OYL_OK)
			rc = oyl__authorize(db, actor, OYL__USER_MANAGE);
		if (rc == OYL_OK)
			rc = oyl__user_insert(db, actor, tid, email, name, role, oyl__now(),
					      out ? &user : NULL);
	}
	oyl__record_free(tenant);
	rc = oyl__txn_end(db, rc);
	if (rc != OYL_OK) {
		oyl__record_free(user);
		return rc;
	}
	if (out)
		*out = (oyl_user *)user;
	return oyl__ok(db);
}

/* Finds a user the actor can see: a tenant's user in the actor's scope,
 * or, for a superadmin, also a superadmin account.  *kind says which. */
static int find_user(oyl_db *db, const oyl_actor *actor, const char *id, oyl__record **out,
		     const oyl__kind **kind)
{
	*kind = &oyl__kind_user;
	int rc = oyl__fetch_visible(db, actor, &oyl__kind_user, id, out);
	if (rc == OYL_ENOTFOUND && actor->role == OYL_ROLE_SUPERADMIN) {
		*kind = &oyl__kind_superadmin_account;
		rc = oyl__fetch(db, NULL, &oyl__kind_superadmin_account, id, out);
	}
	return rc;
}

static int is_self(const oyl_actor *actor, const char *id)
{
	return actor->id[0] && strcmp(actor->id, id) == 0;
}

int oyl__is_self(const oyl_actor *actor, const char *id)
{
	return is_self(actor, id);
}

int oyl__find_user(oyl_db *db, const oyl_actor *actor, const char *id, oyl__record **out,
		   int *is_account)
{
	const oyl__kind *kind = NULL;
	int rc = find_user(db, actor, id, out, &kind);
	*is_account = kind == &oyl__kind_superadmin_account;
	return rc;
}

int oyl__may_manage_user(oyl_db *db, const oyl_actor *actor, const oyl__record *row,
			 int is_account, int self_ok)
{
	if (self_ok && is_self(actor, oyl__record_text(row, 0)))
		return OYL_OK;
	return oyl__authorize(db, actor, is_account ? OYL__PLATFORM : OYL__USER_MANAGE);
}

OYL_API int oyl_user_get(oyl_actor *actor, const char *id, oyl_user **out)
{
	int rc;
	char key[OYL_UUID_LEN + 1];
	oyl_db *db = oyl__begin_on_id(actor, out, "oyl_user_get", "id", id, key, OYL_TXN_READ, &rc);
	if (!db)
		return rc;
	oyl__record *rec = NULL;
	const oyl__kind *kind;
	rc = find_user(db, actor, key, &rec, &kind);
	if (rc == OYL_OK && !is_self(actor, key))
		rc = oyl__authorize(db, actor, kind->read);
	return oyl__finish_read(db, rc, rec, out);
}

OYL_API int oyl_user_list(oyl_actor *actor, const char *tenant_id, const oyl_list_options *opts,
			  oyl_page **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db)
		return rc;
	if (!out)
		return oyl__fail(db, OYL_EMISUSE, "oyl_user_list: NULL out-pointer");
	char tid[OYL_UUID_LEN + 1];
	if (!tenant_id) {
		if ((rc = oyl__authorize(db, actor, OYL__PLATFORM)))
			return rc;
	} else if ((rc = oyl__check_id(db, "tenant_id", tenant_id, tid))) {
		return rc;
	}
	if ((rc = oyl__txn_begin(db, oyl__actor_scope(actor), OYL_TXN_READ)))
		return rc;
	oyl__record *tenant = NULL;
	if (!tenant_id) {
		rc = oyl__list_rows(db, NULL, &oyl__kind_superadmin_account, NULL, 0, opts, out);
	} else if ((rc = oyl__fetch_visible(db, actor, &oyl__kind_tenant, tid, &tenant)) == OYL_OK) {
		/* A user may list, and so see, only themselves. */
		oyl_filter f[2] = {oyl__eq(USERS_tenant_id, OYL_TYPE_UUID, tid),
				   oyl__eq(USERS_id, OYL_TYPE_UUID, actor->id)};
		size_t nf = oyl__role_may(actor, OYL__USER_READ_OTHERS) ? 1 : 2;
		rc = oyl__list_rows(db, tid, &oyl__kind_user, f, nf, opts, out);
	}
	oyl__record_free(tenant);
	return oyl__finish_list(db, rc, out);
}

typedef struct user_change {
	int role;
	const oyl__kind *kind;
} user_change;

/* Self: rename only.  Others: the kind's write permission. */
static int check_user_update(oyl_db *db, const oyl_actor *actor, const oyl__record *row, void *ctx)
{
	const user_change *c = ctx;
	const char *id = oyl__record_text(row, 0);
	if (is_self(actor, id))
		return c->role ? oyl__fail(db, OYL_EPERM, "permission denied: no one changes their own role")
			       : OYL_OK;
	return oyl__authorize(db, actor, c->kind->write);
}

OYL_API int oyl_user_update(oyl_actor *actor, const char *id, const char *name, int role,
			    oyl_user **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db)
		return rc;
	char key[OYL_UUID_LEN + 1];
	if ((rc = oyl__check_id(db, "id", id, key)) ||
	    (name && (rc = oyl__check_name(db, "name", name))))
		return rc;
	if (role == OYL_ROLE_SUPERADMIN)
		return oyl__fail(db, OYL_EINVAL, "role: a tenant user cannot become a superadmin "
						 "(create a superadmin account instead)");
	if (role && !role_text(role))
		return oyl__fail(db, OYL_EINVAL, "role: must be OYL_ROLE_TENANT_ADMIN or OYL_ROLE_USER");
	/* Which table holds the user (a superadmin may name an account). */
	user_change c = {role, &oyl__kind_user};
	if (actor->role == OYL_ROLE_SUPERADMIN) {
		oyl__record *probe = NULL;
		if ((rc = oyl__txn_begin(db, NULL, OYL_TXN_READ)))
			return rc;
		rc = oyl__txn_end(db, find_user(db, actor, key, &probe, &c.kind));
		oyl__record_free(probe);
		if (rc != OYL_OK)
			return rc;
		if (c.kind == &oyl__kind_superadmin_account && role)
			return oyl__fail(db, OYL_EINVAL, "role: a superadmin account has no tenant role");
	}
	oyl_assign set[3];
	size_t n = 0;
	if (name)
		set[n++] = (oyl_assign){c.kind == &oyl__kind_superadmin_account ? SUPERADMINS_name : USERS_name,
					oyl__val_text(OYL_TYPE_TEXT, name)};
	if (role)
		set[n++] = (oyl_assign){USERS_role, oyl__val_text(OYL_TYPE_TEXT, role_text(role))};
	return oyl__update_public(actor, c.kind, key, set, n, check_user_update, &c, out);
}

/* Uploads stay with the tenant (uploader cleared); the registry row goes. */
static int user_before_delete(oyl_db *db, const oyl__record *row)
{
	const char *tid = oyl__record_text(row, USERS_tenant_id);
	const char *uid = oyl__record_text(row, USERS_id);
	oyl_scope scope = {tid};
	oyl_filter by_uploader = oyl__eq(DOCUMENTS_user_id, OYL_TYPE_UUID, uid);
	oyl_assign clear = {DOCUMENTS_user_id, oyl__val_null()};
	int rc = db->backend->update(db->backend, &scope, &oyl__t_documents, &by_uploader, 1, &clear,
				     1, NULL);
	if (rc != OYL_OK)
		return oyl__fail_backend(db, rc, "clearing the user's uploads");
	return account_before_delete(db, row);
}

static int account_before_delete(oyl_db *db, const oyl__record *row)
{
	oyl_scope platform = {NULL};
	oyl_filter by_id = oyl__eq(USER_EMAILS_id, OYL_TYPE_UUID, oyl__record_text(row, 0));
	int rc = db->backend->remove(db->backend, &platform, &oyl__t_user_emails, &by_id, 1, NULL);
	if (rc != OYL_OK)
		return oyl__fail_backend(db, rc, "removing the user's e-mail");
	return OYL_OK;
}

OYL_API int oyl_user_delete(oyl_actor *actor, const char *id)
{
	int rc;
	oyl_db *db = oyl__enter(actor, NULL, &rc);
	if (!db)
		return rc;
	char key[OYL_UUID_LEN + 1];
	if ((rc = oyl__check_id(db, "id", id, key)))
		return rc;
	const oyl__kind *kind = &oyl__kind_user;
	if (actor->role == OYL_ROLE_SUPERADMIN) {
		oyl__record *probe = NULL;
		if ((rc = oyl__txn_begin(db, NULL, OYL_TXN_READ)))
			return rc;
		rc = oyl__txn_end(db, find_user(db, actor, key, &probe, &kind));
		oyl__record_free(probe);
		if (rc != OYL_OK)
			return rc;
	}
	if (is_self(actor, key)) {
		/* Only after the lookup: a missing id must read as missing. */
		return oyl__fail(db, OYL_EPERM, "permission denied: no one deletes themselves");
	}
	return oyl__delete_public(actor, kind, key);
}

/* Getters serve both tables: positions differ, so look up per table. */
static const oyl__record *user_rec(const oyl_user *u, int *account)
{
	const oyl__record *r = oyl__as(u, &oyl__kind_user);
	*account = 0;
	if (!r && (r = oyl__as(u, &oyl__kind_superadmin_account)))
		*account = 1;
	return r;
}

#define USER_TEXT_GETTER(fn, ucol, acol)                                                          \
	OYL_API const char *fn(const oyl_user *u)                                                 \
	{                                                                                         \
		int account;                                                                      \
		const oyl__record *r = user_rec(u, &account);                                     \
		return oyl__record_text(r, account ? (acol) : (ucol));                            \
	}
#define USER_INT_GETTER(fn, ucol, acol)                                                           \
	OYL_API int64_t fn(const oyl_user *u)                                                     \
	{                                                                                         \
		int account;                                                                      \
		const oyl__record *r = user_rec(u, &account);                                     \
		return oyl__record_int(r, account ? (acol) : (ucol));                             \
	}

USER_TEXT_GETTER(oyl_user_id, USERS_id, SUPERADMINS_id)
USER_TEXT_GETTER(oyl_user_tenant_id, USERS_tenant_id, -1)
USER_TEXT_GETTER(oyl_user_email, USERS_email, SUPERADMINS_email)
USER_TEXT_GETTER(oyl_user_name, USERS_name, SUPERADMINS_name)
USER_INT_GETTER(oyl_user_last_login, USERS_last_login, SUPERADMINS_last_login)
USER_INT_GETTER(oyl_user_created_at, USERS_created_at, SUPERADMINS_created_at)
USER_INT_GETTER(oyl_user_updated_at, USERS_updated_at, SUPERADMINS_updated_at)

OYL_API int oyl_user_role(const oyl_user *u)
{
	int account;
	const oyl__record *r = user_rec(u, &account);
	if (!r)
		return 0;
	return account ? OYL_ROLE_SUPERADMIN : role_from_text(oyl__record_text(r, USERS_role));
}

OYL_API int oyl_user_to_json(const oyl_user *u, char **json)
{
	int account;
	const oyl__record *r = user_rec(u, &account);
	if (json)
		*json = NULL;
	if (!r || !json)
		return OYL_EMISUSE;
	return oyl__record_to_json(r, json);
}

OYL_API void oyl_user_free(oyl_user *u)
{
	oyl__record_free((oyl__record *)u);
}

OYL_API const oyl_user *oyl_page_user(const oyl_page *page, size_t i)
{
	const void *r = oyl__page_item(page, &oyl__kind_user, i);
	return r ? r : oyl__page_item(page, &oyl__kind_superadmin_account, i);
}

/* Actors of stored users: role and tenant come from the row. */
OYL_API int oyl_actor_for_user(oyl_db *db, const char *user_id, oyl_actor **out)
{
	if (!oyl__db_check(db))
		return OYL_EMISUSE;
	if (!out)
		return oyl__fail(db, OYL_EMISUSE, "oyl_actor_for_user: NULL out-pointer");
	*out = NULL;
	oyl__ok(db);
	char key[OYL_UUID_LEN + 1];
	int rc = oyl__check_id(db, "user_id", user_id, key);
	if (rc)
		return rc;
	/* Looked up as the platform: the host is establishing who acts. */
	oyl_actor platform = {OYL_ACTOR_MAGIC, db, OYL_ROLE_SUPERADMIN, "", "", ""};
	oyl__record *row = NULL;
	const oyl__kind *kind;
	if ((rc = oyl__txn_begin(db, NULL, OYL_TXN_READ)))
		return rc;
	rc = oyl__txn_end(db, find_user(db, &platform, key, &row, &kind));
	if (rc == OYL_OK)
		rc = oyl__actor_from_row(db, row, kind == &oyl__kind_superadmin_account, NULL, out);
	oyl__record_free(row);
	return rc == OYL_OK ? oyl__ok(db) : rc;
}

int oyl__actor_from_row(oyl_db *db, const oyl__record *row, int is_account,
			const char *session_id, oyl_actor **out)
{
	oyl_actor *a = oyl__calloc(1, sizeof *a);
	if (!a)
		return oyl__fail(db, OYL_ENOMEM, "out of memory creating an actor");
	a->magic = OYL_ACTOR_MAGIC;
	a->db = db;
	memcpy(a->id, oyl__record_text(row, 0), sizeof a->id);
	if (is_account) {
		a->role = OYL_ROLE_SUPERADMIN;
	} else {
		a->role = role_from_text(oyl__record_text(row, USERS_role));
		memcpy(a->tenant_id, oyl__record_text(row, USERS_tenant_id), sizeof a->tenant_id);
	}
	if (session_id)
		memcpy(a->session_id, session_id, sizeof a->session_id);
	*out = a;
	return OYL_OK;
}
