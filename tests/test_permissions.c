/*
 * The permission matrix, generated: every public function × every role
 * (superadmin, tenant_admin, user) × every target (an object of the
 * actor's own tenant, one of another tenant, an id that exists nowhere).
 * Each case starts from the same two tenants and asserts the status; a refused
 * call must change no row of any table (audit included), and another
 * tenant's object must read exactly like a missing one (same status, same
 * message but for the id).  doc/permissions.md is the same table in prose.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "test_embedder.h"

enum { T_TENANT, T_ADMIN, T_USER, T_USER2, T_WS, T_TM, T_AS, T_KB, T_LINK, T_KEY,
       T_SESSION, T_ANSWER, T_NKINDS }; /* T_SESSION, T_ANSWER: USER2's chat */

typedef struct world {
	char ids[2][T_NKINDS][37]; /* [0]: tenant A (the actors' own), [1]: tenant B */
	char sa_id[37];
	oyl_actor *actors[3]; /* superadmin account, A's tenant_admin, A's user */
} world;

static oyl_db *db;
static world w;

static void copy(char dst[37], const char *src)
{
	memcpy(dst, src, 37);
}

static int generation; /* makes slugs and e-mails unique per world built */

static void build_tenant(oyl_actor *root, int t, const char *name)
{
	char email[3][96], slug[64];
	snprintf(slug, sizeof slug, "%s-%d", name, generation);
	for (int i = 0; i < 3; i++)
		snprintf(email[i], sizeof email[i], "u%d@%s.example", i, slug);
	oyl_tenant *tn;
	oyl_user *u;
	oyl_workspace *ws;
	oyl_teammate *tm;
	oyl_assistant *as;
	oyl_knowledge_base *kb;
	oyl_social_link *l;
	ck_assert_int_eq(oyl_tenant_create(root, "T", slug, NULL, &tn), OYL_OK);
	copy(w.ids[t][T_TENANT], oyl_tenant_id(tn));
	const int roles[3] = {OYL_ROLE_TENANT_ADMIN, OYL_ROLE_USER, OYL_ROLE_USER};
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(
			oyl_user_create(root, oyl_tenant_id(tn), email[i], "U", roles[i], &u),
			OYL_OK);
		copy(w.ids[t][T_ADMIN + i], oyl_user_id(u));
		oyl_user_free(u);
	}
	ck_assert_int_eq(oyl_workspace_create(root, oyl_tenant_id(tn), "W", &ws), OYL_OK);
	ck_assert_int_eq(oyl_teammate_create(root, oyl_workspace_id(ws), "TM", NULL, &tm), OYL_OK);
	ck_assert_int_eq(oyl_assistant_create(root, oyl_teammate_id(tm), "A", &as), OYL_OK);
	ck_assert_int_eq(oyl_instruction_set(root, oyl_assistant_id(as), "p", NULL), OYL_OK);
	ck_assert_int_eq(oyl_kb_create(root, oyl_assistant_id(as), "K", NULL, &kb), OYL_OK);
	ck_assert_int_eq(oyl_social_link_create(root, oyl_tenant_id(tn), "https://x.com/acme",
						OYL_PLATFORM_AUTO, &l),
			 OYL_OK);
	copy(w.ids[t][T_WS], oyl_workspace_id(ws));
	copy(w.ids[t][T_TM], oyl_teammate_id(tm));
	copy(w.ids[t][T_AS], oyl_assistant_id(as));
	copy(w.ids[t][T_KB], oyl_kb_id(kb));
	copy(w.ids[t][T_LINK], oyl_social_link_id(l));
	oyl_api_key *key = NULL;
	char *secret = NULL;
	ck_assert_int_eq(oyl_api_key_create(root, w.ids[t][T_USER2], "K", &key, &secret), OYL_OK);
	copy(w.ids[t][T_KEY], oyl_api_key_id(key));
	oyl_api_key_free(key);
	oyl_free(secret);
	oyl_tenant_free(tn);
	oyl_workspace_free(ws);
	oyl_teammate_free(tm);
	oyl_assistant_free(as);
	oyl_knowledge_base *none = NULL;
	oyl_kb_free(kb);
	oyl_kb_free(none);
	oyl_social_link_free(l);
}

/* USER2's chat session with each tenant's assistant, and an answer in it:
 * made only for the operations on chats (a send costs a search). */
static void add_chat(void)
{
	for (int t = 0; t < 2; t++) {
		oyl_actor *u2 = NULL;
		oyl_chat_session *cs = NULL;
		oyl_chat_reply *reply = NULL;
		ck_assert_int_eq(oyl_actor_for_user(db, w.ids[t][T_USER2], &u2), OYL_OK);
		ck_assert_int_eq(oyl_chat_session_create(u2, w.ids[t][T_AS], NULL, &cs), OYL_OK);
		ck_assert_int_eq(
			oyl_chat_send(u2, oyl_chat_session_id(cs), "anything?", NULL, &reply),
			OYL_OK);
		copy(w.ids[t][T_SESSION], oyl_chat_session_id(cs));
		copy(w.ids[t][T_ANSWER], oyl_chat_reply_message_id(reply));
		oyl_chat_reply_free(reply);
		oyl_chat_session_free(cs);
		oyl_actor_free(u2);
	}
}

