/* What oyl_kb_search returns: its results, with their highlight spans. */
#ifndef OYL_SEARCH_RESULTS_H
#define OYL_SEARCH_RESULTS_H

#include "core/internal.h"
#include "records/record.h"
#include "search/query.h"

/* The question as one knowledge base read it: its language and terms,
 * kept for the spans, which are found when first asked for. */
typedef struct oyl__result_kb {
	char language[65];
	oyl__query_terms terms;
} oyl__result_kb;

typedef struct oyl__result {
	oyl__record *chunk; /* its document_chunks row */
	char *document_name;
	char kb_id[OYL_UUID_LEN + 1];
	size_t kb;          /* index into the results' kbs */
	double score;
	int spans_found;    /* spans computed (a failure leaves none) */
	size_t *spans;      /* start, end pairs */
	size_t nspans;
} oyl__result;

struct oyl_search_results {
	oyl__result *r;
	size_t n;
	oyl__result_kb *kbs;
	size_t nkbs;
	oyl__tokenizer *tok; /* the last language the spans were found in */
};

/* The spans of a result's text whose terms are among the question's,
 * overlapping ones merged.  OYL_ENOMEM. */
int oyl__result_spans(oyl__result *r, oyl__tokenizer *t, const oyl__query_terms *terms);

#endif
