/*
 * Fault injection, in the manner of SQLite's test_malloc.c and test_vfs.c:
 * every public mutation is run with its Nth backend call failing, and
 * with its Nth allocation failing (once, then persistently), for
 * N = 1, 2, ... until it succeeds.  Every failed run must return an error
 * and leave the storage exactly as it was; nothing may leak.
 */
#include <stdio.h>
#include <string.h>

#include "identity/password.h"
#include "fault_alloc.h"
#include "fault_backend.h"
#include "test_embedder.h"
#include "fixture.h"

typedef struct ctx {
	oyl_db *db;
	oyl_actor *root;
	oyl_backend *fault; /* the db's backend: a fault wrapper */
	char tenant[37], user[37], ws[37], tm[37], as[37], kb[37], link[37], key_id[37];
	char *token, *key; /* a live session token and API key of the user */
} ctx;

static void copy_id(char dst[37], const char *src)
{
	memcpy(dst, src, 37);
}

/* A tenant with one of each record, made with no fault armed. */
static void prepare(ctx *c)
{
	oyl_tenant *t;
	oyl_user *u;
	oyl_workspace *w;
	oyl_teammate *tm;
	oyl_assistant *a;
	oyl_knowledge_base *k;
	ck_assert_int_eq(oyl_tenant_create(c->root, "T", "prepared", NULL, &t), OYL_OK);
	copy_id(c->tenant, oyl_tenant_id(t));
	ck_assert_int_eq(oyl_user_create(c->root, c->tenant, "u@p.example", "U", OYL_ROLE_USER, &u), OYL_OK);
	copy_id(c->user, oyl_user_id(u));
	ck_assert_int_eq(oyl_workspace_create(c->root, c->tenant, "W", &w), OYL_OK);
	copy_id(c->ws, oyl_workspace_id(w));
	ck_assert_int_eq(oyl_teammate_create(c->root, c->ws, "TM", NULL, &tm), OYL_OK);
	copy_id(c->tm, oyl_teammate_id(tm));
	ck_assert_int_eq(oyl_assistant_create(c->root, c->tm, "A", &a), OYL_OK);
	copy_id(c->as, oyl_assistant_id(a));
	ck_assert_int_eq(oyl_instruction_set(c->root, c->as, "first", NULL), OYL_OK);
	ck_assert_int_eq(oyl_kb_create(c->root, c->as, "K", NULL, &k), OYL_OK);
	copy_id(c->kb, oyl_kb_id(k));
	oyl_social_link *l;
	ck_assert_int_eq(oyl_social_link_create(c->root, c->tenant, "https://x.com/p", 0, &l), OYL_OK);
	copy_id(c->link, oyl_social_link_id(l));
	oyl_social_link_free(l);
	ck_assert_int_eq(oyl_user_set_password(c->root, c->user, "prepared password"), OYL_OK);
	ck_assert_int_eq(oyl_auth_login(c->db, "u@p.example", "prepared password", NULL, &c->token, NULL),
			 OYL_OK);
	oyl_api_key *key;
	ck_assert_int_eq(oyl_api_key_create(c->root, c->user, "K", &key, &c->key), OYL_OK);
	copy_id(c->key_id, oyl_api_key_id(key));
	oyl_api_key_free(key);
	oyl_tenant_free(t);
	oyl_user_free(u);
	oyl_workspace_free(w);
	oyl_teammate_free(tm);
	oyl_assistant_free(a);
	oyl_kb_free(k);
}

