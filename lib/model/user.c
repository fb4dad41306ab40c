/*
 * Users: a tenant's users and admins (table users) and superadmin
 * accounts (table superadmins), with the platform-wide e-mail registry
 * that makes addresses unique across tenants, case-insensitively.
 */
#include <ctype.h>
#include <string.h>

#include "core/validate.h"
#include "model/quota.h"
#include "model/user_internal.h"

static int user_before_delete(oyl_db *db, const oyl__record *row);
static int account_before_delete(oyl_db *db, const oyl__record *row);

const oyl__kind oyl__kind_user = {&oyl__t_users, "user", "user", NULL, USERS_tenant_id,
				  USERS_created_at, USERS_updated_at, OYL__USER_READ_OTHERS,
				  OYL__USER_MANAGE, user_before_delete, 0};
const oyl__kind oyl__kind_superadmin_account = {&oyl__t_superadmins, "user", "superadmin", NULL, -1,
				       SUPERADMINS_created_at, SUPERADMINS_updated_at,
				       OYL__PLATFORM, OYL__PLATFORM, account_before_delete, 0};

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
	oyl__note note = {"storing the user's e-mail", "email: \"%s\" is already in use", email};
	return oyl__write_insert(db, tenant_id, &oyl__t_user_emails, reg, &note);
}

int oyl__user_insert(oyl_db *db, const oyl_actor *actor, const char *tenant_id, const char *email,
		     const char *name, int role, int64_t now, oyl__record **out)
{
	char id[OYL_UUID_LEN + 1];
	oyl__uuid_new(id);
	int rc = register_email(db, id, email, tenant_id, now);
	if (rc)
		return rc;
	oyl_value v[USERS__N];
	v[USERS_id] = oyl__val_text(OYL_TYPE_UUID, id);
	v[USERS_tenant_id] = oyl__val_text(OYL_TYPE_UUID, tenant_id);
	v[USERS_email] = oyl__val_text(OYL_TYPE_TEXT, email);
	v[USERS_name] = oyl__val_text(OYL_TYPE_TEXT, name);
	v[USERS_role] = oyl__val_text(OYL_TYPE_TEXT, oyl__role_text(role));
	v[USERS_password_hash] = oyl__val_null();
	v[USERS_last_login] = oyl__val_null();
	v[USERS_created_at] = oyl__val_int(OYL_TYPE_TIME, now);
	v[USERS_updated_at] = oyl__val_int(OYL_TYPE_TIME, now);
	if ((rc = oyl__insert(db, tenant_id, &oyl__kind_user, v)) ||
	    (rc = oyl__audit(db, actor, tenant_id, "create", &oyl__kind_user, id, NULL)))
		return rc;
	if (out && (rc = oyl__record_copy(&oyl__t_users, v, USERS__N, out)))
		return oyl__fail(db, rc, "out of memory creating a user");
	oyl__remember_user(db, id, tenant_id, role);
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
	oyl__remember_user(db, id, NULL, OYL_ROLE_SUPERADMIN);
	return OYL_OK;
}

