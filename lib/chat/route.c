/*
 * Who answers a session (chat.h, doc/prompting.md).
 *
 * A session of an assistant is answered by it.  A teammate's session is
 * routed by the teammate's orchestration config:
 *   - the candidates are the config's "assistants" that still exist, in
 *     the config's order (a deleted one is skipped); with no list, every
 *     assistant of the teammate, oldest first;
 *   - "first" (the default): the first candidate;
 *   - "round_robin": candidate rr_position mod count, and rr_position
 *     advances by one in the question's transaction, with the teammate's
 *     row locked, so concurrent questions get successive candidates;
 *   - "fallback": the first candidate that is not the fallback assistant;
 *   - under any strategy, a "fallback_assistant" that still exists answers
 *     when the chosen one's provider fails before any token.
 */
#include <cjson/cJSON.h>
#include <string.h>

#include "chat/chat.h"
#include "core/alloc.h"
#include "model/kind.h"

typedef struct assistants {
	oyl__record **rows;
	size_t n, cap;
} assistants;

static int collect_assistant(const oyl_value *vals, size_t n, void *payload)
{
	assistants *a = payload;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 8;
		oyl__record **grown = oyl__realloc(a->rows, cap * sizeof *grown);
		if (!grown)
			return OYL_ENOMEM;
		a->rows = grown;
		a->cap = cap;
	}
	int rc = oyl__record_copy(&oyl__t_assistants, vals, n, &a->rows[a->n]);
	if (rc == OYL_OK)
		a->n++;
	return rc;
}

static void assistants_free(assistants *a)
{
	for (size_t i = 0; i < a->n; i++)
		oyl__record_free(a->rows[i]);
	oyl__free(a->rows);
}

static oyl__record *find(const assistants *a, const char *id)
{
	for (size_t i = 0; id && i < a->n; i++)
		if (strcmp(oyl__record_text(a->rows[i], ASSISTANTS_id), id) == 0)
			return a->rows[i];
	return NULL;
}

/* The read of an assistant's instruction (it has at most one). */
typedef struct instruction_read {
	oyl_filter by_assistant;
	oyl_query q;
	oyl__record_sink sink; /* rec: the instruction, or NULL */
} instruction_read;

static void add_instruction_read(oyl__batch *bt, const char *scope, const char *assistant_id,
				 instruction_read *ir)
{
	ir->by_assistant = oyl__eq(INSTRUCTIONS_assistant_id, OYL_TYPE_UUID, assistant_id);
	ir->q = (oyl_query){&ir->by_assistant, 1, INSTRUCTIONS_created_at, 0, NULL, NULL, 1, 0};
	ir->sink = (oyl__record_sink){&oyl__t_instructions, NULL};
	oyl__batch_list(bt, scope, &oyl__t_instructions, &ir->q, oyl__record_cb, &ir->sink);
}

/* Keeps the instruction the read found (or none) for `who`. */
static int keep_instruction(oyl_db *db, oyl__responder *who, instruction_read *ir)
{
	const char *text = oyl__record_text(ir->sink.rec, INSTRUCTIONS_system_prompt);
	int rc = OYL_OK;
	if (text && !(who->instruction = oyl__strdup(text)))
		rc = oyl__fail(db, OYL_ENOMEM, "out of memory reading an instruction");
	oyl__record_free(ir->sink.rec);
	ir->sink.rec = NULL;
	return rc;
}

/* Reads the instructions of the responders, and the caller's reads for
 * the first one (one batch), and fills them. */
