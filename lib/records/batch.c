/* Read batches (see batch.h). */
#include <string.h>

#include "records/batch.h"

void oyl__batch_init(oyl__batch *bt, oyl_db *db)
{
	bt->db = db;
	bt->n = 0;
	bt->overflow = 0;
	bt->actor_user = bt->actor_account = -1;
}

void oyl__batch_free(oyl__batch *bt)
{
	for (size_t i = 0; i < bt->n; i++) {
		oyl__record_free(bt->sinks[i].rec);
		bt->sinks[i].rec = NULL;
	}
	bt->n = 0;
}

static oyl_read *add(oyl__batch *bt, int kind, const char *scope, const oyl_table *t, int *index)
{
	if (bt->n == OYL__BATCH_MAX) {
		bt->overflow = 1;
		*index = -1;
		return NULL;
	}
	size_t i = bt->n++;
	bt->scopes[i].tenant_id = scope;
	bt->sinks[i] = (oyl__record_sink){t, NULL};
	bt->lock[i] = OYL__LOCK_NONE;
	bt->locked[i] = 0;
	oyl_read *r = &bt->reads[i];
	memset(r, 0, sizeof *r);
	r->kind = kind;
	r->scope = &bt->scopes[i];
	r->table = t;
	r->parent = -1;
	*index = (int)i;
	return r;
}

/* A row lock is only asked where it can be had: a tenant's row in its
 * tenant's scope, or a row of a global table. */
static int lockable(const char *scope, const oyl_table *t)
{
	return t->tenant_col < 0 || scope != NULL;
}

int oyl__batch_get(oyl__batch *bt, const char *scope, const oyl_table *t, const char *id,
		   oyl__lock lock)
{
	int i;
	oyl_read *r = add(bt, OYL_READ_GET, scope, t, &i);
	if (r) {
		r->id = id;
		r->cb = oyl__record_cb;
		r->payload = &bt->sinks[i];
		bt->lock[i] = lockable(scope, t) ? (unsigned char)lock : OYL__LOCK_NONE;
	}
	return i;
}

int oyl__batch_list(oyl__batch *bt, const char *scope, const oyl_table *t, const oyl_query *q,
		    oyl_row_cb cb, void *payload)
{
	int i;
	oyl_read *r = add(bt, OYL_READ_LIST, scope, t, &i);
	if (r) {
		r->query = q;
		r->cb = cb;
		r->payload = payload;
	}
	return i;
}

bool oyl__batch_any_is_one(const oyl_db *db)
{
	return (db->caps & OYL_BACKEND_CAP_LIST_ANY) != 0;
}

int oyl__batch_list_any(oyl__batch *bt, const char *scope, const oyl_table *t,
			const oyl_query *q, size_t per, oyl_row_cb cb, void *payload)
{
	int i = -1;
	if (oyl__batch_any_is_one(bt->db)) {
		oyl_read *r = add(bt, OYL_READ_LIST_ANY, scope, t, &i);
		if (r) {
			r->query = q;
			r->group_col = (int32_t)per;
			r->cb = cb;
			r->payload = payload;
		}
		return i;
	}
	/* a backend without it: a list read per alternative */
	for (size_t a = 0; per && a < q->nfilters / per; a++) {
		int k;
		oyl_read *r = add(bt, OYL_READ_LIST, scope, t, &k);
		if (!r)
			return -1;
		bt->filters[k] = *q;
		bt->filters[k].filters = q->filters + a * per;
		bt->filters[k].nfilters = per;
		r->query = &bt->filters[k];
		r->cb = cb;
		r->payload = payload;
		if (i < 0)
			i = k;
	}
	return i;
}

int oyl__batch_count(oyl__batch *bt, const char *scope, const oyl_table *t,
		     const oyl_filter *filters, size_t nfilters)
{
	int i;
	oyl_read *r = add(bt, OYL_READ_COUNT, scope, t, &i);
	if (r) {
		bt->filters[i] = (oyl_query){filters, nfilters, 0, 0, NULL, NULL, 0, 0};
		r->query = &bt->filters[i];
	}
	return i;
}

