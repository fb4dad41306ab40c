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

#include "embed/vectors.h"
#include "ingest/chunk.h"
#include "ingest/text.h"
#include "model/kind.h"
#include "search/postings.h"

#define OYL__LANGUAGE_MAX 64 /* bytes of a knowledge base's search language */

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
	/* the document's knowledge base and the language its chunks are
	 * indexed in (doc/retrieval.md), known before the work */
	char kb[OYL_UUID_LEN + 1];
	char language[OYL__LANGUAGE_MAX + 1];
	/* ... and the embedder its chunks are embedded by, "" for none */
	char embedder[OYL__EMBEDDER_NAME_MAX + 1];
	/* set when the final write found the knowledge base's language or
	 * embedder changed: the attempt is not overtaken, its work is stale */
	int kb_changed;
} oyl__doc_work;

/* The chunks of a document, compact (a few dozen bytes each: a document
 * may have 100,000), made into rows of document_chunks a slice at a time
 * when they are written. */
typedef struct oyl__kept_chunk {
	size_t start, end;
	int64_t start_char, end_char, tokens, page;
	size_t section; /* index into sections + 1, 0: none */
} oyl__kept_chunk;

/* What the work made of a document: its text and its chunks. */
typedef struct oyl__doc_text {
	oyl__text text;
	const oyl__doc_work *w; /* whose tenant and id the rows carry */
	oyl__kept_chunk *c;
	size_t n, cap;
	char **sections; /* distinct section paths, owned */
	size_t nsections, capsections;
	const char *last_section; /* the chunker's, to tell a change */
	int64_t now;
	oyl__postings *postings;  /* the chunks' terms, for the search index */
	oyl__vectors vectors;     /* the chunks' vectors (n == 0: no embedder) */
} oyl__doc_text;

/*
 * The work, with no transaction open: the text of `data` (of type `mime`,
 * named `name` in messages) extracted, normalised and chunked into *out
 * (zeroed here; free with oyl__doc_text_free whatever the result).  On
 * failure the message is on the handle; OYL_ECANCELED for a cancel.
 */
int oyl__doc_extract(oyl_db *db, oyl__doc_work *w, const unsigned char *data, size_t n,
		     const char *mime, const char *name, oyl__doc_text *out);
void oyl__doc_text_free(oyl__doc_text *t);

/* Writes every chunk of t, in slices, in the open transaction, as rows of
 * t->w's tenant and document. */
int oyl__doc_write_chunks(oyl_db *db, const oyl__doc_text *t);

/* Takes the knowledge base's id and the settings the work follows (search
 * language, embedder) from its row. */
void oyl__doc_work_settings(oyl__doc_work *w, const oyl__record *kb);

/* The knowledge base (its row, read locked in the final transaction)
 * still has the language and embedder the work used; else OYL_ECONFLICT,
 * whose message ends with `again` ("process it again"), and
 * w->kb_changed set. */
int oyl__doc_check_kb(oyl_db *db, oyl__doc_work *w, const oyl__record *kb, const char *again);

/* In the final transaction: t's chunks, their index and vectors written,
 * the knowledge base's statistics moved by what the document had before
 * (old_chunks, old_length) and now has, and its embedding model set to
 * the vectors' when they are of another model or dimension. */
int oyl__doc_store(oyl_db *db, const oyl__doc_work *w, const oyl__record *kb,
		   const oyl__doc_text *t, int64_t old_chunks, int64_t old_length);

/* The document's embedding_model and embedding_dimension as t leaves
 * them (NULL without vectors), into v[0] and v[1]. */
void oyl__doc_embedding_values(const oyl__doc_text *t, oyl_value v[2]);

/* The last progress call: every byte and chunk done. */
void oyl__doc_progress_done(const oyl__doc_work *w, const oyl__doc_text *t);

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
