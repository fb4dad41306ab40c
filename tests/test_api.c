/*
 * The public API on every backend: opening, misuse, the hierarchy,
 * validation (nothing written on refusal), conflicts, cascades.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fixture.h"
#include "identity/secret.h"

static oyl_db *db;
static oyl_actor *root;

static void setup(void)
{
	db = t_open();
	ck_assert_int_eq(oyl_actor_superadmin(db, &root), OYL_OK);
}

static void teardown(void)
{
	oyl_actor_free(root);
	oyl_db_close(db);
}

/* A tenant → workspace → teammate → assistant (+instruction) → kb chain. */
typedef struct chain {
	oyl_tenant *tenant;
	oyl_workspace *ws;
	oyl_teammate *tm;
	oyl_assistant *as;
	oyl_instruction *ins;
	oyl_knowledge_base *kb;
	oyl_user *user;
} chain;

static void make_chain(chain *c, const char *slug)
{
	char email[100];
	snprintf(email, sizeof email, "someone@%s.example", slug);
	ck_assert_int_eq(oyl_tenant_create(root, "Tenant", slug, NULL, &c->tenant), OYL_OK);
	ck_assert_int_eq(oyl_user_create(root, oyl_tenant_id(c->tenant), email, "Some One",
					 OYL_ROLE_USER, &c->user),
			 OYL_OK);
	ck_assert_int_eq(oyl_workspace_create(root, oyl_tenant_id(c->tenant), "WS", &c->ws), OYL_OK);
	ck_assert_int_eq(oyl_teammate_create(root, oyl_workspace_id(c->ws), "TM", NULL, &c->tm), OYL_OK);
	ck_assert_int_eq(oyl_assistant_create(root, oyl_teammate_id(c->tm), "AS", &c->as), OYL_OK);
	ck_assert_int_eq(oyl_instruction_set(root, oyl_assistant_id(c->as), "Be brief.", &c->ins),
			 OYL_OK);
	ck_assert_int_eq(oyl_kb_create(root, oyl_assistant_id(c->as), "KB", "vec-1", &c->kb), OYL_OK);
}

static void free_chain(chain *c)
{
	oyl_tenant_free(c->tenant);
	oyl_workspace_free(c->ws);
	oyl_teammate_free(c->tm);
	oyl_assistant_free(c->as);
	oyl_instruction_free(c->ins);
	oyl_kb_free(c->kb);
	oyl_user_free(c->user);
}

START_TEST(hierarchy_round_trip)
{
	chain c;
	make_chain(&c, "acme");
	const char *tid = oyl_tenant_id(c.tenant);
	ck_assert_str_eq(oyl_tenant_slug(c.tenant), "acme");
	ck_assert_str_eq(oyl_workspace_tenant_id(c.ws), tid);
	ck_assert_str_eq(oyl_teammate_workspace_id(c.tm), oyl_workspace_id(c.ws));
	ck_assert_str_eq(oyl_teammate_orchestration_config(c.tm), "{}");
	ck_assert_str_eq(oyl_assistant_teammate_id(c.as), oyl_teammate_id(c.tm));
	ck_assert_str_eq(oyl_kb_vector_db_id(c.kb), "vec-1");
	ck_assert_int_eq(oyl_user_role(c.user), OYL_ROLE_USER);
	ck_assert(oyl_tenant_created_at(c.tenant) > 1600000000000000LL);

	/* get returns what create returned */
	oyl_assistant *as2 = NULL;
	ck_assert_int_eq(oyl_assistant_get(root, oyl_assistant_id(c.as), &as2), OYL_OK);
	ck_assert_str_eq(oyl_assistant_name(as2), "AS");
	ck_assert_int_eq(oyl_assistant_created_at(as2), oyl_assistant_created_at(c.as));
	oyl_assistant_free(as2);
	oyl_user *u2 = NULL;
	ck_assert_int_eq(oyl_user_get(root, oyl_user_id(c.user), &u2), OYL_OK);
	ck_assert_str_eq(oyl_user_email(u2), "someone@acme.example");
	oyl_user_free(u2);

	/* instruction: set is an upsert, get, clear */
	oyl_instruction *i2 = NULL;
	ck_assert_int_eq(oyl_instruction_set(root, oyl_assistant_id(c.as), "Be thorough.", &i2), OYL_OK);
	ck_assert_str_eq(oyl_instruction_id(i2), oyl_instruction_id(c.ins));
	oyl_instruction_free(i2);
	ck_assert_int_eq(oyl_instruction_get(root, oyl_assistant_id(c.as), &i2), OYL_OK);
	ck_assert_str_eq(oyl_instruction_system_prompt(i2), "Be thorough.");
	oyl_instruction_free(i2);
	ck_assert_int_eq(oyl_instruction_clear(root, oyl_assistant_id(c.as)), OYL_OK);
	ck_assert_int_eq(oyl_instruction_get(root, oyl_assistant_id(c.as), &i2), OYL_ENOTFOUND);
	ck_assert_ptr_null(i2);
	ck_assert_int_eq(oyl_instruction_clear(root, oyl_assistant_id(c.as)), OYL_ENOTFOUND);

	/* JSON: every column but secrets */
	char *json = NULL;
	ck_assert_int_eq(oyl_user_to_json(c.user, &json), OYL_OK);
	ck_assert_ptr_nonnull(strstr(json, "\"email\":\"someone@acme.example\""));
	ck_assert_ptr_nonnull(strstr(json, "\"last_login\":null"));
	ck_assert_ptr_null(strstr(json, "password_hash"));
	oyl_free(json);
	ck_assert_int_eq(oyl_teammate_to_json(c.tm, &json), OYL_OK);
	ck_assert_ptr_nonnull(strstr(json, "\"orchestration_config\":{}"));
	oyl_free(json);
	free_chain(&c);
}
END_TEST

START_TEST(text_is_stored_verbatim)
{
	static const char *payloads[] = {
		"Robert'); DROP TABLE tenants;--", "a\"b", "back\\slash", "100% _under_", "$1 $2",
		"/* comment */ -- dash", "semi;colon", "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	};
	oyl_tenant *t = NULL;
	ck_assert_int_eq(oyl_tenant_create(root, "T", "verbatim", NULL, &t), OYL_OK);
	for (size_t i = 0; i < sizeof payloads / sizeof payloads[0]; i++) {
		oyl_workspace *w = NULL, *w2 = NULL;
		ck_assert_int_eq(oyl_workspace_create(root, oyl_tenant_id(t), payloads[i], &w), OYL_OK);
		ck_assert_int_eq(oyl_workspace_get(root, oyl_workspace_id(w), &w2), OYL_OK);
		ck_assert_str_eq(oyl_workspace_name(w2), payloads[i]);
		oyl_workspace_free(w);
		oyl_workspace_free(w2);
	}
	oyl_tenant *t2 = NULL;
	ck_assert_int_eq(oyl_tenant_get(root, oyl_tenant_id(t), &t2), OYL_OK);
	ck_assert_str_eq(oyl_tenant_name(t2), "T");
	oyl_tenant_free(t);
	oyl_tenant_free(t2);
}
END_TEST

/*
 * A refused call: OYL_EINVAL, and the handle's message in the form every
 * check uses (core/validate.h): "<field>: <why>" — the field named first,
 * then why, so that a refusal by another check than the one meant fails.
 * `what` says which call it was.
 */
static void assert_refused(const char *what, int rc, const char *field, const char *why)
{
	const char *msg = oyl_db_errmsg(db);
	size_t n = strlen(field);
	ck_assert_msg(rc == OYL_EINVAL, "%s: %s (%s), want EINVAL", what, oyl_status_name(rc), msg);
	ck_assert_msg(strncmp(msg, field, n) == 0 && strncmp(msg + n, ": ", 2) == 0 &&
			      strstr(msg + n + 2, why),
		      "%s: message \"%s\", want \"%s: ...%s...\"", what, msg, field, why);
}
#define REFUSED(call, field, why) assert_refused(#call, (call), (field), (why))

/* A knowledge base's search settings: defaults, changes, refusals, and
 * the language fixed once it has documents. */
START_TEST(kb_search_settings)
{
	chain c;
	make_chain(&c, "search-settings");
	const char *kb = oyl_kb_id(c.kb);
	ck_assert_str_eq(oyl_kb_search_language(c.kb), "english");
	ck_assert(oyl_kb_bm25_k1(c.kb) == 1.2 && oyl_kb_bm25_b(c.kb) == 0.75);

	oyl_kb_search_settings s = OYL_KB_SEARCH_SETTINGS_INIT;
	oyl_knowledge_base *k = NULL;
	s.language = "french";
	s.bm25_k1 = 0.9;
	ck_assert_int_eq(oyl_kb_set_search(root, kb, &s, &k), OYL_OK);
	ck_assert_str_eq(oyl_kb_search_language(k), "french");
	ck_assert(oyl_kb_bm25_k1(k) == 0.9 && oyl_kb_bm25_b(k) == 0.75);
	oyl_kb_free(k);
	/* all three at once (and updated_at with them: a fourth assignment) */
	s.bm25_b = 0.75;
	ck_assert_int_eq(oyl_kb_set_search(root, kb, &s, &k), OYL_OK);
	ck_assert(oyl_kb_bm25_k1(k) == 0.9 && oyl_kb_bm25_b(k) == 0.75);
	oyl_kb_free(k);
	/* read back from storage, and into its JSON */
	ck_assert_int_eq(oyl_kb_get(root, kb, &k), OYL_OK);
	ck_assert_str_eq(oyl_kb_search_language(k), "french");
	ck_assert(oyl_kb_bm25_k1(k) == 0.9);
	char *json = NULL;
	ck_assert_int_eq(oyl_kb_to_json(k, &json), OYL_OK);
	ck_assert_ptr_nonnull(strstr(json, "\"search_language\":\"french\""));
	oyl_free(json);
	oyl_kb_free(k);

	/* refusals: EINVAL, a message naming the field, nothing changed */
	const char *bad_languages[] = {"klingon", "en", "", "English"};
	for (size_t i = 0; i < sizeof bad_languages / sizeof bad_languages[0]; i++) {
		oyl_kb_search_settings b = OYL_KB_SEARCH_SETTINGS_INIT;
		b.language = bad_languages[i];
		REFUSED(oyl_kb_set_search(root, kb, &b, NULL), "settings.language", "Snowball");
	}
	const double bad_k1[] = {NAN, 3.5, INFINITY};
	for (size_t i = 0; i < sizeof bad_k1 / sizeof bad_k1[0]; i++) {
		oyl_kb_search_settings b = OYL_KB_SEARCH_SETTINGS_INIT;
		b.bm25_k1 = bad_k1[i];
		REFUSED(oyl_kb_set_search(root, kb, &b, NULL), "settings.bm25_k1", "0 to 3");
		b.bm25_k1 = -1;
		b.bm25_b = bad_k1[i] == 3.5 ? 1.5 : bad_k1[i];
		REFUSED(oyl_kb_set_search(root, kb, &b, NULL), "settings.bm25_b", "0 to 1");
	}
	oyl_kb_search_settings old = {4, NULL, -1, -1}; /* size too small */
	REFUSED(oyl_kb_set_search(root, kb, &old, NULL), "settings", "OYL_KB_SEARCH_SETTINGS_INIT");
	REFUSED(oyl_kb_set_search(root, kb, NULL, NULL), "settings", "missing");
	ck_assert_int_eq(oyl_kb_get(root, kb, &k), OYL_OK);
	ck_assert_str_eq(oyl_kb_search_language(k), "french");
	ck_assert(oyl_kb_bm25_k1(k) == 0.9 && oyl_kb_bm25_b(k) == 0.75);
	oyl_kb_free(k);

	/* with a document, the language stays; the parameters still change */
	static const char text[] = "Some words to index.\n";
	oyl_doc_source src = OYL_DOC_SOURCE_INIT;
	src.data = text;
	src.length = sizeof text - 1;
	src.name = "words.txt";
	ck_assert_int_eq(oyl_doc_upload(root, kb, &src, NULL, NULL), OYL_OK);
	oyl_kb_search_settings again = OYL_KB_SEARCH_SETTINGS_INIT;
	again.language = "none";
	ck_assert_int_eq(oyl_kb_set_search(root, kb, &again, NULL), OYL_ECONFLICT);
	ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "has documents indexed in french"));
	again.language = "french";
	again.bm25_b = 0;
	ck_assert_int_eq(oyl_kb_set_search(root, kb, &again, &k), OYL_OK);
	ck_assert(oyl_kb_bm25_b(k) == 0.0);
	oyl_kb_free(k);

	/* another tenant's knowledge base is not found */
	chain other;
	make_chain(&other, "search-settings-other");
	oyl_actor *stranger = NULL;
	ck_assert_int_eq(oyl_actor_for_user(db, oyl_user_id(other.user), &stranger), OYL_OK);
	ck_assert_int_eq(oyl_kb_set_search(stranger, kb, &again, NULL), OYL_ENOTFOUND);
	oyl_actor_free(stranger);
	free_chain(&other);
	free_chain(&c);
}
END_TEST

