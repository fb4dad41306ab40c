/*
 * oyl_chat_send: one question and its answer, following the long-call
 * rule (doc/conventions.md):
 *
 *   1. one write transaction: the session read (locked) and checked as
 *      the actor's, its recent history read, the responder picked
 *      (route.c), the question stored and the session's title set from
 *      its first question, its passages read (a lexical search: quick;
 *      its last read commits the transaction, in the same round trip on
 *      PostgreSQL, so that a failure past that point leaves the question
 *      stored, as a provider's does);
 *   2. no transaction: the passages of a vector or hybrid search (its
 *      question embedded) or of the fallback assistant retrieved with
 *      oyl_kb_search, the prompt built, the provider called, every piece
 *      streamed to the host;
 *   3. one write transaction, writes only: the answer with its citations
 *      and usage, and the session's time; the answer's foreign key to the
 *      session refuses it when the session was deleted meanwhile (then
 *      nothing is stored).
 *
 * A failure in 2 leaves the question stored and no answer, so the session
 * goes on; the fallback assistant, if any, is tried when the provider
 * failed before its first token.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "chat/chat.h"
#include "chat/cite.h"
#include "chat/prompt.h"
#include "chat/provider.h"
#include "chat/reply.h"
#include "core/alloc.h"
#include "core/validate.h"
#include "model/kind.h"
#include "search/search.h"

/* What the question's transaction hands to the rest of the call. */
typedef struct turn {
	char session[OYL_UUID_LEN + 1];
	char question_id[OYL_UUID_LEN + 1];
	int64_t asked_at;
	oyl__route route;
	oyl_prompt_turn *history; /* oldest first; strings owned */
	size_t nhistory;
} turn;

/* The answer being received from a provider. */
typedef struct answer {
	const oyl_chat_options *o;
	char *text;
	size_t len, cap;
	size_t pieces;
	int cancelled, oom;
} answer;

static int emit(const oyl_chat_options *o, int type, const char *message_id,
		const char *assistant_id, const char *text, size_t n, int status)
{
	if (!o->on_event)
		return 0;
	oyl_chat_event ev = {sizeof ev, type, message_id, assistant_id, text, n, status};
	return o->on_event(&ev, o->ctx);
}

static int on_delta(const char *text, size_t n, void *ctx)
{
	answer *a = ctx;
	if (a->len + n + 1 > a->cap) {
		size_t cap = (a->len + n + 1) * 2;
		char *grown = oyl__realloc(a->text, cap);
		if (!grown) {
			a->oom = 1;
			return 1;
		}
		a->text = grown;
		a->cap = cap;
	}
	memcpy(a->text + a->len, text, n);
	a->len += n;
	a->text[a->len] = '\0';
	a->pieces++;
	if (emit(a->o, OYL_CHAT_TOKEN, NULL, NULL, text, n, 0)) {
		a->cancelled = 1;
		return 1;
	}
	return 0;
}

/* ---- 1: the question ------------------------------------------------ */

static int collect_history(const oyl_value *vals, size_t n, void *payload)
{
	turn *t = payload;
	(void)n;
	if (t->nhistory == OYL__CHAT_HISTORY_MAX)
		return OYL_OK;
	oyl_prompt_turn *h = &t->history[t->nhistory];
	h->role = strcmp(vals[MESSAGES_role].s, "user") == 0 ? "user" : "assistant";
	if (!(h->content = oyl__strdup(vals[MESSAGES_content].s)))
		return OYL_ENOMEM;
	t->nhistory++;
	if (t->asked_at <= vals[MESSAGES_created_at].i)
		/* after the last one, whatever the clock says */
		t->asked_at = vals[MESSAGES_created_at].i + 1;
	return OYL_OK;
}

/* The first OYL_CHAT_TITLE_AUTO_CHARS characters of the question on one
 * line, cut after a whole word when it is longer. */