/* The public mutations, each returning its status and freeing its output. */
static int m_tenant_create(ctx *c)
{
	oyl_tenant_options o = OYL_TENANT_OPTIONS_INIT;
	o.admin_email = "admin@new.example";
	o.admin_name = "Admin";
	oyl_tenant *t = NULL;
	int rc = oyl_tenant_create(c->root, "New", "new-tenant", &o, &t);
	oyl_tenant_free(t);
	return rc;
}
static int m_tenant_delete(ctx *c) { return oyl_tenant_delete(c->root, c->tenant); }
static int m_user_create(ctx *c)
{
	oyl_user *u = NULL;
	int rc = oyl_user_create(c->root, c->tenant, "New@P.example", "N", OYL_ROLE_TENANT_ADMIN, &u);
	oyl_user_free(u);
	return rc;
}
static int m_user_delete(ctx *c) { return oyl_user_delete(c->root, c->user); }
static int m_workspace_create(ctx *c)
{
	oyl_workspace *w = NULL;
	int rc = oyl_workspace_create(c->root, c->tenant, "W2", &w);
	oyl_workspace_free(w);
	return rc;
}
static int m_workspace_delete(ctx *c) { return oyl_workspace_delete(c->root, c->ws); }
static int m_teammate_create(ctx *c)
{
	oyl_teammate *t = NULL;
	int rc = oyl_teammate_create(c->root, c->ws, "T2", "{\"strategy\":\"first\"}", &t);
	oyl_teammate_free(t);
	return rc;
}
static int m_teammate_delete(ctx *c) { return oyl_teammate_delete(c->root, c->tm); }
static int m_assistant_create(ctx *c)
{
	oyl_assistant *a = NULL;
	int rc = oyl_assistant_create(c->root, c->tm, "A2", &a);
	oyl_assistant_free(a);
	return rc;
}
static int m_assistant_delete(ctx *c) { return oyl_assistant_delete(c->root, c->as); }
static int m_instruction_set(ctx *c)
{
	oyl_instruction *i = NULL;
	int rc = oyl_instruction_set(c->root, c->as, "second", &i);
	oyl_instruction_free(i);
	return rc;
}
static int m_instruction_clear(ctx *c) { return oyl_instruction_clear(c->root, c->as); }
static int m_kb_create(ctx *c)
{
	oyl_knowledge_base *k = NULL;
	int rc = oyl_kb_create(c->root, c->as, "K2", "v", &k);
	oyl_kb_free(k);
	return rc;
}
static int m_kb_delete(ctx *c) { return oyl_kb_delete(c->root, c->kb); }

static int m_tenant_update(ctx *c)
{
	oyl_tenant *t = NULL;
	int rc = oyl_tenant_update(c->root, c->tenant, "Renamed", "renamed", &t);
	oyl_tenant_free(t);
	return rc;
}
static int m_user_update(ctx *c)
{
	oyl_user *u = NULL;
	int rc = oyl_user_update(c->root, c->user, "Renamed", OYL_ROLE_TENANT_ADMIN, &u);
	oyl_user_free(u);
	return rc;
}
static int m_superadmin_create(ctx *c)
{
	oyl_user *u = NULL;
	int rc = oyl_user_create(c->root, NULL, "root@p.example", "Root", OYL_ROLE_SUPERADMIN, &u);
	oyl_user_free(u);
	return rc;
}
static int m_workspace_update(ctx *c) { return oyl_workspace_update(c->root, c->ws, "W3", NULL); }
static int m_teammate_update(ctx *c)
{
	char cfg[128];
	snprintf(cfg, sizeof cfg, "{\"strategy\":\"first\",\"assistants\":[\"%s\"]}", c->as);
	oyl_teammate *t = NULL;
	int rc = oyl_teammate_update(c->root, c->tm, "T3", cfg, &t);
	oyl_teammate_free(t);
	return rc;
}
static int m_assistant_update(ctx *c) { return oyl_assistant_update(c->root, c->as, "A3", NULL); }
static int m_kb_update(ctx *c) { return oyl_kb_update(c->root, c->kb, "K3", "", NULL); }
static int m_kb_set_embedder(ctx *c)
{
	oyl_knowledge_base *k = NULL;
	int rc = oyl_kb_set_embedder(c->root, c->kb, "t", &k);
	oyl_kb_free(k);
	return rc;
}
static int m_link_create(ctx *c)
{
	oyl_social_link *l = NULL;
	int rc = oyl_social_link_create(c->root, c->tenant, "https://youtu.be/v", 0, &l);
	oyl_social_link_free(l);
	return rc;
}
static int m_link_update(ctx *c)
{
	oyl_social_link *l = NULL;
	int rc = oyl_social_link_update(c->root, c->link, "https://example.com/", 0, &l);
	oyl_social_link_free(l);
	return rc;
}
static int m_link_delete(ctx *c) { return oyl_social_link_delete(c->root, c->link); }

