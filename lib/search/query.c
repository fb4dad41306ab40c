/* A question's terms (query.h). */
#include "search/query.h"

#include <string.h>

#include "oyl/oyl.h"

static int add_term(const oyl__token *tok, void *payload)
{
	oyl__query_terms *q = payload;
	for (size_t i = 0; i < q->n; i++)
		if (q->len[i] == tok->len && memcmp(q->term[i], tok->term, tok->len) == 0)
			return 0;
	if (q->n == OYL__BM25_TERMS_MAX) {
		q->dropped++;
		return 0;
	}
	memcpy(q->term[q->n], tok->term, tok->len);
	q->term[q->n][tok->len] = '\0';
	q->len[q->n++] = tok->len;
	return 0;
}

/* Bytewise, a shorter term before the longer one it begins. */
static int term_cmp(const oyl__query_terms *q, size_t a, size_t b)
{
	size_t n = q->len[a] < q->len[b] ? q->len[a] : q->len[b];
	int c = memcmp(q->term[a], q->term[b], n);
	return c ? c : (q->len[a] > q->len[b]) - (q->len[a] < q->len[b]);
}

int oyl__query_terms_of(oyl__tokenizer *t, const char *text, size_t n, oyl__query_terms *out)
{
	memset(out, 0, sizeof *out);
	if (n > OYL__QUERY_MAX)
		return OYL_EINVAL;
	int rc = oyl__tokenize(t, text, n, add_term, out);
	if (rc)
		return rc;
	/* insertion sort: at most 32 terms */
	for (size_t i = 1; i < out->n; i++)
		for (size_t j = i; j > 0 && term_cmp(out, j - 1, j) > 0; j--) {
			char tmp[OYL__TERM_MAX + 1];
			size_t len = out->len[j];
			memcpy(tmp, out->term[j], sizeof tmp);
			memcpy(out->term[j], out->term[j - 1], sizeof tmp);
			memcpy(out->term[j - 1], tmp, sizeof tmp);
			out->len[j] = out->len[j - 1];
			out->len[j - 1] = len;
		}
	return OYL_OK;
}