/* Two tenants with one of everything, a superadmin account, and the
 * actors of the three roles (A's tenant_admin and user). */
static void build_world(void)
{
	/* unique across the forked children that share the database, too */
	generation = generation % 1000 + 1 + (int)(getpid() % 100000) * 1000;
	oyl_actor *root;
	ck_assert_int_eq(oyl_actor_superadmin(db, &root), OYL_OK);
	build_tenant(root, 0, "tenant-a");
	build_tenant(root, 1, "tenant-b");
	oyl_user *sa;
	char sa_email[64];
	snprintf(sa_email, sizeof sa_email, "root-%d@platform.example", generation);
	ck_assert_int_eq(oyl_user_create(root, NULL, sa_email, "Root", OYL_ROLE_SUPERADMIN, &sa),
			 OYL_OK);
	copy(w.sa_id, oyl_user_id(sa));
	oyl_user_free(sa);
	oyl_actor_free(root);
	ck_assert_int_eq(oyl_actor_for_user(db, w.sa_id, &w.actors[0]), OYL_OK);
	ck_assert_int_eq(oyl_actor_for_user(db, w.ids[0][T_ADMIN], &w.actors[1]), OYL_OK);
	ck_assert_int_eq(oyl_actor_for_user(db, w.ids[0][T_USER], &w.actors[2]), OYL_OK);
	ck_assert_int_eq(oyl_actor_role(w.actors[0]), OYL_ROLE_SUPERADMIN);
	ck_assert_int_eq(oyl_actor_role(w.actors[1]), OYL_ROLE_TENANT_ADMIN);
	ck_assert_int_eq(oyl_actor_role(w.actors[2]), OYL_ROLE_USER);
}

static void free_world(void)
{
	for (int i = 0; i < 3; i++) {
		oyl_actor_free(w.actors[i]);
		w.actors[i] = NULL;
	}
}

static char db_uri[T_URI_MAX];

/* On PostgreSQL, one database for the whole suite, migrated once (a fresh
 * schema per test, half a second each, made most of this suite's time);
 * each test builds its own world in it.  A SQLite file is cheap to make,
 * and every test gets its own. */
static void make_database(void)
{
	if (!t_is_postgres())
		return;
	t_fresh_uri(db_uri);
	oyl_db *made = t_open_uri(db_uri);
	oyl_db_close(made);
}

static void setup(void)
{
	if (!t_is_postgres())
		t_fresh_uri(db_uri);
	db = t_open_uri(db_uri);
	ck_assert_int_eq(oyl_db_add_embedder(db, "t", t_embedder_new("m", 8, 4)), OYL_OK);
	build_world();
}

static void teardown(void)
{
	free_world();
	oyl_db_close(db);
}

/* A slug or e-mail no earlier world used. */
static const char *uniq(const char *fmt)
{
	static char buf[96];
	snprintf(buf, sizeof buf, fmt, generation);
	return buf;
}

/* Each operation: run as `a` on target id `id`; frees what it gets. */
typedef int (*op_fn)(oyl_actor *a, const char *id);

#define GET_OP(name, type, getter, freer)                                                          \
	static int name(oyl_actor *a, const char *id)                                              \
	{                                                                                          \
		type *x = NULL;                                                                    \
		int rc = getter(a, id, &x);                                                        \
		freer(x);                                                                          \
		return rc;                                                                         \
	}
#define LIST_OP(name, lister)                                                                      \
	static int name(oyl_actor *a, const char *id)                                              \
	{                                                                                          \
		oyl_page *p = NULL;                                                                \
		int rc = lister(a, id, NULL, &p);                                                  \
		oyl_page_free(p);                                                                  \
		return rc;                                                                         \
	}

GET_OP(tenant_get, oyl_tenant, oyl_tenant_get, oyl_tenant_free)
GET_OP(user_get, oyl_user, oyl_user_get, oyl_user_free)
GET_OP(workspace_get, oyl_workspace, oyl_workspace_get, oyl_workspace_free)
GET_OP(teammate_get, oyl_teammate, oyl_teammate_get, oyl_teammate_free)
GET_OP(assistant_get, oyl_assistant, oyl_assistant_get, oyl_assistant_free)
GET_OP(kb_get, oyl_knowledge_base, oyl_kb_get, oyl_kb_free)
GET_OP(instruction_get, oyl_instruction, oyl_instruction_get, oyl_instruction_free)
GET_OP(link_get, oyl_social_link, oyl_social_link_get, oyl_social_link_free)
LIST_OP(user_list, oyl_user_list)
LIST_OP(workspace_list, oyl_workspace_list)
LIST_OP(teammate_list, oyl_teammate_list)
LIST_OP(assistant_list, oyl_assistant_list)
LIST_OP(kb_list, oyl_kb_list)
LIST_OP(link_list, oyl_social_link_list)
LIST_OP(audit_list, oyl_audit_list)

