/* The assistant hierarchy: workspace → teammate → assistant → knowledge
 * base.  Each is created under a parent the actor can see, in the
 * parent's tenant; deleting one deletes its subtree (schema cascades). */
#include <string.h>

#include "model/kind.h"
#include "model/orchestration.h"
#include "core/validate.h"

const oyl__kind oyl__kind_workspace = {&oyl__t_workspaces, "workspace", "workspace", NULL,
				       WORKSPACES_tenant_id, WORKSPACES_created_at,
				       WORKSPACES_updated_at, OYL__CONTENT_READ, OYL__CONTENT_WRITE,
				       NULL};
const oyl__kind oyl__kind_teammate = {&oyl__t_teammates, "teammate", "teammate",
				      &oyl__kind_workspace, TEAMMATES_workspace_id,
				      TEAMMATES_created_at, TEAMMATES_updated_at, OYL__CONTENT_READ,
				      OYL__CONTENT_WRITE, NULL};
const oyl__kind oyl__kind_assistant = {&oyl__t_assistants, "assistant", "assistant",
				       &oyl__kind_teammate, ASSISTANTS_teammate_id,
				       ASSISTANTS_created_at, ASSISTANTS_updated_at, OYL__CONTENT_READ,
				       OYL__CONTENT_WRITE, NULL};
const oyl__kind oyl__kind_knowledge_base = {&oyl__t_knowledge_bases, "knowledge base",
					    "knowledge_base", &oyl__kind_assistant,
					    KNOWLEDGE_BASES_assistant_id, KNOWLEDGE_BASES_created_at,
					    KNOWLEDGE_BASES_updated_at, OYL__CONTENT_READ,
					    OYL__CONTENT_WRITE, NULL};

int oyl__create_child(oyl_db *db, oyl_actor *actor, const oyl__kind *k, const char *parent_field,
		      const char *parent_id, oyl_value *v, oyl__create_check check, void *out)
{
	const oyl__kind *parent = k->parent ? k->parent : &oyl__kind_tenant;
	char pid[OYL_UUID_LEN + 1], id[OYL_UUID_LEN + 1], tenant[OYL_UUID_LEN + 1] = "";
	int rc = oyl__check_id(db, parent_field, parent_id, pid);
	if (rc)
		return rc;
	if ((rc = oyl__txn_begin(db, oyl__actor_scope(actor), OYL_TXN_WRITE)))
		return rc;
	oyl__record *p = NULL;
	rc = oyl__fetch_visible(db, actor, parent, pid, &p);
	if (rc == OYL_OK)
		rc = oyl__authorize(db, actor, k->write);
	if (rc == OYL_OK) {
		memcpy(tenant, oyl__row_tenant(parent, p), OYL_UUID_LEN + 1);
		oyl__uuid_new(id);
		v[0] = oyl__val_text(OYL_TYPE_UUID, id);
		v[k->t->tenant_col] = oyl__val_text(OYL_TYPE_UUID, tenant);
		v[k->parent_col] = oyl__val_text(OYL_TYPE_UUID, pid);
		if (check)
			rc = check(db, tenant, v);
	}
	if (rc == OYL_OK)
		rc = oyl__insert(db, tenant, k, v);
	if (rc == OYL_OK)
		rc = oyl__audit(db, actor, tenant, "create", k, id, NULL);
	oyl__record_free(p);
	return oyl__finish_create(db, rc, k, v, out);
}

/* workspaces */

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

/* Renames a record of kind k (the common update of the hierarchy). */
static int rename_record(oyl_actor *actor, const oyl__kind *k, int name_col, const char *id,
			 const char *name, void *out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db || (name && (rc = oyl__check_name(db, "name", name))))
		return rc;
	oyl_assign set[2];
	size_t n = 0;
	if (name)
		set[n++] = (oyl_assign){name_col, oyl__val_text(OYL_TYPE_TEXT, name)};
	return oyl__update_public(actor, k, id, set, n, NULL, NULL, out);
}

OYL_API int oyl_workspace_update(oyl_actor *actor, const char *id, const char *name,
				 oyl_workspace **out)
{
	return rename_record(actor, &oyl__kind_workspace, WORKSPACES_name, id, name, out);
}

OYL_API int oyl_workspace_delete(oyl_actor *actor, const char *id)
{
	return oyl__delete_public(actor, &oyl__kind_workspace, id);
}

