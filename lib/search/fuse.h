/*
 * Hybrid ranking (doc/retrieval.md): reciprocal rank fusion of a lexical
 * and a vector ranking.  A chunk's score is the sum, over the rankings
 * that hold it, of 1 / (OYL__RRF_K + its rank there), ranks from 1.
 */
#ifndef OYL_SEARCH_FUSE_H
#define OYL_SEARCH_FUSE_H

#include "search/rank.h"

/* The usual constant of reciprocal rank fusion: it damps the weight of
 * the first few ranks against the rest (doc/retrieval.md). */
#define OYL__RRF_K 60

/* Each ranking takes part with its best this many (a fixed depth: the
 * first results do not change with the limit asked). */
#define OYL__FUSE_DEPTH OYL_SEARCH_LIMIT_MAX

/*
 * Cuts a ranking of *n (best first, at most depth + 1) to `depth`; when
 * the cut falls inside a run of equal scores, the whole run goes: which
 * of its chunks a depth keeps depends on how ties were ordered (by
 * document id, which differs between two databases of the same
 * documents), what is left does not.
 */
void oyl__fuse_cut(const oyl__ranked *r, size_t *n, size_t depth);

/*
 * Fuses lex[0..nlex) and vec[0..nvec) (each best first) into out (room
 * for nlex + nvec), best first, those of a fused score below min_score
 * left out; *n how many.  A chunk is the same in both when its knowledge
 * base, document and ordinal are.
 */
void oyl__fuse(const oyl__ranked *lex, size_t nlex, const oyl__ranked *vec, size_t nvec,
	       double min_score, oyl__ranked *out, size_t *n);

#endif
