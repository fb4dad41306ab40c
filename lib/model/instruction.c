/* Instructions: the one system prompt of an assistant (set = upsert). */
#include <string.h>

#include "model/kind.h"
#include "core/validate.h"

const oyl__kind oyl__kind_instruction = {&oyl__t_instructions, "instruction", "instruction",
					 &oyl__kind_assistant, INSTRUCTIONS_assistant_id,
					 INSTRUCTIONS_created_at, INSTRUCTIONS_updated_at,
					 OYL__CONTENT_READ, OYL__CONTENT_WRITE, NULL};

/* Finds the assistant's instruction row, if any, in the actor's scope. */
static int find_instruction(oyl_db *db, const char *scope, const char *assistant_id,
			    oyl__record **out)
{
	oyl_filter f = oyl__eq(INSTRUCTIONS_assistant_id, OYL_TYPE_UUID, assistant_id);
	oyl_query q = {&f, 1, 0, 0, NULL, NULL, 1, 0};
	oyl_scope s = {scope};
	oyl__record_sink sink = {&oyl__t_instructions, NULL};
	*out = NULL;
	int rc = db->backend->list(db->backend, &s, &oyl__t_instructions, &q, oyl__record_cb, &sink);
	if (rc != OYL_OK) {
		oyl__record_free(sink.rec);
		return rc == OYL_ENOMEM ? oyl__fail(db, rc, "out of memory reading an instruction")
					: oyl__fail_backend(db, rc, "reading the instruction");
	}
	*out = sink.rec;
	return OYL_OK;
}

/* Validates the assistant id and opens a transaction in which the
 * assistant exists for the actor and the action is allowed. */
static int begin_on_assistant(oyl_actor *actor, oyl_db *db, const char *assistant_id,
			      unsigned flags, char aid[OYL_UUID_LEN + 1], oyl__record **assistant)
{
	int rc = oyl__check_id(db, "assistant_id", assistant_id, aid);
	if (rc)
		return rc;
	const char *scope = oyl__actor_scope(actor);
	if ((rc = oyl__txn_begin(db, scope, flags)))
		return rc;
	rc = oyl__fetch(db, scope, &oyl__kind_assistant, aid, assistant);
	if (rc == OYL_OK)
		rc = oyl__authorize(db, actor, flags == OYL_TXN_WRITE ? OYL__CONTENT_WRITE
								      : OYL__CONTENT_READ);
	if (rc != OYL_OK) {
		oyl__record_free(*assistant);
		*assistant = NULL;
		oyl__txn_end(db, rc);
	}
	return rc;
}

OYL_API int oyl_instruction_set(oyl_actor *actor, const char *assistant_id, const char *system_prompt,
				oyl_instruction **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db)
		return rc;
	if ((rc = oyl__check_text(db, "system_prompt", system_prompt, 0, OYL_TEXT_MAX, 1)))
		return rc;
	char aid[OYL_UUID_LEN + 1], id[OYL_UUID_LEN + 1];
	oyl__record *assistant = NULL, *old = NULL;
	if ((rc = begin_on_assistant(actor, db, assistant_id, OYL_TXN_WRITE, aid, &assistant)))
		return rc;
	const char *tenant = oyl__record_text(assistant, ASSISTANTS_tenant_id);
	oyl_scope s = {tenant};
	int64_t now = oyl__now();
	oyl_value v[INSTRUCTIONS__N];
	rc = find_instruction(db, tenant, aid, &old);
	if (rc == OYL_OK && old) {
		memcpy(id, oyl__record_text(old, INSTRUCTIONS_id), OYL_UUID_LEN + 1);
		memcpy(v, old->vals, sizeof v);
		v[INSTRUCTIONS_system_prompt] = oyl__val_text(OYL_TYPE_TEXT, system_prompt);
		v[INSTRUCTIONS_updated_at] = oyl__val_int(OYL_TYPE_TIME, now);
		oyl_filter f = oyl__eq(INSTRUCTIONS_id, OYL_TYPE_UUID, id);
		oyl_assign set[] = {{INSTRUCTIONS_system_prompt, v[INSTRUCTIONS_system_prompt]},
				    {INSTRUCTIONS_updated_at, v[INSTRUCTIONS_updated_at]}};
		rc = db->backend->update(db->backend, &s, &oyl__t_instructions, &f, 1, set, 2, NULL);
		if (rc != OYL_OK)
			rc = oyl__fail_backend(db, rc, "updating the instruction");
	} else if (rc == OYL_OK) {
		oyl__uuid_new(id);
		v[INSTRUCTIONS_id] = oyl__val_text(OYL_TYPE_UUID, id);
		v[INSTRUCTIONS_tenant_id] = oyl__val_text(OYL_TYPE_UUID, tenant);
		v[INSTRUCTIONS_assistant_id] = oyl__val_text(OYL_TYPE_UUID, aid);
		v[INSTRUCTIONS_system_prompt] = oyl__val_text(OYL_TYPE_TEXT, system_prompt);
		v[INSTRUCTIONS_created_at] = oyl__val_int(OYL_TYPE_TIME, now);
		v[INSTRUCTIONS_updated_at] = oyl__val_int(OYL_TYPE_TIME, now);
		rc = oyl__insert(db, tenant, &oyl__kind_instruction, v);
	}
	if (rc == OYL_OK)
		rc = oyl__audit(db, actor, tenant, "set", &oyl__kind_instruction, id, NULL);
	rc = oyl__finish_create(db, rc, &oyl__kind_instruction, v, out);
	oyl__record_free(old);
	oyl__record_free(assistant);
	return rc;
}

