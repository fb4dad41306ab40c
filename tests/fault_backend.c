/* Fault-injecting backend wrapper (see fault_backend.h). */
#include "fault_backend.h"

#include <stdio.h>

typedef struct fault_backend {
	oyl_backend base; /* first: the core sees an oyl_backend */
	oyl_backend *inner;
	long calls, countdown;
	int code, fired, failed_last;
	int in_txn; /* between a begin that succeeded and its end */
} fault_backend;

static fault_backend *fb(oyl_backend *b)
{
	return (fault_backend *)b;
}

/* Counts a call; 1 when this one must fail. */
static int hit(oyl_backend *b)
{
	fault_backend *f = fb(b);
	f->calls++;
	f->failed_last = 0;
	if (f->countdown > 0 && --f->countdown == 0) {
		f->fired = 1;
		f->failed_last = 1;
		return 1;
	}
	return 0;
}

#define FAIL_OR(b, call) (hit(b) ? fb(b)->code : (call))

static int f_begin(oyl_backend *b, const oyl_scope *s, unsigned flags)
{
	int rc = FAIL_OR(b, fb(b)->inner->begin(fb(b)->inner, s, flags));
	fb(b)->in_txn = rc == OYL_OK;
	return rc;
}

static int f_commit(oyl_backend *b)
{
	fb(b)->in_txn = 0;
	return FAIL_OR(b, fb(b)->inner->commit(fb(b)->inner));
}

/* A failure is injected before COMMIT is sent, as for commit(): the core
 * rolls back.  The finish is not counted: once COMMIT went, what it did
 * stands (a failure then is a lost connection's: outcome unknown). */
static int f_commit_start(oyl_backend *b)
{
	fb(b)->in_txn = 0;
	return FAIL_OR(b, fb(b)->inner->commit_start(fb(b)->inner));
}

static int f_commit_finish(oyl_backend *b)
{
	return fb(b)->inner->commit_finish(fb(b)->inner);
}

static int f_rollback(oyl_backend *b)
{
	fb(b)->in_txn = 0;
	return fb(b)->inner->rollback(fb(b)->inner);
}

static int f_insert(oyl_backend *b, const oyl_scope *s, const oyl_table *t, const oyl_value *v)
{
	return FAIL_OR(b, fb(b)->inner->insert(fb(b)->inner, s, t, v));
}

static int f_get(oyl_backend *b, const oyl_scope *s, const oyl_table *t, const char *id,
		 oyl_row_cb cb, void *p)
{
	return FAIL_OR(b, fb(b)->inner->get(fb(b)->inner, s, t, id, cb, p));
}

static int f_update(oyl_backend *b, const oyl_scope *s, const oyl_table *t, const oyl_filter *f,
		    size_t nf, const oyl_assign *set, size_t nset, int64_t *changed)
{
	return FAIL_OR(b, fb(b)->inner->update(fb(b)->inner, s, t, f, nf, set, nset, changed));
}

static int f_remove(oyl_backend *b, const oyl_scope *s, const oyl_table *t, const oyl_filter *f,
		    size_t nf, int64_t *deleted)
{
	return FAIL_OR(b, fb(b)->inner->remove(fb(b)->inner, s, t, f, nf, deleted));
}

static int f_list(oyl_backend *b, const oyl_scope *s, const oyl_table *t, const oyl_query *q,
		  oyl_row_cb cb, void *p)
{
	return FAIL_OR(b, fb(b)->inner->list(fb(b)->inner, s, t, q, cb, p));
}

static int f_count(oyl_backend *b, const oyl_scope *s, const oyl_table *t, const oyl_filter *f,
		   size_t nf, int64_t *count)
{
	return FAIL_OR(b, fb(b)->inner->count(fb(b)->inner, s, t, f, nf, count));
}

static int f_postings(oyl_backend *b, const oyl_scope *s, const char *kb,
		      const char *const *terms, size_t n, oyl_postings_cb cb, void *p)
{
	return FAIL_OR(b, fb(b)->inner->postings(fb(b)->inner, s, kb, terms, n, cb, p));
}

static int f_migrate(oyl_backend *b, int target, int *from)
{
	return FAIL_OR(b, fb(b)->inner->migrate(fb(b)->inner, target, from));
}

static int f_schema_version(oyl_backend *b, int *version)
{
	return FAIL_OR(b, fb(b)->inner->schema_version(fb(b)->inner, version));
}

static int f_lock(oyl_backend *b, const oyl_scope *s, const oyl_table *t, const char *id)
{
	return FAIL_OR(b, fb(b)->inner->lock(fb(b)->inner, s, t, id));
}

static int f_read_many(oyl_backend *b, oyl_read *reads, size_t n)
{
	return FAIL_OR(b, fb(b)->inner->read_many(fb(b)->inner, reads, n));
}

