/*
 * Capabilities instead of silent skips: a backend without a required
 * method is refused, naming it; a call that needs an optional method the
 * backend lacks is OYL_ENOTSUP, naming it, and never quietly does less.
 * The backends here are the real SQLite backend with its vtable cut down
 * to versions 1 and 2, as an older third-party backend would be.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static char uri[T_URI_MAX];

/* The SQLite backend of a fresh, migrated database, cut to `version` (3: as is). */
static oyl_backend *backend(unsigned version)
{
	oyl_backend *be = NULL;
	char err[512];
	t_fresh_uri(uri);
	t_migrate(uri);
	ck_assert_msg(oyl_backend_open(&be, uri, NULL, err, sizeof err) == OYL_OK, "%s", err);
	if (version < 3) /* SQLite's is version 4 without locate(): the same as 3 */
		t_cut_backend(be, version);
	return be;
}

static const struct {
	size_t offset;
	const char *name;
} required[] = {
	{offsetof(oyl_backend, begin), "begin"},
	{offsetof(oyl_backend, commit), "commit"},
	{offsetof(oyl_backend, rollback), "rollback"},
	{offsetof(oyl_backend, insert), "insert"},
	{offsetof(oyl_backend, get), "get"},
	{offsetof(oyl_backend, update), "update"},
	{offsetof(oyl_backend, remove), "remove"},
	{offsetof(oyl_backend, list), "list"},
	{offsetof(oyl_backend, count), "count"},
	{offsetof(oyl_backend, migrate), "migrate"},
	{offsetof(oyl_backend, schema_version), "schema_version"},
	{offsetof(oyl_backend, errmsg), "errmsg"},
	{offsetof(oyl_backend, free), "free"},
};

/* A real backend with one required method missing is refused, by name. */
START_TEST(a_missing_required_method_is_named)
{
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
		oyl_backend *be = backend(1 + (unsigned)(i % 3));
		void (*saved_free)(oyl_backend *) = be->free;
		memset((char *)be + required[i].offset, 0, sizeof(void (*)(void)));
		oyl_db *db = (oyl_db *)0x1;
		ck_assert_int_eq(oyl_db_open_backend(&db, be, NULL), OYL_EINVAL);
		ck_assert_ptr_null(db);
		char want[80];
		snprintf(want, sizeof want, "lacks the required method %s", required[i].name);
		ck_assert_msg(strstr(oyl_last_open_error(), want), "%s: %s", required[i].name,
			      oyl_last_open_error());
		/* the library frees the backend it refuses, unless it has no
		 * free(); then the test does (be is not to be read otherwise) */
		if (required[i].offset == offsetof(oyl_backend, free))
			saved_free(be);
	}
	/* a version the library does not know */
	oyl_backend *be = backend(3);
	be->version = OYL_BACKEND_VERSION + 1;
	oyl_db *db = NULL;
	ck_assert_int_eq(oyl_db_open_backend(&db, be, NULL), OYL_EINVAL);
	char want[64];
	snprintf(want, sizeof want, "version %d is not supported", OYL_BACKEND_VERSION + 1);
	ck_assert_ptr_nonnull(strstr(oyl_last_open_error(), want));
}
END_TEST

static int never_called(oyl_backend *be, oyl_read *reads, size_t n)
{
	(void)be;
	(void)reads;
	(void)n;
	ck_abort_msg("a method past the backend's version was called");
	return OYL_ERROR;
}