static int m_set_password(ctx *c) { return oyl_user_set_password(c->root, c->user, "another password"); }
static int m_login(ctx *c)
{
	char *token = NULL;
	oyl_actor *a = NULL;
	int rc = oyl_auth_login(c->db, "U@P.example", "prepared password", NULL, &token, &a);
	oyl_free(token);
	oyl_actor_free(a);
	return rc;
}
static int m_from_token(ctx *c)
{
	oyl_actor *a = NULL;
	int rc = oyl_actor_from_token(c->db, c->token, &a);
	oyl_actor_free(a);
	return rc;
}
static int m_logout(ctx *c) { return oyl_auth_logout(c->db, c->token); }
static int m_revoke_sessions(ctx *c) { return oyl_auth_revoke_sessions(c->root, c->user); }
static int m_key_create(ctx *c)
{
	oyl_api_key *k = NULL;
	char *secret = NULL;
	int rc = oyl_api_key_create(c->root, c->user, "K2", &k, &secret);
	oyl_api_key_free(k);
	oyl_free(secret);
	return rc;
}
static int m_from_key(ctx *c)
{
	oyl_actor *a = NULL;
	int rc = oyl_actor_from_api_key(c->db, c->key, &a);
	oyl_actor_free(a);
	return rc;
}
static int m_key_revoke(ctx *c) { return oyl_api_key_revoke(c->root, c->key_id); }
static int m_set_quotas(ctx *c) { return oyl_tenant_set_quotas(c->root, c->tenant, 10, 10, 1000); }

typedef struct mutation {
	const char *name;
	int (*run)(ctx *c);
} mutation;

static const mutation mutations[] = {
	{"tenant_create", m_tenant_create},       {"tenant_delete", m_tenant_delete},
	{"user_create", m_user_create},           {"user_delete", m_user_delete},
	{"workspace_create", m_workspace_create}, {"workspace_delete", m_workspace_delete},
	{"teammate_create", m_teammate_create},   {"teammate_delete", m_teammate_delete},
	{"assistant_create", m_assistant_create}, {"assistant_delete", m_assistant_delete},
	{"instruction_set", m_instruction_set},   {"instruction_clear", m_instruction_clear},
	{"kb_create", m_kb_create},               {"kb_delete", m_kb_delete},
	{"tenant_update", m_tenant_update},       {"user_update", m_user_update},
	{"superadmin_create", m_superadmin_create}, {"workspace_update", m_workspace_update},
	{"teammate_update", m_teammate_update},   {"assistant_update", m_assistant_update},
	{"kb_update", m_kb_update},               {"kb_set_embedder", m_kb_set_embedder},
	{"social_link_create", m_link_create},
	{"social_link_update", m_link_update},    {"social_link_delete", m_link_delete},
	{"user_set_password", m_set_password},    {"auth_login", m_login},
	{"actor_from_token", m_from_token},       {"auth_logout", m_logout},
	{"auth_revoke_sessions", m_revoke_sessions}, {"api_key_create", m_key_create},
	{"actor_from_api_key", m_from_key},       {"api_key_revoke", m_key_revoke},
	{"tenant_set_quotas", m_set_quotas},
};
#define NMUT (int)(sizeof mutations / sizeof mutations[0])

static void open_ctx(ctx *c)
{
	char uri[T_URI_MAX], err[512];
	t_fresh_uri(uri);
	t_migrate(uri);
	oyl_backend *inner = NULL;
	ck_assert_msg(oyl_backend_open(&inner, uri, NULL, err, sizeof err) == OYL_OK, "%s", err);
	c->fault = fault_backend_new(inner);
	ck_assert_ptr_nonnull(c->fault);
	oyl_db_options o = OYL_DB_OPTIONS_INIT;
	o.flags = OYL_DB_MIGRATE;
	ck_assert_int_eq(oyl_db_open_backend(&c->db, c->fault, &o), OYL_OK);
	ck_assert_int_eq(oyl_db_add_embedder(c->db, "t", t_embedder_new("m", 8, 4)), OYL_OK);
	ck_assert_int_eq(oyl_actor_superadmin(c->db, &c->root), OYL_OK);
	prepare(c);
}

static void close_ctx(ctx *c)
{
	oyl_free(c->token);
	oyl_free(c->key);
	oyl_actor_free(c->root);
	oyl_db_close(c->db);
}

/* Fails the Nth backend call for N = 1.. until the mutation succeeds. */
START_TEST(every_backend_call_can_fail)
{
	const mutation *m = &mutations[_i];
	static const int codes[] = {OYL_ESTORAGE, OYL_EBUSY, OYL_EDISCONNECTED};
	ctx c;
	open_ctx(&c);
	oyl_backend *inner = fault_backend_inner(c.fault);
	long n;
	int rc = OYL_ERROR;
	for (n = 1; n < 500; n++) {
		uint64_t before = t_fingerprint(inner);
		fault_backend_arm(c.fault, n, codes[n % 3]);
		rc = m->run(&c);
		int fired = fault_backend_fired(c.fault);
		fault_backend_arm(c.fault, 0, 0);
		if (!fired)
			break;
		ck_assert_msg(rc != OYL_OK, "%s: call %ld failed but the mutation reported success",
			      m->name, n);
		ck_assert_msg(rc == codes[n % 3], "%s: call %ld: status %s, want %s", m->name, n,
			      oyl_status_name(rc), oyl_status_name(codes[n % 3]));
		ck_assert_msg(strstr(oyl_db_errmsg(c.db), "injected fault"), "%s: message \"%s\"",
			      m->name, oyl_db_errmsg(c.db));
		ck_assert_msg(t_fingerprint(inner) == before, "%s: call %ld failed and storage changed",
			      m->name, n);
	}
	ck_assert_msg(rc == OYL_OK, "%s: %s", m->name, oyl_db_errmsg(c.db));
	ck_assert_int_gt(n, 1);
	close_ctx(&c);
}
END_TEST

