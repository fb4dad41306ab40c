/*
 * Instructions: the one system prompt of an assistant (set = upsert).
 * Every call that changes it locks the assistant's row first (where the
 * scope allows), so two sets of one assistant's instruction run one after
 * the other and the second updates what the first inserted.
 */
#include <string.h>

#include "core/validate.h"
#include "model/kind.h"

const oyl__kind oyl__kind_instruction = {&oyl__t_instructions, "instruction", "instruction",
					 &oyl__kind_assistant, INSTRUCTIONS_assistant_id,
					 INSTRUCTIONS_created_at, INSTRUCTIONS_updated_at,
					 OYL__CONTENT_READ, OYL__CONTENT_WRITE, NULL, 0};

/* One call on an assistant's instruction: the assistant and its
 * instruction, read in one batch with the actor's user. */
typedef struct on_assistant {
	char aid[OYL_UUID_LEN + 1];
	oyl__batch bt;
	int assistant;
	oyl_filter by_assistant;
	oyl_query query;
	oyl__record_sink found; /* the instruction, if any */
} on_assistant;

static int begin_on_assistant(oyl_actor *actor, oyl_db *db, const char *assistant_id,
			      unsigned flags, on_assistant *c)
{
	c->found = (oyl__record_sink){&oyl__t_instructions, NULL};
	oyl__batch_init(&c->bt, db);
	int rc = oyl__check_id(db, "assistant_id", assistant_id, c->aid);
	if (rc)
		return rc;
	if ((rc = oyl__actor_begin(db, actor, flags)))
		return rc;
	const char *scope = oyl__actor_scope(actor);
	c->by_assistant = oyl__eq(INSTRUCTIONS_assistant_id, OYL_TYPE_UUID, c->aid);
	c->query = (oyl_query){&c->by_assistant, 1, INSTRUCTIONS_created_at, 0, NULL, NULL, 1, 0};
	oyl__batch_begin(&c->bt, db);
	c->assistant = oyl__batch_get(&c->bt, scope, &oyl__t_assistants, c->aid,
				      flags == OYL_TXN_WRITE ? OYL__LOCK_ROW : OYL__LOCK_NONE);
	oyl__batch_list(&c->bt, scope, &oyl__t_instructions, &c->query, oyl__record_cb, &c->found);
	rc = oyl__batch_run(&c->bt);
	if (rc == OYL_OK)
		rc = oyl__visible(db, actor, &oyl__kind_assistant,
				  oyl__batch_row(&c->bt, c->assistant), c->aid);
	if (rc == OYL_OK)
		rc = oyl__authorize(db, actor, flags == OYL_TXN_WRITE ? OYL__CONTENT_WRITE
								      : OYL__CONTENT_READ);
	return rc;
}

static void end_on_assistant(on_assistant *c)
{
	oyl__record_free(c->found.rec);
	oyl__batch_free(&c->bt);
}

