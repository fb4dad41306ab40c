/*
 * API keys: "oyl_<12-char prefix>_<43-char secret>", base62.  The prefix
 * is stored as is, for lookup and display; the secret only as SHA-256,
 * compared in constant time.  Keys belong to tenant users and do not
 * expire; revoking one keeps its record (revoked_at) for the audit.
 */
#include <ctype.h>
#include <string.h>

#include "core/validate.h"
#include "identity/secret.h"
#include "model/user_internal.h"

#define KEY_TAG "oyl_"
#define PREFIX_LEN 12
#define SECRET_LEN 43
#define KEY_LEN (sizeof KEY_TAG - 1 + PREFIX_LEN + 1 + SECRET_LEN)
#define BAD_KEY "invalid API key"

static const oyl__kind kind_api_key = {&oyl__t_api_keys, "API key", "api_key", NULL,
				       API_KEYS_tenant_id, API_KEYS_created_at, -1,
				       OYL__USER_READ_OTHERS, OYL__USER_MANAGE, NULL, 0};

/* Reads (with the call's batch) the user whose keys these are: a
 * tenant's user the actor can see and may manage (self, or an admin). */
static int owner_check(oyl_db *db, const oyl_actor *actor, const oyl__batch *bt,
		       const oyl__user_reads *reads, const char *user_id, const oyl__record **user)
{
	int is_account = 0;
	int rc = oyl__user_found(db, actor, bt, reads, user_id, user, &is_account);
	if (rc == OYL_OK && is_account)
		rc = oyl__fail(db, OYL_EINVAL, "user_id: API keys belong to tenant users, "
					       "not superadmin accounts");
	if (rc == OYL_OK)
		rc = oyl__may_manage_user(db, actor, *user, 0, 1);
	return rc;
}

/* A key row the actor can see: its owner's keys are the actor's to
 * manage when they are its own, or when it is an admin. */
static int key_owner_check(oyl_db *db, const oyl_actor *actor, const oyl__record *key)
{
	if (oyl__is_self(actor, oyl__record_text(key, API_KEYS_user_id)))
		return OYL_OK;
	return oyl__authorize(db, actor, OYL__USER_MANAGE);
}

OYL_API int oyl_api_key_create(oyl_actor *actor, const char *user_id, const char *name,
			       oyl_api_key **out, char **secret)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db)
		return rc;
	if (!secret)
		return oyl__fail(db, OYL_EMISUSE, "oyl_api_key_create: NULL secret out-pointer");
	*secret = NULL;
	char uid[OYL_UUID_LEN + 1];
	if ((rc = oyl__check_id(db, "user_id", user_id, uid)) || (rc = oyl__check_name(db, "name", name)))
		return rc;
	char key[KEY_LEN + 1] = KEY_TAG, prefix[PREFIX_LEN + 1], hash[OYL_SHA256_HEX + 1];
	char *secret_part = key + sizeof KEY_TAG - 1 + PREFIX_LEN + 1;
	if (oyl__random_base62(prefix, PREFIX_LEN) || oyl__random_base62(secret_part, SECRET_LEN) ||
	    oyl__sha256_hex(secret_part, SECRET_LEN, hash))
		return oyl__fail(db, OYL_ERROR, "could not make an API key");
	memcpy(key + sizeof KEY_TAG - 1, prefix, PREFIX_LEN);
	key[sizeof KEY_TAG - 1 + PREFIX_LEN] = '_';

	if ((rc = oyl__actor_begin(db, actor, OYL_TXN_WRITE)))
		return rc;
	oyl__batch bt;
	oyl__user_reads reads;
	oyl__batch_begin(&bt, db);
	oyl__user_read(&bt, actor, uid, OYL__LOCK_NONE, &reads);
	rc = oyl__batch_run(&bt);
	const oyl__record *user = NULL;
	if (rc == OYL_OK)
		rc = owner_check(db, actor, &bt, &reads, uid, &user);
	char id[OYL_UUID_LEN + 1];
	oyl__uuid_new(id);
	oyl_value v[API_KEYS__N];
	const char *tenant = user ? oyl__record_text(user, USERS_tenant_id) : NULL;
	v[API_KEYS_id] = oyl__val_text(OYL_TYPE_UUID, id);
	v[API_KEYS_tenant_id] = oyl__val_text(OYL_TYPE_UUID, tenant);
	v[API_KEYS_user_id] = oyl__val_text(OYL_TYPE_UUID, uid);
	v[API_KEYS_name] = oyl__val_text(OYL_TYPE_TEXT, name);
	v[API_KEYS_prefix] = oyl__val_text(OYL_TYPE_TEXT, prefix);
	v[API_KEYS_key_hash] = oyl__val_text(OYL_TYPE_TEXT, hash);
	v[API_KEYS_last_used_at] = oyl__val_null();
	v[API_KEYS_revoked_at] = oyl__val_null();
	v[API_KEYS_created_at] = oyl__val_int(OYL_TYPE_TIME, oyl__now());
	if (rc == OYL_OK)
		rc = oyl__insert(db, tenant, &kind_api_key, v);
	if (rc == OYL_OK)
		rc = oyl__audit(db, actor, tenant, "create", &kind_api_key, id, NULL);
	if (rc == OYL_OK && !(*secret = oyl__strdup(key)))
		rc = oyl__fail(db, OYL_ENOMEM, "out of memory making an API key");
	rc = oyl__finish_create(db, rc, &oyl__t_api_keys, v, out);
	oyl__batch_free(&bt);
	oyl__wipe(key, sizeof key);
	if (rc != OYL_OK && *secret) {
		oyl__wipe(*secret, strlen(*secret));
		oyl__free(*secret);
		*secret = NULL;
	}
	return rc;
}

