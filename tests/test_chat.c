/*
 * Chat through the public API, on every backend (argv[1]): sessions
 * private to their owner, a streamed and cited answer from the offline
 * answerer, the exact prompt, [n] markers mapped and cleaned, a provider
 * failure and a cancel leaving the question only, teammate routing
 * (first, round robin, fallback, a deleted assistant skipped), citations
 * outliving their document, feedback, and bad input.  The concurrency of
 * round robin across processes is tested on PostgreSQL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "oyl/sys/provider.h"

static oyl_db *db;
static char uri[T_URI_MAX];
static t_two_tenants w;
static char assistant_a[37], teammate_a[37];

/* ---- a scripted provider ------------------------------------------- */

typedef struct scripted {
	oyl_provider base;
	const char *answer; /* streamed in pieces of 5 bytes */
	int fail;           /* an oyl_status to fail with before any piece */
	int calls;
	char system[8192]; /* the last request's system turn */
	size_t nturns;
	char last_turn[256];
	void (*during)(void); /* called while answering (no transaction is open) */
} scripted;

static int scripted_complete(oyl_provider *p, const oyl_provider_request *req,
			     oyl_provider_delta_fn on_delta, void *ctx, oyl_provider_usage *usage)
{
	scripted *s = (scripted *)p;
	s->calls++;
	snprintf(s->system, sizeof s->system, "%s", req->turns[0].content);
	s->nturns = req->nturns;
	snprintf(s->last_turn, sizeof s->last_turn, "%s", req->turns[req->nturns - 1].content);
	if (s->during)
		s->during();
	if (s->fail)
		return s->fail;
	size_t n = strlen(s->answer);
	for (size_t i = 0; i < n; i += 5)
		if (on_delta(s->answer + i, n - i < 5 ? n - i : 5, ctx))
			return OYL_ECANCELED;
	usage->prompt_tokens = 100;
	usage->completion_tokens = 7;
	return OYL_OK;
}

static const char *scripted_errmsg(oyl_provider *p)
{
	return ((scripted *)p)->fail ? "the model server is down" : "";
}

static void scripted_free(oyl_provider *p)
{
	free(p);
}

/* Registers a scripted provider as `name` on the handle; the handle owns it. */
static scripted *add_scripted(const char *name, const char *answer, int fail)
{
	scripted *s = calloc(1, sizeof *s);
	oyl_provider init = OYL_PROVIDER_INIT;
	s->base = init;
	s->base.name = "scripted";
	s->base.complete = scripted_complete;
	s->base.errmsg = scripted_errmsg;
	s->base.free = scripted_free;
	s->answer = answer;
	s->fail = fail;
	ck_assert_int_eq(oyl_db_add_provider(db, name, &s->base), OYL_OK);
	return s;
}

/* ---- helpers --------------------------------------------------------- */

static void ingest(const char *kb, const char *name, const char *text, char id[37])
{
	oyl_doc_source s = OYL_DOC_SOURCE_INIT;
	s.data = text;
	s.length = strlen(text);
	s.name = name;
	s.mime_type = "text/plain";
	oyl_document *d = NULL;
	ck_assert_msg(oyl_doc_ingest(w.admin_a, kb, &s, NULL, &d) == OYL_OK, "ingest: %s",
		      oyl_db_errmsg(db));
	if (id)
		memcpy(id, oyl_document_id(d), 37);
	oyl_document_free(d);
}

static void setup(void)
{
	t_fresh_uri(uri);
	db = t_open_uri(uri);
	t_two_tenants_make(db, &w);
	oyl_knowledge_base *kb = NULL;
	ck_assert_int_eq(oyl_kb_get(w.admin_a, w.kb_a, &kb), OYL_OK);
	memcpy(assistant_a, oyl_kb_assistant_id(kb), 37);
	oyl_kb_free(kb);
	oyl_assistant *a = NULL;
	ck_assert_int_eq(oyl_assistant_get(w.admin_a, assistant_a, &a), OYL_OK);
	memcpy(teammate_a, oyl_assistant_teammate_id(a), 37);
	oyl_assistant_free(a);
	ingest(w.kb_a, "zebra.txt",
	       "Zebras have black and white stripes. They live in Africa. Horses are related "
	       "to zebras.",
	       NULL);
	ingest(w.kb_a, "ssh.txt",
	       "The ssh-keygen tool makes key pairs. Keys are kept in the .ssh directory.", NULL);
}

static void teardown(void)
{
	t_two_tenants_free(&w);
	oyl_db_close(db);
}

static char *new_session(oyl_actor *who, const char *target, const char *title)
{
	static char id[37];
	oyl_chat_session *s = NULL;
	int rc = oyl_chat_session_create(who, target, title, &s);
	ck_assert_msg(rc == OYL_OK, "session: %s", oyl_db_errmsg(db));
	memcpy(id, oyl_chat_session_id(s), 37);
	oyl_chat_session_free(s);
	return id;
}