OYL_API int oyl_user_create(oyl_actor *actor, const char *tenant_id, const char *email,
			    const char *name, int role, oyl_user **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db)
		return rc;
	char tid[OYL_UUID_LEN + 1] = "";
	int account = role == OYL_ROLE_SUPERADMIN;
	if (account) {
		if (tenant_id)
			return oyl__fail(db, OYL_EINVAL, "tenant_id: a superadmin account has no tenant (pass NULL)");
	} else if (!oyl__role_text(role)) {
		return oyl__fail(db, OYL_EINVAL, "role: must be OYL_ROLE_TENANT_ADMIN, OYL_ROLE_USER or "
						 "OYL_ROLE_SUPERADMIN");
	} else if ((rc = oyl__check_id(db, "tenant_id", tenant_id, tid))) {
		return rc;
	}
	if ((rc = oyl__check_email(db, "email", email)) || (rc = oyl__check_name(db, "name", name)))
		return rc;
	if ((rc = oyl__actor_begin(db, actor, OYL_TXN_WRITE)))
		return rc;
	/* The tenant, locked for its quota, and its users, counted after the
	 * lock (a statement that starts once the lock is held), in one batch. */
	oyl_filter users_of = oyl__eq(USERS_tenant_id, OYL_TYPE_UUID, tid);
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	int tenant = -1, users = -1;
	if (!account) {
		tenant = oyl__batch_get(&bt, NULL, &oyl__t_tenants, tid, OYL__LOCK_DECIDE);
		users = oyl__batch_count(&bt, oyl__actor_scope(actor), &oyl__t_users, &users_of, 1);
	}
	rc = oyl__batch_run(&bt);
	oyl__record *user = NULL;
	if (account) {
		if (rc == OYL_OK)
			rc = oyl__authorize(db, actor, OYL__PLATFORM);
		if (rc == OYL_OK)
			rc = account_insert(db, actor, email, name, out ? &user : NULL);
	} else {
		const oyl__record *t = oyl__batch_row(&bt, tenant);
		if (rc == OYL_OK)
			rc = oyl__visible(db, actor, &oyl__kind_tenant, t, tid);
		if (rc == OYL_OK)
			rc = oyl__authorize(db, actor, OYL__USER_MANAGE);
		if (rc == OYL_OK)
			rc = oyl__quota_check_users(db, t, oyl__batch_locked(&bt, tenant),
						    oyl__batch_count_of(&bt, users));
		if (rc == OYL_OK)
			rc = oyl__user_insert(db, actor, tid, email, name, role, oyl__now(),
					      out ? &user : NULL);
	}
	oyl__batch_free(&bt);
	rc = oyl__txn_end(db, rc);
	if (rc != OYL_OK) {
		oyl__record_free(user);
		return rc;
	}
	if (out)
		*out = (oyl_user *)user;
	return oyl__ok(db);
}

void oyl__user_read(oyl__batch *bt, const oyl_actor *actor, const char *id, oyl__lock lock,
		    oyl__user_reads *r)
{
	r->user = oyl__batch_get(bt, oyl__actor_scope(actor), &oyl__t_users, id, lock);
	/* superadmin accounts are the platform's: only a superadmin sees one
	 * (an actor not read yet may turn out to be one) */
	r->account = actor->role == OYL_ROLE_SUPERADMIN || !actor->tenant_known
			     ? oyl__batch_get(bt, NULL, &oyl__t_superadmins, id, lock)
			     : -1;
}

int oyl__user_found(oyl_db *db, const oyl_actor *actor, const oyl__batch *bt,
		    const oyl__user_reads *r, const char *id, const oyl__record **row,
		    int *is_account)
{
	*row = oyl__batch_row(bt, r->user);
	*is_account = 0;
	if (*row)
		return oyl__visible(db, actor, &oyl__kind_user, *row, id);
	*row = actor->role == OYL_ROLE_SUPERADMIN ? oyl__batch_row(bt, r->account) : NULL;
	*is_account = *row != NULL;
	return *row ? OYL_OK : oyl__fail(db, OYL_ENOTFOUND, "user %s not found", id);
}

int oyl__user_lookup(oyl_db *db, const oyl_actor *actor, const char *id, oyl__lock lock,
		     oyl__batch *bt, oyl__user_reads *r, const oyl__record **row,
		     int *is_account)
{
	*row = NULL;
	*is_account = 0;
	oyl__batch_begin(bt, db);
	oyl__user_read(bt, actor, id, lock, r);
	int rc = oyl__batch_run(bt);
	return rc == OYL_OK ? oyl__user_found(db, actor, bt, r, id, row, is_account) : rc;
}

int oyl__user_locked(const oyl__batch *bt, const oyl__user_reads *r, int is_account)
{
	return oyl__batch_locked(bt, is_account ? r->account : r->user);
}

int oyl__is_self(const oyl_actor *actor, const char *id)
{
	return actor->id[0] && strcmp(actor->id, id) == 0;
}

int oyl__may_manage_user(oyl_db *db, const oyl_actor *actor, const oyl__record *row,
			 int is_account, int self_ok)
{
	if (self_ok && oyl__is_self(actor, oyl__record_text(row, 0)))
		return OYL_OK;
	return oyl__authorize(db, actor, is_account ? OYL__PLATFORM : OYL__USER_MANAGE);
}

static const oyl__kind *kind_of(int is_account)
{
	return is_account ? &oyl__kind_superadmin_account : &oyl__kind_user;
}

