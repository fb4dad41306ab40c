/*
 * The transaction of a public call, and its writes.
 *
 * Every write goes through here with a note of what to say if it fails.
 * A backend may defer writes (PostgreSQL sends them with COMMIT, to save
 * round trips): their failure then surfaces from a later call, and the
 * backend's failed_write() says which write it was; its note gives the
 * message the call would have had at once.
 */
#include <stdio.h>
#include <string.h>

#include "core/internal.h"

int oyl__txn_begin(oyl_db *db, oyl_actor *actor, const char *tenant, unsigned flags)
{
	if (actor)
		tenant = actor->tenant_known && actor->tenant_id[0] ? actor->tenant_id : NULL;
	oyl_scope scope = {tenant};
	int rc = db->backend->begin(db->backend, &scope, flags);
	if (rc != OYL_OK)
		return oyl__fail_backend(db, rc, "starting a transaction");
	db->in_txn = 1;
	db->txn_flags = flags;
	/* the bootstrap superadmin has no user to check */
	db->txn_actor = actor && actor->id[0] ? actor : NULL;
	db->actor_checked = 0;
	db->nnotes = 0;
	return OYL_OK;
}

static void clear_txn(oyl_db *db)
{
	db->in_txn = 0;
	db->txn_actor = NULL;
	db->actor_checked = 0;
}

/* What was to happen once the transaction ended; it may open another. */
static void run_on_end(oyl_db *db, int committed)
{
	void (*fn)(oyl_db *, int) = db->on_end;
	db->on_end = NULL;
	if (fn)
		fn(db, committed);
}

/* After commit() or commit_finish(): the transaction is over either way. */
static int committed(oyl_db *db, int rc)
{
	if (rc != OYL_OK) {
		oyl__fail_backend(db, rc, "committing");
		db->backend->rollback(db->backend);
	}
	db->nnotes = 0;
	clear_txn(db);
	/* A failed COMMIT may still have committed (a lost connection):
	 * what waits for the commit is dropped, never done wrongly; a
	 * file kept too long is oyl_gc()'s. */
	run_on_end(db, rc == OYL_OK);
	return rc;
}

int oyl__txn_end(oyl_db *db, int status)
{
	if (!db->in_txn)
		return status;
	if (status == OYL_OK)
		return committed(db, db->backend->commit(db->backend));
	db->backend->rollback(db->backend);
	db->nnotes = 0;
	clear_txn(db);
	run_on_end(db, 0);
	return status;
}

int oyl__txn_end_start(oyl_db *db, int status)
{
	db->end_pending = 0;
	if (status != OYL_OK || !db->in_txn || !(db->caps & OYL_BACKEND_CAP_COMMIT_START))
		return oyl__txn_end(db, status);
	int rc = db->backend->commit_start(db->backend);
	if (rc != OYL_OK)
		return committed(db, rc);
	db->end_pending = 1;
	return OYL_OK;
}

int oyl__txn_end_finish(oyl_db *db)
{
	if (!db->end_pending)
		return OYL_OK; /* the start ended it; a failure was the start's to return */
	db->end_pending = 0;
	return committed(db, db->backend->commit_finish(db->backend));
}

int oyl__txn_end_reading(oyl_db *db, oyl_read *reads, size_t n)
{
	int committed = 0;
	int rc = db->backend->read_many_commit(db->backend, reads, n, &committed);
	if (rc == OYL_ENOMEM)
		rc = oyl__fail(db, rc, "out of memory reading");
	else if (rc != OYL_OK) /* still in the transaction: a deferred write's note applies */
		rc = oyl__fail_backend(db, rc, committed ? "reading" : "reading and committing");
	db->nnotes = 0;
	clear_txn(db);
	run_on_end(db, committed);
	return rc;
}

/* Keeps the note of the next write.  Out of memory for it, the notes stop
 * (the numbering goes on): a failure is then told less well, never wrongly. */
