/* Workspaces: a tenant's top level of the assistant hierarchy. */
#include "core/validate.h"
#include "model/kind.h"
#include "model/rename.h"

const oyl__kind oyl__kind_workspace = {&oyl__t_workspaces, "workspace", "workspace", NULL,
				       WORKSPACES_tenant_id, WORKSPACES_created_at,
				       WORKSPACES_updated_at, OYL__CONTENT_READ, OYL__CONTENT_WRITE,
				       NULL, 0};

OYL_API int oyl_workspace_create(oyl_actor *actor, const char *tenant_id, const char *name,
				 oyl_workspace **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db || (rc = oyl__check_name(db, "name", name)))
		return rc;
	int64_t now = oyl__now();
	oyl_value v[WORKSPACES__N];
	v[WORKSPACES_name] = oyl__val_text(OYL_TYPE_TEXT, name);
	v[WORKSPACES_created_at] = oyl__val_int(OYL_TYPE_TIME, now);
	v[WORKSPACES_updated_at] = oyl__val_int(OYL_TYPE_TIME, now);
	return oyl__create_child(db, actor, &oyl__kind_workspace, "tenant_id", tenant_id, v, NULL,
				 out);
}

OYL_API int oyl_workspace_get(oyl_actor *actor, const char *id, oyl_workspace **out)
{
	return oyl__get_public(actor, &oyl__kind_workspace, id, out);
}

OYL_API int oyl_workspace_list(oyl_actor *actor, const char *tenant_id, const oyl_list_options *opts,
			       oyl_page **out)
{
	return oyl__list_public(actor, &oyl__kind_workspace, tenant_id, opts, out);
}

OYL_API int oyl_workspace_update(oyl_actor *actor, const char *id, const char *name,
				 oyl_workspace **out)
{
	return oyl__rename(actor, &oyl__kind_workspace, WORKSPACES_name, id, name, out);
}

OYL_API int oyl_workspace_delete(oyl_actor *actor, const char *id)
{
	return oyl__delete_public(actor, &oyl__kind_workspace, id);
}

OYL_API const oyl_workspace *oyl_page_workspace(const oyl_page *page, size_t i)
{
	return oyl__page_item(page, oyl__kind_workspace.t, i);
}

OYL__TEXT_GETTER(oyl_workspace_id, oyl_workspace, oyl__kind_workspace, WORKSPACES_id)
OYL__TEXT_GETTER(oyl_workspace_tenant_id, oyl_workspace, oyl__kind_workspace, WORKSPACES_tenant_id)
OYL__TEXT_GETTER(oyl_workspace_name, oyl_workspace, oyl__kind_workspace, WORKSPACES_name)
OYL__INT_GETTER(oyl_workspace_created_at, oyl_workspace, oyl__kind_workspace, WORKSPACES_created_at)
OYL__INT_GETTER(oyl_workspace_updated_at, oyl_workspace, oyl__kind_workspace, WORKSPACES_updated_at)
OYL__RECORD_BASICS(oyl_workspace, oyl_workspace, oyl__kind_workspace)
