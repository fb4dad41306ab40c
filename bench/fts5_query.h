/*
 * The FTS5 baseline's question: the words of `q` (runs of ASCII letters
 * and digits, and any non-ASCII byte), each quoted, ORed, into out.
 * Shared by the search benchmark and the quality test, which compare
 * liboyl with FTS5 bm25 over the same chunks.  Quoting makes FTS5's own
 * syntax (NEAR, *, -, column filters) plain text; "" when q has no word.
 */
#ifndef OYL_BENCH_FTS5_QUERY_H
#define OYL_BENCH_FTS5_QUERY_H

#include <stddef.h>
#include <stdio.h>

static inline void fts5_or_query(const char *q, char *out, size_t size)
{
	size_t k = 0;
	int in_word = 0;
	for (const char *p = q; *p && k + 8 < size; p++) {
		unsigned char c = (unsigned char)*p;
		int w = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			c >= 0x80;
		if (w && !in_word)
			k += (size_t)snprintf(out + k, size - k, "%s\"", k ? " OR " : "");
		if (!w && in_word)
			out[k++] = '"';
		if (w)
			out[k++] = *p;
		in_word = w;
	}
	if (in_word)
		out[k++] = '"';
	out[k] = '\0';
}

#endif