/* Each refusal: EINVAL, a message naming the field, nothing written. */
START_TEST(bad_input_changes_nothing)
{
	chain c;
	make_chain(&c, "valid");
	const char *tid = oyl_tenant_id(c.tenant);
	const char *ws = oyl_workspace_id(c.ws), *as = oyl_assistant_id(c.as);
	uint64_t before = t_fingerprint(t_backend_of(db));
	char long_name[300];
	memset(long_name, 'x', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	const char *slug_rule = "must be 1 to 63 characters of lowercase letters, digits and hyphens";

	REFUSED(oyl_tenant_create(root, "T", "Bad Slug", NULL, NULL), "slug", slug_rule);
	REFUSED(oyl_tenant_create(root, "T", "", NULL, NULL), "slug", slug_rule);
	/* 64 characters, one too many */
	REFUSED(oyl_tenant_create(root, "T", "a-very-long-slug-that-goes-on-and-on-past-the-sixty-three-chars-", NULL, NULL),
		"slug", slug_rule);
	REFUSED(oyl_tenant_create(root, "", "ok", NULL, NULL), "name", "must not be empty");
	REFUSED(oyl_tenant_create(root, "   ", "ok", NULL, NULL), "name", "must not be blank");
	REFUSED(oyl_tenant_create(root, long_name, "ok", NULL, NULL), "name", "longer than 200 characters");
	REFUSED(oyl_tenant_create(root, "bad \xff utf8", "ok", NULL, NULL), "name", "not valid UTF-8");
	REFUSED(oyl_tenant_create(root, "over\xc0\xaflong", "ok", NULL, NULL), "name", "not valid UTF-8");
	REFUSED(oyl_tenant_create(root, "ctl\x01", "ok", NULL, NULL), "name", "contains a control character");
	REFUSED(oyl_tenant_create(root, NULL, "ok", NULL, NULL), "name", "required");
	REFUSED(oyl_user_create(root, tid, "not-an-email", "N", OYL_ROLE_USER, NULL), "email",
		"not a valid e-mail address");
	REFUSED(oyl_user_create(root, tid, "a@b", "N", OYL_ROLE_USER, NULL), "email",
		"not a valid e-mail address");
	REFUSED(oyl_user_create(root, tid, "a b@c.d", "N", OYL_ROLE_USER, NULL), "email",
		"not a valid e-mail address");
	REFUSED(oyl_user_create(root, tid, "ok@ok.example", "N", 99, NULL), "role", "must be OYL_ROLE_");
	/* a superadmin account is refused for the tenant it was given, not for its role */
	REFUSED(oyl_user_create(root, tid, "ok@ok.example", "N", OYL_ROLE_SUPERADMIN, NULL), "tenant_id",
		"a superadmin account has no tenant");
	REFUSED(oyl_user_create(root, "not-a-uuid", "ok@ok.example", "N", OYL_ROLE_USER, NULL), "tenant_id",
		"not a UUID");
	REFUSED(oyl_workspace_create(root, "'; DROP TABLE tenants; --", "W", NULL), "tenant_id", "not a UUID");
	REFUSED(oyl_teammate_create(root, ws, "T", "[1,2]", NULL), "orchestration_config",
		"must be a JSON object");
	REFUSED(oyl_teammate_create(root, ws, "T", "{\"a\":", NULL), "orchestration_config", "malformed JSON");
	REFUSED(oyl_teammate_create(root, ws, "T", "{", NULL), "orchestration_config", "malformed JSON");
	REFUSED(oyl_kb_create(root, as, "K", "", NULL), "vector_db_id", "must not be empty");
	REFUSED(oyl_instruction_set(root, as, "bad \xed\xa0\x80 surrogate", NULL), "system_prompt",
		"not valid UTF-8");
	REFUSED(oyl_workspace_delete(root, "1234"), "id", "not a UUID");
	ck_assert(t_fingerprint(t_backend_of(db)) == before);
	free_chain(&c);
}
END_TEST

START_TEST(conflicts_and_missing_parents)
{
	chain c;
	make_chain(&c, "one");
	uint64_t before = t_fingerprint(t_backend_of(db));
	ck_assert_int_eq(oyl_tenant_create(root, "Other", "one", NULL, NULL), OYL_ECONFLICT);
	ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "slug"));
	/* e-mail uniqueness is platform-wide and case-insensitive */
	ck_assert_int_eq(oyl_user_create(root, oyl_tenant_id(c.tenant), "SomeOne@ONE.example", "X",
					 OYL_ROLE_USER, NULL),
			 OYL_ECONFLICT);
	ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "email"));
	oyl_tenant_options o = OYL_TENANT_OPTIONS_INIT;
	o.admin_email = "someone@one.EXAMPLE";
	o.admin_name = "Admin";
	/* the tenant's first admin conflicts: the tenant is not created either */
	ck_assert_int_eq(oyl_tenant_create(root, "Two", "two", &o, NULL), OYL_ECONFLICT);
	ck_assert(t_fingerprint(t_backend_of(db)) == before);

	char nowhere[37];
	oyl__uuid_new(nowhere);
	ck_assert_int_eq(oyl_workspace_create(root, nowhere, "W", NULL), OYL_ENOTFOUND);
	char expect[100];
	snprintf(expect, sizeof expect, "tenant %s not found", nowhere);
	ck_assert_str_eq(oyl_db_errmsg(db), expect);
	ck_assert_int_eq(oyl_teammate_create(root, nowhere, "T", NULL, NULL), OYL_ENOTFOUND);
	ck_assert_int_eq(oyl_assistant_create(root, nowhere, "A", NULL), OYL_ENOTFOUND);
	ck_assert_int_eq(oyl_kb_create(root, nowhere, "K", NULL, NULL), OYL_ENOTFOUND);
	ck_assert_int_eq(oyl_instruction_set(root, nowhere, "p", NULL), OYL_ENOTFOUND);
	ck_assert_int_eq(oyl_user_delete(root, nowhere), OYL_ENOTFOUND);
	/* an upper-case id is the same id */
	char upper[37];
	snprintf(upper, sizeof upper, "%s", oyl_workspace_id(c.ws));
	for (char *p = upper; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 32);
	oyl_workspace *w = NULL;
	ck_assert_int_eq(oyl_workspace_get(root, upper, &w), OYL_OK);
	oyl_workspace_free(w);
	ck_assert(t_fingerprint(t_backend_of(db)) == before);
	free_chain(&c);
}
END_TEST