static void auto_title(const char *q, char *out, size_t size)
{
	size_t o = 0, chars = 0, last_space = 0;
	int space = 0;
	for (const char *p = q; *p && o + 4 < size; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			space = o > 0;
			continue;
		}
		if ((c & 0xC0) != 0x80) { /* a character starts */
			if (chars + space + 1 > OYL_CHAT_TITLE_AUTO_CHARS) {
				/* after the last whole word */
				o = space || !last_space ? o : last_space;
				memcpy(out + o, "...", 4);
				return;
			}
			if (space) {
				last_space = o;
				out[o++] = ' ';
				chars++;
				space = 0;
			}
			chars++;
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
}

/* A lexical search's knowledge bases read with the responder's
 * instruction (route.c), which reads the assistant: one round trip less. */
typedef struct prefetch {
	oyl_actor *actor;
	oyl__search_target *target;
} prefetch;

static void queue_search_target(oyl__batch *bt, const char *assistant_id, void *ctx)
{
	prefetch *p = ctx;
	p->target = oyl__search_target_queue(bt, p->actor, assistant_id); /* NULL: read later */
}

static int store_question(oyl_db *db, oyl_actor *actor, const char *text, const oyl_chat_options *o,
			  turn *t, oyl__reply *r)
{
	int rc = oyl__actor_begin(db, actor, OYL_TXN_WRITE);
	if (rc)
		return rc;
	const char *scope = oyl__actor_scope(actor);
	oyl_filter of_session = oyl__eq(MESSAGES_session_id, OYL_TYPE_UUID, t->session);
	oyl_query recent = {&of_session, 1,    MESSAGES_created_at,   1,
			    NULL,        NULL, OYL__CHAT_HISTORY_MAX, 0}; /* newest first */
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	int s = oyl__batch_get(&bt, scope, &oyl__t_chat_sessions, t->session, OYL__LOCK_ROW);
	oyl__batch_list(&bt, scope, &oyl__t_messages, &recent, collect_history, t);
	rc = oyl__batch_run(&bt);
	const oyl__record *session = oyl__batch_row(&bt, s);
	if (rc == OYL_OK)
		rc = oyl__visible(db, actor, &oyl__kind_chat_session, session, t->session);
	if (rc == OYL_OK)
		rc = oyl__authorize(db, actor, OYL__CHAT_OWN);
	/* a lexical search is quick: it reads the passages in this transaction,
	 * saving one of its own (vector search embeds the question: later) */
	int lexical = o->mode == OYL_SEARCH_LEXICAL;
	prefetch pre = {actor, NULL};
	if (rc == OYL_OK)
		rc = oyl__route_pick(db, actor, session, &t->route,
				     lexical ? queue_search_target : NULL, &pre);
	if (rc == OYL_OK) {
		int64_t now = oyl__now();
		if (t->asked_at < now)
			t->asked_at = now;
		oyl__uuid_new(t->question_id);
		oyl_value v[MESSAGES__N];
		v[MESSAGES_id] = oyl__val_text(OYL_TYPE_UUID, t->question_id);
		v[MESSAGES_tenant_id] = oyl__val_text(OYL_TYPE_UUID, actor->tenant_id);
		v[MESSAGES_session_id] = oyl__val_text(OYL_TYPE_UUID, t->session);
		v[MESSAGES_role] = oyl__val_text(OYL_TYPE_TEXT, "user");
		v[MESSAGES_content] = oyl__val_text(OYL_TYPE_TEXT, text);
		v[MESSAGES_assistant_id] = oyl__val_null();
		v[MESSAGES_usage] = oyl__val_null();
		v[MESSAGES_created_at] = oyl__val_int(OYL_TYPE_TIME, t->asked_at);
		rc = oyl__insert(db, actor->tenant_id, &oyl__kind_message, v);
	}
	if (rc == OYL_OK) {
		/* the session's time, and its title from its first question */
		char title[OYL_CHAT_TITLE_AUTO_CHARS * 4 + 8];
		const char *old = oyl__record_text(session, CHAT_SESSIONS_title);
		oyl_assign set[2];
		size_t nset = 0;
		set[nset++] = (oyl_assign){CHAT_SESSIONS_updated_at,
					   oyl__val_int(OYL_TYPE_TIME, t->asked_at)};
		if (!old || !old[0]) {
			auto_title(text, title, sizeof title);
			set[nset++] = (oyl_assign){CHAT_SESSIONS_title,
						   oyl__val_text(OYL_TYPE_TEXT, title)};
		}
		oyl_filter f = oyl__eq(CHAT_SESSIONS_id, OYL_TYPE_UUID, t->session);
		oyl__note note = {"storing the question", NULL, NULL};
		rc = oyl__write_update(db, actor->tenant_id, &oyl__t_chat_sessions, &f, 1, set,
				       nset, NULL, &note);
	}
	/* the question first (deferred where the backend defers writes), then
	 * the search, whose last read commits it all in one round trip */
	if (rc == OYL_OK && lexical) {
		oyl_search_options so = OYL_SEARCH_OPTIONS_INIT;
		so.limit = o->passages;
		rc = oyl__search_lexical_in_txn(db, actor, t->route.first.assistant, text, &so,
						pre.target, 1, &r->search);
	}
	oyl__search_target_free(pre.target);
	oyl__batch_free(&bt);
	/* history came newest first */
	for (size_t i = 0; i < t->nhistory / 2; i++) {
		oyl_prompt_turn x = t->history[i];
		t->history[i] = t->history[t->nhistory - 1 - i];
		t->history[t->nhistory - 1 - i] = x;
	}
	return oyl__txn_end(db, rc);
}

/* ---- 2: retrieval and the provider ---------------------------------- */

/* The passages of the search, numbered from 1. */
static int passages_of(const oyl_search_results *res, oyl_prompt_passage **out, size_t *n)
{
	*n = oyl_search_count(res);
	*out = oyl__calloc(*n + 1, sizeof **out);
	if (!*out)
		return OYL_ENOMEM;
	for (size_t i = 0; i < *n; i++)
		(*out)[i] = (oyl_prompt_passage){(int32_t)(i + 1), oyl_search_document_name(res, i),
						 oyl_search_text(res, i, NULL),
						 oyl_search_score(res, i), oyl_search_page(res, i)};
	return OYL_OK;
}

/* One responder's attempt: search (unless read with the question),
 * prompt, provider; a->pieces tells whether a token reached the host (no
 * fallback after that). */
static int attempt(oyl_db *db, oyl_actor *actor, const char *text, const oyl_chat_options *o,
		   turn *t, const oyl__responder *who, oyl__reply *r, answer *a)
{
	const oyl__record *as = who->assistant;
	const char *aid = oyl__record_text(as, ASSISTANTS_id);
	const char *pname = oyl__record_text(as, ASSISTANTS_provider);
	if (!pname)
		pname = OYL__DEFAULT_PROVIDER;
	const char *model = oyl__record_text(as, ASSISTANTS_provider_model);
	oyl_provider *p = oyl__provider_find(db, pname);
	if (!p)
		return oyl_db_errcode(db);
	int rc = OYL_OK;
	if (!r->search) { /* not read with the question */
		oyl_search_options so = OYL_SEARCH_OPTIONS_INIT;
		so.limit = o->passages;
		so.mode = o->mode;
		if ((rc = oyl_kb_search(actor, aid, text, &so, &r->search)))
			return rc;
	}
	oyl_prompt_passage *ps = NULL;
	size_t np = 0;
	oyl__prompt pr;
	if ((rc = passages_of(r->search, &ps, &np)) ||
	    (rc = oyl__prompt_build(p, model, who->instruction, ps, np, t->history, t->nhistory,
				    text, o->history_tokens, &pr))) {
		oyl__free(ps);
		return oyl__fail(db, OYL_ENOMEM, "out of memory building the prompt");
	}
	snprintf(r->assistant_id, sizeof r->assistant_id, "%s", aid);
	if (emit(o, OYL_CHAT_START, r->message_id, aid, NULL, 0, 0)) {
		a->cancelled = 1;
		rc = OYL_ECANCELED;
	} else {
		const char *options = oyl__record_text(as, ASSISTANTS_provider_options);
		oyl_provider_request req = {sizeof req, model, options, pr.turns,
					    pr.nturns,  ps,    np,      text};
		oyl_provider_usage usage = {-1, -1};
		rc = p->complete(p, &req, on_delta, a, &usage);
		r->prompt_tokens = usage.prompt_tokens >= 0 ? usage.prompt_tokens : pr.tokens;
		r->estimated = usage.prompt_tokens < 0 && pr.estimated;
		if (usage.completion_tokens >= 0) {
			r->completion_tokens = usage.completion_tokens;
		} else {
			int est = 0;
			r->completion_tokens =
				oyl__tokens_of(p, model, a->text ? a->text : "", a->len, &est);
			r->estimated |= est;
		}
		if (a->oom)
			rc = oyl__fail(db, OYL_ENOMEM, "out of memory receiving the answer");
		else if (a->cancelled)
			rc = oyl__fail(db, OYL_ECANCELED, "the host cancelled the answer");
		else if (rc != OYL_OK)
			rc = oyl__fail(db, rc, "provider \"%s\" failed: %s", pname, p->errmsg(p));
		snprintf(r->provider, sizeof r->provider, "%s", pname);
		snprintf(r->model, sizeof r->model, "%s", model ? model : "");
	}
	oyl__prompt_free(&pr);
	oyl__free(ps);
	return rc;
}

/* ---- 3: the answer -------------------------------------------------- */

/* The answer's usage, a JSON object (new, oyl__free), or NULL when out of memory. */
static char *usage_json(const oyl__reply *r)
{
	cJSON *u = cJSON_CreateObject();
	int ok = u && cJSON_AddNumberToObject(u, "prompt_tokens", (double)r->prompt_tokens) &&
		 cJSON_AddNumberToObject(u, "completion_tokens", (double)r->completion_tokens) &&
		 cJSON_AddBoolToObject(u, "estimated", r->estimated) &&
		 cJSON_AddStringToObject(u, "provider", r->provider) &&
		 (r->model[0] ? cJSON_AddStringToObject(u, "model", r->model) != NULL
			      : cJSON_AddNullToObject(u, "model") != NULL) &&
		 cJSON_AddNumberToObject(u, "unknown_markers", (double)r->cites.unknown);
	char *printed = ok ? cJSON_PrintUnformatted(u) : NULL;
	char *text = printed ? oyl__strdup(printed) : NULL;
	cJSON_free(printed);
	cJSON_Delete(u);
	return text;
}

static int store_answer(oyl_db *db, oyl_actor *actor, turn *t, oyl__reply *r)
{
	/*
	 * Writes only, sent together with the commit: the question's
	 * transaction checked the actor and the session, and the answer's
	 * foreign key to the session refuses it if the session (or its owner,
	 * whose sessions go with them) was deleted since.
	 */
	char *usage = usage_json(r);
	if (!usage)
		return oyl__fail(db, OYL_ENOMEM, "out of memory storing the answer");
	int rc = oyl__actor_begin(db, actor, OYL_TXN_WRITE);
	if (rc) {
		oyl__free(usage);
		return rc;
	}
	const char *tenant = actor->tenant_id;
	int64_t at = oyl__now();
	if (at <= t->asked_at)
		at = t->asked_at + 1;
	oyl_value v[MESSAGES__N];
	v[MESSAGES_id] = oyl__val_text(OYL_TYPE_UUID, r->message_id);
	v[MESSAGES_tenant_id] = oyl__val_text(OYL_TYPE_UUID, tenant);
	v[MESSAGES_session_id] = oyl__val_text(OYL_TYPE_UUID, t->session);
	v[MESSAGES_role] = oyl__val_text(OYL_TYPE_TEXT, "assistant");
	v[MESSAGES_content] = oyl__val_text(OYL_TYPE_TEXT, r->cites.content);
	v[MESSAGES_assistant_id] = oyl__val_text(OYL_TYPE_UUID, r->assistant_id);
	v[MESSAGES_usage] = oyl__val_text(OYL_TYPE_JSON, usage);
	v[MESSAGES_created_at] = oyl__val_int(OYL_TYPE_TIME, at);
	rc = oyl__insert(db, tenant, &oyl__kind_message, v);
	if (rc == OYL_OK)
		rc = oyl__reply_citations(db, r, tenant, at);
	if (rc == OYL_OK && r->ncitations) {
		oyl__note note = {"storing the citations", NULL, NULL};
		rc = oyl__write_insert_many(db, tenant, &oyl__t_message_citations,
					    r->citation_rows[0], r->ncitations, &note);
	}
	if (rc == OYL_OK) {
		oyl_filter f = oyl__eq(CHAT_SESSIONS_id, OYL_TYPE_UUID, t->session);
		oyl_assign set[1] = {{CHAT_SESSIONS_updated_at, oyl__val_int(OYL_TYPE_TIME, at)}};
		oyl__note note = {"storing the answer", NULL, NULL};
		rc = oyl__write_update(db, tenant, &oyl__t_chat_sessions, &f, 1, set, 1, NULL,
				       &note);
	}
	rc = oyl__txn_end(db, rc);
	oyl__free(usage);
	if (rc == OYL_EREFERENCE)
		rc = oyl__fail(db, OYL_ENOTFOUND,
			       "chat session %s not found: it was deleted while "
			       "its answer was made",
			       t->session);
	return rc;
}

/* ---- the call ------------------------------------------------------- */

static int check_options(oyl_db *db, const oyl_chat_options *in, oyl_chat_options *o)
{
	oyl_chat_options d = OYL_CHAT_OPTIONS_INIT;
	*o = d;
	if (in) {
		if (in->size < sizeof(uint32_t))
			return oyl__fail(db, OYL_EINVAL,
					 "opts: size not set (use OYL_CHAT_OPTIONS_INIT)");
		memcpy(o, in, in->size < sizeof *o ? in->size : sizeof *o);
		o->size = sizeof *o;
	}
	if (o->passages < 0 || o->passages > OYL_CHAT_PASSAGES_MAX)
		return oyl__fail(db, OYL_EINVAL, "opts.passages: must be 1 to %d (0: %d)",
				 OYL_CHAT_PASSAGES_MAX, OYL_CHAT_PASSAGES_DEFAULT);
	if (o->history_tokens < -1)
		return oyl__fail(db, OYL_EINVAL,
				 "opts.history_tokens: must be -1 (none), 0 (%d) or "
				 "more",
				 OYL_CHAT_HISTORY_TOKENS_DEFAULT);
	if (o->mode < OYL_SEARCH_LEXICAL || o->mode > OYL_SEARCH_HYBRID)
		return oyl__fail(db, OYL_EINVAL, "opts.mode: unknown search mode %d", (int)o->mode);
	if (!o->passages)
		o->passages = OYL_CHAT_PASSAGES_DEFAULT;
	if (!o->history_tokens)
		o->history_tokens = OYL_CHAT_HISTORY_TOKENS_DEFAULT;
	return OYL_OK;
}

static void turn_free(turn *t)
{
	for (size_t i = 0; i < t->nhistory; i++)
		oyl__free((char *)t->history[i].content);
	oyl__free(t->history);
	oyl__route_free(&t->route);
}

OYL_API int oyl_chat_send(oyl_actor *actor, const char *session_id, const char *text,
			  const oyl_chat_options *opts, oyl_chat_reply **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	turn t;
	memset(&t, 0, sizeof t);
	oyl_chat_options o;
	if (!db || (rc = oyl__check_id(db, "session_id", session_id, t.session)) ||
	    (rc = oyl__check_text(db, "text", text, 1, OYL_CHAT_TEXT_MAX, 1)) ||
	    (rc = check_options(db, opts, &o)))
		return rc;
	oyl__reply *r = oyl__reply_new();
	t.history = oyl__calloc(OYL__CHAT_HISTORY_MAX, sizeof *t.history);
	if (!r || !t.history) {
		oyl__reply_free(r);
		oyl__free(t.history);
		return oyl__fail(db, OYL_ENOMEM, "out of memory sending a message");
	}
	rc = store_question(db, actor, text, &o, &t, r);
	int asked = rc == OYL_OK; /* from here on, a failure is an ERROR event */
	if (asked)
		snprintf(r->question_id, sizeof r->question_id, "%s", t.question_id);
	const oyl__responder *who = &t.route.first;
	answer a = {&o, NULL, 0, 0, 0, 0, 0};
	while (rc == OYL_OK) {
		oyl__uuid_new(r->message_id);
		rc = attempt(db, actor, text, &o, &t, who, r, &a);
		/* the fallback answers when nothing reached the host yet */
		if (rc == OYL_OK || a.pieces || a.cancelled || rc == OYL_ENOMEM ||
		    who == &t.route.second || !t.route.second.assistant)
			break;
		oyl__reply_reset_search(r);
		who = &t.route.second;
		rc = OYL_OK;
	}
	if (rc == OYL_OK &&
	    oyl__cite_scan(a.text ? a.text : "", a.len, oyl_search_count(r->search), &r->cites))
		rc = oyl__fail(db, OYL_ENOMEM, "out of memory reading the answer's citations");
	if (rc == OYL_OK)
		rc = store_answer(db, actor, &t, r);
	if (rc == OYL_OK) {
		emit(&o, OYL_CHAT_END, r->message_id, r->assistant_id, NULL, 0, 0);
	} else if (asked) {
		const char *msg = oyl_db_errmsg(db);
		emit(&o, OYL_CHAT_ERROR, r->message_id[0] ? r->message_id : NULL,
		     r->assistant_id[0] ? r->assistant_id : NULL, msg, strlen(msg), rc);
	}
	oyl__free(a.text);
	turn_free(&t);
	if (rc != OYL_OK || !out) {
		oyl__reply_free(r);
		return rc;
	}
	oyl__reply_reset_search(r);
	*out = (oyl_chat_reply *)r;
	return oyl__ok(db);
}
