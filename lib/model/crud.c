/*
 * The public operations every kind of record shares (see kind.h).  Each
 * is one transaction of two round trips at most on PostgreSQL: one batch
 * of the reads it decides on (the actor's user, the target or parent,
 * the page), then its writes with their audit event and COMMIT.
 *
 * A row a call will change is read with its lock (the target of an update
 * or delete, where the backend and scope allow it), so nobody changes or
 * deletes it between the read and the write, and the write needs no row
 * count of its own.  Where it was not locked (the platform's scope on a
 * tenant's row: a distributed PostgreSQL locks a row only by its tenant),
 * the write counts the rows it changed, which costs PostgreSQL a round
 * trip more.
 */
#include <stdio.h>
#include <string.h>

#include "core/validate.h"
#include "model/kind.h"

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

oyl_db *oyl__enter_out(const oyl_actor *actor, void *out_ptr, const char *fn, int *rc)
{
	oyl_db *db = oyl__enter(actor, out_ptr, rc);
	if (db && !out_ptr) {
		*rc = oyl__fail(db, OYL_EMISUSE, "%s: NULL out-pointer", fn);
		return NULL;
	}
	return db;
}

static int not_found(oyl_db *db, const oyl__kind *k, const char *id)
{
	return oyl__fail(db, OYL_ENOTFOUND, "%s %s not found", k->noun, id);
}

const char *oyl__row_tenant(const oyl__kind *k, const oyl__record *row)
{
	if (k == &oyl__kind_tenant)
		return oyl__record_text(row, TENANTS_id);
	return k->t->tenant_col >= 0 ? oyl__record_text(row, k->t->tenant_col) : NULL;
}

const char *oyl__row_scope(const oyl__kind *k, const oyl__record *row)
{
	return k->t->tenant_col >= 0 ? oyl__record_text(row, k->t->tenant_col) : NULL;
}

int oyl__visible(oyl_db *db, const oyl_actor *actor, const oyl__kind *k, const oyl__record *row,
		 const char *id)
{
	if (!row)
		return not_found(db, k, id);
	if (k == &oyl__kind_tenant)
		return oyl__tenant_visible(actor, id) ? OYL_OK : not_found(db, k, id);
	/* an owned record is its owner's alone, superadmins included */
	if (k->owner_col) {
		const char *owner = oyl__record_text(row, k->owner_col);
		if (!actor->id[0] || !owner || strcmp(owner, actor->id) != 0)
			return not_found(db, k, id);
	}
	if (actor->role == OYL_ROLE_SUPERADMIN)
		return OYL_OK;
	/* Scoping already kept other tenants' rows out; this says so again,
	 * and covers a batch read before the actor's tenant was known. */
	const char *tenant = oyl__row_tenant(k, row);
	if (!tenant || strcmp(tenant, actor->tenant_id) != 0)
		return not_found(db, k, id);
	return OYL_OK;
}

