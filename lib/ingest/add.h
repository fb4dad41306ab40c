/*
 * Adding a document (ingest/ingest.c), in the three stages that
 * oyl_doc_ingest runs one after the other and oyl_doc_ingest_many
 * overlaps (ingest/ingest_many.c): the next document's work is done while
 * the server commits the one before.
 *
 *   prepare  no transaction open: the pre-read (the knowledge base, and
 *            a document of the same bytes: OYL_EXISTS), then the work
 *            (text extracted, chunked, indexed) when done at once;
 *   store    the blob store's stage and one transaction, its commit sent
 *            and not waited for (where the backend can: commit_start);
 *   end      the commit waited for, the outcome told.
 *
 * Between store and end only work that touches no storage may run on
 * the handle: oyl__add_prepare with at_once and no pre-read is not that
 * (it reads), so the caller reads first.
 */
#ifndef OYL_INGEST_ADD_H
#define OYL_INGEST_ADD_H

#include "blobs/blob.h"
#include "ingest/pipeline.h"
#include "ingest/source.h"

/* The options of an add, checked (oyl__doc_resolve_opts). */
typedef struct oyl__doc_opts {
	int64_t max_bytes;
	oyl__chunk_options chunking;
	oyl_progress_fn progress;
	void *progress_ctx;
} oyl__doc_opts;

/* Checks the host's options (NULL: the defaults) into *out. */
int oyl__doc_resolve_opts(oyl_db *db, const oyl_doc_options *o, oyl__doc_opts *out);

/*
 * What a new document is stored as: uploaded (for a worker, or for the
 * processing that follows), or, by oyl_doc_ingest at once, processed with
 * its text and chunks, or in error with the work's message.
 */
typedef struct oyl__add_outcome {
	int queue;                 /* uploaded, with a job for the workers */
	const oyl__doc_text *done; /* processed */
	const char *error;         /* in error */
	const oyl__record *kb;     /* its knowledge base, locked when processed */
} oyl__add_outcome;

/* One document on its way in.  It points into itself: never copied. */
typedef struct oyl__adding {
	oyl__doc_work w;
	const char *kb;
	const oyl__source *src;
	const oyl__doc_opts *o;
	oyl__add_outcome oc;
	oyl__doc_text done;       /* the work's text and chunks */
	int work_rc;              /* the work's failure, stored with the document */
	oyl__kept_error kept;     /* ... and its message */
	oyl__blob_stage st;
	oyl__record *same;        /* the document of the same bytes, found */
	oyl__record *stored;      /* the new document as stored */
	int rc;                   /* the store's status */
	int committing;           /* the store's commit is sent, not yet read */
	oyl__kept_error store_error;
} oyl__adding;

/* The pre-read and, with at_once, the work: OYL_OK, OYL_EXISTS (a->same
 * is the document), or the pre-read's failure.  A failed work is
 * OYL_OK: the document is stored in error. */
int oyl__add_prepare(oyl_db *db, oyl_actor *actor, const char *kb, const oyl__source *src,
		     const oyl__doc_opts *o, int queue, int at_once, oyl__adding *a);
/* The stage and the transaction, up to its commit sent. */
void oyl__add_store(oyl_db *db, oyl__adding *a);
/* The commit waited for and the outcome: OYL_OK with the new document in
 * *out, OYL_EXISTS with the one of the same bytes, the work's status for
 * a document stored in error, else the store's failure; its message on
 * the handle. */
int oyl__add_end(oyl_db *db, oyl__adding *a, oyl__record **out);
/* Frees what a prepared document holds, for one that is not stored. */
void oyl__add_drop(oyl__adding *a);

#endif
