/* The assistant hierarchy: workspace → teammate → assistant → knowledge
 * base.  Each is created under a parent the actor can see, in the
 * parent's tenant; deleting one deletes its subtree (schema cascades). */
#include <string.h>

#include "object.h"
#include "validate.h"

const oyl__kind oyl__kind_workspace = {&oyl__t_workspaces, "workspace", NULL};
const oyl__kind oyl__kind_teammate = {&oyl__t_teammates, "teammate", NULL};
const oyl__kind oyl__kind_assistant = {&oyl__t_assistants, "assistant", NULL};
const oyl__kind oyl__kind_knowledge_base = {&oyl__t_knowledge_bases, "knowledge base", NULL};

/*
 * Creates a row under a parent: checks the parent id, finds the parent in
 * the actor's scope (ENOTFOUND otherwise), fills id (col 0), tenant_id
 * (col 1) and the parent column, inserts in the parent's tenant, commits.
 * The caller has validated and filled every other column of `v`.
 */
static int create_child(oyl_db *db, oyl_actor *actor, const oyl__kind *k, const oyl__kind *parent,
			const char *parent_field, const char *parent_id, int parent_col,
			oyl_value *v, void *out)
{
	char pid[OYL_UUID_LEN + 1], id[OYL_UUID_LEN + 1];
	int rc = oyl__check_id(db, parent_field, parent_id, pid);
	if (rc)
		return rc;
	const char *scope = oyl__actor_scope(actor);
	if ((rc = oyl__txn_begin(db, scope, OYL_TXN_WRITE)))
		return rc;
	oyl__record *p = NULL;
	rc = oyl__fetch(db, scope, parent, pid, &p);
	char tenant[OYL_UUID_LEN + 1] = "";
	if (rc == OYL_OK) {
		/* A tenant is its own tenant; every other parent carries tenant_id. */
		const char *t = parent->t->tenant_col >= 0 ? oyl__record_text(p, parent->t->tenant_col)
							   : pid;
		memcpy(tenant, t, OYL_UUID_LEN + 1);
		oyl__uuid_new(id);
		v[0] = oyl__val_text(OYL_TYPE_UUID, id);
		v[k->t->tenant_col] = oyl__val_text(OYL_TYPE_UUID, tenant);
		v[parent_col] = oyl__val_text(OYL_TYPE_UUID, pid);
		rc = oyl__insert(db, tenant, k, v);
	}
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
	return create_child(db, actor, &oyl__kind_workspace, &oyl__kind_tenant, "tenant_id",
			    tenant_id, WORKSPACES_tenant_id, v, out);
}

OYL_API int oyl_workspace_get(oyl_actor *actor, const char *id, oyl_workspace **out)
{
	return oyl__get_public(actor, &oyl__kind_workspace, id, out);
}

OYL_API int oyl_workspace_delete(oyl_actor *actor, const char *id)
{
	return oyl__delete_public(actor, &oyl__kind_workspace, id);
}

OYL__TEXT_GETTER(oyl_workspace_id, oyl_workspace, oyl__kind_workspace, WORKSPACES_id)
OYL__TEXT_GETTER(oyl_workspace_tenant_id, oyl_workspace, oyl__kind_workspace, WORKSPACES_tenant_id)
OYL__TEXT_GETTER(oyl_workspace_name, oyl_workspace, oyl__kind_workspace, WORKSPACES_name)
OYL__INT_GETTER(oyl_workspace_created_at, oyl_workspace, oyl__kind_workspace, WORKSPACES_created_at)
OYL__RECORD_BASICS(oyl_workspace, oyl_workspace, oyl__kind_workspace)

/* teammates */

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
	rc = create_child(db, actor, &oyl__kind_teammate, &oyl__kind_workspace, "workspace_id",
			  workspace_id, TEAMMATES_workspace_id, v, out);
	oyl__free(config);
	return rc;
}

OYL_API int oyl_teammate_get(oyl_actor *actor, const char *id, oyl_teammate **out)
{
	return oyl__get_public(actor, &oyl__kind_teammate, id, out);
}

OYL_API int oyl_teammate_delete(oyl_actor *actor, const char *id)
{
	return oyl__delete_public(actor, &oyl__kind_teammate, id);
}

OYL__TEXT_GETTER(oyl_teammate_id, oyl_teammate, oyl__kind_teammate, TEAMMATES_id)
OYL__TEXT_GETTER(oyl_teammate_tenant_id, oyl_teammate, oyl__kind_teammate, TEAMMATES_tenant_id)
OYL__TEXT_GETTER(oyl_teammate_workspace_id, oyl_teammate, oyl__kind_teammate, TEAMMATES_workspace_id)
OYL__TEXT_GETTER(oyl_teammate_name, oyl_teammate, oyl__kind_teammate, TEAMMATES_name)
OYL__TEXT_GETTER(oyl_teammate_orchestration_config, oyl_teammate, oyl__kind_teammate,
		 TEAMMATES_orchestration_config)
OYL__INT_GETTER(oyl_teammate_created_at, oyl_teammate, oyl__kind_teammate, TEAMMATES_created_at)
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
	return create_child(db, actor, &oyl__kind_assistant, &oyl__kind_teammate, "teammate_id",
			    teammate_id, ASSISTANTS_teammate_id, v, out);
}

OYL_API int oyl_assistant_get(oyl_actor *actor, const char *id, oyl_assistant **out)
{
	return oyl__get_public(actor, &oyl__kind_assistant, id, out);
}

OYL_API int oyl_assistant_delete(oyl_actor *actor, const char *id)
{
	return oyl__delete_public(actor, &oyl__kind_assistant, id);
}

OYL__TEXT_GETTER(oyl_assistant_id, oyl_assistant, oyl__kind_assistant, ASSISTANTS_id)
OYL__TEXT_GETTER(oyl_assistant_tenant_id, oyl_assistant, oyl__kind_assistant, ASSISTANTS_tenant_id)
OYL__TEXT_GETTER(oyl_assistant_teammate_id, oyl_assistant, oyl__kind_assistant,
		 ASSISTANTS_teammate_id)
OYL__TEXT_GETTER(oyl_assistant_name, oyl_assistant, oyl__kind_assistant, ASSISTANTS_name)
OYL__INT_GETTER(oyl_assistant_created_at, oyl_assistant, oyl__kind_assistant, ASSISTANTS_created_at)
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
	return create_child(db, actor, &oyl__kind_knowledge_base, &oyl__kind_assistant,
			    "assistant_id", assistant_id, KNOWLEDGE_BASES_assistant_id, v, out);
}

OYL_API int oyl_kb_get(oyl_actor *actor, const char *id, oyl_knowledge_base **out)
{
	return oyl__get_public(actor, &oyl__kind_knowledge_base, id, out);
}

OYL_API int oyl_kb_delete(oyl_actor *actor, const char *id)
{
	return oyl__delete_public(actor, &oyl__kind_knowledge_base, id);
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
OYL__RECORD_BASICS(oyl_kb, oyl_knowledge_base, oyl__kind_knowledge_base)
