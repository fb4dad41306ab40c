/*
 * Chat sessions, their messages and their answers' citations: private to
 * the user who made the session (kind.h, owner_col).  Another person's
 * session reads as missing, whatever the reader's role, and none of
 * these records is audited: a conversation's existence is its owner's
 * business only (doc/permissions.md).
 */
#include <string.h>

#include "chat/chat.h"
#include "core/validate.h"
#include "model/kind.h"

const oyl__kind oyl__kind_chat_session = {&oyl__t_chat_sessions,
					  "chat session",
					  "chat_session",
					  NULL,
					  CHAT_SESSIONS_tenant_id,
					  CHAT_SESSIONS_created_at,
					  CHAT_SESSIONS_updated_at,
					  OYL__CHAT_OWN,
					  OYL__CHAT_OWN,
					  NULL,
					  CHAT_SESSIONS_user_id};

const oyl__kind oyl__kind_message = {&oyl__t_messages,
				     "message",
				     "message",
				     &oyl__kind_chat_session,
				     MESSAGES_session_id,
				     MESSAGES_created_at,
				     -1,
				     OYL__CHAT_OWN,
				     OYL__CHAT_OWN,
				     NULL,
				     0};

const oyl__kind oyl__kind_citation = {&oyl__t_message_citations,
				      "citation",
				      "citation",
				      &oyl__kind_message,
				      MESSAGE_CITATIONS_message_id,
				      MESSAGE_CITATIONS_rank,
				      -1,
				      OYL__CHAT_OWN,
				      OYL__CHAT_OWN,
				      NULL,
				      0};

/* A session's target: an assistant or a teammate of the actor's tenant. */
static int find_target(oyl_db *db, const oyl_actor *actor, const oyl__batch *bt, int as, int tm,
		       const char *key, int *is_teammate)
{
	const oyl__record *a = oyl__batch_row(bt, as), *t = oyl__batch_row(bt, tm);
	if (a && oyl__visible(db, actor, &oyl__kind_assistant, a, key) == OYL_OK) {
		*is_teammate = 0;
		return OYL_OK;
	}
	if (t && oyl__visible(db, actor, &oyl__kind_teammate, t, key) == OYL_OK) {
		*is_teammate = 1;
		return OYL_OK;
	}
	return oyl__fail(db, OYL_ENOTFOUND, "assistant or teammate %s not found", key);
}

OYL_API int oyl_chat_session_create(oyl_actor *actor, const char *target_id, const char *title,
				    oyl_chat_session **out)
{
	int rc;
	char key[OYL_UUID_LEN + 1];
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db || (rc = oyl__check_id(db, "target_id", target_id, key)))
		return rc;
	if (title && (rc = oyl__check_name(db, "title", title)))
		return rc;
	if ((rc = oyl__actor_begin(db, actor, OYL_TXN_WRITE)))
		return rc;
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	const char *scope = oyl__actor_scope(actor);
	int as = oyl__batch_get(&bt, scope, &oyl__t_assistants, key, OYL__LOCK_NONE);
	int tm = oyl__batch_get(&bt, scope, &oyl__t_teammates, key, OYL__LOCK_NONE);
	rc = oyl__batch_run(&bt);
	if (rc == OYL_OK && !actor->tenant_id[0])
		rc = oyl__fail(db, OYL_EINVAL,
			       "a superadmin has no chat sessions: chats are a tenant user's");
	int is_teammate = 0;
	if (rc == OYL_OK)
		rc = find_target(db, actor, &bt, as, tm, key, &is_teammate);
	if (rc == OYL_OK)
		rc = oyl__authorize(db, actor, OYL__CHAT_OWN);
	char id[OYL_UUID_LEN + 1];
	oyl_value v[CHAT_SESSIONS__N];
	if (rc == OYL_OK) {
		int64_t now = oyl__now();
		oyl__uuid_new(id);
		v[CHAT_SESSIONS_id] = oyl__val_text(OYL_TYPE_UUID, id);
		v[CHAT_SESSIONS_tenant_id] = oyl__val_text(OYL_TYPE_UUID, actor->tenant_id);
		v[CHAT_SESSIONS_user_id] = oyl__val_text(OYL_TYPE_UUID, actor->id);
		v[CHAT_SESSIONS_assistant_id] =
			oyl__val_text(OYL_TYPE_UUID, is_teammate ? NULL : key);
		v[CHAT_SESSIONS_teammate_id] =
			oyl__val_text(OYL_TYPE_UUID, is_teammate ? key : NULL);
		v[CHAT_SESSIONS_title] = oyl__val_text(OYL_TYPE_TEXT, title ? title : "");
		v[CHAT_SESSIONS_created_at] = oyl__val_int(OYL_TYPE_TIME, now);
		v[CHAT_SESSIONS_updated_at] = oyl__val_int(OYL_TYPE_TIME, now);
		rc = oyl__insert(db, actor->tenant_id, &oyl__kind_chat_session, v);
	}
	oyl__batch_free(&bt);
	return oyl__finish_create(db, rc, &oyl__t_chat_sessions, v, out);
}

