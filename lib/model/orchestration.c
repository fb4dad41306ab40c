/*
 * A teammate's orchestration config: {"strategy": "round_robin" | "first"
 * | "fallback", "assistants": [ids of this teammate's assistants],
 * "fallback_assistant": one of them}.  Every key is optional but a
 * "fallback" strategy needs its fallback_assistant; unknown keys are
 * refused so that a typo is not silently ignored.  Ids compare as UUIDs,
 * whatever their case.
 */
#include <cjson/cJSON.h>
#include <string.h>

#include "core/validate.h"
#include "model/orchestration.h"

#define FIELD "orchestration_config"

static int listed(const oyl__orch *o, const char *id)
{
	for (size_t i = 0; i < o->nids; i++)
		if (strcmp(o->ids[i], id) == 0)
			return 1;
	return 0;
}

static int parse_assistants(oyl_db *db, const cJSON *list, int is_new, oyl__orch *o)
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
		if (listed(o, id))
			return oyl__fail(db, OYL_EINVAL, FIELD ".assistants[%d]: listed twice", i);
		if (is_new)
			return oyl__fail(db, OYL_EINVAL,
					 FIELD ".assistants[%d]: %s is not an assistant of this teammate "
					       "(a new teammate has none)",
					 i, id);
		if (o->nids == OYL__ORCH_MAX_ASSISTANTS)
			return oyl__fail(db, OYL_EINVAL, FIELD ".assistants: at most %d",
					 OYL__ORCH_MAX_ASSISTANTS);
		memcpy(o->ids[o->nids++], id, sizeof id);
		i++;
	}
	return OYL_OK;
}

static int parse_config(oyl_db *db, const cJSON *cfg, int is_new, oyl__orch *o)
{
	const cJSON *item;
	cJSON_ArrayForEach(item, cfg)
	{
		if (strcmp(item->string, "strategy") && strcmp(item->string, "assistants") &&
		    strcmp(item->string, "fallback_assistant"))
			return oyl__fail(db, OYL_EINVAL, FIELD ": unknown key \"%.64s\"", item->string);
	}
	const cJSON *strategy = cJSON_GetObjectItemCaseSensitive(cfg, "strategy");
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(cfg, "assistants");
	const cJSON *fallback = cJSON_GetObjectItemCaseSensitive(cfg, "fallback_assistant");
	if (strategy && !(cJSON_IsString(strategy) && (strcmp(strategy->valuestring, "round_robin") == 0 ||
						       strcmp(strategy->valuestring, "first") == 0 ||
						       strcmp(strategy->valuestring, "fallback") == 0)))
		return oyl__fail(db, OYL_EINVAL,
				 FIELD ".strategy: must be \"round_robin\", \"first\" or \"fallback\"");
	int rc = list ? parse_assistants(db, list, is_new, o) : OYL_OK;
	if (rc)
		return rc;
	char id[OYL_UUID_LEN + 1];
	if (fallback && !(cJSON_IsString(fallback) && oyl__uuid_norm(fallback->valuestring, id) &&
			  listed(o, id)))
		return oyl__fail(db, OYL_EINVAL,
				 FIELD ".fallback_assistant: must be one of the listed assistants");
	if (strategy && strcmp(strategy->valuestring, "fallback") == 0 && !fallback)
		return oyl__fail(db, OYL_EINVAL,
				 FIELD ".fallback_assistant: required by the \"fallback\" strategy");
	return OYL_OK;
}

int oyl__orch_parse(oyl_db *db, const char *config, int is_new, oyl__orch *o)
{
	memset(o, 0, sizeof *o);
	o->read = -1;
	int oom = 0;
	cJSON *cfg = oyl__json_parse(config, strlen(config), &oom);
	if (!cfg)
		return oom ? oyl__fail(db, OYL_ENOMEM, FIELD ": out of memory parsing JSON")
			   : oyl__fail(db, OYL_EINVAL, FIELD ": malformed JSON");
	int rc = parse_config(db, cfg, is_new, o);
	cJSON_Delete(cfg);
	return rc;
}

static int collect_id(const oyl_value *vals, size_t n, void *payload)
{
	oyl__orch *o = payload;
	(void)n;
	if (o->nfound == o->cap_found) {
		size_t cap = o->cap_found ? o->cap_found * 2 : 16;
		void *grown = oyl__realloc(o->found, cap * sizeof *o->found);
		if (!grown)
			return OYL_ENOMEM;
		o->found = grown;
		o->cap_found = cap;
	}
	if (vals[0].n == OYL_UUID_LEN)
		memcpy(o->found[o->nfound++], vals[0].s, OYL_UUID_LEN + 1);
	return OYL_OK;
}

void oyl__orch_reads(oyl__orch *o, oyl__batch *bt, const char *scope, const char *teammate_id)
{
	if (o->nids == 0)
		return;
	o->by_teammate = oyl__eq(ASSISTANTS_teammate_id, OYL_TYPE_UUID, teammate_id);
	o->query = (oyl_query){&o->by_teammate, 1, ASSISTANTS_created_at, 0, NULL, NULL, 0, 0};
	o->read = oyl__batch_list(bt, scope, &oyl__t_assistants, &o->query, collect_id, o);
}

int oyl__orch_check(oyl_db *db, const oyl__orch *o)
{
	for (size_t i = 0; i < o->nids; i++) {
		int found = 0;
		for (size_t k = 0; k < o->nfound && !found; k++)
			found = strcmp(o->found[k], o->ids[i]) == 0;
		if (!found)
			return oyl__fail(db, OYL_EINVAL,
					 FIELD ".assistants[%zu]: %s is not an assistant of this teammate",
					 i, o->ids[i]);
	}
	return OYL_OK;
}

void oyl__orch_free(oyl__orch *o)
{
	oyl__free(o->found);
	o->found = NULL;
}