static size_t count_messages(oyl_actor *who, const char *session, const char **last_role)
{
	oyl_page *p = NULL;
	oyl_list_options o = OYL_LIST_OPTIONS_INIT;
	o.limit = 100;
	ck_assert_int_eq(oyl_chat_messages(who, session, &o, &p), OYL_OK);
	size_t n = oyl_page_count(p);
	static char role[16];
	snprintf(role, sizeof role, "%s", n ? oyl_message_role(oyl_page_message(p, n - 1)) : "");
	if (last_role)
		*last_role = role;
	oyl_page_free(p);
	return n;
}

/* The events of one send, in order: S start, T token, E end, X error. */
typedef struct events {
	char kinds[512];
	size_t n;
	char text[4096];
	size_t len;
	char start_id[37], end_id[37];
	int error_status;
	int cancel_after; /* tokens, then cancel; 0: never */
} events;

static int on_event(const oyl_chat_event *e, void *ctx)
{
	events *ev = ctx;
	static const char k[] = "?STEX";
	if (ev->n + 1 < sizeof ev->kinds)
		ev->kinds[ev->n++] = k[e->type];
	if (e->type == OYL_CHAT_START)
		snprintf(ev->start_id, sizeof ev->start_id, "%s", e->message_id);
	if (e->type == OYL_CHAT_END)
		snprintf(ev->end_id, sizeof ev->end_id, "%s", e->message_id);
	if (e->type == OYL_CHAT_ERROR)
		ev->error_status = e->status;
	if (e->type == OYL_CHAT_TOKEN) {
		memcpy(ev->text + ev->len, e->text, e->length);
		ev->len += e->length;
		ev->text[ev->len] = '\0';
		if (ev->cancel_after && --ev->cancel_after == 0)
			return 1;
	}
	return 0;
}

static int send(oyl_actor *who, const char *session, const char *text, events *ev,
		oyl_chat_reply **out)
{
	oyl_chat_options o = OYL_CHAT_OPTIONS_INIT;
	o.on_event = ev ? on_event : NULL;
	o.ctx = ev;
	return oyl_chat_send(who, session, text, &o, out);
}

/* ---- tests ----------------------------------------------------------- */

START_TEST(sessions_are_their_owner_s_alone)
{
	char *s = new_session(w.user_a, assistant_a, NULL);
	char sid[37];
	memcpy(sid, s, 37);
	oyl_chat_session *got = NULL;
	ck_assert_int_eq(oyl_chat_session_get(w.user_a, sid, &got), OYL_OK);
	ck_assert_str_eq(oyl_chat_session_title(got), "");
	ck_assert_str_eq(oyl_chat_session_assistant_id(got), assistant_a);
	ck_assert_ptr_null(oyl_chat_session_teammate_id(got));
	oyl_chat_session_free(got);
	/* the tenant's admin, the superadmin, another tenant: as if missing */
	oyl_actor *others[] = {w.admin_a, w.root, w.admin_b};
	for (size_t i = 0; i < 3; i++) {
		oyl_page *p = NULL;
		ck_assert_int_eq(oyl_chat_session_get(others[i], sid, &got), OYL_ENOTFOUND);
		ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "not found"));
		ck_assert_int_eq(oyl_chat_session_rename(others[i], sid, "mine", NULL),
				 OYL_ENOTFOUND);
		ck_assert_int_eq(oyl_chat_messages(others[i], sid, NULL, &p), OYL_ENOTFOUND);
		ck_assert_int_eq(send(others[i], sid, "zebras?", NULL, NULL), OYL_ENOTFOUND);
		ck_assert_int_eq(oyl_chat_session_delete(others[i], sid), OYL_ENOTFOUND);
		ck_assert_int_eq(oyl_chat_session_list(others[i], NULL, &p), OYL_OK);
		ck_assert_uint_eq(oyl_page_count(p), 0);
		oyl_page_free(p);
	}
	/* a superadmin has no sessions; a target of another tenant is missing */
	ck_assert_int_eq(oyl_chat_session_create(w.root, assistant_a, NULL, &got), OYL_EINVAL);
	ck_assert_int_eq(oyl_chat_session_create(w.admin_b, assistant_a, NULL, &got),
			 OYL_ENOTFOUND);
	/* newest first, paged */
	char second[37];
	memcpy(second, new_session(w.user_a, teammate_a, "Second"), 37);
	oyl_page *p = NULL;
	oyl_list_options o = OYL_LIST_OPTIONS_INIT;
	o.limit = 1;
	ck_assert_int_eq(oyl_chat_session_list(w.user_a, &o, &p), OYL_OK);
	ck_assert_uint_eq(oyl_page_count(p), 1);
	ck_assert_str_eq(oyl_chat_session_id(oyl_page_chat_session(p, 0)), second);
	ck_assert_str_eq(oyl_chat_session_teammate_id(oyl_page_chat_session(p, 0)), teammate_a);
	o.cursor = oyl_page_next_cursor(p);
	oyl_page *p2 = NULL;
	ck_assert_int_eq(oyl_chat_session_list(w.user_a, &o, &p2), OYL_OK);
	ck_assert_uint_eq(oyl_page_count(p2), 1);
	ck_assert_str_eq(oyl_chat_session_id(oyl_page_chat_session(p2, 0)), sid);
	oyl_page_free(p2);
	oyl_page_free(p);
	/* the owner renames and deletes; nothing of a session is audited */
	ck_assert_int_eq(oyl_chat_session_rename(w.user_a, sid, "Zebras", &got), OYL_OK);
	ck_assert_str_eq(oyl_chat_session_title(got), "Zebras");
	oyl_chat_session_free(got);
	ck_assert_int_eq(oyl_chat_session_delete(w.user_a, sid), OYL_OK);
	ck_assert_int_eq(oyl_chat_session_get(w.user_a, sid, &got), OYL_ENOTFOUND);
	ck_assert_int_eq(oyl_audit_list(w.admin_a, w.tenant_a, NULL, &p), OYL_OK);
	for (size_t i = 0; i < oyl_page_count(p); i++)
		ck_assert_ptr_null(
			strstr(oyl_audit_event_action(oyl_page_audit_event(p, i)), "chat"));
	oyl_page_free(p);
}
END_TEST

