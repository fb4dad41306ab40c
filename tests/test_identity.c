/*
 * Identity: passwords (Argon2id), login sessions, API keys and tenant
 * quotas, on every backend.  Time is injected through the library's
 * clock hook; Argon2 work is counted through its test hook.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "identity/password.h"
#include "fault_backend.h"
#include "fixture.h"

static oyl_db *db;
static oyl_actor *root;
static char tenant_a[37], tenant_b[37], admin_a[37], user_a[37], user_b[37], ws_b[37];

static int64_t fake_now;
static int64_t fake_clock(void)
{
	return fake_now;
}

static void make_user(const char *tenant, const char *email, int role, char id[37])
{
	oyl_user *u = NULL;
	ck_assert_int_eq(oyl_user_create(root, tenant, email, "Person", role, &u), OYL_OK);
	memcpy(id, oyl_user_id(u), 37);
	oyl_user_free(u);
}

static void setup(void)
{
	oyl__set_clock(NULL);
	db = t_open();
	ck_assert_int_eq(oyl_actor_superadmin(db, &root), OYL_OK);
	oyl_tenant *a = NULL, *b = NULL;
	ck_assert_int_eq(oyl_tenant_create(root, "A", "a", NULL, &a), OYL_OK);
	ck_assert_int_eq(oyl_tenant_create(root, "B", "b", NULL, &b), OYL_OK);
	memcpy(tenant_a, oyl_tenant_id(a), 37);
	memcpy(tenant_b, oyl_tenant_id(b), 37);
	oyl_tenant_free(a);
	oyl_tenant_free(b);
	make_user(tenant_a, "admin@a.example", OYL_ROLE_TENANT_ADMIN, admin_a);
	make_user(tenant_a, "user@a.example", OYL_ROLE_USER, user_a);
	make_user(tenant_b, "user@b.example", OYL_ROLE_USER, user_b);
	oyl_workspace *w = NULL;
	ck_assert_int_eq(oyl_workspace_create(root, tenant_b, "B's", &w), OYL_OK);
	memcpy(ws_b, oyl_workspace_id(w), 37);
	oyl_workspace_free(w);
}

static void teardown(void)
{
	oyl__set_clock(NULL);
	oyl_actor_free(root);
	oyl_db_close(db);
}

/* The stored password hash of a tenant user, read at the record level. */
typedef struct text_copy {
	int col;
	char *out;
	size_t size;
} text_copy;

static int copy_text_cb(const oyl_value *v, size_t n, void *payload)
{
	text_copy *c = payload;
	(void)n;
	if (v[c->col].type != OYL_TYPE_NULL)
		snprintf(c->out, c->size, "%s", v[c->col].s);
	return 0;
}

static void stored_hash(const char *tenant, const char *uid, char *out, size_t size)
{
	oyl_backend *b = t_backend_of(db);
	oyl_scope s = {tenant};
	const oyl_table *users = oyl_schema_table("users");
	oyl_filter f = {0, OYL_OP_EQ, {OYL_TYPE_UUID, 0, 0, uid, 36}};
	oyl_query q = {&f, 1, 0, 0, NULL, NULL, 1, 0};
	text_copy c = {fx_col(users, "password_hash"), out, size};
	out[0] = '\0';
	ck_assert_int_eq(b->list(b, &s, users, &q, copy_text_cb, &c), OYL_OK);
}

/* 1 when some text of some row of some table contains `needle`. */
static int scan_cb(const oyl_value *v, size_t n, void *payload)
{
	const char *needle = payload;
	for (size_t i = 0; i < n; i++)
		if ((v[i].type == OYL_TYPE_TEXT || v[i].type == OYL_TYPE_JSON) && strstr(v[i].s, needle))
			return 1;
	return 0;
}

static int stored_anywhere(const char *needle)
{
	size_t n;
	const oyl_table *const *tables = oyl_schema_tables(&n);
	oyl_backend *b = t_backend_of(db);
	oyl_scope platform = {NULL};
	oyl_query q = {NULL, 0, 0, 0, NULL, NULL, 0, 0};
	for (size_t i = 0; i < n; i++)
		if (b->list(b, &platform, tables[i], &q, scan_cb, (void *)needle) == 1)
			return 1;
	return 0;
}