OYL_API const oyl_workspace *oyl_page_workspace(const oyl_page *page, size_t i)
{
	return oyl__page_item(page, &oyl__kind_workspace, i);
}

OYL__TEXT_GETTER(oyl_workspace_id, oyl_workspace, oyl__kind_workspace, WORKSPACES_id)
OYL__TEXT_GETTER(oyl_workspace_tenant_id, oyl_workspace, oyl__kind_workspace, WORKSPACES_tenant_id)
OYL__TEXT_GETTER(oyl_workspace_name, oyl_workspace, oyl__kind_workspace, WORKSPACES_name)
OYL__INT_GETTER(oyl_workspace_created_at, oyl_workspace, oyl__kind_workspace, WORKSPACES_created_at)
OYL__INT_GETTER(oyl_workspace_updated_at, oyl_workspace, oyl__kind_workspace, WORKSPACES_updated_at)
OYL__RECORD_BASICS(oyl_workspace, oyl_workspace, oyl__kind_workspace)

/* teammates */

static int check_new_config(oyl_db *db, const char *tenant, const oyl_value *v)
{
	return oyl__check_orchestration(db, tenant, NULL, v[TEAMMATES_orchestration_config].s);
}

OYL_API int oyl_teammate_create(oyl_actor *actor, const char *workspace_id, const char *name,
				const char *orchestration_config, oyl_teammate **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db || (rc = oyl__check_name(db, "name", name)))
		return rc;
	char *config = NULL;
	if ((rc = oyl__check_json_object(db, "orchestration_config",
					 orchestration_config ? orchestration_config : "{}", &config)))
		return rc;
	int64_t now = oyl__now();
	oyl_value v[TEAMMATES__N];
	v[TEAMMATES_name] = oyl__val_text(OYL_TYPE_TEXT, name);
	v[TEAMMATES_orchestration_config] = oyl__val_text(OYL_TYPE_JSON, config);
	v[TEAMMATES_rr_position] = oyl__val_int(OYL_TYPE_INT, 0);
	v[TEAMMATES_created_at] = oyl__val_int(OYL_TYPE_TIME, now);
	v[TEAMMATES_updated_at] = oyl__val_int(OYL_TYPE_TIME, now);
	rc = oyl__create_child(db, actor, &oyl__kind_teammate, "workspace_id", workspace_id, v,
			       check_new_config, out);
	oyl__free(config);
	return rc;
}

OYL_API int oyl_teammate_get(oyl_actor *actor, const char *id, oyl_teammate **out)
{
	return oyl__get_public(actor, &oyl__kind_teammate, id, out);
}

OYL_API int oyl_teammate_list(oyl_actor *actor, const char *workspace_id,
			      const oyl_list_options *opts, oyl_page **out)
{
	return oyl__list_public(actor, &oyl__kind_teammate, workspace_id, opts, out);
}

/* A changed config is checked against the teammate's assistants then. */
static int check_teammate_update(oyl_db *db, const oyl_actor *actor, const oyl__record *row,
				 void *ctx)
{
	const char *config = ctx;
	int rc = oyl__authorize(db, actor, OYL__CONTENT_WRITE);
	if (rc == OYL_OK && config)
		rc = oyl__check_orchestration(db, oyl__record_text(row, TEAMMATES_tenant_id),
					      oyl__record_text(row, TEAMMATES_id), config);
	return rc;
}

OYL_API int oyl_teammate_update(oyl_actor *actor, const char *id, const char *name,
				const char *orchestration_config, oyl_teammate **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db || (name && (rc = oyl__check_name(db, "name", name))))
		return rc;
	char *config = NULL;
	if (orchestration_config &&
	    (rc = oyl__check_json_object(db, "orchestration_config", orchestration_config, &config)))
		return rc;
	oyl_assign set[3];
	size_t n = 0;
	if (name)
		set[n++] = (oyl_assign){TEAMMATES_name, oyl__val_text(OYL_TYPE_TEXT, name)};
	if (config)
		set[n++] = (oyl_assign){TEAMMATES_orchestration_config,
					oyl__val_text(OYL_TYPE_JSON, config)};
	rc = oyl__update_public(actor, &oyl__kind_teammate, id, set, n, check_teammate_update, config,
				out);
	oyl__free(config);
	return rc;
}

