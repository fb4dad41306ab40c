/*
 * Chat's internal parts: a session's turn as oyl_chat_send carries it
 * from the question's transaction, through retrieval and the provider
 * (no transaction open), to the answer's transaction; and the routing of
 * a teammate's session to one of its assistants.
 */
#ifndef OYL_CHAT_CHAT_H
#define OYL_CHAT_CHAT_H

#include "access/actor.h"
#include "access/permissions.h"
#include "records/page.h"
#include "records/schema.h"

/* Earlier messages read for the prompt's history, at most. */
#define OYL__CHAT_HISTORY_MAX 40

/* An assistant that may answer: its row and its instruction (or NULL). */
typedef struct oyl__responder {
	oyl__record *assistant;
	char *instruction; /* oyl__malloc'd copy, or NULL */
} oyl__responder;

/*
 * Who answers a session: its assistant, or for a teammate's session the
 * one its orchestration config routes to (`first`), and the fallback
 * assistant to try when the first one's provider fails before any token
 * (`second`, may be empty).
 */
typedef struct oyl__route {
	oyl__responder first, second;
} oyl__route;

/* More reads for the batch that reads the first responder's instruction
 * (the caller's for that assistant, sharing the round trip). */
typedef void (*oyl__route_also)(oyl__batch *bt, const char *assistant_id, void *ctx);

/*
 * Inside the question's write transaction, after the session was read:
 * picks the responders.  A teammate's round robin advances its position
 * in storage in this transaction (the teammate's row locked).  ENOTFOUND
 * when the session's assistant or teammate was deleted; EINVAL when a
 * teammate's config names no assistant that still exists.  `also` (when
 * not NULL) adds the caller's reads for the first responder to the batch
 * that reads its instruction.
 */
int oyl__route_pick(oyl_db *db, oyl_actor *actor, const oyl__record *session, oyl__route *r,
		    oyl__route_also also, void *ctx);
void oyl__route_free(oyl__route *r);

/*
 * In a call's transaction, after the message row `m` (or NULL) was read:
 * OYL_OK when it is in one of the actor's own sessions (the session is
 * read here); else ENOTFOUND "message <key> not found", as for a message
 * that does not exist.
 */
int oyl__message_owned(oyl_db *db, oyl_actor *actor, const oyl__record *m, const char *key);

#endif