OYL_API int oyl_user_get(oyl_actor *actor, const char *id, oyl_user **out)
{
	int rc;
	char key[OYL_UUID_LEN + 1];
	oyl_db *db = oyl__enter_out(actor, out, "oyl_user_get", &rc);
	if (!db || (rc = oyl__check_id(db, "id", id, key)))
		return rc;
	if ((rc = oyl__actor_begin(db, actor, OYL_TXN_READ)))
		return rc;
	oyl__batch bt;
	oyl__user_reads reads;
	const oyl__record *row = NULL;
	int is_account = 0;
	rc = oyl__user_lookup(db, actor, key, OYL__LOCK_NONE, &bt, &reads, &row, &is_account);
	if (rc == OYL_OK && !oyl__is_self(actor, key))
		rc = oyl__authorize(db, actor, kind_of(is_account)->read);
	oyl__record *rec = NULL;
	if (rc == OYL_OK)
		rec = oyl__batch_take(&bt, is_account ? reads.account : reads.user);
	oyl__batch_free(&bt);
	return oyl__finish_read(db, rc, rec, out);
}

/* The page's reads: a tenant's users, only oneself for a user, or the accounts. */
static int plan_user_page(oyl_db *db, const oyl_actor *actor, const char *tid, oyl_filter *f,
			  const oyl_list_options *opts, oyl__page_plan *plan)
{
	if (!tid)
		return oyl__page_plan_make(db, &oyl__t_superadmins, SUPERADMINS_created_at, NULL, 0,
					   opts, plan);
	f[0] = oyl__eq(USERS_tenant_id, OYL_TYPE_UUID, tid);
	f[1] = oyl__eq(USERS_id, OYL_TYPE_UUID, actor->id);
	size_t nf = oyl__role_may(actor, OYL__USER_READ_OTHERS) ? 1 : 2;
	return oyl__page_plan_make(db, &oyl__t_users, USERS_created_at, f, nf, opts, plan);
}

OYL_API int oyl_user_list(oyl_actor *actor, const char *tenant_id, const oyl_list_options *opts,
			  oyl_page **out)
{
	int rc;
	oyl_db *db = oyl__enter_out(actor, out, "oyl_user_list", &rc);
	if (!db)
		return rc;
	char tid[OYL_UUID_LEN + 1];
	if (tenant_id && (rc = oyl__check_id(db, "tenant_id", tenant_id, tid)))
		return rc;
	if ((rc = oyl__actor_begin(db, actor, OYL_TXN_READ)))
		return rc;
	/* What a user may list depends on its role: planned with the role
	 * known, and planned again if the batch's fresh read changed it. */
	rc = oyl__actor_ready(db, actor);
	oyl__page_plan plan = {0};
	oyl__batch bt;
	oyl_filter f[2];
	oyl__batch_init(&bt, db);
	for (int attempt = 0; rc == OYL_OK && attempt < 2; attempt++) {
		int planned_role = actor->role;
		oyl__page_plan_drop(&plan);
		oyl__batch_free(&bt);
		rc = plan_user_page(db, actor, tenant_id ? tid : NULL, f, opts, &plan);
		if (rc != OYL_OK)
			break;
		oyl__batch_begin(&bt, db);
		const char *scope = oyl__actor_scope(actor);
		int tenant = tenant_id ? oyl__batch_get(&bt, NULL, &oyl__t_tenants, tid,
							OYL__LOCK_NONE)
				       : -1;
		/* superadmin accounts are read for the platform only: another
		 * actor is refused below, having read none */
		if (tenant_id || oyl__actor_is_platform(actor))
			oyl__page_plan_reads(&plan, &bt, tenant_id ? scope : NULL);
		rc = oyl__batch_run(&bt);
		if (rc == OYL_OK && actor->role != planned_role)
			continue;
		if (rc == OYL_OK)
			rc = tenant_id ? oyl__visible(db, actor, &oyl__kind_tenant,
						      oyl__batch_row(&bt, tenant), tid)
				       : oyl__authorize(db, actor, OYL__PLATFORM);
		break;
	}
	if (rc == OYL_OK)
		rc = oyl__page_plan_finish(db, &plan, &bt);
	oyl__batch_free(&bt);
	return oyl__finish_list(db, rc, &plan, out);
}