static int read_instructions(oyl_db *db, const char *scope, oyl__route *r, oyl__route_also also,
			     void *ctx)
{
	oyl__responder *who[2] = {&r->first, &r->second};
	instruction_read ir[2] = {{.sink = {&oyl__t_instructions, NULL}},
				  {.sink = {&oyl__t_instructions, NULL}}};
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	for (int i = 0; i < 2; i++)
		if (who[i]->assistant)
			add_instruction_read(&bt, scope,
					     oyl__record_text(who[i]->assistant, ASSISTANTS_id),
					     &ir[i]);
	if (also && r->first.assistant)
		also(&bt, oyl__record_text(r->first.assistant, ASSISTANTS_id), ctx);
	int rc = oyl__batch_run(&bt);
	for (int i = 0; i < 2; i++) {
		int kept = keep_instruction(db, who[i], &ir[i]);
		rc = rc ? rc : kept;
	}
	oyl__batch_free(&bt);
	return rc;
}

/* The candidates of a teammate's config; *strategy and *fallback_id from it. */
static size_t candidates(const cJSON *cfg, const assistants *all, oyl__record **out,
			 const char **strategy, const char **fallback_id)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(cfg, "strategy");
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(cfg, "assistants");
	const cJSON *fb = cJSON_GetObjectItemCaseSensitive(cfg, "fallback_assistant");
	*strategy = cJSON_IsString(s) ? s->valuestring : "first";
	*fallback_id = cJSON_IsString(fb) ? fb->valuestring : NULL;
	size_t n = 0;
	if (cJSON_GetArraySize(list) == 0) {
		for (size_t i = 0; i < all->n; i++)
			out[n++] = all->rows[i];
		return n;
	}
	const cJSON *item;
	cJSON_ArrayForEach(item, list)
	{
		char id[OYL_UUID_LEN + 1];
		oyl__record *a = cJSON_IsString(item) && oyl__uuid_norm(item->valuestring, id)
					 ? find(all, id)
					 : NULL;
		if (a && n < all->n)
			out[n++] = a; /* a deleted assistant is skipped */
	}
	return n;
}

/* Takes the row of `a` out of `all` (the route keeps it). */
static oyl__record *take(assistants *all, const oyl__record *a)
{
	for (size_t i = 0; i < all->n; i++)
		if (all->rows[i] == a) {
			all->rows[i] = all->rows[--all->n];
			return (oyl__record *)a;
		}
	return NULL;
}

static int advance_round_robin(oyl_db *db, const oyl__record *tm, int locked)
{
	int64_t pos = oyl__record_int(tm, TEAMMATES_rr_position);
	oyl_filter f[2] = {oyl__eq(TEAMMATES_id, OYL_TYPE_UUID, oyl__record_text(tm, TEAMMATES_id)),
			   {TEAMMATES_rr_position, OYL_OP_EQ, oyl__val_int(OYL_TYPE_INT, pos)}};
	oyl_assign set[1] = {{TEAMMATES_rr_position, oyl__val_int(OYL_TYPE_INT, pos + 1)}};
	oyl__note note = {"routing", NULL, NULL};
	int64_t changed = 0;
	int rc = oyl__write_update(db, oyl__record_text(tm, TEAMMATES_tenant_id), &oyl__t_teammates,
				   f, 2, set, 1, locked ? NULL : &changed, &note);
	if (rc == OYL_OK && !locked && changed != 1)
		rc = oyl__fail(db, OYL_EBUSY,
			       "another question moved the teammate's round robin; "
			       "ask again");
	return rc;
}

