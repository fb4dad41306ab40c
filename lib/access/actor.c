/* Actors: who is acting.  Role and tenant come from storage, never from
 * the caller (the bootstrap superadmin is the host's own authority). */
#include <string.h>

#include "core/internal.h"

oyl_db *oyl__actor_db(const oyl_actor *actor)
{
	if (!actor || actor->magic != OYL_ACTOR_MAGIC)
		return NULL;
	return oyl__db_check(actor->db);
}

OYL_API int oyl_actor_superadmin(oyl_db *db, oyl_actor **out)
{
	if (!oyl__db_check(db))
		return OYL_EMISUSE;
	if (!out)
		return oyl__fail(db, OYL_EMISUSE, "oyl_actor_superadmin: NULL out-pointer");
	*out = NULL;
	oyl_actor *a = oyl__calloc(1, sizeof *a);
	if (!a)
		return oyl__fail(db, OYL_ENOMEM, "out of memory creating an actor");
	a->magic = OYL_ACTOR_MAGIC;
	a->db = db;
	a->role = OYL_ROLE_SUPERADMIN;
	*out = a;
	return oyl__ok(db);
}

OYL_API int oyl_actor_role(const oyl_actor *actor)
{
	return (actor && actor->magic == OYL_ACTOR_MAGIC) ? actor->role : 0;
}

OYL_API const char *oyl_actor_tenant_id(const oyl_actor *actor)
{
	if (!actor || actor->magic != OYL_ACTOR_MAGIC || !actor->tenant_id[0])
		return NULL;
	return actor->tenant_id;
}

OYL_API oyl_db *oyl_actor_db(const oyl_actor *actor)
{
	return oyl__actor_db(actor);
}

OYL_API void oyl_actor_free(oyl_actor *actor)
{
	if (!actor || actor->magic != OYL_ACTOR_MAGIC)
		return;
	actor->magic = 0;
	oyl__free(actor);
}

OYL_API const char *oyl_actor_user_id(const oyl_actor *actor)
{
	if (!actor || actor->magic != OYL_ACTOR_MAGIC || !actor->id[0])
		return NULL;
	return actor->id;
}
