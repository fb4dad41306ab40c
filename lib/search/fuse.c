/* Reciprocal rank fusion (fuse.h). */
#include "search/fuse.h"

#include <stdlib.h>
#include <string.h>

static int same_chunk(const oyl__ranked *a, const oyl__ranked *b)
{
	return a->kb == b->kb && a->ordinal == b->ordinal &&
	       memcmp(a->document_id, b->document_id, OYL_UUID_LEN) == 0;
}

/* The rank of r[i], from 1: tied scores share the best rank of their run
 * (1, 2, 2, 4), so that the fused score does not depend on how ties were
 * ordered (by document id, which differs between two databases of the
 * same documents). */
static double rank_of(const oyl__ranked *r, size_t i, size_t *run_start)
{
	if (i == 0 || r[i].score != r[i - 1].score)
		*run_start = i;
	return (double)(*run_start + 1);
}

void oyl__fuse_cut(const oyl__ranked *r, size_t *n, size_t depth)
{
	if (*n <= depth)
		return;
	double cut = r[depth].score;
	*n = depth;
	while (*n > 0 && r[*n - 1].score == cut)
		(*n)--;
}

void oyl__fuse(const oyl__ranked *lex, size_t nlex, const oyl__ranked *vec, size_t nvec,
	       double min_score, oyl__ranked *out, size_t *n)
{
	size_t m = 0, run = 0;
	for (size_t i = 0; i < nlex; i++) {
		out[m] = lex[i];
		out[m++].score = 1.0 / (OYL__RRF_K + rank_of(lex, i, &run));
	}
	/* at most OYL__FUSE_DEPTH a side: a search of the first list per
	 * chunk of the second costs nothing worth an index */
	run = 0;
	for (size_t j = 0; j < nvec; j++) {
		double s = 1.0 / (OYL__RRF_K + rank_of(vec, j, &run));
		size_t i = 0;
		while (i < nlex && !same_chunk(&out[i], &vec[j]))
			i++;
		if (i < nlex) {
			out[i].score += s;
		} else {
			out[m] = vec[j];
			out[m++].score = s;
		}
	}
	qsort(out, m, sizeof *out, oyl__ranked_cmp);
	*n = 0;
	while (*n < m && out[*n].score >= min_score)
		(*n)++;
}
