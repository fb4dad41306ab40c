/*
 * API keys: "oyl_<12-char prefix>_<43-char secret>", base62.  The prefix
 * is stored as is, for lookup and display; the secret only as SHA-256,
 * compared in constant time.  Keys belong to tenant users and do not
 * expire; revoking one keeps its record (revoked_at) for the audit.
 */
#include <ctype.h>
#include <string.h>

#include "identity/secret.h"
#include "model/user_internal.h"
#include "core/validate.h"

#define KEY_TAG "oyl_"
#define PREFIX_LEN 12
#define SECRET_LEN 43
#define KEY_LEN (sizeof KEY_TAG - 1 + PREFIX_LEN + 1 + SECRET_LEN)
#define BAD_KEY "invalid API key"

static const oyl__kind kind_api_key = {&oyl__t_api_keys, "API key", "api_key", NULL,
				       API_KEYS_tenant_id, API_KEYS_created_at, -1,
				       OYL__USER_READ_OTHERS, OYL__USER_MANAGE, NULL};

/* Finds the key's owner and checks the actor may manage their keys:
 * their own, or an admin's (tenant_admin in the tenant, superadmin). */
static int owner_check(oyl_db *db, const oyl_actor *actor, const char *user_id,
		       oyl__record **user)
{
	int is_account = 0;
	int rc = oyl__find_user(db, actor, user_id, user, &is_account);
	if (rc == OYL_OK && is_account)
		rc = oyl__fail(db, OYL_EINVAL, "user_id: API keys belong to tenant users, "
					       "not superadmin accounts");
	if (rc == OYL_OK)
		rc = oyl__may_manage_user(db, actor, *user, 0, 1);
	return rc;
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

	if ((rc = oyl__txn_begin(db, oyl__actor_scope(actor), OYL_TXN_WRITE)))
		return rc;
	oyl__record *user = NULL;
	rc = owner_check(db, actor, uid, &user);
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
	rc = oyl__finish_create(db, rc, &kind_api_key, v, out);
	oyl__record_free(user);
	oyl__wipe(key, sizeof key);
	if (rc != OYL_OK && *secret) {
		oyl__wipe(*secret, strlen(*secret));
		oyl__free(*secret);
		*secret = NULL;
	}
	return rc;
}

/* Reads a key the actor can see and may manage. */
static int visible_key(oyl_db *db, const oyl_actor *actor, const char *id, oyl__record **key)
{
	oyl__record *user = NULL;
	int rc = oyl__fetch_visible(db, actor, &kind_api_key, id, key);
	if (rc == OYL_OK)
		rc = owner_check(db, actor, oyl__record_text(*key, API_KEYS_user_id), &user);
	oyl__record_free(user);
	return rc;
}

OYL_API int oyl_api_key_get(oyl_actor *actor, const char *id, oyl_api_key **out)
{
	int rc;
	char key[OYL_UUID_LEN + 1];
	oyl_db *db = oyl__begin_on_id(actor, out, "oyl_api_key_get", "id", id, key, OYL_TXN_READ, &rc);
	if (!db)
		return rc;
	oyl__record *rec = NULL;
	rc = visible_key(db, actor, key, &rec);
	return oyl__finish_read(db, rc, rec, out);
}

OYL_API int oyl_api_key_list(oyl_actor *actor, const char *user_id, const oyl_list_options *opts,
			     oyl_page **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db)
		return rc;
	if (!out)
		return oyl__fail(db, OYL_EMISUSE, "oyl_api_key_list: NULL out-pointer");
	char uid[OYL_UUID_LEN + 1];
	if ((rc = oyl__check_id(db, "user_id", user_id, uid)))
		return rc;
	if ((rc = oyl__txn_begin(db, oyl__actor_scope(actor), OYL_TXN_READ)))
		return rc;
	oyl__record *user = NULL;
	rc = owner_check(db, actor, uid, &user);
	if (rc == OYL_OK) {
		oyl_filter f = oyl__eq(API_KEYS_user_id, OYL_TYPE_UUID, uid);
		rc = oyl__list_rows(db, oyl__record_text(user, USERS_tenant_id), &kind_api_key, &f, 1,
				    opts, out);
	}
	oyl__record_free(user);
	return oyl__finish_list(db, rc, out);
}