START_TEST(an_answer_is_streamed_cited_and_stored)
{
	char sid[37];
	memcpy(sid, new_session(w.user_a, assistant_a, NULL), 37);
	events ev = {0};
	oyl_chat_reply *r = NULL;
	const char *q = "Where do zebras live, and what stripes do they have on their backs today?";
	ck_assert_int_eq(send(w.user_a, sid, q, &ev, &r), OYL_OK);
	/* start, a token per word, end; the same id at both ends */
	ck_assert_int_eq(ev.kinds[0], 'S');
	ck_assert_int_eq(ev.kinds[ev.n - 1], 'E');
	ck_assert_uint_gt(ev.n, 10);
	for (size_t i = 1; i + 1 < ev.n; i++)
		ck_assert_int_eq(ev.kinds[i], 'T');
	ck_assert_str_eq(ev.start_id, oyl_chat_reply_message_id(r));
	ck_assert_str_eq(ev.end_id, oyl_chat_reply_message_id(r));
	ck_assert_str_eq(ev.text, oyl_chat_reply_content(r));
	ck_assert_str_eq(oyl_chat_reply_content(r),
			 "Zebras have black and white stripes [1]. They live in Africa [1]. "
			 "Horses are related to zebras [1].");
	ck_assert_str_eq(oyl_chat_reply_assistant_id(r), assistant_a);
	ck_assert_int_eq(oyl_chat_reply_tokens_estimated(r), 1);
	ck_assert_int_gt(oyl_chat_reply_prompt_tokens(r), 0);
	ck_assert_int_eq(oyl_chat_reply_unknown_markers(r), 0);
	ck_assert_uint_eq(oyl_chat_reply_citation_count(r), 1);
	const oyl_citation *c = oyl_chat_reply_citation(r, 0);
	ck_assert_int_eq(oyl_citation_rank(c), 1);
	ck_assert_str_eq(oyl_citation_document_name(c), "zebra.txt");
	ck_assert_ptr_nonnull(strstr(oyl_citation_passage(c), "live in Africa"));
	ck_assert_double_gt(oyl_citation_score(c), 0.0);
	/* stored: the question, then the answer; the title from the question */
	oyl_page *p = NULL;
	ck_assert_int_eq(oyl_chat_messages(w.user_a, sid, NULL, &p), OYL_OK);
	ck_assert_uint_eq(oyl_page_count(p), 2);
	ck_assert_str_eq(oyl_message_role(oyl_page_message(p, 0)), "user");
	ck_assert_str_eq(oyl_message_content(oyl_page_message(p, 0)), q);
	ck_assert_str_eq(oyl_message_id(oyl_page_message(p, 0)), oyl_chat_reply_question_id(r));
	ck_assert_str_eq(oyl_message_role(oyl_page_message(p, 1)), "assistant");
	ck_assert_str_eq(oyl_message_content(oyl_page_message(p, 1)), oyl_chat_reply_content(r));
	ck_assert_ptr_nonnull(
		strstr(oyl_message_usage(oyl_page_message(p, 1)), "\"provider\":\"extractive\""));
	oyl_page_free(p);
	oyl_chat_session *s = NULL;
	ck_assert_int_eq(oyl_chat_session_get(w.user_a, sid, &s), OYL_OK);
	ck_assert_str_eq(oyl_chat_session_title(s),
			 "Where do zebras live, and what stripes do they have on their...");
	oyl_chat_session_free(s);
	/* nothing relevant: said plainly, nothing cited */
	oyl_chat_reply_free(r);
	ck_assert_int_eq(send(w.user_a, sid, "How is bread baked?", NULL, &r), OYL_OK);
	ck_assert_ptr_nonnull(strstr(oyl_chat_reply_content(r), "has nothing on this question"));
	ck_assert_uint_eq(oyl_chat_reply_citation_count(r), 0);
	oyl_chat_reply_free(r);
	ck_assert_uint_eq(count_messages(w.user_a, sid, NULL), 4);
}
END_TEST