static int tenant_create(oyl_actor *a, const char *id)
{
	(void)id;
	return oyl_tenant_create(a, "New", uniq("new-tenant-%d"), NULL, NULL);
}
static int tenant_list(oyl_actor *a, const char *id)
{
	(void)id;
	oyl_page *p = NULL;
	int rc = oyl_tenant_list(a, NULL, &p);
	oyl_page_free(p);
	return rc;
}
static int tenant_rename(oyl_actor *a, const char *id) { return oyl_tenant_update(a, id, "Renamed", NULL, NULL); }
static int tenant_reslug(oyl_actor *a, const char *id) { return oyl_tenant_update(a, id, NULL, uniq("new-slug-%d"), NULL); }
static int tenant_delete(oyl_actor *a, const char *id) { return oyl_tenant_delete(a, id); }
static int user_create(oyl_actor *a, const char *id)
{
	return oyl_user_create(a, id, uniq("new-%d@new.example"), "N", OYL_ROLE_USER, NULL);
}
static int user_create_admin(oyl_actor *a, const char *id)
{
	return oyl_user_create(a, id, uniq("new-%d@new.example"), "N", OYL_ROLE_TENANT_ADMIN, NULL);
}
static int superadmin_create(oyl_actor *a, const char *id)
{
	(void)id;
	return oyl_user_create(a, NULL, uniq("root2-%d@new.example"), "N", OYL_ROLE_SUPERADMIN, NULL);
}
static int superadmin_list(oyl_actor *a, const char *id)
{
	(void)id;
	oyl_page *p = NULL;
	int rc = oyl_user_list(a, NULL, NULL, &p);
	oyl_page_free(p);
	return rc;
}
static int user_rename(oyl_actor *a, const char *id) { return oyl_user_update(a, id, "Renamed", 0, NULL); }
static int user_set_role(oyl_actor *a, const char *id) { return oyl_user_update(a, id, NULL, OYL_ROLE_TENANT_ADMIN, NULL); }
static int user_delete(oyl_actor *a, const char *id) { return oyl_user_delete(a, id); }
static int self_get(oyl_actor *a, const char *id)
{
	(void)id;
	return user_get(a, oyl_actor_user_id(a));
}
static int self_rename(oyl_actor *a, const char *id)
{
	(void)id;
	return user_rename(a, oyl_actor_user_id(a));
}
static int self_set_role(oyl_actor *a, const char *id)
{
	(void)id;
	return oyl_user_update(a, oyl_actor_user_id(a), NULL, OYL_ROLE_USER, NULL);
}
static int self_delete(oyl_actor *a, const char *id)
{
	(void)id;
	return oyl_user_delete(a, oyl_actor_user_id(a));
}
static int platform_audit(oyl_actor *a, const char *id)
{
	(void)id;
	return audit_list(a, NULL);
}
static int workspace_create(oyl_actor *a, const char *id) { return oyl_workspace_create(a, id, "W2", NULL); }
static int workspace_update(oyl_actor *a, const char *id) { return oyl_workspace_update(a, id, "W3", NULL); }
static int workspace_delete(oyl_actor *a, const char *id) { return oyl_workspace_delete(a, id); }
static int teammate_create(oyl_actor *a, const char *id) { return oyl_teammate_create(a, id, "T2", NULL, NULL); }
static int teammate_update(oyl_actor *a, const char *id)
{
	return oyl_teammate_update(a, id, "T3", "{\"strategy\":\"round_robin\"}", NULL);
}
static int teammate_delete(oyl_actor *a, const char *id) { return oyl_teammate_delete(a, id); }
static int assistant_create(oyl_actor *a, const char *id) { return oyl_assistant_create(a, id, "A2", NULL); }
static int assistant_update(oyl_actor *a, const char *id) { return oyl_assistant_update(a, id, "A3", NULL); }
static int assistant_delete(oyl_actor *a, const char *id) { return oyl_assistant_delete(a, id); }
static int instruction_set(oyl_actor *a, const char *id) { return oyl_instruction_set(a, id, "q", NULL); }
static int instruction_clear(oyl_actor *a, const char *id) { return oyl_instruction_clear(a, id); }
static int kb_create(oyl_actor *a, const char *id) { return oyl_kb_create(a, id, "K2", NULL, NULL); }
static int kb_update(oyl_actor *a, const char *id) { return oyl_kb_update(a, id, "K3", "v", NULL); }
static int kb_search(oyl_actor *a, const char *id)
{
	oyl_search_results *r = NULL;
	int rc = oyl_kb_search(a, id, "anything", NULL, &r);
	oyl_search_free(r);
	return rc;
}
static int kb_set_search(oyl_actor *a, const char *id)
{
	oyl_kb_search_settings s = OYL_KB_SEARCH_SETTINGS_INIT;
	s.bm25_k1 = 1.0;
	return oyl_kb_set_search(a, id, &s, NULL);
}
static int kb_set_embedder(oyl_actor *a, const char *id)
{
	return oyl_kb_set_embedder(a, id, "t", NULL);
}
static int kb_delete(oyl_actor *a, const char *id) { return oyl_kb_delete(a, id); }
static int link_create(oyl_actor *a, const char *id)
{
	return oyl_social_link_create(a, id, "https://youtu.be/x", OYL_PLATFORM_YOUTUBE, NULL);
}
static int link_update(oyl_actor *a, const char *id)
{
	return oyl_social_link_update(a, id, "https://linkedin.com/company/x", OYL_PLATFORM_AUTO, NULL);
}
static int link_delete(oyl_actor *a, const char *id) { return oyl_social_link_delete(a, id); }
static int set_password(oyl_actor *a, const char *id) { return oyl_user_set_password(a, id, "a new password"); }
static int self_set_password(oyl_actor *a, const char *id)
{
	(void)id;
	return oyl_user_set_password(a, oyl_actor_user_id(a), "a new password");
}
static int revoke_sessions(oyl_actor *a, const char *id) { return oyl_auth_revoke_sessions(a, id); }
static int key_create(oyl_actor *a, const char *id)
{
	char *secret = NULL;
	int rc = oyl_api_key_create(a, id, "K2", NULL, &secret);
	oyl_free(secret);
	return rc;
}
static int self_key_create(oyl_actor *a, const char *id)
{
	(void)id;
	return key_create(a, oyl_actor_user_id(a));
}
GET_OP(key_get, oyl_api_key, oyl_api_key_get, oyl_api_key_free)
LIST_OP(key_list, oyl_api_key_list)
static int key_revoke(oyl_actor *a, const char *id) { return oyl_api_key_revoke(a, id); }
static int set_quotas(oyl_actor *a, const char *id) { return oyl_tenant_set_quotas(a, id, 100, 100, -1); }
static int set_provider(oyl_actor *a, const char *id)
{
	return oyl_assistant_set_provider(a, id, "extractive", NULL, NULL, NULL);
}
GET_OP(session_get, oyl_chat_session, oyl_chat_session_get, oyl_chat_session_free)
static int session_create(oyl_actor *a, const char *id)
{
	oyl_chat_session *s = NULL;
	int rc = oyl_chat_session_create(a, id, NULL, &s);
	oyl_chat_session_free(s);
	return rc;
}
static int session_list(oyl_actor *a, const char *id)
{
	(void)id;
	oyl_page *p = NULL;
	int rc = oyl_chat_session_list(a, NULL, &p);
	oyl_page_free(p);
	return rc;
}
static int session_rename(oyl_actor *a, const char *id)
{
	return oyl_chat_session_rename(a, id, "mine now", NULL);
}
static int session_delete(oyl_actor *a, const char *id) { return oyl_chat_session_delete(a, id); }
LIST_OP(chat_messages, oyl_chat_messages)
static int chat_send(oyl_actor *a, const char *id)
{
	return oyl_chat_send(a, id, "and now?", NULL, NULL);
}
static int chat_citations(oyl_actor *a, const char *id)
{
	oyl_page *p = NULL;
	int rc = oyl_chat_citations(a, id, &p);
	oyl_page_free(p);
	return rc;
}
static int chat_feedback(oyl_actor *a, const char *id) { return oyl_chat_feedback(a, id, 1, NULL); }
static int feedback_counts(oyl_actor *a, const char *id)
{
	char *json = NULL;
	int rc = oyl_chat_feedback_counts(a, id, &json);
	oyl_free(json);
	return rc;
}