int oyl__insert(oyl_db *db, const char *scope, const oyl__kind *k, const oyl_value *vals)
{
	oyl__note note = {"storing", "a %s like this one already exists", k->noun};
	return oyl__write_insert(db, scope, k->t, vals, &note);
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

int oyl__finish_list(oyl_db *db, int rc, oyl__page_plan *plan, oyl_page **out)
{
	rc = oyl__txn_end(db, rc);
	if (rc != OYL_OK) {
		oyl__page_plan_drop(plan);
		return rc;
	}
	*out = plan->page;
	plan->page = NULL;
	return oyl__ok(db);
}

int oyl__finish_create(oyl_db *db, int rc, const oyl_table *t, const oyl_value *vals, void *out)
{
	oyl__record *rec = NULL;
	if (rc == OYL_OK && out) {
		rc = oyl__record_copy(t, vals, t->ncols, &rec);
		if (rc != OYL_OK)
			rc = oyl__fail(db, rc, "out of memory creating a record");
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

int oyl__get_public(oyl_actor *actor, const oyl__kind *k, const char *id, void *out)
{
	int rc;
	char key[OYL_UUID_LEN + 1];
	oyl_db *db = oyl__enter_out(actor, out, "get", &rc);
	if (!db || (rc = oyl__check_id(db, "id", id, key)))
		return rc;
	if ((rc = oyl__actor_begin(db, actor, OYL_TXN_READ)))
		return rc;
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	int target = oyl__batch_get(&bt, oyl__actor_scope(actor), k->t, key, OYL__LOCK_NONE);
	rc = oyl__batch_run(&bt);
	if (rc == OYL_OK)
		rc = oyl__visible(db, actor, k, oyl__batch_row(&bt, target), key);
	if (rc == OYL_OK)
		rc = oyl__authorize(db, actor, k->read);
	oyl__record *rec = rc == OYL_OK ? oyl__batch_take(&bt, target) : NULL;
	oyl__batch_free(&bt);
	return oyl__finish_read(db, rc, rec, out);
}

int oyl__delete_row(oyl_db *db, const oyl_actor *actor, const oyl__kind *k,
		    const oyl__record *row, int locked)
{
	const char *id = oyl__record_text(row, 0);
	int rc = k->before_delete ? k->before_delete(db, row) : OYL_OK;
	if (rc == OYL_OK) {
		oyl_filter f = oyl__eq(0, OYL_TYPE_UUID, id);
		oyl__note note = {"deleting", NULL, NULL};
		int64_t deleted = 0;
		rc = oyl__write_remove(db, oyl__row_scope(k, row), k->t, &f, 1,
				       locked ? NULL : &deleted, &note);
		if (rc == OYL_OK && !locked && deleted != 1)
			rc = not_found(db, k, id);
	}
	if (rc == OYL_OK)
		rc = oyl__audit(db, actor, oyl__row_tenant(k, row), "delete", k, id, NULL);
	return rc;
}

int oyl__delete_public(oyl_actor *actor, const oyl__kind *k, const char *id)
{
	int rc;
	char key[OYL_UUID_LEN + 1];
	oyl_db *db = oyl__enter(actor, NULL, &rc);
	if (!db || (rc = oyl__check_id(db, "id", id, key)))
		return rc;
	if ((rc = oyl__actor_begin(db, actor, OYL_TXN_WRITE)))
		return rc;
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	int target = oyl__batch_get(&bt, oyl__actor_scope(actor), k->t, key, OYL__LOCK_ROW);
	rc = oyl__batch_run(&bt);
	const oyl__record *row = oyl__batch_row(&bt, target);
	if (rc == OYL_OK)
		rc = oyl__visible(db, actor, k, row, key);
	if (rc == OYL_OK)
		rc = oyl__authorize(db, actor, k->write);
	if (rc == OYL_OK)
		rc = oyl__delete_row(db, actor, k, row, oyl__batch_locked(&bt, target));
	rc = oyl__txn_end(db, rc);
	oyl__batch_free(&bt);
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

#define COLUMNS_MAX 32 /* of a table an update writes */

/* The row as the update leaves it: the old one with the assignments. */
static int apply_set(oyl_db *db, const oyl__kind *k, const oyl__record *row, const oyl_assign *set,
		     size_t nset, oyl__record **fresh)
{
	oyl_value vals[COLUMNS_MAX];
	if (k->t->ncols > sizeof vals / sizeof vals[0])
		return oyl__fail(db, OYL_ERROR, "internal: table %s has too many columns", k->t->name);
	memcpy(vals, row->vals, k->t->ncols * sizeof vals[0]);
	for (size_t i = 0; i < nset; i++)
		vals[set[i].col] = set[i].value;
	int rc = oyl__record_copy(k->t, vals, k->t->ncols, fresh);
	if (rc == OYL_OK)
		(*fresh)->counts[0] = row->counts[0], (*fresh)->counts[1] = row->counts[1];
	return rc == OYL_OK ? OYL_OK : oyl__fail(db, rc, "out of memory updating a %s", k->noun);
}

int oyl__update_row(oyl_db *db, const oyl_actor *actor, const oyl__kind *k,
		    const oyl__record *row, int locked, oyl_assign *set, size_t nset,
		    const oyl__hooks *hooks, oyl__record **fresh)
{
	const char *id = oyl__record_text(row, 0);
	char detail[512];
	int rc = OYL_OK;

	/* the caller's assignments and updated_at, in an array of our own
	 * (the caller's has room for its own only) */
	oyl_assign all[COLUMNS_MAX + 1];
	if (nset >= sizeof all / sizeof all[0])
		return oyl__fail(db, OYL_EINVAL, "update: too many fields");
	memcpy(all, set, nset * sizeof *set);
	set = all;
	if (nset > 0) {
		if (fields_detail(k, set, nset, detail, sizeof detail))
			return oyl__fail(db, OYL_EINVAL, "update: too many fields");
		if (k->updated_col >= 0)
			set[nset++] = (oyl_assign){k->updated_col,
						   oyl__val_int(OYL_TYPE_TIME, oyl__now())};
		oyl_filter f = oyl__eq(0, OYL_TYPE_UUID, id);
		oyl__note note = {"updating", "a %s like this one already exists", k->noun};
		if (hooks && hooks->conflict)
			note = (oyl__note){"updating", hooks->conflict, hooks->conflict_arg};
		int64_t changed = 0;
		rc = oyl__write_update(db, oyl__row_scope(k, row), k->t, &f, 1, set, nset,
				       locked ? NULL : &changed, &note);
		if (rc == OYL_OK && !locked && changed != 1)
			rc = not_found(db, k, id);
		if (rc == OYL_OK)
			rc = oyl__audit(db, actor, oyl__row_tenant(k, row), "update", k, id, detail);
	}
	if (rc == OYL_OK && fresh)
		rc = apply_set(db, k, row, set, nset, fresh);
	return rc;
}

int oyl__update_public(oyl_actor *actor, const oyl__kind *k, const char *id, oyl_assign *set,
		       size_t nset, const oyl__hooks *hooks, void *out)
{
	int rc;
	char key[OYL_UUID_LEN + 1];
	oyl_db *db = oyl__enter(actor, NULL, &rc);
	if (!db || (rc = oyl__check_id(db, "id", id, key)))
		return rc;
	if ((rc = oyl__actor_begin(db, actor, OYL_TXN_WRITE)))
		return rc;
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	int target = oyl__batch_get(&bt, oyl__actor_scope(actor), k->t, key, OYL__LOCK_ROW);
	if (hooks && hooks->reads)
		hooks->reads(&bt, actor, hooks->ctx);
	rc = oyl__batch_run(&bt);
	const oyl__record *row = oyl__batch_row(&bt, target);
	if (rc == OYL_OK)
		rc = oyl__visible(db, actor, k, row, key);
	if (rc == OYL_OK)
		rc = hooks && hooks->check ? hooks->check(db, actor, row, &bt, hooks->ctx)
					   : oyl__authorize(db, actor, k->write);
	oyl__record *fresh = NULL;
	if (rc == OYL_OK)
		rc = oyl__update_row(db, actor, k, row, oyl__batch_locked(&bt, target), set, nset,
				     hooks, out ? &fresh : NULL);
	rc = oyl__txn_end(db, rc);
	oyl__batch_free(&bt);
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
	return oyl__list_children(actor, k, parent_id, NULL, 0, opts, out);
}

int oyl__list_children(oyl_actor *actor, const oyl__kind *k, const char *parent_id,
		       const oyl_filter *extra, size_t nextra, const oyl_list_options *opts,
		       oyl_page **out)
{
	int rc;
	oyl_db *db = oyl__enter_out(actor, out, "list", &rc);
	if (!db)
		return rc;
	const oyl__kind *pk = k->parent ? k->parent : &oyl__kind_tenant;
	char pid[OYL_UUID_LEN + 1];
	if ((rc = oyl__check_id(db, k->parent ? "parent id" : "tenant_id", parent_id, pid)))
		return rc;
	oyl_filter f[4] = {oyl__eq(k->parent_col, OYL_TYPE_UUID, pid)};
	if (nextra > sizeof f / sizeof f[0] - 1)
		return oyl__fail(db, OYL_ERROR, "internal: too many list filters");
	for (size_t i = 0; i < nextra; i++)
		f[1 + i] = extra[i];
	oyl__page_plan plan;
	if ((rc = oyl__page_plan_make(db, k->t, k->created_col, f, 1 + nextra, opts, &plan)))
		return rc;
	if ((rc = oyl__actor_begin(db, actor, OYL_TXN_READ))) {
		oyl__page_plan_drop(&plan);
		return rc;
	}
	/* the parent and the page together: the page is kept only if the
	 * parent turns out visible (its rows share the parent's tenant) */
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	const char *scope = oyl__actor_scope(actor);
	int parent = oyl__batch_get(&bt, scope, pk->t, pid, OYL__LOCK_NONE);
	oyl__page_plan_reads(&plan, &bt, scope);
	rc = oyl__batch_run(&bt);
	if (rc == OYL_OK)
		rc = oyl__visible(db, actor, pk, oyl__batch_row(&bt, parent), pid);
	if (rc == OYL_OK)
		rc = oyl__authorize(db, actor, k->read);
	if (rc == OYL_OK)
		rc = oyl__page_plan_finish(db, &plan, &bt);
	oyl__batch_free(&bt);
	return oyl__finish_list(db, rc, &plan, out);
}

int oyl__create_child(oyl_db *db, oyl_actor *actor, const oyl__kind *k, const char *parent_field,
		      const char *parent_id, oyl_value *v, oyl__create_check check, void *out)
{
	const oyl__kind *parent = k->parent ? k->parent : &oyl__kind_tenant;
	char pid[OYL_UUID_LEN + 1], id[OYL_UUID_LEN + 1], tenant[OYL_UUID_LEN + 1] = "";
	int rc = oyl__check_id(db, parent_field, parent_id, pid);
	if (rc)
		return rc;
	if ((rc = oyl__actor_begin(db, actor, OYL_TXN_WRITE)))
		return rc;
	/* The parent is not locked: the foreign key refuses a child of a parent
	 * deleted meanwhile, and the insert then fails with EREFERENCE. */
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	/* A tenant's own user, in its own tenant: the user's row, read in this
	 * batch, is proof enough that the tenant exists (users die with it). */
	int implied = parent == &oyl__kind_tenant && bt.actor_user >= 0 && actor->tenant_known &&
		      strcmp(actor->tenant_id, pid) == 0;
	int p = implied ? -1
			: oyl__batch_get(&bt, oyl__actor_scope(actor), parent->t, pid, OYL__LOCK_NONE);
	rc = oyl__batch_run(&bt);
	if (rc == OYL_OK && !implied)
		rc = oyl__visible(db, actor, parent, oyl__batch_row(&bt, p), pid);
	if (rc == OYL_OK)
		rc = oyl__authorize(db, actor, k->write);
	if (rc == OYL_OK) {
		memcpy(tenant, implied ? pid : oyl__row_tenant(parent, oyl__batch_row(&bt, p)),
		       OYL_UUID_LEN + 1);
		oyl__uuid_new(id);
		v[0] = oyl__val_text(OYL_TYPE_UUID, id);
		v[k->t->tenant_col] = oyl__val_text(OYL_TYPE_UUID, tenant);
		v[k->parent_col] = oyl__val_text(OYL_TYPE_UUID, pid);
		if (check)
			rc = check(db, tenant, v);
	}
	if (rc == OYL_OK)
		rc = oyl__insert(db, tenant, k, v);
	if (rc == OYL_OK)
		rc = oyl__audit(db, actor, tenant, "create", k, id, NULL);
	oyl__batch_free(&bt);
	return oyl__finish_create(db, rc, k->t, v, out);
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
