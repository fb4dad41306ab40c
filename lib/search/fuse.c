/* Reciprocal rank fusion (fuse.h). */
#include "search/fuse.h"

#include <stdlib.h>
#include <string.h>

static int same_chunk(const oyl__ranked *a, const oyl__ranked *b)
{
	return a->kb == b->kb && a->ordinal == b->ordinal &&
	       memcmp(a->document_id, b->document_id, OYL_UUID_LEN) == 0;
}

void oyl__fuse(const oyl__ranked *lex, size_t nlex, const oyl__ranked *vec, size_t nvec,
	       double min_score, oyl__ranked *out, size_t *n)
{
	size_t m = 0;
	for (size_t i = 0; i < nlex; i++) {
		out[m] = lex[i];
		out[m++].score = 1.0 / (OYL__RRF_K + (double)(i + 1));
	}
	/* at most OYL__FUSE_DEPTH a side: a search of the first list per
	 * chunk of the second costs nothing worth an index */
	for (size_t j = 0; j < nvec; j++) {
		double s = 1.0 / (OYL__RRF_K + (double)(j + 1));
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