START_TEST(the_prompt_is_assembled_as_documented)
{
	scripted *s = add_scripted("script", "Stripes [1].", 0);
	ck_assert_int_eq(oyl_assistant_set_provider(w.admin_a, assistant_a, "script", "m-1",
						    "{\"temperature\":0.2}", NULL),
			 OYL_OK);
	ck_assert_int_eq(oyl_instruction_set(w.admin_a, assistant_a, "You help zoo keepers.", NULL),
			 OYL_OK);
	char sid[37];
	memcpy(sid, new_session(w.user_a, assistant_a, NULL), 37);
	ck_assert_int_eq(send(w.user_a, sid, "zebra stripes", NULL, NULL), OYL_OK);
	ck_assert_str_eq(s->system,
			 "You help zoo keepers.\n\n"
			 "Answer the question from the numbered passages below. After each "
			 "statement, cite the passage it comes from by its number in square "
			 "brackets, like [1]. If the passages do not answer the question, say "
			 "that you do not know.\n\n"
			 "Passages:\n\n"
			 "[1] zebra.txt\n"
			 "Zebras have black and white stripes. They live in Africa. Horses are "
			 "related to zebras.");
	ck_assert_uint_eq(s->nturns, 2);
	ck_assert_str_eq(s->last_turn, "zebra stripes");
	/* the history: earlier turns, within the budget, oldest dropped first */
	ck_assert_int_eq(send(w.user_a, sid, "ssh keys", NULL, NULL), OYL_OK);
	ck_assert_uint_eq(s->nturns, 4); /* system, question, answer, question */
	oyl_chat_options o = OYL_CHAT_OPTIONS_INIT;
	/* the last answer "Stripes [1]." (3 + 4 a turn) and question "ssh keys"
	 * (2 + 4): 13 tokens; the turn before would need 7 more */
	o.history_tokens = 13;
	ck_assert_int_eq(oyl_chat_send(w.user_a, sid, "zebra", &o, NULL), OYL_OK);
	ck_assert_uint_eq(s->nturns, 1 + 2 + 1);
	o.history_tokens = -1;
	ck_assert_int_eq(oyl_chat_send(w.user_a, sid, "zebra", &o, NULL), OYL_OK);
	ck_assert_uint_eq(s->nturns, 2);
	/* no passage: said in the prompt */
	ck_assert_int_eq(send(w.user_a, sid, "bread", NULL, NULL), OYL_OK);
	ck_assert_ptr_nonnull(strstr(s->system, "Passages: none were found for this question."));
}
END_TEST

START_TEST(markers_are_mapped_and_unknown_ones_removed)
{
	add_scripted("script", "Stripes [1]. Keys [2, 9]. Nothing [7]. Bracket [sic] stays.", 0);
	ck_assert_int_eq(
		oyl_assistant_set_provider(w.admin_a, assistant_a, "script", NULL, NULL, NULL),
		OYL_OK);
	char sid[37];
	memcpy(sid, new_session(w.user_a, assistant_a, NULL), 37);
	oyl_chat_reply *r = NULL;
	ck_assert_int_eq(send(w.user_a, sid, "zebra stripes ssh keys", NULL, &r), OYL_OK);
	ck_assert_str_eq(oyl_chat_reply_content(r),
			 "Stripes [1]. Keys [2]. Nothing. Bracket [sic] stays.");
	ck_assert_int_eq(oyl_chat_reply_unknown_markers(r), 2);
	ck_assert_uint_eq(oyl_chat_reply_citation_count(r), 2);
	ck_assert_int_eq(oyl_chat_reply_prompt_tokens(r), 100); /* the provider's count */
	ck_assert_int_eq(oyl_chat_reply_tokens_estimated(r), 0);
	oyl_page *p = NULL;
	ck_assert_int_eq(oyl_chat_citations(w.user_a, oyl_chat_reply_message_id(r), &p), OYL_OK);
	ck_assert_uint_eq(oyl_page_count(p), 2);
	ck_assert_int_eq(oyl_citation_rank(oyl_page_citation(p, 0)), 1);
	ck_assert_int_eq(oyl_citation_rank(oyl_page_citation(p, 1)), 2);
	oyl_page_free(p);
	ck_assert_int_eq(oyl_chat_citations(w.admin_a, oyl_chat_reply_message_id(r), &p),
			 OYL_ENOTFOUND);
	oyl_chat_reply_free(r);
}
END_TEST

