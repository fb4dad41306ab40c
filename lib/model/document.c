/*
 * Documents of a knowledge base, as records: get, list (by status),
 * delete, their extracted text, their chunks and their original.  Adding
 * and processing them is ingestion's (lib/ingest/).  Reads of a
 * document's metadata use the descriptor without its extracted text
 * (records/schema.h), which only oyl_doc_text() reads.
 */
#include <string.h>

#include "blobs/blob.h"
#include "core/validate.h"
#include "model/kind.h"
#include "search/index.h"

/* Its chunks leave its knowledge base's search statistics (the index
 * rows go by the schema's cascade); the original's file goes once the
 * delete commits (directory store). */
static int document_before_delete(oyl_db *db, const oyl__record *row)
{
	const char *ref = oyl__record_text(row, DOCUMENTS_file_path);
	int rc = oyl__index_forget_document(db, row);
	return rc == OYL_OK && ref
		       ? oyl__blob_release_after_commit(db, oyl__record_text(row, DOCUMENTS_tenant_id),
							ref)
		       : rc;
}

const oyl__kind oyl__kind_document = {&oyl__t_documents_meta, "document", "document",
				      &oyl__kind_knowledge_base, DOCUMENTS_knowledge_base_id,
				      DOCUMENTS_created_at, DOCUMENTS_updated_at,
				      OYL__DOCUMENT_READ, OYL__DOCUMENT_WRITE,
				      document_before_delete, 0};

/* Chunks are a document's children, listed by their position. */
const oyl__kind oyl__kind_chunk = {&oyl__t_document_chunks, "chunk", "chunk", &oyl__kind_document,
				   DOCUMENT_CHUNKS_document_id, DOCUMENT_CHUNKS_ordinal, -1,
				   OYL__DOCUMENT_READ, OYL__DOCUMENT_WRITE, NULL, 0};

static const char *const status_names[] = {NULL, "uploaded", "processing", "processed", "error"};

const char *oyl__doc_status_name(int status)
{
	return status >= OYL_DOC_UPLOADED && status <= OYL_DOC_ERROR ? status_names[status] : NULL;
}

OYL_API int oyl_doc_get(oyl_actor *actor, const char *id, oyl_document **out)
{
	return oyl__get_public(actor, &oyl__kind_document, id, out);
}

OYL_API int oyl_doc_list(oyl_actor *actor, const char *knowledge_base_id, int status,
			 const oyl_list_options *opts, oyl_page **out)
{
	int rc;
	oyl_db *db = oyl__enter_out(actor, out, "oyl_doc_list", &rc);
	if (!db)
		return rc;
	if (status != OYL_DOC_ANY && !oyl__doc_status_name(status))
		return oyl__fail(db, OYL_EINVAL, "status: %d is not an oyl_doc_status", status);
	oyl_filter f = oyl__eq(DOCUMENTS_status, OYL_TYPE_TEXT, oyl__doc_status_name(status));
	return oyl__list_children(actor, &oyl__kind_document, knowledge_base_id, &f,
				  status == OYL_DOC_ANY ? 0 : 1, opts, out);
}

OYL_API int oyl_doc_delete(oyl_actor *actor, const char *id)
{
	return oyl__delete_public(actor, &oyl__kind_document, id);
}

OYL_API int oyl_doc_chunks(oyl_actor *actor, const char *id, const oyl_list_options *opts,
			   oyl_page **out)
{
	return oyl__list_public(actor, &oyl__kind_chunk, id, opts, out);
}

/* Reads a document the actor may read, in the open transaction: the
 * whole row (`full`, with its text) or its metadata. */
static int read_document(oyl_db *db, oyl_actor *actor, const char *key, int full,
			 oyl__record **row)
{
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	int target = oyl__batch_get(&bt, oyl__actor_scope(actor),
				    full ? &oyl__t_documents : &oyl__t_documents_meta, key,
				    OYL__LOCK_NONE);
	int rc = oyl__batch_run(&bt);
	const oyl__record *r = oyl__batch_row(&bt, target);
	if (rc == OYL_OK)
		rc = oyl__visible(db, actor, &oyl__kind_document, r, key);
	if (rc == OYL_OK)
		rc = oyl__authorize(db, actor, OYL__DOCUMENT_READ);
	*row = rc == OYL_OK ? oyl__batch_take(&bt, target) : NULL;
	oyl__batch_free(&bt);
	return rc;
}

OYL_API int oyl_doc_text(oyl_actor *actor, const char *id, char **text, size_t *length)
{
	int rc;
	char key[OYL_UUID_LEN + 1];
	oyl_db *db = oyl__enter_out(actor, text, "oyl_doc_text", &rc);
	if (length)
		*length = 0;
	if (!db || (rc = oyl__check_id(db, "id", id, key)))
		return rc;
	if ((rc = oyl__actor_begin(db, actor, OYL_TXN_READ)))
		return rc;
	oyl__record *row = NULL;
	rc = read_document(db, actor, key, 1, &row);
	const oyl_value *v = row ? &row->vals[DOCUMENTS_raw_content] : NULL;
	if (rc == OYL_OK && v->type == OYL_TYPE_NULL)
		rc = oyl__fail(db, OYL_ENOTFOUND, "document %s has no text: it is %s", key,
			       oyl__record_text(row, DOCUMENTS_status));
	char *copy = NULL;
	if (rc == OYL_OK && !(copy = oyl__strndup(v->s, v->n)))
		rc = oyl__fail(db, OYL_ENOMEM, "out of memory copying a document's text");
	size_t n = rc == OYL_OK ? v->n : 0;
	oyl__record_free(row);
	rc = oyl__txn_end(db, rc);
	if (rc != OYL_OK) {
		oyl__free(copy);
		return rc;
	}
	*text = copy;
	if (length)
		*length = n;
	return oyl__ok(db);
}

