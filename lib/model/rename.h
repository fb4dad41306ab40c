/* The common update of the hierarchy: a new name. */
#ifndef OYL_MODEL_RENAME_H
#define OYL_MODEL_RENAME_H

#include "model/kind.h"

/* Renames a record of kind k (name NULL: unchanged) and hands it out. */
int oyl__rename(oyl_actor *actor, const oyl__kind *k, int name_col, const char *id,
		const char *name, void *out);

#endif
