/* The audit trail: one event per mutation, written in the mutation's own
 * transaction, so a mutation that fails leaves none. */
#include <stdio.h>
#include <string.h>

#include "model/kind.h"

const oyl__kind oyl__kind_audit_event = {
	&oyl__t_audit_events, "audit event", "audit_event", NULL, AUDIT_EVENTS_tenant_id,
	AUDIT_EVENTS_created_at, -1, OYL__AUDIT_READ, OYL__PLATFORM, NULL};
const oyl__kind oyl__kind_platform_event = {
	&oyl__t_platform_audit_events, "audit event", "audit_event", NULL, -1,
	PLATFORM_AUDIT_EVENTS_created_at, -1, OYL__PLATFORM, OYL__PLATFORM, NULL};

static const char *role_text(int role)
{
	switch (role) {
	case OYL_ROLE_SUPERADMIN:
		return "superadmin";
	case OYL_ROLE_TENANT_ADMIN:
		return "tenant_admin";
	default:
		return "user";
	}
}

int oyl__audit(oyl_db *db, const oyl_actor *actor, const char *tenant, const char *verb,
	       const oyl__kind *k, const char *object_id, const char *detail)
{
	/* Tenants themselves and superadmin accounts are the platform's events. */
	int platform = !tenant || k == &oyl__kind_tenant;
	const oyl_table *t = platform ? &oyl__t_platform_audit_events : &oyl__t_audit_events;
	char id[OYL_UUID_LEN + 1], action[64];
	oyl__uuid_new(id);
	snprintf(action, sizeof action, "%s.%s", k->type, verb);
	/* The column order of both tables is the same (see schema_tables.h). */
	oyl_value v[AUDIT_EVENTS__N];
	v[AUDIT_EVENTS_id] = oyl__val_text(OYL_TYPE_UUID, id);
	v[AUDIT_EVENTS_tenant_id] = oyl__val_text(OYL_TYPE_UUID, tenant);
	v[AUDIT_EVENTS_actor_id] = oyl__val_text(OYL_TYPE_UUID, actor->id[0] ? actor->id : NULL);
	v[AUDIT_EVENTS_actor_role] = oyl__val_text(OYL_TYPE_TEXT, role_text(actor->role));
	v[AUDIT_EVENTS_action] = oyl__val_text(OYL_TYPE_TEXT, action);
	v[AUDIT_EVENTS_object_type] = oyl__val_text(OYL_TYPE_TEXT, k->type);
	v[AUDIT_EVENTS_object_id] = oyl__val_text(OYL_TYPE_UUID, object_id);
	v[AUDIT_EVENTS_detail] = oyl__val_text(OYL_TYPE_JSON, detail ? detail : "{}");
	v[AUDIT_EVENTS_created_at] = oyl__val_int(OYL_TYPE_TIME, oyl__now());
	oyl_scope s = {platform ? NULL : tenant};
	int rc = db->backend->insert(db->backend, &s, t, v);
	if (rc != OYL_OK)
		return oyl__fail_backend(db, rc, "writing the audit event");
	return OYL_OK;
}

_Static_assert((int)AUDIT_EVENTS__N == (int)PLATFORM_AUDIT_EVENTS__N &&
		       (int)AUDIT_EVENTS_detail == (int)PLATFORM_AUDIT_EVENTS_detail &&
		       (int)AUDIT_EVENTS_tenant_id == (int)PLATFORM_AUDIT_EVENTS_tenant_id,
	       "audit_events and platform_audit_events share their column order");

OYL_API int oyl_audit_list(oyl_actor *actor, const char *tenant_id, const oyl_list_options *opts,
			   oyl_page **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db)
		return rc;
	if (!out)
		return oyl__fail(db, OYL_EMISUSE, "oyl_audit_list: NULL out-pointer");
	if (tenant_id)
		return oyl__list_public(actor, &oyl__kind_audit_event, tenant_id, opts, out);
	if ((rc = oyl__authorize(db, actor, OYL__PLATFORM)))
		return rc;
	if ((rc = oyl__txn_begin(db, NULL, OYL_TXN_READ)))
		return rc;
	rc = oyl__list_rows(db, NULL, &oyl__kind_platform_event, NULL, 0, opts, out);
	return oyl__finish_list(db, rc, out);
}

OYL_API const oyl_audit_event *oyl_page_audit_event(const oyl_page *page, size_t i)
{
	const void *r = oyl__page_item(page, &oyl__kind_audit_event, i);
	return r ? r : oyl__page_item(page, &oyl__kind_platform_event, i);
}

/* Both tables share column positions, so one set of getters serves. */
static const oyl__record *event(const oyl_audit_event *e)
{
	const oyl__record *r = oyl__as(e, &oyl__kind_audit_event);
	return r ? r : oyl__as(e, &oyl__kind_platform_event);
}

OYL_API const char *oyl_audit_event_id(const oyl_audit_event *e)
{
	return oyl__record_text(event(e), AUDIT_EVENTS_id);
}

OYL_API const char *oyl_audit_event_tenant_id(const oyl_audit_event *e)
{
	return oyl__record_text(event(e), AUDIT_EVENTS_tenant_id);
}

OYL_API const char *oyl_audit_event_actor_id(const oyl_audit_event *e)
{
	return oyl__record_text(event(e), AUDIT_EVENTS_actor_id);
}

OYL_API int oyl_audit_event_actor_role(const oyl_audit_event *e)
{
	const char *r = oyl__record_text(event(e), AUDIT_EVENTS_actor_role);
	if (!r)
		return 0;
	return strcmp(r, "superadmin") == 0     ? OYL_ROLE_SUPERADMIN
	       : strcmp(r, "tenant_admin") == 0 ? OYL_ROLE_TENANT_ADMIN
						: OYL_ROLE_USER;
}

OYL_API const char *oyl_audit_event_action(const oyl_audit_event *e)
{
	return oyl__record_text(event(e), AUDIT_EVENTS_action);
}

OYL_API const char *oyl_audit_event_object_type(const oyl_audit_event *e)
{
	return oyl__record_text(event(e), AUDIT_EVENTS_object_type);
}

OYL_API const char *oyl_audit_event_object_id(const oyl_audit_event *e)
{
	return oyl__record_text(event(e), AUDIT_EVENTS_object_id);
}

OYL_API const char *oyl_audit_event_detail(const oyl_audit_event *e)
{
	return oyl__record_text(event(e), AUDIT_EVENTS_detail);
}

OYL_API int64_t oyl_audit_event_created_at(const oyl_audit_event *e)
{
	return oyl__record_int(event(e), AUDIT_EVENTS_created_at);
}

OYL_API int oyl_audit_event_to_json(const oyl_audit_event *e, char **json)
{
	if (json)
		*json = NULL;
	if (!event(e) || !json)
		return OYL_EMISUSE;
	return oyl__record_to_json(event(e), json);
}