static int route_teammate(oyl_db *db, oyl_actor *actor, const char *teammate_id, oyl__route *r)
{
	const char *scope = oyl__actor_scope(actor);
	assistants all = {NULL, 0, 0};
	oyl_filter by_teammate = oyl__eq(ASSISTANTS_teammate_id, OYL_TYPE_UUID, teammate_id);
	oyl_query q = {&by_teammate, 1, ASSISTANTS_created_at, 0, NULL, NULL, 0, 0};
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	int tm = oyl__batch_get(&bt, scope, &oyl__t_teammates, teammate_id, OYL__LOCK_ROW);
	oyl__batch_list(&bt, scope, &oyl__t_assistants, &q, collect_assistant, &all);
	int rc = oyl__batch_run(&bt);
	const oyl__record *row = oyl__batch_row(&bt, tm);
	if (rc == OYL_OK && !row)
		rc = oyl__fail(db, OYL_ENOTFOUND, "the session's teammate %s was deleted",
			       teammate_id);
	cJSON *cfg = NULL;
	if (rc == OYL_OK &&
	    !(cfg = cJSON_Parse(oyl__record_text(row, TEAMMATES_orchestration_config))))
		rc = oyl__fail(db, OYL_ENOMEM, "out of memory reading the teammate's config");
	oyl__record **cand = NULL;
	if (rc == OYL_OK && !(cand = oyl__calloc(all.n + 1, sizeof *cand)))
		rc = oyl__fail(db, OYL_ENOMEM, "out of memory routing");
	if (rc == OYL_OK) {
		const char *strategy, *fallback_id;
		char fb[OYL_UUID_LEN + 1];
		size_t n = candidates(cfg, &all, cand, &strategy, &fallback_id);
		oyl__record *fallback =
			fallback_id && oyl__uuid_norm(fallback_id, fb) ? find(&all, fb) : NULL;
		oyl__record *chosen = NULL;
		if (n == 0)
			rc = oyl__fail(
				db, OYL_EINVAL,
				"teammate %s: no assistant of its orchestration config exists "
				"(%zu of the teammate's)",
				teammate_id, all.n);
		else if (strcmp(strategy, "round_robin") == 0) {
			chosen = cand[oyl__record_int(row, TEAMMATES_rr_position) % (int64_t)n];
			rc = advance_round_robin(db, row, oyl__batch_locked(&bt, tm));
		} else if (strcmp(strategy, "fallback") == 0) {
			for (size_t i = 0; i < n && !chosen; i++)
				if (cand[i] != fallback)
					chosen = cand[i];
			if (!chosen)
				chosen = fallback;
		} else {
			chosen = cand[0];
		}
		if (rc == OYL_OK) {
			r->first.assistant = take(&all, chosen);
			if (fallback && fallback != chosen)
				r->second.assistant = take(&all, fallback);
		}
	}
	cJSON_Delete(cfg);
	oyl__free(cand);
	assistants_free(&all);
	oyl__batch_free(&bt);
	return rc;
}

/* A session of one assistant: the assistant and its instruction, and the
 * caller's reads for it, one batch. */
static int route_assistant(oyl_db *db, oyl_actor *actor, const char *aid, oyl__route *r,
			   oyl__route_also also, void *ctx)
{
	const char *scope = oyl__actor_scope(actor);
	instruction_read ir;
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	int a = oyl__batch_get(&bt, scope, &oyl__t_assistants, aid, OYL__LOCK_NONE);
	add_instruction_read(&bt, scope, aid, &ir);
	if (also)
		also(&bt, aid, ctx);
	int rc = oyl__batch_run(&bt);
	if (rc == OYL_OK && !(r->first.assistant = oyl__batch_take(&bt, a)))
		rc = oyl__fail(db, OYL_ENOTFOUND, "the session's assistant %s was deleted", aid);
	int kept = keep_instruction(db, &r->first, &ir);
	oyl__batch_free(&bt);
	return rc ? rc : kept;
}

int oyl__route_pick(oyl_db *db, oyl_actor *actor, const oyl__record *session, oyl__route *r,
		    oyl__route_also also, void *ctx)
{
	memset(r, 0, sizeof *r);
	const char *aid = oyl__record_text(session, CHAT_SESSIONS_assistant_id);
	if (aid)
		return route_assistant(db, actor, aid, r, also, ctx);
	int rc = route_teammate(db, actor, oyl__record_text(session, CHAT_SESSIONS_teammate_id), r);
	return rc ? rc : read_instructions(db, oyl__actor_scope(actor), r, also, ctx);
}

static void responder_free(oyl__responder *w)
{
	oyl__record_free(w->assistant);
	oyl__free(w->instruction);
	w->assistant = NULL;
	w->instruction = NULL;
}

void oyl__route_free(oyl__route *r)
{
	responder_free(&r->first);
	responder_free(&r->second);
}
