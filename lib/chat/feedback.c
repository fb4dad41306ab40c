/*
 * Ratings of answers: the owner of a session rates its assistant
 * messages (+1 or -1, an optional comment; rating again replaces), and
 * the tenant's admins read the ratings counted per assistant, never the
 * conversations (doc/permissions.md).
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "chat/chat.h"
#include "core/alloc.h"
#include "core/validate.h"
#include "model/kind.h"

#define COMMENT_MAX 2000

/* The message, checked as an answer in one of the actor's sessions. */
static int owned_answer(oyl_db *db, oyl_actor *actor, const oyl__record *m, const char *key)
{
	int rc = oyl__message_owned(db, actor, m, key);
	if (rc == OYL_OK && strcmp(oyl__record_text(m, MESSAGES_role), "assistant") != 0)
		rc = oyl__fail(db, OYL_EINVAL, "message %s is a question: only answers are rated",
			       key);
	return rc;
}

OYL_API int oyl_chat_feedback(oyl_actor *actor, const char *message_id, int rating,
			      const char *comment)
{
	int rc;
	char key[OYL_UUID_LEN + 1];
	oyl_db *db = oyl__enter(actor, NULL, &rc);
	if (!db || (rc = oyl__check_id(db, "message_id", message_id, key)))
		return rc;
	if (rating != 1 && rating != -1)
		return oyl__fail(db, OYL_EINVAL, "rating: +1 (up) or -1 (down), not %d", rating);
	if (comment && (rc = oyl__check_text(db, "comment", comment, 1, COMMENT_MAX, 1)))
		return rc;
	if ((rc = oyl__actor_begin(db, actor, OYL_TXN_WRITE)))
		return rc;
	const char *scope = oyl__actor_scope(actor);
	oyl_filter of_message = oyl__eq(MESSAGE_FEEDBACK_message_id, OYL_TYPE_UUID, key);
	oyl_query q = {&of_message, 1, MESSAGE_FEEDBACK_created_at, 0, NULL, NULL, 1, 0};
	oyl__record_sink old = {&oyl__t_message_feedback, NULL};
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	int m = oyl__batch_get(&bt, scope, &oyl__t_messages, key, OYL__LOCK_NONE);
	oyl__batch_list(&bt, scope, &oyl__t_message_feedback, &q, oyl__record_cb, &old);
	rc = oyl__batch_run(&bt);
	const oyl__record *msg = oyl__batch_row(&bt, m);
	if (rc == OYL_OK)
		rc = owned_answer(db, actor, msg, key);
	int64_t now = oyl__now();
	oyl__note note = {"storing the rating", NULL, NULL};
	if (rc == OYL_OK && old.rec) {
		oyl_filter f = oyl__eq(MESSAGE_FEEDBACK_id, OYL_TYPE_UUID,
				       oyl__record_text(old.rec, MESSAGE_FEEDBACK_id));
		oyl_assign set[3] = {
			{MESSAGE_FEEDBACK_rating, oyl__val_int(OYL_TYPE_INT, rating)},
			{MESSAGE_FEEDBACK_comment, oyl__val_text(OYL_TYPE_TEXT, comment)},
			{MESSAGE_FEEDBACK_updated_at, oyl__val_int(OYL_TYPE_TIME, now)},
		};
		rc = oyl__write_update(db, actor->tenant_id, &oyl__t_message_feedback, &f, 1, set,
				       3, NULL, &note);
	} else if (rc == OYL_OK) {
		char id[OYL_UUID_LEN + 1];
		oyl__uuid_new(id);
		oyl_value v[MESSAGE_FEEDBACK__N];
		v[MESSAGE_FEEDBACK_id] = oyl__val_text(OYL_TYPE_UUID, id);
		v[MESSAGE_FEEDBACK_tenant_id] = oyl__val_text(OYL_TYPE_UUID, actor->tenant_id);
		v[MESSAGE_FEEDBACK_message_id] = oyl__val_text(OYL_TYPE_UUID, key);
		v[MESSAGE_FEEDBACK_assistant_id] =
			oyl__val_text(OYL_TYPE_UUID, oyl__record_text(msg, MESSAGES_assistant_id));
		v[MESSAGE_FEEDBACK_rating] = oyl__val_int(OYL_TYPE_INT, rating);
		v[MESSAGE_FEEDBACK_comment] = oyl__val_text(OYL_TYPE_TEXT, comment);
		v[MESSAGE_FEEDBACK_created_at] = oyl__val_int(OYL_TYPE_TIME, now);
		v[MESSAGE_FEEDBACK_updated_at] = oyl__val_int(OYL_TYPE_TIME, now);
		rc = oyl__write_insert(db, actor->tenant_id, &oyl__t_message_feedback, v, &note);
	}
	oyl__record_free(old.rec);
	oyl__batch_free(&bt);
	rc = oyl__txn_end(db, rc);
	return rc == OYL_OK ? oyl__ok(db) : rc;
}