OYL_API int oyl_chat_session_get(oyl_actor *actor, const char *id, oyl_chat_session **out)
{
	return oyl__get_public(actor, &oyl__kind_chat_session, id, out);
}

OYL_API int oyl_chat_session_list(oyl_actor *actor, const oyl_list_options *opts, oyl_page **out)
{
	int rc;
	oyl_db *db = oyl__enter_out(actor, out, "list", &rc);
	if (!db)
		return rc;
	oyl__page_plan plan;
	/* the owner's id is known before the call (the tenant's column is
	 * added by the scope); a superadmin, who has no sessions, matches none */
	oyl_filter mine =
		oyl__eq(CHAT_SESSIONS_user_id, OYL_TYPE_UUID,
			actor->id[0] ? actor->id : "00000000-0000-0000-0000-000000000000");
	if ((rc = oyl__page_plan_make(db, &oyl__t_chat_sessions, CHAT_SESSIONS_created_at, &mine, 1,
				      opts, &plan)))
		return rc;
	plan.query.descending = 1; /* newest first */
	if ((rc = oyl__actor_begin(db, actor, OYL_TXN_READ))) {
		oyl__page_plan_drop(&plan);
		return rc;
	}
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	oyl__page_plan_reads(&plan, &bt, oyl__actor_scope(actor));
	rc = oyl__batch_run(&bt);
	if (rc == OYL_OK)
		rc = oyl__authorize(db, actor, OYL__CHAT_OWN);
	if (rc == OYL_OK)
		rc = oyl__page_plan_finish(db, &plan, &bt);
	oyl__batch_free(&bt);
	return oyl__finish_list(db, rc, &plan, out);
}

OYL_API int oyl_chat_session_rename(oyl_actor *actor, const char *id, const char *title,
				    oyl_chat_session **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db || (rc = oyl__check_name(db, "title", title)))
		return rc;
	oyl_assign set[2] = {{CHAT_SESSIONS_title, oyl__val_text(OYL_TYPE_TEXT, title)}};
	return oyl__update_public(actor, &oyl__kind_chat_session, id, set, 1, NULL, out);
}

OYL_API int oyl_chat_session_delete(oyl_actor *actor, const char *id)
{
	return oyl__delete_public(actor, &oyl__kind_chat_session, id);
}

OYL_API const oyl_chat_session *oyl_page_chat_session(const oyl_page *page, size_t i)
{
	return oyl__page_item(page, &oyl__t_chat_sessions, i);
}

OYL_API int oyl_chat_messages(oyl_actor *actor, const char *session_id,
			      const oyl_list_options *opts, oyl_page **out)
{
	return oyl__list_public(actor, &oyl__kind_message, session_id, opts, out);
}

OYL_API const oyl_message *oyl_page_message(const oyl_page *page, size_t i)
{
	return oyl__page_item(page, &oyl__t_messages, i);
}

int oyl__message_owned(oyl_db *db, oyl_actor *actor, const oyl__record *m, const char *key)
{
	int rc = oyl__visible(db, actor, &oyl__kind_message, m, key);
	if (rc)
		return rc;
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	int s = oyl__batch_get(&bt, oyl__actor_scope(actor), &oyl__t_chat_sessions,
			       oyl__record_text(m, MESSAGES_session_id), OYL__LOCK_NONE);
	rc = oyl__batch_run(&bt);
	if (rc == OYL_OK &&
	    oyl__visible(db, actor, &oyl__kind_chat_session, oyl__batch_row(&bt, s), key) != OYL_OK)
		rc = oyl__fail(db, OYL_ENOTFOUND, "message %s not found", key);
	oyl__batch_free(&bt);
	return rc ? rc : oyl__authorize(db, actor, OYL__CHAT_OWN);
}

/* A message's citations: the message and the citations in one batch, then
 * the message's session (its owner). */
