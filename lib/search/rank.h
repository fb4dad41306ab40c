/*
 * Lexical ranking of one knowledge base (doc/retrieval.md): the postings
 * of a question's terms read from the backend, BM25 over the knowledge
 * base's own statistics, the best chunks kept.
 */
#ifndef OYL_SEARCH_RANK_H
#define OYL_SEARCH_RANK_H

#include "core/internal.h"
#include "records/record.h"
#include "search/bm25.h"
#include "search/query.h"

/* Documents a search is confined to: sorted ids, or n == 0 for all. */
typedef struct oyl__doc_filter {
	const char (*ids)[OYL_UUID_LEN + 1];
	size_t n;
} oyl__doc_filter;

/* The best `k` chunks of knowledge base `kb` (its row) for the terms,
 * scoring at least min_score, best first, into hits[]; *n how many. */
int oyl__rank_lexical(oyl_db *db, const oyl__record *kb, const oyl__query_terms *terms,
		      const oyl__doc_filter *filter, size_t k, double min_score,
		      oyl__bm25_hit *hits, size_t *n);

/* A chunk key's parts: its document id and ordinal. */
void oyl__chunk_key_parts(const char *key, char doc[OYL_UUID_LEN + 1], int64_t *ordinal);

#endif
