/* Tenants: the global table every tenant-owned row hangs from. */
#include <string.h>

#include "blobs/blob.h"
#include "core/validate.h"
#include "model/kind.h"
#include "model/user_internal.h"

/* Its files go once the delete commits (directory blob store). */
static int tenant_before_delete(oyl_db *db, const oyl__record *row)
{
	return oyl__blob_release_after_commit(db, oyl__record_text(row, TENANTS_id), NULL);
}

const oyl__kind oyl__kind_tenant = {&oyl__t_tenants, "tenant", "tenant", NULL, -1,
				    TENANTS_created_at, TENANTS_updated_at, OYL__TENANT_READ,
				    OYL__TENANT_CREATE, tenant_before_delete, 0};

#define SLUG_TAKEN "slug: \"%s\" is already taken"

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

	if ((rc = oyl__actor_begin(db, actor, OYL_TXN_WRITE)))
		return rc;
	oyl__batch bt;
	oyl__batch_begin(&bt, db); /* the actor's user alone */
	rc = oyl__batch_run(&bt);
	oyl__batch_free(&bt);
	if (rc == OYL_OK)
		rc = oyl__authorize(db, actor, OYL__TENANT_CREATE);
	oyl__note note = {"storing the tenant", SLUG_TAKEN, slug};
	if (rc == OYL_OK)
		rc = oyl__write_insert(db, NULL, &oyl__t_tenants, v, &note);
	if (rc == OYL_OK)
		rc = oyl__audit(db, actor, id, "create", &oyl__kind_tenant, id, NULL);
	/* a new tenant has no quota: its first admin needs no decision */
	if (rc == OYL_OK && admin_email)
		rc = oyl__user_insert(db, actor, id, admin_email, admin_name, OYL_ROLE_TENANT_ADMIN,
				      now, NULL);
	return oyl__finish_create(db, rc, &oyl__t_tenants, v, out);
}

OYL_API int oyl_tenant_get(oyl_actor *actor, const char *id, oyl_tenant **out)
{
	int rc;
	char key[OYL_UUID_LEN + 1];
	oyl_db *db = oyl__enter_out(actor, out, "oyl_tenant_get", &rc);
	if (!db || (rc = oyl__check_id(db, "id", id, key)))
		return rc;
	if ((rc = oyl__actor_begin(db, actor, OYL_TXN_READ)))
		return rc;
	/* the tenant and its counts in one batch */
	const char *scope = oyl__actor_scope(actor);
	oyl_filter users_of = oyl__eq(USERS_tenant_id, OYL_TYPE_UUID, key);
	oyl_filter docs_of = oyl__eq(DOCUMENTS_tenant_id, OYL_TYPE_UUID, key);
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	int tenant = oyl__batch_get(&bt, NULL, &oyl__t_tenants, key, OYL__LOCK_NONE);
	int users = oyl__batch_count(&bt, scope, &oyl__t_users, &users_of, 1);
	int docs = oyl__batch_count(&bt, scope, &oyl__t_documents, &docs_of, 1);
	rc = oyl__batch_run(&bt);
	if (rc == OYL_OK)
		rc = oyl__visible(db, actor, &oyl__kind_tenant, oyl__batch_row(&bt, tenant), key);
	if (rc == OYL_OK)
		rc = oyl__authorize(db, actor, OYL__TENANT_READ);
	oyl__record *rec = rc == OYL_OK ? oyl__batch_take(&bt, tenant) : NULL;
	if (rec) {
		rec->counts[0] = oyl__batch_count_of(&bt, users);
		rec->counts[1] = oyl__batch_count_of(&bt, docs);
	}
	oyl__batch_free(&bt);
	return oyl__finish_read(db, rc, rec, out);
}

/* A count grouped by tenant: into the page's record of that tenant. */
typedef struct tenant_counts {
	oyl_page *page;
	int which; /* 0 users, 1 documents */
} tenant_counts;

static int count_cb(const oyl_value *vals, size_t n, void *payload)
{
	tenant_counts *c = payload;
	(void)n;
	for (size_t i = 0; i < oyl_page_count(c->page); i++) {
		oyl__record *r = oyl__page_record(c->page, i);
		if (strcmp(oyl__record_text(r, TENANTS_id), vals[0].s) == 0)
			r->counts[c->which] = vals[1].i;
	}
	return OYL_OK;
}

OYL_API int oyl_tenant_list(oyl_actor *actor, const oyl_list_options *opts, oyl_page **out)
{
	int rc;
	oyl_db *db = oyl__enter_out(actor, out, "oyl_tenant_list", &rc);
	if (!db)
		return rc;
	if ((rc = oyl__actor_begin(db, actor, OYL_TXN_READ)))
		return rc;
	/* which tenants depends on who: a never-seen actor is read first */
	rc = oyl__actor_ready(db, actor);
	const char *scope = oyl__actor_scope(actor);
	oyl_filter own = oyl__eq(TENANTS_id, OYL_TYPE_UUID, scope);
	oyl__page_plan plan = {0};
	if (rc == OYL_OK)
		rc = oyl__page_plan_make(db, &oyl__t_tenants, TENANTS_created_at, &own, scope ? 1 : 0,
					 opts, &plan);
	if (rc != OYL_OK)
		return oyl__txn_end(db, rc);
	/* the page and, in one grouped query each, its users and documents */
	tenant_counts users = {plan.page, 0}, docs = {plan.page, 1};
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	oyl__page_plan_reads(&plan, &bt, scope);
	oyl__batch_count_by(&bt, scope, &oyl__t_users, NULL, 0, USERS_tenant_id, plan.list_read,
			    count_cb, &users);
	oyl__batch_count_by(&bt, scope, &oyl__t_documents, NULL, 0, DOCUMENTS_tenant_id,
			    plan.list_read, count_cb, &docs);
	rc = oyl__batch_run(&bt);
	if (rc == OYL_OK)
		rc = oyl__authorize(db, actor, OYL__TENANT_READ);
	for (size_t i = 0; rc == OYL_OK && i < oyl_page_count(plan.page); i++) {
		oyl__record *r = oyl__page_record(plan.page, i);
		for (int k = 0; k < 2; k++)
			if (r->counts[k] < 0)
				r->counts[k] = 0;
	}
	if (rc == OYL_OK)
		rc = oyl__page_plan_finish(db, &plan, &bt);
	oyl__batch_free(&bt);
	return oyl__finish_list(db, rc, &plan, out);
}

/* Renaming needs TENANT_RENAME, a new slug TENANT_RESLUG. */
static int check_tenant_update(oyl_db *db, const oyl_actor *actor, const oyl__record *row,
			       const oyl__batch *bt, void *ctx)
{
	(void)row;
	(void)bt;
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
	oyl__hooks hooks = {NULL, check_tenant_update, &changes_slug, SLUG_TAKEN, slug ? slug : ""};
	return oyl__update_public(actor, &oyl__kind_tenant, id, set, n, &hooks, out);
}

OYL_API int oyl_tenant_delete(oyl_actor *actor, const char *id)
{
	return oyl__delete_public(actor, &oyl__kind_tenant, id);
}

OYL_API const oyl_tenant *oyl_page_tenant(const oyl_page *page, size_t i)
{
	return oyl__page_item(page, oyl__kind_tenant.t, i);
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
