/* Operations shared by every kind of record (see object.h). */
#include "model/kind.h"

#include <stdio.h>
#include <string.h>

#include "core/validate.h"

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

oyl_db *oyl__begin_on_id(oyl_actor *actor, void *out, const char *call, const char *field,
			 const char *id, char key[OYL_UUID_LEN + 1], unsigned flags, int *rc)
{
	oyl_db *db = oyl__enter(actor, out, rc);
	if (!db)
		return NULL;
	if (call && !out)
		*rc = oyl__fail(db, OYL_EMISUSE, "%s: NULL out-pointer", call);
	else if (!(*rc = oyl__check_id(db, field, id, key)))
		*rc = oyl__txn_begin(db, oyl__actor_scope(actor), flags);
	return *rc == OYL_OK ? db : NULL;
}

static int not_found(oyl_db *db, const oyl__kind *k, const char *id)
{
	return oyl__fail(db, OYL_ENOTFOUND, "%s %s not found", k->noun, id);
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
	if (rc != OYL_OK) {
		oyl__record_free(sink.rec);
		if (rc == OYL_ENOTFOUND)
			return not_found(db, k, id);
		return rc == OYL_ENOMEM ? oyl__fail(db, rc, "out of memory reading a %s", k->noun)
					: oyl__fail_backend(db, rc, "reading");
	}
	*out = sink.rec;
	return OYL_OK;
}

int oyl__fetch_visible(oyl_db *db, const oyl_actor *actor, const oyl__kind *k, const char *id,
		       oyl__record **out)
{
	*out = NULL;
	if (k == &oyl__kind_tenant && !oyl__tenant_visible(actor, id))
		return not_found(db, k, id);
	return oyl__fetch(db, oyl__actor_scope(actor), k, id, out);
}

const char *oyl__row_tenant(const oyl__kind *k, const oyl__record *row)
{
	if (k == &oyl__kind_tenant)
		return oyl__record_text(row, TENANTS_id);
	return k->t->tenant_col >= 0 ? oyl__record_text(row, k->t->tenant_col) : NULL;
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
	char key[OYL_UUID_LEN + 1];
	oyl_db *db = oyl__begin_on_id(actor, out, "get", "id", id, key, OYL_TXN_READ, &rc);
	if (!db)
		return rc;
	oyl__record *rec = NULL;
	rc = oyl__fetch_visible(db, actor, k, key, &rec);
	if (rc == OYL_OK)
		rc = oyl__authorize(db, actor, k->read);
	return oyl__finish_read(db, rc, rec, out);
}

int oyl__delete_public(oyl_actor *actor, const oyl__kind *k, const char *id)
{
	int rc;
	char key[OYL_UUID_LEN + 1];
	oyl_db *db = oyl__begin_on_id(actor, NULL, NULL, "id", id, key, OYL_TXN_WRITE, &rc);
	if (!db)
		return rc;
	oyl__record *row = NULL;
	rc = oyl__fetch_visible(db, actor, k, key, &row);
	if (rc == OYL_OK)
		rc = oyl__authorize(db, actor, k->write);
	if (rc == OYL_OK && k->before_delete)
		rc = k->before_delete(db, row);
	if (rc == OYL_OK) {
		/* Delete in the row's own tenant: a platform actor's scope is NULL. */
		oyl_scope s = {k->t->tenant_col >= 0 ? oyl__row_tenant(k, row) : NULL};
		oyl_filter f = oyl__eq(0, OYL_TYPE_UUID, key);
		int64_t deleted = 0;
		rc = db->backend->remove(db->backend, &s, k->t, &f, 1, &deleted);
		if (rc != OYL_OK)
			rc = oyl__fail_backend(db, rc, "deleting");
		else if (deleted != 1)
			rc = not_found(db, k, key);
	}
	if (rc == OYL_OK)
		rc = oyl__audit(db, actor, oyl__row_tenant(k, row), "delete", k, key, NULL);
	oyl__record_free(row);
	rc = oyl__txn_end(db, rc);
	return rc == OYL_OK ? oyl__ok(db) : rc;
}

/* {"fields":["name","slug"]}: what an update changed, never the values. */
static int fields_detail(const oyl__kind *k, const oyl_assign *set, size_t nset, char *buf,
			 size_t size)
{
	size_t used = (size_t)snprintf(buf, size, "{\"fields\":[");
	for (size_t i = 0; i < nset && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s\"%s\"", i ? "," : "",
					 k->t->cols[set[i].col].name);
	if (used < size)
		used += (size_t)snprintf(buf + used, size - used, "]}");
	return used < size ? OYL_OK : OYL_EINVAL;
}

