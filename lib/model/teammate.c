/* Teammates: a workspace's, each routing to its assistants by its
 * orchestration config (orchestration.c). */
#include "core/validate.h"
#include "model/kind.h"
#include "model/orchestration.h"

const oyl__kind oyl__kind_teammate = {&oyl__t_teammates, "teammate", "teammate",
				      &oyl__kind_workspace, TEAMMATES_workspace_id,
				      TEAMMATES_created_at, TEAMMATES_updated_at, OYL__CONTENT_READ,
				      OYL__CONTENT_WRITE, NULL, 0};

/* Checks a config's text and shape (before any transaction). */
static int check_config(oyl_db *db, const char *text, int is_new, char **normalized,
			oyl__orch *orch)
{
	int rc = oyl__check_json_object(db, "orchestration_config", text, normalized);
	if (rc == OYL_OK && (rc = oyl__orch_parse(db, *normalized, is_new, orch))) {
		oyl__free(*normalized);
		*normalized = NULL;
	}
	return rc;
}

OYL_API int oyl_teammate_create(oyl_actor *actor, const char *workspace_id, const char *name,
				const char *orchestration_config, oyl_teammate **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db || (rc = oyl__check_name(db, "name", name)))
		return rc;
	char *config = NULL;
	oyl__orch orch;
	if ((rc = check_config(db, orchestration_config ? orchestration_config : "{}", 1, &config,
			       &orch)))
		return rc;
	int64_t now = oyl__now();
	oyl_value v[TEAMMATES__N];
	v[TEAMMATES_name] = oyl__val_text(OYL_TYPE_TEXT, name);
	v[TEAMMATES_orchestration_config] = oyl__val_text(OYL_TYPE_JSON, config);
	v[TEAMMATES_rr_position] = oyl__val_int(OYL_TYPE_INT, 0);
	v[TEAMMATES_created_at] = oyl__val_int(OYL_TYPE_TIME, now);
	v[TEAMMATES_updated_at] = oyl__val_int(OYL_TYPE_TIME, now);
	rc = oyl__create_child(db, actor, &oyl__kind_teammate, "workspace_id", workspace_id, v, NULL,
			       out);
	oyl__orch_free(&orch);
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

typedef struct config_change {
	oyl__orch *orch;    /* NULL: the config is not changed */
	char id[OYL_UUID_LEN + 1];
} config_change;

/* The teammate's assistants go in the update's one batch of reads. */
static void config_reads(oyl__batch *bt, const oyl_actor *actor, void *ctx)
{
	config_change *c = ctx;
	if (c->orch)
		oyl__orch_reads(c->orch, bt, oyl__actor_scope(actor), c->id);
}

static int check_update(oyl_db *db, const oyl_actor *actor, const oyl__record *row,
			const oyl__batch *bt, void *ctx)
{
	config_change *c = ctx;
	(void)row;
	(void)bt;
	int rc = oyl__authorize(db, actor, OYL__CONTENT_WRITE);
	if (rc == OYL_OK && c->orch)
		rc = oyl__orch_check(db, c->orch);
	return rc;
}

OYL_API int oyl_teammate_update(oyl_actor *actor, const char *id, const char *name,
				const char *orchestration_config, oyl_teammate **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	config_change c = {NULL, ""};
	if (!db || (rc = oyl__check_id(db, "id", id, c.id)) ||
	    (name && (rc = oyl__check_name(db, "name", name))))
		return rc;
	char *config = NULL;
	oyl__orch orch;
	if (orchestration_config && (rc = check_config(db, orchestration_config, 0, &config, &orch)))
		return rc;
	if (config)
		c.orch = &orch;
	oyl_assign set[3];
	size_t n = 0;
	if (name)
		set[n++] = (oyl_assign){TEAMMATES_name, oyl__val_text(OYL_TYPE_TEXT, name)};
	if (config)
		set[n++] = (oyl_assign){TEAMMATES_orchestration_config,
					oyl__val_text(OYL_TYPE_JSON, config)};
	oyl__hooks hooks = {config_reads, check_update, &c, NULL, NULL};
	rc = oyl__update_public(actor, &oyl__kind_teammate, c.id, set, n, &hooks, out);
	if (c.orch)
		oyl__orch_free(c.orch);
	oyl__free(config);
	return rc;
}

OYL_API int oyl_teammate_delete(oyl_actor *actor, const char *id)
{
	return oyl__delete_public(actor, &oyl__kind_teammate, id);
}

OYL_API const oyl_teammate *oyl_page_teammate(const oyl_page *page, size_t i)
{
	return oyl__page_item(page, oyl__kind_teammate.t, i);
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
