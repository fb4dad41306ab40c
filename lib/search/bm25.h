/*
 * BM25 scoring of chunks from their postings (doc/retrieval.md), in the
 * library rather than in SQL, so that every backend gives the same scores
 * to the last bit:
 *
 *   idf(t)   = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))
 *   score(c) = sum over the question's terms t, in their index order, of
 *              idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(c) / avglen))
 *
 * The caller adds each posting (term index, chunk, tf, chunk length) in
 * any order; df(t) is the number of chunks added for t.  Each chunk's
 * score sums its terms in term-index order whatever order the postings
 * came in, so two backends returning the same rows in different orders
 * give identical doubles.  Ties are broken by chunk id (bytewise).
 */
#ifndef OYL_SEARCH_BM25_H
#define OYL_SEARCH_BM25_H

#include <stddef.h>
#include <stdint.h>

#define OYL__BM25_TERMS_MAX 32 /* distinct terms of one question that are scored */
/* A chunk's key in the index: its document's id, ':', its ordinal in 8
 * lowercase hex digits ("<uuid>:0000002a"), so that ties, broken by the
 * key, go by document, then by place in it. */
#define OYL__BM25_ID_LEN 45

typedef struct oyl__bm25_params {
	double k1, b;
	int64_t chunks;     /* N: the knowledge base's chunks */
	double average_len; /* their average length in terms (> 0 when chunks > 0) */
} oyl__bm25_params;

typedef struct oyl__bm25_hit {
	char chunk_id[OYL__BM25_ID_LEN + 1];
	double score;
} oyl__bm25_hit;

typedef struct oyl__bm25 oyl__bm25;

/* A scorer for a question of `terms` distinct terms (1 to
 * OYL__BM25_TERMS_MAX).  OYL_EINVAL, OYL_ENOMEM. */
int oyl__bm25_new(const oyl__bm25_params *p, size_t terms, oyl__bm25 **out);
void oyl__bm25_free(oyl__bm25 *s);

/* One posting: chunk `chunk_id` (its key, OYL__BM25_ID_LEN bytes) has term `term` `tf` times and
 * is `len` terms long.  The same (term, chunk) twice is OYL_EINVAL. */
int oyl__bm25_add(oyl__bm25 *s, size_t term, const char *chunk_id, int64_t tf, int64_t len);

/* Counts `chunks` more chunks holding `term` without scoring them (chunks
 * a filter leaves out: the statistics stay the knowledge base's, so a
 * filtered search scores as the whole one does). */
int oyl__bm25_count(oyl__bm25 *s, size_t term, int64_t chunks);

/* The chunks scored, best first (ties by chunk id), at most `k` of them
 * into hits[]; *n how many.  Only chunks scoring at least `min_score`. */
int oyl__bm25_top(oyl__bm25 *s, size_t k, double min_score, oyl__bm25_hit *hits, size_t *n);

/* df(term): the chunks added for it. */
int64_t oyl__bm25_df(const oyl__bm25 *s, size_t term);

#endif
