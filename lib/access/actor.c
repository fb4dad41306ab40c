/*
 * Actors: who is acting.  Role and tenant come from storage, never from
 * the caller (the bootstrap superadmin is the host's own authority), and
 * are read again by every call (actor.h).
 *
 * oyl_actor_for_user reads nothing: its actor's user is read by the
 * actor's first call, in that call's first round trip.  A user's tenant
 * never changes, so the handle remembers the tenants of the users it has
 * met: an actor made again for one of them starts in its tenant's scope.
 * One it has not met starts in the platform's for its first batch, which
 * finds the tenant (its reads are then checked against it, as always).
 */
#include <string.h>

#include "access/actor.h"
#include "records/schema.h"

const char *oyl__actor_scope(const oyl_actor *actor)
{
	return actor->tenant_known && actor->tenant_id[0] ? actor->tenant_id : NULL;
}

const char *oyl__role_text(int role)
{
	switch (role) {
	case OYL_ROLE_TENANT_ADMIN:
		return "tenant_admin";
	case OYL_ROLE_USER:
		return "user";
	default:
		return NULL;
	}
}

int oyl__role_from_text(const char *s)
{
	if (s && strcmp(s, "tenant_admin") == 0)
		return OYL_ROLE_TENANT_ADMIN;
	if (s && strcmp(s, "user") == 0)
		return OYL_ROLE_USER;
	return 0;
}

/* ---- the users this handle has met ------------------------------------ */

static oyl__known_user *find_known(oyl_db *db, const char *id)
{
	for (size_t i = 0; i < OYL_KNOWN_USERS; i++)
		if (db->known[i].id[0] && strcmp(db->known[i].id, id) == 0)
			return &db->known[i];
	return NULL;
}

void oyl__remember_user(oyl_db *db, const char *id, const char *tenant, int role)
{
	oyl__known_user *k = find_known(db, id);
	if (!k) {
		k = &db->known[db->next_known];
		db->next_known = (db->next_known + 1) % OYL_KNOWN_USERS;
	}
	memcpy(k->id, id, sizeof k->id);
	memcpy(k->tenant_id, tenant ? tenant : "", tenant ? sizeof k->tenant_id : 1);
	k->role = role;
}

static void remember(oyl_db *db, const oyl_actor *a)
{
	oyl__remember_user(db, a->id, a->tenant_id, a->role);
}

/* ---- the actor's scope ------------------------------------------------ */

/* Its tenant from the e-mail registry, whose row id is the user's. */
static int place(oyl_db *db, oyl_actor *a)
{
	char tenant[OYL_UUID_LEN + 1], id[OYL_UUID_LEN + 1];
	int rc = oyl__locate(db, &oyl__t_user_emails, USER_EMAILS_id, a->id, tenant, id);
	if (rc == OYL_ENOTFOUND)
		return oyl__fail(db, OYL_EAUTH, "actor: user %s no longer exists", a->id);
	if (rc != OYL_OK)
		return rc;
	memcpy(a->tenant_id, tenant, sizeof a->tenant_id);
	a->is_account = !tenant[0];
	a->tenant_known = 1;
	return OYL_OK;
}

int oyl__actor_begin(oyl_db *db, oyl_actor *actor, unsigned flags)
{
	if (actor->id[0] && !actor->tenant_known) {
		int rc = place(db, actor);
		if (rc != OYL_OK)
			return rc;
	}
	return oyl__txn_begin(db, actor, NULL, flags);
}

int oyl__actor_is_platform(const oyl_actor *actor)
{
	return actor->tenant_known && !actor->tenant_id[0];
}

/* ---- the actor's user, read by each call ------------------------------ */

void oyl__batch_begin(oyl__batch *bt, oyl_db *db)
{
	oyl__batch_init(bt, db);
	oyl_actor *a = db->txn_actor;
	if (!a || db->actor_checked)
		return;
	if (!a->tenant_known || !a->is_account)
		bt->actor_user = oyl__batch_get(bt, oyl__actor_scope(a), &oyl__t_users, a->id,
						OYL__LOCK_NONE);
	if (!a->tenant_known || a->is_account)
		bt->actor_account = oyl__batch_get(bt, NULL, &oyl__t_superadmins, a->id,
						   OYL__LOCK_NONE);
}

/* Applies what the batch read of the actor's user. */
static int refresh(oyl__batch *bt)
{
	oyl_db *db = bt->db;
	oyl_actor *a = db->txn_actor;
	const oyl__record *user = oyl__batch_row(bt, bt->actor_user);
	const oyl__record *account = oyl__batch_row(bt, bt->actor_account);

	if (user) {
		a->role = oyl__role_from_text(oyl__record_text(user, USERS_role));
		a->is_account = 0;
		memcpy(a->tenant_id, oyl__record_text(user, USERS_tenant_id), OYL_UUID_LEN + 1);
	} else if (account) {
		a->role = OYL_ROLE_SUPERADMIN;
		a->is_account = 1;
		a->tenant_id[0] = '\0';
	} else {
		return oyl__fail(db, OYL_EAUTH, "actor: user %s no longer exists", a->id);
	}
	a->tenant_known = 1;
	db->actor_checked = 1;
	remember(db, a);
	return OYL_OK;
}

