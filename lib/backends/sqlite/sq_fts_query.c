/*
 * Plain words to FTS5 query text.  The query is never FTS5 syntax: every
 * run of letters and digits (ASCII by explicit ranges, not the locale;
 * every byte >= 0x80 counts as a letter, so UTF-8 words stay whole)
 * becomes an FTS5 string "..." and the strings are joined with OR.  A
 * word never holds a double quote (it is a separator), so nothing inside
 * the quotes needs escaping.
 * Operators typed by the user (OR, NEAR, *, -, :, ^) are thereby plain
 * words or separators, and no input can make a syntax error.
 *
 * OR, not AND: a passage that matches some of the words is still a hit,
 * and bm25 ranks those matching more (and rarer) words first.
 */
#include <string.h>

#include "sq_internal.h"

static bool is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c >= 0x80;
}

int oyl__sq_fts_query(const char *query, char **out)
{
	const unsigned char *s = (const unsigned char *)query;
	size_t n = strlen(query);
	/* words hold at most n bytes; each adds two quotes and " OR " */
	size_t cap = n + 6 * (n / 2 + 1) + 1;
	char *text = oyl_malloc(cap);
	size_t len = 0;

	*out = NULL;
	if (!text)
		return OYL_ENOMEM;
	for (size_t i = 0; i < n;) {
		if (!is_word_byte(s[i])) {
			i++;
			continue;
		}
		if (len) {
			memcpy(text + len, " OR ", 4);
			len += 4;
		}
		text[len++] = '"';
		for (; i < n && is_word_byte(s[i]); i++)
			text[len++] = (char)s[i];
		text[len++] = '"';
	}
	if (!len) {
		oyl_free(text);
		return OYL_OK;
	}
	text[len] = '\0';
	*out = text;
	return OYL_OK;
}
