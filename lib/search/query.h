/*
 * A question's terms (doc/retrieval.md): what the tokenizer makes of it in
 * a knowledge base's language, distinct, at most OYL__BM25_TERMS_MAX of
 * them (the first seen), in bytewise order, so that "lock mutex" and
 * "mutex lock" are one question and score to the same bits.  Any text is
 * a question; punctuation, quotes and operators are separators like any
 * other, so no query syntax can fail.  A question of only stop words or
 * punctuation has no term.
 */
#ifndef OYL_SEARCH_QUERY_H
#define OYL_SEARCH_QUERY_H

#include "search/bm25.h"
#include "search/tokenize.h"

#define OYL__QUERY_MAX (64u << 10) /* bytes of a question */

typedef struct oyl__query_terms {
	size_t n;
	size_t len[OYL__BM25_TERMS_MAX];
	char term[OYL__BM25_TERMS_MAX][OYL__TERM_MAX + 1];
	size_t dropped; /* tokens left out once the terms were full (a term
			   seen twice there counts twice) */
} oyl__query_terms;

/* OYL_EINVAL for invalid UTF-8 or a question over OYL__QUERY_MAX bytes;
 * OYL_ENOMEM. */
int oyl__query_terms_of(oyl__tokenizer *t, const char *text, size_t n, oyl__query_terms *out);

#endif
