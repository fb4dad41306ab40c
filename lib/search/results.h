/* What oyl_kb_search returns: its results, with their highlight spans. */
#ifndef OYL_SEARCH_RESULTS_H
#define OYL_SEARCH_RESULTS_H

#include "core/internal.h"
#include "records/record.h"
#include "search/query.h"

typedef struct oyl__result {
	oyl__record *chunk; /* its document_chunks row */
	char *document_name;
	char kb[OYL_UUID_LEN + 1];
	double score;
	size_t *spans; /* start, end pairs */
	size_t nspans;
} oyl__result;

struct oyl_search_results {
	oyl__result *r;
	size_t n;
};

/* The spans of a result's text whose terms are among the question's,
 * overlapping ones merged.  OYL_ENOMEM. */
int oyl__result_spans(oyl__result *r, oyl__tokenizer *t, const oyl__query_terms *terms);

#endif