static int64_t table_count(const char *name)
{
	oyl_backend *b = t_backend_of(db);
	int64_t n = -1;
	ck_assert_int_eq(b->count(b, NULL, oyl_schema_table(name), NULL, 0, &n), OYL_OK);
	return n;
}

START_TEST(deletes_cascade_through_the_api)
{
	chain a, b;
	make_chain(&a, "a");
	make_chain(&b, "b");
	oyl_tenant_options o = OYL_TENANT_OPTIONS_INIT;
	o.admin_email = "boss@c.example";
	o.admin_name = "Boss";
	oyl_tenant *tc = NULL;
	ck_assert_int_eq(oyl_tenant_create(root, "C", "c", &o, &tc), OYL_OK);
	ck_assert_int_eq(table_count("users"), 3);

	ck_assert_int_eq(oyl_assistant_delete(root, oyl_assistant_id(a.as)), OYL_OK);
	ck_assert_int_eq(table_count("assistants"), 1);
	ck_assert_int_eq(table_count("instructions"), 1);
	ck_assert_int_eq(table_count("knowledge_bases"), 1);
	ck_assert_int_eq(table_count("teammates"), 2);
	ck_assert_int_eq(oyl_assistant_delete(root, oyl_assistant_id(a.as)), OYL_ENOTFOUND);

	ck_assert_int_eq(oyl_workspace_delete(root, oyl_workspace_id(b.ws)), OYL_OK);
	ck_assert_int_eq(table_count("workspaces"), 1);
	ck_assert_int_eq(table_count("teammates"), 1);
	ck_assert_int_eq(table_count("assistants"), 0);
	ck_assert_int_eq(table_count("knowledge_bases"), 0);

	ck_assert_int_eq(oyl_user_delete(root, oyl_user_id(a.user)), OYL_OK);
	ck_assert_int_eq(table_count("users"), 2);
	ck_assert_int_eq(table_count("user_emails"), 2);
	/* the address is free again */
	ck_assert_int_eq(oyl_user_create(root, oyl_tenant_id(a.tenant), "someone@a.example", "Again",
					 OYL_ROLE_USER, NULL),
			 OYL_OK);

	ck_assert_int_eq(oyl_tenant_delete(root, oyl_tenant_id(tc)), OYL_OK);
	ck_assert_int_eq(table_count("tenants"), 2);
	ck_assert_int_eq(table_count("users"), 2);
	ck_assert_int_eq(oyl_tenant_delete(root, oyl_tenant_id(a.tenant)), OYL_OK);
	size_t n;
	const oyl_table *const *tables = oyl_schema_tables(&n);
	oyl_backend *be = t_backend_of(db);
	oyl_scope sa = {oyl_tenant_id(a.tenant)};
	for (size_t i = 0; i < n; i++) {
		if (tables[i]->tenant_col < 0)
			continue;
		int64_t left = -1;
		ck_assert_int_eq(be->count(be, &sa, tables[i], NULL, 0, &left), OYL_OK);
		ck_assert_msg(left == 0, "%s keeps %lld rows of a deleted tenant", tables[i]->name,
			      (long long)left);
	}
	ck_assert_int_eq(table_count("tenants"), 1);
	oyl_tenant_free(tc);
	free_chain(&a);
	free_chain(&b);
}
END_TEST

/* A user's uploads stay with the tenant when the user goes. */
START_TEST(user_delete_keeps_uploads)
{
	static fx_tenant fx;
	oyl_backend *b = t_backend_of(db);
	fx_build(b, &fx, 1);
	const char *uid = fx.ids[fx_table_index("users")];
	ck_assert_int_eq(oyl_user_delete(root, uid), OYL_OK);
	ck_assert_int_eq(table_count("documents"), 1);
	ck_assert_int_eq(table_count("chat_sessions"), 0);
	ck_assert_int_eq(table_count("messages"), 0);
	ck_assert_int_eq(table_count("api_keys"), 0);
	ck_assert_int_eq(table_count("auth_sessions"), 0);
	const oyl_table *docs = oyl_schema_table("documents");
	oyl_filter no_uploader = {fx_col(docs, "user_id"), OYL_OP_IS_NULL, {0, 0, 0, NULL, 0}};
	int64_t n = 0;
	ck_assert_int_eq(b->count(b, NULL, docs, &no_uploader, 1, &n), OYL_OK);
	ck_assert_int_eq(n, 1);
}
END_TEST

START_TEST(misuse_is_a_status_not_a_crash)
{
	oyl_tenant *t = (oyl_tenant *)0x1;
	ck_assert_int_eq(oyl_tenant_create(NULL, "n", "s", NULL, &t), OYL_EMISUSE);
	ck_assert_int_eq(oyl_tenant_get(root, "00000000-0000-0000-0000-000000000000", NULL),
			 OYL_EMISUSE);
	ck_assert_int_eq(oyl_actor_superadmin(NULL, NULL), OYL_EMISUSE);
	ck_assert_int_eq(oyl_actor_superadmin(db, NULL), OYL_EMISUSE);
	ck_assert_int_eq(oyl_db_migrate(NULL), OYL_EMISUSE);
	ck_assert_int_eq(oyl_db_schema_version(db, NULL), OYL_EMISUSE);
	ck_assert_int_eq(oyl_db_open(NULL, "sqlite::memory:", NULL), OYL_EMISUSE);
	ck_assert_str_eq(oyl_db_errmsg(NULL), "invalid or closed oyl_db handle");
	ck_assert_int_eq(oyl_db_errcode(NULL), OYL_EMISUSE);
	/* a handle of the wrong kind, and a freed-looking one */
	ck_assert_int_eq(oyl_db_migrate((oyl_db *)root), OYL_EMISUSE);
	ck_assert_int_eq(oyl_tenant_delete((oyl_actor *)db, "x"), OYL_EMISUSE);
	struct {
		uint32_t zero[16];
	} dead = {{0}};
	ck_assert_int_eq(oyl_db_migrate((oyl_db *)&dead), OYL_EMISUSE);
	ck_assert_int_eq(oyl_workspace_get((oyl_actor *)&dead, "x", NULL), OYL_EMISUSE);
	/* getters and frees on NULL */
	ck_assert_ptr_null(oyl_tenant_name(NULL));
	ck_assert_int_eq(oyl_user_role(NULL), 0);
	ck_assert_int_eq(oyl_actor_role(NULL), 0);
	char *json = (char *)0x1;
	ck_assert_int_eq(oyl_kb_to_json(NULL, &json), OYL_EMISUSE);
	ck_assert_ptr_null(json);
	oyl_tenant_free(NULL);
	oyl_actor_free(NULL);
	oyl_db_close(NULL);
	oyl_free(NULL);
	/* a record of another kind is not read as this kind */
	oyl_tenant *tenant = NULL;
	ck_assert_int_eq(oyl_tenant_create(root, "T", "kinds", NULL, &tenant), OYL_OK);
	ck_assert_ptr_null(oyl_workspace_name((oyl_workspace *)tenant));
	oyl_tenant_free(tenant);
	ck_assert_str_eq(oyl_strerror(OYL_ENOTFOUND), "not found");
	ck_assert_str_eq(oyl_status_name(OYL_ECONFLICT), "ECONFLICT");
	ck_assert_str_eq(oyl_strerror(12345), "unknown status");
	ck_assert_str_eq(oyl_version(), OYL_VERSION_STRING);
	/* the lists, actors and pages */
	oyl_page *p = (oyl_page *)0x1;
	ck_assert_int_eq(oyl_tenant_list(NULL, NULL, &p), OYL_EMISUSE);
	ck_assert_int_eq(oyl_tenant_list(root, NULL, NULL), OYL_EMISUSE);
	ck_assert_int_eq(oyl_audit_list(root, NULL, NULL, NULL), OYL_EMISUSE);
	ck_assert_int_eq(oyl_user_list(root, "not-a-uuid", NULL, &p), OYL_EINVAL);
	ck_assert_ptr_null(p);
	oyl_actor *a = (oyl_actor *)0x1;
	ck_assert_int_eq(oyl_actor_for_user(NULL, "x", &a), OYL_EMISUSE);
	ck_assert_int_eq(oyl_actor_for_user(db, "x", NULL), OYL_EMISUSE);
	ck_assert_int_eq(oyl_actor_for_user(db, "x", &a), OYL_EINVAL);
	ck_assert_ptr_null(a);
	ck_assert_uint_eq(oyl_page_count(NULL), 0);
	ck_assert_int_eq(oyl_page_total(NULL), -1);
	ck_assert_ptr_null(oyl_page_next_cursor(NULL));
	ck_assert_ptr_null(oyl_page_user(NULL, 0));
	ck_assert_int_eq(oyl_page_to_json(NULL, &json), OYL_EMISUSE);
	oyl_page_free(NULL);
	ck_assert_ptr_null(oyl_actor_user_id(root)); /* the bootstrap superadmin */
	ck_assert_int_eq(oyl_social_link_platform(NULL), 0);
	ck_assert_ptr_null(oyl_audit_event_action(NULL));
	ck_assert_int_eq(oyl_user_update(root, "00000000-0000-0000-0000-000000000000", NULL, 77, NULL),
			 OYL_EINVAL);
}
END_TEST