int oyl__batch_run(oyl__batch *bt)
{
	int rc = oyl__batch_execute(bt);
	if (rc == OYL_OK && (bt->actor_user >= 0 || bt->actor_account >= 0))
		rc = refresh(bt);
	return rc;
}

int oyl__batch_run_end(oyl__batch *bt)
{
	/* the actor's check decides before anything commits */
	if (bt->actor_user >= 0 || bt->actor_account >= 0)
		return oyl__txn_end(bt->db, oyl__batch_run(bt));
	return oyl__batch_execute_end(bt);
}

int oyl__actor_ready(oyl_db *db, const oyl_actor *actor)
{
	if (actor->tenant_known)
		return OYL_OK;
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	int rc = oyl__batch_run(&bt);
	oyl__batch_free(&bt);
	return rc;
}

/* ---- public ------------------------------------------------------------ */

oyl_db *oyl__actor_db(const oyl_actor *actor)
{
	if (!actor || actor->magic != OYL_ACTOR_MAGIC)
		return NULL;
	return oyl__db_check(actor->db);
}

static oyl_actor *new_actor(oyl_db *db)
{
	oyl_actor *a = oyl__calloc(1, sizeof *a);
	if (a) {
		a->magic = OYL_ACTOR_MAGIC;
		a->db = db;
	}
	return a;
}

OYL_API int oyl_actor_superadmin(oyl_db *db, oyl_actor **out)
{
	if (!oyl__db_check(db))
		return OYL_EMISUSE;
	if (!out)
		return oyl__fail(db, OYL_EMISUSE, "oyl_actor_superadmin: NULL out-pointer");
	*out = NULL;
	oyl_actor *a = new_actor(db);
	if (!a)
		return oyl__fail(db, OYL_ENOMEM, "out of memory creating an actor");
	a->role = OYL_ROLE_SUPERADMIN;
	a->tenant_known = 1;
	*out = a;
	return oyl__ok(db);
}

OYL_API int oyl_actor_for_user(oyl_db *db, const char *user_id, oyl_actor **out)
{
	if (!oyl__db_check(db))
		return OYL_EMISUSE;
	if (!out)
		return oyl__fail(db, OYL_EMISUSE, "oyl_actor_for_user: NULL out-pointer");
	*out = NULL;
	char id[OYL_UUID_LEN + 1];
	if (!user_id || !oyl__uuid_norm(user_id, id))
		return oyl__fail(db, OYL_EINVAL, "user_id: not a UUID");
	oyl_actor *a = new_actor(db);
	if (!a)
		return oyl__fail(db, OYL_ENOMEM, "out of memory creating an actor");
	memcpy(a->id, id, sizeof a->id);
	const oyl__known_user *k = find_known(db, id);
	if (k) {
		memcpy(a->tenant_id, k->tenant_id, sizeof a->tenant_id);
		a->role = k->role;
		a->is_account = !k->tenant_id[0];
		a->tenant_known = 1;
	}
	*out = a;
	return oyl__ok(db);
}

int oyl__actor_from_row(oyl_db *db, const oyl__record *row, int is_account,
			const char *session_id, oyl_actor **out)
{
	oyl_actor *a = new_actor(db);
	if (!a)
		return oyl__fail(db, OYL_ENOMEM, "out of memory creating an actor");
	memcpy(a->id, oyl__record_text(row, 0), sizeof a->id);
	a->is_account = is_account;
	a->tenant_known = 1;
	if (is_account) {
		a->role = OYL_ROLE_SUPERADMIN;
	} else {
		a->role = oyl__role_from_text(oyl__record_text(row, USERS_role));
		memcpy(a->tenant_id, oyl__record_text(row, USERS_tenant_id), sizeof a->tenant_id);
	}
	if (session_id)
		memcpy(a->session_id, session_id, sizeof a->session_id);
	remember(db, a);
	*out = a;
	return OYL_OK;
}

OYL_API int oyl_actor_role(const oyl_actor *actor)
{
	return (actor && actor->magic == OYL_ACTOR_MAGIC) ? actor->role : 0;
}

OYL_API const char *oyl_actor_tenant_id(const oyl_actor *actor)
{
	if (!actor || actor->magic != OYL_ACTOR_MAGIC || !actor->tenant_known || !actor->tenant_id[0])
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