START_TEST(citations_outlive_their_document)
{
	char doc[37];
	ingest(w.kb_a, "giraffe.txt", "Giraffes have long necks and eat acacia leaves.", doc);
	char sid[37];
	memcpy(sid, new_session(w.user_a, assistant_a, NULL), 37);
	oyl_chat_reply *r = NULL;
	ck_assert_int_eq(send(w.user_a, sid, "What do giraffes eat?", NULL, &r), OYL_OK);
	ck_assert_uint_eq(oyl_chat_reply_citation_count(r), 1);
	ck_assert_int_eq(oyl_doc_delete(w.admin_a, doc), OYL_OK);
	ck_assert_int_eq(oyl_assistant_delete(w.admin_a, assistant_a), OYL_OK);
	oyl_page *p = NULL;
	ck_assert_int_eq(oyl_chat_citations(w.user_a, oyl_chat_reply_message_id(r), &p), OYL_OK);
	ck_assert_uint_eq(oyl_page_count(p), 1);
	const oyl_citation *c = oyl_page_citation(p, 0);
	ck_assert_str_eq(oyl_citation_document_name(c), "giraffe.txt");
	ck_assert_str_eq(oyl_citation_passage(c),
			 "Giraffes have long necks and eat acacia leaves.");
	ck_assert_str_eq(oyl_citation_document_id(c), doc);
	oyl_page_free(p);
	/* the history stays; a new question has no assistant to answer */
	ck_assert_uint_eq(count_messages(w.user_a, sid, NULL), 2);
	ck_assert_int_eq(send(w.user_a, sid, "and zebras?", NULL, NULL), OYL_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "was deleted"));
	ck_assert_uint_eq(count_messages(w.user_a, sid, NULL), 2);
	oyl_chat_reply_free(r);
}
END_TEST

START_TEST(a_failure_or_a_cancel_keeps_the_question_only)
{
	scripted *s = add_scripted("down", "never", OYL_EREMOTE);
	ck_assert_int_eq(
		oyl_assistant_set_provider(w.admin_a, assistant_a, "down", NULL, NULL, NULL),
		OYL_OK);
	char sid[37];
	memcpy(sid, new_session(w.user_a, assistant_a, NULL), 37);
	events ev = {0};
	const char *last;
	ck_assert_int_eq(send(w.user_a, sid, "zebra stripes", &ev, NULL), OYL_EREMOTE);
	ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "the model server is down"));
	ck_assert_str_eq(ev.kinds, "SX");
	ck_assert_int_eq(ev.error_status, OYL_EREMOTE);
	ck_assert_uint_eq(count_messages(w.user_a, sid, &last), 1);
	ck_assert_str_eq(last, "user");
	/* the session goes on */
	s->fail = 0;
	s->answer = "Stripes [1].";
	ck_assert_int_eq(send(w.user_a, sid, "zebra stripes", NULL, NULL), OYL_OK);
	ck_assert_uint_eq(count_messages(w.user_a, sid, &last), 3);
	ck_assert_str_eq(last, "assistant");
	/* the host cancels after the first piece */
	s->answer = "A long answer about stripes [1].";
	memset(&ev, 0, sizeof ev);
	ev.cancel_after = 1;
	ck_assert_int_eq(send(w.user_a, sid, "zebra stripes", &ev, NULL), OYL_ECANCELED);
	ck_assert_str_eq(ev.kinds, "STX");
	ck_assert_uint_eq(count_messages(w.user_a, sid, &last), 4);
	ck_assert_str_eq(last, "user");
}
END_TEST

static char deleted_session[37];
static void delete_the_session(void)
{
	ck_assert_int_eq(oyl_chat_session_delete(w.user_a, deleted_session), OYL_OK);
}

