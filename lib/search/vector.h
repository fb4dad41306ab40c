/*
 * Vector ranking of one knowledge base (doc/retrieval.md, vectors): the
 * exact cosine of the question's vector with every current vector of the
 * knowledge base, the best chunks kept.
 */
#ifndef OYL_SEARCH_VECTOR_H
#define OYL_SEARCH_VECTOR_H

#include "search/rank.h"

/*
 * The best `k` chunks of knowledge base `kb` (its row) by cosine with
 * `query` (unit length, `dim` floats: the knowledge base's current
 * dimension), scoring at least min_score, best first, into hits[]; *n how
 * many.  Only the documents whose vectors are of the knowledge base's
 * current model and dimension answer (the others are stale).
 */
int oyl__rank_vector(oyl_db *db, const oyl__record *kb, const float *query, uint32_t dim,
		     const oyl__doc_filter *filter, size_t k, double min_score, oyl__ranked *hits,
		     size_t *n);

#endif