int oyl__update_public(oyl_actor *actor, const oyl__kind *k, const char *id, oyl_assign *set,
		       size_t nset, oyl__update_check check, void *ctx, void *out)
{
	int rc;
	oyl_db *db = oyl__actor_db(actor);
	char key[OYL_UUID_LEN + 1], detail[512];
	if ((rc = oyl__check_id(db, "id", id, key)))
		return rc;
	if ((rc = oyl__txn_begin(db, oyl__actor_scope(actor), OYL_TXN_WRITE)))
		return rc;
	oyl__record *row = NULL, *fresh = NULL;
	rc = oyl__fetch_visible(db, actor, k, key, &row);
	if (rc == OYL_OK)
		rc = check ? check(db, actor, row, ctx) : oyl__authorize(db, actor, k->write);
	if (rc == OYL_OK && nset > 0) {
		if (fields_detail(k, set, nset, detail, sizeof detail))
			rc = oyl__fail(db, OYL_EINVAL, "update: too many fields");
		oyl_scope s = {k->t->tenant_col >= 0 ? oyl__row_tenant(k, row) : NULL};
		oyl_filter f = oyl__eq(0, OYL_TYPE_UUID, key);
		int64_t changed = 0;
		if (rc == OYL_OK && k->updated_col >= 0)
			set[nset++] = (oyl_assign){k->updated_col, oyl__val_int(OYL_TYPE_TIME, oyl__now())};
		if (rc == OYL_OK)
			rc = db->backend->update(db->backend, &s, k->t, &f, 1, set, nset, &changed);
		if (rc == OYL_ECONFLICT)
			rc = oyl__fail(db, rc, "a %s like this one already exists", k->noun);
		else if (rc != OYL_OK && db->errcode == OYL_OK)
			rc = oyl__fail_backend(db, rc, "updating");
		else if (rc == OYL_OK && changed != 1)
			rc = not_found(db, k, key);
		if (rc == OYL_OK)
			rc = oyl__audit(db, actor, oyl__row_tenant(k, row), "update", k, key, detail);
	}
	if (rc == OYL_OK && out)
		rc = oyl__fetch(db, k->t->tenant_col >= 0 ? oyl__row_tenant(k, row) : NULL, k, key,
				&fresh);
	oyl__record_free(row);
	rc = oyl__txn_end(db, rc);
	if (rc != OYL_OK) {
		oyl__record_free(fresh);
		return rc;
	}
	if (out)
		*(oyl__record **)out = fresh;
	return oyl__ok(db);
}

int oyl__list_public(oyl_actor *actor, const oyl__kind *k, const char *parent_id,
		     const oyl_list_options *opts, oyl_page **out)
{
	int rc;
	oyl_db *db = oyl__enter(actor, out, &rc);
	if (!db)
		return rc;
	if (!out)
		return oyl__fail(db, OYL_EMISUSE, "list: NULL out-pointer");
	const oyl__kind *pk = k->parent ? k->parent : &oyl__kind_tenant;
	char pid[OYL_UUID_LEN + 1];
	if ((rc = oyl__check_id(db, k->parent ? "parent id" : "tenant_id", parent_id, pid)))
		return rc;
	if ((rc = oyl__txn_begin(db, oyl__actor_scope(actor), OYL_TXN_READ)))
		return rc;
	oyl__record *parent = NULL;
	rc = oyl__fetch_visible(db, actor, pk, pid, &parent);
	if (rc == OYL_OK)
		rc = oyl__authorize(db, actor, k->read);
	if (rc == OYL_OK) {
		oyl_filter f = oyl__eq(k->parent_col, OYL_TYPE_UUID, pid);
		rc = oyl__list_rows(db, oyl__row_tenant(pk, parent), k, &f, 1, opts, out);
	}
	oyl__record_free(parent);
	return oyl__finish_list(db, rc, out);
}

int oyl__finish_read(oyl_db *db, int rc, oyl__record *rec, void *out)
{
	rc = oyl__txn_end(db, rc);
	if (rc != OYL_OK) {
		oyl__record_free(rec);
		return rc;
	}
	*(oyl__record **)out = rec;
	return oyl__ok(db);
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