START_TEST(password_login_and_token)
{
	ck_assert_int_eq(oyl_user_set_password(root, user_a, "correct horse"), OYL_OK);
	char hash[256];
	stored_hash(tenant_a, user_a, hash, sizeof hash);
	ck_assert_msg(strncmp(hash, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0, "%s", hash);
	char *token = NULL;
	oyl_actor *me = NULL;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(oyl_auth_login(db, "USER@a.example", "correct horse", NULL, &token, &me), OYL_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* a figure for the record, not an assertion */
	printf("one login (Argon2id m=19456 KiB, t=2, p=1) took %.1f ms on %s\n",
	       (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6,
	       t_backend());
	ck_assert_uint_eq(strlen(token), 49);
	ck_assert(strncmp(token, "oyl_s_", 6) == 0);
	ck_assert_int_eq(oyl_actor_role(me), OYL_ROLE_USER);
	ck_assert_str_eq(oyl_actor_tenant_id(me), tenant_a);
	ck_assert_str_eq(oyl_actor_user_id(me), user_a);
	oyl_user *u = NULL;
	ck_assert_int_eq(oyl_user_get(me, user_a, &u), OYL_OK);
	ck_assert(oyl_user_last_login(u) > 0);
	char *json = NULL;
	ck_assert_int_eq(oyl_user_to_json(u, &json), OYL_OK);
	ck_assert_ptr_null(strstr(json, "argon2"));
	oyl_free(json);
	oyl_user_free(u);
	/* the token, not its value, is what is stored */
	oyl_actor *again = NULL;
	ck_assert_int_eq(oyl_actor_from_token(db, token, &again), OYL_OK);
	ck_assert_str_eq(oyl_actor_user_id(again), user_a);
	oyl_actor_free(again);
	ck_assert_int_eq(oyl_auth_logout(db, token), OYL_OK);
	ck_assert_int_eq(oyl_actor_from_token(db, token, &again), OYL_EAUTH);
	ck_assert_int_eq(oyl_auth_logout(db, token), OYL_EAUTH);
	oyl_free(token);
	oyl_actor_free(me);
	/* two users, one password: two hashes */
	ck_assert_int_eq(oyl_user_set_password(root, admin_a, "correct horse"), OYL_OK);
	char hash2[256];
	stored_hash(tenant_a, admin_a, hash2, sizeof hash2);
	ck_assert_str_ne(hash, hash2);
}
END_TEST

/* Unknown e-mail, wrong password, no password set: one status, one
 * message, one Argon2 verification each. */
START_TEST(failures_do_not_tell_which)
{
	ck_assert_int_eq(oyl_user_set_password(root, user_a, "correct horse"), OYL_OK);
	struct {
		const char *email, *password;
	} tries[] = {
		{"user@a.example", "wrong horse!"},
		{"nobody@nowhere.example", "correct horse"},
		{"admin@a.example", "correct horse"}, /* no password set */
		{"user@a.example", "short"},
	};
	char first[512] = "";
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
			long before = oyl__argon2_verifications;
			char *token = (char *)0x1;
			ck_assert_int_eq(oyl_auth_login(db, tries[i].email, tries[i].password, NULL, &token, NULL),
					 OYL_EAUTH);
			ck_assert_ptr_null(token);
			ck_assert_int_eq(oyl__argon2_verifications - before, 1);
			if (!first[0])
				snprintf(first, sizeof first, "%s", oyl_db_errmsg(db));
			ck_assert_str_eq(oyl_db_errmsg(db), first);
			ck_assert_ptr_null(strstr(oyl_db_errmsg(db), tries[i].password));
		}
	/* the password's length is checked before any hashing */
	char long_pw[1100];
	memset(long_pw, 'x', sizeof long_pw - 1);
	long_pw[sizeof long_pw - 1] = '\0';
	long before = oyl__argon2_verifications;
	char *token = NULL;
	ck_assert_int_eq(oyl_auth_login(db, "user@a.example", long_pw, NULL, &token, NULL), OYL_EINVAL);
	ck_assert_int_eq(oyl__argon2_verifications, before);
	ck_assert_int_eq(oyl_user_set_password(root, user_a, long_pw), OYL_EINVAL);
	ck_assert_int_eq(oyl_user_set_password(root, user_a, "seven77"), OYL_EINVAL);
	ck_assert_int_eq(oyl_user_set_password(root, user_a, "bad \xff utf8 password"), OYL_EINVAL);
}
END_TEST

START_TEST(old_parameters_are_rehashed_at_login)
{
	oyl__argon2_params saved = oyl__argon2_current;
	oyl__argon2_current = (oyl__argon2_params){1, 8192, 1};
	ck_assert_int_eq(oyl_user_set_password(root, user_a, "correct horse"), OYL_OK);
	oyl__argon2_current = saved;
	char hash[256];
	stored_hash(tenant_a, user_a, hash, sizeof hash);
	ck_assert(strncmp(hash, "$argon2id$v=19$m=8192,t=1,p=1$", 30) == 0);
	char *token = NULL;
	ck_assert_int_eq(oyl_auth_login(db, "user@a.example", "correct horse", NULL, &token, NULL), OYL_OK);
	oyl_free(token);
	stored_hash(tenant_a, user_a, hash, sizeof hash);
	ck_assert_msg(strncmp(hash, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0, "%s", hash);
	ck_assert_int_eq(oyl_auth_login(db, "user@a.example", "correct horse", NULL, &token, NULL), OYL_OK);
	oyl_free(token);
}
END_TEST

START_TEST(sessions_expire_and_are_revoked)
{
	ck_assert_int_eq(oyl_user_set_password(root, user_a, "correct horse"), OYL_OK);
	fake_now = 1800000000000000LL;
	oyl__set_clock(fake_clock);
	oyl_login_options o = OYL_LOGIN_OPTIONS_INIT;
	o.ttl_seconds = 60;
	char *t1 = NULL, *t2 = NULL, *t3 = NULL;
	ck_assert_int_eq(oyl_auth_login(db, "user@a.example", "correct horse", &o, &t1, NULL), OYL_OK);
	ck_assert_int_eq(oyl_auth_login(db, "user@a.example", "correct horse", NULL, &t2, NULL), OYL_OK);
	oyl_actor *a = NULL;
	fake_now += 59 * 1000000LL;
	ck_assert_int_eq(oyl_actor_from_token(db, t1, &a), OYL_OK);
	oyl_actor_free(a);
	fake_now += 2 * 1000000LL;
	ck_assert_int_eq(oyl_actor_from_token(db, t1, &a), OYL_EAUTH);
	char msg_expired[256];
	snprintf(msg_expired, sizeof msg_expired, "%s", oyl_db_errmsg(db));
	ck_assert_ptr_null(a);
	/* garbage and unknown tokens read the same */
	ck_assert_int_eq(oyl_actor_from_token(db, "oyl_s_0000000000000000000000000000000000000000000", &a),
			 OYL_EAUTH);
	ck_assert_str_eq(oyl_db_errmsg(db), msg_expired);
	ck_assert_int_eq(oyl_actor_from_token(db, "'; DROP TABLE users; --", &a), OYL_EAUTH);
	ck_assert_str_eq(oyl_db_errmsg(db), msg_expired);
	ck_assert_int_eq(oyl_actor_from_token(db, NULL, &a), OYL_EAUTH);
	/* revoking all of a user's sessions is one call */
	ck_assert_int_eq(oyl_actor_from_token(db, t2, &a), OYL_OK);
	ck_assert_int_eq(oyl_auth_login(db, "user@a.example", "correct horse", NULL, &t3, NULL), OYL_OK);
	ck_assert_int_eq(oyl_auth_revoke_sessions(a, user_a), OYL_OK);
	oyl_actor_free(a);
	ck_assert_int_eq(oyl_actor_from_token(db, t2, &a), OYL_EAUTH);
	ck_assert_int_eq(oyl_actor_from_token(db, t3, &a), OYL_EAUTH);
	oyl_free(t1);
	oyl_free(t2);
	oyl_free(t3);
}
END_TEST

START_TEST(password_change_revokes_other_sessions)
{
	ck_assert_int_eq(oyl_user_set_password(root, user_a, "correct horse"), OYL_OK);
	char *mine = NULL, *other = NULL;
	oyl_actor *me = NULL, *a = NULL;
	ck_assert_int_eq(oyl_auth_login(db, "user@a.example", "correct horse", NULL, &mine, &me), OYL_OK);
	ck_assert_int_eq(oyl_auth_login(db, "user@a.example", "correct horse", NULL, &other, NULL), OYL_OK);
	ck_assert_int_eq(oyl_user_set_password(me, user_a, "battery staple"), OYL_OK);
	ck_assert_int_eq(oyl_actor_from_token(db, mine, &a), OYL_OK);
	oyl_actor_free(a);
	ck_assert_int_eq(oyl_actor_from_token(db, other, &a), OYL_EAUTH);
	/* an admin setting it logs every session out */
	oyl_actor *admin = NULL;
	ck_assert_int_eq(oyl_actor_for_user(db, admin_a, &admin), OYL_OK);
	ck_assert_int_eq(oyl_user_set_password(admin, user_a, "new password"), OYL_OK);
	ck_assert_int_eq(oyl_actor_from_token(db, mine, &a), OYL_EAUTH);
	/* a user may not set another's; another tenant's user does not exist */
	ck_assert_int_eq(oyl_user_set_password(me, admin_a, "hijacked!"), OYL_EPERM);
	ck_assert_int_eq(oyl_user_set_password(admin, user_b, "hijacked!"), OYL_ENOTFOUND);
	oyl_free(other);
	ck_assert_int_eq(oyl_auth_login(db, "user@a.example", "battery staple", NULL, &other, NULL), OYL_EAUTH);
	ck_assert_ptr_null(other);
	oyl_free(mine);
	oyl_actor_free(me);
	oyl_actor_free(admin);
}
END_TEST

START_TEST(tokens_follow_the_user)
{
	ck_assert_int_eq(oyl_user_set_password(root, user_a, "correct horse"), OYL_OK);
	char *token = NULL;
	ck_assert_int_eq(oyl_auth_login(db, "user@a.example", "correct horse", NULL, &token, NULL), OYL_OK);
	/* a role change shows at once */
	ck_assert_int_eq(oyl_user_update(root, user_a, NULL, OYL_ROLE_TENANT_ADMIN, NULL), OYL_OK);
	oyl_actor *a = NULL;
	ck_assert_int_eq(oyl_actor_from_token(db, token, &a), OYL_OK);
	ck_assert_int_eq(oyl_actor_role(a), OYL_ROLE_TENANT_ADMIN);
	oyl_actor_free(a);
	/* a deleted user's token is dead, and so are its rows */
	ck_assert_int_eq(oyl_user_delete(root, user_a), OYL_OK);
	ck_assert_int_eq(oyl_actor_from_token(db, token, &a), OYL_EAUTH);
	int64_t n = -1;
	oyl_backend *b = t_backend_of(db);
	ck_assert_int_eq(b->count(b, NULL, oyl_schema_table("auth_sessions"), NULL, 0, &n), OYL_OK);
	ck_assert_int_eq(n, 0);
	oyl_free(token);
	/* superadmin accounts log in too */
	oyl_user *sa = NULL;
	ck_assert_int_eq(oyl_user_create(root, NULL, "root@platform.example", "Root", OYL_ROLE_SUPERADMIN, &sa),
			 OYL_OK);
	ck_assert_int_eq(oyl_user_set_password(root, oyl_user_id(sa), "platform secret"), OYL_OK);
	ck_assert_int_eq(oyl_auth_login(db, "root@platform.example", "platform secret", NULL, &token, &a), OYL_OK);
	ck_assert_int_eq(oyl_actor_role(a), OYL_ROLE_SUPERADMIN);
	ck_assert_ptr_null(oyl_actor_tenant_id(a));
	oyl_actor_free(a);
	ck_assert_int_eq(oyl_actor_from_token(db, token, &a), OYL_OK);
	ck_assert_int_eq(oyl_actor_role(a), OYL_ROLE_SUPERADMIN);
	oyl_actor_free(a);
	oyl_user_free(sa);
	oyl_free(token);
}
END_TEST

START_TEST(api_keys)
{
	oyl_actor *user = NULL, *admin = NULL, *other = NULL;
	ck_assert_int_eq(oyl_actor_for_user(db, user_a, &user), OYL_OK);
	ck_assert_int_eq(oyl_actor_for_user(db, admin_a, &admin), OYL_OK);
	ck_assert_int_eq(oyl_actor_for_user(db, user_b, &other), OYL_OK);
	oyl_api_key *k = NULL;
	char *secret = NULL;
	ck_assert_int_eq(oyl_api_key_create(user, user_a, "laptop", &k, &secret), OYL_OK);
	ck_assert_uint_eq(strlen(secret), 60);
	ck_assert(strncmp(secret, "oyl_", 4) == 0 && secret[16] == '_');
	ck_assert(strncmp(secret + 4, oyl_api_key_prefix(k), 12) == 0);
	/* matrix: own keys; an admin's for the tenant; nobody across tenants */
	char *denied = (char *)0x1;
	ck_assert_int_eq(oyl_api_key_create(user, admin_a, "x", NULL, &denied), OYL_EPERM);
	ck_assert_ptr_null(denied);
	char *s2 = NULL;
	ck_assert_int_eq(oyl_api_key_create(admin, user_a, "ci", NULL, &s2), OYL_OK);
	oyl_free(s2);
	ck_assert_int_eq(oyl_api_key_create(admin, user_b, "x", NULL, &s2), OYL_ENOTFOUND);
	oyl_api_key *seen = NULL;
	ck_assert_int_eq(oyl_api_key_get(other, oyl_api_key_id(k), &seen), OYL_ENOTFOUND);
	/* the key yields its user's actor, confined to its tenant */
	oyl_actor *via = NULL;
	ck_assert_int_eq(oyl_actor_from_api_key(db, secret, &via), OYL_OK);
	ck_assert_str_eq(oyl_actor_user_id(via), user_a);
	oyl_workspace *w = NULL;
	ck_assert_int_eq(oyl_workspace_get(via, ws_b, &w), OYL_ENOTFOUND);
	oyl_actor_free(via);
	/* listed without secrets; last_used_at set */
	oyl_page *p = NULL;
	ck_assert_int_eq(oyl_api_key_list(user, user_a, NULL, &p), OYL_OK);
	ck_assert_uint_eq(oyl_page_count(p), 2);
	char *json = NULL;
	ck_assert_int_eq(oyl_page_to_json(p, &json), OYL_OK);
	ck_assert_ptr_null(strstr(json, secret + 17));
	ck_assert_ptr_null(strstr(json, "key_hash"));
	int used = 0;
	for (size_t i = 0; i < oyl_page_count(p); i++)
		used += oyl_api_key_last_used_at(oyl_page_api_key(p, i)) > 0;
	ck_assert_int_eq(used, 1);
	oyl_free(json);
	oyl_page_free(p);
	/* no table holds the key, nor its secret part */
	ck_assert(!stored_anywhere(secret + 17));
	/* malformed keys are refused before any query */
	char uri[T_URI_MAX], err[256];
	t_fresh_uri(uri);
	oyl_db_close(t_open_uri(uri));
	oyl_backend *inner = NULL;
	ck_assert_int_eq(oyl_backend_open(&inner, uri, NULL, err, sizeof err), OYL_OK);
	oyl_backend *fb = fault_backend_new(inner);
	oyl_db *counted = NULL;
	ck_assert_int_eq(oyl_db_open_backend(&counted, fb, NULL), OYL_OK);
	long calls = fault_backend_calls(fb);
	char bad[61];
	memcpy(bad, secret, 61);
	bad[20] = '-';
	const char *malformed[] = {bad, "oyl_short", "", "oyl_AAAAAAAAAAAA_'; DROP TABLE api_keys; --xxxxxxxxxxxxxxxxxxxx"};
	for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
		ck_assert_int_eq(oyl_actor_from_api_key(counted, malformed[i], &via), OYL_EAUTH);
		ck_assert_str_eq(oyl_db_errmsg(counted), "invalid API key");
	}
	ck_assert_int_eq(fault_backend_calls(fb), calls);
	oyl_db_close(counted);
	/* a wrong secret with a real prefix */
	memcpy(bad, secret, 61);
	bad[59] = bad[59] == 'a' ? 'b' : 'a';
	ck_assert_int_eq(oyl_actor_from_api_key(db, bad, &via), OYL_EAUTH);
	ck_assert_str_eq(oyl_db_errmsg(db), "invalid API key");
	/* revoked: dead at once; another key of the user still works */
	char *second = NULL;
	ck_assert_int_eq(oyl_api_key_create(user, user_a, "phone", NULL, &second), OYL_OK);
	ck_assert_int_eq(oyl_api_key_revoke(user, oyl_api_key_id(k)), OYL_OK);
	ck_assert_int_eq(oyl_api_key_revoke(user, oyl_api_key_id(k)), OYL_EINVAL);
	oyl_api_key_free(k);
	ck_assert_int_eq(oyl_actor_from_api_key(db, secret, &via), OYL_EAUTH);
	ck_assert_int_eq(oyl_actor_from_api_key(db, second, &via), OYL_OK);
	oyl_actor_free(via);
	/* deleting the user kills its keys */
	ck_assert_int_eq(oyl_user_delete(root, user_a), OYL_OK);
	ck_assert_int_eq(oyl_actor_from_api_key(db, second, &via), OYL_EAUTH);
	oyl_free(secret);
	oyl_free(second);
	oyl_actor_free(user);
	oyl_actor_free(admin);
	oyl_actor_free(other);
}
END_TEST

START_TEST(quotas)
{
	oyl_actor *admin = NULL;
	ck_assert_int_eq(oyl_actor_for_user(db, admin_a, &admin), OYL_OK);
	ck_assert_int_eq(oyl_tenant_set_quotas(admin, tenant_a, 5, -1, -1), OYL_EPERM);
	ck_assert_int_eq(oyl_tenant_set_quotas(root, tenant_a, -2, -1, -1), OYL_EINVAL);
	ck_assert_int_eq(oyl_tenant_set_quotas(root, tenant_a, 3, 10, 1 << 20), OYL_OK);
	oyl_tenant *t = NULL;
	ck_assert_int_eq(oyl_tenant_get(admin, tenant_a, &t), OYL_OK);
	ck_assert_int_eq(oyl_tenant_quota_users(t), 3);
	ck_assert_int_eq(oyl_tenant_quota_documents(t), 10);
	ck_assert_int_eq(oyl_tenant_quota_bytes(t), 1 << 20);
	oyl_tenant_free(t);
	/* two users exist; one more fits */
	ck_assert_int_eq(oyl_user_create(admin, tenant_a, "third@a.example", "T", OYL_ROLE_USER, NULL), OYL_OK);
	uint64_t before = t_fingerprint(t_backend_of(db));
	ck_assert_int_eq(oyl_user_create(admin, tenant_a, "fourth@a.example", "F", OYL_ROLE_USER, NULL),
			 OYL_EQUOTA);
	ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "at most 3 users"));
	ck_assert(t_fingerprint(t_backend_of(db)) == before);
	/* tenant B is not limited */
	ck_assert_int_eq(oyl_user_create(root, tenant_b, "more@b.example", "M", OYL_ROLE_USER, NULL), OYL_OK);
	ck_assert_int_eq(oyl_tenant_set_quotas(root, tenant_a, -1, -1, -1), OYL_OK);
	ck_assert_int_eq(oyl_user_create(admin, tenant_a, "fourth@a.example", "F", OYL_ROLE_USER, NULL), OYL_OK);
	oyl_actor_free(admin);
}
END_TEST

