/* Assistants: a teammate's, each with its instruction and knowledge bases. */
#include <cjson/cJSON.h>
#include <math.h>
#include <string.h>

#include "chat/provider.h"
#include "core/alloc.h"
#include "core/validate.h"
#include "model/kind.h"
#include "model/rename.h"

#define PROVIDER_MODEL_MAX 200
#define MAX_TOKENS_MAX 1000000

const oyl__kind oyl__kind_assistant = {&oyl__t_assistants, "assistant", "assistant",
				       &oyl__kind_teammate, ASSISTANTS_teammate_id,
				       ASSISTANTS_created_at, ASSISTANTS_updated_at, OYL__CONTENT_READ,
				       OYL__CONTENT_WRITE, NULL, 0};

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
	v[ASSISTANTS_provider] = oyl__val_null();
	v[ASSISTANTS_provider_model] = oyl__val_null();
	v[ASSISTANTS_provider_options] = oyl__val_null();
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
	return oyl__rename(actor, &oyl__kind_assistant, ASSISTANTS_name, id, name, out);
}

/* The options an assistant may give its provider: known keys, sane values. */
static int check_provider_options(oyl_db *db, const char *options)
{
	cJSON *o = cJSON_Parse(options);
	if (!o)
		return oyl__fail(db, OYL_ENOMEM, "out of memory reading options");
	int rc = OYL_OK;
	const cJSON *item;
	cJSON_ArrayForEach(item, o)
	{
		if (strcmp(item->string, "temperature") == 0) {
			if (!cJSON_IsNumber(item) || !(item->valuedouble >= 0 && item->valuedouble <= 2))
				rc = oyl__fail(db, OYL_EINVAL,
					       "options.temperature: a number from 0 to 2");
		} else if (strcmp(item->string, "max_tokens") == 0) {
			double d = item->valuedouble;
			if (!cJSON_IsNumber(item) || d != floor(d) || d < 1 || d > MAX_TOKENS_MAX)
				rc = oyl__fail(db, OYL_EINVAL,
					       "options.max_tokens: an integer from 1 to %d",
					       MAX_TOKENS_MAX);
		} else {
			rc = oyl__fail(db, OYL_EINVAL,
				       "options: unknown key \"%.64s\" (temperature, max_tokens)",
				       item->string);
		}
		if (rc)
			break;
	}
	cJSON_Delete(o);
	return rc;
}

OYL_API int oyl_assistant_set_provider(oyl_actor *actor, const char *id, const char *provider,
				       const char *model, const char *options,
				       oyl_assistant **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db)
		return rc;
	char *normalized = NULL;
	if (!provider && (model || options))
		return oyl__fail(db, OYL_EINVAL, "provider: NULL, but a model or options were given");
	if (provider && (rc = oyl__provider_name_check(db, "provider", provider)))
		return rc;
	/* a name no handle knows would fail every answer: refused now */
	if (provider && !oyl__provider_known(db, provider))
		return oyl__fail(db, OYL_EINVAL,
				 "provider: \"%s\" is not registered on this handle "
				 "(oyl_db_add_provider)",
				 provider);
	if (model && (rc = oyl__check_text(db, "model", model, 1, PROVIDER_MODEL_MAX, 0)))
		return rc;
	if (options && ((rc = oyl__check_json_object(db, "options", options, &normalized)) ||
			(rc = check_provider_options(db, normalized)))) {
		oyl__free(normalized);
		return rc;
	}
	oyl_assign set[4] = {
		{ASSISTANTS_provider, oyl__val_text(OYL_TYPE_TEXT, provider)},
		{ASSISTANTS_provider_model, oyl__val_text(OYL_TYPE_TEXT, model)},
		{ASSISTANTS_provider_options, oyl__val_text(OYL_TYPE_JSON, normalized)},
	};
	rc = oyl__update_public(actor, &oyl__kind_assistant, id, set, 3, NULL, out);
	oyl__free(normalized);
	return rc;
}

OYL_API int oyl_assistant_delete(oyl_actor *actor, const char *id)
{
	return oyl__delete_public(actor, &oyl__kind_assistant, id);
}

OYL_API const oyl_assistant *oyl_page_assistant(const oyl_page *page, size_t i)
{
	return oyl__page_item(page, oyl__kind_assistant.t, i);
}

OYL__TEXT_GETTER(oyl_assistant_id, oyl_assistant, oyl__kind_assistant, ASSISTANTS_id)
OYL__TEXT_GETTER(oyl_assistant_tenant_id, oyl_assistant, oyl__kind_assistant, ASSISTANTS_tenant_id)
OYL__TEXT_GETTER(oyl_assistant_teammate_id, oyl_assistant, oyl__kind_assistant,
		 ASSISTANTS_teammate_id)
OYL__TEXT_GETTER(oyl_assistant_name, oyl_assistant, oyl__kind_assistant, ASSISTANTS_name)
OYL__INT_GETTER(oyl_assistant_created_at, oyl_assistant, oyl__kind_assistant, ASSISTANTS_created_at)
OYL__INT_GETTER(oyl_assistant_updated_at, oyl_assistant, oyl__kind_assistant, ASSISTANTS_updated_at)
OYL__TEXT_GETTER(oyl_assistant_provider, oyl_assistant, oyl__kind_assistant, ASSISTANTS_provider)
OYL__TEXT_GETTER(oyl_assistant_provider_model, oyl_assistant, oyl__kind_assistant,
		 ASSISTANTS_provider_model)
OYL__TEXT_GETTER(oyl_assistant_provider_options, oyl_assistant, oyl__kind_assistant,
		 ASSISTANTS_provider_options)
OYL__RECORD_BASICS(oyl_assistant, oyl_assistant, oyl__kind_assistant)
