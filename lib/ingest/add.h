/*
 * Adding a document (ingest/ingest.c), in the three stages that
 * oyl_doc_ingest runs one after the other and oyl_doc_ingest_many
 * overlaps (ingest/ingest_many.c): the next document's work is done while
 * the server commits the one before.
 *
 *   read     the pre-read (the knowledge base, and a document of the
 *            same bytes: OYL_EXISTS), a transaction of its own;
 *   work     no storage touched: the text extracted, chunked, indexed;
 *   store    the blob store's stage and one transaction, its commit sent
 *            and not waited for (where the backend can: commit_start);
 *   end      the commit waited for, the outcome told.
 *
 * Between a store and its end only work may run on the handle: the next
 * document is read before the store, and worked while it commits.
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
	int rc;                   /* the store's status (OYL_OK: its commit sent) */
	int same_unknown;         /* oyl__add_follow: the same bytes not looked for yet */
	oyl__kept_error store_error;
} oyl__adding;

/* The pre-read: OYL_OK, OYL_EXISTS (a->same is the document), or its
 * failure (the knowledge base not found, not the actor's to write...).
 * tenant_hint (or NULL): the knowledge base's tenant, known from an
 * earlier read, which spares a platform actor a second read. */
int oyl__add_read(oyl_db *db, oyl_actor *actor, const char *kb, const oyl__source *src,
		  const oyl__doc_opts *o, int queue, const char *tenant_hint, oyl__adding *a);
/* The work, touching no storage; its failure is kept for the store
 * (the document is stored in error). */
void oyl__add_work(oyl_db *db, oyl__adding *a);
/* Instead of oyl__add_read for a source into the same knowledge base as
 * prev (read already): what prev's read found is taken, and the same
 * bytes are looked for by prev's store (a->same_unknown until then). */
void oyl__add_follow(const oyl__adding *prev, const oyl__source *src, oyl__adding *a);
/* The stage and the transaction, up to its commit sent.  With `next`
 * (from oyl__add_follow), its same-bytes read rides in the
 * transaction's read batch: next->same, and next->same_unknown 0, when
 * that batch ran. */
void oyl__add_store(oyl_db *db, oyl__adding *a, oyl__adding *next);
/* The commit waited for and the outcome: OYL_OK with the new document in
 * *out, OYL_EXISTS with the one of the same bytes, the work's status for
 * a document stored in error, else the store's failure; its message on
 * the handle. */
int oyl__add_end(oyl_db *db, oyl__adding *a, oyl__record **out);
/* Frees what a prepared document holds, for one that is not stored. */
void oyl__add_drop(oyl__adding *a);

/* The whole of it for one source, as oyl_doc_ingest (queue 0) and
 * oyl_doc_upload (1) do: read, work, store, end, one after the other; a
 * document over the at-once size stored first and processed after, one
 * of the same bytes left in error processed again.  *doc as
 * oyl__add_end gives it, also on failure (the caller frees it). */
int oyl__add_source(oyl_db *db, oyl_actor *actor, const char *kb, oyl__source *src,
		    const oyl__doc_opts *o, int queue, oyl__record **doc);
/* The source is small enough to be worked before it is stored. */
int oyl__add_at_once(const oyl__source *src);
/* A document of the same bytes that oyl__add_source processes again
 * (it is in error). */
int oyl__add_retried(const oyl__record *same);

#endif
