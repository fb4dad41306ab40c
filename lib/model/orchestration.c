/*
 * A teammate's orchestration config: {"strategy": "round_robin" | "first"
 * | "fallback", "assistants": [ids of this teammate's assistants],
 * "fallback_assistant": one of them}.  Every key is optional but a
 * "fallback" strategy needs its fallback_assistant; unknown keys are
 * refused so that a typo is not silently ignored.
 */
#include <cjson/cJSON.h>
#include <string.h>
#include <strings.h>

#include "model/orchestration.h"
#include "core/validate.h"

#define FIELD "orchestration_config"

static int is_assistant_of(oyl_db *db, const char *tenant, const char *teammate_id, const char *id,
			   int *yes)
{
	*yes = 0;
	if (!teammate_id)
		return OYL_OK; /* a new teammate has no assistants yet */
	oyl_scope s = {tenant};
	oyl_filter f[2] = {oyl__eq(ASSISTANTS_teammate_id, OYL_TYPE_UUID, teammate_id),
			   oyl__eq(ASSISTANTS_id, OYL_TYPE_UUID, id)};
	int64_t n = 0;
	int rc = db->backend->count(db->backend, &s, &oyl__t_assistants, f, 2, &n);
	if (rc != OYL_OK)
		return oyl__fail_backend(db, rc, "checking the orchestration config");
	*yes = n == 1;
	return OYL_OK;
}

static int check_assistants(oyl_db *db, const char *tenant, const char *teammate_id,
			    const cJSON *list)
{
	if (!cJSON_IsArray(list))
		return oyl__fail(db, OYL_EINVAL, FIELD ".assistants: must be an array of assistant ids");
	int i = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, list)
	{
		char id[OYL_UUID_LEN + 1];
		if (!cJSON_IsString(item) || !oyl__uuid_norm(item->valuestring, id))
			return oyl__fail(db, OYL_EINVAL, FIELD ".assistants[%d]: not an assistant id", i);
		for (const cJSON *prev = list->child; prev != item; prev = prev->next)
			if (strcmp(prev->valuestring, item->valuestring) == 0)
				return oyl__fail(db, OYL_EINVAL, FIELD ".assistants[%d]: listed twice", i);
		int yes, rc = is_assistant_of(db, tenant, teammate_id, id, &yes);
		if (rc)
			return rc;
		if (!yes)
			return oyl__fail(db, OYL_EINVAL,
					 FIELD ".assistants[%d]: %s is not an assistant of this teammate",
					 i, id);
		i++;
	}
	return OYL_OK;
}

static int in_list(const cJSON *list, const char *id)
{
	const cJSON *item;
	cJSON_ArrayForEach(item, list)
	{
		if (cJSON_IsString(item) && strcasecmp(item->valuestring, id) == 0)
			return 1;
	}
	return 0;
}

static int check_config(oyl_db *db, const char *tenant, const char *teammate_id, const cJSON *cfg)
{
	const cJSON *item;
	cJSON_ArrayForEach(item, cfg)
	{
		if (strcmp(item->string, "strategy") && strcmp(item->string, "assistants") &&
		    strcmp(item->string, "fallback_assistant"))
			return oyl__fail(db, OYL_EINVAL, FIELD ": unknown key \"%s\"", item->string);
	}
	const cJSON *strategy = cJSON_GetObjectItemCaseSensitive(cfg, "strategy");
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(cfg, "assistants");
	const cJSON *fallback = cJSON_GetObjectItemCaseSensitive(cfg, "fallback_assistant");
	if (strategy && !(cJSON_IsString(strategy) && (strcmp(strategy->valuestring, "round_robin") == 0 ||
						       strcmp(strategy->valuestring, "first") == 0 ||
						       strcmp(strategy->valuestring, "fallback") == 0)))
		return oyl__fail(db, OYL_EINVAL,
				 FIELD ".strategy: must be \"round_robin\", \"first\" or \"fallback\"");
	int rc = list ? check_assistants(db, tenant, teammate_id, list) : OYL_OK;
	if (rc)
		return rc;
	if (fallback && !(cJSON_IsString(fallback) && list && in_list(list, fallback->valuestring)))
		return oyl__fail(db, OYL_EINVAL,
				 FIELD ".fallback_assistant: must be one of the listed assistants");
	if (strategy && strcmp(strategy->valuestring, "fallback") == 0 && !fallback)
		return oyl__fail(db, OYL_EINVAL,
				 FIELD ".fallback_assistant: required by the \"fallback\" strategy");
	return OYL_OK;
}

int oyl__check_orchestration(oyl_db *db, const char *tenant, const char *teammate_id,
			     const char *config)
{
	int oom = 0;
	cJSON *cfg = oyl__json_parse(config, strlen(config), &oom);
	if (!cfg)
		return oom ? oyl__fail(db, OYL_ENOMEM, FIELD ": out of memory parsing JSON")
			   : oyl__fail(db, OYL_EINVAL, FIELD ": malformed JSON");
	int rc = check_config(db, tenant, teammate_id, cfg);
	cJSON_Delete(cfg);
	return rc;
}