/* The rows of one table in the inner backend. */
static int64_t rows_of(oyl_backend *inner, const char *table)
{
	size_t n;
	const oyl_table *const *tables = oyl_schema_tables(&n);
	int64_t counts[64];
	t_counts(inner, counts);
	for (size_t i = 0; i < n; i++)
		if (strcmp(tables[i]->name, table) == 0)
			return counts[i];
	return -1;
}

/*
 * oyl_doc_ingest_many is not one transaction but one per source, so a
 * fault may leave the sources before it stored.  What must hold: each
 * source whole or absent (every document processed, its chunks and its
 * original's piece all there, no row of a source that failed), the
 * call's status the fault's, and, once no call fails, all three stored.
 */
START_TEST(ingest_many_keeps_each_source_whole)
{
	static const char *const texts[3] = {
		"# First\n\nApples and pears, the first of three sources.",
		"The second source: plums, and figs; it's 'quoted'.",
		"The third source, about cherries and nothing else.",
	};
	oyl_doc_source src[3];
	const oyl_doc_source *ptr[3];
	for (int i = 0; i < 3; i++) {
		src[i] = (oyl_doc_source)OYL_DOC_SOURCE_INIT;
		src[i].data = texts[i];
		src[i].length = strlen(texts[i]);
		src[i].name = i == 0 ? "first.md" : "text.txt";
		ptr[i] = &src[i];
	}
	ctx c;
	open_ctx(&c);
	oyl_backend *inner = fault_backend_inner(c.fault);
	long n;
	int rc = OYL_ERROR;
	int64_t docs_before = rows_of(inner, "documents");
	for (n = 1; n < 500; n++) {
		/* a knowledge base of its own each round */
		char name[32];
		snprintf(name, sizeof name, "K%ld", n);
		oyl_knowledge_base *k = NULL;
		ck_assert_int_eq(oyl_kb_create(c.root, c.as, name, NULL, &k), OYL_OK);
		char kb[37];
		copy_id(kb, oyl_kb_id(k));
		oyl_kb_free(k);
		fault_backend_arm(c.fault, n, OYL_ESTORAGE);
		rc = oyl_doc_ingest_many(c.root, kb, ptr, 3, NULL, NULL, NULL);
		int fired = fault_backend_fired(c.fault);
		fault_backend_arm(c.fault, 0, 0);
		char message[512]; /* the call's, before the checks' calls reset it */
		snprintf(message, sizeof message, "%s", oyl_db_errmsg(c.db));
		oyl_page *p = NULL;
		ck_assert_int_eq(oyl_doc_list(c.root, kb, OYL_DOC_ANY, NULL, &p), OYL_OK);
		int64_t chunks = 0;
		for (size_t i = 0; i < oyl_page_count(p); i++) {
			const oyl_document *d = oyl_page_document(p, i);
			ck_assert_msg(oyl_document_status(d) == OYL_DOC_PROCESSED,
				      "call %ld: a document left %d", n, oyl_document_status(d));
			chunks += oyl_document_chunk_count(d);
		}
		size_t stored = oyl_page_count(p);
		oyl_page_free(p);
		/* every kb of earlier rounds is deleted: these rows are this one's */
		ck_assert_int_eq(rows_of(inner, "documents") - docs_before, (int64_t)stored);
		ck_assert_int_eq(rows_of(inner, "document_blobs") - docs_before, (int64_t)stored);
		ck_assert_int_eq(rows_of(inner, "document_chunks"), chunks);
		ck_assert_int_eq(oyl_kb_delete(c.root, kb), OYL_OK);
		if (!fired)
			break;
		ck_assert_msg(rc == OYL_ESTORAGE, "call %ld: status %s (%s)", n, oyl_status_name(rc),
			      message);
		ck_assert_msg(strstr(message, "injected fault"), "call %ld: message \"%s\"", n,
			      message);
		ck_assert_uint_lt(stored, 3);
	}
	ck_assert_msg(rc == OYL_OK, "%s", oyl_db_errmsg(c.db));
	ck_assert_int_gt(n, 10);
	close_ctx(&c);
}
END_TEST