/*
 * Expected statuses, 9 letters: superadmin, tenant_admin, user, each on
 * (own tenant's object, other tenant's object, missing id).
 * O = OK, N = ENOTFOUND, P = EPERM.
 */
typedef struct op_case {
	const char *name;
	op_fn run;
	int target;
	const char *expect;
} op_case;

static const op_case ops[] = {
	{"tenant_create", tenant_create, T_TENANT, "OOO" "PPP" "PPP"},
	{"tenant_get", tenant_get, T_TENANT, "OON" "ONN" "ONN"},
	{"tenant_list", tenant_list, T_TENANT, "OOO" "OOO" "OOO"},
	{"tenant_update(name)", tenant_rename, T_TENANT, "OON" "ONN" "PNN"},
	{"tenant_update(slug)", tenant_reslug, T_TENANT, "OON" "PNN" "PNN"},
	{"tenant_delete", tenant_delete, T_TENANT, "OON" "PNN" "PNN"},
	{"user_create(user)", user_create, T_TENANT, "OON" "ONN" "PNN"},
	{"user_create(tenant_admin)", user_create_admin, T_TENANT, "OON" "ONN" "PNN"},
	{"user_create(superadmin)", superadmin_create, T_TENANT, "OOO" "PPP" "PPP"},
	{"user_get(other user)", user_get, T_USER2, "OON" "ONN" "PNN"},
	{"user_get(self)", self_get, T_USER2, "OOO" "OOO" "OOO"},
	{"user_list(tenant)", user_list, T_TENANT, "OON" "ONN" "ONN"},
	{"user_list(superadmins)", superadmin_list, T_TENANT, "OOO" "PPP" "PPP"},
	{"user_update(name of other)", user_rename, T_USER2, "OON" "ONN" "PNN"},
	{"user_update(role of other)", user_set_role, T_USER2, "OON" "ONN" "PNN"},
	{"user_update(own name)", self_rename, T_USER2, "OOO" "OOO" "OOO"},
	{"user_update(own role)", self_set_role, T_USER2, "III" "PPP" "PPP"},
	{"user_delete(other)", user_delete, T_USER2, "OON" "ONN" "PNN"},
	{"user_delete(self)", self_delete, T_USER2, "PPP" "PPP" "PPP"},
	{"workspace_create", workspace_create, T_TENANT, "OON" "ONN" "PNN"},
	{"workspace_get", workspace_get, T_WS, "OON" "ONN" "ONN"},
	{"workspace_list", workspace_list, T_TENANT, "OON" "ONN" "ONN"},
	{"workspace_update", workspace_update, T_WS, "OON" "ONN" "PNN"},
	{"workspace_delete", workspace_delete, T_WS, "OON" "ONN" "PNN"},
	{"teammate_create", teammate_create, T_WS, "OON" "ONN" "PNN"},
	{"teammate_get", teammate_get, T_TM, "OON" "ONN" "ONN"},
	{"teammate_list", teammate_list, T_WS, "OON" "ONN" "ONN"},
	{"teammate_update", teammate_update, T_TM, "OON" "ONN" "PNN"},
	{"teammate_delete", teammate_delete, T_TM, "OON" "ONN" "PNN"},
	{"assistant_create", assistant_create, T_TM, "OON" "ONN" "PNN"},
	{"assistant_get", assistant_get, T_AS, "OON" "ONN" "ONN"},
	{"assistant_list", assistant_list, T_TM, "OON" "ONN" "ONN"},
	{"assistant_update", assistant_update, T_AS, "OON" "ONN" "PNN"},
	{"assistant_delete", assistant_delete, T_AS, "OON" "ONN" "PNN"},
	{"instruction_set", instruction_set, T_AS, "OON" "ONN" "PNN"},
	{"instruction_get", instruction_get, T_AS, "OON" "ONN" "ONN"},
	{"instruction_clear", instruction_clear, T_AS, "OON" "ONN" "PNN"},
	{"kb_create", kb_create, T_AS, "OON" "ONN" "PNN"},
	{"kb_get", kb_get, T_KB, "OON" "ONN" "ONN"},
	{"kb_list", kb_list, T_AS, "OON" "ONN" "ONN"},
	{"kb_update", kb_update, T_KB, "OON" "ONN" "PNN"},
	{"kb_set_search", kb_set_search, T_KB, "OON" "ONN" "PNN"},
	{"kb_set_embedder", kb_set_embedder, T_KB, "OON" "ONN" "PNN"},
	{"kb_delete", kb_delete, T_KB, "OON" "ONN" "PNN"},
	{"kb_search(knowledge base)", kb_search, T_KB, "OON" "ONN" "ONN"},
	{"kb_search(assistant)", kb_search, T_AS, "OON" "ONN" "ONN"},
	{"social_link_create", link_create, T_TENANT, "OON" "ONN" "PNN"},
	{"social_link_get", link_get, T_LINK, "OON" "ONN" "ONN"},
	{"social_link_list", link_list, T_TENANT, "OON" "ONN" "ONN"},
	{"social_link_update", link_update, T_LINK, "OON" "ONN" "PNN"},
	{"social_link_delete", link_delete, T_LINK, "OON" "ONN" "PNN"},
	{"audit_list(tenant)", audit_list, T_TENANT, "OON" "ONN" "PNN"},
	{"audit_list(platform)", platform_audit, T_TENANT, "OOO" "PPP" "PPP"},
	{"user_set_password(other)", set_password, T_USER2, "OON" "ONN" "PNN"},
	{"user_set_password(self)", self_set_password, T_USER2, "OOO" "OOO" "OOO"},
	{"auth_revoke_sessions(other)", revoke_sessions, T_USER2, "OON" "ONN" "PNN"},
	{"api_key_create(for other)", key_create, T_USER2, "OON" "ONN" "PNN"},
	{"api_key_create(own)", self_key_create, T_USER2, "III" "OOO" "OOO"},
	{"api_key_get(other's)", key_get, T_KEY, "OON" "ONN" "PNN"},
	{"api_key_list(other's)", key_list, T_USER2, "OON" "ONN" "PNN"},
	{"api_key_revoke(other's)", key_revoke, T_KEY, "OON" "ONN" "PNN"},
	{"tenant_set_quotas", set_quotas, T_TENANT, "OON" "PNN" "PNN"},
	{"assistant_set_provider", set_provider, T_AS, "OON" "ONN" "PNN"},
	/* chat: a session is its owner's alone (here USER2's), whatever the role */
	{"chat_session_create", session_create, T_AS, "III" "ONN" "ONN"},
	{"chat_session_get(another's)", session_get, T_SESSION, "NNN" "NNN" "NNN"},
	{"chat_session_list(own)", session_list, T_TENANT, "OOO" "OOO" "OOO"},
	{"chat_session_rename(another's)", session_rename, T_SESSION, "NNN" "NNN" "NNN"},
	{"chat_session_delete(another's)", session_delete, T_SESSION, "NNN" "NNN" "NNN"},
	{"chat_messages(another's)", chat_messages, T_SESSION, "NNN" "NNN" "NNN"},
	{"chat_send(another's)", chat_send, T_SESSION, "NNN" "NNN" "NNN"},
	{"chat_citations(another's)", chat_citations, T_ANSWER, "NNN" "NNN" "NNN"},
	{"chat_feedback(another's)", chat_feedback, T_ANSWER, "NNN" "NNN" "NNN"},
	{"chat_feedback_counts(a list)", feedback_counts, T_TENANT, "OON" "ONN" "PNN"},
};
#define NOPS (int)(sizeof ops / sizeof ops[0])
#define NCASES (NOPS * 9)