START_TEST(capabilities_follow_the_version)
{
	const uint32_t v3 = OYL_BACKEND_CAP_LOCK | OYL_BACKEND_CAP_READ_MANY |
			    OYL_BACKEND_CAP_GET_MANY | OYL_BACKEND_CAP_INSERT_MANY |
			    OYL_BACKEND_CAP_CLAIM;
	oyl_backend *be = backend(1);
	ck_assert_uint_eq(oyl_backend_caps(be), 0);
	be->free(be);
	be = backend(2);
	ck_assert_uint_eq(oyl_backend_caps(be), OYL_BACKEND_CAP_LOCK);
	/* a field past the version is never read, whatever it holds */
	be->read_many = never_called;
	ck_assert_uint_eq(oyl_backend_caps(be), OYL_BACKEND_CAP_LOCK);
	be->read_many = NULL;
	be->free(be);
	be = backend(3);
	/* SQLite never defers a write */
	ck_assert_uint_eq(oyl_backend_caps(be),
			  v3 | OYL_BACKEND_CAP_POSTINGS | OYL_BACKEND_CAP_LIST_ANY);
	/* reads of alternatives come with version 9's read_many */
	be->version = 8;
	ck_assert_uint_eq(oyl_backend_caps(be), v3 | OYL_BACKEND_CAP_POSTINGS);
	be->version = OYL_BACKEND_VERSION;
	be->free(be);
	ck_assert_uint_eq(oyl_backend_caps(NULL), 0);
}
END_TEST

/* ---- every public call, and which of them are ENOTSUP ------------------- */

typedef struct run {
	oyl_db *db;
	char unsupported[8][64];
	int nunsupported;
	int calls;
} run;

static void note(run *r, const char *call, int rc)
{
	r->calls++;
	if (rc == OYL_ENOTSUP) {
		ck_assert_int_lt(r->nunsupported, 8);
		snprintf(r->unsupported[r->nunsupported++], 64, "%s", call);
		ck_assert_msg(strstr(oyl_db_errmsg(r->db), "has no lock method"), "%s: %s", call,
			      oyl_db_errmsg(r->db));
		return;
	}
	ck_assert_msg(rc == OYL_OK, "%s: %s: %s", call, oyl_status_name(rc), oyl_db_errmsg(r->db));
}

#define CALL(r, name, expr) note((r), (name), (expr))
#define ID(x, getter) getter(x)