/* Reads a key the actor can see and may manage, in one batch. */
static int visible_key(oyl_db *db, const oyl_actor *actor, const char *id, oyl__lock lock,
		       oyl__batch *bt, int *k, const oyl__record **key)
{
	oyl__batch_begin(bt, db);
	*k = oyl__batch_get(bt, oyl__actor_scope(actor), &oyl__t_api_keys, id, lock);
	int rc = oyl__batch_run(bt);
	*key = oyl__batch_row(bt, *k);
	if (rc == OYL_OK)
		rc = oyl__visible(db, actor, &kind_api_key, *key, id);
	if (rc == OYL_OK)
		rc = key_owner_check(db, actor, *key);
	return rc;
}

OYL_API int oyl_api_key_get(oyl_actor *actor, const char *id, oyl_api_key **out)
{
	int rc;
	char key[OYL_UUID_LEN + 1];
	oyl_db *db = oyl__enter_out(actor, out, "oyl_api_key_get", &rc);
	if (!db || (rc = oyl__check_id(db, "id", id, key)))
		return rc;
	if ((rc = oyl__actor_begin(db, actor, OYL_TXN_READ)))
		return rc;
	oyl__batch bt;
	const oyl__record *row = NULL;
	int k = -1;
	rc = visible_key(db, actor, key, OYL__LOCK_NONE, &bt, &k, &row);
	oyl__record *rec = rc == OYL_OK ? oyl__batch_take(&bt, k) : NULL;
	oyl__batch_free(&bt);
	return oyl__finish_read(db, rc, rec, out);
}

OYL_API int oyl_api_key_list(oyl_actor *actor, const char *user_id, const oyl_list_options *opts,
			     oyl_page **out)
{
	int rc;
	oyl_db *db = oyl__enter_out(actor, out, "oyl_api_key_list", &rc);
	if (!db)
		return rc;
	char uid[OYL_UUID_LEN + 1];
	if ((rc = oyl__check_id(db, "user_id", user_id, uid)))
		return rc;
	oyl_filter f = oyl__eq(API_KEYS_user_id, OYL_TYPE_UUID, uid);
	oyl__page_plan plan;
	if ((rc = oyl__page_plan_make(db, &oyl__t_api_keys, API_KEYS_created_at, &f, 1, opts, &plan)))
		return rc;
	if ((rc = oyl__actor_begin(db, actor, OYL_TXN_READ))) {
		oyl__page_plan_drop(&plan);
		return rc;
	}
	/* the owner and the page of keys together */
	oyl__batch bt;
	oyl__user_reads reads;
	oyl__batch_begin(&bt, db);
	oyl__user_read(&bt, actor, uid, OYL__LOCK_NONE, &reads);
	oyl__page_plan_reads(&plan, &bt, oyl__actor_scope(actor));
	rc = oyl__batch_run(&bt);
	const oyl__record *user = NULL;
	if (rc == OYL_OK)
		rc = owner_check(db, actor, &bt, &reads, uid, &user);
	if (rc == OYL_OK)
		rc = oyl__page_plan_finish(db, &plan, &bt);
	oyl__batch_free(&bt);
	return oyl__finish_list(db, rc, &plan, out);
}