static int status_of(char c)
{
	switch (c) {
	case 'O':
		return OYL_OK;
	case 'N':
		return OYL_ENOTFOUND;
	case 'P':
		return OYL_EPERM;
	default:
		return OYL_EINVAL;
	}
}

/* The message with every occurrence of id replaced by "<id>". */
static void mask(const char *msg, const char *id, char *out, size_t size)
{
	size_t n = 0, idlen = strlen(id);
	while (*msg && n + 5 < size) {
		if (strncmp(msg, id, idlen) == 0) {
			n += (size_t)snprintf(out + n, size - n, "<id>");
			msg += idlen;
		} else {
			out[n++] = *msg++;
		}
	}
	out[n] = '\0';
}

static const char *const role_names[3] = {"superadmin", "tenant_admin", "user"};
static const char *const target_names[3] = {"own tenant", "other tenant", "missing id"};

/* One role x target case of an operation. */
static void run_case(const op_case *op, int role, int target, int *wrote)
{
	char missing[37];
	oyl__uuid_new(missing);
	const char *id = target == 0 ? w.ids[0][op->target] : target == 1 ? w.ids[1][op->target] : missing;
	int want = status_of(op->expect[role * 3 + target]);
	oyl_backend *b = t_backend_of(db);
	uint64_t before = t_fingerprint(b);
	int rc = op->run(w.actors[role], id);
	ck_assert_msg(rc == want, "%s as %s on %s: %s (%s), want %s", op->name, role_names[role],
		      target_names[target], oyl_status_name(rc), oyl_db_errmsg(db),
		      oyl_status_name(want));
	uint64_t after = t_fingerprint(b);
	*wrote = after != before;
	if (rc != OYL_OK)
		ck_assert_msg(!*wrote, "%s as %s on %s: refused but storage changed", op->name,
			      role_names[role], target_names[target]);
	else if (!strstr(op->name, "get") && !strstr(op->name, "list") &&
		 !strstr(op->name, "kb_search"))
		ck_assert_msg(*wrote, "%s as %s: succeeded but wrote nothing", op->name,
			      role_names[role]);
	/* another tenant's object reads exactly like a missing one */
	if (target == 1 && rc == OYL_ENOTFOUND) {
		char msg_other[512], msg_missing[512];
		mask(oyl_db_errmsg(db), id, msg_other, sizeof msg_other);
		ck_assert_int_eq(op->run(w.actors[role], missing), OYL_ENOTFOUND);
		mask(oyl_db_errmsg(db), missing, msg_missing, sizeof msg_missing);
		ck_assert_str_eq(msg_other, msg_missing);
	}
}