typedef struct host_sink {
	oyl_write_fn write;
	void *ctx;
	int stopped;
} host_sink;

static int to_host(const void *data, size_t n, void *payload)
{
	host_sink *h = payload;
	int rc = h->write(data, n, h->ctx);
	if (rc)
		h->stopped = rc;
	return rc;
}

OYL_API int oyl_doc_read_original(oyl_actor *actor, const char *id, oyl_write_fn write,
				  void *ctx)
{
	int rc;
	char key[OYL_UUID_LEN + 1];
	oyl_db *db = oyl__enter(actor, NULL, &rc);
	if (!db)
		return rc;
	if (!write)
		return oyl__fail(db, OYL_EMISUSE, "oyl_doc_read_original: NULL write function");
	if ((rc = oyl__check_id(db, "id", id, key)))
		return rc;
	if ((rc = oyl__actor_begin(db, actor, OYL_TXN_READ)))
		return rc;
	oyl__record *row = NULL;
	rc = read_document(db, actor, key, 0, &row);
	host_sink h = {write, ctx, 0};
	if (rc == OYL_OK)
		rc = db->blobs->read(db->blobs, db, oyl__record_text(row, DOCUMENTS_tenant_id), key,
				     oyl__record_text(row, DOCUMENTS_file_path), to_host, &h);
	if (h.stopped)
		rc = oyl__fail(db, h.stopped, "reading the original: stopped by the caller (%d)",
			       h.stopped);
	oyl__record_free(row);
	rc = oyl__txn_end(db, rc);
	return rc == OYL_OK ? oyl__ok(db) : rc;
}

OYL_API const oyl_document *oyl_page_document(const oyl_page *page, size_t i)
{
	return oyl__page_item(page, oyl__kind_document.t, i);
}

OYL_API const oyl_chunk *oyl_page_chunk(const oyl_page *page, size_t i)
{
	return oyl__page_item(page, oyl__kind_chunk.t, i);
}

OYL_API int oyl_document_status(const oyl_document *d)
{
	const char *s = oyl__record_text(oyl__as(d, &oyl__kind_document), DOCUMENTS_status);
	for (int i = OYL_DOC_UPLOADED; s && i <= OYL_DOC_ERROR; i++)
		if (strcmp(s, status_names[i]) == 0)
			return i;
	return 0;
}

#define DOC_TEXT(fn, col) OYL__TEXT_GETTER(fn, oyl_document, oyl__kind_document, DOCUMENTS_##col)
#define DOC_INT(fn, col) OYL__INT_GETTER(fn, oyl_document, oyl__kind_document, DOCUMENTS_##col)
DOC_TEXT(oyl_document_id, id)
DOC_TEXT(oyl_document_tenant_id, tenant_id)
DOC_TEXT(oyl_document_knowledge_base_id, knowledge_base_id)
DOC_TEXT(oyl_document_uploader_id, user_id)
DOC_TEXT(oyl_document_filename, filename)
DOC_TEXT(oyl_document_original_name, original_name)
DOC_INT(oyl_document_size, size)
DOC_TEXT(oyl_document_mime_type, mime_type)
DOC_TEXT(oyl_document_sha256, sha256)
DOC_TEXT(oyl_document_error, error)
DOC_INT(oyl_document_progress, progress)
DOC_INT(oyl_document_processed_at, processed_at)
DOC_INT(oyl_document_chunk_count, chunk_count)
DOC_TEXT(oyl_document_embedding_model, embedding_model)
DOC_INT(oyl_document_embedding_dimension, embedding_dimension)
DOC_INT(oyl_document_invalid_utf8, invalid_utf8)
DOC_INT(oyl_document_attempt, attempt)
DOC_INT(oyl_document_created_at, created_at)
DOC_INT(oyl_document_updated_at, updated_at)
OYL__RECORD_BASICS(oyl_document, oyl_document, oyl__kind_document)

#define CHUNK_TEXT(fn, col) OYL__TEXT_GETTER(fn, oyl_chunk, oyl__kind_chunk, DOCUMENT_CHUNKS_##col)
#define CHUNK_INT(fn, col) OYL__INT_GETTER(fn, oyl_chunk, oyl__kind_chunk, DOCUMENT_CHUNKS_##col)
CHUNK_TEXT(oyl_chunk_id, id)
CHUNK_TEXT(oyl_chunk_document_id, document_id)
CHUNK_INT(oyl_chunk_ordinal, ordinal)
CHUNK_TEXT(oyl_chunk_content, content)
CHUNK_INT(oyl_chunk_token_count, token_count)
CHUNK_INT(oyl_chunk_start, start_offset)
CHUNK_INT(oyl_chunk_end, end_offset)
CHUNK_INT(oyl_chunk_page, page)
CHUNK_TEXT(oyl_chunk_section, section)
OYL__RECORD_JSON(oyl_chunk, oyl_chunk, oyl__kind_chunk)