typedef struct user_change {
	int role;
	const char *name;
} user_change;

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
	if (role && !oyl__role_text(role))
		return oyl__fail(db, OYL_EINVAL, "role: must be OYL_ROLE_TENANT_ADMIN or OYL_ROLE_USER");
	if ((rc = oyl__actor_begin(db, actor, OYL_TXN_WRITE)))
		return rc;
	oyl__batch bt;
	oyl__user_reads reads;
	const oyl__record *row = NULL;
	int is_account = 0;
	rc = oyl__user_lookup(db, actor, key, OYL__LOCK_ROW, &bt, &reads, &row, &is_account);
	if (rc == OYL_OK && is_account && role)
		rc = oyl__fail(db, OYL_EINVAL, "role: a superadmin account has no tenant role");
	/* Self: rename only.  Others: the kind's write permission. */
	if (rc == OYL_OK && oyl__is_self(actor, key) && role)
		rc = oyl__fail(db, OYL_EPERM, "permission denied: no one changes their own role");
	else if (rc == OYL_OK && !oyl__is_self(actor, key))
		rc = oyl__authorize(db, actor, kind_of(is_account)->write);
	oyl_assign set[3];
	size_t n = 0;
	if (name)
		set[n++] = (oyl_assign){is_account ? SUPERADMINS_name : USERS_name,
					oyl__val_text(OYL_TYPE_TEXT, name)};
	if (role)
		set[n++] = (oyl_assign){USERS_role, oyl__val_text(OYL_TYPE_TEXT, oyl__role_text(role))};
	oyl__record *fresh = NULL;
	if (rc == OYL_OK)
		rc = oyl__update_row(db, actor, kind_of(is_account), row,
				     oyl__user_locked(&bt, &reads, is_account), set, n, NULL,
				     out ? &fresh : NULL);
	char tenant[OYL_UUID_LEN + 1] = "";
	if (rc == OYL_OK && role)
		memcpy(tenant, oyl__record_text(row, USERS_tenant_id), sizeof tenant);
	rc = oyl__txn_end(db, rc);
	oyl__batch_free(&bt);
	if (rc != OYL_OK) {
		oyl__record_free(fresh);
		return rc;
	}
	if (role)
		oyl__remember_user(db, key, tenant, role);
	if (out)
		*out = (oyl_user *)fresh;
	return oyl__ok(db);
}

/* Uploads stay with the tenant (uploader cleared); the registry row goes. */
static int user_before_delete(oyl_db *db, const oyl__record *row)
{
	const char *tid = oyl__record_text(row, USERS_tenant_id);
	const char *uid = oyl__record_text(row, USERS_id);
	oyl_filter by_uploader = oyl__eq(DOCUMENTS_user_id, OYL_TYPE_UUID, uid);
	oyl_assign clear = {DOCUMENTS_user_id, oyl__val_null()};
	oyl__note note = {"clearing the user's uploads", NULL, NULL};
	int rc = oyl__write_update(db, tid, &oyl__t_documents, &by_uploader, 1, &clear, 1, NULL,
				   &note);
	return rc ? rc : account_before_delete(db, row);
}

static int account_before_delete(oyl_db *db, const oyl__record *row)
{
	oyl_filter by_id = oyl__eq(USER_EMAILS_id, OYL_TYPE_UUID, oyl__record_text(row, 0));
	oyl__note note = {"removing the user's e-mail", NULL, NULL};
	return oyl__write_remove(db, NULL, &oyl__t_user_emails, &by_id, 1, NULL, &note);
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
	if ((rc = oyl__actor_begin(db, actor, OYL_TXN_WRITE)))
		return rc;
	oyl__batch bt;
	oyl__user_reads reads;
	const oyl__record *row = NULL;
	int is_account = 0;
	rc = oyl__user_lookup(db, actor, key, OYL__LOCK_ROW, &bt, &reads, &row, &is_account);
	/* Only after the lookup: a missing id must read as missing. */
	if (rc == OYL_OK && oyl__is_self(actor, key))
		rc = oyl__fail(db, OYL_EPERM, "permission denied: no one deletes themselves");
	if (rc == OYL_OK)
		rc = oyl__authorize(db, actor, kind_of(is_account)->write);
	if (rc == OYL_OK)
		rc = oyl__delete_row(db, actor, kind_of(is_account), row,
				     oyl__user_locked(&bt, &reads, is_account));
	rc = oyl__txn_end(db, rc);
	oyl__batch_free(&bt);
	return rc == OYL_OK ? oyl__ok(db) : rc;
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
	return account ? OYL_ROLE_SUPERADMIN : oyl__role_from_text(oyl__record_text(r, USERS_role));
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
	const void *r = oyl__page_item(page, oyl__kind_user.t, i);
	return r ? r : oyl__page_item(page, oyl__kind_superadmin_account.t, i);
}

