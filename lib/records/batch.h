/*
 * Read batches: the reads a call decides on, gathered and run together,
 * in one round trip on a backend with read_many (PostgreSQL), one after
 * the other on any other, with the same results.
 *
 * A call adds its reads (each returns its index), runs the batch once,
 * then looks at each read's row, rows or count.  GET rows are copied
 * into records the batch owns until taken; LIST rows go to the caller's
 * callback (a page's collector).
 *
 * Public calls start and run their batches through access/actor.h, which
 * adds the reads of the actor's own user to the transaction's first one.
 */
#ifndef OYL_RECORDS_BATCH_H
#define OYL_RECORDS_BATCH_H

#include <stdbool.h>

#include "records/record.h"

#define OYL__BATCH_MAX 20

/* Row locks a read asks for (see OYL_LOCK_UPDATE). */
typedef enum oyl__lock {
	OYL__LOCK_NONE = 0,
	/* A row the call will change: locked where the backend can (then the
	 * write needs no row count); otherwise the write checks its count. */
	OYL__LOCK_ROW = 1,
	/* A row the call decides on (a quota): only a backend that can lock
	 * may decide; batch_locked() tells whether it was. */
	OYL__LOCK_DECIDE = 2
} oyl__lock;

typedef struct oyl__batch {
	oyl_db *db;
	size_t n;
	int overflow;
	oyl_read reads[OYL__BATCH_MAX];
	oyl_scope scopes[OYL__BATCH_MAX];
	oyl_query filters[OYL__BATCH_MAX];       /* COUNT, COUNT_BY: their filters; a
						  * LIST per alternative: its query */
	oyl__record_sink sinks[OYL__BATCH_MAX];  /* GET: the row */
	unsigned char lock[OYL__BATCH_MAX];      /* an oyl__lock asked */
	unsigned char locked[OYL__BATCH_MAX];    /* the row lock was taken */
	int actor_user, actor_account;           /* the actor's reads (access/actor.c), or -1 */
} oyl__batch;

void oyl__batch_init(oyl__batch *bt, oyl_db *db);
/* Frees the records not taken. */
void oyl__batch_free(oyl__batch *bt);

/* The row of t with that id, in scope (NULL: the platform). */
int oyl__batch_get(oyl__batch *bt, const char *scope, const oyl_table *t, const char *id,
		   oyl__lock lock);
/* The rows of a query (which must live until the batch has run). */
int oyl__batch_list(oyl__batch *bt, const char *scope, const oyl_table *t, const oyl_query *q,
		    oyl_row_cb cb, void *payload);
/* The rows of q matching any of its alternatives: q->filters holds `per`
 * filters per alternative (OYL_READ_LIST_ANY).  In one read where the
 * backend answers such reads; else a list read per alternative, whose
 * rows then come alternative after alternative (so q should ask no limit
 * and the caller not rely on the order across alternatives).  q must live
 * until the batch has run; the index of the (first) read. */
int oyl__batch_list_any(oyl__batch *bt, const char *scope, const oyl_table *t,
			const oyl_query *q, size_t per, oyl_row_cb cb, void *payload);
/* Whether oyl__batch_list_any is one read (else one per alternative). */
bool oyl__batch_any_is_one(const oyl_db *db);
/* The number of rows matching the filters (which must live until run). */
int oyl__batch_count(oyl__batch *bt, const char *scope, const oyl_table *t,
		     const oyl_filter *filters, size_t nfilters);
/* Rows matching the filters counted per group_col, for the ids the list
 * read `parent` returns: cb gets {id, count} per group with rows. */
int oyl__batch_count_by(oyl__batch *bt, const char *scope, const oyl_table *t,
			const oyl_filter *filters, size_t nfilters, int32_t group_col, int parent,
			oyl_row_cb cb, void *payload);

/* Test-only: called after every batch that ran (NULL: nothing). */
extern void (*oyl__after_batch_hook)(oyl_db *db);

/* Runs the batch (see access/actor.h for the one public calls use). */
int oyl__batch_execute(oyl__batch *bt);
/* Runs the batch and ends the open transaction: committed with the reads
 * in one exchange where the backend can (oyl__txn_end_reading), else the
 * reads and then oyl__txn_end.  The status of both. */
int oyl__batch_execute_end(oyl__batch *bt);

/* After the run: the row of GET i (owned by the batch), or NULL. */
const oyl__record *oyl__batch_row(const oyl__batch *bt, int i);
/* The row of GET i, now the caller's. */
oyl__record *oyl__batch_take(oyl__batch *bt, int i);
int64_t oyl__batch_count_of(const oyl__batch *bt, int i);
/* Whether read i's rows are locked. */
int oyl__batch_locked(const oyl__batch *bt, int i);

#endif
