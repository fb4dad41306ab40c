/* LLM providers registered on a handle by name (provider.h). */
#include "chat/provider.h"

#include <stdio.h>
#include <string.h>

#include "core/validate.h"

OYL_API void oyl_provider_free(oyl_provider *p)
{
	if (p && p->free)
		p->free(p);
}

int oyl__provider_name_check(oyl_db *db, const char *field, const char *name)
{
	return oyl__check_component_name(db, field, name, "a provider");
}

static oyl__provider_slot *slot_of(const oyl_db *db, const char *name)
{
	for (size_t i = 0; i < db->nproviders; i++)
		if (strcmp(db->providers[i].name, name) == 0)
			return (oyl__provider_slot *)&db->providers[i];
	return NULL;
}

int oyl__provider_known(const oyl_db *db, const char *name)
{
	return strcmp(name, OYL__DEFAULT_PROVIDER) == 0 || slot_of(db, name) != NULL;
}

/* Every method version 1 requires, present. */
static int complete(const oyl_provider *p)
{
	return p->version >= 1 && p->complete && p->errmsg && p->free &&
	       (!(p->caps & OYL_PROVIDER_CAP_COUNT_TOKENS) || p->count_tokens);
}

static int put(oyl_db *db, const char *name, oyl_provider *p)
{
	oyl__provider_slot *s = slot_of(db, name);
	if (s) {
		/* the same name again: the new one replaces the old */
		if (s->p != p)
			oyl_provider_free(s->p);
		s->p = p;
		return OYL_OK;
	}
	if (db->nproviders == OYL__PROVIDERS_MAX)
		return oyl__fail(db, OYL_EINVAL, "a handle holds at most %d providers",
				 OYL__PROVIDERS_MAX);
	s = &db->providers[db->nproviders++];
	snprintf(s->name, sizeof s->name, "%s", name);
	s->p = p;
	return OYL_OK;
}

OYL_API int oyl_db_add_provider(oyl_db *db, const char *name, oyl_provider *p)
{
	if (!oyl__db_check(db))
		return OYL_EMISUSE;
	int rc = oyl__provider_name_check(db, "name", name);
	if (rc)
		return rc;
	if (!p || !complete(p))
		return oyl__fail(db, OYL_EINVAL,
				 "provider: NULL, or a method of version 1 is missing");
	if (db->in_txn)
		return oyl__fail(db, OYL_EMISUSE, "oyl_db_add_provider: a call is in progress");
	return (rc = put(db, name, p)) ? rc : oyl__ok(db);
}

oyl_provider *oyl__provider_find(oyl_db *db, const char *name)
{
	if (!name)
		name = OYL__DEFAULT_PROVIDER;
	oyl__provider_slot *s = slot_of(db, name);
	if (s)
		return s->p;
	if (strcmp(name, OYL__DEFAULT_PROVIDER) != 0) {
		oyl__fail(db, OYL_EINVAL,
			  "provider \"%s\" is not registered on this handle (oyl_db_add_provider)",
			  name);
		return NULL;
	}
	oyl_provider *p = NULL;
	if (oyl_extractive_provider_new(&p) != OYL_OK) {
		oyl__fail(db, OYL_ENOMEM, "out of memory making the extractive provider");
		return NULL;
	}
	if (put(db, name, p) != OYL_OK) { /* 16 others registered: put said so */
		oyl_provider_free(p);
		return NULL;
	}
	return p;
}

void oyl__providers_free(oyl_db *db)
{
	for (size_t i = 0; i < db->nproviders; i++)
		oyl_provider_free(db->providers[i].p);
	db->nproviders = 0;
}
