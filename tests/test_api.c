/*
 * The public API on every backend: opening, misuse, the hierarchy,
 * validation (nothing written on refusal), conflicts, cascades.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

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

/* Each refusal: EINVAL, a message naming the field, nothing written. */
START_TEST(bad_input_changes_nothing)
{
	chain c;
	make_chain(&c, "valid");
	const char *tid = oyl_tenant_id(c.tenant);
	uint64_t before = t_fingerprint(t_backend_of(db));
	char long_name[300];
	memset(long_name, 'x', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	struct {
		int rc;
		const char *field;
	} cases[] = {
		{oyl_tenant_create(root, "T", "Bad Slug", NULL, NULL), "slug"},
		{oyl_tenant_create(root, "T", "", NULL, NULL), "slug"},
		{oyl_tenant_create(root, "T", "a-very-long-slug-that-goes-on-and-on-past-the-sixty-three-chars-", NULL, NULL), "slug"},
		{oyl_tenant_create(root, "", "ok", NULL, NULL), "name"},
		{oyl_tenant_create(root, "   ", "ok", NULL, NULL), "name"},
		{oyl_tenant_create(root, long_name, "ok", NULL, NULL), "name"},
		{oyl_tenant_create(root, "bad \xff utf8", "ok", NULL, NULL), "name"},
		{oyl_tenant_create(root, "over\xc0\xaflong", "ok", NULL, NULL), "name"},
		{oyl_tenant_create(root, "ctl\x01", "ok", NULL, NULL), "name"},
		{oyl_tenant_create(root, NULL, "ok", NULL, NULL), "name"},
		{oyl_user_create(root, tid, "not-an-email", "N", OYL_ROLE_USER, NULL), "email"},
		{oyl_user_create(root, tid, "a@b", "N", OYL_ROLE_USER, NULL), "email"},
		{oyl_user_create(root, tid, "a b@c.d", "N", OYL_ROLE_USER, NULL), "email"},
		{oyl_user_create(root, tid, "ok@ok.example", "N", 99, NULL), "role"},
		{oyl_user_create(root, tid, "ok@ok.example", "N", OYL_ROLE_SUPERADMIN, NULL), "role"},
		{oyl_user_create(root, "not-a-uuid", "ok@ok.example", "N", OYL_ROLE_USER, NULL), "tenant_id"},
		{oyl_workspace_create(root, "'; DROP TABLE tenants; --", "W", NULL), "tenant_id"},
		{oyl_teammate_create(root, oyl_workspace_id(c.ws), "T", "[1,2]", NULL), "orchestration_config"},
		{oyl_teammate_create(root, oyl_workspace_id(c.ws), "T", "{\"a\":", NULL), "orchestration_config"},
		{oyl_kb_create(root, oyl_assistant_id(c.as), "K", "", NULL), "vector_db_id"},
		{oyl_instruction_set(root, oyl_assistant_id(c.as), "bad \xed\xa0\x80 surrogate", NULL), "system_prompt"},
		{oyl_workspace_delete(root, "1234"), "id"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ck_assert_msg(cases[i].rc == OYL_EINVAL, "case %zu: %s", i, oyl_status_name(cases[i].rc));
	}
	/* and the message names the field (checked again one by one) */
	ck_assert_int_eq(oyl_tenant_create(root, "T", "Bad Slug", NULL, NULL), OYL_EINVAL);
	ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "slug"));
	ck_assert_int_eq(oyl_user_create(root, tid, "nope", "N", OYL_ROLE_USER, NULL), OYL_EINVAL);
	ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "email"));
	ck_assert_int_eq(oyl_teammate_create(root, oyl_workspace_id(c.ws), "T", "{", NULL), OYL_EINVAL);
	ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "orchestration_config: malformed JSON"));
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
}
END_TEST

START_TEST(open_failures_are_clear)
{
	oyl_db *d = (oyl_db *)0x1;
	ck_assert_int_eq(oyl_db_open(&d, "mysql://x", NULL), OYL_EINVAL);
	ck_assert_ptr_null(d);
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
	suite_add_tcase(s, tc);
	int rc = t_run(s);
	t_cleanup();
	return rc;
}
