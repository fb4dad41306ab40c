/* Validation of a teammate's orchestration config against storage. */
#ifndef OYL_CORE_ORCHESTRATION_H
#define OYL_CORE_ORCHESTRATION_H

#include "model/kind.h"

/* config: a JSON object already checked by oyl__check_json_object.
 * teammate_id NULL: a teammate being created (it has no assistants). */
int oyl__check_orchestration(oyl_db *db, const char *tenant, const char *teammate_id,
			     const char *config);

#endif
