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
 * give identical doubles.  A chunk is a 64-bit key the caller chooses;
 * ties are broken by the caller's order of keys (a comparison it gives),
 * or by the keys' numeric order.
 *
 * Postings are appended as they come and sorted by key once, when the
 * best are asked for (a radix sort, byte by byte): a large question adds
 * tens of thousands, and a table of chunks probed for each of them would
 * cost a cache miss a posting.
 */
#ifndef OYL_SEARCH_BM25_H
#define OYL_SEARCH_BM25_H

#include <stddef.h>
#include <stdint.h>

#define OYL__BM25_TERMS_MAX 32 /* distinct terms of one question that are scored */

typedef struct oyl__bm25_params {
	double k1, b;
	int64_t chunks;     /* N: the knowledge base's chunks */
	double average_len; /* their average length in terms (> 0 when chunks > 0) */
} oyl__bm25_params;

typedef struct oyl__bm25_hit {
	uint64_t chunk;
	double score;
} oyl__bm25_hit;

/* The order of two chunks of equal score: < 0 when a goes first. */
typedef int (*oyl__bm25_tie)(uint64_t a, uint64_t b, void *ctx);

typedef struct oyl__bm25 oyl__bm25;

/* A scorer for a question of `terms` distinct terms (1 to
 * OYL__BM25_TERMS_MAX).  OYL_EINVAL, OYL_ENOMEM. */
int oyl__bm25_new(const oyl__bm25_params *p, size_t terms, oyl__bm25 **out);
void oyl__bm25_free(oyl__bm25 *s);
/* *s (NULL: a new one) made ready for another question, its arrays kept.
 * OYL_EINVAL, OYL_ENOMEM. */
int oyl__bm25_reuse(oyl__bm25 **s, const oyl__bm25_params *p, size_t terms);
/* How many postings its arrays hold, allocated so far. */
size_t oyl__bm25_room(const oyl__bm25 *s);

/* One posting: chunk `chunk` has term `term` `tf` times and is `len`
 * terms long (its length as first added counts).  OYL_EINVAL, OYL_ENOMEM. */
int oyl__bm25_add(oyl__bm25 *s, size_t term, uint64_t chunk, int64_t tf, int64_t len);

/* The same for n chunks of one document at once: chunk key_high |
 * ordinal[i] (key_high's low 32 bits zero), tf[i] times, len[i] long.
 * All or none.  OYL_EINVAL, OYL_ENOMEM. */
int oyl__bm25_add_run(oyl__bm25 *s, size_t term, uint64_t key_high, const uint32_t *ordinal,
		      const uint32_t *tf, const uint32_t *len, size_t n);

/* The same for a whole block of the index (postings.h), its chunks
 * decoded straight into the scorer: all or none.  OYL_EINVAL for a
 * damaged block, OYL_ENOMEM. */
int oyl__bm25_add_block(oyl__bm25 *s, size_t term, uint64_t key_high, const unsigned char *block,
			size_t size);

/* Counts `chunks` more chunks holding `term` without scoring them (chunks
 * a filter leaves out: the statistics stay the knowledge base's, so a
 * filtered search scores as the whole one does). */
int oyl__bm25_count(oyl__bm25 *s, size_t term, int64_t chunks);

/* The chunks scored, best first (ties by `tie`, or by key when NULL), at
 * most `k` of them into hits[]; *n how many.  Only chunks scoring at least
 * `min_score`.  OYL_EINVAL when a (term, chunk) was added twice (a damaged
 * index: the caller says whose). */
int oyl__bm25_top(oyl__bm25 *s, size_t k, double min_score, oyl__bm25_tie tie, void *ctx,
		  oyl__bm25_hit *hits, size_t *n);

/* df(term): the chunks added for it. */
int64_t oyl__bm25_df(const oyl__bm25 *s, size_t term);

#endif