OYL_API int oyl_chat_citations(oyl_actor *actor, const char *message_id, oyl_page **out)
{
	int rc;
	char key[OYL_UUID_LEN + 1];
	oyl_db *db = oyl__enter_out(actor, out, "list", &rc);
	if (!db || (rc = oyl__check_id(db, "message_id", message_id, key)))
		return rc;
	oyl_filter of_message = oyl__eq(MESSAGE_CITATIONS_message_id, OYL_TYPE_UUID, key);
	oyl_list_options all = OYL_LIST_OPTIONS_INIT;
	all.limit = OYL_LIST_MAX_LIMIT; /* an answer cites at most OYL_CHAT_PASSAGES_MAX */
	oyl__page_plan plan;
	if ((rc = oyl__page_plan_make(db, &oyl__t_message_citations, MESSAGE_CITATIONS_rank,
				      &of_message, 1, &all, &plan)))
		return rc;
	if ((rc = oyl__actor_begin(db, actor, OYL_TXN_READ))) {
		oyl__page_plan_drop(&plan);
		return rc;
	}
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	const char *scope = oyl__actor_scope(actor);
	int msg = oyl__batch_get(&bt, scope, &oyl__t_messages, key, OYL__LOCK_NONE);
	oyl__page_plan_reads(&plan, &bt, scope);
	rc = oyl__batch_run(&bt);
	if (rc == OYL_OK)
		rc = oyl__message_owned(db, actor, oyl__batch_row(&bt, msg), key);
	if (rc == OYL_OK)
		rc = oyl__page_plan_finish(db, &plan, &bt);
	oyl__batch_free(&bt);
	return oyl__finish_list(db, rc, &plan, out);
}

OYL_API const oyl_citation *oyl_page_citation(const oyl_page *page, size_t i)
{
	return oyl__page_item(page, &oyl__t_message_citations, i);
}

/* getters */
OYL__TEXT_GETTER(oyl_chat_session_id, oyl_chat_session, oyl__kind_chat_session, CHAT_SESSIONS_id)
OYL__TEXT_GETTER(oyl_chat_session_tenant_id, oyl_chat_session, oyl__kind_chat_session,
		 CHAT_SESSIONS_tenant_id)
OYL__TEXT_GETTER(oyl_chat_session_user_id, oyl_chat_session, oyl__kind_chat_session,
		 CHAT_SESSIONS_user_id)
OYL__TEXT_GETTER(oyl_chat_session_assistant_id, oyl_chat_session, oyl__kind_chat_session,
		 CHAT_SESSIONS_assistant_id)
OYL__TEXT_GETTER(oyl_chat_session_teammate_id, oyl_chat_session, oyl__kind_chat_session,
		 CHAT_SESSIONS_teammate_id)
OYL__TEXT_GETTER(oyl_chat_session_title, oyl_chat_session, oyl__kind_chat_session,
		 CHAT_SESSIONS_title)
OYL__INT_GETTER(oyl_chat_session_created_at, oyl_chat_session, oyl__kind_chat_session,
		CHAT_SESSIONS_created_at)
OYL__INT_GETTER(oyl_chat_session_updated_at, oyl_chat_session, oyl__kind_chat_session,
		CHAT_SESSIONS_updated_at)
OYL__RECORD_BASICS(oyl_chat_session, oyl_chat_session, oyl__kind_chat_session)

OYL__TEXT_GETTER(oyl_message_id, oyl_message, oyl__kind_message, MESSAGES_id)
OYL__TEXT_GETTER(oyl_message_session_id, oyl_message, oyl__kind_message, MESSAGES_session_id)
OYL__TEXT_GETTER(oyl_message_role, oyl_message, oyl__kind_message, MESSAGES_role)
OYL__TEXT_GETTER(oyl_message_content, oyl_message, oyl__kind_message, MESSAGES_content)
OYL__TEXT_GETTER(oyl_message_assistant_id, oyl_message, oyl__kind_message, MESSAGES_assistant_id)
OYL__TEXT_GETTER(oyl_message_usage, oyl_message, oyl__kind_message, MESSAGES_usage)
OYL__INT_GETTER(oyl_message_created_at, oyl_message, oyl__kind_message, MESSAGES_created_at)
OYL__RECORD_JSON(oyl_message, oyl_message, oyl__kind_message)

OYL__INT_GETTER(oyl_citation_rank, oyl_citation, oyl__kind_citation, MESSAGE_CITATIONS_rank)
OYL__TEXT_GETTER(oyl_citation_chunk_id, oyl_citation, oyl__kind_citation,
		 MESSAGE_CITATIONS_chunk_id)
OYL__TEXT_GETTER(oyl_citation_document_id, oyl_citation, oyl__kind_citation,
		 MESSAGE_CITATIONS_document_id)
OYL__TEXT_GETTER(oyl_citation_document_name, oyl_citation, oyl__kind_citation,
		 MESSAGE_CITATIONS_document_name)
OYL__TEXT_GETTER(oyl_citation_passage, oyl_citation, oyl__kind_citation, MESSAGE_CITATIONS_passage)
OYL__INT_GETTER(oyl_citation_page, oyl_citation, oyl__kind_citation, MESSAGE_CITATIONS_page)
OYL__REAL_GETTER(oyl_citation_score, oyl_citation, oyl__kind_citation, MESSAGE_CITATIONS_score)
OYL__RECORD_JSON(oyl_citation, oyl_citation, oyl__kind_citation)
