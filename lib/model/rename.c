/* The common update of the hierarchy: a new name (see rename.h). */
#include "core/validate.h"
#include "model/rename.h"

int oyl__rename(oyl_actor *actor, const oyl__kind *k, int name_col, const char *id,
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
	return oyl__update_public(actor, k, id, set, n, NULL, out);
}
