/* Operations shared by every kind of record (see object.h). */
#include "object.h"

#include "validate.h"

const char *oyl__actor_scope(const oyl_actor *actor)
{
	return actor->tenant_id[0] ? actor->tenant_id : NULL;
}

oyl_db *oyl__enter(const oyl_actor *actor, void *out_ptr, int *rc)
{
	oyl_db *db = oyl__actor_db(actor);
	if (!db) {
		*rc = OYL_EMISUSE;
		return NULL;
	}
	if (out_ptr)
		*(void **)out_ptr = NULL;
	*rc = oyl__ok(db);
	return db;
}

int oyl__fetch(oyl_db *db, const char *scope, const oyl__kind *k, const char *id,
	       oyl__record **out)
{
	oyl_scope s = {scope};
	oyl__record_sink sink = {k->t, NULL};
	*out = NULL;
	int rc = db->backend->get(db->backend, &s, k->t, id, oyl__record_cb, &sink);
	if (rc == OYL_OK && !sink.rec)
		rc = OYL_ENOTFOUND;
	if (rc == OYL_ENOTFOUND) {
		oyl__record_free(sink.rec);
		return oyl__fail(db, OYL_ENOTFOUND, "%s %s not found", k->noun, id);
	}
	if (rc != OYL_OK) {
		oyl__record_free(sink.rec);
		return rc == OYL_ENOMEM ? oyl__fail(db, rc, "out of memory reading a %s", k->noun)
					: oyl__fail_backend(db, rc, "reading");
	}
	*out = sink.rec;
	return OYL_OK;
}

int oyl__insert(oyl_db *db, const char *scope, const oyl__kind *k, const oyl_value *vals)
{
	oyl_scope s = {scope};
	int rc = db->backend->insert(db->backend, &s, k->t, vals);
	if (rc == OYL_OK)
		return OYL_OK;
	if (rc == OYL_ECONFLICT)
		return oyl__fail(db, rc, "a %s like this one already exists", k->noun);
	return oyl__fail_backend(db, rc, "storing");
}

int oyl__get_public(oyl_actor *actor, const oyl__kind *k, const char *id, void *out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db)
		return rc;
	if (!out)
		return oyl__fail(db, OYL_EMISUSE, "get %s: NULL out-pointer", k->noun);
	char key[OYL_UUID_LEN + 1];
	if ((rc = oyl__check_id(db, "id", id, key)))
		return rc;
	const char *scope = oyl__actor_scope(actor);
	if ((rc = oyl__txn_begin(db, scope, OYL_TXN_READ)))
		return rc;
	oyl__record *rec = NULL;
	rc = oyl__txn_end(db, oyl__fetch(db, scope, k, key, &rec));
	if (rc != OYL_OK) {
		oyl__record_free(rec);
		return rc;
	}
	*(oyl__record **)out = rec;
	return OYL_OK;
}

int oyl__delete_public(oyl_actor *actor, const oyl__kind *k, const char *id)
{
	int rc;
	oyl_db *db = oyl__enter(actor, NULL, &rc);
	if (!db)
		return rc;
	char key[OYL_UUID_LEN + 1];
	if ((rc = oyl__check_id(db, "id", id, key)))
		return rc;
	const char *scope = oyl__actor_scope(actor);
	if ((rc = oyl__txn_begin(db, scope, OYL_TXN_WRITE)))
		return rc;
	oyl__record *row = NULL;
	rc = oyl__fetch(db, scope, k, key, &row);
	if (rc == OYL_OK && k->before_delete)
		rc = k->before_delete(db, row);
	if (rc == OYL_OK) {
		/* Delete in the row's own tenant: a platform actor's scope is NULL. */
		const char *row_scope = k->t->tenant_col >= 0
						? oyl__record_text(row, k->t->tenant_col)
						: scope;
		oyl_scope s = {row_scope};
		oyl_filter f = oyl__eq(0, OYL_TYPE_UUID, key);
		int64_t deleted = 0;
		rc = db->backend->remove(db->backend, &s, k->t, &f, 1, &deleted);
		if (rc != OYL_OK)
			rc = oyl__fail_backend(db, rc, "deleting");
		else if (deleted != 1)
			rc = oyl__fail(db, OYL_ENOTFOUND, "%s %s not found", k->noun, key);
	}
	oyl__record_free(row);
	rc = oyl__txn_end(db, rc);
	return rc == OYL_OK ? oyl__ok(db) : rc;
}

int oyl__finish_create(oyl_db *db, int rc, const oyl__kind *k, const oyl_value *vals, void *out)
{
	oyl__record *rec = NULL;
	if (rc == OYL_OK && out) {
		rc = oyl__record_copy(k->t, vals, k->t->ncols, &rec);
		if (rc != OYL_OK)
			rc = oyl__fail(db, rc, "out of memory creating a %s", k->noun);
	}
	rc = oyl__txn_end(db, rc);
	if (rc != OYL_OK) {
		oyl__record_free(rec);
		return rc;
	}
	if (out)
		*(oyl__record **)out = rec;
	return oyl__ok(db);
}

oyl_filter oyl__eq(int col, int type, const char *s)
{
	oyl_filter f = {col, OYL_OP_EQ, oyl__val_text(type, s)};
	return f;
}

const oyl__record *oyl__as(const void *x, const oyl__kind *k)
{
	const oyl__record *r = x;
	return (r && r->t == k->t) ? r : NULL;
}

int oyl__to_json_public(const void *x, const oyl__kind *k, char **json)
{
	if (json)
		*json = NULL;
	const oyl__record *r = oyl__as(x, k);
	if (!r || !json)
		return OYL_EMISUSE;
	return oyl__record_to_json(r, json);
}