OYL_API int oyl_instruction_get(oyl_actor *actor, const char *assistant_id, oyl_instruction **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db)
		return rc;
	if (!out)
		return oyl__fail(db, OYL_EMISUSE, "oyl_instruction_get: NULL out-pointer");
	char aid[OYL_UUID_LEN + 1];
	oyl__record *assistant = NULL, *found = NULL;
	if ((rc = begin_on_assistant(actor, db, assistant_id, OYL_TXN_READ, aid, &assistant)))
		return rc;
	rc = find_instruction(db, oyl__record_text(assistant, ASSISTANTS_tenant_id), aid, &found);
	if (rc == OYL_OK && !found)
		rc = oyl__fail(db, OYL_ENOTFOUND, "assistant %s has no instruction", aid);
	oyl__record_free(assistant);
	return oyl__finish_read(db, rc, found, out);
}

OYL_API int oyl_instruction_clear(oyl_actor *actor, const char *assistant_id)
{
	int rc;
	oyl_db *db = oyl__enter(actor, NULL, &rc);
	if (!db)
		return rc;
	char aid[OYL_UUID_LEN + 1];
	oyl__record *assistant = NULL;
	if ((rc = begin_on_assistant(actor, db, assistant_id, OYL_TXN_WRITE, aid, &assistant)))
		return rc;
	oyl_scope s = {oyl__record_text(assistant, ASSISTANTS_tenant_id)};
	oyl_filter f = oyl__eq(INSTRUCTIONS_assistant_id, OYL_TYPE_UUID, aid);
	int64_t deleted = 0;
	rc = db->backend->remove(db->backend, &s, &oyl__t_instructions, &f, 1, &deleted);
	if (rc != OYL_OK)
		rc = oyl__fail_backend(db, rc, "clearing the instruction");
	else if (deleted == 0)
		rc = oyl__fail(db, OYL_ENOTFOUND, "assistant %s has no instruction", aid);
	if (rc == OYL_OK)
		rc = oyl__audit(db, actor, s.tenant_id, "clear", &oyl__kind_instruction, aid, NULL);
	oyl__record_free(assistant);
	rc = oyl__txn_end(db, rc);
	return rc == OYL_OK ? oyl__ok(db) : rc;
}

OYL__TEXT_GETTER(oyl_instruction_id, oyl_instruction, oyl__kind_instruction, INSTRUCTIONS_id)
OYL__TEXT_GETTER(oyl_instruction_tenant_id, oyl_instruction, oyl__kind_instruction,
		 INSTRUCTIONS_tenant_id)
OYL__TEXT_GETTER(oyl_instruction_assistant_id, oyl_instruction, oyl__kind_instruction,
		 INSTRUCTIONS_assistant_id)
OYL__TEXT_GETTER(oyl_instruction_system_prompt, oyl_instruction, oyl__kind_instruction,
		 INSTRUCTIONS_system_prompt)
OYL__INT_GETTER(oyl_instruction_created_at, oyl_instruction, oyl__kind_instruction,
		INSTRUCTIONS_created_at)
OYL__INT_GETTER(oyl_instruction_updated_at, oyl_instruction, oyl__kind_instruction,
		INSTRUCTIONS_updated_at)
OYL__RECORD_BASICS(oyl_instruction, oyl_instruction, oyl__kind_instruction)