/* Fails the Nth allocation (once, then every one from N on). */
static void allocation_loop(const mutation *m, int persistent)
{
	long live_at_start = fault_alloc_live();
	ctx c;
	open_ctx(&c);
	oyl_backend *inner = fault_backend_inner(c.fault);
	long n, swallowed = 0;
	int rc = OYL_ERROR;
	/* On to the end: until no allocation of the mutation is left to fail. */
	for (n = 1; n < 2000; n++) {
		uint64_t before = t_fingerprint(inner);
		fault_alloc_arm(n, persistent);
		rc = m->run(&c);
		int fired = fault_alloc_fired();
		fault_alloc_arm(0, 0);
		if (!fired)
			break;
		if (rc == OYL_OK) {
			/* The failed allocation had a fallback (a statement cache): the
			 * mutation happened.  Go on with the next N on a fresh database. */
			swallowed++;
			close_ctx(&c);
			open_ctx(&c);
			inner = fault_backend_inner(c.fault);
			continue;
		}
		ck_assert_msg(rc == OYL_ENOMEM, "%s: allocation %ld failed: status %s (%s)", m->name,
			      n, oyl_status_name(rc), oyl_db_errmsg(c.db));
		ck_assert_msg(t_fingerprint(inner) == before,
			      "%s: allocation %ld failed and storage changed", m->name, n);
	}
	ck_assert_msg(rc == OYL_OK, "%s: %s", m->name, oyl_db_errmsg(c.db));
	ck_assert_msg(n > 1 && n < 2000, "%s: %ld allocations", m->name, n);
	if (swallowed)
		printf("%s: %ld of %ld allocation failures had a fallback\n", m->name, swallowed, n);
	close_ctx(&c);
	ck_assert_msg(fault_alloc_live() == live_at_start, "%s: %ld blocks leaked", m->name,
		      fault_alloc_live() - live_at_start);
}

START_TEST(every_allocation_can_fail_once)
{
	allocation_loop(&mutations[_i], 0);
}
END_TEST

START_TEST(every_allocation_can_fail_persistently)
{
	allocation_loop(&mutations[_i], 1);
}
END_TEST

/* Migrating an empty database, with each backend call failing. */
START_TEST(migration_fails_cleanly)
{
	char uri[T_URI_MAX], err[512];
	t_fresh_owner_uri(uri);
	for (long n = 1; n < 50; n++) {
		oyl_backend *inner = NULL;
		ck_assert_msg(oyl_backend_open(&inner, uri, NULL, err, sizeof err) == OYL_OK, "%s", err);
		oyl_backend *f = fault_backend_new(inner);
		oyl_db *db = NULL;
		ck_assert_int_eq(oyl_db_open_backend(&db, f, NULL), OYL_OK);
		fault_backend_arm(f, n, OYL_ESTORAGE);
		int rc = oyl_db_migrate(db);
		int fired = fault_backend_fired(f);
		fault_backend_arm(f, 0, 0);
		int v = -1;
		ck_assert_int_eq(oyl_db_schema_version(db, &v), OYL_OK);
		oyl_db_close(db);
		if (!fired) {
			ck_assert_int_eq(rc, OYL_OK);
			ck_assert_int_eq(v, OYL_SCHEMA_VERSION);
			return;
		}
		ck_assert_int_eq(rc, OYL_ESTORAGE);
		ck_assert_int_eq(v, 0);
	}
	ck_abort_msg("migration never completed");
}
END_TEST

int main(int argc, char **argv)
{
	t_init(argc, argv);
	fault_alloc_install();
	/* Argon2 at its smallest: these loops hash hundreds of times, and
	 * the cost parameters change nothing on the paths under test. */
	oyl__argon2_current = (oyl__argon2_params){1, 8, 1};
	Suite *s = suite_create(t_backend());
	TCase *tc = tcase_create("faults");
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, every_backend_call_can_fail, 0, NMUT);
	tcase_add_loop_test(tc, every_allocation_can_fail_once, 0, NMUT);
	tcase_add_loop_test(tc, every_allocation_can_fail_persistently, 0, NMUT);
	tcase_add_test(tc, migration_fails_cleanly);
	tcase_add_test(tc, ingest_many_keeps_each_source_whole);
	suite_add_tcase(s, tc);
	int rc = t_run(s);
	t_cleanup();
	return rc;
}