/* Runs every public call once, as a host would, on a backend of `version`. */
static void run_everything(unsigned version, run *r)
{
	oyl_backend *be = backend(version);
	oyl_db_options o = OYL_DB_OPTIONS_INIT;
	memset(r, 0, sizeof *r);
	ck_assert_int_eq(oyl_db_open_backend(&r->db, be, &o), OYL_OK);
	oyl_db *db = r->db;
	oyl_actor *root, *admin = NULL, *user = NULL, *by_token = NULL, *by_key = NULL;
	oyl_tenant *t = NULL;
	oyl_user *u = NULL, *u2 = NULL, *sa = NULL;
	oyl_workspace *ws = NULL;
	oyl_teammate *tm = NULL;
	oyl_assistant *as = NULL;
	oyl_knowledge_base *kb = NULL;
	oyl_social_link *link = NULL;
	oyl_instruction *ins = NULL;
	oyl_api_key *key = NULL;
	oyl_page *p = NULL;
	char *token = NULL, *secret = NULL;
	ck_assert_int_eq(oyl_actor_superadmin(db, &root), OYL_OK);
	oyl_tenant_options to = OYL_TENANT_OPTIONS_INIT;
	to.admin_email = "admin@caps.example";
	to.admin_name = "Admin";
	CALL(r, "tenant_create", oyl_tenant_create(root, "Caps", "caps", &to, &t));
	const char *tid = oyl_tenant_id(t);
	CALL(r, "user_create", oyl_user_create(root, tid, "u@caps.example", "U", OYL_ROLE_USER, &u));
	CALL(r, "tenant_set_quotas", oyl_tenant_set_quotas(root, tid, 10, -1, -1));
	/* a limit to decide: only under the tenant's row lock */
	int rc = oyl_user_create(root, tid, "u2@caps.example", "U2", OYL_ROLE_USER, &u2);
	CALL(r, "user_create (under a user quota)", rc);
	CALL(r, "tenant_set_quotas (none)", oyl_tenant_set_quotas(root, tid, -1, -1, -1));
	if (!u2)
		CALL(r, "user_create", oyl_user_create(root, tid, "u2@caps.example", "U2", OYL_ROLE_USER, &u2));
	CALL(r, "user_create (superadmin)",
	     oyl_user_create(root, NULL, "sa@caps.example", "SA", OYL_ROLE_SUPERADMIN, &sa));
	CALL(r, "actor_for_user", oyl_actor_for_user(db, oyl_user_id(u), &user));
	oyl_tenant *got_tenant = NULL;
	CALL(r, "tenant_get", oyl_tenant_get(root, tid, &got_tenant));
	oyl_tenant_free(got_tenant);
	CALL(r, "tenant_list", oyl_tenant_list(root, NULL, &p));
	oyl_page_free(p);
	CALL(r, "tenant_update", oyl_tenant_update(root, tid, "Caps 2", NULL, NULL));
	oyl_user *got_user = NULL;
	CALL(r, "user_get", oyl_user_get(root, oyl_user_id(u), &got_user));
	oyl_user_free(got_user);
	CALL(r, "user_list", oyl_user_list(user, tid, NULL, &p));
	oyl_page_free(p);
	CALL(r, "user_update", oyl_user_update(root, oyl_user_id(u2), "U two", 0, NULL));
	CALL(r, "workspace_create", oyl_workspace_create(root, tid, "W", &ws));
	oyl_workspace *got_ws = NULL;
	CALL(r, "workspace_get", oyl_workspace_get(user, ID(ws, oyl_workspace_id), &got_ws));
	oyl_workspace_free(got_ws);
	CALL(r, "workspace_list", oyl_workspace_list(user, tid, NULL, &p));
	oyl_page_free(p);
	CALL(r, "workspace_update", oyl_workspace_update(root, ID(ws, oyl_workspace_id), "W2", NULL));
	CALL(r, "teammate_create", oyl_teammate_create(root, ID(ws, oyl_workspace_id), "T", NULL, &tm));
	CALL(r, "assistant_create", oyl_assistant_create(root, ID(tm, oyl_teammate_id), "A", &as));
	char cfg[160];
	snprintf(cfg, sizeof cfg, "{\"strategy\":\"first\",\"assistants\":[\"%s\"]}",
		 oyl_assistant_id(as));
	CALL(r, "teammate_update", oyl_teammate_update(root, ID(tm, oyl_teammate_id), NULL, cfg, NULL));
	CALL(r, "teammate_list", oyl_teammate_list(user, ID(ws, oyl_workspace_id), NULL, &p));
	oyl_page_free(p);
	CALL(r, "assistant_update", oyl_assistant_update(root, ID(as, oyl_assistant_id), "A2", NULL));
	CALL(r, "assistant_list", oyl_assistant_list(user, ID(tm, oyl_teammate_id), NULL, &p));
	oyl_page_free(p);
	CALL(r, "instruction_set", oyl_instruction_set(root, ID(as, oyl_assistant_id), "Be kind.", NULL));
	CALL(r, "instruction_set (again)",
	     oyl_instruction_set(root, ID(as, oyl_assistant_id), "Be brief.", NULL));
	CALL(r, "instruction_get", oyl_instruction_get(user, ID(as, oyl_assistant_id), &ins));
	CALL(r, "kb_create", oyl_kb_create(root, ID(as, oyl_assistant_id), "K", NULL, &kb));
	CALL(r, "kb_update", oyl_kb_update(root, ID(kb, oyl_kb_id), "K2", "vec", NULL));
	CALL(r, "kb_list", oyl_kb_list(user, ID(as, oyl_assistant_id), NULL, &p));
	oyl_page_free(p);
	CALL(r, "social_link_create", oyl_social_link_create(root, tid, "https://x.com/caps", 0, &link));
	CALL(r, "social_link_update",
	     oyl_social_link_update(root, oyl_social_link_id(link), "https://youtu.be/x", 0, NULL));
	CALL(r, "social_link_list", oyl_social_link_list(user, tid, NULL, &p));
	oyl_page_free(p);
	CALL(r, "user_set_password", oyl_user_set_password(root, oyl_user_id(u), "a long password"));
	CALL(r, "auth_login", oyl_auth_login(db, "u@caps.example", "a long password", NULL, &token, NULL));
	CALL(r, "actor_from_token", oyl_actor_from_token(db, token, &by_token));
	CALL(r, "api_key_create", oyl_api_key_create(user, oyl_user_id(u), "K", &key, &secret));
	oyl_api_key *got_key = NULL;
	CALL(r, "api_key_get", oyl_api_key_get(user, oyl_api_key_id(key), &got_key));
	oyl_api_key_free(got_key);
	CALL(r, "api_key_list", oyl_api_key_list(user, oyl_user_id(u), NULL, &p));
	oyl_page_free(p);
	CALL(r, "actor_from_api_key", oyl_actor_from_api_key(db, secret, &by_key));
	CALL(r, "api_key_revoke", oyl_api_key_revoke(by_key, oyl_api_key_id(key)));
	CALL(r, "auth_logout", oyl_auth_logout(db, token));
	CALL(r, "auth_revoke_sessions", oyl_auth_revoke_sessions(root, oyl_user_id(u)));
	CALL(r, "audit_list", oyl_audit_list(root, tid, NULL, &p));
	oyl_page_free(p);
	CALL(r, "audit_list (platform)", oyl_audit_list(root, NULL, NULL, &p));
	oyl_page_free(p);
	CALL(r, "instruction_clear", oyl_instruction_clear(root, ID(as, oyl_assistant_id)));
	CALL(r, "social_link_delete", oyl_social_link_delete(root, oyl_social_link_id(link)));
	CALL(r, "kb_delete", oyl_kb_delete(root, ID(kb, oyl_kb_id)));
	CALL(r, "assistant_delete", oyl_assistant_delete(root, ID(as, oyl_assistant_id)));
	CALL(r, "teammate_delete", oyl_teammate_delete(root, ID(tm, oyl_teammate_id)));
	CALL(r, "workspace_delete", oyl_workspace_delete(root, ID(ws, oyl_workspace_id)));
	CALL(r, "user_delete", oyl_user_delete(root, oyl_user_id(u2)));
	CALL(r, "user_delete (superadmin)", oyl_user_delete(root, oyl_user_id(sa)));
	CALL(r, "tenant_delete", oyl_tenant_delete(root, tid));
	oyl_free(token);
	oyl_free(secret);
	oyl_api_key_free(key);
	oyl_instruction_free(ins);
	oyl_social_link_free(link);
	oyl_kb_free(kb);
	oyl_assistant_free(as);
	oyl_teammate_free(tm);
	oyl_workspace_free(ws);
	oyl_user_free(u);
	oyl_user_free(u2);
	oyl_user_free(sa);
	oyl_tenant_free(t);
	oyl_actor_free(by_key);
	oyl_actor_free(by_token);
	oyl_actor_free(user);
	oyl_actor_free(admin);
	oyl_actor_free(root);
	oyl_db_close(r->db);
}