int oyl__batch_count_by(oyl__batch *bt, const char *scope, const oyl_table *t,
			const oyl_filter *filters, size_t nfilters, int32_t group_col, int parent,
			oyl_row_cb cb, void *payload)
{
	int i;
	oyl_read *r = add(bt, OYL_READ_COUNT_BY, scope, t, &i);
	if (r) {
		bt->filters[i] = (oyl_query){filters, nfilters, 0, 0, NULL, NULL, 0, 0};
		r->query = &bt->filters[i];
		r->group_col = group_col;
		r->parent = parent;
		r->cb = cb;
		r->payload = payload;
	}
	return i;
}

/* ---- running ----------------------------------------------------------- */

/* The ids a list delivered, kept for the counts grouped by them. */
typedef struct id_tap {
	oyl_row_cb cb;
	void *payload;
	char (*ids)[OYL_UUID_LEN + 1];
	size_t n, cap;
	int oom;
} id_tap;

static int tap_row(const oyl_value *vals, size_t n, void *payload)
{
	id_tap *tap = payload;
	if (tap->n == tap->cap) {
		size_t cap = tap->cap ? tap->cap * 2 : 32;
		void *ids = oyl__realloc(tap->ids, cap * sizeof *tap->ids);
		if (!ids)
			return OYL_ENOMEM;
		tap->ids = ids;
		tap->cap = cap;
	}
	if (vals[0].s && vals[0].n == OYL_UUID_LEN)
		memcpy(tap->ids[tap->n++], vals[0].s, OYL_UUID_LEN + 1);
	return tap->cb(vals, n, tap->payload);
}

/* Without read_many: COUNT_BY as one count per id of its parent list. */
static int count_by_one_by_one(oyl_backend *b, const oyl_read *r, const id_tap *tap)
{
	const oyl_query *fq = r->query;
	oyl_filter f[8];
	size_t nf = fq->nfilters;
	if (nf + 1 > sizeof f / sizeof f[0])
		return OYL_EINVAL;
	if (nf)
		memcpy(f, fq->filters, nf * sizeof f[0]);
	for (size_t k = 0; k < tap->n; k++) {
		int64_t count = 0;
		f[nf] = (oyl_filter){r->group_col, OYL_OP_EQ,
				     {OYL_TYPE_UUID, 0, 0, tap->ids[k], OYL_UUID_LEN}};
		int rc = b->count(b, r->scope, r->table, f, nf + 1, &count);
		if (rc != OYL_OK)
			return rc;
		if (count == 0)
			continue;
		oyl_value group[2] = {{OYL_TYPE_UUID, 0, 0, tap->ids[k], OYL_UUID_LEN},
				      {OYL_TYPE_INT, count, 0, NULL, 0}};
		if ((rc = r->cb(group, 2, r->payload)) != OYL_OK)
			return rc;
	}
	return OYL_OK;
}

/*
 * Without read_many: each read with get, list, count.  A lock the call
 * decides on is taken with lock() where the backend has it; a lock on a
 * row the call will change is not taken (the write checks its count).
 */
