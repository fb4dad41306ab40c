/*
 * The English stop words: function words too common to tell chunks apart
 * (after NLTK's and Snowball's lists), and the tails the tokenizer's
 * identifier rule splits off contractions ("don't" gives "don" and "t",
 * "we'll" gives "ll").  Folded forms, sorted by bytes (strcmp order) for
 * the binary search: keep them so.  Changing the list changes every
 * English index: tests/test_tokenizer.c holds its fingerprint.
 */
#include <string.h>

#include "search/tokenize.h"

static const char *const words[] = {
	"a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and",
	"any", "are", "aren", "as", "at", "be", "because", "been", "before", "being", "below",
	"between", "both", "but", "by", "can", "could", "couldn", "d", "did", "didn", "do",
	"does", "doesn", "doing", "don", "down", "during", "each", "either", "few", "for",
	"from", "further", "had", "hadn", "has", "hasn", "have", "haven", "having", "he",
	"her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in",
	"into", "is", "isn", "it", "its", "itself", "just", "ll", "m", "may", "me", "might",
	"more", "most", "must", "mustn", "my", "myself", "neither", "no", "nor", "not", "now",
	"of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out",
	"over", "own", "re", "s", "same", "shall", "shan", "she", "should", "shouldn", "so",
	"some", "such", "t", "than", "that", "the", "their", "theirs", "them", "themselves",
	"then", "there", "these", "they", "this", "those", "through", "to", "too", "under",
	"until", "up", "upon", "us", "ve", "very", "was", "wasn", "we", "were", "weren",
	"what", "when", "where", "which", "while", "who", "whom", "whose", "why", "will",
	"with", "within", "without", "would", "wouldn", "yet", "you", "your", "yours",
	"yourself", "yourselves",
};

const char *const *oyl__stopword_list(size_t *n)
{
	*n = sizeof words / sizeof words[0];
	return words;
}

int oyl__is_stopword(const char *term, size_t len)
{
	size_t lo = 0, hi = sizeof words / sizeof words[0];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *w = words[mid];
		size_t wlen = strlen(w);
		int c = memcmp(term, w, len < wlen ? len : wlen);
		if (c == 0)
			c = len < wlen ? -1 : len > wlen;
		if (c == 0)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}
