/*
 * Citations of an answer: its [n] markers mapped to the prompt's
 * numbered passages (doc/prompting.md).  A marker is "[" one or more
 * numbers separated by commas "]", spaces allowed: [2], [1, 3].  A number
 * that names no passage is removed from its marker, and a marker left
 * empty is removed with the space before it; each removed number is
 * counted.  Any other bracketed text is the answer's own and stays.
 */
#ifndef OYL_CHAT_CITE_H
#define OYL_CHAT_CITE_H

#include <stddef.h>
#include <stdint.h>

#define OYL__CITE_MAX 20 /* passages an answer can cite: OYL_CHAT_PASSAGES_MAX */

typedef struct oyl__cites {
	char *content; /* the answer as stored (new, NUL-terminated; oyl__free) */
	size_t len;
	int32_t numbers[OYL__CITE_MAX]; /* passages cited, by first mention */
	size_t n;
	int64_t unknown; /* numbers removed: they named no passage */
} oyl__cites;

/* Scans answer[0..n) against passages 1..npassages.  OYL_OK or ENOMEM. */
int oyl__cite_scan(const char *answer, size_t n, size_t npassages, oyl__cites *out);

#endif