/* It ends the transaction whatever its status: an injected failure too. */
static int f_read_many_commit(oyl_backend *b, oyl_read *reads, size_t n, int *committed)
{
	fb(b)->in_txn = 0;
	if (hit(b)) {
		*committed = 0;
		fb(b)->inner->rollback(fb(b)->inner);
		return fb(b)->code;
	}
	return fb(b)->inner->read_many_commit(fb(b)->inner, reads, n, committed);
}

static int f_get_many(oyl_backend *b, const oyl_scope *s, const oyl_table *t,
		      const char *const *ids, size_t n, oyl_row_cb cb, void *p)
{
	return FAIL_OR(b, fb(b)->inner->get_many(fb(b)->inner, s, t, ids, n, cb, p));
}

static int f_insert_many(oyl_backend *b, const oyl_scope *s, const oyl_table *t,
			 const oyl_value *rows, size_t nrows, size_t *failed_row)
{
	return FAIL_OR(b, fb(b)->inner->insert_many(fb(b)->inner, s, t, rows, nrows, failed_row));
}

static int f_claim(oyl_backend *b, const oyl_scope *s, const oyl_table *t, const oyl_filter *f,
		   size_t nf, int32_t order_col, int64_t limit, const oyl_assign *set, size_t nset,
		   oyl_row_cb cb, void *p)
{
	return FAIL_OR(b, fb(b)->inner->claim(fb(b)->inner, s, t, f, nf, order_col, limit, set, nset,
					      cb, p));
}

static int f_locate(oyl_backend *b, const oyl_table *t, int32_t col, const char *key,
		    char tenant[37], char id[37])
{
	return FAIL_OR(b, fb(b)->inner->locate(fb(b)->inner, t, col, key, tenant, id));
}

/* An injected fault is no deferred write's. */
static int f_failed_write(oyl_backend *b)
{
	return fb(b)->failed_last ? -1 : fb(b)->inner->failed_write(fb(b)->inner);
}

static const char *f_errmsg(oyl_backend *b)
{
	return fb(b)->failed_last ? "injected fault" : fb(b)->inner->errmsg(fb(b)->inner);
}

static void f_free(oyl_backend *b)
{
	fb(b)->inner->free(fb(b)->inner);
	oyl_free(b);
}

oyl_backend *fault_backend_new(oyl_backend *inner)
{
	fault_backend *f = oyl_malloc(sizeof *f);
	if (!f) {
		inner->free(inner);
		return NULL;
	}
	oyl_backend base = OYL_BACKEND_INIT;
	base.name = inner->name;
	base.begin = f_begin;
	base.commit = f_commit;
	base.rollback = f_rollback;
	base.insert = f_insert;
	base.get = f_get;
	base.update = f_update;
	base.remove = f_remove;
	base.list = f_list;
	base.count = f_count;
	base.migrate = f_migrate;
	base.schema_version = f_schema_version;
	base.errmsg = f_errmsg;
	base.free = f_free;
	/* wrap no newer interface than the inner backend has */
	base.version = inner->version < OYL_BACKEND_VERSION ? inner->version : OYL_BACKEND_VERSION;
	if (base.version >= 2 && inner->lock)
		base.lock = f_lock;
	if (base.version >= 3) {
		if (inner->read_many)
			base.read_many = f_read_many;
		if (inner->get_many)
			base.get_many = f_get_many;
		if (inner->insert_many)
			base.insert_many = f_insert_many;
		if (inner->claim)
			base.claim = f_claim;
		if (inner->failed_write)
			base.failed_write = f_failed_write;
	}
	if (base.version >= 4 && inner->locate)
		base.locate = f_locate;
	if (base.version >= 6 && inner->postings)
		base.postings = f_postings;
	if (base.version >= 7 && inner->read_many_commit)
		base.read_many_commit = f_read_many_commit;
	if (base.version >= 8 && inner->commit_start && inner->commit_finish) {
		base.commit_start = f_commit_start;
		base.commit_finish = f_commit_finish;
	}
	*f = (fault_backend){base, inner, 0, 0, OYL_ESTORAGE, 0, 0, 0};
	return &f->base;
}

oyl_backend *fault_backend_inner(oyl_backend *b)
{
	return fb(b)->inner;
}

void fault_backend_arm(oyl_backend *b, long n, int code)
{
	fb(b)->countdown = n;
	fb(b)->code = code;
	fb(b)->fired = 0;
}

int fault_backend_fired(oyl_backend *b)
{
	return fb(b)->fired;
}

long fault_backend_calls(oyl_backend *b)
{
	return fb(b)->calls;
}

int fault_backend_in_txn(oyl_backend *b)
{
	return fb(b)->in_txn;
}
