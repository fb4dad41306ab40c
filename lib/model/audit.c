/* The audit trail's public side: reading the events (audit_trail.c
 * writes them). */
#include <stdio.h>
#include <string.h>

#include "model/kind.h"

const oyl__kind oyl__kind_audit_event = {
	&oyl__t_audit_events, "audit event", "audit_event", NULL, AUDIT_EVENTS_tenant_id,
	AUDIT_EVENTS_created_at, -1, OYL__AUDIT_READ, OYL__PLATFORM, NULL, 0};
const oyl__kind oyl__kind_platform_event = {
	&oyl__t_platform_audit_events, "audit event", "audit_event", NULL, -1,
	PLATFORM_AUDIT_EVENTS_created_at, -1, OYL__PLATFORM, OYL__PLATFORM, NULL, 0};

OYL_API int oyl_audit_list(oyl_actor *actor, const char *tenant_id, const oyl_list_options *opts,
			   oyl_page **out)
{
	int rc;
	oyl_db *db = oyl__enter_out(actor, out, "oyl_audit_list", &rc);
	if (!db)
		return rc;
	if (tenant_id)
		return oyl__list_public(actor, &oyl__kind_audit_event, tenant_id, opts, out);
	/* the platform's own log */
	oyl__page_plan plan;
	if ((rc = oyl__page_plan_make(db, oyl__kind_platform_event.t,
				      oyl__kind_platform_event.created_col, NULL, 0, opts, &plan)))
		return rc;
	if ((rc = oyl__actor_begin(db, actor, OYL_TXN_READ))) {
		oyl__page_plan_drop(&plan);
		return rc;
	}
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	/* a tenant's actor is refused below, having read no platform row */
	if (oyl__actor_is_platform(actor))
		oyl__page_plan_reads(&plan, &bt, NULL);
	rc = oyl__batch_run(&bt);
	if (rc == OYL_OK)
		rc = oyl__authorize(db, actor, OYL__PLATFORM);
	if (rc == OYL_OK)
		rc = oyl__page_plan_finish(db, &plan, &bt);
	oyl__batch_free(&bt);
	return oyl__finish_list(db, rc, &plan, out);
}

OYL_API const oyl_audit_event *oyl_page_audit_event(const oyl_page *page, size_t i)
{
	const void *r = oyl__page_item(page, oyl__kind_audit_event.t, i);
	return r ? r : oyl__page_item(page, oyl__kind_platform_event.t, i);
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