START_TEST(open_failures_are_clear)
{
	oyl_db *d = (oyl_db *)0x1;
	ck_assert_int_eq(oyl_db_open(&d, "mysql://x", NULL), OYL_EINVAL);
	ck_assert_ptr_null(d);
	ck_assert_ptr_nonnull(strstr(oyl_last_open_error(), "unknown scheme \"mysql\""));
	/* an '=' later in a URI does not make it a libpq key=value string */
	ck_assert_int_eq(oyl_db_open(&d, "mysql://h/db?x=y", NULL), OYL_EINVAL);
	ck_assert_ptr_nonnull(strstr(oyl_last_open_error(), "unknown scheme \"mysql\""));
	ck_assert_int_eq(oyl_db_open(&d, "what is this", NULL), OYL_EINVAL);
	ck_assert_ptr_nonnull(strstr(oyl_last_open_error(), "unrecognised database URI"));
	ck_assert_int_eq(oyl_db_open(&d, NULL, NULL), OYL_EINVAL);
	ck_assert_int_eq(oyl_db_open(&d, "sqlite:", NULL), OYL_EINVAL);
	ck_assert_int_eq(oyl_db_open(&d, "sqlite:/nonexistent-dir/sub/x.db", NULL), OYL_ECONNECT);
	ck_assert_ptr_nonnull(strstr(oyl_last_open_error(), "/nonexistent-dir/sub/x.db"));
	oyl_db_options bad = OYL_DB_OPTIONS_INIT;
	bad.size = 0;
	ck_assert_int_eq(oyl_db_open(&d, "sqlite::memory:", &bad), OYL_EINVAL);
	ck_assert_int_eq(oyl_db_open(&d, "host=/nonexistent-socket-dir dbname=x connect_timeout=2", NULL),
			 OYL_ECONNECT);
	ck_assert_ptr_null(d);
	ck_assert_int_eq(oyl_db_open(&d, "postgresql://%zz", NULL), OYL_EINVAL);
	ck_assert_int_eq(oyl_db_open(&d, "host=x = =", NULL), OYL_EINVAL);
	if (t_is_postgres()) {
		char uri[T_URI_MAX];
		snprintf(uri, sizeof uri, "%s dbname=no_such_database_here", getenv("OYL_TEST_PG"));
		ck_assert_int_eq(oyl_db_open(&d, uri, NULL), OYL_ECONNECT);
		ck_assert_ptr_nonnull(strstr(oyl_last_open_error(), "no_such_database_here"));
		const char *pw = getenv("OYL_TEST_PG_PASSWORD_URI");
		if (pw) {
			snprintf(uri, sizeof uri, "%s password=wrong-secret", pw);
			ck_assert_int_eq(oyl_db_open(&d, uri, NULL), OYL_ECONNECT);
			ck_assert_ptr_null(strstr(oyl_last_open_error(), "wrong-secret"));
			ck_assert_ptr_nonnull(strstr(oyl_last_open_error(), "password"));
		}
	}
	/* a backend with a method missing is refused, and freed */
	ck_assert_int_eq(oyl_db_open_backend(&d, NULL, NULL), OYL_EINVAL);
}
END_TEST


