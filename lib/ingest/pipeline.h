/*
 * The processing of one document, shared by the calls that do it now
 * (oyl_doc_ingest, oyl_doc_reprocess) and by workers (oyl_worker_run):
 *
 *   begin    one transaction: the document moves to processing, its
 *            attempt counted up (the fence of what follows);
 *   work     no transaction open: the original is read, its text
 *            extracted, normalised and chunked (the long-call rule);
 *   finish   one transaction: the old chunks out, the new ones in
 *            (insert_many), the document processed — only if its attempt
 *            is still this one; or, on failure, the document in error.
 *
 * `actor` is the caller whose rights are checked again in each
 * transaction, or NULL for a worker, which acts in the document's
 * tenant's scope with no user.
 */
#ifndef OYL_INGEST_PIPELINE_H
#define OYL_INGEST_PIPELINE_H

#include "ingest/chunk.h"
#include "model/kind.h"

typedef struct oyl__doc_work {
	oyl_actor *actor; /* or NULL (a worker) */
	char tenant[OYL_UUID_LEN + 1];
	char id[OYL_UUID_LEN + 1];
	int64_t attempt;            /* after begin: the fence */
	oyl__chunk_options chunking;
	oyl_progress_fn progress;
	void *progress_ctx;
	const char *worker_id;      /* a worker's (the lease columns; it may take
				       over a document left processing) */
	int64_t lease_until;        /* a worker's lease; 0: none */
	/* the data given to oyl__doc_process is the library's (oyl__malloc)
	 * and may be freed as soon as the text is extracted */
	int owns_data;
} oyl__doc_work;

/*
 * The whole of it: begin, work (from `data` when given, else from the
 * stored original), finish.  With w->owns_data, `data` is freed here
 * (early: the text and chunks are written without it in memory).  On success *out (may be NULL) is the
 * document as processed.  A failure of the work leaves the document in
 * error with the message and returns its status (OYL_ECANCELED for a
 * cancel).
 */
int oyl__doc_process(oyl_db *db, oyl__doc_work *w, const unsigned char *data, size_t n,
		     oyl__record **out);

/* The status of a document as stored ("uploaded"...), or NULL. */
const char *oyl__doc_status_name(int status);

#endif