START_TEST(exactly_these_calls_are_not_supported)
{
	static run r;
	run_everything(1, &r);
	printf("version 1: %d calls, %d not supported: %s\n", r.calls, r.nunsupported,
	       r.nunsupported ? r.unsupported[0] : "-");
	ck_assert_int_eq(r.nunsupported, 1);
	ck_assert_str_eq(r.unsupported[0], "user_create (under a user quota)");
	run_everything(2, &r);
	printf("version 2: %d calls, %d not supported\n", r.calls, r.nunsupported);
	ck_assert_int_eq(r.nunsupported, 0);
	run_everything(3, &r);
	printf("version 3: %d calls, %d not supported\n", r.calls, r.nunsupported);
	ck_assert_int_eq(r.nunsupported, 0);
	ck_assert_int_gt(r.calls, 50);
}
END_TEST

/* Version 2 decides a quota under its lock(); version 1 refuses to decide. */
START_TEST(a_quota_is_never_decided_without_a_lock)
{
	for (unsigned version = 1; version <= 3; version++) {
		oyl_db *db = NULL;
		oyl_actor *root = NULL;
		oyl_tenant *t = NULL;
		ck_assert_int_eq(oyl_db_open_backend(&db, backend(version), NULL), OYL_OK);
		ck_assert_int_eq(oyl_actor_superadmin(db, &root), OYL_OK);
		ck_assert_int_eq(oyl_tenant_create(root, "Q", "q", NULL, &t), OYL_OK);
		ck_assert_int_eq(oyl_tenant_set_quotas(root, oyl_tenant_id(t), 1, -1, -1), OYL_OK);
		uint64_t before = t_fingerprint(t_backend_of(db));
		int rc = oyl_user_create(root, oyl_tenant_id(t), "a@q.example", "A", OYL_ROLE_USER, NULL);
		ck_assert_int_eq(rc, version == 1 ? OYL_ENOTSUP : OYL_OK);
		if (version == 1) {
			ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "sqlite-v1"));
			ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "no lock method"));
			ck_assert(t_fingerprint(t_backend_of(db)) == before);
		} else {
			ck_assert_int_eq(oyl_user_create(root, oyl_tenant_id(t), "b@q.example", "B",
							 OYL_ROLE_USER, NULL),
					 OYL_EQUOTA);
		}
		oyl_tenant_free(t);
		oyl_actor_free(root);
		oyl_db_close(db);
	}
}
END_TEST