OYL_API int oyl_teammate_delete(oyl_actor *actor, const char *id)
{
	return oyl__delete_public(actor, &oyl__kind_teammate, id);
}

OYL_API const oyl_teammate *oyl_page_teammate(const oyl_page *page, size_t i)
{
	return oyl__page_item(page, &oyl__kind_teammate, i);
}

OYL__TEXT_GETTER(oyl_teammate_id, oyl_teammate, oyl__kind_teammate, TEAMMATES_id)
OYL__TEXT_GETTER(oyl_teammate_tenant_id, oyl_teammate, oyl__kind_teammate, TEAMMATES_tenant_id)
OYL__TEXT_GETTER(oyl_teammate_workspace_id, oyl_teammate, oyl__kind_teammate, TEAMMATES_workspace_id)
OYL__TEXT_GETTER(oyl_teammate_name, oyl_teammate, oyl__kind_teammate, TEAMMATES_name)
OYL__TEXT_GETTER(oyl_teammate_orchestration_config, oyl_teammate, oyl__kind_teammate,
		 TEAMMATES_orchestration_config)
OYL__INT_GETTER(oyl_teammate_rr_position, oyl_teammate, oyl__kind_teammate, TEAMMATES_rr_position)
OYL__INT_GETTER(oyl_teammate_created_at, oyl_teammate, oyl__kind_teammate, TEAMMATES_created_at)
OYL__INT_GETTER(oyl_teammate_updated_at, oyl_teammate, oyl__kind_teammate, TEAMMATES_updated_at)
OYL__RECORD_BASICS(oyl_teammate, oyl_teammate, oyl__kind_teammate)

/* assistants */

OYL_API int oyl_assistant_create(oyl_actor *actor, const char *teammate_id, const char *name,
				 oyl_assistant **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db || (rc = oyl__check_name(db, "name", name)))
		return rc;
	int64_t now = oyl__now();
	oyl_value v[ASSISTANTS__N];
	v[ASSISTANTS_name] = oyl__val_text(OYL_TYPE_TEXT, name);
	v[ASSISTANTS_created_at] = oyl__val_int(OYL_TYPE_TIME, now);
	v[ASSISTANTS_updated_at] = oyl__val_int(OYL_TYPE_TIME, now);
	return oyl__create_child(db, actor, &oyl__kind_assistant, "teammate_id", teammate_id, v, NULL,
				 out);
}

OYL_API int oyl_assistant_get(oyl_actor *actor, const char *id, oyl_assistant **out)
{
	return oyl__get_public(actor, &oyl__kind_assistant, id, out);
}

OYL_API int oyl_assistant_list(oyl_actor *actor, const char *teammate_id,
			       const oyl_list_options *opts, oyl_page **out)
{
	return oyl__list_public(actor, &oyl__kind_assistant, teammate_id, opts, out);
}

OYL_API int oyl_assistant_update(oyl_actor *actor, const char *id, const char *name,
				 oyl_assistant **out)
{
	return rename_record(actor, &oyl__kind_assistant, ASSISTANTS_name, id, name, out);
}

OYL_API int oyl_assistant_delete(oyl_actor *actor, const char *id)
{
	return oyl__delete_public(actor, &oyl__kind_assistant, id);
}

OYL_API const oyl_assistant *oyl_page_assistant(const oyl_page *page, size_t i)
{
	return oyl__page_item(page, &oyl__kind_assistant, i);
}

OYL__TEXT_GETTER(oyl_assistant_id, oyl_assistant, oyl__kind_assistant, ASSISTANTS_id)
OYL__TEXT_GETTER(oyl_assistant_tenant_id, oyl_assistant, oyl__kind_assistant, ASSISTANTS_tenant_id)
OYL__TEXT_GETTER(oyl_assistant_teammate_id, oyl_assistant, oyl__kind_assistant,
		 ASSISTANTS_teammate_id)
OYL__TEXT_GETTER(oyl_assistant_name, oyl_assistant, oyl__kind_assistant, ASSISTANTS_name)
OYL__INT_GETTER(oyl_assistant_created_at, oyl_assistant, oyl__kind_assistant, ASSISTANTS_created_at)
OYL__INT_GETTER(oyl_assistant_updated_at, oyl_assistant, oyl__kind_assistant, ASSISTANTS_updated_at)
OYL__RECORD_BASICS(oyl_assistant, oyl_assistant, oyl__kind_assistant)

