/* Assistants: a teammate's, each with its instruction and knowledge bases. */
#include "core/validate.h"
#include "model/kind.h"
#include "model/rename.h"

const oyl__kind oyl__kind_assistant = {&oyl__t_assistants, "assistant", "assistant",
				       &oyl__kind_teammate, ASSISTANTS_teammate_id,
				       ASSISTANTS_created_at, ASSISTANTS_updated_at, OYL__CONTENT_READ,
				       OYL__CONTENT_WRITE, NULL};

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
	return oyl__rename(actor, &oyl__kind_assistant, ASSISTANTS_name, id, name, out);
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
OYL__RECORD_BASICS(oyl_assistant, oyl_assistant, oyl__kind_assistant)
