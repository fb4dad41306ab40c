/* The handle's blob store, and the files it releases after a commit. */
#include "blobs/blob.h"

#include <string.h>

typedef struct pending {
	char tenant[OYL_UUID_LEN + 1];
	char *ref; /* NULL: the whole tenant */
} pending;

typedef struct pending_list {
	pending *p;
	size_t n, cap;
} pending_list;

oyl__blob_store *oyl__blobs(oyl_db *db)
{
	return db->blobs;
}

static void drop(pending_list *l)
{
	for (size_t i = 0; l && i < l->n; i++)
		oyl__free(l->p[i].ref);
	if (l)
		oyl__free(l->p);
	oyl__free(l);
}

/* After the transaction: the releases run once it committed.  Their
 * failures change nothing of the call, which has committed: a file left
 * behind is oyl_gc()'s. */
static void on_end(oyl_db *db, int committed)
{
	pending_list *l = db->end_ctx;
	db->end_ctx = NULL;
	if (committed) {
		oyl__kept_error kept;
		oyl__error_keep(db, &kept);
		for (size_t i = 0; l && i < l->n; i++)
			db->blobs->release(db->blobs, db, l->p[i].tenant, l->p[i].ref);
		oyl__error_restore(db, &kept);
	}
	drop(l);
}

int oyl__blob_release_after_commit(oyl_db *db, const char *tenant, const char *ref)
{
	if (!db->blobs || strcmp(db->blobs->name, "database") == 0)
		return OYL_OK; /* the cascade takes the pieces in the transaction */
	if (!tenant || strlen(tenant) != OYL_UUID_LEN)
		return OYL_OK;
	pending_list *l = db->end_ctx;
	if (!l) {
		if (!(l = oyl__calloc(1, sizeof *l)))
			return oyl__fail(db, OYL_ENOMEM, "out of memory deleting a document");
		db->end_ctx = l;
		db->on_end = on_end;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		pending *p = oyl__realloc(l->p, cap * sizeof *p);
		if (!p)
			return oyl__fail(db, OYL_ENOMEM, "out of memory deleting a document");
		l->p = p;
		l->cap = cap;
	}
	pending *p = &l->p[l->n];
	memcpy(p->tenant, tenant, OYL_UUID_LEN + 1);
	p->ref = NULL;
	if (ref && !(p->ref = oyl__strdup(ref)))
		return oyl__fail(db, OYL_ENOMEM, "out of memory deleting a document");
	l->n++;
	return OYL_OK;
}

OYL_API int oyl_gc(oyl_db *db, int64_t *removed)
{
	int64_t n = 0;
	if (removed)
		*removed = 0;
	if (!oyl__db_check(db))
		return OYL_EMISUSE;
	oyl__ok(db);
	int rc = db->blobs->gc(db->blobs, db, &n);
	if (removed)
		*removed = n;
	return rc ? rc : oyl__ok(db);
}