OYL_API int oyl_api_key_revoke(oyl_actor *actor, const char *id)
{
	int rc;
	char key[OYL_UUID_LEN + 1];
	oyl_db *db = oyl__enter(actor, NULL, &rc);
	if (!db || (rc = oyl__check_id(db, "id", id, key)))
		return rc;
	if ((rc = oyl__actor_begin(db, actor, OYL_TXN_WRITE)))
		return rc;
	oyl__batch bt;
	const oyl__record *rec = NULL;
	int k = -1;
	rc = visible_key(db, actor, key, OYL__LOCK_ROW, &bt, &k, &rec);
	if (rc == OYL_OK && rec->vals[API_KEYS_revoked_at].type != OYL_TYPE_NULL)
		rc = oyl__fail(db, OYL_EINVAL, "API key %s is already revoked", key);
	if (rc == OYL_OK) {
		const char *tenant = oyl__record_text(rec, API_KEYS_tenant_id);
		int locked = oyl__batch_locked(&bt, k);
		oyl_filter f = oyl__eq(0, OYL_TYPE_UUID, key);
		oyl_assign set = {API_KEYS_revoked_at, oyl__val_int(OYL_TYPE_TIME, oyl__now())};
		oyl__note note = {"revoking the API key", NULL, NULL};
		int64_t changed = 0;
		rc = oyl__write_update(db, tenant, &oyl__t_api_keys, &f, 1, &set, 1,
				       locked ? NULL : &changed, &note);
		if (rc == OYL_OK && !locked && changed != 1)
			rc = oyl__fail(db, OYL_ENOTFOUND, "API key %s not found", key);
		if (rc == OYL_OK)
			rc = oyl__audit(db, actor, tenant, "revoke", &kind_api_key, key, NULL);
	}
	rc = oyl__txn_end(db, rc);
	oyl__batch_free(&bt);
	return rc == OYL_OK ? oyl__ok(db) : rc;
}

/* Splits a key into prefix and secret; 0 when its shape is wrong. */
static int parse_key(const char *key, char prefix[PREFIX_LEN + 1], const char **secret)
{
	if (!key || strnlen(key, KEY_LEN + 1) != KEY_LEN ||
	    strncmp(key, KEY_TAG, sizeof KEY_TAG - 1) != 0 ||
	    key[sizeof KEY_TAG - 1 + PREFIX_LEN] != '_')
		return 0;
	for (size_t i = sizeof KEY_TAG - 1; i < KEY_LEN; i++)
		if (i != sizeof KEY_TAG - 1 + PREFIX_LEN && !isalnum((unsigned char)key[i]))
			return 0;
	memcpy(prefix, key + sizeof KEY_TAG - 1, PREFIX_LEN);
	prefix[PREFIX_LEN] = '\0';
	*secret = key + sizeof KEY_TAG - 1 + PREFIX_LEN + 1;
	return 1;
}

typedef struct key_match {
	const char *hash;
	oyl__record *found;
} key_match;

/* Compares every key with the prefix, in constant time per key. */
static int match_cb(const oyl_value *vals, size_t n, void *payload)
{
	key_match *m = payload;
	if (!m->found && vals[API_KEYS_key_hash].n == OYL_SHA256_HEX &&
	    oyl__ct_equal(vals[API_KEYS_key_hash].s, m->hash, OYL_SHA256_HEX))
		return oyl__record_copy(&oyl__t_api_keys, vals, n, &m->found);
	return OYL_OK;
}

