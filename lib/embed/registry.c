/* Embedders registered on a handle by name (registry.h). */
#include "embed/registry.h"

#include <stdio.h>
#include <string.h>

#include "core/validate.h"

int oyl__embedder_name_check(oyl_db *db, const char *field, const char *name)
{
	return oyl__check_component_name(db, field, name, "an embedder");
}

oyl_embedder *oyl__embedder_find(oyl_db *db, const char *name)
{
	for (size_t i = 0; name && i < db->nembedders; i++)
		if (strcmp(db->embedders[i].name, name) == 0)
			return db->embedders[i].e;
	return NULL;
}

/* Every method version 1 requires, present. */
static int complete(const oyl_embedder *e)
{
	return e->version >= 1 && e->model && e->dimension && e->embed && e->batch_size &&
	       e->errmsg && e->free;
}

OYL_API int oyl_db_add_embedder(oyl_db *db, const char *name, oyl_embedder *e)
{
	if (!oyl__db_check(db))
		return OYL_EMISUSE;
	int rc = oyl__embedder_name_check(db, "name", name);
	if (rc)
		return rc;
	if (!e || !complete(e))
		return oyl__fail(db, OYL_EINVAL,
				 "embedder: NULL, or a method of version 1 is missing");
	if (db->in_txn)
		return oyl__fail(db, OYL_EMISUSE, "oyl_db_add_embedder: a call is in progress");
	for (size_t i = 0; i < db->nembedders; i++) {
		if (strcmp(db->embedders[i].name, name) != 0)
			continue;
		/* the same name again: the new one replaces the old */
		if (db->embedders[i].e != e)
			oyl_embedder_free(db->embedders[i].e);
		db->embedders[i].e = e;
		return oyl__ok(db);
	}
	if (db->nembedders == OYL__EMBEDDERS_MAX)
		return oyl__fail(db, OYL_EINVAL, "a handle holds at most %d embedders",
				 OYL__EMBEDDERS_MAX);
	oyl__embedder_slot *s = &db->embedders[db->nembedders++];
	snprintf(s->name, sizeof s->name, "%s", name);
	s->e = e;
	return oyl__ok(db);
}

void oyl__embedders_free(oyl_db *db)
{
	for (size_t i = 0; i < db->nembedders; i++)
		oyl_embedder_free(db->embedders[i].e);
	db->nembedders = 0;
}
