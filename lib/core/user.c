/* Users of a tenant, and the platform-wide e-mail registry that makes
 * addresses unique across tenants, compared case-insensitively. */
#include <ctype.h>
#include <string.h>

#include "user_internal.h"
#include "validate.h"

static int user_before_delete(oyl_db *db, const oyl__record *row);

const oyl__kind oyl__kind_user = {&oyl__t_users, "user", user_before_delete};

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

int oyl__user_insert(oyl_db *db, const char *tenant_id, const char *email, const char *name,
		     int role, int64_t now, oyl__record **out)
{
	char id[OYL_UUID_LEN + 1], key[OYL_EMAIL_MAX + 1];
	oyl__uuid_new(id);
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
	if ((rc = oyl__insert(db, tenant_id, &oyl__kind_user, v)))
		return rc;
	if (out && (rc = oyl__record_copy(&oyl__t_users, v, USERS__N, out)))
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
	if ((rc = oyl__check_id(db, "tenant_id", tenant_id, tid)) ||
	    (rc = oyl__check_email(db, "email", email)) || (rc = oyl__check_name(db, "name", name)))
		return rc;
	if (!role_text(role))
		return oyl__fail(db, OYL_EINVAL, "role: must be OYL_ROLE_TENANT_ADMIN or OYL_ROLE_USER");
	if ((rc = oyl__txn_begin(db, tid, OYL_TXN_WRITE)))
		return rc;
	oyl__record *tenant = NULL, *user = NULL;
	rc = oyl__fetch(db, NULL, &oyl__kind_tenant, tid, &tenant);
	oyl__record_free(tenant);
	if (rc == OYL_OK)
		rc = oyl__user_insert(db, tid, email, name, role, oyl__now(), out ? &user : NULL);
	rc = oyl__txn_end(db, rc);
	if (rc != OYL_OK) {
		oyl__record_free(user);
		return rc;
	}
	if (out)
		*out = (oyl_user *)user;
	return oyl__ok(db);
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
	oyl_filter by_id = oyl__eq(USER_EMAILS_id, OYL_TYPE_UUID, uid);
	rc = db->backend->remove(db->backend, &scope, &oyl__t_user_emails, &by_id, 1, NULL);
	if (rc != OYL_OK)
		return oyl__fail_backend(db, rc, "removing the user's e-mail");
	return OYL_OK;
}

OYL_API int oyl_user_get(oyl_actor *actor, const char *id, oyl_user **out)
{
	return oyl__get_public(actor, &oyl__kind_user, id, out);
}

OYL_API int oyl_user_delete(oyl_actor *actor, const char *id)
{
	return oyl__delete_public(actor, &oyl__kind_user, id);
}

OYL_API int oyl_user_role(const oyl_user *u)
{
	return role_from_text(oyl__record_text(oyl__as(u, &oyl__kind_user), USERS_role));
}

OYL__TEXT_GETTER(oyl_user_id, oyl_user, oyl__kind_user, USERS_id)
OYL__TEXT_GETTER(oyl_user_tenant_id, oyl_user, oyl__kind_user, USERS_tenant_id)
OYL__TEXT_GETTER(oyl_user_email, oyl_user, oyl__kind_user, USERS_email)
OYL__TEXT_GETTER(oyl_user_name, oyl_user, oyl__kind_user, USERS_name)
OYL__INT_GETTER(oyl_user_last_login, oyl_user, oyl__kind_user, USERS_last_login)
OYL__INT_GETTER(oyl_user_created_at, oyl_user, oyl__kind_user, USERS_created_at)
OYL__INT_GETTER(oyl_user_updated_at, oyl_user, oyl__kind_user, USERS_updated_at)
OYL__RECORD_BASICS(oyl_user, oyl_user, oyl__kind_user)