OYL_API int oyl_instruction_set(oyl_actor *actor, const char *assistant_id, const char *system_prompt,
				oyl_instruction **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db || (rc = oyl__check_text(db, "system_prompt", system_prompt, 0, OYL_TEXT_MAX, 1)))
		return rc;
	on_assistant c;
	char id[OYL_UUID_LEN + 1];
	oyl_value v[INSTRUCTIONS__N];
	rc = begin_on_assistant(actor, db, assistant_id, OYL_TXN_WRITE, &c);
	if (rc == OYL_OK) {
		const oyl__record *assistant = oyl__batch_row(&c.bt, c.assistant);
		const oyl__record *old = c.found.rec;
		const char *tenant = oyl__record_text(assistant, ASSISTANTS_tenant_id);
		int64_t now = oyl__now();
		if (old) {
			memcpy(id, oyl__record_text(old, INSTRUCTIONS_id), OYL_UUID_LEN + 1);
			memcpy(v, old->vals, sizeof v);
			v[INSTRUCTIONS_system_prompt] = oyl__val_text(OYL_TYPE_TEXT, system_prompt);
			v[INSTRUCTIONS_updated_at] = oyl__val_int(OYL_TYPE_TIME, now);
			oyl_filter f = oyl__eq(INSTRUCTIONS_id, OYL_TYPE_UUID, id);
			oyl_assign set[] = {{INSTRUCTIONS_system_prompt, v[INSTRUCTIONS_system_prompt]},
					    {INSTRUCTIONS_updated_at, v[INSTRUCTIONS_updated_at]}};
			oyl__note note = {"updating the instruction", NULL, NULL};
			int locked = oyl__batch_locked(&c.bt, c.assistant);
			int64_t changed = 0;
			rc = oyl__write_update(db, tenant, &oyl__t_instructions, &f, 1, set, 2,
					       locked ? NULL : &changed, &note);
			if (rc == OYL_OK && !locked && changed != 1)
				rc = oyl__fail(db, OYL_ENOTFOUND, "assistant %s has no instruction",
					       c.aid);
		} else {
			oyl__uuid_new(id);
			v[INSTRUCTIONS_id] = oyl__val_text(OYL_TYPE_UUID, id);
			v[INSTRUCTIONS_tenant_id] = oyl__val_text(OYL_TYPE_UUID, tenant);
			v[INSTRUCTIONS_assistant_id] = oyl__val_text(OYL_TYPE_UUID, c.aid);
			v[INSTRUCTIONS_system_prompt] = oyl__val_text(OYL_TYPE_TEXT, system_prompt);
			v[INSTRUCTIONS_created_at] = oyl__val_int(OYL_TYPE_TIME, now);
			v[INSTRUCTIONS_updated_at] = oyl__val_int(OYL_TYPE_TIME, now);
			rc = oyl__insert(db, tenant, &oyl__kind_instruction, v);
		}
		if (rc == OYL_OK)
			rc = oyl__audit(db, actor, tenant, "set", &oyl__kind_instruction, id, NULL);
	}
	rc = oyl__finish_create(db, rc, &oyl__t_instructions, v, out);
	end_on_assistant(&c);
	return rc;
}

OYL_API int oyl_instruction_get(oyl_actor *actor, const char *assistant_id, oyl_instruction **out)
{
	int rc;
	oyl_db *db = oyl__enter_out(actor, out, "oyl_instruction_get", &rc);
	if (!db)
		return rc;
	on_assistant c;
	rc = begin_on_assistant(actor, db, assistant_id, OYL_TXN_READ, &c);
	if (rc == OYL_OK && !c.found.rec)
		rc = oyl__fail(db, OYL_ENOTFOUND, "assistant %s has no instruction", c.aid);
	oyl__record *found = rc == OYL_OK ? c.found.rec : NULL;
	if (found)
		c.found.rec = NULL;
	end_on_assistant(&c);
	return oyl__finish_read(db, rc, found, out);
}

OYL_API int oyl_instruction_clear(oyl_actor *actor, const char *assistant_id)
{
	int rc;
	oyl_db *db = oyl__enter(actor, NULL, &rc);
	if (!db)
		return rc;
	on_assistant c;
	rc = begin_on_assistant(actor, db, assistant_id, OYL_TXN_WRITE, &c);
	if (rc == OYL_OK && !c.found.rec)
		rc = oyl__fail(db, OYL_ENOTFOUND, "assistant %s has no instruction", c.aid);
	const char *tenant = NULL;
	if (rc == OYL_OK) {
		tenant = oyl__record_text(c.found.rec, INSTRUCTIONS_tenant_id);
		oyl_filter f = oyl__eq(INSTRUCTIONS_id, OYL_TYPE_UUID,
				       oyl__record_text(c.found.rec, INSTRUCTIONS_id));
		oyl__note note = {"clearing the instruction", NULL, NULL};
		int locked = oyl__batch_locked(&c.bt, c.assistant);
		int64_t deleted = 0;
		rc = oyl__write_remove(db, tenant, &oyl__t_instructions, &f, 1,
				       locked ? NULL : &deleted, &note);
		if (rc == OYL_OK && !locked && deleted == 0)
			rc = oyl__fail(db, OYL_ENOTFOUND, "assistant %s has no instruction", c.aid);
	}
	if (rc == OYL_OK)
		rc = oyl__audit(db, actor, tenant, "clear", &oyl__kind_instruction, c.aid, NULL);
	rc = oyl__txn_end(db, rc);
	end_on_assistant(&c);
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
