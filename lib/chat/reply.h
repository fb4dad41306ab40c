/*
 * The reply of oyl_chat_send: the stored answer, who gave it, its usage
 * and its citations (records like those oyl_chat_citations lists).
 */
#ifndef OYL_CHAT_REPLY_H
#define OYL_CHAT_REPLY_H

#include "chat/cite.h"
#include "records/record.h"
#include "records/schema.h"

typedef struct oyl__reply {
	char message_id[OYL_UUID_LEN + 1];
	char question_id[OYL_UUID_LEN + 1];
	char assistant_id[OYL_UUID_LEN + 1];
	char provider[OYL__EMBEDDER_NAME_MAX + 1];
	char model[201];
	int64_t prompt_tokens, completion_tokens;
	int estimated;
	oyl__cites cites;           /* the answer as stored, the passages it cites */
	oyl_search_results *search; /* the passages, until the answer is stored */
	/* the citations' rows (borrowing from `search`) and their records */
	oyl_value (*citation_rows)[MESSAGE_CITATIONS__N];
	oyl__record **citations;
	size_t ncitations;
} oyl__reply;

oyl__reply *oyl__reply_new(void);
void oyl__reply_free(oyl__reply *r);
/* Frees the search results (after a failed attempt, or once stored). */
void oyl__reply_reset_search(oyl__reply *r);
/* Makes the citations' rows and records from the cited passages. */
int oyl__reply_citations(oyl_db *db, oyl__reply *r, const char *tenant, int64_t at);

#endif