static int one_by_one(oyl__batch *bt)
{
	oyl_backend *b = bt->db->backend;
	id_tap taps[OYL__BATCH_MAX];
	int rc = OYL_OK;

	memset(taps, 0, sizeof taps);
	for (size_t i = 0; i < bt->n; i++)
		if (bt->reads[i].kind == OYL_READ_COUNT_BY && bt->reads[i].parent >= 0) {
			oyl_read *p = &bt->reads[bt->reads[i].parent];
			id_tap *tap = &taps[bt->reads[i].parent];
			if (!tap->cb) {
				tap->cb = p->cb;
				tap->payload = p->payload;
				p->cb = tap_row;
				p->payload = tap;
			}
		}
	for (size_t i = 0; i < bt->n && rc == OYL_OK; i++) {
		oyl_read *r = &bt->reads[i];
		r->status = OYL_OK;
		switch (r->kind) {
		case OYL_READ_GET:
			if (bt->lock[i] == OYL__LOCK_DECIDE && (bt->db->caps & OYL_BACKEND_CAP_LOCK)) {
				rc = b->lock(b, r->scope, r->table, r->id);
				bt->locked[i] = rc == OYL_OK;
				if (rc == OYL_ENOTFOUND) {
					r->status = OYL_ENOTFOUND;
					rc = OYL_OK;
					break;
				}
				if (rc != OYL_OK)
					break;
			}
			rc = b->get(b, r->scope, r->table, r->id, r->cb, r->payload);
			if (rc == OYL_ENOTFOUND) {
				r->status = OYL_ENOTFOUND;
				rc = OYL_OK;
			}
			break;
		case OYL_READ_LIST:
			rc = b->list(b, r->scope, r->table, r->query, r->cb, r->payload);
			break;
		case OYL_READ_COUNT:
			rc = b->count(b, r->scope, r->table, r->query->filters, r->query->nfilters,
				      &r->count);
			break;
		case OYL_READ_COUNT_BY:
			rc = count_by_one_by_one(b, r, &taps[r->parent]);
			break;
		default:
			rc = OYL_EINVAL;
			break;
		}
	}
	for (size_t i = 0; i < bt->n; i++) {
		if (taps[i].cb) {
			bt->reads[i].cb = taps[i].cb;
			bt->reads[i].payload = taps[i].payload;
		}
		oyl__free(taps[i].ids);
	}
	return rc;
}

void (*oyl__after_batch_hook)(oyl_db *db);

/* The row locks as read_many() takes them. */
static void set_locks(oyl__batch *bt)
{
	for (size_t i = 0; i < bt->n; i++) {
		bt->reads[i].lock = bt->lock[i] ? OYL_LOCK_UPDATE : OYL_LOCK_NONE;
		bt->locked[i] = bt->lock[i] != OYL__LOCK_NONE;
	}
}

int oyl__batch_execute_end(oyl__batch *bt)
{
	oyl_db *db = bt->db;
	if (!db->in_txn || bt->overflow || bt->n == 0 || !(db->caps & OYL_BACKEND_CAP_READ_MANY) ||
	    !(db->caps & OYL_BACKEND_CAP_READ_COMMIT))
		return oyl__txn_end(db, oyl__batch_execute(bt));
	set_locks(bt);
	int rc = oyl__txn_end_reading(db, bt->reads, bt->n);
	if (rc == OYL_OK && oyl__after_batch_hook)
		oyl__after_batch_hook(db);
	return rc;
}

int oyl__batch_execute(oyl__batch *bt)
{
	oyl_db *db = bt->db;

	if (bt->overflow)
		return oyl__fail(db, OYL_ERROR, "internal: a read batch holds at most %d reads",
				 OYL__BATCH_MAX);
	if (bt->n == 0)
		return OYL_OK;
	int rc;
	if (db->caps & OYL_BACKEND_CAP_READ_MANY) {
		set_locks(bt);
		rc = db->backend->read_many(db->backend, bt->reads, bt->n);
	} else {
		rc = one_by_one(bt);
	}
	if (rc == OYL_ENOMEM)
		return oyl__fail(db, rc, "out of memory reading");
	if (rc != OYL_OK)
		return oyl__fail_backend(db, rc, "reading");
	if (oyl__after_batch_hook)
		oyl__after_batch_hook(db);
	return OYL_OK;
}

const oyl__record *oyl__batch_row(const oyl__batch *bt, int i)
{
	if (i < 0 || (size_t)i >= bt->n || bt->reads[i].status != OYL_OK)
		return NULL;
	return bt->sinks[i].rec;
}

oyl__record *oyl__batch_take(oyl__batch *bt, int i)
{
	if (!oyl__batch_row(bt, i))
		return NULL;
	oyl__record *r = bt->sinks[i].rec;
	bt->sinks[i].rec = NULL;
	return r;
}

int64_t oyl__batch_count_of(const oyl__batch *bt, int i)
{
	return (i >= 0 && (size_t)i < bt->n) ? bt->reads[i].count : 0;
}

int oyl__batch_locked(const oyl__batch *bt, int i)
{
	return i >= 0 && (size_t)i < bt->n && bt->locked[i];
}
