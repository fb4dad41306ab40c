/* Tenants: the global table every tenant-owned row hangs from. */
#include <string.h>

#include "model/kind.h"
#include "model/user_internal.h"
#include "core/validate.h"

const oyl__kind oyl__kind_tenant = {&oyl__t_tenants, "tenant", "tenant", NULL, -1,
				    TENANTS_created_at, TENANTS_updated_at, OYL__TENANT_READ,
				    OYL__TENANT_CREATE, NULL};

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
	if ((rc = oyl__authorize(db, actor, OYL__TENANT_CREATE)))
		return rc;
	if (opts && opts->size < sizeof(uint32_t))
		return oyl__fail(db, OYL_EINVAL, "opts: size not set (use OYL_TENANT_OPTIONS_INIT)");
	const char *admin_email = OPT_HAS(opts, admin_email) ? opts->admin_email : NULL;
	const char *admin_name = OPT_HAS(opts, admin_name) ? opts->admin_name : NULL;
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

	if ((rc = oyl__txn_begin(db, NULL, OYL_TXN_WRITE)))
		return rc;
	oyl_scope scope = {NULL};
	rc = db->backend->insert(db->backend, &scope, &oyl__t_tenants, v);
	if (rc == OYL_ECONFLICT)
		rc = oyl__fail(db, rc, "slug: \"%s\" is already taken", slug);
	else if (rc != OYL_OK)
		rc = oyl__fail_backend(db, rc, "storing the tenant");
	if (rc == OYL_OK)
		rc = oyl__audit(db, actor, id, "create", &oyl__kind_tenant, id, NULL);
	if (rc == OYL_OK && admin_email)
		rc = oyl__user_insert(db, actor, id, admin_email, admin_name, OYL_ROLE_TENANT_ADMIN,
				      now, NULL);
	return oyl__finish_create(db, rc, &oyl__kind_tenant, v, out);
}

/* Fills a tenant record's user and document counts (inside a transaction). */
static int fill_counts(oyl_db *db, oyl__record *r)
{
	const char *tid = oyl__record_text(r, TENANTS_id);
	oyl_scope s = {tid};
	int rc = db->backend->count(db->backend, &s, &oyl__t_users, NULL, 0, &r->counts[0]);
	if (rc == OYL_OK)
		rc = db->backend->count(db->backend, &s, &oyl__t_documents, NULL, 0, &r->counts[1]);
	return rc == OYL_OK ? OYL_OK : oyl__fail_backend(db, rc, "counting the tenant's records");
}

OYL_API int oyl_tenant_get(oyl_actor *actor, const char *id, oyl_tenant **out)
{
	int rc = oyl__get_public(actor, &oyl__kind_tenant, id, out);
	if (rc != OYL_OK)
		return rc;
	oyl_db *db = oyl__actor_db(actor);
	oyl__record *r = (oyl__record *)*out;
	if ((rc = oyl__txn_begin(db, oyl__record_text(r, TENANTS_id), OYL_TXN_READ)) == OYL_OK)
		rc = oyl__txn_end(db, fill_counts(db, r));
	if (rc != OYL_OK) {
		oyl_tenant_free(*out);
		*out = NULL;
	}
	return rc;
}

oyl__record *oyl__page_record(oyl_page *page, size_t i);

OYL_API int oyl_tenant_list(oyl_actor *actor, const oyl_list_options *opts, oyl_page **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db)
		return rc;
	if (!out)
		return oyl__fail(db, OYL_EMISUSE, "oyl_tenant_list: NULL out-pointer");
	const char *scope = oyl__actor_scope(actor);
	if ((rc = oyl__txn_begin(db, scope, OYL_TXN_READ)))
		return rc;
	/* Everyone but a superadmin lists exactly their own tenant. */
	oyl_filter own = oyl__eq(TENANTS_id, OYL_TYPE_UUID, scope);
	rc = oyl__list_rows(db, NULL, &oyl__kind_tenant, &own, scope ? 1 : 0, opts, out);
	for (size_t i = 0; rc == OYL_OK && i < oyl_page_count(*out); i++)
		rc = fill_counts(db, oyl__page_record(*out, i));
	return oyl__finish_list(db, rc, out);
}

/* Renaming needs TENANT_RENAME, a new slug TENANT_RESLUG. */
static int check_tenant_update(oyl_db *db, const oyl_actor *actor, const oyl__record *row, void *ctx)
{
	(void)row;
	const int *changes_slug = ctx;
	int rc = oyl__authorize(db, actor, OYL__TENANT_RENAME);
	if (rc == OYL_OK && *changes_slug)
		rc = oyl__authorize(db, actor, OYL__TENANT_RESLUG);
	return rc;
}

OYL_API int oyl_tenant_update(oyl_actor *actor, const char *id, const char *name, const char *slug,
			      oyl_tenant **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db)
		return rc;
	if ((name && (rc = oyl__check_name(db, "name", name))) ||
	    (slug && (rc = oyl__check_slug(db, "slug", slug))))
		return rc;
	oyl_assign set[3];
	size_t n = 0;
	if (name)
		set[n++] = (oyl_assign){TENANTS_name, oyl__val_text(OYL_TYPE_TEXT, name)};
	if (slug)
		set[n++] = (oyl_assign){TENANTS_slug, oyl__val_text(OYL_TYPE_TEXT, slug)};
	int changes_slug = slug != NULL;
	rc = oyl__update_public(actor, &oyl__kind_tenant, id, set, n, check_tenant_update,
				&changes_slug, out);
	if (rc == OYL_ECONFLICT)
		rc = oyl__fail(db, rc, "slug: \"%s\" is already taken", slug ? slug : "");
	return rc;
}

OYL_API int oyl_tenant_delete(oyl_actor *actor, const char *id)
{
	return oyl__delete_public(actor, &oyl__kind_tenant, id);
}

OYL_API const oyl_tenant *oyl_page_tenant(const oyl_page *page, size_t i)
{
	return oyl__page_item(page, &oyl__kind_tenant, i);
}

OYL_API int64_t oyl_tenant_user_count(const oyl_tenant *t)
{
	const oyl__record *r = oyl__as(t, &oyl__kind_tenant);
	return r ? r->counts[0] : -1;
}

OYL_API int64_t oyl_tenant_document_count(const oyl_tenant *t)
{
	const oyl__record *r = oyl__as(t, &oyl__kind_tenant);
	return r ? r->counts[1] : -1;
}

OYL__TEXT_GETTER(oyl_tenant_id, oyl_tenant, oyl__kind_tenant, TENANTS_id)
OYL__TEXT_GETTER(oyl_tenant_name, oyl_tenant, oyl__kind_tenant, TENANTS_name)
OYL__TEXT_GETTER(oyl_tenant_slug, oyl_tenant, oyl__kind_tenant, TENANTS_slug)
OYL__INT_GETTER(oyl_tenant_created_at, oyl_tenant, oyl__kind_tenant, TENANTS_created_at)
OYL__INT_GETTER(oyl_tenant_updated_at, oyl_tenant, oyl__kind_tenant, TENANTS_updated_at)
OYL__RECORD_BASICS(oyl_tenant, oyl_tenant, oyl__kind_tenant)