/* knowledge bases */

OYL_API int oyl_kb_create(oyl_actor *actor, const char *assistant_id, const char *name,
			  const char *vector_db_id, oyl_knowledge_base **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db || (rc = oyl__check_name(db, "name", name)))
		return rc;
	if (vector_db_id && (rc = oyl__check_name(db, "vector_db_id", vector_db_id)))
		return rc;
	int64_t now = oyl__now();
	oyl_value v[KNOWLEDGE_BASES__N];
	v[KNOWLEDGE_BASES_name] = oyl__val_text(OYL_TYPE_TEXT, name);
	v[KNOWLEDGE_BASES_vector_db_id] = oyl__val_text(OYL_TYPE_TEXT, vector_db_id);
	v[KNOWLEDGE_BASES_created_at] = oyl__val_int(OYL_TYPE_TIME, now);
	v[KNOWLEDGE_BASES_updated_at] = oyl__val_int(OYL_TYPE_TIME, now);
	return oyl__create_child(db, actor, &oyl__kind_knowledge_base, "assistant_id", assistant_id,
				 v, NULL, out);
}

OYL_API int oyl_kb_get(oyl_actor *actor, const char *id, oyl_knowledge_base **out)
{
	return oyl__get_public(actor, &oyl__kind_knowledge_base, id, out);
}

OYL_API int oyl_kb_list(oyl_actor *actor, const char *assistant_id, const oyl_list_options *opts,
			oyl_page **out)
{
	return oyl__list_public(actor, &oyl__kind_knowledge_base, assistant_id, opts, out);
}

OYL_API int oyl_kb_update(oyl_actor *actor, const char *id, const char *name,
			  const char *vector_db_id, oyl_knowledge_base **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db || (name && (rc = oyl__check_name(db, "name", name))))
		return rc;
	if (vector_db_id && *vector_db_id && (rc = oyl__check_name(db, "vector_db_id", vector_db_id)))
		return rc;
	oyl_assign set[3];
	size_t n = 0;
	if (name)
		set[n++] = (oyl_assign){KNOWLEDGE_BASES_name, oyl__val_text(OYL_TYPE_TEXT, name)};
	if (vector_db_id)
		set[n++] = (oyl_assign){KNOWLEDGE_BASES_vector_db_id,
					*vector_db_id ? oyl__val_text(OYL_TYPE_TEXT, vector_db_id)
						      : oyl__val_null()};
	return oyl__update_public(actor, &oyl__kind_knowledge_base, id, set, n, NULL, NULL, out);
}

OYL_API int oyl_kb_delete(oyl_actor *actor, const char *id)
{
	return oyl__delete_public(actor, &oyl__kind_knowledge_base, id);
}

OYL_API const oyl_knowledge_base *oyl_page_kb(const oyl_page *page, size_t i)
{
	return oyl__page_item(page, &oyl__kind_knowledge_base, i);
}

OYL__TEXT_GETTER(oyl_kb_id, oyl_knowledge_base, oyl__kind_knowledge_base, KNOWLEDGE_BASES_id)
OYL__TEXT_GETTER(oyl_kb_tenant_id, oyl_knowledge_base, oyl__kind_knowledge_base,
		 KNOWLEDGE_BASES_tenant_id)
OYL__TEXT_GETTER(oyl_kb_assistant_id, oyl_knowledge_base, oyl__kind_knowledge_base,
		 KNOWLEDGE_BASES_assistant_id)
OYL__TEXT_GETTER(oyl_kb_name, oyl_knowledge_base, oyl__kind_knowledge_base, KNOWLEDGE_BASES_name)
OYL__TEXT_GETTER(oyl_kb_vector_db_id, oyl_knowledge_base, oyl__kind_knowledge_base,
		 KNOWLEDGE_BASES_vector_db_id)
OYL__INT_GETTER(oyl_kb_created_at, oyl_knowledge_base, oyl__kind_knowledge_base,
		KNOWLEDGE_BASES_created_at)
OYL__INT_GETTER(oyl_kb_updated_at, oyl_knowledge_base, oyl__kind_knowledge_base,
		KNOWLEDGE_BASES_updated_at)
OYL__RECORD_BASICS(oyl_kb, oyl_knowledge_base, oyl__kind_knowledge_base)