OYL_API int oyl_api_key_revoke(oyl_actor *actor, const char *id)
{
	int rc;
	char key[OYL_UUID_LEN + 1];
	oyl_db *db = oyl__begin_on_id(actor, NULL, NULL, "id", id, key, OYL_TXN_WRITE, &rc);
	if (!db)
		return rc;
	oyl__record *rec = NULL;
	rc = visible_key(db, actor, key, &rec);
	if (rc == OYL_OK && rec->vals[API_KEYS_revoked_at].type != OYL_TYPE_NULL)
		rc = oyl__fail(db, OYL_EINVAL, "API key %s is already revoked", key);
	if (rc == OYL_OK) {
		const char *tenant = oyl__record_text(rec, API_KEYS_tenant_id);
		oyl_scope s = {tenant};
		oyl_filter f = oyl__eq(0, OYL_TYPE_UUID, key);
		oyl_assign set = {API_KEYS_revoked_at, oyl__val_int(OYL_TYPE_TIME, oyl__now())};
		rc = db->backend->update(db->backend, &s, &oyl__t_api_keys, &f, 1, &set, 1, NULL);
		if (rc != OYL_OK)
			rc = oyl__fail_backend(db, rc, "revoking the API key");
		else
			rc = oyl__audit(db, actor, tenant, "revoke", &kind_api_key, key, NULL);
	}
	oyl__record_free(rec);
	rc = oyl__txn_end(db, rc);
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
	int rc = oyl__txn_begin(db, NULL, OYL_TXN_WRITE);
	if (rc)
		return rc;
	oyl_filter f = oyl__eq(API_KEYS_prefix, OYL_TYPE_TEXT, prefix);
	oyl_query q = {&f, 1, 0, 0, NULL, NULL, 0, 0};
	oyl_scope platform = {NULL};
	key_match m = {hash, NULL};
	oyl__record *user = NULL;
	rc = db->backend->list(db->backend, &platform, &oyl__t_api_keys, &q, match_cb, &m);
	if (rc != OYL_OK)
		rc = rc == OYL_ENOMEM ? oyl__fail(db, rc, "out of memory reading the API key")
				      : oyl__fail_backend(db, rc, "looking up the API key");
	else if (!m.found || m.found->vals[API_KEYS_revoked_at].type != OYL_TYPE_NULL)
		rc = oyl__fail(db, OYL_EAUTH, BAD_KEY);
	int is_account = 0;
	if (rc == OYL_OK) {
		oyl_actor as_platform = {OYL_ACTOR_MAGIC, db, OYL_ROLE_SUPERADMIN, "", "", ""};
		rc = oyl__find_user(db, &as_platform, oyl__record_text(m.found, API_KEYS_user_id),
				    &user, &is_account);
		if (rc == OYL_ENOTFOUND)
			rc = oyl__fail(db, OYL_EAUTH, BAD_KEY);
	}
	if (rc == OYL_OK) {
		oyl_scope s = {oyl__record_text(m.found, API_KEYS_tenant_id)};
		oyl_filter by_id = oyl__eq(0, OYL_TYPE_UUID, oyl__record_text(m.found, 0));
		oyl_assign set = {API_KEYS_last_used_at, oyl__val_int(OYL_TYPE_TIME, oyl__now())};
		rc = db->backend->update(db->backend, &s, &oyl__t_api_keys, &by_id, 1, &set, 1, NULL);
		if (rc != OYL_OK)
			rc = oyl__fail_backend(db, rc, "updating the API key");
	}
	if (rc == OYL_OK)
		rc = oyl__actor_from_row(db, user, is_account, NULL, out);
	oyl__record_free(m.found);
	oyl__record_free(user);
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
	return oyl__page_item(page, &kind_api_key, i);
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