OYL_API int oyl_actor_from_api_key(oyl_db *db, const char *key, oyl_actor **out)
{
	if (!oyl__db_check(db))
		return OYL_EMISUSE;
	if (!out)
		return oyl__fail(db, OYL_EMISUSE, "oyl_actor_from_api_key: NULL out-pointer");
	*out = NULL;
	oyl__ok(db);
	char prefix[PREFIX_LEN + 1], hash[OYL_SHA256_HEX + 1];
	const char *secret;
	/* A malformed key is refused before any query. */
	if (!parse_key(key, prefix, &secret) || oyl__sha256_hex(secret, SECRET_LEN, hash))
		return oyl__fail(db, OYL_EAUTH, BAD_KEY);
	/* The prefix's tenant first, then the key read in that tenant's scope
	 * only: nothing of any other tenant is opened to find it. */
	char where[OYL_UUID_LEN + 1], key_id[OYL_UUID_LEN + 1];
	int rc = oyl__locate(db, &oyl__t_api_keys, API_KEYS_prefix, prefix, where, key_id);
	if (rc == OYL_ENOTFOUND || (rc == OYL_OK && !where[0]))
		return oyl__fail(db, OYL_EAUTH, BAD_KEY);
	if (rc == OYL_OK)
		rc = oyl__txn_begin(db, NULL, where, OYL_TXN_WRITE);
	if (rc)
		return rc;
	/* the keys of that prefix (one, but compared all the same), then their user */
	oyl_filter f = oyl__eq(API_KEYS_prefix, OYL_TYPE_TEXT, prefix);
	oyl_query q = {&f, 1, API_KEYS_created_at, 0, NULL, NULL, 0, 0};
	key_match m = {hash, NULL};
	oyl__batch bt;
	oyl__batch_init(&bt, db);
	oyl__batch_list(&bt, where, &oyl__t_api_keys, &q, match_cb, &m);
	rc = oyl__batch_execute(&bt);
	oyl__batch_free(&bt);
	if (rc == OYL_OK && (!m.found || m.found->vals[API_KEYS_revoked_at].type != OYL_TYPE_NULL))
		rc = oyl__fail(db, OYL_EAUTH, BAD_KEY);
	const char *tenant = m.found ? oyl__record_text(m.found, API_KEYS_tenant_id) : NULL;
	int user = -1;
	oyl__batch_init(&bt, db);
	if (rc == OYL_OK) {
		user = oyl__batch_get(&bt, tenant, &oyl__t_users,
				      oyl__record_text(m.found, API_KEYS_user_id), OYL__LOCK_NONE);
		rc = oyl__batch_execute(&bt);
	}
	if (rc == OYL_OK && !oyl__batch_row(&bt, user))
		rc = oyl__fail(db, OYL_EAUTH, BAD_KEY);
	if (rc == OYL_OK) {
		oyl_filter by_id = oyl__eq(0, OYL_TYPE_UUID, oyl__record_text(m.found, 0));
		oyl_assign set = {API_KEYS_last_used_at, oyl__val_int(OYL_TYPE_TIME, oyl__now())};
		oyl__note note = {"updating the API key", NULL, NULL};
		rc = oyl__write_update(db, tenant, &oyl__t_api_keys, &by_id, 1, &set, 1, NULL, &note);
	}
	if (rc == OYL_OK)
		rc = oyl__actor_from_row(db, oyl__batch_row(&bt, user), 0, NULL, out);
	oyl__batch_free(&bt);
	oyl__record_free(m.found);
	rc = oyl__txn_end(db, rc);
	if (rc != OYL_OK) {
		oyl_actor_free(*out);
		*out = NULL;
		return rc;
	}
	return oyl__ok(db);
}

OYL_API const oyl_api_key *oyl_page_api_key(const oyl_page *page, size_t i)
{
	return oyl__page_item(page, kind_api_key.t, i);
}

OYL__TEXT_GETTER(oyl_api_key_id, oyl_api_key, kind_api_key, API_KEYS_id)
OYL__TEXT_GETTER(oyl_api_key_tenant_id, oyl_api_key, kind_api_key, API_KEYS_tenant_id)
OYL__TEXT_GETTER(oyl_api_key_user_id, oyl_api_key, kind_api_key, API_KEYS_user_id)
OYL__TEXT_GETTER(oyl_api_key_name, oyl_api_key, kind_api_key, API_KEYS_name)
OYL__TEXT_GETTER(oyl_api_key_prefix, oyl_api_key, kind_api_key, API_KEYS_prefix)
OYL__INT_GETTER(oyl_api_key_last_used_at, oyl_api_key, kind_api_key, API_KEYS_last_used_at)
OYL__INT_GETTER(oyl_api_key_revoked_at, oyl_api_key, kind_api_key, API_KEYS_revoked_at)
OYL__INT_GETTER(oyl_api_key_created_at, oyl_api_key, kind_api_key, API_KEYS_created_at)
OYL__RECORD_BASICS(oyl_api_key, oyl_api_key, kind_api_key)