static oyl_db *open_at(const char *uri, unsigned version)
{
	oyl_backend *be = NULL;
	oyl_db *db = NULL;
	char err[512];
	ck_assert_msg(oyl_backend_open(&be, uri, NULL, err, sizeof err) == OYL_OK, "%s", err);
	if (version < 3)
		t_cut_backend(be, version);
	else
		be->version = version;
	ck_assert_int_eq(oyl_db_open_backend(&db, be, NULL), OYL_OK);
	return db;
}

/* One search's results as text: chunk, document, ordinal, score, chunk text. */
static char *search_text(oyl_db *db, const char *user_id, const char *kb)
{
	oyl_actor *user = NULL;
	oyl_search_results *res = NULL;
	ck_assert_int_eq(oyl_actor_for_user(db, user_id, &user), OYL_OK);
	oyl_search_options o = OYL_SEARCH_OPTIONS_INIT;
	o.limit = 40;
	ck_assert_int_eq(oyl_kb_search(user, kb, "alpha beta", &o, &res), OYL_OK);
	size_t cap = 64 * 1024, len = 0;
	char *out = calloc(1, cap);
	for (size_t i = 0; i < oyl_search_count(res); i++) {
		size_t n = 0;
		const char *text = oyl_search_text(res, i, &n);
		len += (size_t)snprintf(out + len, cap - len, "%s %s %s %lld %.17g %.*s\n",
					oyl_search_chunk_id(res, i), oyl_search_document_id(res, i),
					oyl_search_document_name(res, i),
					(long long)oyl_search_ordinal(res, i), oyl_search_score(res, i),
					(int)n, text);
		ck_assert_uint_lt(len, cap);
	}
	ck_assert_uint_ge(oyl_search_count(res), 30);
	oyl_search_free(res);
	oyl_actor_free(user);
	return out;
}

/*
 * A search reads its passages back in one read of alternatives from
 * version 9, a list read per passage on version 8 (read_many without
 * them) and one by one on version 2: the same results every way.
 */
