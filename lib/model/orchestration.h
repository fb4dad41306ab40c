/*
 * A teammate's orchestration config, checked in two steps: its shape
 * before any transaction (oyl__orch_parse: keys, strategy, assistant ids,
 * fallback), then, inside the update's transaction, that every listed
 * assistant is one of the teammate's (its assistants are read in the
 * call's one batch of reads).
 */
#ifndef OYL_MODEL_ORCHESTRATION_H
#define OYL_MODEL_ORCHESTRATION_H

#include "model/kind.h"

#define OYL__ORCH_MAX_ASSISTANTS 64

typedef struct oyl__orch {
	char ids[OYL__ORCH_MAX_ASSISTANTS][OYL_UUID_LEN + 1]; /* listed, lowercase */
	size_t nids;
	/* filled by the batch: the teammate's assistants */
	char (*found)[OYL_UUID_LEN + 1];
	size_t nfound, cap_found;
	oyl_filter by_teammate;
	oyl_query query;
	int read;
} oyl__orch;

/* Checks a config already checked by oyl__check_json_object.  A new
 * teammate (`is_new`) has no assistants to list. */
int oyl__orch_parse(oyl_db *db, const char *config, int is_new, oyl__orch *o);
/* Adds the read of the teammate's assistants to the update's batch. */
void oyl__orch_reads(oyl__orch *o, oyl__batch *bt, const char *scope, const char *teammate_id);
/* After the batch ran: every listed assistant is the teammate's, or EINVAL. */
int oyl__orch_check(oyl_db *db, const oyl__orch *o);
void oyl__orch_free(oyl__orch *o);

#endif
