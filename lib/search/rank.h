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

/* Whether the filter lets document `doc` (its id) through. */
int oyl__doc_filter_has(const oyl__doc_filter *f, const char *doc);

/* A chunk as the index names it: its document and its place there. */
typedef struct oyl__ranked {
	char document_id[OYL_UUID_LEN + 1];
	int64_t ordinal;
	double score;
	size_t kb; /* the caller's index of its knowledge base */
} oyl__ranked;

/* Best first: higher score, then document id, then ordinal (the order
 * of ties on every backend). */
int oyl__ranked_cmp(const void *a, const void *b);

/* The best `k` chunks of knowledge base `kb` (its row) for the terms,
 * scoring at least min_score, best first, into hits[]; *n how many. */
/* Frees the scorer's arrays the handle keeps between searches (called by
 * oyl_db_close). */
typedef struct oyl__rank_scratch oyl__rank_scratch;
void oyl__rank_scratch_free(oyl_db *db);

int oyl__rank_lexical(oyl_db *db, const oyl__record *kb, const oyl__query_terms *terms,
		      const oyl__doc_filter *filter, size_t k, double min_score, oyl__ranked *hits,
		      size_t *n);

#endif
