/* The audit trail: one event per mutation, written in the mutation's own
 * transaction (with its other writes, in the same round trip), so a
 * mutation that fails leaves none. */
#include <stdio.h>

#include "model/kind.h"

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
	if (k->owner_col)
		return OYL_OK; /* a private record (kind.h) */
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
	oyl__note note = {"writing the audit event", NULL, NULL};
	return oyl__write_insert(db, platform ? NULL : tenant, t, v, &note);
}

_Static_assert((int)AUDIT_EVENTS__N == (int)PLATFORM_AUDIT_EVENTS__N &&
		       (int)AUDIT_EVENTS_detail == (int)PLATFORM_AUDIT_EVENTS_detail &&
		       (int)AUDIT_EVENTS_tenant_id == (int)PLATFORM_AUDIT_EVENTS_tenant_id,
	       "audit_events and platform_audit_events share their column order");