START_TEST(a_search_finds_the_same_passages_on_every_version)
{
	char uri[T_URI_MAX];
	t_fresh_uri(uri);
	t_migrate(uri);
	oyl_db *db = open_at(uri, OYL_BACKEND_VERSION);
	oyl_actor *root = NULL;
	oyl_tenant *t = NULL;
	oyl_user *u = NULL;
	oyl_workspace *ws = NULL;
	oyl_teammate *tm = NULL;
	oyl_assistant *as = NULL;
	oyl_knowledge_base *kb = NULL;
	ck_assert_int_eq(oyl_actor_superadmin(db, &root), OYL_OK);
	ck_assert_int_eq(oyl_tenant_create(root, "S", "s", NULL, &t), OYL_OK);
	const char *tid = oyl_tenant_id(t);
	ck_assert_int_eq(oyl_user_create(root, tid, "u@s.example", "U", OYL_ROLE_USER, &u), OYL_OK);
	ck_assert_int_eq(oyl_workspace_create(root, tid, "W", &ws), OYL_OK);
	ck_assert_int_eq(oyl_teammate_create(root, oyl_workspace_id(ws), "T", NULL, &tm), OYL_OK);
	ck_assert_int_eq(oyl_assistant_create(root, oyl_teammate_id(tm), "A", &as), OYL_OK);
	ck_assert_int_eq(oyl_kb_create(root, oyl_assistant_id(as), "K", NULL, &kb), OYL_OK);
	/* twelve documents of several chunks each, alpha and beta here and there */
	oyl_doc_options o = OYL_DOC_OPTIONS_INIT;
	o.chunk_tokens = 6;
	o.chunk_overlap = -1;
	for (int d = 0; d < 12; d++) {
		char text[600], name[32];
		size_t len = 0;
		for (int w = 0; w < 48; w++)
			len += (size_t)snprintf(text + len, sizeof text - len, "%s ",
						(w * 7 + d) % 5 == 0	? "alpha"
						: (w * 3 + d) % 7 == 0 ? "beta"
									: "gamma");
		snprintf(name, sizeof name, "doc %d.txt", d);
		oyl_doc_source src = OYL_DOC_SOURCE_INIT;
		src.data = text;
		src.length = len;
		src.name = name;
		src.mime_type = "text/plain";
		ck_assert_int_eq(oyl_doc_ingest(root, oyl_kb_id(kb), &src, &o, NULL), OYL_OK);
	}
	char *want = search_text(db, oyl_user_id(u), oyl_kb_id(kb));
	const unsigned older[] = {8, 2};
	for (size_t i = 0; i < 2; i++) {
		oyl_db *old = open_at(uri, older[i]);
		char *got = search_text(old, oyl_user_id(u), oyl_kb_id(kb));
		ck_assert_msg(strcmp(got, want) == 0, "version %u:\n%s\nversion %d:\n%s", older[i],
			      got, OYL_BACKEND_VERSION, want);
		free(got);
		oyl_db_close(old);
	}
	free(want);
	oyl_kb_free(kb);
	oyl_assistant_free(as);
	oyl_teammate_free(tm);
	oyl_workspace_free(ws);
	oyl_user_free(u);
	oyl_tenant_free(t);
	oyl_actor_free(root);
	oyl_db_close(db);
}
END_TEST

int main(int argc, char **argv)
{
	t_init(argc, argv);
	if (t_is_postgres()) {
		fprintf(stderr, "the cut-down backends are SQLite's\n");
		return 77;
	}
	Suite *s = suite_create(t_backend());
	TCase *tc = tcase_create("capabilities");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, a_missing_required_method_is_named);
	tcase_add_test(tc, capabilities_follow_the_version);
	tcase_add_test(tc, exactly_these_calls_are_not_supported);
	tcase_add_test(tc, a_quota_is_never_decided_without_a_lock);
	tcase_add_test(tc, a_search_finds_the_same_passages_on_every_version);
	suite_add_tcase(s, tc);
	int rc = t_run(s);
	t_cleanup();
	return rc;
}