/* The session deleted while its answer is made: nothing of it is stored. */
START_TEST(a_session_deleted_during_the_answer_stores_nothing)
{
	scripted *s = add_scripted("script", "Stripes [1].", 0);
	s->during = delete_the_session;
	ck_assert_int_eq(
		oyl_assistant_set_provider(w.admin_a, assistant_a, "script", NULL, NULL, NULL),
		OYL_OK);
	memcpy(deleted_session, new_session(w.user_a, assistant_a, NULL), 37);
	events ev = {0};
	ck_assert_int_eq(send(w.user_a, deleted_session, "zebra", &ev, NULL), OYL_ENOTFOUND);
	ck_assert_str_eq(ev.kinds, "STTTX");
	int64_t counts[64];
	t_counts(t_backend_of(db), counts);
	size_t n = 0;
	const oyl_table *const *tables = oyl_schema_tables(&n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(tables[i]->name, "messages") == 0 ||
		    strcmp(tables[i]->name, "message_citations") == 0 ||
		    strcmp(tables[i]->name, "chat_sessions") == 0)
			ck_assert_int_eq(counts[i], 0);
}
END_TEST

/* A teammate with three assistants (A1 is the fixture's), each with its own knowledge. */
static void three_assistants(char ids[3][37])
{
	memcpy(ids[0], assistant_a, 37);
	for (int i = 1; i < 3; i++) {
		oyl_assistant *a = NULL;
		char name[8];
		snprintf(name, sizeof name, "A%d", i + 1);
		ck_assert_int_eq(oyl_assistant_create(w.admin_a, teammate_a, name, &a), OYL_OK);
		memcpy(ids[i], oyl_assistant_id(a), 37);
		oyl_assistant_free(a);
	}
}

static void set_config(const char *strategy, char ids[3][37], int n, const char *fallback)
{
	char cfg[512];
	int o = snprintf(cfg, sizeof cfg, "{\"strategy\":\"%s\",\"assistants\":[", strategy);
	for (int i = 0; i < n; i++)
		o += snprintf(cfg + o, sizeof cfg - (size_t)o, "%s\"%s\"", i ? "," : "", ids[i]);
	o += snprintf(cfg + o, sizeof cfg - (size_t)o, "]");
	if (fallback)
		o += snprintf(cfg + o, sizeof cfg - (size_t)o, ",\"fallback_assistant\":\"%s\"",
			      fallback);
	snprintf(cfg + o, sizeof cfg - (size_t)o, "}");
	ck_assert_msg(oyl_teammate_update(w.admin_a, teammate_a, NULL, cfg, NULL) == OYL_OK, "%s",
		      oyl_db_errmsg(db));
}

static void answered_by(const char *sid, const char *want)
{
	oyl_chat_reply *r = NULL;
	ck_assert_msg(send(w.user_a, sid, "zebra", NULL, &r) == OYL_OK, "%s", oyl_db_errmsg(db));
	ck_assert_str_eq(oyl_chat_reply_assistant_id(r), want);
	oyl_chat_reply_free(r);
}

START_TEST(a_teammate_routes_each_question)
{
	char ids[3][37];
	three_assistants(ids);
	char sid[37];
	memcpy(sid, new_session(w.user_a, teammate_a, NULL), 37);
	/* no config: the first assistant */
	answered_by(sid, ids[0]);
	/* round robin, in the config's order, kept in storage */
	char order[3][37];
	memcpy(order[0], ids[2], 37);
	memcpy(order[1], ids[0], 37);
	memcpy(order[2], ids[1], 37);
	set_config("round_robin", order, 3, NULL);
	for (int i = 0; i < 4; i++)
		answered_by(sid, order[i % 3]);
	oyl_teammate *t = NULL;
	ck_assert_int_eq(oyl_teammate_get(w.admin_a, teammate_a, &t), OYL_OK);
	ck_assert_int_eq(oyl_teammate_rr_position(t), 4);
	oyl_teammate_free(t);
	/* a deleted assistant is skipped: two remain, position 4 -> index 0 */
	ck_assert_int_eq(oyl_assistant_delete(w.admin_a, ids[2]), OYL_OK);
	answered_by(sid, order[1]);
	answered_by(sid, order[2]);
	/* fallback: A2's provider fails before any token, A1 answers */
	add_scripted("down", "never", OYL_EREMOTE);
	ck_assert_int_eq(oyl_assistant_set_provider(w.admin_a, ids[1], "down", NULL, NULL, NULL),
			 OYL_OK);
	char fb[3][37];
	memcpy(fb[0], ids[1], 37);
	memcpy(fb[1], ids[0], 37);
	set_config("fallback", fb, 2, ids[0]);
	events ev = {0};
	oyl_chat_reply *r = NULL;
	ck_assert_int_eq(send(w.user_a, sid, "zebra", &ev, &r), OYL_OK);
	ck_assert_str_eq(oyl_chat_reply_assistant_id(r), ids[0]);
	ck_assert_str_eq(ev.kinds[0] == 'S' && ev.kinds[1] == 'S' ? "SS" : ev.kinds, "SS");
	oyl_chat_reply_free(r);
	/* every listed assistant deleted: a clear status */
	ck_assert_int_eq(oyl_assistant_delete(w.admin_a, ids[1]), OYL_OK);
	ck_assert_int_eq(oyl_assistant_delete(w.admin_a, ids[0]), OYL_OK);
	ck_assert_int_eq(send(w.user_a, sid, "zebra", NULL, NULL), OYL_EINVAL);
	ck_assert_ptr_nonnull(strstr(oyl_db_errmsg(db), "no assistant"));
}
END_TEST