static void keep_note(oyl_db *db, const oyl__note *note)
{
	if (!(db->caps & OYL_BACKEND_CAP_DEFER))
		return; /* failures come at once, with the note at hand */
	if (db->nnotes == db->cap_notes) {
		size_t cap = db->cap_notes ? db->cap_notes * 2 : 16;
		oyl__note *n = oyl__realloc(db->notes, cap * sizeof *n);
		if (n) {
			db->notes = n;
			db->cap_notes = cap;
		}
	}
	if (db->nnotes < db->cap_notes)
		db->notes[db->nnotes] = *note;
	db->nnotes++;
}

static int fail_note(oyl_db *db, int rc, const oyl__note *note)
{
	if (rc == OYL_ECONFLICT && note->conflict)
		return oyl__fail(db, rc, note->conflict, note->arg ? note->arg : "");
	if (rc == OYL_ENOMEM)
		return oyl__fail(db, rc, "out of memory %s", note->doing);
	const char *why = db->backend->errmsg ? db->backend->errmsg(db->backend) : NULL;
	return oyl__fail(db, rc, "%s: %s", note->doing, (why && *why) ? why : oyl_strerror(rc));
}

int oyl__fail_backend(oyl_db *db, int code, const char *doing)
{
	if ((db->caps & OYL_BACKEND_CAP_DEFER) && db->in_txn) {
		int w = db->backend->failed_write(db->backend);
		if (w >= 0 && (size_t)w < db->nnotes && (size_t)w < db->cap_notes)
			return fail_note(db, code, &db->notes[w]);
	}
	const char *why = db->backend->errmsg ? db->backend->errmsg(db->backend) : NULL;
	return oyl__fail(db, code, "%s: %s", doing, (why && *why) ? why : oyl_strerror(code));
}

int oyl__write_insert(oyl_db *db, const char *tenant, const oyl_table *t, const oyl_value *vals,
		      const oyl__note *note)
{
	oyl_scope s = {tenant};
	keep_note(db, note);
	int rc = db->backend->insert(db->backend, &s, t, vals);
	return rc == OYL_OK ? OYL_OK : fail_note(db, rc, note);
}

int oyl__write_update(oyl_db *db, const char *tenant, const oyl_table *t,
		      const oyl_filter *filters, size_t nfilters, const oyl_assign *set,
		      size_t nset, int64_t *changed, const oyl__note *note)
{
	oyl_scope s = {tenant};
	keep_note(db, note);
	int rc = db->backend->update(db->backend, &s, t, filters, nfilters, set, nset, changed);
	return rc == OYL_OK ? OYL_OK : fail_note(db, rc, note);
}

int oyl__write_insert_many(oyl_db *db, const char *tenant, const oyl_table *t,
			   const oyl_value *rows, size_t nrows, const oyl__note *note)
{
	oyl_scope s = {tenant};
	if (db->caps & OYL_BACKEND_CAP_INSERT_MANY) {
		keep_note(db, note);
		int rc = db->backend->insert_many(db->backend, &s, t, rows, nrows, NULL);
		return rc == OYL_OK ? OYL_OK : fail_note(db, rc, note);
	}
	for (size_t r = 0; r < nrows; r++) {
		int rc = oyl__write_insert(db, tenant, t, rows + r * t->ncols, note);
		if (rc)
			return rc;
	}
	return OYL_OK;
}

int oyl__write_remove(oyl_db *db, const char *tenant, const oyl_table *t,
		      const oyl_filter *filters, size_t nfilters, int64_t *deleted,
		      const oyl__note *note)
{
	oyl_scope s = {tenant};
	keep_note(db, note);
	int rc = db->backend->remove(db->backend, &s, t, filters, nfilters, deleted);
	return rc == OYL_OK ? OYL_OK : fail_note(db, rc, note);
}

int oyl__unsupported(oyl_db *db, const char *method, const char *why)
{
	return oyl__fail(db, OYL_ENOTSUP,
			 "not supported: backend \"%s\" (interface version %u) has no %s method, "
			 "which %s",
			 db->backend->name ? db->backend->name : "?", db->backend->version, method,
			 why);
}
