/* The search index's writes (index.h). */
#include "search/index.h"

#include <string.h>

#include "records/batch.h"

#define SLICE 1000 /* postings per insert_many */

int oyl__index_write(oyl_db *db, const char *tenant, const char *kb, const char *doc,
		     const oyl__postings *p)
{
	size_t total = oyl__postings_count(p);
	oyl_value *v = oyl__malloc(SLICE * SEARCH_POSTINGS__N * sizeof *v);
	char(*ids)[OYL_UUID_LEN + 1] = oyl__malloc(SLICE * sizeof *ids);
	int rc = v && ids ? OYL_OK : oyl__fail(db, OYL_ENOMEM, "out of memory indexing a document");
	oyl__note put = {"storing the document's search index", NULL, NULL};
	for (size_t from = 0; rc == OYL_OK && from < total; from += SLICE) {
		size_t n = total - from < SLICE ? total - from : SLICE;
		oyl__uuid_new_many(ids, n);
		for (size_t i = 0; i < n; i++) {
			oyl_value *row = v + i * SEARCH_POSTINGS__N;
			const char *term;
			const unsigned char *block;
			size_t size;
			oyl__postings_get(p, from + i, &term, &block, &size);
			row[SEARCH_POSTINGS_id] = oyl__val_text(OYL_TYPE_UUID, ids[i]);
			row[SEARCH_POSTINGS_tenant_id] = oyl__val_text(OYL_TYPE_UUID, tenant);
			row[SEARCH_POSTINGS_knowledge_base_id] = oyl__val_text(OYL_TYPE_UUID, kb);
			row[SEARCH_POSTINGS_document_id] = oyl__val_text(OYL_TYPE_UUID, doc);
			row[SEARCH_POSTINGS_term] = oyl__val_text(OYL_TYPE_TEXT, term);
			row[SEARCH_POSTINGS_block] =
				(oyl_value){OYL_TYPE_BLOB, 0, 0, (const char *)block, size};
		}
		rc = oyl__write_insert_many(db, tenant, &oyl__t_search_postings, v, n, &put);
	}
	oyl__free(v);
	oyl__free(ids);
	return rc;
}

int oyl__index_remove(oyl_db *db, const char *tenant, const char *doc)
{
	oyl_filter of_doc = oyl__eq(SEARCH_POSTINGS_document_id, OYL_TYPE_UUID, doc);
	oyl__note drop = {"removing the document's search index", NULL, NULL};
	return oyl__write_remove(db, tenant, &oyl__t_search_postings, &of_doc, 1, NULL, &drop);
}

int oyl__index_count(oyl_db *db, const char *tenant, const oyl__record *kb_row, int64_t chunks,
		     int64_t length)
{
	if (chunks == 0 && length == 0)
		return OYL_OK;
	int64_t n = oyl__record_int(kb_row, KNOWLEDGE_BASES_indexed_chunks) + chunks;
	int64_t total = oyl__record_int(kb_row, KNOWLEDGE_BASES_indexed_length) + length;
	/* a sum gone negative would be a bookkeeping bug: never store it */
	if (n < 0 || total < 0)
		return oyl__fail(db, OYL_ESTORAGE,
				 "knowledge base %s: its search statistics would go below zero",
				 oyl__record_text(kb_row, KNOWLEDGE_BASES_id));
	oyl_assign set[] = {
		{KNOWLEDGE_BASES_indexed_chunks, oyl__val_int(OYL_TYPE_INT, n)},
		{KNOWLEDGE_BASES_indexed_length, oyl__val_int(OYL_TYPE_INT, total)},
	};
	oyl_filter of_kb = oyl__eq(KNOWLEDGE_BASES_id, OYL_TYPE_UUID,
				   oyl__record_text(kb_row, KNOWLEDGE_BASES_id));
	oyl__note note = {"updating the knowledge base's search statistics", NULL, NULL};
	return oyl__write_update(db, tenant, &oyl__t_knowledge_bases, &of_kb, 1, set, 2, NULL,
				 &note);
}

int oyl__index_forget_document(oyl_db *db, const oyl__record *doc_row)
{
	int64_t chunks = oyl__record_int(doc_row, DOCUMENTS_chunk_count);
	int64_t length = oyl__record_int(doc_row, DOCUMENTS_indexed_length);
	if (chunks == 0 && length == 0)
		return OYL_OK;
	const char *tenant = oyl__record_text(doc_row, DOCUMENTS_tenant_id);
	oyl__batch bt;
	oyl__batch_begin(&bt, db);
	int k = oyl__batch_get(&bt, tenant, &oyl__t_knowledge_bases,
			       oyl__record_text(doc_row, DOCUMENTS_knowledge_base_id), OYL__LOCK_ROW);
	int rc = oyl__batch_run(&bt);
	const oyl__record *kb = oyl__batch_row(&bt, k);
	if (rc == OYL_OK && kb)
		rc = oyl__index_count(db, tenant, kb, -chunks, -length);
	oyl__batch_free(&bt);
	return rc;
}