START_TEST(feedback_is_the_owner_s_and_counted_for_admins)
{
	char sid[37];
	memcpy(sid, new_session(w.user_a, assistant_a, NULL), 37);
	oyl_chat_reply *r = NULL;
	ck_assert_int_eq(send(w.user_a, sid, "zebra", NULL, &r), OYL_OK);
	const char *answer = oyl_chat_reply_message_id(r);
	ck_assert_int_eq(oyl_chat_feedback(w.user_a, answer, 1, NULL), OYL_OK);
	ck_assert_int_eq(oyl_chat_feedback(w.user_a, answer, -1, "too short"),
			 OYL_OK); /* replaces */
	ck_assert_int_eq(oyl_chat_feedback(w.user_a, answer, 2, NULL), OYL_EINVAL);
	ck_assert_int_eq(oyl_chat_feedback(w.user_a, oyl_chat_reply_question_id(r), 1, NULL),
			 OYL_EINVAL);
	ck_assert_int_eq(oyl_chat_feedback(w.admin_a, answer, 1, NULL), OYL_ENOTFOUND);
	ck_assert_int_eq(oyl_chat_feedback(w.admin_b, answer, 1, NULL), OYL_ENOTFOUND);
	char *json = NULL;
	ck_assert_int_eq(oyl_chat_feedback_counts(w.admin_a, w.tenant_a, &json), OYL_OK);
	char want[256];
	snprintf(want, sizeof want, "[{\"assistant_id\":\"%s\",\"up\":0,\"down\":1}]", assistant_a);
	ck_assert_str_eq(json, want);
	ck_assert_ptr_null(strstr(json, "too short"));
	oyl_free(json);
	ck_assert_int_eq(oyl_chat_feedback_counts(w.root, w.tenant_a, &json), OYL_OK);
	oyl_free(json);
	ck_assert_int_eq(oyl_chat_feedback_counts(w.user_a, w.tenant_a, &json), OYL_EPERM);
	ck_assert_int_eq(oyl_chat_feedback_counts(w.admin_b, w.tenant_a, &json), OYL_ENOTFOUND);
	oyl_chat_reply_free(r);
}
END_TEST

START_TEST(bad_input_is_refused_and_stores_nothing)
{
	char sid[37];
	memcpy(sid, new_session(w.user_a, assistant_a, NULL), 37);
	char *big = malloc(OYL_CHAT_TEXT_MAX + 2);
	memset(big, 'a', OYL_CHAT_TEXT_MAX + 1);
	big[OYL_CHAT_TEXT_MAX + 1] = '\0';
	ck_assert_int_eq(send(w.user_a, sid, big, NULL, NULL), OYL_EINVAL);
	free(big);
	ck_assert_int_eq(send(w.user_a, sid, "bad \xff utf-8", NULL, NULL), OYL_EINVAL);
	ck_assert_int_eq(send(w.user_a, sid, "", NULL, NULL), OYL_EINVAL);
	ck_assert_int_eq(send(w.user_a, "not-an-id", "zebra", NULL, NULL), OYL_EINVAL);
	oyl_chat_options o = OYL_CHAT_OPTIONS_INIT;
	o.passages = 21;
	ck_assert_int_eq(oyl_chat_send(w.user_a, sid, "zebra", &o, NULL), OYL_EINVAL);
	o.passages = 0;
	o.mode = 9;
	ck_assert_int_eq(oyl_chat_send(w.user_a, sid, "zebra", &o, NULL), OYL_EINVAL);
	ck_assert_uint_eq(count_messages(w.user_a, sid, NULL), 0);
	/* SQL metacharacters are text like any other */
	const char *meta = "zebra'; DROP TABLE messages; -- \\ % _";
	ck_assert_int_eq(send(w.user_a, sid, meta, NULL, NULL), OYL_OK);
	oyl_page *p = NULL;
	ck_assert_int_eq(oyl_chat_messages(w.user_a, sid, NULL, &p), OYL_OK);
	ck_assert_str_eq(oyl_message_content(oyl_page_message(p, 0)), meta);
	oyl_page_free(p);
	/* provider settings */
	ck_assert_int_eq(
		oyl_assistant_set_provider(w.admin_a, assistant_a, "nobody", NULL, NULL, NULL),
		OYL_EINVAL);
	ck_assert_int_eq(oyl_assistant_set_provider(w.admin_a, assistant_a, "extractive", NULL,
						    "{\"temperature\":3}", NULL),
			 OYL_EINVAL);
	ck_assert_int_eq(oyl_assistant_set_provider(w.admin_a, assistant_a, "extractive", NULL,
						    "{\"api_key\":\"sk-1\"}", NULL),
			 OYL_EINVAL);
	ck_assert_int_eq(oyl_assistant_set_provider(w.admin_a, assistant_a, "extractive", NULL,
						    "{not json", NULL),
			 OYL_EINVAL);
	ck_assert_int_eq(
		oyl_assistant_set_provider(w.user_a, assistant_a, "extractive", NULL, NULL, NULL),
		OYL_EPERM);
	oyl_assistant *a = NULL;
	ck_assert_int_eq(oyl_assistant_set_provider(w.admin_a, assistant_a, "extractive", "m",
						    "{\"max_tokens\":50}", &a),
			 OYL_OK);
	ck_assert_str_eq(oyl_assistant_provider(a), "extractive");
	ck_assert_str_eq(oyl_assistant_provider_model(a), "m");
	ck_assert_str_eq(oyl_assistant_provider_options(a), "{\"max_tokens\":50}");
	oyl_assistant_free(a);
}
END_TEST

