/*
 * Actors: who is acting.  An actor is not a cached authorisation: every
 * call re-reads its user (role, tenant, existence) in the first round
 * trip of its own transaction, so a demotion shows at the next call and a
 * deleted user's actor gets OYL_EAUTH.
 */
#ifndef OYL_ACCESS_ACTOR_H
#define OYL_ACCESS_ACTOR_H

#include "records/batch.h"

/* The tenant an actor is confined to, or NULL for the platform (and for
 * an actor whose tenant is not known yet: its first batch finds it). */
const char *oyl__actor_scope(const oyl_actor *actor);

/*
 * Opens the call's transaction (OYL_TXN_*) in the actor's scope.  An actor
 * met for the first time (oyl_actor_for_user of a user this handle has
 * not read) is placed first: its user's tenant looked up (locate(), a
 * round trip of its own), OYL_EAUTH when there is no such user.
 */
int oyl__actor_begin(oyl_db *db, oyl_actor *actor, unsigned flags);

/*
 * 1 when the actor acts for the platform (the host's superadmin, or a
 * superadmin account): only such an actor's calls may read the platform's
 * own tables (superadmin accounts, the platform's audit log), which a
 * tenant's transaction cannot even read behind PostgreSQL's wall.  Known
 * once oyl__actor_begin() placed the actor: a user's tenant never changes.
 */
int oyl__actor_is_platform(const oyl_actor *actor);

/*
 * Starts a read batch of the current call; the transaction's first one
 * also reads the actor's user.  Run it with oyl__batch_run(), which then
 * refreshes the actor's role (and tenant) or fails with OYL_EAUTH.
 */
void oyl__batch_begin(oyl__batch *bt, oyl_db *db);
int oyl__batch_run(oyl__batch *bt);
/* The same, as the transaction's last batch: it ends the transaction too,
 * committing it with the reads in one exchange where the backend can
 * (oyl__batch_execute_end); the status of both. */
int oyl__batch_run_end(oyl__batch *bt);

/*
 * For calls whose reads depend on who the actor is (its tenant, or its
 * role): an actor whose user this handle has never met is read now, in a
 * batch of its own; any other is read with the call's batch as usual.
 */
int oyl__actor_ready(oyl_db *db, const oyl_actor *actor);

/* A new actor of a stored user (users or superadmins row). */
int oyl__actor_from_row(oyl_db *db, const oyl__record *row, int is_account,
			const char *session_id, oyl_actor **out);

/* Tells the handle a user's tenant ("" or NULL: a superadmin account)
 * and role, as a new actor of that user will start with them. */
void oyl__remember_user(oyl_db *db, const char *id, const char *tenant, int role);

/* Roles as stored ("tenant_admin", "user"; superadmin accounts have none). */
const char *oyl__role_text(int role);
int oyl__role_from_text(const char *s);

#endif