/* Parallel processes creating users against one quota: never passed. */
START_TEST(quota_holds_under_concurrency)
{
	char uri[T_URI_MAX];
	t_fresh_uri(uri);
	oyl_db *setup_db = t_open_uri(uri);
	oyl_actor *sa = NULL;
	ck_assert_int_eq(oyl_actor_superadmin(setup_db, &sa), OYL_OK);
	oyl_tenant *t = NULL;
	ck_assert_int_eq(oyl_tenant_create(sa, "Q", "q", NULL, &t), OYL_OK);
	char tid[37];
	memcpy(tid, oyl_tenant_id(t), 37);
	oyl_tenant_free(t);
	ck_assert_int_eq(oyl_tenant_set_quotas(sa, tid, 5, -1, -1), OYL_OK);
	oyl_actor_free(sa);
	oyl_db_close(setup_db);
	enum { KIDS = 4, EACH = 4 };
	pid_t kids[KIDS];
	/* Children report over a pipe: their exit status may belong to a
	 * memory checker wrapped around the test. */
	int report[2];
	ck_assert_int_eq(pipe(report), 0);
	for (int k = 0; k < KIDS; k++) {
		kids[k] = fork();
		ck_assert_int_ge(kids[k], 0);
		if (kids[k] == 0) {
			oyl_db *mine = NULL;
			oyl_actor *me = NULL;
			int created = 0, bad = 0;
			close(report[0]);
			if (oyl_db_open(&mine, uri, NULL) != OYL_OK || oyl_actor_superadmin(mine, &me) != OYL_OK)
				_exit(100);
			for (int i = 0; i < EACH; i++) {
				char email[64];
				snprintf(email, sizeof email, "k%d-%d@q.example", k, i);
				int rc;
				do
					rc = oyl_user_create(me, tid, email, "K", OYL_ROLE_USER, NULL);
				while (rc == OYL_EBUSY);
				if (rc == OYL_OK)
					created++;
				else if (rc != OYL_EQUOTA)
					bad++;
			}
			oyl_actor_free(me);
			oyl_db_close(mine);
			int tally[2] = {created, bad};
			_exit(write(report[1], tally, sizeof tally) == sizeof tally ? 0 : 1);
		}
	}
	close(report[1]);
	int total = 0, bad = 0, tally[2], reports = 0;
	while (read(report[0], tally, sizeof tally) == sizeof tally) {
		total += tally[0];
		bad += tally[1];
		reports++;
	}
	close(report[0]);
	for (int k = 0; k < KIDS; k++)
		ck_assert_int_eq(waitpid(kids[k], NULL, 0), kids[k]);
	ck_assert_int_eq(reports, KIDS);
	ck_assert_int_eq(bad, 0);
	ck_assert_int_eq(total, 5);
}
END_TEST

int main(int argc, char **argv)
{
	t_init(argc, argv);
	Suite *s = suite_create(t_backend());
	TCase *tc = tcase_create("identity");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, password_login_and_token);
	tcase_add_test(tc, failures_do_not_tell_which);
	tcase_add_test(tc, old_parameters_are_rehashed_at_login);
	tcase_add_test(tc, sessions_expire_and_are_revoked);
	tcase_add_test(tc, password_change_revokes_other_sessions);
	tcase_add_test(tc, tokens_follow_the_user);
	tcase_add_test(tc, api_keys);
	tcase_add_test(tc, quotas);
	tcase_add_test(tc, quota_holds_under_concurrency);
	suite_add_tcase(s, tc);
	int rc = t_run(s);
	t_cleanup();
	return rc;
}