/* Round robin from several processes at once (PostgreSQL): each question
 * takes its own position, and the assistants answer in equal shares. */
START_TEST(round_robin_is_atomic_across_processes)
{
	if (!t_is_postgres())
		return;
	char ids[3][37];
	three_assistants(ids);
	set_config("round_robin", ids, 3, NULL);
	enum { PROCS = 4, EACH = 6 };
	char sids[PROCS][37];
	for (int i = 0; i < PROCS; i++)
		memcpy(sids[i], new_session(w.user_a, teammate_a, NULL), 37);
	for (int i = 0; i < PROCS; i++) {
		pid_t pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			oyl_db *mine = NULL;
			int bad = oyl_db_open(&mine, uri, NULL) != OYL_OK;
			oyl_actor *me = NULL;
			bad = bad || oyl_actor_for_user(mine, oyl_actor_user_id(w.user_a), &me);
			for (int k = 0; k < EACH && !bad; k++)
				bad = oyl_chat_send(me, sids[i], "zebra", NULL, NULL) != OYL_OK;
			oyl_actor_free(me);
			oyl_db_close(mine);
			_exit(bad);
		}
	}
	for (int i = 0; i < PROCS; i++) {
		int status = 0;
		wait(&status);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	oyl_teammate *t = NULL;
	ck_assert_int_eq(oyl_teammate_get(w.admin_a, teammate_a, &t), OYL_OK);
	ck_assert_int_eq(oyl_teammate_rr_position(t), PROCS * EACH);
	oyl_teammate_free(t);
	int shares[3] = {0};
	for (int i = 0; i < PROCS; i++) {
		oyl_page *p = NULL;
		oyl_list_options o = OYL_LIST_OPTIONS_INIT;
		o.limit = 100;
		ck_assert_int_eq(oyl_chat_messages(w.user_a, sids[i], &o, &p), OYL_OK);
		for (size_t k = 0; k < oyl_page_count(p); k++) {
			const char *a = oyl_message_assistant_id(oyl_page_message(p, k));
			for (int j = 0; a && j < 3; j++)
				shares[j] += strcmp(a, ids[j]) == 0;
		}
		oyl_page_free(p);
	}
	for (int j = 0; j < 3; j++)
		ck_assert_int_eq(shares[j], PROCS * EACH / 3);
}
END_TEST

int main(int argc, char **argv)
{
	t_init(argc, argv);
	Suite *s = suite_create(t_backend());
	TCase *tc = tcase_create("chat");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, sessions_are_their_owner_s_alone);
	tcase_add_test(tc, an_answer_is_streamed_cited_and_stored);
	tcase_add_test(tc, the_prompt_is_assembled_as_documented);
	tcase_add_test(tc, markers_are_mapped_and_unknown_ones_removed);
	tcase_add_test(tc, citations_outlive_their_document);
	tcase_add_test(tc, a_failure_or_a_cancel_keeps_the_question_only);
	tcase_add_test(tc, a_session_deleted_during_the_answer_stores_nothing);
	tcase_add_test(tc, a_teammate_routes_each_question);
	tcase_add_test(tc, feedback_is_the_owner_s_and_counted_for_admins);
	tcase_add_test(tc, bad_input_is_refused_and_stores_nothing);
	tcase_add_test(tc, round_robin_is_atomic_across_processes);
	suite_add_tcase(s, tc);
	return t_run(s);
}
