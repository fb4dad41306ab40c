/* oyl_kb_search's results and their getters (results.h). */
#include "search/results.h"

#include <stdlib.h>
#include <string.h>

#include "records/schema.h"

typedef struct span_ctx {
	const oyl__query_terms *terms;
	size_t *spans;
	size_t n, cap;
	int failed;
} span_ctx;

static int is_query_term(const oyl__query_terms *q, const char *term, size_t len)
{
	for (size_t i = 0; i < q->n; i++)
		if (q->len[i] == len && memcmp(q->term[i], term, len) == 0)
			return 1;
	return 0;
}

static int on_token(const oyl__token *t, void *payload)
{
	span_ctx *c = payload;
	if (!is_query_term(c->terms, t->term, t->len))
		return 0;
	if (c->n + 2 > c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		size_t *s = oyl__realloc(c->spans, cap * sizeof *s);
		if (!s) {
			c->failed = 1;
			return OYL_ENOMEM;
		}
		c->spans = s;
		c->cap = cap;
	}
	c->spans[c->n++] = t->start;
	c->spans[c->n++] = t->end;
	return 0;
}

static int by_start(const void *a, const void *b)
{
	const size_t *x = a, *y = b;
	return (x[0] > y[0]) - (x[0] < y[0]);
}

int oyl__result_spans(oyl__result *r, oyl__tokenizer *t, const oyl__query_terms *terms)
{
	const oyl_value *text = &r->chunk->vals[DOCUMENT_CHUNKS_content];
	span_ctx c = {terms, NULL, 0, 0, 0};
	int rc = oyl__tokenize(t, text->s, text->n, on_token, &c);
	if (c.failed || rc) {
		oyl__free(c.spans);
		return c.failed ? OYL_ENOMEM : rc;
	}
	/* a compound and its parts overlap: one span for them */
	qsort(c.spans, c.n / 2, 2 * sizeof *c.spans, by_start);
	size_t kept = 0;
	for (size_t i = 0; i < c.n; i += 2) {
		if (kept && c.spans[i] <= c.spans[kept - 1]) {
			if (c.spans[i + 1] > c.spans[kept - 1])
				c.spans[kept - 1] = c.spans[i + 1];
			continue;
		}
		c.spans[kept++] = c.spans[i];
		c.spans[kept++] = c.spans[i + 1];
	}
	r->spans = c.spans;
	r->nspans = kept / 2;
	return OYL_OK;
}

static const oyl__result *at(const oyl_search_results *r, size_t i)
{
	return r && i < r->n ? &r->r[i] : NULL;
}

OYL_API size_t oyl_search_count(const oyl_search_results *r)
{
	return r ? r->n : 0;
}

#define CHUNK_TEXT(fn, col)                                                                        \
	OYL_API const char *fn(const oyl_search_results *r, size_t i)                              \
	{                                                                                          \
		const oyl__result *x = at(r, i);                                                   \
		return x ? oyl__record_text(x->chunk, col) : NULL;                                  \
	}
#define CHUNK_INT(fn, col)                                                                         \
	OYL_API int64_t fn(const oyl_search_results *r, size_t i)                                  \
	{                                                                                          \
		const oyl__result *x = at(r, i);                                                   \
		return x ? oyl__record_int(x->chunk, col) : -1;                                     \
	}

CHUNK_TEXT(oyl_search_chunk_id, DOCUMENT_CHUNKS_id)
CHUNK_TEXT(oyl_search_document_id, DOCUMENT_CHUNKS_document_id)
CHUNK_TEXT(oyl_search_section, DOCUMENT_CHUNKS_section)
CHUNK_INT(oyl_search_ordinal, DOCUMENT_CHUNKS_ordinal)
CHUNK_INT(oyl_search_start_offset, DOCUMENT_CHUNKS_start_offset)
CHUNK_INT(oyl_search_end_offset, DOCUMENT_CHUNKS_end_offset)

OYL_API int64_t oyl_search_page(const oyl_search_results *r, size_t i)
{
	const oyl__result *x = at(r, i);
	return x ? oyl__record_int(x->chunk, DOCUMENT_CHUNKS_page) : -1;
}

OYL_API const char *oyl_search_document_name(const oyl_search_results *r, size_t i)
{
	const oyl__result *x = at(r, i);
	return x ? x->document_name : NULL;
}

OYL_API const char *oyl_search_knowledge_base_id(const oyl_search_results *r, size_t i)
{
	const oyl__result *x = at(r, i);
	return x ? x->kb_id : NULL;
}

OYL_API const char *oyl_search_text(const oyl_search_results *r, size_t i, size_t *length)
{
	const oyl__result *x = at(r, i);
	if (length)
		*length = x ? x->chunk->vals[DOCUMENT_CHUNKS_content].n : 0;
	return x ? x->chunk->vals[DOCUMENT_CHUNKS_content].s : NULL;
}

OYL_API double oyl_search_score(const oyl_search_results *r, size_t i)
{
	const oyl__result *x = at(r, i);
	return x ? x->score : 0.0;
}

/* A result's spans, found the first time they are asked for: a host that
 * shows no highlight does not pay for tokenizing every result again.  The
 * results object changes then, which is why it is one thread's at a time
 * (oyl.h). */
static const oyl__result *with_spans(const oyl_search_results *cr, size_t i)
{
	oyl_search_results *r = (oyl_search_results *)cr;
	if (!r || i >= r->n)
		return NULL;
	oyl__result *x = &r->r[i];
	if (x->spans_found)
		return x;
	x->spans_found = 1;
	const oyl__result_kb *kb = &r->kbs[x->kb];
	if (!r->tok || strcmp(oyl__tokenizer_language(r->tok), kb->language) != 0) {
		oyl__tokenizer_free(r->tok);
		r->tok = NULL;
		if (oyl__tokenizer_new(kb->language, &r->tok) != OYL_OK)
			return x; /* out of memory: no highlight, never a wrong one */
	}
	oyl__result_spans(x, r->tok, &kb->terms);
	return x;
}

OYL_API size_t oyl_search_span_count(const oyl_search_results *r, size_t i)
{
	const oyl__result *x = with_spans(r, i);
	return x ? x->nspans : 0;
}

OYL_API int oyl_search_span(const oyl_search_results *r, size_t i, size_t j, size_t *start,
			    size_t *end)
{
	const oyl__result *x = with_spans(r, i);
	if (!x || j >= x->nspans || !start || !end)
		return OYL_EINVAL;
	*start = x->spans[2 * j];
	*end = x->spans[2 * j + 1];
	return OYL_OK;
}

OYL_API void oyl_search_free(oyl_search_results *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		oyl__record_free(r->r[i].chunk);
		oyl__free(r->r[i].document_name);
		oyl__free(r->r[i].spans);
	}
	oyl__free(r->r);
	oyl__free(r->kbs);
	oyl__tokenizer_free(r->tok);
	oyl__free(r);
}