/* Counts per assistant, kept as a JSON object keyed by assistant id. */
static int count_rating(const oyl_value *vals, size_t n, void *payload)
{
	cJSON *by = payload;
	(void)n;
	const char *aid =
		vals[MESSAGE_FEEDBACK_assistant_id].s ? vals[MESSAGE_FEEDBACK_assistant_id].s : "";
	cJSON *entry = cJSON_GetObjectItemCaseSensitive(by, aid);
	if (!entry) {
		entry = cJSON_AddObjectToObject(by, aid);
		if (!entry || !cJSON_AddNumberToObject(entry, "up", 0) ||
		    !cJSON_AddNumberToObject(entry, "down", 0))
			return OYL_ENOMEM;
	}
	cJSON *c = cJSON_GetObjectItemCaseSensitive(
		entry, vals[MESSAGE_FEEDBACK_rating].i > 0 ? "up" : "down");
	cJSON_SetNumberValue(c, c->valuedouble + 1);
	return OYL_OK;
}

static int by_key(const void *a, const void *b)
{
	return strcmp((*(cJSON *const *)a)->string, (*(cJSON *const *)b)->string);
}

/* [{"assistant_id", "up", "down"}] by assistant id; NULL on ENOMEM. */
static char *counts_json(cJSON *by)
{
	int n = cJSON_GetArraySize(by);
	cJSON **items = oyl__calloc((size_t)n + 1, sizeof *items);
	cJSON *out = cJSON_CreateArray();
	char *text = NULL;
	if (items && out) {
		int k = 0;
		for (cJSON *e = by->child; e; e = e->next)
			items[k++] = e;
		qsort(items, (size_t)n, sizeof *items, by_key);
		int ok = 1;
		for (int i = 0; i < n && ok; i++) {
			cJSON *o = cJSON_CreateObject();
			ok = o && cJSON_AddItemToArray(out, o) &&
			     (items[i]->string[0]
				      ? cJSON_AddStringToObject(o, "assistant_id",
								items[i]->string) != NULL
				      : cJSON_AddNullToObject(o, "assistant_id") != NULL) &&
			     cJSON_AddNumberToObject(
				     o, "up",
				     cJSON_GetObjectItemCaseSensitive(items[i], "up")
					     ->valuedouble) &&
			     cJSON_AddNumberToObject(
				     o, "down",
				     cJSON_GetObjectItemCaseSensitive(items[i], "down")
					     ->valuedouble);
		}
		char *printed = ok ? cJSON_PrintUnformatted(out) : NULL;
		if (printed) {
			text = oyl__strdup(printed);
			cJSON_free(printed);
		}
	}
	cJSON_Delete(out);
	oyl__free(items);
	return text;
}

OYL_API int oyl_chat_feedback_counts(oyl_actor *actor, const char *tenant_id, char **json)
{
	int rc;
	char key[OYL_UUID_LEN + 1];
	oyl_db *db = oyl__enter_out(actor, json, "oyl_chat_feedback_counts", &rc);
	if (!db || (rc = oyl__check_id(db, "tenant_id", tenant_id, key)))
		return rc;
	cJSON *by = cJSON_CreateObject();
	if (!by)
		return oyl__fail(db, OYL_ENOMEM, "out of memory counting ratings");
	if ((rc = oyl__actor_begin(db, actor, OYL_TXN_READ))) {
		cJSON_Delete(by);
		return rc;
	}
	oyl_query all = {NULL, 0, MESSAGE_FEEDBACK_created_at, 0, NULL, NULL, 0, 0};
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	int t = oyl__batch_get(&bt, oyl__actor_scope(actor), &oyl__t_tenants, key, OYL__LOCK_NONE);
	rc = oyl__batch_run(&bt);
	if (rc == OYL_OK)
		rc = oyl__visible(db, actor, &oyl__kind_tenant, oyl__batch_row(&bt, t), key);
	if (rc == OYL_OK)
		rc = oyl__authorize(db, actor, OYL__FEEDBACK_READ);
	oyl__batch_free(&bt);
	if (rc == OYL_OK) {
		/* the ratings of that tenant: a read in its scope */
		oyl__batch b2;
		oyl__batch_begin(&b2, db);
		oyl__batch_list(&b2, key, &oyl__t_message_feedback, &all, count_rating, by);
		rc = oyl__batch_run(&b2);
		oyl__batch_free(&b2);
	}
	char *text = rc == OYL_OK ? counts_json(by) : NULL;
	if (rc == OYL_OK && !text)
		rc = oyl__fail(db, OYL_ENOMEM, "out of memory counting ratings");
	cJSON_Delete(by);
	rc = oyl__txn_end(db, rc);
	if (rc != OYL_OK) {
		oyl__free(text);
		return rc;
	}
	*json = text;
	return oyl__ok(db);
}
