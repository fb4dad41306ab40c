/*
 * The search index's writes (doc/retrieval.md), made in the transaction
 * that writes or removes a document's chunks, so that the index always
 * says what the chunks say: a document's postings, and its knowledge
 * base's statistics (indexed_chunks, indexed_length: BM25's N and the sum
 * of chunk lengths), which stay the sums over its documents' chunk_count
 * and indexed_length.
 */
#ifndef OYL_SEARCH_INDEX_H
#define OYL_SEARCH_INDEX_H

#include "core/internal.h"
#include "records/record.h"
#include "records/schema.h"
#include "model/kind.h"
#include "search/postings.h"

/* Writes document doc's postings (knowledge base kb), in slices. */
int oyl__index_write(oyl_db *db, const char *tenant, const char *kb, const char *doc,
		     const oyl__postings *p);

/* Removes document doc's postings (its chunks being replaced). */
int oyl__index_remove(oyl_db *db, const char *tenant, const char *doc);

/* Adds chunks and length (negative: takes them off) to the statistics of
 * the knowledge base `kb_row`, read with its row locked in this
 * transaction. */
int oyl__index_count(oyl_db *db, const char *tenant, const oyl__record *kb_row, int64_t chunks,
		     int64_t length);

/* Takes the counts of a document about to be deleted off its knowledge
 * base's statistics (its postings go with it by the schema's cascade). */
int oyl__index_forget_document(oyl_db *db, const oyl__record *doc_row);

#endif