/* Every role x target case of one operation; the world is rebuilt after
 * a case that changed it, so each case starts from the same shape. */
START_TEST(matrix_operation)
{
	const op_case *op = &ops[_i];
	int chat = op->target == T_SESSION || op->target == T_ANSWER;
	if (chat)
		add_chat();
	for (int c = 0; c < 9; c++) {
		int wrote = 0;
		run_case(op, c / 3, c % 3, &wrote);
		if (wrote) {
			free_world();
			build_world();
			if (chat)
				add_chat();
		}
	}
}
END_TEST

/* Mutations write one audit event each, in their own transaction. */
START_TEST(mutations_are_audited)
{
	oyl_page *p = NULL;
	ck_assert_int_eq(oyl_audit_list(w.actors[1], w.ids[0][T_TENANT], NULL, &p), OYL_OK);
	size_t before = oyl_page_count(p);
	oyl_page_free(p);
	oyl_workspace *ws = NULL;
	ck_assert_int_eq(oyl_workspace_create(w.actors[1], w.ids[0][T_TENANT], "Audited", &ws), OYL_OK);
	ck_assert_int_eq(oyl_workspace_update(w.actors[1], oyl_workspace_id(ws), "Audited 2", NULL), OYL_OK);
	ck_assert_int_eq(oyl_workspace_delete(w.actors[1], oyl_workspace_id(ws)), OYL_OK);
	/* a refused one writes nothing */
	ck_assert_int_eq(oyl_workspace_create(w.actors[2], w.ids[0][T_TENANT], "No", NULL), OYL_EPERM);
	oyl_list_options o = OYL_LIST_OPTIONS_INIT;
	o.limit = 100;
	o.flags = OYL_LIST_TOTAL;
	ck_assert_int_eq(oyl_audit_list(w.actors[1], w.ids[0][T_TENANT], &o, &p), OYL_OK);
	ck_assert_uint_eq(oyl_page_count(p), before + 3);
	ck_assert_int_eq(oyl_page_total(p), (int64_t)before + 3);
	const char *actions[] = {"workspace.create", "workspace.update", "workspace.delete"};
	for (int i = 0; i < 3; i++) {
		const oyl_audit_event *e = oyl_page_audit_event(p, before + (size_t)i);
		ck_assert_str_eq(oyl_audit_event_action(e), actions[i]);
		ck_assert_str_eq(oyl_audit_event_object_id(e), oyl_workspace_id(ws));
		ck_assert_str_eq(oyl_audit_event_actor_id(e), w.ids[0][T_ADMIN]);
		ck_assert_int_eq(oyl_audit_event_actor_role(e), OYL_ROLE_TENANT_ADMIN);
		ck_assert_str_eq(oyl_audit_event_tenant_id(e), w.ids[0][T_TENANT]);
	}
	ck_assert_str_eq(oyl_audit_event_detail(oyl_page_audit_event(p, before + 1)),
			 "{\"fields\":[\"name\"]}");
	oyl_page_free(p);
	oyl_workspace_free(ws);
	/* the platform's own log: tenants and superadmin accounts */
	ck_assert_int_eq(oyl_tenant_delete(w.actors[0], w.ids[1][T_TENANT]), OYL_OK);
	/* the log's last event (other tests' worlds may share the database) */
	const oyl_audit_event *last = NULL;
	for (;;) {
		ck_assert_int_eq(oyl_audit_list(w.actors[0], NULL, &o, &p), OYL_OK);
		size_t n = oyl_page_count(p);
		if (!oyl_page_next_cursor(p)) {
			ck_assert_uint_ge(n, 1);
			last = oyl_page_audit_event(p, n - 1);
			break;
		}
		static char cursor[256];
		snprintf(cursor, sizeof cursor, "%s", oyl_page_next_cursor(p));
		o.cursor = cursor;
		o.offset = 0;
		oyl_page_free(p);
	}
	ck_assert_str_eq(oyl_audit_event_action(last), "tenant.delete");
	ck_assert_str_eq(oyl_audit_event_tenant_id(last), w.ids[1][T_TENANT]);
	oyl_page_free(p);
}
END_TEST