START_TEST(social_links_infer_and_check_platforms)
{
	oyl_tenant *t = NULL;
	ck_assert_int_eq(oyl_tenant_create(root, "T", "links", NULL, &t), OYL_OK);
	const char *tid = oyl_tenant_id(t);
	static const struct {
		const char *url;
		int given, want;
	} ok[] = {
		{"https://x.com/acme", OYL_PLATFORM_AUTO, OYL_PLATFORM_TWITTER},
		{"https://twitter.com/acme", OYL_PLATFORM_TWITTER, OYL_PLATFORM_TWITTER},
		{"http://www.facebook.com/acme", OYL_PLATFORM_AUTO, OYL_PLATFORM_FACEBOOK},
		{"https://de.linkedin.com/company/acme", OYL_PLATFORM_AUTO, OYL_PLATFORM_LINKEDIN},
		{"https://INSTAGRAM.com/acme", OYL_PLATFORM_AUTO, OYL_PLATFORM_INSTAGRAM},
		{"https://youtu.be/abc", OYL_PLATFORM_AUTO, OYL_PLATFORM_YOUTUBE},
		{"https://m.youtube.com/watch?v=1", OYL_PLATFORM_YOUTUBE, OYL_PLATFORM_YOUTUBE},
		{"https://user@example.org:8443/x", OYL_PLATFORM_AUTO, OYL_PLATFORM_OTHER},
		{"https://notx.com/acme", OYL_PLATFORM_AUTO, OYL_PLATFORM_OTHER},
		{"https://mastodon.social/@acme", OYL_PLATFORM_OTHER, OYL_PLATFORM_OTHER},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		oyl_social_link *l = NULL;
		int rc = oyl_social_link_create(root, tid, ok[i].url, ok[i].given, &l);
		ck_assert_msg(rc == OYL_OK, "%s: %s", ok[i].url, oyl_db_errmsg(db));
		ck_assert_int_eq(oyl_social_link_platform(l), ok[i].want);
		ck_assert_str_eq(oyl_social_link_url(l), ok[i].url);
		oyl_social_link_free(l);
	}
	uint64_t before = t_fingerprint(t_backend_of(db));
	static const struct {
		const char *url;
		int given;
		const char *field;
	} bad[] = {
		{"ftp://x.com/a", OYL_PLATFORM_AUTO, "url"},
		{"https://", OYL_PLATFORM_AUTO, "url"},
		{"x.com/acme", OYL_PLATFORM_AUTO, "url"},
		{"https://exa mple.com", OYL_PLATFORM_AUTO, "url"},
		{"https://example.com:80x/", OYL_PLATFORM_AUTO, "url"},
		{"javascript:alert(1)", OYL_PLATFORM_AUTO, "url"},
		{"https://x.com/acme", OYL_PLATFORM_FACEBOOK, "platform"},
		{"https://example.com", OYL_PLATFORM_YOUTUBE, "platform"},
		{"https://x.com/acme", 42, "platform"},
		{"https://x.com/acme", -1, "platform"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_int_eq(oyl_social_link_create(root, tid, bad[i].url, bad[i].given, NULL),
				 OYL_EINVAL);
		ck_assert_msg(strncmp(oyl_db_errmsg(db), bad[i].field, strlen(bad[i].field)) == 0,
			      "%s: %s", bad[i].url, oyl_db_errmsg(db));
	}
	ck_assert(t_fingerprint(t_backend_of(db)) == before);
	/* update re-checks the platform against the URL it will have */
	oyl_social_link *l = NULL, *l2 = NULL;
	ck_assert_int_eq(oyl_social_link_create(root, tid, "https://x.com/a", 0, &l), OYL_OK);
	ck_assert_int_eq(oyl_social_link_update(root, oyl_social_link_id(l), NULL, OYL_PLATFORM_YOUTUBE, NULL),
			 OYL_EINVAL);
	ck_assert_int_eq(oyl_social_link_update(root, oyl_social_link_id(l), "https://youtu.be/z", 0, &l2),
			 OYL_OK);
	ck_assert_int_eq(oyl_social_link_platform(l2), OYL_PLATFORM_YOUTUBE);
	oyl_social_link_free(l);
	oyl_social_link_free(l2);
	oyl_tenant_free(t);
}
END_TEST

/* Every field of a teammate as its getters give it. */
typedef struct teammate_row {
	char id[37], tenant_id[37], workspace_id[37], name[256], config[1024];
	int64_t rr_position, created_at, updated_at;
} teammate_row;

static void copy_text(char *dst, size_t size, const char *src)
{
	ck_assert_ptr_nonnull(src);
	ck_assert_uint_lt(strlen(src), size);
	memcpy(dst, src, strlen(src) + 1);
}

/* Reads the teammate from storage (not from a record held since). */
static void read_teammate(const char *id, teammate_row *r)
{
	oyl_teammate *t = NULL;
	ck_assert_int_eq(oyl_teammate_get(root, id, &t), OYL_OK);
	copy_text(r->id, sizeof r->id, oyl_teammate_id(t));
	copy_text(r->tenant_id, sizeof r->tenant_id, oyl_teammate_tenant_id(t));
	copy_text(r->workspace_id, sizeof r->workspace_id, oyl_teammate_workspace_id(t));
	copy_text(r->name, sizeof r->name, oyl_teammate_name(t));
	copy_text(r->config, sizeof r->config, oyl_teammate_orchestration_config(t));
	r->rr_position = oyl_teammate_rr_position(t);
	r->created_at = oyl_teammate_created_at(t);
	r->updated_at = oyl_teammate_updated_at(t);
	oyl_teammate_free(t);
}

/* After a refused call (`what`), the teammate is exactly as it was. */
static void assert_teammate_unchanged(const char *what, const teammate_row *before)
{
	teammate_row now;
	read_teammate(before->id, &now);
	ck_assert_msg(strcmp(now.name, before->name) == 0, "%s: name now \"%s\", was \"%s\"", what,
		      now.name, before->name);
	ck_assert_msg(strcmp(now.config, before->config) == 0, "%s: config now %s, was %s", what,
		      now.config, before->config);
	ck_assert_msg(now.updated_at == before->updated_at, "%s: updated_at now %lld, was %lld", what,
		      (long long)now.updated_at, (long long)before->updated_at);
	ck_assert_msg(strcmp(now.tenant_id, before->tenant_id) == 0 &&
			      strcmp(now.workspace_id, before->workspace_id) == 0 &&
			      now.rr_position == before->rr_position &&
			      now.created_at == before->created_at,
		      "%s: tenant, workspace, rr_position or created_at changed", what);
}

/* A config the update refuses: EINVAL naming `field`, the row unchanged
 * (the name given with it not applied either), nothing else written. */
static void refuse_config(const char *tm, const char *cfg, const char *field, const char *why)
{
	teammate_row before;
	read_teammate(tm, &before);
	uint64_t fp = t_fingerprint(t_backend_of(db));
	oyl_teammate *out = (oyl_teammate *)0x1;
	assert_refused(cfg, oyl_teammate_update(root, tm, "Renamed", cfg, &out), field, why);
	ck_assert_ptr_null(out);
	assert_teammate_unchanged(cfg, &before);
	ck_assert_msg(t_fingerprint(t_backend_of(db)) == fp, "%s: something was written", cfg);
}

START_TEST(orchestration_config_rules)
{
	chain c;
	make_chain(&c, "orch");
	const char *tm = oyl_teammate_id(c.tm), *as = oyl_assistant_id(c.as);
	oyl_assistant *as2 = NULL;
	ck_assert_int_eq(oyl_assistant_create(root, tm, "Second", &as2), OYL_OK);
	/* an assistant of another teammate */
	oyl_teammate *other_tm = NULL;
	oyl_assistant *foreign = NULL;
	ck_assert_int_eq(oyl_teammate_create(root, oyl_workspace_id(c.ws), "Other", NULL, &other_tm), OYL_OK);
	ck_assert_int_eq(oyl_assistant_create(root, oyl_teammate_id(other_tm), "F", &foreign), OYL_OK);
	char cfg[512];
	snprintf(cfg, sizeof cfg,
		 "{\"strategy\":\"fallback\",\"assistants\":[\"%s\",\"%s\"],\"fallback_assistant\":\"%s\"}",
		 as, oyl_assistant_id(as2), oyl_assistant_id(as2));
	oyl_teammate *updated = NULL;
	ck_assert_int_eq(oyl_teammate_update(root, tm, NULL, cfg, &updated), OYL_OK);
	ck_assert_str_eq(oyl_teammate_orchestration_config(updated), cfg);
	oyl_teammate_free(updated);
	teammate_row stored;
	read_teammate(tm, &stored);
	ck_assert_str_eq(stored.config, cfg);

	struct {
		char cfg[512];
		const char *field, *why;
	} bad[6] = {
		{"", "orchestration_config.strategy", "must be \"round_robin\", \"first\" or \"fallback\""},
		{"", "orchestration_config.assistants[0]", "is not an assistant of this teammate"},
		{"", "orchestration_config.fallback_assistant", "must be one of the listed assistants"},
		{"", "orchestration_config.fallback_assistant", "required by the \"fallback\" strategy"},
		{"", "orchestration_config", "unknown key \"colour\""},
		{"", "orchestration_config.assistants[1]", "listed twice"},
	};
	snprintf(bad[0].cfg, 512, "{\"strategy\":\"random\"}");
	snprintf(bad[1].cfg, 512, "{\"assistants\":[\"%s\"]}", oyl_assistant_id(foreign));
	snprintf(bad[2].cfg, 512, "{\"assistants\":[\"%s\"],\"fallback_assistant\":\"%s\"}", as,
		 oyl_assistant_id(as2));
	snprintf(bad[3].cfg, 512, "{\"strategy\":\"fallback\",\"assistants\":[\"%s\"]}", as);
	snprintf(bad[4].cfg, 512, "{\"strategy\":\"first\",\"colour\":\"blue\"}");
	snprintf(bad[5].cfg, 512, "{\"assistants\":[\"%s\",\"%s\"]}", as, as);
	for (int i = 0; i < 6; i++)
		refuse_config(tm, bad[i].cfg, bad[i].field, bad[i].why);
	/* a new teammate has no assistants to list: refused, and nothing written */
	uint64_t before = t_fingerprint(t_backend_of(db));
	char listing[128];
	snprintf(listing, sizeof listing, "{\"assistants\":[\"%s\"]}", as);
	REFUSED(oyl_teammate_create(root, oyl_workspace_id(c.ws), "N", listing, NULL),
		"orchestration_config.assistants[0]", "a new teammate has none");
	ck_assert(t_fingerprint(t_backend_of(db)) == before);
	oyl_teammate *created = NULL;
	ck_assert_int_eq(oyl_teammate_create(root, oyl_workspace_id(c.ws), "N", "{\"strategy\":\"round_robin\"}",
					 &created),
			 OYL_OK);
	read_teammate(oyl_teammate_id(created), &stored);
	ck_assert_str_eq(stored.config, "{\"strategy\":\"round_robin\"}");
	oyl_teammate_free(created);
	oyl_assistant_free(as2);
	oyl_assistant_free(foreign);
	oyl_teammate_free(other_tm);
	free_chain(&c);
}
END_TEST

/*
 * The config is checked as written, not as cJSON reads it: cJSON keeps
 * the first of two equal keys for lookups and stops after the first
 * value, so a second "assistants" or "fallback_assistant" (naming an
 * assistant the check never saw) or text after the object would reach
 * storage unchecked.  All refused, the row unchanged; and ids are UUIDs,
 * so one listed twice in two letter cases is listed twice.
 */
START_TEST(orchestration_config_is_checked_as_written)
{
	chain c;
	make_chain(&c, "orch-json");
	const char *tm = oyl_teammate_id(c.tm), *as = oyl_assistant_id(c.as);
	oyl_assistant *as2 = NULL;
	ck_assert_int_eq(oyl_assistant_create(root, tm, "Second", &as2), OYL_OK);
	oyl_teammate *other_tm = NULL;
	oyl_assistant *foreign = NULL;
	ck_assert_int_eq(oyl_teammate_create(root, oyl_workspace_id(c.ws), "Other", NULL, &other_tm), OYL_OK);
	ck_assert_int_eq(oyl_assistant_create(root, oyl_teammate_id(other_tm), "F", &foreign), OYL_OK);
	const char *fid = oyl_assistant_id(foreign), *as2id = oyl_assistant_id(as2);
	char cfg[512];
	snprintf(cfg, sizeof cfg, "{\"strategy\":\"first\",\"assistants\":[\"%s\"]}", as);
	ck_assert_int_eq(oyl_teammate_update(root, tm, NULL, cfg, NULL), OYL_OK);

	char twice_list[256], twice_fallback[512], upper[37], cased[256];
	snprintf(twice_list, sizeof twice_list, "{\"assistants\":[\"%s\"],\"assistants\":[\"%s\"]}", as,
		 fid);
	snprintf(twice_fallback, sizeof twice_fallback,
		 "{\"strategy\":\"fallback\",\"assistants\":[\"%s\",\"%s\"],"
		 "\"fallback_assistant\":\"%s\",\"fallback_assistant\":\"%s\"}",
		 as, as2id, as2id, fid);
	snprintf(upper, sizeof upper, "%s", as);
	for (char *p = upper; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 32);
	snprintf(cased, sizeof cased, "{\"assistants\":[\"%s\",\"%s\"]}", as, upper);
	const struct {
		const char *cfg, *field, *why;
	} bad[] = {
		{twice_list, "orchestration_config", "key \"assistants\" appears twice"},
		{twice_fallback, "orchestration_config", "key \"fallback_assistant\" appears twice"},
		{"{\"strategy\":\"first\"} garbage", "orchestration_config", "text after the JSON value"},
		{"{}{}", "orchestration_config", "text after the JSON value"},
		{cased, "orchestration_config.assistants[1]", "listed twice"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		refuse_config(tm, bad[i].cfg, bad[i].field, bad[i].why);
	/* a new teammate is refused the same JSON, and none is created (all
	 * but the last case: a new teammate may list no assistant at all) */
	uint64_t before = t_fingerprint(t_backend_of(db));
	for (size_t i = 0; i + 1 < sizeof bad / sizeof bad[0]; i++) {
		oyl_teammate *t = (oyl_teammate *)0x1;
		assert_refused(bad[i].cfg, oyl_teammate_create(root, oyl_workspace_id(c.ws), "N", bad[i].cfg, &t),
			       bad[i].field, bad[i].why);
		ck_assert_ptr_null(t);
	}
	ck_assert(t_fingerprint(t_backend_of(db)) == before);
	oyl_assistant_free(as2);
	oyl_assistant_free(foreign);
	oyl_teammate_free(other_tm);
	free_chain(&c);
}
END_TEST

/* ---- API keys: "oyl_<12-char prefix>_<43-char secret>", base62 (oyl.h, doc/identity.md) ---- */

#define KEY_PREFIX_AT 4  /* after "oyl_" */
#define KEY_PREFIX_LEN 12
#define KEY_SECRET_AT 17 /* after the prefix and '_' */
#define KEY_SECRET_LEN 43
#define KEY_LEN (KEY_SECRET_AT + KEY_SECRET_LEN)
/* Any run this long of the secret part counts as leaked: 62^12 makes a chance match nil. */
#define KEY_LEAK_WINDOW 12

static int is_base62(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

static void assert_key_shape(const char *key)
{
	ck_assert_ptr_nonnull(key);
	ck_assert_uint_eq(strlen(key), KEY_LEN);
	ck_assert_msg(strncmp(key, "oyl_", 4) == 0 && key[KEY_SECRET_AT - 1] == '_', "shape: %s", key);
	ck_assert_msg(is_base62(key + KEY_PREFIX_AT, KEY_PREFIX_LEN), "prefix not base62: %s", key);
	ck_assert_msg(is_base62(key + KEY_SECRET_AT, KEY_SECRET_LEN), "secret not base62: %s", key);
}

/* 1 when some run of KEY_LEAK_WINDOW characters of the key's secret part occurs in text. */
static int leaks_secret(const char *text, const char *key)
{
	for (size_t at = 0; at + KEY_LEAK_WINDOW <= KEY_SECRET_LEN; at++) {
		char window[KEY_LEAK_WINDOW + 1];
		memcpy(window, key + KEY_SECRET_AT + at, KEY_LEAK_WINDOW);
		window[KEY_LEAK_WINDOW] = '\0';
		if (strstr(text, window))
			return 1;
	}
	return 0;
}

typedef struct text_dump {
	char *s;
	size_t n, cap;
} text_dump;

/* Appends every text and JSON value of a row, one per line. */
static int dump_cb(const oyl_value *v, size_t n, void *payload)
{
	text_dump *d = payload;
	for (size_t i = 0; i < n; i++) {
		if (v[i].type != OYL_TYPE_TEXT && v[i].type != OYL_TYPE_JSON)
			continue;
		if (d->n + v[i].n + 2 > d->cap) {
			d->cap = (d->n + v[i].n + 2) * 2;
			d->s = realloc(d->s, d->cap);
			ck_assert_ptr_nonnull(d->s);
		}
		memcpy(d->s + d->n, v[i].s, v[i].n);
		d->n += v[i].n;
		d->s[d->n++] = '\n';
		d->s[d->n] = '\0';
	}
	return 0;
}

/* Every text of every row of every table (free()). */
static char *dump_storage(void)
{
	size_t n;
	const oyl_table *const *tables = oyl_schema_tables(&n);
	oyl_backend *b = t_backend_of(db);
	oyl_scope platform = {NULL};
	oyl_query q = {NULL, 0, 0, 0, NULL, NULL, 0, 0};
	text_dump d = {calloc(1, 1), 0, 1};
	ck_assert_ptr_nonnull(d.s);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(b->list(b, &platform, tables[i], &q, dump_cb, &d), OYL_OK);
	return d.s;
}

/* The stored row of an API key: its prefix and key_hash columns. */
typedef struct key_row {
	char prefix[64], hash[128];
} key_row;

static int key_row_cb(const oyl_value *v, size_t n, void *payload)
{
	key_row *r = payload;
	const oyl_table *t = oyl_schema_table("api_keys");
	int p = fx_col(t, "prefix"), h = fx_col(t, "key_hash");
	ck_assert(p >= 0 && h >= 0 && (size_t)p < n && (size_t)h < n);
	snprintf(r->prefix, sizeof r->prefix, "%.*s", (int)v[p].n, v[p].s);
	snprintf(r->hash, sizeof r->hash, "%.*s", (int)v[h].n, v[h].s);
	return 0;
}

/* Another character of the same kind: a letter's other case, the next digit; a '_' becomes 'x'. */
static char changed_char(char c)
{
	if (c >= 'a' && c <= 'z')
		return (char)(c - 32);
	if (c >= 'A' && c <= 'Z')
		return (char)(c + 32);
	if (c >= '0' && c <= '9')
		return (char)('0' + (c - '0' + 1) % 10);
	return 'x';
}

static void assert_key_refused(const char *key, const char *what, size_t at)
{
	oyl_actor *a = (oyl_actor *)0x1;
	int rc = oyl_actor_from_api_key(db, key, &a);
	ck_assert_msg(rc == OYL_EAUTH, "%s %zu: %s", what, at, oyl_status_name(rc));
	ck_assert_ptr_null(a);
	ck_assert_str_eq(oyl_db_errmsg(db), "invalid API key");
}

/*
 * An API key: its whole shape; the prefix is what the record shows and
 * stores, the secret part only as its SHA-256, never in any table, record,
 * list or JSON; the key authenticates as its user, and no key that differs
 * from it in one character does (in the prefix: another key's lookup —
 * letter case included —, in the secret: a hash that differs, in "oyl_"
 * or the separator: a malformed key).
 */
START_TEST(api_key_shape_secrecy_and_exactness)
{
	chain c;
	make_chain(&c, "keys");
	const char *uid = oyl_user_id(c.user);
	oyl_api_key *k = NULL, *k2 = NULL;
	char *key = NULL, *key2 = NULL;
	ck_assert_int_eq(oyl_api_key_create(root, uid, "laptop", &k, &key), OYL_OK);
	ck_assert_int_eq(oyl_api_key_create(root, uid, "phone", &k2, &key2), OYL_OK);
	assert_key_shape(key);
	assert_key_shape(key2);
	/* random: two keys share neither part */
	ck_assert(strncmp(key + KEY_PREFIX_AT, key2 + KEY_PREFIX_AT, KEY_PREFIX_LEN) != 0);
	ck_assert(strcmp(key + KEY_SECRET_AT, key2 + KEY_SECRET_AT) != 0);

	/* the record's prefix is the key's, exactly (no "oyl_", nothing of the secret) */
	char prefix[KEY_PREFIX_LEN + 1];
	memcpy(prefix, key + KEY_PREFIX_AT, KEY_PREFIX_LEN);
	prefix[KEY_PREFIX_LEN] = '\0';
	ck_assert_str_eq(oyl_api_key_prefix(k), prefix);

	/* stored: the prefix, and SHA-256 of the secret part (checked on a known vector first) */
	char hash[OYL_SHA256_HEX + 1];
	ck_assert_int_eq(oyl__sha256_hex("abc", 3, hash), OYL_OK);
	ck_assert_str_eq(hash, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	ck_assert_int_eq(oyl__sha256_hex(key + KEY_SECRET_AT, KEY_SECRET_LEN, hash), OYL_OK);
	oyl_backend *b = t_backend_of(db);
	oyl_filter by_id = {0, OYL_OP_EQ, {OYL_TYPE_UUID, 0, 0, oyl_api_key_id(k), 36}};
	oyl_query q = {&by_id, 1, 0, 0, NULL, NULL, 0, 0};
	oyl_scope scope = {oyl_tenant_id(c.tenant)};
	key_row row = {"", ""};
	ck_assert_int_eq(b->list(b, &scope, oyl_schema_table("api_keys"), &q, key_row_cb, &row), OYL_OK);
	ck_assert_str_eq(row.prefix, prefix);
	ck_assert_str_eq(row.hash, hash);

	/* no table, record, list or JSON holds any run of the secret part */
	char *all = dump_storage();
	ck_assert_ptr_nonnull(strstr(all, prefix)); /* the dump did read api_keys */
	ck_assert_msg(!leaks_secret(all, key), "the secret part is stored");
	free(all);
	char *json = NULL;
	ck_assert_int_eq(oyl_api_key_to_json(k, &json), OYL_OK);
	ck_assert_ptr_nonnull(strstr(json, prefix));
	ck_assert_msg(!leaks_secret(json, key) && !strstr(json, "key_hash"), "%s", json);
	oyl_free(json);
	oyl_api_key *got = NULL;
	ck_assert_int_eq(oyl_api_key_get(root, oyl_api_key_id(k), &got), OYL_OK);
	ck_assert_str_eq(oyl_api_key_prefix(got), prefix);
	ck_assert_int_eq(oyl_api_key_to_json(got, &json), OYL_OK);
	ck_assert_msg(!leaks_secret(json, key) && !strstr(json, hash), "%s", json);
	oyl_free(json);
	oyl_api_key_free(got);
	oyl_page *p = NULL;
	ck_assert_int_eq(oyl_api_key_list(root, uid, NULL, &p), OYL_OK);
	ck_assert_uint_eq(oyl_page_count(p), 2);
	/* both keys, in either order (they may share a created_at) */
	char prefix2[KEY_PREFIX_LEN + 1];
	memcpy(prefix2, key2 + KEY_PREFIX_AT, KEY_PREFIX_LEN);
	prefix2[KEY_PREFIX_LEN] = '\0';
	const char *p0 = oyl_api_key_prefix(oyl_page_api_key(p, 0));
	const char *p1 = oyl_api_key_prefix(oyl_page_api_key(p, 1));
	ck_assert_msg((strcmp(p0, prefix) == 0 && strcmp(p1, prefix2) == 0) ||
			      (strcmp(p0, prefix2) == 0 && strcmp(p1, prefix) == 0),
		      "listed prefixes %s, %s", p0, p1);
	ck_assert_int_eq(oyl_page_to_json(p, &json), OYL_OK);
	ck_assert_msg(!leaks_secret(json, key) && !leaks_secret(json, key2) && !strstr(json, hash),
		      "%s", json);
	oyl_free(json);
	oyl_page_free(p);

	/* the key is its user's */
	oyl_actor *a = NULL;
	ck_assert_int_eq(oyl_actor_from_api_key(db, key, &a), OYL_OK);
	ck_assert_str_eq(oyl_actor_user_id(a), uid);
	oyl_actor_free(a);
	/* one character changed, anywhere: refused */
	char wrong[KEY_LEN + 2];
	for (size_t at = 0; at < KEY_LEN; at++) {
		memcpy(wrong, key, KEY_LEN + 1);
		wrong[at] = changed_char(wrong[at]);
		assert_key_refused(wrong, "changed at", at);
	}
	/* one character more or less */
	memcpy(wrong, key, KEY_LEN + 1);
	wrong[KEY_LEN] = 'A';
	wrong[KEY_LEN + 1] = '\0';
	assert_key_refused(wrong, "appended at", KEY_LEN);
	wrong[KEY_LEN - 1] = '\0';
	assert_key_refused(wrong, "cut at", KEY_LEN - 1);
	/* the other key's secret behind this key's prefix */
	memcpy(wrong, key, KEY_SECRET_AT);
	memcpy(wrong + KEY_SECRET_AT, key2 + KEY_SECRET_AT, KEY_SECRET_LEN + 1);
	assert_key_refused(wrong, "other secret at", KEY_SECRET_AT);
	/* and all that did not lock the right key out */
	ck_assert_int_eq(oyl_actor_from_api_key(db, key, &a), OYL_OK);
	ck_assert_str_eq(oyl_actor_user_id(a), uid);
	oyl_actor_free(a);

	oyl_free(key);
	oyl_free(key2);
	oyl_api_key_free(k);
	oyl_api_key_free(k2);
	free_chain(&c);
}
END_TEST

START_TEST(lists_page_by_limit_offset_and_cursor)
{
	oyl_tenant *t = NULL;
	ck_assert_int_eq(oyl_tenant_create(root, "T", "lists", NULL, &t), OYL_OK);
	const char *tid = oyl_tenant_id(t);
	char names[45][16];
	for (int i = 0; i < 45; i++) {
		snprintf(names[i], sizeof names[i], "ws-%02d", i);
		ck_assert_int_eq(oyl_workspace_create(root, tid, names[i], NULL), OYL_OK);
	}
	oyl_page *p = NULL;
	ck_assert_int_eq(oyl_workspace_list(root, tid, NULL, &p), OYL_OK);
	ck_assert_uint_eq(oyl_page_count(p), 20); /* default limit */
	ck_assert_int_eq(oyl_page_total(p), -1);
	ck_assert_ptr_nonnull(oyl_page_next_cursor(p));
	oyl_page_free(p);
	/* cursor walk: every record once, in creation order */
	oyl_list_options o = OYL_LIST_OPTIONS_INIT;
	o.limit = 7;
	o.flags = OYL_LIST_TOTAL;
	char cursor[128] = "";
	int seen = 0;
	for (;;) {
		o.cursor = cursor[0] ? cursor : NULL;
		ck_assert_int_eq(oyl_workspace_list(root, tid, &o, &p), OYL_OK);
		ck_assert_int_eq(oyl_page_total(p), 45);
		for (size_t i = 0; i < oyl_page_count(p); i++)
			ck_assert_str_eq(oyl_workspace_name(oyl_page_workspace(p, i)), names[seen++]);
		ck_assert_ptr_null(oyl_page_workspace(p, oyl_page_count(p)));
		ck_assert_ptr_null(oyl_page_tenant(p, 0)); /* another kind */
		const char *next = oyl_page_next_cursor(p);
		if (!next) {
			oyl_page_free(p);
			break;
		}
		snprintf(cursor, sizeof cursor, "%s", next);
		oyl_page_free(p);
	}
	ck_assert_int_eq(seen, 45);
	/* offset */
	oyl_list_options off = OYL_LIST_OPTIONS_INIT;
	off.offset = 40;
	off.limit = 100;
	ck_assert_int_eq(oyl_workspace_list(root, tid, &off, &p), OYL_OK);
	ck_assert_uint_eq(oyl_page_count(p), 5);
	ck_assert_str_eq(oyl_workspace_name(oyl_page_workspace(p, 0)), "ws-40");
	ck_assert_ptr_null(oyl_page_next_cursor(p));
	char *json = NULL;
	ck_assert_int_eq(oyl_page_to_json(p, &json), OYL_OK);
	ck_assert_ptr_nonnull(strstr(json, "\"name\":\"ws-44\""));
	ck_assert_ptr_nonnull(strstr(json, "\"total\":null,\"next_cursor\":null}"));
	oyl_free(json);
	oyl_page_free(p);
	/* bad options */
	oyl_list_options bad = OYL_LIST_OPTIONS_INIT;
	bad.limit = 101;
	ck_assert_int_eq(oyl_workspace_list(root, tid, &bad, &p), OYL_EINVAL);
	ck_assert_ptr_null(p);
	bad.limit = -1;
	ck_assert_int_eq(oyl_workspace_list(root, tid, &bad, &p), OYL_EINVAL);
	bad = (oyl_list_options)OYL_LIST_OPTIONS_INIT;
	bad.cursor = "garbage";
	ck_assert_int_eq(oyl_workspace_list(root, tid, &bad, &p), OYL_EINVAL);
	ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "cursor"));
	bad.cursor = "123.not-a-uuid";
	ck_assert_int_eq(oyl_workspace_list(root, tid, &bad, &p), OYL_EINVAL);
	bad.cursor = cursor;
	bad.offset = 3;
	ck_assert_int_eq(oyl_workspace_list(root, tid, &bad, &p), OYL_EINVAL);
	bad = (oyl_list_options)OYL_LIST_OPTIONS_INIT;
	bad.size = 0;
	ck_assert_int_eq(oyl_workspace_list(root, tid, &bad, &p), OYL_EINVAL);
	ck_assert_int_eq(oyl_workspace_list(root, tid, NULL, NULL), OYL_EMISUSE);
	oyl_tenant_free(t);
}
END_TEST

START_TEST(tenant_list_counts_users_and_documents)
{
	chain a;
	make_chain(&a, "counted");
	ck_assert_int_eq(oyl_user_create(root, oyl_tenant_id(a.tenant), "two@counted.example", "Two",
					 OYL_ROLE_USER, NULL),
			 OYL_OK);
	oyl_tenant *empty = NULL;
	ck_assert_int_eq(oyl_tenant_create(root, "E", "empty", NULL, &empty), OYL_OK);
	oyl_page *p = NULL;
	ck_assert_int_eq(oyl_tenant_list(root, NULL, &p), OYL_OK);
	ck_assert_uint_eq(oyl_page_count(p), 2);
	const oyl_tenant *first = oyl_page_tenant(p, 0);
	ck_assert_str_eq(oyl_tenant_slug(first), "counted");
	ck_assert_int_eq(oyl_tenant_user_count(first), 2);
	ck_assert_int_eq(oyl_tenant_document_count(first), 0);
	ck_assert_int_eq(oyl_tenant_user_count(oyl_page_tenant(p, 1)), 0);
	char *json = NULL;
	ck_assert_int_eq(oyl_page_to_json(p, &json), OYL_OK);
	ck_assert_ptr_nonnull(strstr(json, "\"user_count\":2,\"document_count\":0"));
	oyl_free(json);
	oyl_page_free(p);
	oyl_tenant *got = NULL;
	ck_assert_int_eq(oyl_tenant_get(root, oyl_tenant_id(a.tenant), &got), OYL_OK);
	ck_assert_int_eq(oyl_tenant_user_count(got), 2);
	oyl_tenant_free(got);
	oyl_tenant_free(empty);
	free_chain(&a);
}
END_TEST

/* Every text field of every function, with SQL metacharacters: stored and
 * read back verbatim, no other effect. */
START_TEST(metacharacters_in_every_text_field)
{
	static const char *payloads[] = {
		"it's", "a\"b", "semi;colon", "-- comment", "/* c */", "back\\slash", "100%", "under_score",
		"$1", "' OR '1'='1", "'); DELETE FROM tenants; --",
	};
	oyl_tenant *t = NULL;
	ck_assert_int_eq(oyl_tenant_create(root, "T", "meta", NULL, &t), OYL_OK);
	const char *tid = oyl_tenant_id(t);
	for (size_t i = 0; i < sizeof payloads / sizeof payloads[0]; i++) {
		const char *m = payloads[i];
		char slug[32], email[96], url[160];
		snprintf(slug, sizeof slug, "meta-%zu", i);
		oyl_tenant *t2 = NULL;
		ck_assert_int_eq(oyl_tenant_create(root, m, slug, NULL, &t2), OYL_OK);
		ck_assert_str_eq(oyl_tenant_name(t2), m);
		oyl_tenant *t3 = NULL;
		ck_assert_int_eq(oyl_tenant_update(root, oyl_tenant_id(t2), m, NULL, &t3), OYL_OK);
		ck_assert_str_eq(oyl_tenant_name(t3), m);
		/* e-mail: the metacharacters that an address may carry */
		snprintf(email, sizeof email, "o'b%%_%zu@meta.example", i);
		oyl_user *u = NULL, *u2 = NULL;
		ck_assert_int_eq(oyl_user_create(root, tid, email, m, OYL_ROLE_USER, &u), OYL_OK);
		ck_assert_int_eq(oyl_user_get(root, oyl_user_id(u), &u2), OYL_OK);
		ck_assert_str_eq(oyl_user_email(u2), email);
		ck_assert_str_eq(oyl_user_name(u2), m);
		oyl_user_free(u2);
		ck_assert_int_eq(oyl_user_update(root, oyl_user_id(u), m, 0, &u2), OYL_OK);
		ck_assert_str_eq(oyl_user_name(u2), m);
		oyl_workspace *ws = NULL, *ws2 = NULL;
		oyl_teammate *tm = NULL, *tm2 = NULL;
		oyl_assistant *as = NULL, *as2 = NULL;
		oyl_instruction *ins = NULL;
		oyl_knowledge_base *kb = NULL, *kb2 = NULL;
		ck_assert_int_eq(oyl_workspace_create(root, tid, m, &ws), OYL_OK);
		ck_assert_int_eq(oyl_workspace_update(root, oyl_workspace_id(ws), m, &ws2), OYL_OK);
		ck_assert_str_eq(oyl_workspace_name(ws2), m);
		ck_assert_int_eq(oyl_teammate_create(root, oyl_workspace_id(ws), m, NULL, &tm), OYL_OK);
		ck_assert_int_eq(oyl_teammate_update(root, oyl_teammate_id(tm), m, NULL, &tm2), OYL_OK);
		ck_assert_str_eq(oyl_teammate_name(tm2), m);
		ck_assert_int_eq(oyl_assistant_create(root, oyl_teammate_id(tm), m, &as), OYL_OK);
		ck_assert_int_eq(oyl_assistant_update(root, oyl_assistant_id(as), m, &as2), OYL_OK);
		ck_assert_str_eq(oyl_assistant_name(as2), m);
		ck_assert_int_eq(oyl_instruction_set(root, oyl_assistant_id(as), m, NULL), OYL_OK);
		ck_assert_int_eq(oyl_instruction_get(root, oyl_assistant_id(as), &ins), OYL_OK);
		ck_assert_str_eq(oyl_instruction_system_prompt(ins), m);
		ck_assert_int_eq(oyl_kb_create(root, oyl_assistant_id(as), m, m, &kb), OYL_OK);
		ck_assert_int_eq(oyl_kb_update(root, oyl_kb_id(kb), m, m, &kb2), OYL_OK);
		ck_assert_str_eq(oyl_kb_name(kb2), m);
		ck_assert_str_eq(oyl_kb_vector_db_id(kb2), m);
		snprintf(url, sizeof url, "https://example.com/p?q=%s", m);
		if (!strchr(m, ' ')) {
			oyl_social_link *l = NULL, *l2 = NULL;
			ck_assert_int_eq(oyl_social_link_create(root, tid, url, 0, &l), OYL_OK);
			ck_assert_int_eq(oyl_social_link_get(root, oyl_social_link_id(l), &l2), OYL_OK);
			ck_assert_str_eq(oyl_social_link_url(l2), url);
			oyl_social_link_free(l);
			oyl_social_link_free(l2);
		}
		/* JSON export escapes what it must: a JSON parser reads back the
		 * name byte for byte, and the id beside it */
		char *json = NULL;
		ck_assert_int_eq(oyl_workspace_to_json(ws2, &json), OYL_OK);
		cJSON *doc = cJSON_Parse(json);
		ck_assert_msg(doc != NULL, "not JSON: %s", json);
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(doc, "name");
		const cJSON *wid = cJSON_GetObjectItemCaseSensitive(doc, "id");
		ck_assert_msg(cJSON_IsString(name) && strcmp(name->valuestring, m) == 0,
			      "name in %s is not %s", json, m);
		ck_assert(cJSON_IsString(wid) && strcmp(wid->valuestring, oyl_workspace_id(ws2)) == 0);
		cJSON_Delete(doc);
		oyl_free(json);
		oyl_tenant_free(t2);
		oyl_tenant_free(t3);
		oyl_user_free(u);
		oyl_user_free(u2);
		oyl_workspace_free(ws);
		oyl_workspace_free(ws2);
		oyl_teammate_free(tm);
		oyl_teammate_free(tm2);
		oyl_assistant_free(as);
		oyl_assistant_free(as2);
		oyl_instruction_free(ins);
		oyl_kb_free(kb);
		oyl_kb_free(kb2);
	}
	/* the searches that exist take no text yet; nothing else happened: */
	oyl_page *p = NULL;
	oyl_list_options o = OYL_LIST_OPTIONS_INIT;
	o.flags = OYL_LIST_TOTAL;
	ck_assert_int_eq(oyl_tenant_list(root, &o, &p), OYL_OK);
	ck_assert_int_eq(oyl_page_total(p), 12);
	oyl_page_free(p);
	oyl_tenant_free(t);
}
END_TEST

/* Every kind of delete through the API, on two tenants with one row in
 * every table: each table's count afterwards follows the cascade
 * contract, and the delete's audit event is the only row added. */
typedef struct api_cascade {
	const char *table; /* whose row of tenant A is deleted */
	int (*del)(oyl_actor *a, const char *id);
	const char *gone[24];
} api_cascade;

static int del_tenant(oyl_actor *a, const char *id) { return oyl_tenant_delete(a, id); }
static int del_workspace(oyl_actor *a, const char *id) { return oyl_workspace_delete(a, id); }
static int del_teammate(oyl_actor *a, const char *id) { return oyl_teammate_delete(a, id); }
static int del_assistant(oyl_actor *a, const char *id) { return oyl_assistant_delete(a, id); }
static int del_kb(oyl_actor *a, const char *id) { return oyl_kb_delete(a, id); }
static int del_user(oyl_actor *a, const char *id) { return oyl_user_delete(a, id); }
static int del_link(oyl_actor *a, const char *id) { return oyl_social_link_delete(a, id); }

static const api_cascade api_cascades[] = {
	{"tenants", del_tenant,
	 {"tenants", "user_emails", "users", "auth_sessions", "api_keys", "workspaces", "teammates",
	  "assistants", "instructions", "knowledge_bases", "documents", "document_chunks", "document_blobs", "search_postings", "ingest_jobs",
	  "social_links", "chat_sessions", "messages", "message_citations", "message_feedback", "audit_events"}},
	{"workspaces", del_workspace,
	 {"workspaces", "teammates", "assistants", "instructions", "knowledge_bases", "documents",
	  "document_chunks", "document_blobs", "search_postings", "ingest_jobs"}},
	{"teammates", del_teammate,
	 {"teammates", "assistants", "instructions", "knowledge_bases", "documents",
	  "document_chunks", "document_blobs", "search_postings", "ingest_jobs"}},
	{"assistants", del_assistant,
	 {"assistants", "instructions", "knowledge_bases", "documents", "document_chunks", "document_blobs", "search_postings", "ingest_jobs"}},
	{"knowledge_bases", del_kb, {"knowledge_bases", "documents", "document_chunks", "document_blobs", "search_postings", "ingest_jobs"}},
	{"users", del_user,
	 {"users", "user_emails", "auth_sessions", "api_keys", "chat_sessions", "messages",
	  "message_citations", "message_feedback"}},
	{"social_links", del_link, {"social_links"}},
};

static int listed(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return 1;
	return 0;
}

START_TEST(api_deletes_follow_the_cascade_contract)
{
	const api_cascade *cc = &api_cascades[_i];
	static fx_tenant fa, fb;
	oyl_backend *b = t_backend_of(db);
	fx_build(b, &fa, 1);
	fx_build(b, &fb, 2);
	int rc = cc->del(root, fa.ids[fx_table_index(cc->table)]);
	ck_assert_msg(rc == OYL_OK, "delete %s: %s", cc->table, oyl_db_errmsg(db));
	size_t n;
	const oyl_table *const *tables = oyl_schema_tables(&n);
	int64_t counts[FX_MAX_TABLES];
	t_counts(b, counts);
	int tenant_delete = strcmp(cc->table, "tenants") == 0;
	for (size_t i = 0; i < n; i++) {
		const char *name = tables[i]->name;
		int64_t want = listed(cc->gone, name) ? 1 : 2;
		/* the delete's own audit event */
		if (strcmp(name, tenant_delete ? "platform_audit_events" : "audit_events") == 0)
			want++;
		ck_assert_msg(counts[i] == want, "after deleting %s: %s has %lld rows, want %lld",
			      cc->table, name, (long long)counts[i], (long long)want);
	}
	/* the deleted user's upload stays, its uploader cleared */
	if (strcmp(cc->table, "users") == 0) {
		const oyl_table *docs = oyl_schema_table("documents");
		oyl_filter f = {fx_col(docs, "user_id"), OYL_OP_IS_NULL, {0, 0, 0, NULL, 0}};
		int64_t cleared = 0;
		ck_assert_int_eq(b->count(b, NULL, docs, &f, 1, &cleared), OYL_OK);
		ck_assert_int_eq(cleared, 1);
	}
}
END_TEST

int main(int argc, char **argv)
{
	t_init(argc, argv);
	Suite *s = suite_create(t_backend());
	TCase *tc = tcase_create("api");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, hierarchy_round_trip);
	tcase_add_test(tc, text_is_stored_verbatim);
	tcase_add_test(tc, bad_input_changes_nothing);
	tcase_add_test(tc, conflicts_and_missing_parents);
	tcase_add_test(tc, deletes_cascade_through_the_api);
	tcase_add_test(tc, user_delete_keeps_uploads);
	tcase_add_test(tc, misuse_is_a_status_not_a_crash);
	tcase_add_test(tc, open_failures_are_clear);
	tcase_add_test(tc, social_links_infer_and_check_platforms);
	tcase_add_test(tc, orchestration_config_rules);
	tcase_add_test(tc, orchestration_config_is_checked_as_written);
	tcase_add_test(tc, api_key_shape_secrecy_and_exactness);
	tcase_add_test(tc, lists_page_by_limit_offset_and_cursor);
	tcase_add_test(tc, tenant_list_counts_users_and_documents);
	tcase_add_test(tc, metacharacters_in_every_text_field);
	tcase_add_test(tc, kb_search_settings);
	tcase_add_loop_test(tc, api_deletes_follow_the_cascade_contract, 0,
			    (int)(sizeof api_cascades / sizeof api_cascades[0]));
	suite_add_tcase(s, tc);
	int rc = t_run(s);
	t_cleanup();
	return rc;
}
