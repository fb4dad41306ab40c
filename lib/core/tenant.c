/* Tenants: the global table every tenant-owned row hangs from. */
#include <string.h>

#include "object.h"
#include "user_internal.h"
#include "validate.h"

const oyl__kind oyl__kind_tenant = {&oyl__t_tenants, "tenant", NULL};

/* Reads options fields only as far as the host's struct reaches. */
#define OPT_HAS(opts, field)                                                                     \
	((opts) && (opts)->size >= offsetof(oyl_tenant_options, field) + sizeof((opts)->field))

OYL_API int oyl_tenant_create(oyl_actor *actor, const char *name, const char *slug,
			      const oyl_tenant_options *opts, oyl_tenant **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db)
		return rc;
	const char *admin_email = OPT_HAS(opts, admin_email) ? opts->admin_email : NULL;
	const char *admin_name = OPT_HAS(opts, admin_name) ? opts->admin_name : NULL;
	if (opts && opts->size < sizeof(uint32_t))
		return oyl__fail(db, OYL_EINVAL, "opts: size not set (use OYL_TENANT_OPTIONS_INIT)");
	if ((rc = oyl__check_name(db, "name", name)) || (rc = oyl__check_slug(db, "slug", slug)))
		return rc;
	if (admin_email && ((rc = oyl__check_email(db, "admin_email", admin_email)) ||
			    (rc = oyl__check_name(db, "admin_name", admin_name))))
		return rc;

	char id[OYL_UUID_LEN + 1];
	oyl__uuid_new(id);
	int64_t now = oyl__now();
	oyl_value v[TENANTS__N];
	v[TENANTS_id] = oyl__val_text(OYL_TYPE_UUID, id);
	v[TENANTS_name] = oyl__val_text(OYL_TYPE_TEXT, name);
	v[TENANTS_slug] = oyl__val_text(OYL_TYPE_TEXT, slug);
	v[TENANTS_quota_users] = oyl__val_null();
	v[TENANTS_quota_documents] = oyl__val_null();
	v[TENANTS_quota_bytes] = oyl__val_null();
	v[TENANTS_created_at] = oyl__val_int(OYL_TYPE_TIME, now);
	v[TENANTS_updated_at] = oyl__val_int(OYL_TYPE_TIME, now);

	if ((rc = oyl__txn_begin(db, id, OYL_TXN_WRITE)))
		return rc;
	oyl_scope scope = {id};
	rc = db->backend->insert(db->backend, &scope, &oyl__t_tenants, v);
	if (rc == OYL_ECONFLICT)
		rc = oyl__fail(db, rc, "slug: \"%s\" is already taken", slug);
	else if (rc != OYL_OK)
		rc = oyl__fail_backend(db, rc, "storing the tenant");
	if (rc == OYL_OK && admin_email)
		rc = oyl__user_insert(db, id, admin_email, admin_name, OYL_ROLE_TENANT_ADMIN, now,
				      NULL);
	return oyl__finish_create(db, rc, &oyl__kind_tenant, v, out);
}

OYL_API int oyl_tenant_get(oyl_actor *actor, const char *id, oyl_tenant **out)
{
	return oyl__get_public(actor, &oyl__kind_tenant, id, out);
}

OYL_API int oyl_tenant_delete(oyl_actor *actor, const char *id)
{
	return oyl__delete_public(actor, &oyl__kind_tenant, id);
}

OYL__TEXT_GETTER(oyl_tenant_id, oyl_tenant, oyl__kind_tenant, TENANTS_id)
OYL__TEXT_GETTER(oyl_tenant_name, oyl_tenant, oyl__kind_tenant, TENANTS_name)
OYL__TEXT_GETTER(oyl_tenant_slug, oyl_tenant, oyl__kind_tenant, TENANTS_slug)
OYL__INT_GETTER(oyl_tenant_created_at, oyl_tenant, oyl__kind_tenant, TENANTS_created_at)
OYL__INT_GETTER(oyl_tenant_updated_at, oyl_tenant, oyl__kind_tenant, TENANTS_updated_at)
OYL__RECORD_BASICS(oyl_tenant, oyl_tenant, oyl__kind_tenant)