/*
 * An actor is not a cached authorisation: each call reads its user again,
 * in the call's own transaction.  A promotion or a demotion shows at the
 * actor's next call, and a deleted user's actor gets OYL_EAUTH and
 * changes nothing.
 */
START_TEST(actors_are_read_at_every_call)
{
	oyl_actor *user = w.actors[2], *admin = w.actors[1];
	oyl_workspace *ws = NULL;
	/* a user may not create; promoted, the same actor may at once */
	ck_assert_int_eq(oyl_workspace_create(user, w.ids[0][T_TENANT], "W", NULL), OYL_EPERM);
	ck_assert_int_eq(oyl_user_update(admin, w.ids[0][T_USER], NULL, OYL_ROLE_TENANT_ADMIN, NULL),
			 OYL_OK);
	ck_assert_int_eq(oyl_workspace_create(user, w.ids[0][T_TENANT], "W", &ws), OYL_OK);
	ck_assert_int_eq(oyl_actor_role(user), OYL_ROLE_TENANT_ADMIN);
	/* demoted again: refused at the next call */
	ck_assert_int_eq(oyl_user_update(admin, w.ids[0][T_USER], NULL, OYL_ROLE_USER, NULL), OYL_OK);
	ck_assert_int_eq(oyl_workspace_delete(user, oyl_workspace_id(ws)), OYL_EPERM);
	ck_assert_int_eq(oyl_actor_role(user), OYL_ROLE_USER);
	oyl_workspace_free(ws);

	/* oyl_actor_for_user reads nothing: on a handle that has not met the
	 * user, role and tenant are known after the actor's first call */
	oyl_db *other = t_open_uri(db_uri);
	oyl_actor *fresh = NULL;
	ck_assert_int_eq(oyl_actor_for_user(other, w.ids[0][T_USER], &fresh), OYL_OK);
	ck_assert_int_eq(oyl_actor_role(fresh), 0);
	ck_assert_ptr_null(oyl_actor_tenant_id(fresh));
	/* its first call still sees only its own tenant */
	ck_assert_int_eq(oyl_workspace_get(fresh, w.ids[1][T_WS], &ws), OYL_ENOTFOUND);
	ck_assert_int_eq(oyl_actor_role(fresh), OYL_ROLE_USER);
	ck_assert_str_eq(oyl_actor_tenant_id(fresh), w.ids[0][T_TENANT]);
	ck_assert_int_eq(oyl_workspace_get(fresh, w.ids[0][T_WS], &ws), OYL_OK);
	oyl_workspace_free(ws);
	oyl_actor_free(fresh);
	/* a never-seen actor whose first call lists its tenants */
	oyl_page *page = NULL;
	ck_assert_int_eq(oyl_actor_for_user(other, w.ids[0][T_ADMIN], &fresh), OYL_OK);
	ck_assert_int_eq(oyl_tenant_list(fresh, NULL, &page), OYL_OK);
	ck_assert_uint_eq(oyl_page_count(page), 1);
	ck_assert_str_eq(oyl_tenant_id(oyl_page_tenant(page, 0)), w.ids[0][T_TENANT]);
	oyl_page_free(page);
	oyl_actor_free(fresh);

	/* an id of no user: the actor is made, its first call is EAUTH */
	char missing[37];
	oyl__uuid_new(missing);
	ck_assert_int_eq(oyl_actor_for_user(other, missing, &fresh), OYL_OK);
	ck_assert_int_eq(oyl_workspace_list(fresh, w.ids[0][T_TENANT], NULL, &page), OYL_EAUTH);
	ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(other), "no longer exists"));
	ck_assert_ptr_null(page);
	oyl_actor_free(fresh);
	ck_assert_int_eq(oyl_actor_for_user(other, "nope", &fresh), OYL_EINVAL);
	ck_assert_ptr_null(fresh);

	/* a deleted tenant_admin's actor creates nothing any more */
	oyl_actor *stale = NULL;
	ck_assert_int_eq(oyl_actor_for_user(other, w.ids[0][T_ADMIN], &stale), OYL_OK);
	ck_assert_int_eq(oyl_workspace_list(stale, w.ids[0][T_TENANT], NULL, &page), OYL_OK);
	oyl_page_free(page);
	ck_assert_int_eq(oyl_user_delete(w.actors[0], w.ids[0][T_ADMIN]), OYL_OK);
	uint64_t before = t_fingerprint(t_backend_of(db));
	ck_assert_int_eq(oyl_workspace_create(admin, w.ids[0][T_TENANT], "after", NULL), OYL_EAUTH);
	ck_assert_int_eq(oyl_user_create(admin, w.ids[0][T_TENANT], "late@a.example", "Late",
					 OYL_ROLE_USER, NULL),
			 OYL_EAUTH);
	ck_assert_int_eq(oyl_workspace_create(stale, w.ids[0][T_TENANT], "after", NULL), OYL_EAUTH);
	ck_assert_int_eq(oyl_tenant_get(stale, w.ids[0][T_TENANT], NULL), OYL_EMISUSE);
	oyl_tenant *t = NULL;
	ck_assert_int_eq(oyl_tenant_get(stale, w.ids[0][T_TENANT], &t), OYL_EAUTH);
	ck_assert(t_fingerprint(t_backend_of(db)) == before);
	oyl_actor_free(stale);
	oyl_db_close(other);
}
END_TEST

int main(int argc, char **argv)
{
	t_init(argc, argv);
	Suite *s = suite_create(t_backend());
	TCase *tc = tcase_create("permissions");
	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, make_database, NULL);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, matrix_operation, 0, NOPS);
	tcase_add_test(tc, mutations_are_audited);
	tcase_add_test(tc, actors_are_read_at_every_call);
	suite_add_tcase(s, tc);
	printf("%d operations x 3 roles x 3 targets = %d generated cases\n", NOPS, NCASES);
	int rc = t_run(s);
	t_cleanup();
	return rc;
}
